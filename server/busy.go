package server

import (
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/tscript"
	"github.com/redisctl/redisctl/resp"
)

// A script runs inside its command, holding the engine lock. Other connections must still
// be answered BUSY once it runs past busy-reply-threshold, and SCRIPT KILL / FUNCTION KILL
// must reach it: so before taking the lock a connection looks at the scripting state
// (lock-free atomics) and, while a script runs, waits for the lock with TryLock and answers
// the commands Redis answers during a busy script itself.

var scriptings sync.Map // *Server → *tscript.Scripting

// lastScripting caches the last lookup (one server per process, usually): every command
// passes here before taking the lock.
var lastScripting atomic.Pointer[serverScripting]

type serverScripting struct {
	s  *Server
	sc *tscript.Scripting
}

// scripting returns the server's scripting state, installing it on first use.
func (s *Server) scripting() *tscript.Scripting {
	if p := lastScripting.Load(); p != nil && p.s == s {
		return p.sc
	}
	if v, ok := scriptings.Load(s); ok {
		sc := v.(*tscript.Scripting)
		lastScripting.Store(&serverScripting{s, sc})
		return sc
	}
	s.eng.Lock()
	sc := s.installScriptingLocked()
	s.eng.Unlock()
	return sc
}

// installScriptingLocked creates the scripting state with the server's configuration and
// log. Lock held.
func (s *Server) installScriptingLocked() *tscript.Scripting {
	if v, ok := scriptings.Load(s); ok {
		return v.(*tscript.Scripting)
	}
	sc := tscript.Install(s.eng)
	cfg := s.cfg
	sc.Threshold = func() time.Duration { return time.Duration(cfg.BusyReplyThreshold()) * time.Millisecond }
	sc.Log = func(level int, msg string) {
		lv := []int{LevelDebug, LevelVerbose, LevelNotice, LevelWarning}[level]
		if s.log != nil && s.log.Enabled(lv) {
			s.log.Logf(lv, "%s", msg)
		}
	}
	scriptings.Store(s, sc)
	return sc
}

// lockEngine takes the engine lock for running args, or, while a script is busy, answers
// the command without it and returns false. wmu held.
func (cn *conn) lockEngine(args [][]byte) bool {
	e := cn.srv.eng
	sc := cn.srv.scripting()
	if !sc.Running() || sc.RunningFor() < youngScript && !cn.looped {
		// Most scripts end within microseconds: wait on the lock like any command. (A
		// script that turns out long keeps this connection waiting until it ends.) The
		// event loop never waits that way: it must be free to answer BUSY to others.
		e.LockForClient()
		if busyPending.Load() > 0 {
			cn.srv.foldBusyRejected()
		}
		return true
	}
	for spin := 0; ; spin++ {
		if e.TryLock() {
			cn.srv.foldBusyRejected()
			return true
		}
		if kind := sc.Busy(); kind != tscript.NotBusy && !shutdownNoSave(sc, args) {
			cn.answerBusy(sc, kind, args)
			return false
		}
		if !sc.Running() {
			e.Lock()
			return true
		}
		if spin < 64 {
			runtime.Gosched()
		} else {
			time.Sleep(100 * time.Microsecond)
		}
	}
}

