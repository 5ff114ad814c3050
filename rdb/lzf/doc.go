// Package lzf implements the LZF compression format (Marc Lehmann's liblzf)
// as Redis uses it for RDB strings.
//
// An LZF-encoded RDB string is: length compressed_len, length
// uncompressed_len, then compressed_len bytes of LZF data. The data is a
// sequence of chunks, each starting with a control byte:
//
//	000LLLLL  <L+1 literal bytes>             literal run, 1..32 bytes
//	LLLooooo  oooooooo                        back reference, length L+2 (L in 1..6)
//	111ooooo  LLLLLLLL  oooooooo              back reference, length L+9
//
// A back reference copies length bytes starting (o+1) bytes behind the
// current output position; source and destination may overlap (run-length
// style). There is no header, no end marker and no checksum: the caller
// knows both lengths.
//
// Compress follows liblzf 3.6 as built into Redis (HLOG 16, VERY_FAST,
// offsets-in-table), so for the same input it normally produces the same
// bytes as Redis. Redis leaves its hash table uninitialised, so its output
// may in rare cases differ from ours; both decode to the same data.
//
// This package must never panic or read or write out of bounds on malformed
// input, never allocate in proportion to a length it was given (output goes
// only into the caller's buffer), and never allocate per call in steady state.
package lzf
