package engine

import "time"

// TryLock takes the engine lock if it is free. The server uses it while a script runs:
// a connection that finds the lock held by a long script answers BUSY (or SCRIPT KILL)
// without waiting for it (engine/tscript).
func (e *Engine) TryLock() bool { return e.mu.TryLock() }

// CallUnpropagated runs cmd as Call does but keeps what it would propagate out of the
// AOF and replicas (a script's redis.set_repl(redis.REPL_NONE)). Lock held.
func (e *Engine) CallUnpropagated(c *Client, cmd *Command, args [][]byte) {
	saved := e.prop
	e.prop = nil
	e.Call(c, cmd, args)
	e.prop = saved
}

// Propagating reports whether a propagator (AOF, replicas) is installed: without one,
// nothing a command propagates is kept, so a script need not copy its arguments.
func (e *Engine) Propagating() bool { return e.prop != nil }

// ErrorNoStats replies with an error and marks the command failed without counting the
// error in the error statistics: a script's reply that repeats the error of a command it
// called, which was counted when that command replied (Redis's
// ERR_REPLY_FLAG_NO_STATS_UPDATE).
func (x *Ctx) ErrorNoStats(msg string) {
	x.failed = true
	x.W.WriteError(msg)
}

// ErrorRaw replies "-" + msg as is, even when msg itself starts with '-' (a script's
// {err="-..."} reply), marks the command failed and counts the error when count is set.
func (x *Ctx) ErrorRaw(msg string, count bool) {
	x.failed = true
	if count {
		x.E.countError(msg)
	}
	x.W.WriteRaw([]byte("-" + msg + "\r\n"))
}

// SwapClock replaces the time source without refreshing the command time and returns the
// previous one. Scripts use it to freeze time while they run: every command a script
// calls sees the script's start time, so keys do not expire halfway (Redis 7.0's
// commandTimeSnapshot). Lock held.
func (e *Engine) SwapClock(fn func() time.Time) (old func() time.Time) {
	old = e.clockFn
	e.clockFn = fn
	return old
}

// CountRejected records a command refused outside the engine lock (BUSY during a script):
// the command's rejected_calls and the error statistics. Lock held.
func (e *Engine) CountRejected(cmd *Command, msg string) {
	if cmd != nil {
		cmd.RejectedCalls++
	}
	e.countError(msg)
}
