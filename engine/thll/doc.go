// Package thll implements Redis 7.0's HyperLogLog commands (PFADD, PFCOUNT, PFMERGE,
// PFDEBUG, PFSELFTEST) on plain string values, byte for byte as hyperloglog.c lays them
// out: the 16-byte "HYLL" header with its cached cardinality, the sparse ZERO/XZERO/VAL
// opcodes, the dense 6-bit registers, the same hash, register choice, promotion moments and
// estimator. An HLL written by redisctl reads back in Redis (DUMP/RESTORE, RDB) and the
// other way round, and both give the same PFCOUNT.
//
// The values belong to the string family (engine/tstring): this package only edits their
// bytes, keeping the slice capacity equal to the sds "alloc" Redis would have, so that
// MEMORY USAGE and the moments of reallocation agree.
//
// It must never panic or allocate from a length read out of a value: HLL strings come from
// users (SET, SETRANGE, APPEND, RESTORE) and may be anything. Corrupted sparse data is
// reported as Redis reports it (INVALIDOBJ), and every read past the end of a string sees
// the zero byte Redis's sds terminator would give.
//
// hll-sparse-max-bytes is not part of engine.Settings yet: SetSparseMaxBytes sets it for
// the whole process (default 3000) until the server wires the config to it.
package thll
