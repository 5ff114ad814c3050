// Package ziplist reads and validates Redis ziplists, the compact sequence
// Redis used before 7.0 for small hashes, sorted sets and lists (RDB types
// 10, 12, 13 and the nodes of quicklist type 14), and writes them for RDB
// targets older than version 10. Redis 7 converts ziplists to listpacks on
// load and never writes them.
//
// Layout (header fields little-endian):
//
//	+-----------+-----------+---------+---------+-----+---------+------+
//	| zlbytes   | zltail    | zllen   | entry 0 | ... | entry N | 0xFF |
//	| u32: all  | u32: off- | u16     |         |     |         |      |
//	| bytes     | set of N  |         |         |     |         |      |
//	+-----------+-----------+---------+---------+-----+---------+------+
//	  HeaderSize = 10
//
// zllen is the entry count, or 65535 ("count by walking") once there are
// that many. Each entry is prevlen, encoding, data:
//
//	prevlen   1 byte (0..253) = size of the previous entry, or
//	          0xFE + u32 LE (a writer may keep the 5-byte form for small
//	          values after a cascade update; readers must accept it)
//	00LLLLLL                          string, L <= 63
//	01LLLLLL LLLLLLLL                 string, 14-bit length, big-endian
//	10xxxxxx <u32 BE len>             string, 32-bit length
//	0xC0 int16 | 0xD0 int32 | 0xE0 int64 | 0xF0 int24 | 0xFE int8   (LE)
//	0xF1..0xFD                        immediate 0..12 (value = low 4 bits - 1)
//
// NewIter and Validate accept untrusted bytes and never panic or read out
// of range; Validate also checks every prevlen against the entry before it,
// zltail against the last entry and zllen against the count (unless 65535).
// New and Append build ziplists exactly as ziplistPush at the tail would.
//
// This package must never allocate while iterating, never allocate from a
// length read out of the input, and never import anything outside the
// standard library and its sibling rdb codecs.
package ziplist
