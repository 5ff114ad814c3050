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
//   - Reader: a streaming reader of one AOF file: an RDB preamble ("REDIS" prefix) is
//     reported and handed to rdb, then RESP commands and annotations with their offsets;
//     a short tail is a *TruncatedError carrying the offset of the last good command,
//     bad bytes a *FormatError naming the file and the offset.
//   - Encoder: commands encoded as catAppendOnlyGenericCommand, a SELECT whenever the
//     database changes (feedAppendOnlyFile), "#TS:<unix>" annotations once per second
//     when aof-timestamp-enabled.
//   - Load / LoadFile: replay into an engine through a fake client (CLIENT_ID_AOF) with
//     propagation off, as loadAppendOnlyFiles / loadSingleAppendOnlyFile do, including
//     MULTI without EXEC at the end (truncation back to the MULTI), aof-load-truncated
//     (the file is truncated and the same lines are logged), the legacy appendonly.aof
//     upgrade into the directory, and Redis's log lines.
//   - Rewrite: a new BASE from an engine (RDB preamble, or commands in Redis's rewrite
//     form: SET/RPUSH/SADD/ZADD/HMSET batches of 64, XADD/XSETID/XGROUP for streams,
//     PEXPIREAT for TTLs), and Dir, which switches the manifest atomically (temp file,
//     fsync, rename, directory fsync), marks old files as history and deletes them.
//
// What it must never do: panic or allocate from an unchecked length on a damaged file;
// write bytes Redis 7.0 would not write; modify a file other than by the truncation
// aof-load-truncated asks for; hold the engine lock while doing file I/O on behalf of the
// server (the server's AOF writer does its I/O off the lock; Load is called before any
// client runs).
package aof
