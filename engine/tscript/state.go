package tscript

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/resp"
	lua "github.com/yuin/gopher-lua"
)

// Scripting is one engine's scripting state: the EVAL Lua state and script cache, the
// functions Lua state and libraries, the fake client scripts call commands through, and
// the running-script state the server reads without the engine lock.
type Scripting struct {
	e *engine.Engine

	eval    *luaEnv
	scripts map[string]*evalScript // by lower-case SHA1 hex
	// lastScript is the script EVALSHA found last (scriptBySHA), nil after a flush.
	lastScript *evalScript
	// scriptsBody is the memory the cached bodies take (used_memory_scripts_eval).
	scriptsBody int64

	fn    *luaEnv
	libs  map[string]*library
	funcs map[string]*function

	client *engine.Client
	sink   sink
	w      resp.Writer
	args   [][]byte // reused argument vector of redis.call
	// cmdCache: the commands redis.call resolved lately (lookupCommand).
	cmdCache      [8]cmdCacheEntry
	cmdCacheNext  int
	cmdCacheTable *engine.Table
	argBuf        []byte

	cur      *run // the running script, nil between scripts
	runState run  // the storage of cur (scripts do not nest)

	// Threshold returns busy-reply-threshold; the server installs its configuration's.
	Threshold func() time.Duration

	// Log receives redis.log lines (level is Redis's LL_* 0..3); nil drops them.
	Log func(level int, msg string)

	// Lock-free state for the server (BUSY replies, SCRIPT KILL).
	state   atomic.Int32 // stateIdle, stateRunning, stateWrote
	isEval  atomic.Bool
	killed  atomic.Bool
	ctxMu   sync.Mutex
	cancel  context.CancelFunc
	ctx     context.Context
	started atomic.Int64 // unix ns of the running script's start
	runInfo atomic.Pointer[runInfo]

	rand lrand48

	// frozenAt is the time every command of the running script sees; frozen returns it.
	frozenAt time.Time
	frozen   func() time.Time
}

type runInfo struct {
	name    string
	command [][]byte
}

const (
	stateIdle int32 = iota
	stateRunning
	stateWrote // running, and it has called a write command (SCRIPT KILL refuses)
)

// sink is the script client's output: each flush hands over the reply bytes.
type sink struct{ buf []byte }

func (s *sink) Write(p []byte) (int, error) {
	// The writer's own buffer, valid until its next write: the reply is parsed before.
	s.buf = p
	return len(p), nil
}

var installMu sync.Mutex

// Install creates the scripting state of e (once) and installs it as e.Functions.
func Install(e *engine.Engine) *Scripting {
	installMu.Lock()
	defer installMu.Unlock()
	if s, ok := e.Functions.(*Scripting); ok {
		return s
	}
	s := &Scripting{e: e, scripts: map[string]*evalScript{}, libs: map[string]*library{},
		funcs: map[string]*function{}}
	s.rand.seed(0)
	s.rand.x = [3]uint16{0x330E, 0xABCD, 0x1234}
	s.w.Reset(&s.sink)
	s.client = &engine.Client{Flags: engine.ClientScript, W: &s.w, Authenticated: true, User: "default"}
	s.client.Select(e.DB(0))
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.frozen = func() time.Time { return s.frozenAt }
	s.eval = newLuaEnv(s, false)
	s.fn = newLuaEnv(s, true)
	e.Functions = s
	e.SetCommandFlagsFunc(s.commandFlags)
	return s
}

// For returns e's scripting state, installing it if needed.
func For(e *engine.Engine) *Scripting {
	if s, ok := e.Functions.(*Scripting); ok {
		return s
	}
	return Install(e)
}

func (s *Scripting) threshold() time.Duration {
	if s.Threshold != nil {
		return s.Threshold()
	}
	return 5 * time.Second
}

// BusyEval and BusyFunction are what Busy reports while a script runs past the threshold.
const (
	NotBusy = iota
	BusyEval
	BusyFunction
)

// Busy reports, without the engine lock, whether a script has been running longer than
// busy-reply-threshold (other clients get BUSY), and which kind.
func (s *Scripting) Busy() int {
	if s.state.Load() == stateIdle {
		return NotBusy
	}
	if time.Duration(time.Now().UnixNano()-s.started.Load()) < s.threshold() {
		return NotBusy
	}
	if s.isEval.Load() {
		return BusyEval
	}
	return BusyFunction
}

// Running reports, without the lock, whether any script is executing right now.
func (s *Scripting) Running() bool { return s.state.Load() != stateIdle }

// Busy error replies (shared.slowevalerr, shared.slowscripterr).
const (
	ErrBusyEval     = "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."
	ErrBusyFunction = "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE."
	errNotBusy      = "NOTBUSY No scripts in execution right now."
	errUnkillable   = "UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command."
)

// Kill is SCRIPT KILL (eval true) or FUNCTION KILL, lock-free: it returns "" for +OK or the
// error reply.
func (s *Scripting) Kill(eval bool) string {
	st := s.state.Load()
	if st == stateIdle {
		return errNotBusy
	}
	if st == stateWrote {
		return errUnkillable
	}
	if s.isEval.Load() != eval {
		return errNotBusy
	}
	s.killed.Store(true)
	s.ctxMu.Lock()
	s.cancel()
	s.ctxMu.Unlock()
	return ""
}

