package tscript

import (
	"crypto/sha1"
	"encoding/hex"
	"math"
	"strconv"

	lua "github.com/yuin/gopher-lua"
)

// luaEnv is one Lua state with Redis's sandbox: the EVAL state, or the functions state.
type luaEnv struct {
	s      *Scripting
	L      *lua.LState
	G      *lua.LTable // the real globals
	proxy  *lua.LTable // what scripts see as _G: read-through, write-protected
	redis  *lua.LTable // the real redis table
	errH   *lua.LFunction
	funcs  bool
	keys   *lua.LTable               // EVAL's cached KEYS table (reuse.go), nil when none
	argv   *lua.LTable               // EVAL's cached ARGV table
	loadFn map[string]lua.LGFunction // the redis table during FUNCTION LOAD
	lib    *library                  // the library being loaded
}

// maxLuaString caps strings built in one step (string.rep): 1 GiB.
const maxLuaString = 1 << 30

const (
	evalChunk = "user_script"
	fnChunk   = "user_function"
)

// Redis's version as redis.REDIS_VERSION and REDIS_VERSION_NUM.
const (
	redisVersion    = "7.0.15"
	redisVersionNum = 0x07000f
)

func newLuaEnv(s *Scripting, funcs bool) *luaEnv {
	L := lua.NewState(lua.Options{SkipOpenLibs: true, CallStackSize: 256, RegistrySize: 1024 * 4,
		RegistryMaxSize: 1024 * 1024})
	env := &luaEnv{s: s, L: L, funcs: funcs}
	envs.Store(L, env)
	for _, lib := range []struct {
		name string
		fn   lua.LGFunction
	}{
		{lua.BaseLibName, lua.OpenBase},
		{lua.TabLibName, lua.OpenTable},
		{lua.StringLibName, lua.OpenString},
		{lua.MathLibName, lua.OpenMath},
		{lua.CoroutineLibName, lua.OpenCoroutine},
	} {
		L.Push(L.NewFunction(lib.fn))
		L.Push(lua.LString(lib.name))
		L.Call(1, 0)
	}
	G := L.G.Global
	env.G = G
	for _, name := range []string{"dofile", "loadfile", "print", "setfenv", "getfenv", "module",
		"require", "newproxy", "_printregs", "channel", "package"} {
		G.RawSetString(name, lua.LNil)
	}
	G.RawSetString("error", L.NewFunction(luaErrorFn))
	G.RawSetString("tostring", L.NewFunction(luaTostring))
	G.RawSetString("gcinfo", L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LNumber(64))
		return 1
	}))
	// string.rep that would build a huge string fails as Lua's allocator would, instead
	// of taking the process down.
	strtab := G.RawGetString("string").(*lua.LTable)
	if rep, ok := strtab.RawGetString("rep").(*lua.LFunction); ok {
		strtab.RawSetString("rep", L.NewFunction(func(L *lua.LState) int {
			str := L.CheckString(1)
			n := L.CheckInt(2)
			sep := L.OptString(3, "")
			if n > 0 && (int64(len(str))+int64(len(sep)))*int64(n) > maxLuaString {
				L.RaiseError("not enough memory")
			}
			L.Push(rep)
			L.Push(lua.LString(str))
			L.Push(lua.LNumber(n))
			if sep != "" {
				L.Push(lua.LString(sep))
				L.Call(3, 1)
			} else {
				L.Call(2, 1)
			}
			return 1
		}))
	}
	math := G.RawGetString("math").(*lua.LTable)
	math.RawSetString("random", L.NewFunction(s.mathRandom))
	math.RawSetString("randomseed", L.NewFunction(s.mathRandomseed))
	// Lua 5.1 has math.mod as an alias of fmod.
	if f := math.RawGetString("fmod"); f != lua.LNil {
		math.RawSetString("mod", f)
	}

	env.redis = L.NewTable()
	env.registerRedis()
	G.RawSetString("redis", env.redis)
	G.RawSetString("cjson", openCjson(L))
	G.RawSetString("cmsgpack", openCmsgpack(L))
	G.RawSetString("bit", openBit(L))
	G.RawSetString("struct", openStruct(L))

	// Readonly library tables: scripts see proxies.
	for _, name := range []string{"redis", "string", "table", "math", "coroutine", "cjson",
		"cmsgpack", "bit", "struct"} {
		if t, ok := G.RawGetString(name).(*lua.LTable); ok {
			G.RawSetString(name, env.readonly(t))
		}
	}
	env.errH = L.NewFunction(env.errorHandler)
	G.RawSetString("__redis__err__handler", env.errH)

	// Globals protection: reads of missing globals fail, writes always fail.
	gmt := L.NewTable()
	gmt.RawSetString("__index", L.NewFunction(func(L *lua.LState) int {
		name := L.CheckAny(2)
		L.RaiseError("Script attempted to access nonexistent global variable '%s'", lua.LVAsString(name))
		return 0
	}))
	gmt.RawSetString("__newindex", L.NewFunction(func(L *lua.LState) int {
		L.RaiseError("Attempt to modify a readonly table")
		return 0
	}))
	L.SetMetatable(G, gmt)
	env.proxy = env.readonly(G)
	// _G is the real table (rawget(_G, name) and pairs(_G) work); scripts' own global
	// assignments go through the write-protected proxy.
	G.RawSetString("_G", G)
	L.SetContext(s.ctx)
	return env
}

