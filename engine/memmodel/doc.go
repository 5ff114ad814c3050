// Package memmodel predicts what a value costs inside real Redis 7: jemalloc's size
// classes, sds string allocations and the fixed struct sizes of Redis's objects (robj,
// dictEntry, dict, quicklist, skiplist nodes, streams). The engine answers MEMORY USAGE with
// it, eviction measures maxmemory with it, and the analyzers report it for keys read from an
// RDB file.
//
// Figures are for x86-64 builds of Redis 7.0 with jemalloc 5.3 (see FORMATS.md section 5).
// The package is pure arithmetic: it must never allocate, never look at Go's own heap, and
// never depend on the rest of the project.
package memmodel
