package tscript

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/config"
	lua "github.com/yuin/gopher-lua"
)

// Script flags (shebang flags=… and register_function's flags).
const (
	flagNoWrites = 1 << iota
	flagAllowOOM
	flagAllowStale
	flagNoCluster
	flagAllowCrossSlot
	flagCompat // an EVAL script without a shebang
)

var flagNames = []struct {
	name string
	flag int
}{
	{"no-writes", flagNoWrites}, {"allow-oom", flagAllowOOM}, {"allow-stale", flagAllowStale},
	{"no-cluster", flagNoCluster}, {"allow-cross-slot-keys", flagAllowCrossSlot},
}

// evalScript is a cached EVAL script.
type evalScript struct {
	sha   string
	body  []byte
	fn    *lua.LFunction
	flags int
	// reuseArgs: the script cannot keep a reference past its run, its KEYS and ARGV
	// tables may be reused (reuse.go).
	reuseArgs bool
}

// shebangFlags parses an EVAL script's "#!lua flags=…" line (evalExtractShebangFlags). It
// returns the flags and the length of the shebang line (the newline stays in the body so
// line numbers do not move).
func shebangFlags(body []byte) (flags, n int, err string) {
	if !bytes.HasPrefix(body, []byte("#!")) {
		return flagCompat, 0, ""
	}
	end := bytes.IndexByte(body, '\n')
	if end < 0 {
		return 0, 0, "Invalid script shebang"
	}
	parts, perr := config.SplitArgs(string(body[:end]))
	if perr != nil || len(parts) == 0 {
		return 0, 0, "Invalid engine in script shebang"
	}
	if parts[0] != "#!lua" {
		return 0, 0, "Unexpected engine in script shebang: " + parts[0]
	}
	for _, p := range parts[1:] {
		if !strings.HasPrefix(p, "flags=") {
			return 0, 0, "Unknown lua shebang option: " + p
		}
		list := p[len("flags="):]
		if list == "" {
			continue
		}
		for _, f := range strings.Split(list, ",") {
			found := false
			for _, fd := range flagNames {
				if fd.name == f {
					flags |= fd.flag
					found = true
				}
			}
			if !found {
				return 0, 0, "Unexpected flag in script shebang: " + f
			}
		}
	}
	return flags, end, ""
}

func sha1Hex(b []byte) string {
	sum := sha1.Sum(b)
	return hex.EncodeToString(sum[:])
}

// scriptBySHA finds a cached script by its SHA1 hex in any case; the last one found is
// checked first (a benchmark or an application usually runs one script over and over).
func (s *Scripting) scriptBySHA(sha []byte) *evalScript {
	if len(sha) != 40 {
		return nil
	}
	if sc := s.lastScript; sc != nil && sc.sha == string(sha) {
		return sc
	}
	var lower [40]byte
	for i, c := range sha {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower[i] = c
	}
	sc := s.scripts[string(lower[:])]
	if sc != nil {
		s.lastScript = sc
	}
	return sc
}

// compile turns an EVAL body into a cached script. Lock held.
func (s *Scripting) compile(body []byte, sha string) (*evalScript, string) {
	flags, n, errS := shebangFlags(body)
	if errS != "" {
		return nil, "ERR " + errS
	}
	code := body[n:]
	fn, err := s.eval.L.Load(bytes.NewReader(code), evalChunk)
	if err != nil {
		return nil, "ERR Error compiling script (new function): " + compileErrText(err.Error(), 1+bytes.Count(code, []byte("\n")))
	}
	fn.Env = s.eval.proxy
	// The body is a vararg main chunk that never uses "...": no Lua 5.0 "arg" table per call.
	fn.Proto.IsVarArg &^= lua.VarArgNeedsArg
	sc := &evalScript{sha: sha, body: engine.CopyBytes(body), fn: fn, flags: flags,
		reuseArgs: retainsNothing(fn.Proto)}
	if sc.reuseArgs && !setsGlobals(fn.Proto) {
		fn.Env = s.eval.G // reuse.go: the script can neither write nor see the difference
	}
	s.scripts[sha] = sc
	s.scriptsBody += int64(len(body))
	return sc, ""
}