// readonly returns an empty proxy table reading through to t whose writes fail with
// Redis's "Attempt to modify a readonly table".
func (env *luaEnv) readonly(t *lua.LTable) *lua.LTable {
	L := env.L
	p := L.NewTable()
	mt := L.NewTable()
	mt.RawSetString("__index", t)
	mt.RawSetString("__newindex", L.NewFunction(func(L *lua.LState) int {
		L.RaiseError("Attempt to modify a readonly table")
		return 0
	}))
	mt.RawSetString("__metatable", lua.LFalse)
	L.SetMetatable(p, mt)
	return p
}

func (env *luaEnv) registerRedis() {
	L, s, t := env.L, env.s, env.redis
	fns := map[string]lua.LGFunction{
		"call":               func(L *lua.LState) int { return s.redisCall(L, true) },
		"pcall":              func(L *lua.LState) int { return s.redisCall(L, false) },
		"error_reply":        luaErrorReply,
		"status_reply":       luaStatusReply,
		"sha1hex":            luaSha1hex,
		"log":                s.luaLog,
		"setresp":            s.luaSetresp,
		"set_repl":           s.luaSetRepl,
		"replicate_commands": func(L *lua.LState) int { L.Push(lua.LTrue); return 1 },
		"breakpoint":         func(L *lua.LState) int { L.Push(lua.LFalse); return 1 },
		"debug":              func(L *lua.LState) int { return 0 },
		"acl_check_cmd":      s.luaACLCheck,
	}
	if env.funcs {
		fns["register_function"] = env.registerFunction
	}
	for name, fn := range fns {
		t.RawSetString(name, L.NewFunction(fn))
	}
	for name, v := range map[string]int{"LOG_DEBUG": 0, "LOG_VERBOSE": 1, "LOG_NOTICE": 2,
		"LOG_WARNING": 3, "REPL_NONE": 0, "REPL_AOF": 1, "REPL_SLAVE": 2, "REPL_REPLICA": 2,
		"REPL_ALL": 3} {
		t.RawSetString(name, lua.LNumber(v))
	}
	t.RawSetString("REDIS_VERSION", lua.LString(redisVersion))
	t.RawSetString("REDIS_VERSION_NUM", lua.LNumber(redisVersionNum))
}

// errorHandler is __redis__err__handler: it records the line of the Lua function where the
// error was raised, for the "on @user_script:N." suffix.
func (env *luaEnv) errorHandler(L *lua.LState) int {
	err := L.Get(1)
	line := 0
	for level := 1; level < 64; level++ {
		dbg, ok := L.GetStack(level)
		if !ok {
			break
		}
		if _, e := L.GetInfo("Sl", dbg, lua.LNil); e != nil {
			break
		}
		if dbg.What != "G" && dbg.CurrentLine > 0 {
			line = dbg.CurrentLine
			break
		}
	}
	if r := env.s.cur; r != nil {
		r.errLine = line
	}
	L.Push(err)
	return 1
}

func luaSha1hex(L *lua.LState) int {
	if L.GetTop() != 1 {
		raiseErr(L, "ERR wrong number of arguments")
	}
	s := L.ToString(1)
	sum := sha1.Sum([]byte(s))
	L.Push(lua.LString(hex.EncodeToString(sum[:])))
	return 1
}

// errTable builds {err=msg} from an error_reply string as luaPushErrorBuff: "-CODE msg"
// keeps its code, anything else gets "ERR ".
func errTable(L *lua.LState, msg string) *lua.LTable {
	t := L.CreateTable(0, 1)
	t.RawSetString("err", lua.LString(normalizeErr(msg)))
	return t
}

// normalizeErr turns an error as given to redis.error_reply into "CODE msg".
func normalizeErr(msg string) string {
	if len(msg) > 0 && msg[0] == '-' {
		rest := msg[1:]
		for i := 0; i < len(rest); i++ {
			if rest[i] == ' ' {
				return rest
			}
		}
		return "ERR " + rest
	}
	return "ERR " + msg
}