// answerBusy replies to a command sent while a script is busy (processCommand's
// isInsideYieldingLongCommand branch): SCRIPT KILL / FUNCTION KILL / FUNCTION STATS of the
// running kind are served, everything else gets BUSY. Written straight to the socket.
func (cn *conn) answerBusy(sc *tscript.Scripting, kind int, args [][]byte) {
	var w resp.Writer
	var out bufWriter
	w.Reset(&out)
	if cn.cl != nil {
		w.SetProtocol(cn.cl.W.Protocol())
	}
	busy := tscript.ErrBusyEval
	if kind == tscript.BusyFunction {
		busy = tscript.ErrBusyFunction
	}
	sub := func(name, subname string) bool {
		return len(args) == 2 && engine.EqualFold(args[0], name) && engine.EqualFold(args[1], subname)
	}
	switch {
	case kind == tscript.BusyEval && sub("script", "kill"), kind == tscript.BusyFunction && sub("function", "kill"):
		msg := sc.Kill(kind == tscript.BusyEval)
		if msg != "" {
			w.WriteError(msg)
		} else {
			w.WriteOK()
		}
		cn.srv.noteBusyServed(args, msg)
	case kind == tscript.BusyFunction && sub("function", "stats"):
		cn.srv.noteBusyServed(args, "")
		name, command, dur, ok := sc.RunningScript()
		libs, funcs := sc.NumFunctions()
		w.WriteMapLen(2)
		w.WriteBulkString("running_script")
		if ok {
			w.WriteMapLen(3)
			w.WriteBulkString("name")
			w.WriteBulkString(name)
			w.WriteBulkString("command")
			w.WriteArrayLen(len(command))
			for _, a := range command {
				w.WriteBulk(a)
			}
			w.WriteBulkString("duration_ms")
			w.WriteInt(dur.Milliseconds())
		} else {
			w.WriteNull()
		}
		w.WriteBulkString("engines")
		w.WriteMapLen(1)
		w.WriteBulkString("LUA")
		w.WriteMapLen(2)
		w.WriteBulkString("libraries_count")
		w.WriteInt(int64(libs))
		w.WriteBulkString("functions_count")
		w.WriteInt(int64(funcs))
	default:
		w.WriteError(busy)
		cn.srv.noteBusyRejected(args, busy)
	}
	_ = w.Flush()
	if _, err := (connWriter{cn}).Write(out.b); err != nil {
		cn.sock.Shutdown()
	}
}

// youngScript: a script running for less than this is waited for on the lock; past it,
// waiters poll so that they can answer BUSY once the threshold is crossed.
const youngScript = time.Millisecond

// busyRejected are commands answered BUSY without the lock, for the statistics: folded in
// (rejected_calls, errorstat_BUSY) by the next connection that takes the lock.
type busyRejected struct {
	mu     sync.Mutex
	cmds   []*engine.Command
	msgs   []string
	served []bool // the command ran (SCRIPT KILL…) rather than being refused
}

var busyRej sync.Map // *Server → *busyRejected

// busyPending counts rejections not folded yet (any server): the fast path checks it.
var busyPending atomic.Int64

func (s *Server) noteBusyRejected(args [][]byte, msg string) { s.noteBusy(args, msg, false) }

// noteBusyServed records a command run without the lock (msg: its error reply, or "").
func (s *Server) noteBusyServed(args [][]byte, msg string) { s.noteBusy(args, msg, true) }

func (s *Server) noteBusy(args [][]byte, msg string, served bool) {
	v, _ := busyRej.LoadOrStore(s, &busyRejected{})
	b := v.(*busyRejected)
	cmd := s.eng.Table().Lookup(args[0])
	if cmd != nil && cmd.Subcommands != nil && len(args) >= 2 {
		cmd = cmd.LookupSub(args[1])
	}
	b.mu.Lock()
	b.cmds = append(b.cmds, cmd)
	b.msgs = append(b.msgs, msg)
	b.served = append(b.served, served)
	b.mu.Unlock()
	busyPending.Add(1)
}

// foldBusyRejected adds the commands answered BUSY to the statistics. Lock held.
func (s *Server) foldBusyRejected() {
	v, ok := busyRej.Load(s)
	if !ok {
		return
	}
	b := v.(*busyRejected)
	b.mu.Lock()
	cmds, msgs, served := b.cmds, b.msgs, b.served
	b.cmds, b.msgs, b.served = nil, nil, nil
	b.mu.Unlock()
	busyPending.Add(-int64(len(cmds)))
	for i, cmd := range cmds {
		switch {
		case !served[i]:
			s.eng.CountRejected(cmd, msgs[i])
		case cmd != nil:
			cmd.Calls++
			if msgs[i] != "" {
				cmd.FailedCalls++
				s.eng.CountRejected(nil, msgs[i])
			}
		}
	}
}

