// Package procs keeps GOMAXPROCS for `redisctl serve`: the base the server runs with
// (io-threads, default 1, like Redis's one thread), raised while background work that
// makes long system calls runs beside the connections.
//
// Why: with one P, a goroutine inside a system call that takes long (an fsync, a write
// that waits for the disk) keeps that P until the runtime's monitor takes it back, and on
// a busy process the monitor looks only every 10 ms or so; every connection waits
// meanwhile. A second P lets the connections go on. A background snapshot holds one
// until its writer's final fsync is done, and the AOF holds one while it is on (its
// writes and fsyncs).
// WatchGC holds one around the GC cycles of a big heap, whose fractional mark worker
// would otherwise take the only P in bursts. It also paces the collector of such a heap
// itself, without the runtime's cycle every two minutes: a server that overwrites
// values in place makes no garbage, and that cycle's mark was then its only stall.
//
// What it must never do: lower GOMAXPROCS below what somebody else set. A value changed
// from outside (the GOMAXPROCS environment, a test, runtime.GOMAXPROCS) while a hold is
// in force is left alone when the last hold ends. Nor override GOGC or GOMEMLIMIT set in
// the environment: then the runtime paces alone.
package procs