func luaErrorReply(L *lua.LState) int {
	if L.GetTop() != 1 || L.Get(1).Type() != lua.LTString {
		L.Push(errTableRaw(L, "ERR wrong number or type of arguments"))
		return 1
	}
	msg := L.ToString(1)
	if len(msg) == 0 || msg[0] != '-' {
		msg = "-" + msg
	}
	L.Push(errTable(L, msg))
	return 1
}

func luaStatusReply(L *lua.LState) int {
	if L.GetTop() != 1 || L.Get(1).Type() != lua.LTString {
		L.Push(errTableRaw(L, "ERR wrong number or type of arguments"))
		return 1
	}
	t := L.CreateTable(0, 1)
	t.RawSetString("ok", L.Get(1))
	L.Push(t)
	return 1
}

func (s *Scripting) luaLog(L *lua.LState) int {
	n := L.GetTop()
	if n < 2 {
		raiseErr(L, "ERR redis.log() requires two arguments or more.")
	}
	if L.Get(1).Type() != lua.LTNumber {
		raiseErr(L, "ERR First argument must be a number (log level).")
	}
	level := int(L.ToNumber(1))
	if level < 0 || level > 3 {
		raiseErr(L, "ERR Invalid debug level.")
	}
	var msg []byte
	for i := 2; i <= n; i++ {
		if i > 2 {
			msg = append(msg, ' ')
		}
		v := L.Get(i)
		switch v.Type() {
		case lua.LTString, lua.LTNumber:
			msg = append(msg, L.ToString(i)...)
		default:
			continue
		}
	}
	if s.Log != nil {
		s.Log(level, string(msg))
	}
	return 0
}

func (s *Scripting) luaSetresp(L *lua.LState) int {
	if L.GetTop() != 1 {
		raiseErr(L, "ERR redis.setresp() requires one argument.")
	}
	v := int(L.CheckNumber(1))
	if v != 2 && v != 3 {
		raiseErr(L, "ERR RESP version must be 2 or 3.")
	}
	s.w.SetProtocol(v)
	return 0
}

func (s *Scripting) luaSetRepl(L *lua.LState) int {
	if L.GetTop() != 1 {
		raiseErr(L, "ERR redis.set_repl() requires one argument.")
	}
	v := int(L.CheckNumber(1))
	if v&^3 != 0 {
		raiseErr(L, "ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.")
	}
	if r := s.cur; r != nil {
		r.replMode = v
	}
	return 0
}

// luaACLCheck is redis.acl_check_cmd: without ACL users every known command is allowed.
func (s *Scripting) luaACLCheck(L *lua.LState) int {
	n := L.GetTop()
	if n == 0 {
		raiseErr(L, "ERR Please specify at least one argument for this redis lib call")
	}
	name := []byte(L.ToString(1))
	cmd := s.e.Table().Lookup(name)
	if cmd == nil {
		raiseErr(L, "ERR Invalid command passed to redis.acl_check_cmd()")
	}
	L.Push(lua.LTrue)
	return 1
}

// luaErrorFn is Lua 5.1's error(): strings and numbers get the position of the function at
// the given level (1: the caller of error), when that function is a Lua function.
func luaErrorFn(L *lua.LState) int {
	obj := L.Get(1)
	level := L.OptInt(2, 1)
	switch o := obj.(type) {
	case lua.LString, lua.LNumber:
		msg := lua.LVAsString(o)
		if level > 0 {
			msg = where(L, level) + msg
		}
		L.Error(lua.LString(msg), 0)
	default:
		L.Error(obj, 0)
	}
	return 0
}

// where is luaL_where: "chunk:line: " of the function at level, or "".
func where(L *lua.LState, level int) string {
	dbg, ok := L.GetStack(level)
	if !ok {
		return ""
	}
	if _, err := L.GetInfo("Sl", dbg, lua.LNil); err != nil {
		return ""
	}
	if dbg.What == "G" || dbg.CurrentLine <= 0 {
		return ""
	}
	return dbg.Source + ":" + strconv.Itoa(dbg.CurrentLine) + ": "
}

// luaTostring is tostring with Lua 5.1's number format ("%.14g").
func luaTostring(L *lua.LState) int {
	v := L.CheckAny(1)
	if n, ok := v.(lua.LNumber); ok {
		L.Push(lua.LString(fmtNumber(float64(n))))
		return 1
	}
	if mt, ok := L.GetMetaField(v, "__tostring").(*lua.LFunction); ok {
		L.Push(mt)
		L.Push(v)
		L.Call(1, 1)
		return 1
	}
	L.Push(lua.LString(L.ToStringMeta(v).String()))
	return 1
}

// fmtNumber is LUAI_NUMFFORMAT ("%.14g") with C's spellings of the infinities and NaN.
func fmtNumber(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	return strconv.FormatFloat(f, 'g', 14, 64)
}
