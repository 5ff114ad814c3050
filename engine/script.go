package engine

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
