// Package aof reads and writes Redis's append-only files exactly as Redis 7.0.15 does:
// plain AOF (RESP commands, "#TS:" annotations), the single-file AOF with an RDB
// preamble, and the Redis 7 multi-part directory (appenddirname holding a BASE file, INCR
// files, HISTORY files and the "<appendfilename>.manifest" that lists them).
//
// It provides:
//
//   - Manifest: parse and write the manifest with the grammar of aofLoadManifestFromFile
//     and aofInfoFormat (sdssplitargs / sdscatrepr quoting, the same error texts, which
//     callers log after "*** FATAL AOF MANIFEST FILE ERROR ***").
//   - File names (BaseName, IncrName, ManifestName, ...) as getNewBaseFileNameAndMarkPreAsHistory
//     and getNewIncrAofName build them.
//   - Scanner: a streaming reader of the RESP part of an AOF file: commands and '#'
//     annotations with their offsets (HasRDBPreamble detects the "REDIS" prefix, which
//     the loader hands to rdb/rdbobj); a short tail is a *TruncatedError carrying the
//     offset of the last complete command (annotations do not move it, as Redis's
//     valid_up_to), bad bytes a *FormatError naming the file and the offset.
//   - Encoder: commands encoded as catAppendOnlyGenericCommand, a SELECT whenever the
//     database changes (feedAppendOnlyFile), "#TS:<unix>" annotations once per second
//     when aof-timestamp-enabled.
//   - Load / LoadFile: replay into an engine through a fake client (CLIENT_ID_AOF) with
//     propagation off, as loadAppendOnlyFiles / loadSingleAppendOnlyFile do, including
//     MULTI without EXEC at the end (truncation back to the MULTI), aof-load-truncated
//     (the file is truncated and the same lines are logged), the legacy appendonly.aof
//     upgrade into the directory, and Redis's log lines.
//   - Rewrite / CommandRewriter: a new BASE from an engine (RDB preamble, or commands in
//     Redis's rewrite form: SET, RPUSH/SADD/ZADD/HMSET batches of 64, XADD/XSETID/XGROUP
//     CREATE/CREATECONSUMER/XCLAIM for streams, PEXPIREAT for TTLs, FUNCTION LOAD), the
//     manifest edits of a rewrite (NewBase marks the old base as history, NewIncr,
//     MarkRewrittenIncrAsHistory) and WriteManifest, which replaces the manifest atomically
//     (temp file, fsync, rename, directory fsync). The server (server/persist) drives them
//     from an engine snapshot.
//
// Differences from Redis 7.0, on purpose: the loader checks every "\r\n" (Redis skips the
// two bytes after a bulk unchecked), so some damaged files Redis would replay are
// refused; nested MULTI in a file (Redis never writes one) aborts that transaction; keys
// may expire while a file is replayed (Redis expires nothing while loading). A damaged or
// short RDB preamble stops loading, as in Redis ("Short read or OOM loading DB").
//
// What it must never do: panic or allocate from an unchecked length on a damaged file;
// write bytes Redis 7.0 would not write; modify a file other than by the truncation
// aof-load-truncated asks for; hold the engine lock while doing file I/O on behalf of the
// server (the server's AOF writer does its I/O off the lock; Load is called before any
// client runs).
package aof
