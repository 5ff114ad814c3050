package tscript

import (
	"sync"

	"github.com/redisctl/redisctl/engine"
	lua "github.com/yuin/gopher-lua"
)

var envs sync.Map // *lua.LState → *luaEnv

func envOf(L *lua.LState) *luaEnv {
	v, _ := envs.Load(L)
	env, _ := v.(*luaEnv)
	return env
}

// raiseErr raises an error of the redis library (luaPushError + luaError): the message
// carries its own code and no script position, and at top level it is reported as is.
func raiseErr(L *lua.LState, msg string) {
	if env := envOf(L); env != nil && env.s.cur != nil {
		env.s.cur.callErr = lua.LString(msg)
	}
	L.Error(lua.LString(msg), 0)
}

// redisCall is redis.call (raise true) and redis.pcall.
func (s *Scripting) redisCall(L *lua.LState, raise bool) int {
	r := s.cur
	n := L.GetTop()
	fail := func(msg string) int {
		if raise {
			raiseErr(L, msg)
			return 0
		}
		L.Push(errTableRaw(L, msg))
		return 1
	}
	if r == nil {
		return fail("ERR redis.call can only be called inside a script invocation")
	}
	if n == 0 {
		return fail("ERR Please specify at least one argument for this redis lib call")
	}
	// Arguments: strings, or numbers formatted with %.17g.
	buf := s.argBuf[:0]
	type span struct{ a, b int }
	var spansArr [16]span
	spans := spansArr[:0]
	for i := 1; i <= n; i++ {
		v := L.Get(i)
		a := len(buf)
		switch v := v.(type) {
		case lua.LString:
			buf = append(buf, v...)
		case lua.LNumber:
			buf = appendNumber(buf, float64(v))
		default:
			s.argBuf = buf
			return fail("ERR Lua redis lib command arguments must be strings or integers")
		}
		spans = append(spans, span{a, len(buf)})
	}
	s.argBuf = buf
	args := s.args[:0]
	for _, sp := range spans {
		args = append(args, buf[sp.a:sp.b:sp.b])
	}
	s.args = args

	e := s.e
	var cmd *engine.Command
	if name, ok := L.Get(1).(lua.LString); ok {
		cmd = s.lookupCommand(string(name), args[0])
	} else {
		cmd = e.Table().Lookup(args[0])
	}
	if cmd != nil && cmd.Subcommands != nil && len(args) >= 2 {
		cmd = cmd.LookupSub(args[1])
	}
	if cmd == nil || cmd.Fn == nil && cmd.Subcommands == nil {
		return fail("ERR Unknown Redis command called from script")
	}
	if cmd.Subcommands != nil || !arityOK(cmd.Arity, len(args)) {
		return fail("ERR Wrong number of args calling Redis command from script")
	}
	if cmd.Flags&engine.FlagNoScript != 0 {
		return fail("ERR This Redis command is not allowed from script")
	}
	if cmd.Flags&engine.FlagWrite != 0 && r.readOnly {
		return fail("ERR Write commands are not allowed from read-only scripts.")
	}
	// scriptVerifyOOM: over maxmemory when the script started, a deny-oom command is
	// refused until the script has written something.
	if cmd.Flags&engine.FlagDenyOOM != 0 && !r.allowOOM && s.state.Load() != stateWrote && e.PreCommandOOM() {
		return fail(engine.ErrOOM)
	}
	if cmd.Flags&engine.FlagWrite != 0 && s.state.Load() == stateRunning {
		s.state.Store(stateWrote)
	}
	if cmd.Flags&engine.FlagWrite != 0 && e.Propagating() {
		// What a write propagates may refer to its arguments until the script's unit
		// is flushed: they get their own copy (reads reuse the buffer).
		own := make([]byte, len(buf))
		copy(own, buf)
		cp := make([][]byte, len(spans))
		for i, sp := range spans {
			cp[i] = own[sp.a:sp.b:sp.b]
		}
		args = cp
	}
	c := s.client
	c.Authenticated = true
	s.sink.buf = nil
	if r.replMode == replAll {
		e.Call(c, cmd, args)
	} else {
		e.CallUnpropagated(c, cmd, args)
	}
	_ = s.w.Flush()
	reply := s.sink.buf
	// The reply becomes a Lua value.
	p := parser{b: reply, L: L}
	v := p.value()
	if p.errMsg != "" {
		r.nestedErr = p.errMsg
		if raise {
			raiseErr(L, p.errMsg)
			return 0
		}
	}
	L.Push(v)
	return 1
}

// cmdCacheEntry is a command redis.call resolved, under the name string the script gave.
type cmdCacheEntry struct {
	name string
	cmd  *engine.Command
}

// lookupCommand is Table.Lookup(arg) for redis.call's command name, remembering the last
// few names resolved: a script's command names are constants of the script, the very same
// strings every call, so a hit costs a pointer comparison. The table only ever gains
// commands, so a name once found keeps its command.
func (s *Scripting) lookupCommand(name string, arg []byte) *engine.Command {
	t := s.e.Table()
	if s.cmdCacheTable != t {
		s.cmdCache = [len(s.cmdCache)]cmdCacheEntry{}
		s.cmdCacheTable = t
	}
	for i := range s.cmdCache {
		if c := &s.cmdCache[i]; c.name == name && c.cmd != nil {
			return c.cmd
		}
	}
	cmd := t.Lookup(arg)
	if cmd != nil {
		s.cmdCache[s.cmdCacheNext] = cmdCacheEntry{name: name, cmd: cmd}
		s.cmdCacheNext = (s.cmdCacheNext + 1) % len(s.cmdCache)
	}
	return cmd
}

// replAll is REPL_ALL (REPL_AOF|REPL_REPLICA); anything less stops propagation here,
// where one stream feeds both the AOF and replicas.
const replAll = 3

func arityOK(arity, n int) bool {
	return (arity > 0 && n == arity) || (arity < 0 && n >= -arity)
}

// errTableRaw is {err=msg} for a message that already has its code.
func errTableRaw(L *lua.LState, msg string) *lua.LTable {
	t := L.CreateTable(0, 1)
	t.RawSetString("err", lua.LString(msg))
	return t
}

// appendNumber formats a Lua number as redis.call arguments do ("%.17g").
func appendNumber(dst []byte, f float64) []byte {
	if f == float64(int64(f)) && f > -1e17 && f < 1e17 {
		return appendInt(dst, int64(f))
	}
	return engine.FormatFloat17(dst, f)
}

func appendInt(dst []byte, v int64) []byte {
	var tmp [20]byte
	i := len(tmp)
	neg := v < 0
	u := uint64(v)
	if neg {
		u = uint64(-v)
	}
	for u >= 10 {
		i--
		tmp[i] = byte('0' + u%10)
		u /= 10
	}
	i--
	tmp[i] = byte('0' + u)
	if neg {
		i--
		tmp[i] = '-'
	}
	return append(dst, tmp[i:]...)
}
