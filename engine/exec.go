package engine

import (
	"strings"
	"time"
)

// CallHook is told about every executed command (after it ran), for MONITOR, the slowlog
// and latency tracking. It runs under the engine lock.
type CallHook func(c *Client, cmd *Command, args [][]byte, dbID int, dur time.Duration)

// SetCallHook installs the server's per-call hook.
func (e *Engine) SetCallHook(h CallHook) { e.callHook = h }

// Exec runs one command for c, as Redis's processCommand: lookup, arity, authentication,
// context checks, MULTI queuing, then the call. The reply goes to c.W. Lock held.
func (e *Engine) Exec(c *Client, args [][]byte) {
	if len(args) == 0 {
		return
	}
	cmd := e.lastCmd
	if cmd == nil || !equalFold(args[0], cmd.Name) {
		// Pipelines usually repeat one command: the last one found is checked first.
		cmd = e.table.Lookup(args[0])
		if cmd == nil {
			e.reject(c, nil, unknownCommandError(args))
			return
		}
		e.lastCmd = cmd
	}
	if cmd.Subcommands != nil && len(args) >= 2 {
		sub := cmd.LookupSub(args[1])
		if sub == nil {
			e.reject(c, nil, "ERR unknown subcommand '"+truncArg(args[1])+"'. Try "+
				strings.ToUpper(cmd.Name)+" HELP.")
			return
		}
		cmd = sub
	}
	if !arityOK(cmd.Arity, len(args)) {
		e.reject(c, cmd, "ERR wrong number of arguments for '"+cmd.Name+"' command")
		return
	}
	if !c.Authenticated && cmd.Flags&FlagNoAuth == 0 {
		e.reject(c, cmd, ErrNoAuth)
		return
	}
	if e.Set.Maxmemory > 0 && e.checkOOM(c, cmd, args) {
		e.reject(c, cmd, ErrOOM)
		return
	}
	if e.CheckHook != nil {
		if msg := e.CheckHook(c, cmd, args); msg != "" {
			e.reject(c, cmd, msg)
			return
		}
	}
	if c.Flags&ClientPubSub != 0 && c.Proto() == 2 && !allowedInPubSub(cmd) {
		e.reject(c, cmd, "ERR Can't execute '"+cmd.Name+"': only (P|S)SUBSCRIBE / "+
			"(P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context")
		return
	}
	if c.Flags&ClientMulti != 0 {
		if cmd.Flags&FlagNoMulti != 0 {
			e.reject(c, cmd, "ERR Command not allowed inside a transaction")
			return
		}
		if cmd.Flags&FlagMultiControl == 0 {
			c.queue(args)
			c.W.WriteSimpleString("QUEUED")
			return
		}
	}
	e.Call(c, cmd, args)
}

// CheckHook lets the server refuse a command before it runs (OOM, MISCONF, loading, busy
// script): it returns the error message, or "" to go on.
type CheckHook func(c *Client, cmd *Command, args [][]byte) string

func allowedInPubSub(cmd *Command) bool {
	switch cmd.Name {
	case "subscribe", "ssubscribe", "unsubscribe", "sunsubscribe", "psubscribe",
		"punsubscribe", "ping", "quit", "reset":
		return true
	}
	return false
}

// reject replies with an error for a command that was refused before running
// (rejectCommand): a transaction in progress is flagged to abort.
func (e *Engine) reject(c *Client, cmd *Command, msg string) {
	if c.Flags&ClientMulti != 0 {
		c.Flags |= ClientDirtyExec
	}
	if cmd != nil {
		cmd.RejectedCalls++
		if cmd.Fn != nil && cmd.Name == "exec" {
			// execCommandAbort: a refused EXEC discards the transaction (and unwatches)
			// even outside MULTI, and says why.
			c.discardTransaction(e)
			msg = "EXECABORT Transaction discarded because of: " + strings.TrimPrefix(msg, "ERR ")
		}
	}
	e.countError(msg)
	c.W.WriteError(msg)
}

func truncArg(b []byte) string {
	if len(b) > 128 {
		b = b[:128]
	}
	return string(b)
}

// unknownCommandError builds Redis 7.0's text: the command name and up to the first
// arguments, each cut at 128 bytes, with a trailing space after each argument.
func unknownCommandError(args [][]byte) string {
	var sb strings.Builder
	sb.WriteString("ERR unknown command '")
	sb.WriteString(truncArg(args[0]))
	sb.WriteString("', with args beginning with: ")
	for _, a := range args[1:] {
		if sb.Len() >= 128 {
			break
		}
		sb.WriteByte('\'')
		sb.WriteString(truncArg(a))
		sb.WriteString("' ")
	}
	return sb.String()
}

