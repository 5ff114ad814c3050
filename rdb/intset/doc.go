// Package intset reads, validates and edits Redis intsets: the sorted
// array of integers Redis uses for small all-integer sets
// (set-max-intset-entries), stored as is in RDB type 11.
//
// Layout (every field little-endian):
//
//	+--------------+------------+-------------------------------+
//	| encoding u32 | length u32 | length elements, encoding     |
//	| 2, 4 or 8    |            | bytes each, strictly ascending|
//	+--------------+------------+-------------------------------+
//	  HeaderSize = 8
//
// The encoding is the width of every element: the smallest width that
// held every value ever added. Adding a value that needs a wider width
// rewrites all elements at the new width ("upgrade"); removing values never
// narrows it. A set built here with the same sequence of adds and removes
// has the same bytes as Redis's.
//
// NewIter and Validate accept untrusted bytes: they check the encoding,
// that length*encoding matches the remaining bytes exactly, and strict
// ascending order, and never panic. Len, Get, Search, Add and Remove expect
// a valid intset (from New, the editors, or Validate); on a corrupt one
// they may panic on a Go bounds check but never read outside the slice.
// Redis refuses an empty intset in an RDB file; that rule belongs to the
// RDB loader, so Validate accepts length 0.
//
// This package must never allocate from a length it has not checked
// against the input size, never allocate while iterating, and never import
// anything outside the standard library.
package intset
