// Package coretest holds the differential tests of the engine core's own commands
// (engine/keys.go, multi.go, scan.go, pubsub.go): DEL, UNLINK, EXISTS, TYPE, TOUCH, the
// EXPIRE and TTL families, PERSIST, RENAME(NX), COPY, MOVE, RANDOMKEY, KEYS, SCAN, DBSIZE,
// SELECT, SWAPDB, FLUSHDB, FLUSHALL, MULTI/EXEC/DISCARD/WATCH/UNWATCH, OBJECT, MEMORY USAGE
// and PUBLISH, each run against real redis-server 7.0.15 and the in-process engine with
// enginetest.Pair and enginetest.Effects.
//
// It is a test-only package: nothing may import it, and it must never hold product code.
package coretest
