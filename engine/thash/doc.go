// Package thash implements Redis's hash type as Redis 7.0.15 does: the listpack encoding
// (field, value, field, value… in real listpack bytes, exactly what Redis holds and what an
// RDB file stores) while the hash has at most hash-max-listpack-entries pairs and every
// field and value is at most hash-max-listpack-value bytes, and the hashtable encoding (an
// engine/dict) once a threshold is crossed; a hash never converts back.
//
// Commands (Commands): HSET, HSETNX, HMSET, HGET, HMGET, HDEL, HLEN, HSTRLEN, HEXISTS,
// HKEYS, HVALS, HGETALL, HINCRBY, HINCRBYFLOAT, HRANDFIELD and HSCAN, with Redis 7.0's
// replies, errors, notifications, dirty counts and propagation (HINCRBYFLOAT propagates as
// HSET key field value).
//
// What other packages use (documented at each function):
//   - Range, Fields: walk a hash's pairs in Redis's order (listpack order, or the dict's
//     table order) for SORT, DUMP/RDB save, AOF rewrite and the analyzers; Listpack gives
//     the raw bytes of a listpack-encoded hash for a straight copy into an RDB file.
//   - New, NewBuilder (Builder.Add, Builder.Object), FromListpack: build a hash from pairs
//     (RESTORE, RDB load of RDB_TYPE_HASH) or adopt raw listpack bytes (RDB_TYPE_HASH_LISTPACK)
//     with Redis's encoding decisions.
//   - FitsListpack, FitsListpackLen: the encoding decision helpers.
//   - Len, MemoryUsage (also registered with engine.RegisterType).
//
// Memory: a hashtable entry is one allocation holding the dict.Entry[string] (48 bytes)
// and the field and value bytes back to back (pairs up to 208 bytes; longer ones take a
// second block); the entry's Key and Value are substrings of them. An update of such an
// entry allocates the new value alone. A listpack hash is one byte slice grown with little
// slack (growFor), so memory per small hash stays close to Redis's jemalloc classes.
//
// This package must never keep a reference to a request argument (everything stored is
// copied), never mutate bytes a string in a dict entry refers to (strings are immutable: an
// update allocates the new value), never convert a hashtable back to a listpack, and never
// change a hashtable entry's value but through htSet, after the dict's BeforeWrite (a
// snapshot job holding the table, dict.Hold, keeps the old pair then).
package thash