// compileErrText rewrites gopher-lua's compile errors toward Lua 5.1's
// "user_script:LINE: message" form.
func compileErrText(msg string, lastLine int) string {
	// gopher-lua: "user_script line:1(column:9) near 'EOF':   syntax error"
	if i := strings.Index(msg, " at EOF:"); i >= 0 && strings.Contains(msg, "syntax error") {
		return msg[:i] + ":" + strconv.Itoa(lastLine) + ": unexpected symbol near '<eof>'"
	}
	if i := strings.Index(msg, " line:"); i >= 0 {
		rest := msg[i+len(" line:"):]
		j := 0
		for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
			j++
		}
		line := rest[:j]
		tail := rest[j:]
		if k := strings.Index(tail, ")"); k >= 0 {
			tail = tail[k+1:]
		}
		tail = strings.TrimSpace(tail)
		near := ""
		if strings.HasPrefix(tail, "near ") {
			if k := strings.Index(tail, ":"); k >= 0 {
				near = tail[:k]
				tail = strings.TrimSpace(tail[k+1:])
			}
		}
		near = strings.Replace(near, "'EOF'", "'<eof>'", 1)
		if near != "" {
			return msg[:i] + ":" + line + ": " + tail + " " + near
		}
		return msg[:i] + ":" + line + ": " + tail
	}
	return msg
}

// parseNumKeys reads numkeys for EVAL/FCALL: args[2].
func parseNumKeys(x *engine.Ctx) (int, bool) {
	n, ok := engine.ParseInt(x.Args[2])
	if !ok {
		x.Error(engine.ErrNotInteger)
		return 0, false
	}
	if n > int64(len(x.Args)-3) {
		x.Error("ERR Number of keys can't be greater than number of args")
		return 0, false
	}
	if n < 0 {
		x.Error("ERR Number of keys can't be negative")
		return 0, false
	}
	return int(n), true
}

func cmdEval(isSha, ro bool) engine.HandlerFunc {
	return func(x *engine.Ctx) {
		s := For(x.E)
		numkeys, ok := parseNumKeys(x)
		if !ok {
			return
		}
		var sc *evalScript
		if isSha {
			sc = s.scriptBySHA(x.Args[1])
			if sc == nil {
				x.Error("NOSCRIPT No matching script. Please use EVAL.")
				return
			}
		} else {
			sha := sha1Hex(x.Args[1])
			sc = s.scripts[sha]
			if sc == nil {
				var msg string
				if sc, msg = s.compile(x.Args[1], sha); sc == nil {
					x.Error(msg)
					return
				}
			}
		}
		if sc.flags&flagCompat == 0 && sc.flags&flagNoWrites == 0 && ro {
			x.Error("ERR Can not execute a script with write flag using *_ro command.")
			return
		}
		// One run at a time (a script cannot start another): its state is reused.
		r := &s.runState
		*r = run{env: s.eval, caller: x.C, isEval: true, sha: sc.sha,
			readOnly: ro || sc.flags&flagCompat == 0 && sc.flags&flagNoWrites != 0,
			allowOOM: sc.flags&flagAllowOOM != 0, replMode: 3, reuseArgs: sc.reuseArgs}
		s.runScript(x, r, sc.fn, x.Args[3:3+numkeys], x.Args[3+numkeys:], evalChunk, "")
	}
}

