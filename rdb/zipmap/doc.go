// Package zipmap reads and validates Redis zipmaps, the string-to-string
// map Redis before 2.6 used for small hashes (RDB type 9). Redis 2.6 and
// later convert zipmaps on load and never write them, so this package is
// read-only.
//
// Layout:
//
//	<zmlen> <len>field <len><free>value <len>field <len><free>value ... 0xFF
//
//	zmlen   1 byte: number of pairs when below 254; 254 or more means
//	        "unknown, walk to count"
//	len     1 byte (0..253), or 254 followed by a 4-byte little-endian
//	        length (Redis stores it host order via memrev32ifbe, i.e.
//	        always little-endian)
//	free    1 byte: unused bytes that follow the value (left by an update
//	        that shrank it); they are skipped, never returned
//	0xFF    end marker, where a field's len would be
//
// NewIter and Validate accept untrusted bytes and never panic, allocate or
// read out of range. They accept exactly what Redis's
// zipmapValidateIntegrity accepts, with two exceptions that belong to the
// RDB loader: an empty zipmap (Redis rejects it as an empty key) is
// accepted here with count 0. Like Redis, a value length byte of 255 is read
// as the 5-byte form, and bytes after the end marker are not examined.
//
// This package must never write zipmaps, never allocate while iterating,
// and never import anything outside the standard library.
package zipmap
