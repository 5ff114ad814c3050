// Package rdbparity holds the read-parity acceptance test of RDB loading: keys of every
// type and encoding are written into a real redis-server 7.0 by ordinary commands, saved
// with SAVE, and the dump.rdb it wrote is loaded into an in-process engine with
// engine/rdbobj. Real Redis then reloads that very file (DEBUG RELOAD NOSAVE), and every
// read command of each type must answer the same on both sides: values, OBJECT ENCODING,
// MEMORY USAGE, DUMP bytes, TTL sign, stream groups, PELs and consumers. The values must
// also be what Redis answered before the reload, when the keys were fresh from their
// commands.
//
// The test skips with a message when redis-server is not installed, and fails then under
// CI=true (internal/redistest). It must never write into the repository: the server's
// files live in its own temporary directory and are read in place.
package rdbparity
