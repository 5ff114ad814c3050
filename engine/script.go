package engine

// TryLock takes the engine lock if it is free. The server uses it while a script runs:
// a connection that finds the lock held by a long script answers BUSY (or SCRIPT KILL)
// without waiting for it (engine/tscript).
func (e *Engine) TryLock() bool { return e.mu.TryLock() }