// runScript runs fn for the command in x (EVAL or FCALL) and writes the reply. For EVAL
// KEYS and ARGV are globals; for functions they are the two arguments.
func (s *Scripting) runScript(x *engine.Ctx, r *run, fn *lua.LFunction, keys, argv [][]byte, chunk, fname string) {
	env := r.env
	L := env.L
	// First: its atomic stores drain the store buffer, which is still empty here.
	s.beginRun(r, fname, x.Args)
	c := s.client
	c.Select(x.C.DB())
	s.w.SetProtocol(2)
	L.Push(fn)
	nargs := 0
	switch {
	case r.isEval && r.reuseArgs:
		// See reuse.go: the cached tables are the globals KEYS and ARGV already.
		kt, kr := argTable(L, env.keys, keys)
		at, ar := argTable(L, env.argv, argv)
		if !kr {
			env.G.RawSetString("KEYS", kt)
		}
		if !ar {
			env.G.RawSetString("ARGV", at)
		}
		env.keys, env.argv = kt, at
	case r.isEval:
		kt, _ := argTable(L, nil, keys)
		at, _ := argTable(L, nil, argv)
		env.G.RawSetString("KEYS", kt)
		env.G.RawSetString("ARGV", at)
		env.keys, env.argv = nil, nil
	default:
		kt, _ := argTable(L, nil, keys)
		at, _ := argTable(L, nil, argv)
		L.Push(kt)
		L.Push(at)
		nargs = 2
	}
	// Time stands still for the script's commands (7.0: keys do not expire halfway).
	s.frozenAt = time.UnixMilli(x.E.NowMs())
	clock := x.E.SwapClock(s.frozen)
	err := L.PCall(nargs, 1, env.errH)
	x.E.SwapClock(clock)
	killed := s.killed.Load()
	s.endRun()
	if err != nil {
		s.replyError(x, r, err, killed, chunk, fname)
		return
	}
	v := L.Get(-1)
	L.Pop(1)
	if t, ok := v.(*lua.LTable); ok {
		if e, ok := t.RawGetString("err").(lua.LString); ok {
			writeErr(x, sanitize(string(e)), r.nestedErr != "" && string(e) == r.nestedErr)
			return
		}
	}
	writeReply(x.W, v, s.w.Protocol(), 0)
}

// replyError writes the reply of a script that raised an error, as Redis 7.0:
// "<message> script: <sha or function>, on @user_script:<line>.".
func (s *Scripting) replyError(x *engine.Ctx, r *run, err error, killed bool, chunk, fname string) {
	var obj lua.LValue = lua.LString(err.Error())
	if ae, ok := err.(*lua.ApiError); ok {
		obj = ae.Object
	}
	name := r.sha
	if !r.isEval {
		name = fname
	}
	suffix := " script: " + name + ", on @" + chunk + ":" + strconv.Itoa(r.errLine) + "."
	var msg string
	counted := false
	switch o := obj.(type) {
	case *lua.LTable:
		if e, ok := o.RawGetString("err").(lua.LString); ok {
			msg = string(e)
		} else {
			msg = "ERR Error running script (call to " + name + "): @" + chunk + ": unknown error"
			x.Error(msg)
			return
		}
	case lua.LString:
		if killed {
			// FUNCTION KILL says SCRIPT KILL too in 7.0.
			msg = "ERR Script killed by user with SCRIPT KILL..."
		} else if r.callErr != nil && r.callErr == o {
			msg = string(o)
			counted = r.nestedErr != "" && msg == r.nestedErr
		} else {
			msg = "ERR " + string(o)
		}
	default:
		msg = "ERR " + lua.LVAsString(obj)
		if obj == lua.LNil {
			msg = "ERR nil"
		}
	}
	writeErr(x, sanitize(msg+suffix), counted)
}

// writeErr replies an error as Redis's "-%s" format (a message that starts with '-' keeps
// it); counted says the error statistics already have it (a called command's error).
func writeErr(x *engine.Ctx, msg string, counted bool) {
	if len(msg) > 0 && msg[0] == '-' {
		x.ErrorRaw(msg, !counted)
		return
	}
	if counted {
		x.ErrorNoStats(msg)
		return
	}
	x.Error(msg)
}