type bufWriter struct{ b []byte }

func (b *bufWriter) Write(p []byte) (int, error) { b.b = append(b.b, p...); return len(p), nil }

// appendScriptingInfo writes INFO memory's scripting fields.
func (s *Server) appendScriptingInfo(b []byte) []byte {
	sc := tscript.For(s.eng)
	scripts, body := sc.ScriptStats()
	libs, funcs := sc.NumFunctions()
	const vm = 32768
	b = append(b, "used_memory_lua:"...)
	b = strconv.AppendInt(b, vm, 10)
	b = append(b, "\r\nused_memory_vm_eval:"...)
	b = strconv.AppendInt(b, vm, 10)
	b = append(b, "\r\nused_memory_lua_human:32.00K\r\nused_memory_scripts_eval:"...)
	b = strconv.AppendInt(b, body, 10)
	b = append(b, "\r\nnumber_of_cached_scripts:"...)
	b = strconv.AppendInt(b, int64(scripts), 10)
	b = append(b, "\r\nnumber_of_functions:"...)
	b = strconv.AppendInt(b, int64(funcs), 10)
	b = append(b, "\r\nnumber_of_libraries:"...)
	b = strconv.AppendInt(b, int64(libs), 10)
	b = append(b, "\r\nused_memory_vm_functions:32768\r\nused_memory_vm_total:65536\r\n"+
		"used_memory_vm_total_human:64.00K\r\nused_memory_functions:184\r\nused_memory_scripts:"...)
	b = strconv.AppendInt(b, 184+body, 10)
	b = append(b, "\r\nused_memory_scripts_human:"...)
	b = append(b, bytesToHuman(uint64(184+body))...)
	b = append(b, "\r\n"...)
	return b
}

// lockForRegister takes the engine lock for registering a new connection. While a script
// is busy the connection is served before it is registered: its commands get BUSY (or
// SCRIPT KILL runs); a command read when the script has just ended is returned, to run
// first. Called without the lock; returns with it held, or, with loop (the event loop
// registers the connection: it must not wait on a script), false without it while a
// script runs.
func (cn *conn) lockForRegister(loop bool) (pending [][]byte, ok bool) {
	e := cn.srv.eng
	sc := cn.srv.scripting()
	for spin := 0; ; spin++ {
		if !sc.Running() {
			e.LockForClient()
			return nil, true
		}
		if e.TryLock() {
			return nil, true
		}
		if loop {
			return nil, false
		}
		kind := sc.Busy()
		if kind == tscript.NotBusy {
			if spin < 64 {
				runtime.Gosched()
			} else {
				time.Sleep(100 * time.Microsecond)
			}
			continue
		}
		args, err := cn.rd.ReadCommand(nil)
		if err != nil {
			e.Lock()
			return nil, true
		}
		cn.wmu.Lock()
		if e.TryLock() {
			cn.wmu.Unlock()
			return args, true
		}
		if kind = sc.Busy(); kind == tscript.NotBusy {
			e.Lock()
			cn.wmu.Unlock()
			return args, true
		}
		if shutdownNoSave(sc, args) {
			e.Lock()
			cn.wmu.Unlock()
			return args, true
		}
		cn.answerBusy(sc, kind, args)
		cn.wmu.Unlock()
	}
}

// shutdownNoSave reports whether args is SHUTDOWN NOSAVE, which Redis accepts during a busy
// script: the script is stopped, and the command then runs as usual once it has ended.
func shutdownNoSave(sc *tscript.Scripting, args [][]byte) bool {
	if len(args) < 2 || !engine.EqualFold(args[0], "shutdown") {
		return false
	}
	for _, a := range args[1:] {
		if engine.EqualFold(a, "nosave") {
			sc.Abort()
			return true
		}
	}
	return false
}