// Call executes cmd for c now (Redis's call()): it is also how EXEC and scripts run
// commands. Lock held.
func (e *Engine) Call(c *Client, cmd *Command, args [][]byte) {
	e.UpdateClock()
	x := e.pushCtx()
	x.E, x.C, x.DB, x.Cmd, x.Args, x.W = e, c, c.db, cmd, args, c.W
	top := e.unitDepth == 0
	e.unitDepth++
	var start time.Duration
	if top && e.clockChain {
		start = e.clockMark
	} else {
		start = time.Since(monoBase)
	}
	cmd.Fn(x)
	end := time.Since(monoBase)
	dur := end - start
	if top && e.clockChain {
		e.clockMark = end
	}
	e.unitDepth--
	e.memSettle()

	// A command that blocked counts here too, as in Redis 7.0.15 (its failure, if any,
	// is counted when it is unblocked).
	cmd.Calls++
	cmd.Usec += dur.Microseconds()
	if x.failed {
		cmd.FailedCalls++
	}
	e.Stats.NumCommands++
	c.LastCmd = cmd.Name
	if x.dirty > 0 || x.force {
		e.Dirty += x.dirty
		if !x.noProp && cmd.Flags&FlagNoPropagate == 0 {
			pa := args
			if x.rewrite != nil {
				pa = x.rewrite
			}
			e.addToUnit(x.DB.ID, pa)
		}
	}
	dbID := c.db.ID
	e.popCtx()
	if e.callHook != nil && c.Flags&(ClientAOF) == 0 {
		e.callHook(c, cmd, args, dbID, dur)
	}
	if top {
		e.flushUnit()
		if len(e.blk.readyKeys) > 0 {
			e.HandleBlockedClients()
		}
	}
}

// StartClockChain starts chaining command timings (see Engine.clockChain) from t, a
// time.Now reading taken just before the first command. Lock held.
func (e *Engine) StartClockChain(t time.Time) {
	e.clockMark, e.clockChain = t.Sub(monoBase), true
}

// StopClockChain ends the chain: the next Call reads the clock for its start. Lock held.
func (e *Engine) StopClockChain() { e.clockChain = false }

// monoBase is the origin of the monotonic clock Call times commands with: time.Since of it
// reads only the monotonic clock (time.Now reads the wall clock too).
var monoBase = time.Now()

func (e *Engine) pushCtx() *Ctx {
	if e.ctxDepth == len(e.ctxStack) {
		e.ctxStack = append(e.ctxStack, &Ctx{})
	}
	x := e.ctxStack[e.ctxDepth]
	e.ctxDepth++
	*x = Ctx{}
	return x
}

func (e *Engine) popCtx() { e.ctxDepth-- }

// Propagation units: everything one top-level command (or EXEC, or script) propagates is
// collected and handed over at the end, wrapped in MULTI/EXEC when there is more than one
// command, as Redis 7.0's propagatePendingCommands.
type propOp struct {
	db   int
	args [][]byte
}

func (e *Engine) addToUnit(db int, args [][]byte) {
	if e.prop == nil {
		return
	}
	e.unit = append(e.unit, propOp{db, args})
}

// propagateNow propagates outside of a command (active expiry, eviction) or adds to the
// unit of the running command.
func (e *Engine) propagateNow(db int, args [][]byte) {
	if e.prop == nil {
		return
	}
	if e.unitDepth > 0 {
		e.unit = append(e.unit, propOp{db, args})
		return
	}
	e.prop.Propagate(db, args)
}

var (
	multiArgs = [][]byte{[]byte("MULTI")}
	execArgs  = [][]byte{[]byte("EXEC")}
)

func (e *Engine) flushUnit() {
	if len(e.unit) == 0 {
		return
	}
	if len(e.unit) == 1 {
		e.prop.Propagate(e.unit[0].db, e.unit[0].args)
	} else {
		e.prop.Propagate(e.unit[0].db, multiArgs)
		for _, op := range e.unit {
			e.prop.Propagate(op.db, op.args)
		}
		e.prop.Propagate(e.unit[len(e.unit)-1].db, execArgs)
	}
	for i := range e.unit {
		e.unit[i] = propOp{}
	}
	e.unit = e.unit[:0]
}

// countError updates the error statistics (INFO errorstats) with the error's code, the
// first word of its message.
func (e *Engine) countError(msg string) {
	code := msg
	if i := strings.IndexByte(msg, ' '); i >= 0 {
		code = msg[:i]
	}
	e.TotalErrorReplies++
	if e.errorStats == nil {
		e.errorStats = map[string]int64{}
	}
	if _, ok := e.errorStats[code]; !ok && len(e.errorStats) >= 128 {
		return // Redis stops tracking new error codes past 128
	}
	e.errorStats[code]++
}

// ErrorStats calls fn for every error code counted so far.
func (e *Engine) ErrorStats(fn func(code string, count int64)) {
	for k, v := range e.errorStats {
		fn(k, v)
	}
}

// ResetErrorStats clears the error statistics (CONFIG RESETSTAT).
func (e *Engine) ResetErrorStats() {
	e.errorStats = nil
	e.TotalErrorReplies = 0
}