func cmdScript() map[string]engine.HandlerFunc {
	return map[string]engine.HandlerFunc{
		"load": func(x *engine.Ctx) {
			s := For(x.E)
			sha := sha1Hex(x.Args[2])
			if s.scripts[sha] == nil {
				if sc, msg := s.compile(x.Args[2], sha); sc == nil {
					x.Error(msg)
					return
				}
			}
			x.W.WriteBulkString(sha)
		},
		"exists": func(x *engine.Ctx) {
			s := For(x.E)
			x.ArrayLen(len(x.Args) - 2)
			for _, a := range x.Args[2:] {
				if s.scripts[strings.ToLower(string(a))] != nil {
					x.Int(1)
				} else {
					x.Int(0)
				}
			}
		},
		"flush": func(x *engine.Ctx) {
			if len(x.Args) > 3 || len(x.Args) == 3 && !engine.EqualFold(x.Args[2], "sync") &&
				!engine.EqualFold(x.Args[2], "async") {
				x.Error("ERR SCRIPT FLUSH only support SYNC|ASYNC option")
				return
			}
			For(x.E).flushScripts()
			x.OK()
		},
		"kill": func(x *engine.Ctx) {
			if msg := For(x.E).Kill(true); msg != "" {
				x.Error(msg)
				return
			}
			x.OK()
		},
		"help": func(x *engine.Ctx) {
			writeHelp(x, "SCRIPT", scriptHelp)
		},
		"debug": func(x *engine.Ctx) {
			switch {
			case engine.EqualFold(x.Args[2], "no"):
				x.OK()
			case engine.EqualFold(x.Args[2], "yes"), engine.EqualFold(x.Args[2], "sync"):
				// Redis's Lua debugger (LDB) is an interactive protocol of its own.
				x.Error("ERR SCRIPT DEBUG YES/SYNC: the Lua debugger is not supported by redisctl")
			default:
				x.Error("ERR Use SCRIPT DEBUG YES/SYNC/NO")
			}
		},
	}
}

// flushScripts is SCRIPT FLUSH: a new EVAL Lua state and an empty cache.
func (s *Scripting) flushScripts() {
	envs.Delete(s.eval.L)
	s.eval.L.Close()
	s.eval = newLuaEnv(s, false)
	s.scripts = map[string]*evalScript{}
	s.lastScript = nil
	s.scriptsBody = 0
}

var scriptHelp = []string{
	"SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"DEBUG (YES|SYNC|NO)",
	"    Set the debug mode for subsequent scripts executed.",
	"EXISTS <sha1> [<sha1> ...]",
	"    Return information about the existence of the scripts in the script cache.",
	"FLUSH [ASYNC|SYNC]",
	"    Flush the Lua scripts cache. Very dangerous on replicas.",
	"    When called without the optional mode argument, the behavior is determined by the",
	"    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
	"    * ASYNC: Asynchronously flush the scripts cache.",
	"    * SYNC: Synchronously flush the scripts cache.",
	"KILL",
	"    Kill the currently executing Lua script.",
	"LOAD <script>",
	"    Load a script into the scripts cache without executing it.",
	"HELP",
	"    Prints this help.",
}

func writeHelp(x *engine.Ctx, _ string, lines []string) {
	x.ArrayLen(len(lines))
	for _, l := range lines {
		x.W.WriteSimpleString(l)
	}
}

// NumScripts is number_of_cached_scripts.
func (s *Scripting) NumScripts() int { return len(s.scripts) }

// ScriptStats returns the number of cached EVAL scripts and the bytes of their bodies.
func (s *Scripting) ScriptStats() (n int, bodyBytes int64) { return len(s.scripts), s.scriptsBody }

// subcommandSyntaxError is addReplySubcommandSyntaxError.
func subcommandSyntaxError(x *engine.Ctx, cmd string) {
	sub := x.Args[1]
	if len(sub) > 128 {
		sub = sub[:128]
	}
	x.Error("ERR unknown subcommand or wrong number of arguments for '" + string(sub) + "'. Try " + cmd + " HELP.")
}
