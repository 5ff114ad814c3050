// Package analyze turns a stream of RDB records into reports: the summary of a file
// (Inspect), the comparison of two files (Diff), and the damage check (Check). Later reports
// (big keys, memory by prefix, TTL and encoding distributions) live here too.
//
// Every report is built in one streaming pass with memory bounded by its own output (a
// top-N heap, per-db counters, hash-partitioned spill files for Diff): never by the size of
// the file or of its biggest key. This package must never write to the inputs and never
// print: callers render the reports.
package analyze