// Abort stops the running script even if it wrote (SHUTDOWN NOSAVE during a busy
// script), lock-free.
func (s *Scripting) Abort() {
	if s.state.Load() == stateIdle {
		return
	}
	s.killed.Store(true)
	s.ctxMu.Lock()
	s.cancel()
	s.ctxMu.Unlock()
}

// RunningFor is, lock-free, how long the running script has run (0 when none runs).
func (s *Scripting) RunningFor() time.Duration {
	if s.state.Load() == stateIdle {
		return 0
	}
	return time.Duration(time.Now().UnixNano() - s.started.Load())
}

// RunningScript describes the running function for FUNCTION STATS (lock-free): its name,
// the command and how long it has run. ok is false when nothing runs.
func (s *Scripting) RunningScript() (name string, command [][]byte, dur time.Duration, ok bool) {
	if s.state.Load() == stateIdle {
		return "", nil, 0, false
	}
	ri := s.runInfo.Load()
	if ri == nil {
		return "", nil, 0, false
	}
	return ri.name, ri.command, time.Duration(time.Now().UnixNano() - s.started.Load()), true
}

// beginRun marks a script as running (Busy compares its start with the threshold). Lock held.
func (s *Scripting) beginRun(r *run, name string, args [][]byte) {
	s.cur = r
	// Atomic stores are full barriers on amd64: only what changes is stored (the server
	// reads these lock-free; state, stored last, publishes the rest).
	if s.isEval.Load() != r.isEval {
		s.isEval.Store(r.isEval)
	}
	if s.killed.Load() {
		s.killed.Store(false)
	}
	if started := s.e.NowMs() * int64(time.Millisecond); s.started.Load() != started {
		s.started.Store(started)
	}
	if !r.isEval {
		cp := make([][]byte, len(args))
		for i, a := range args {
			cp[i] = engine.CopyBytes(a)
		}
		s.runInfo.Store(&runInfo{name: name, command: cp})
	} else if s.runInfo.Load() != nil {
		s.runInfo.Store(nil)
	}
	s.state.Store(stateRunning)
}

// endRun clears the running state. Lock held.
func (s *Scripting) endRun() {
	s.state.Store(stateIdle)
	if s.runInfo.Load() != nil {
		s.runInfo.Store(nil)
	}
	s.cur = nil
	if s.killed.Load() {
		s.killed.Store(false)
		s.ctxMu.Lock()
		s.ctx, s.cancel = context.WithCancel(context.Background())
		s.ctxMu.Unlock()
		s.eval.L.SetContext(s.ctx)
		s.fn.L.SetContext(s.ctx)
	}
}

// run is one script execution.
type run struct {
	env       *luaEnv
	caller    *engine.Client
	isEval    bool
	sha       string // eval: the script's SHA1; function: its name
	readOnly  bool   // EVAL_RO / FCALL_RO / no-writes
	noShebang bool   // an EVAL script without a shebang (compatibility mode)
	allowOOM  bool
	replMode  int
	reuseArgs bool // EVAL of a script whose KEYS and ARGV tables may be reused

	// the last error raised by redis.call, to report it as Redis does at top level
	nestedErr   string // the last error a called command replied (already counted)
	callErr     lua.LValue
	callErrLine int
	errLine     int
}

// commandFlags is getCommandFlags for the OOM check: EVAL*/FCALL* of a script that
// declares flags take deny-oom and write from them (evalGetCommandFlags,
// fcallGetCommandFlags, scriptFlagsToCmdFlags). Lock held.
func (s *Scripting) commandFlags(c *engine.Client, cmd *engine.Command, args [][]byte) engine.Flags {
	flags := cmd.Flags
	var sflags int
	switch cmd.Name {
	case "eval", "eval_ro", "evalsha", "evalsha_ro":
		if len(args) < 2 {
			return flags
		}
		isSha := cmd.Name == "evalsha" || cmd.Name == "evalsha_ro"
		var sc *evalScript
		if isSha {
			if sc = s.scriptBySHA(args[1]); sc == nil {
				return flags
			}
			sflags = sc.flags
		} else if sc = s.scripts[sha1Hex(args[1])]; sc != nil {
			sflags = sc.flags
		} else {
			f, _, errS := shebangFlags(args[1])
			if errS != "" {
				return flags
			}
			sflags = f
		}
	case "fcall", "fcall_ro":
		if len(args) < 2 {
			return flags
		}
		f := s.funcs[string(args[1])]
		if f == nil {
			return flags
		}
		sflags = f.flags
	default:
		return flags
	}
	if sflags&flagCompat != 0 {
		return flags
	}
	flags &^= engine.FlagStale | engine.FlagDenyOOM | engine.FlagWrite
	if sflags&(flagAllowOOM|flagNoWrites) == 0 {
		flags |= engine.FlagDenyOOM
	}
	if sflags&flagNoWrites == 0 {
		flags |= engine.FlagWrite
	}
	if sflags&flagAllowStale != 0 {
		flags |= engine.FlagStale
	}
	return flags
}
