// Package engine is redisctl's Redis-compatible core: the keyspace (databases of keys with
// their expiry), the value objects and their encodings, the command table and the
// execution of commands, exactly as Redis 7.0 behaves.
//
// The execution model (DESIGN.md): every command runs under the engine lock, which the
// caller takes once for a whole pipelined batch (Lock/Unlock), so each command — and each
// MULTI/EXEC block — is atomic. Command handlers see a *Ctx: the arguments, the calling
// Client, its selected DB, and the reply writer. They reply by appending to the writer and
// never block, sleep, or do I/O. A command that must wait for a key (BLPOP, BZPOPMIN,
// XREAD BLOCK, …) calls Ctx.BlockOn instead of replying: the engine queues the client on
// its keys and the server parks its connection (block.go); keys filled meanwhile are
// served after each top-level command, EXEC or script.
//
// Command families live in sub-packages (tstring, tlist, thash, tset, tzset, …) that
// register their handlers into a Table. This package holds what every family shares: the
// Object (type, encoding, LRU/LFU clock, payload), DB lookups with lazy expiry, active
// expiry, dirty counting and propagation, keyspace notifications, WATCH, MULTI/EXEC and
// pub/sub.
//
// The engine must never touch a socket or a file, never block while holding the lock,
// and never keep a reference to a request's argument bytes beyond the command (the
// reader reuses its buffer): anything stored in the keyspace is copied first.
package engine
