// Package tbits implements Redis 7.0's commands that treat string values as bit arrays —
// SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD, BITFIELD_RO — and LCS, with Redis's
// exact replies, error texts, argument parsing order, keyspace notifications, dirty
// counts and string growth (sdsgrowzero with the allocator's usable size, so MEMORY USAGE
// agrees with Redis).
//
// Strings are registered by engine/tstring; this package only adds commands over them.
// Exported helpers (Popcount, FirstBit, BitfieldGet/BitfieldSet) work on plain byte
// slices for other packages (analyzers, scripting).
//
// It must never keep a reference to a request argument, never allocate from an unchecked
// length (every offset is bounded by proto-max-bulk-len before anything grows), and never
// loop per byte over large inputs where 64-bit words will do.
package tbits
