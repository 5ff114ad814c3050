// Package server is the redisctl daemon (`redisctl serve`): a Redis 7.0 server around the
// engine. It owns the sockets, the clients, the configuration (redis.conf, --flags, CONFIG),
// the cron, logging in Redis's log format, the server commands (PING, HELLO, AUTH, INFO,
// CLIENT, CONFIG, COMMAND, SLOWLOG, LATENCY, MONITOR, DEBUG, SHUTDOWN, pub/sub, ...), the
// assembly of the full command table (NewTable) and the Prometheus endpoint.
//
// # Layers (STYLE.md practice 14)
//
//	accept loop (one goroutine per listener: TCP, unix socket)
//	  → event loop (one goroutine for the plain request/reply clients, evloop.go)
//	    or connection loop (one goroutine per client that left it, conn.serve)
//	      → engine.Exec (command table, under the engine lock)
//
// A turn of a client (conn.runTurn) reads the first command, takes the engine lock once,
// runs that command and every further command already buffered (TryCommand), releases the
// lock and writes all the replies with one write. The event loop runs the turns of every
// client with data, waits once for the AOF to hold the round's writes (written, or
// fsynced under appendfsync always), then writes their replies in one pass; a client
// whose next step would make it wait alone (a blocking command, a full socket, a
// script, MULTI) leaves it for a goroutine of its own running the same turns in a loop.
// Arguments are sub-slices of the reader's buffer: they are valid until the next
// ReadCommand, so the engine copies whatever it keeps and the hooks here (MONITOR,
// SLOWLOG) copy too.
//
// # Replies produced by others
//
// Each client has two reply writers. The engine appends to the current one (Client.W)
// under the engine lock, from the client's own commands and from others (PUBLISH, MONITOR
// feeds, a killed client's final error). To write to the socket without holding the engine
// lock, the writer is swapped for the idle one under the lock, and the full one is flushed
// after the lock is released. A per-client write mutex (wmu), always taken before the engine
// lock, keeps flushes in order. Output added by others calls Client.Wake (under the lock),
// which kicks a small flusher goroutine, started on first use, that does the same swap and
// flush. Lock order: conn.wmu → engine lock; nothing takes wmu while holding the engine
// lock.
//
// # Costs per request
//
// What a request costs beyond the command itself, and the choices made (measured with
// server/bench, which runs redis-benchmark against redis-server and `redisctl serve`
// side by side and reads each server's CPU time from /proc/<pid>/stat):
//
//   - one read and one write system call per pipeline, as Redis, and no goroutine switch
//     per request: the event loop polls its own epoll instance (off Go's netpoller) and
//     blocks in epoll_pwait (with one P: parks on the netpoller) only when no client has
//     data (evloop.go). A connection that has its own goroutine runs inside one
//     RawConn.Read, so after a read that drained the socket it waits on the runtime's
//     poll descriptor instead of trying a read that finds nothing (newClientSock in
//     sock.go). REDISCTL_EVENT_LOOP=0 in the environment turns the event loop off (every
//     client on its own goroutine), for comparisons;
//   - the engine's clock is read once per batch (Server.cachedNow), not per command, and
//     the monotonic clock that times commands once per command (engine StartClockChain);
//   - `redisctl serve` runs with GOMAXPROCS = io-threads (default 1): the engine executes
//     one command at a time anyway, and fewer processors spin less in the scheduler. It
//     is raised to 2 while the AOF is on or a snapshot writes (internal/procs): with
//     one P, a long write or fsync on another goroutine keeps every connection waiting;
//     and around the GC cycles of a big heap (procs.WatchGC, started by `redisctl
//     serve`, which also paces that collector without the runtime's two-minute
//     cycle), whose mark worker would otherwise take the connections' P in bursts;
//   - no allocation per command on the connection path: args are sub-slices of the read
//     buffer, replies append into the writer's buffer, counters are per connection and
//     folded into the server's totals under the lock.
//
// # What it must never do
//
//   - do network or disk I/O while holding the engine lock, except where Redis itself
//     blocks the whole server (DEBUG SLEEP, the final save of SHUTDOWN, re-binding a port on
//     CONFIG SET port/bind, a log line);
//   - keep a reference to request bytes after the command returns;
//   - be imported by the engine, or import cmd, analyze or restore.
//
// Persistence (save points, BGSAVE, the AOF) plugs in through the Persistence interface; by
// default nothing is persisted and INFO persistence reports an idle, healthy state.
package server
