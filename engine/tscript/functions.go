package tscript

import (
	"bytes"
	"context"
	"errors"
	"sort"
	"strings"
	"time"

	"github.com/redisctl/redisctl/engine"
	lua "github.com/yuin/gopher-lua"
)

// loadTimeout bounds a library's top-level run (FUNCTION LOAD, RESTORE, RDB load).
const loadTimeout = 500 * time.Millisecond

// library is a loaded function library.
type library struct {
	name  string
	code  []byte
	funcs map[string]*function
}

// function is one registered function.
type function struct {
	name  string
	lib   *library
	fn    *lua.LFunction
	flags int
	desc  lua.LValue // LString or LNil
}

var _ engine.FunctionStore = (*Scripting)(nil)

// LibraryCodes returns every library's code, sorted by library name.
func (s *Scripting) LibraryCodes() [][]byte {
	names := make([]string, 0, len(s.libs))
	for n := range s.libs {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([][]byte, len(names))
	for i, n := range names {
		out[i] = s.libs[n].code
	}
	return out
}

// LoadLibrary compiles and registers a library (FUNCTION LOAD, RDB load). The error text
// is Redis's reply without its "ERR " code.
func (s *Scripting) LoadLibrary(code []byte, replace bool) error {
	_, err := s.loadLibrary(code, replace)
	if err != nil {
		return errors.New(strings.TrimPrefix(err.Error(), "ERR "))
	}
	return nil
}

// FlushLibraries removes every library.
func (s *Scripting) FlushLibraries() {
	s.libs = map[string]*library{}
	s.funcs = map[string]*function{}
}

type replyErr string

func (e replyErr) Error() string { return string(e) }

func validName(n string) bool {
	if n == "" {
		return false
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// parseLibMeta reads the "#!lua name=…" line of a library.
func parseLibMeta(code []byte) (name string, n int, err error) {
	if !bytes.HasPrefix(code, []byte("#!")) {
		return "", 0, replyErr("ERR Missing library metadata")
	}
	end := bytes.IndexByte(code, '\n')
	if end < 0 {
		return "", 0, replyErr("ERR Invalid library metadata")
	}
	parts := strings.Fields(string(code[:end]))
	if len(parts) == 0 || parts[0] != "#!lua" {
		eng := ""
		if len(parts) > 0 {
			eng = strings.TrimPrefix(parts[0], "#!")
		}
		return "", 0, replyErr("ERR Engine '" + eng + "' not found")
	}
	for _, p := range parts[1:] {
		if !strings.HasPrefix(p, "name=") {
			return "", 0, replyErr("ERR Invalid metadata value given: " + p)
		}
		name = p[len("name="):]
	}
	if name == "" {
		return "", 0, replyErr("ERR Library name was not given")
	}
	if !validName(name) {
		return "", 0, replyErr("ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long")
	}
	return name, end, nil
}

// loadLibrary is functionsCreateWithLibraryCtx. Lock held.
func (s *Scripting) loadLibrary(code []byte, replace bool) (string, error) {
	name, n, err := parseLibMeta(code)
	if err != nil {
		return "", err
	}
	old := s.libs[name]
	if old != nil && !replace {
		return "", replyErr("ERR Library '" + name + "' already exists")
	}
	env := s.fn
	L := env.L
	body := code[n:]
	fn, cerr := L.Load(bytes.NewReader(body), fnChunk)
	if cerr != nil {
		return "", replyErr("ERR Error compiling function: " + compileErrText(cerr.Error(), 1+bytes.Count(code, []byte("\n"))))
	}
	lib := &library{name: name, code: engine.CopyBytes(code), funcs: map[string]*function{}}
	fn.Env = env.loadEnv()
	env.lib = lib
	L.Push(fn)
	// A library's top level gets 500 ms (Redis's load timeout), then the VM stops it.
	ctx, cancel := context.WithTimeout(context.Background(), loadTimeout)
	L.SetContext(ctx)
	perr := L.PCall(0, 0, nil)
	timedOut := ctx.Err() != nil
	cancel()
	L.SetContext(s.ctx)
	env.lib = nil
	if perr != nil && timedOut {
		return "", replyErr("ERR Error registering functions: ERR FUNCTION LOAD timeout")
	}
	if perr != nil {
		msg := perr.Error()
		if ae, ok := perr.(*lua.ApiError); ok {
			if t, ok := ae.Object.(*lua.LTable); ok {
				if e, ok := t.RawGetString("err").(lua.LString); ok {
					msg = string(e)
				}
			} else {
				msg = lua.LVAsString(ae.Object)
			}
		}
		if !strings.HasPrefix(msg, "ERR ") {
			msg = "ERR " + msg
		}
		return "", replyErr("ERR Error registering functions: " + msg)
	}
	if len(lib.funcs) == 0 {
		return "", replyErr("ERR No functions registered")
	}
	for fname := range lib.funcs {
		if f := s.funcs[fname]; f != nil && f.lib != old {
			return "", replyErr("ERR Function " + fname + " already exists")
		}
	}
	if old != nil {
		for fname := range old.funcs {
			delete(s.funcs, fname)
		}
	}
	for fname, f := range lib.funcs {
		f.fn.Env = env.proxy
		s.funcs[fname] = f
	}
	s.libs[name] = lib
	return name, nil
}

// loadEnv is the environment a library's top level runs in: only redis.register_function,
// redis.log and the constants.
func (env *luaEnv) loadEnv() *lua.LTable {
	L := env.L
	strict := func(t *lua.LTable) *lua.LTable {
		mt := L.NewTable()
		mt.RawSetString("__index", L.NewFunction(func(L *lua.LState) int {
			L.RaiseError("Script attempted to access nonexistent global variable '%s'", lua.LVAsString(L.Get(2)))
			return 0
		}))
		L.SetMetatable(t, mt)
		return env.readonly(t)
	}
	r := L.NewTable()
	for _, k := range []string{"register_function", "log", "LOG_DEBUG", "LOG_VERBOSE", "LOG_NOTICE",
		"LOG_WARNING", "REDIS_VERSION", "REDIS_VERSION_NUM"} {
		r.RawSetString(k, env.redis.RawGetString(k))
	}
	g := L.NewTable()
	g.RawSetString("redis", strict(r))
	return strict(g)
}

// registerFunction is redis.register_function (only while a library loads).
func (env *luaEnv) registerFunction(L *lua.LState) int {
	lib := env.lib
	if lib == nil {
		raiseErr(L, "ERR redis.register_function can only be called on FUNCTION LOAD command")
		return 0
	}
	f := &function{lib: lib, desc: lua.LNil}
	switch L.GetTop() {
	case 1:
		t, ok := L.Get(1).(*lua.LTable)
		if !ok {
			raiseErr(L, "ERR calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).")
			return 0
		}
		var bad string
		t.ForEach(func(k, v lua.LValue) {
			if bad != "" {
				return
			}
			ks, ok := k.(lua.LString)
			if !ok {
				bad = "ERR named argument key given to redis.register_function is not a string"
				return
			}
			switch string(ks) {
			case "function_name":
				s, ok := v.(lua.LString)
				if !ok {
					bad = "ERR function_name argument given to redis.register_function must be a string"
					return
				}
				f.name = string(s)
			case "description":
				s, ok := v.(lua.LString)
				if !ok {
					bad = "ERR description argument given to redis.register_function must be a string"
					return
				}
				f.desc = s
			case "callback":
				fn, ok := v.(*lua.LFunction)
				if !ok {
					bad = "ERR callback argument given to redis.register_function must be a function"
					return
				}
				f.fn = fn
			case "flags":
				ft, ok := v.(*lua.LTable)
				if !ok {
					bad = "ERR flags argument to redis.register_function must be a table representing function flags"
					return
				}
				for j := 1; ; j++ {
					fv := ft.RawGetInt(j)
					if fv == lua.LNil {
						break
					}
					fs, ok := fv.(lua.LString)
					found := false
					if ok {
						for _, fd := range flagNames {
							if fd.name == string(fs) {
								f.flags |= fd.flag
								found = true
							}
						}
					}
					if !found {
						bad = "ERR unknown flag given"
						return
					}
				}
			default:
				bad = "ERR unknown argument given to redis.register_function"
			}
		})
		if bad != "" {
			raiseErr(L, bad)
			return 0
		}
		if f.name == "" {
			raiseErr(L, "ERR redis.register_function must get a function name argument")
			return 0
		}
		if f.fn == nil {
			raiseErr(L, "ERR redis.register_function must get a callback argument")
			return 0
		}
	case 2:
		name, ok := L.Get(1).(lua.LString)
		if !ok {
			raiseErr(L, "ERR first argument to redis.register_function must be a string")
			return 0
		}
		fn, ok := L.Get(2).(*lua.LFunction)
		if !ok {
			raiseErr(L, "ERR second argument to redis.register_function must be a function")
			return 0
		}
		f.name, f.fn = string(name), fn
	default:
		raiseErr(L, "ERR wrong number of arguments to redis.register_function")
		return 0
	}
	if !validName(f.name) {
		raiseErr(L, "ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long")
		return 0
	}
	if lib.funcs[f.name] != nil {
		raiseErr(L, "ERR Function already exists in the library")
		return 0
	}
	f.lib = lib
	lib.funcs[f.name] = f
	return 0
}

func cmdFcall(ro bool) engine.HandlerFunc {
	return func(x *engine.Ctx) {
		s := For(x.E)
		f := s.funcs[string(x.Args[1])]
		if f == nil {
			x.Error("ERR Function not found")
			return
		}
		numkeys, ok := parseNumKeys(x)
		if !ok {
			return
		}
		if ro && f.flags&flagNoWrites == 0 {
			x.Error("ERR Can not execute a script with write flag using *_ro command.")
			return
		}
		r := &s.runState
		*r = run{env: s.fn, caller: x.C, isEval: false, sha: f.name,
			readOnly: ro || f.flags&flagNoWrites != 0, allowOOM: f.flags&flagAllowOOM != 0, replMode: 3}
		s.runScript(x, r, f.fn, x.Args[3:3+numkeys], x.Args[3+numkeys:], fnChunk, f.name)
	}
}

func cmdFunction() map[string]engine.HandlerFunc {
	return map[string]engine.HandlerFunc{
		"load": func(x *engine.Ctx) {
			s := For(x.E)
			replace := false
			i := 2
			if len(x.Args) > 3 {
				if !engine.EqualFold(x.Args[2], "replace") {
					x.Error("ERR Unknown option given: " + string(x.Args[2]))
					return
				}
				replace = true
				i = 3
				if len(x.Args) > 4 {
					x.Error("ERR Unknown option given: " + string(x.Args[3]))
					return
				}
			}
			name, err := s.loadLibrary(x.Args[i], replace)
			if err != nil {
				x.Error(err.Error())
				return
			}
			x.Dirty(1)
			x.W.WriteBulkString(name)
		},
		"delete": func(x *engine.Ctx) {
			s := For(x.E)
			lib := s.libs[string(x.Args[2])]
			if lib == nil {
				x.Error("ERR Library not found")
				return
			}
			for fname := range lib.funcs {
				delete(s.funcs, fname)
			}
			delete(s.libs, lib.name)
			x.Dirty(1)
			x.OK()
		},
		"flush": func(x *engine.Ctx) {
			if len(x.Args) > 3 {
				subcommandSyntaxError(x, "FUNCTION")
				return
			}
			if len(x.Args) == 3 && !engine.EqualFold(x.Args[2], "sync") &&
				!engine.EqualFold(x.Args[2], "async") {
				x.Error("ERR FUNCTION FLUSH only supports SYNC|ASYNC option")
				return
			}
			For(x.E).FlushLibraries()
			x.Dirty(1)
			x.OK()
		},
		"list":    cmdFunctionList,
		"dump":    cmdFunctionDump,
		"restore": cmdFunctionRestore,
		"stats":   cmdFunctionStats,
		"kill": func(x *engine.Ctx) {
			if msg := For(x.E).Kill(false); msg != "" {
				x.Error(msg)
				return
			}
			x.OK()
		},
		"help": func(x *engine.Ctx) { writeHelp(x, "FUNCTION", functionHelp) },
	}
}

func cmdFunctionList(x *engine.Ctx) {
	s := For(x.E)
	withCode := false
	var pattern []byte
	hasPattern := false
	for i := 2; i < len(x.Args); i++ {
		a := x.Args[i]
		switch {
		case engine.EqualFold(a, "withcode"):
			if withCode {
				x.Error("ERR Unknown argument withcode")
				return
			}
			withCode = true
		case engine.EqualFold(a, "libraryname"):
			if hasPattern {
				x.Error("ERR library name argument was already given")
				return
			}
			if i+1 >= len(x.Args) {
				x.Error("ERR library name argument was not given")
				return
			}
			i++
			pattern = x.Args[i]
			hasPattern = true
		default:
			x.Error("ERR Unknown argument " + string(a))
			return
		}
	}
	var libs []*library
	for _, l := range s.libs {
		if hasPattern && !engine.Match(pattern, []byte(l.name), false) {
			continue
		}
		libs = append(libs, l)
	}
	sort.Slice(libs, func(i, j int) bool { return libs[i].name < libs[j].name })
	w := x.W
	w.WriteArrayLen(len(libs))
	for _, l := range libs {
		if withCode {
			w.WriteMapLen(4)
		} else {
			w.WriteMapLen(3)
		}
		w.WriteBulkString("library_name")
		w.WriteBulkString(l.name)
		w.WriteBulkString("engine")
		w.WriteBulkString("LUA")
		w.WriteBulkString("functions")
		names := make([]string, 0, len(l.funcs))
		for n := range l.funcs {
			names = append(names, n)
		}
		sort.Strings(names)
		w.WriteArrayLen(len(names))
		for _, n := range names {
			f := l.funcs[n]
			w.WriteMapLen(3)
			w.WriteBulkString("name")
			w.WriteBulkString(f.name)
			w.WriteBulkString("description")
			if d, ok := f.desc.(lua.LString); ok {
				w.WriteBulkString(string(d))
			} else {
				w.WriteNull()
			}
			w.WriteBulkString("flags")
			n := 0
			for _, fd := range flagNames {
				if f.flags&fd.flag != 0 {
					n++
				}
			}
			w.WriteSetLen(n)
			for _, fd := range flagNames {
				if f.flags&fd.flag != 0 {
					w.WriteSimpleString(fd.name)
				}
			}
		}
		if withCode {
			w.WriteBulkString("library_code")
			w.WriteBulk(l.code)
		}
	}
}

func cmdFunctionStats(x *engine.Ctx) {
	s := For(x.E)
	w := x.W
	w.WriteMapLen(2)
	w.WriteBulkString("running_script")
	w.WriteNull()
	w.WriteBulkString("engines")
	w.WriteMapLen(1)
	w.WriteBulkString("LUA")
	w.WriteMapLen(2)
	w.WriteBulkString("libraries_count")
	w.WriteInt(int64(len(s.libs)))
	w.WriteBulkString("functions_count")
	w.WriteInt(int64(len(s.funcs)))
}

// AppendFunctionStatsBusy writes FUNCTION STATS while a function runs (lock-free: only
// the running function is known; the engine counts come from the last snapshot).
func (s *Scripting) NumFunctions() (libs, funcs int) { return len(s.libs), len(s.funcs) }

var functionHelp = []string{
	"FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"LOAD [REPLACE] <FUNCTION CODE>",
	"    Create a new library with the given library name and code.",
	"DELETE <LIBRARY NAME>",
	"    Delete the given library.",
	"LIST [LIBRARYNAME PATTERN] [WITHCODE]",
	"    Return general information on all the libraries:",
	"    * Library name",
	"    * The engine used to run the Library",
	"    * Library description",
	"    * Functions list",
	"    * Library code (if WITHCODE is given)",
	"    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
	"STATS",
	"    Return information about the current function running:",
	"    * Function name",
	"    * Command used to run the function",
	"    * Duration in MS that the function is running",
	"    If no function is running, return nil",
	"    In addition, returns a list of available engines.",
	"KILL",
	"    Kill the current running function.",
	"FLUSH [ASYNC|SYNC]",
	"    Delete all the libraries.",
	"    When called without the optional mode argument, the behavior is determined by the",
	"    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
	"    * ASYNC: Asynchronously flush the libraries.",
	"    * SYNC: Synchronously flush the libraries.",
	"DUMP",
	"    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
	"RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
	"    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
	"    control how to handle existing libraries (default APPEND):",
	"    * FLUSH: delete all existing libraries.",
	"    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
	"    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
	"      libraries with the new libraries (notice that even on this option there is a chance of failure",
	"      in case of functions name collision with another library).",
	"HELP",
	"    Prints this help.",
}
