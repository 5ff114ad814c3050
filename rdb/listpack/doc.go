// Package listpack reads, validates and edits Redis listpacks: the compact
// serialized sequence Redis 7 uses for small hashes, sets, sorted sets,
// lists (as quicklist nodes) and stream entries. The bytes are exactly the
// bytes Redis keeps in memory and stores in RDB files, so a listpack built
// here can be written to an RDB as is, and one read from an RDB can be held
// by the engine without conversion.
//
// Layout (all multi-byte header fields little-endian):
//
//	+-------------+---------+---------+-----+---------+------+
//	| total u32   | count   | entry 0 | ... | entry N | 0xFF |
//	| (all bytes) | u16     |         |     |         |      |
//	+-------------+---------+---------+-----+---------+------+
//	  HeaderSize = 6 bytes                                  terminator
//
// count is the number of entries, or 65535 ("unknown": walk to count) once
// there are that many. Each entry is an encoding byte (plus data), followed
// by backlen, the size of encoding+data stored so the entry can be skipped
// backwards:
//
//	0xxxxxxx                          7-bit unsigned int          (1 byte)
//	10LLLLLL <L bytes>                string, L < 64              (1+L)
//	110xxxxx xxxxxxxx                 13-bit signed int, BE       (2)
//	1110LLLL LLLLLLLL <L bytes>       string, L < 4096, BE len    (2+L)
//	11110000 <u32 LE len> <L bytes>   string                      (5+L)
//	0xF1 <int16 LE>                   (3)
//	0xF2 <int24 LE>                   (4)
//	0xF3 <int32 LE>                   (5)
//	0xF4 <int64 LE>                   (9)
//	0xF5..0xFE                        invalid; 0xFF is the terminator
//
// backlen is 1..5 bytes of 7-bit groups, most significant group first; the
// high bit is set on every byte but the first, so a reader walking
// backwards from the next entry knows where it stops.
//
// Writers store a value that parses as a canonical int64 (Redis's
// string2ll: no sign but '-', no leading zeros, "-0" is not an integer, at
// most 20 bytes) as the smallest integer encoding, as lpAppend does.
//
// Two kinds of API:
//
//   - Untrusted input (RDB files, DUMP payloads): NewIter and Validate check
//     every byte they touch; they never panic and never read out of range.
//   - Trusted listpacks (built by this package, or already passed through
//     Validate): the offset API (First, Next, Prev, Last, Seek, Get, Find)
//     and the editors (Append, Insert, Replace, Delete, DeleteRange). An
//     offset is the byte position of an entry's first byte. These do not
//     re-validate; on a corrupt listpack they may panic (a Go bounds
//     check), never read or write outside the slice.
//
// Editors return the (possibly reallocated) listpack; like append, the
// result must replace the argument. Values passed to editors must not alias
// the listpack being edited. Editors grow the slice as append does; callers
// that care about capacity can slices.Clip the result.
//
// This package must never allocate while iterating, never allocate from a
// length read out of the input, never write bytes that Redis would not
// write for the same operations, and never import anything outside the
// standard library.
package listpack
