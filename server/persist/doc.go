// Package persist is redisctl serve's persistence layer: RDB snapshots (SAVE, BGSAVE
// [SCHEDULE], save points, LASTSAVE through the server, SHUTDOWN SAVE/NOSAVE and the save
// on SIGTERM, DEBUG RELOAD, FLUSHALL's save, MISCONF after a failed background save,
// loading dir/dbfilename at start) with Redis 7.0.15's replies, log lines and INFO
// persistence fields, and the host of the AOF half.
//
// Saving. Every save goes through the engine's snapshot machinery (engine/snapshot.go):
// RDBEncoder serializes each key as rdbSaveKeyValuePair (under the engine lock) and
// RDBWriter frames the records as an RDB 10 file (header, AUX fields, FUNCTION2 records,
// SELECTDB + RESIZEDB per database, EOF, CRC-64) on the snapshot's writer goroutine, off
// the lock. SAVE and the other synchronous saves hold the lock throughout
// (engine.SaveSnapshot), as Redis's SAVE blocks the server. BGSAVE is a fork-free
// point-in-time snapshot (engine.StartSnapshot): clients keep running, and every key is
// written with its value and TTL as of the BGSAVE. Files are written to temp-<id>.rdb in
// dir, fsynced, renamed over dir/dbfilename, and the directory fsynced. With
// rdb-save-incremental-fsync (aof-rewrite-incremental-fsync for a rewrite's base) the
// file goes to disk in 4 MB steps as Redis 7.0's rio autosync does, and what is on disk
// leaves the page cache behind it, as Redis 7.2 reclaims it; after the final fsync the
// whole file leaves the page cache (autosync.go).
//
// Big values. The walker visits keys under the engine lock in slices of 50 µs (small
// values it only claims there; their records are written off the lock); a hashtable
// hash or set, a skiplist zset or a quicklist of BigElements or more is written in steps
// (RDBEncoder.BeginBig, engine.SnapshotJob: a SCAN of its table, a descent of its
// skiplist from the top score, or whole quicklist nodes, each step bounded in time), so
// walking a 1M-field hash does not stall clients for the whole value. A SET (or any SetKey), DEL, UNLINK, expiry or
// eviction of a big value the walker has not reached keeps the old value aside, untouched
// since nothing references it, and writes it in steps later; a small one goes to the
// walker's next batch and is written off the lock. A change in place (HSET, SADD, LPUSH,
// RENAME…) to a big hash, set, zset or list the walker has not reached, or is half through,
// detaches its job (engine.SnapshotDetacher). The job holds its value: a hash's or set's
// table (dict.Hold), a zset's member dict (tzset.Hold), a list's nodes (Quicklist.Hold).
// Nothing is copied then; each element (a list: each node) the job has not written is
// copied the first time it changes or is removed (a table's entries as their string
// headers, whose bytes are never rewritten; a zset member with its score; a list node's
// bytes), what is added is skipped, and the job goes on reading the live value. The hook
// costs microseconds whatever the value's size, where copying the rest of a 100k-element
// value took 2-9 ms and encoding it 5-14 ms (BENCHMARKS.md, "Copy-on-write per
// element"). A big string is compressed in LZF blocks of 32 KiB, a few per step
// (strJob): the blocks' outputs, one after another, are one valid LZF stream, but not
// the bytes of Redis's single call. A change in place to it (SETRANGE, APPEND) copies
// the bytes not yet compressed. In a BGSAVE the LZF runs off the lock
// (engine.SnapshotOffLock). Listpacks and intsets of 16 KiB or more (bigger than the
// default hash, zset and set limits make them) are written the same way. Inside a
// container, a string of 64 KiB or more (a hash's field or value, a set's or zset's
// member, a list's node) is taken aside when the job meets it and written in LZF blocks
// over the next steps, before the job goes on (elemQueue); a container of few elements
// that holds one takes a job too. An element's bytes are never rewritten in place, so
// taking it aside copies nothing; a list node's are, so a node taken aside is copied
// when the list is held. A stream of 16 nodes or more is written a few nodes a step
// (streamJob); a change to it before the job is done copies the listpacks not written
// yet (XADD and XDEL rewrite a node's bytes in place) and renders the groups then.
//
// Differences from Redis that follow from having no child process:
//   - "Background saving started by pid N" names our own pid (there is no child); the
//     child's lines ("DB saved on disk", "Fork CoW for RDB: ...") are logged by the server
//     when it reaps the finished snapshot, before "Background saving terminated with
//     success". The temporary file of a BGSAVE is temp-<pid+1000000>.rdb.
//   - rdb_last_cow_size (and the Fork CoW line, current_cow_*) report the bytes of
//     pre-change images the snapshot had to serialize early because clients changed or
//     replaced keys before the walk reached them: our analogue of the pages Redis's child
//     copies. They stream to the file through the writer's bounded queue instead of
//     staying in memory until the end, so this counts what the snapshot had to copy, not
//     what it held at once (BENCHMARKS.md measures the RSS a BGSAVE adds).
//   - Killing the save (FLUSHALL, SHUTDOWN) is logged as Redis logs the SIGUSR1 it sends
//     its child ("terminated by signal 10") and, as there, is not an error.
//   - rdb-del-sync-files only concerns replication, which redisctl serve does not do.
//     rdb-key-save-delay (microseconds per key, a testing knob) slows the walker.
//   - DEBUG RELOAD NOFLUSH over keys already present, without MERGE, replies "Error trying
//     to load the RDB dump" where redis-server exits ("Duplicated key found in RDB file").
//
// Seams for the AOF half (files server/persist/aof*.go, package aof): Options.AOF takes
// an implementation of the AOF interface, which Persistence calls at Load (instead of the
// RDB when appendonly is on), Cron, Shutdown (before the final save), INFO (the aof_*
// fields) and the MISCONF check (WriteError), and whose Commands are registered with
// SAVE/BGSAVE. An AOF rewrite takes its snapshot with engine.StartSnapshot(
// NewRDBEncoder(...), NewRDBWriter(w, HeaderOptions{AOFBase: true}), ...) for the RDB
// preamble; ChildActive tells it whether a BGSAVE runs (one snapshot at a time, as
// Redis's one child), and a BGSAVE SCHEDULE started meanwhile waits for it. Without the
// preamble (aof-use-rdb-preamble no) the base is commands (cmdEncoder): a value the RDB
// form writes in steps is written by a cmdJob, which runs that RDB job (without LZF) and
// rewrites its record into RPUSH/SADD/ZADD/HMSET commands of 64 elements, or a SET, as
// each step hands the bytes over, so the steps, holds and detach are the RDB form's.
//
// What this package must never do: block the engine lock on disk I/O outside the
// synchronous saves Redis also blocks on; leave a partial file under dbfilename; write a
// file real redis-server 7.0 or redis-check-rdb would refuse.
package persist
