// Package tsort implements SORT and SORT_RO as Redis 7.0.15's sortCommandGeneric: lists,
// sets and sorted sets; ASC/DESC, ALPHA, LIMIT, BY (a pattern with '*', "->field" for hash
// fields, or a constant pattern that means "do not sort"), GET (several, "#" for the
// element itself, "->field"), and STORE into a list.
//
// Redis facts this package reproduces, and where they come from:
//   - numeric sort keys are parsed as C's strtod on a NUL-terminated string (leading
//     spaces, hex floats, "inf"/"infinity" accepted; an empty string is 0; a key cut by an
//     embedded NUL stops there; overflow, inexact underflow and NaN are errors): see
//     ParseScore;
//   - ties: numeric ties fall back to comparing the elements byte-wise; ALPHA compares
//     with strcoll when not storing (we implement the C/C.UTF-8 collation: byte order up to
//     the first NUL) and byte-wise when storing; BY values that are missing sort first.
//     Equal keys keep the order glibc's qsort (a stable merge sort) leaves them in, i.e.
//     the order the elements were read, except with BY and a LIMIT that does not cover the
//     whole result, where Redis uses its own partial quicksort (pqsort), which this package
//     reproduces step by step (PartialSort);
//   - a sorted set in listpack encoding is converted to a skiplist by SORT, as Redis's
//     "destructive" zsetConvert does (OBJECT ENCODING says skiplist afterwards);
//   - STORE builds the list with quicklist defaults (fill -2, no compression) whatever
//     list-max-listpack-size says, as 7.0's createQuicklistObject does; an empty result
//     deletes the destination;
//   - a set sorted with a constant BY and STORE (or from a script) is sorted ALPHA so
//     replicas agree.
//
// Where Redis's own output is not reproducible: elements with equal sort keys read from a
// hashtable-encoded set or from a sorted set come out in the order of Redis's dict, whose
// hash seed is random per process, so two Redis servers disagree there too; we use our
// dict order (sets) or score order (sorted sets).
//
// The package must never keep a reference to a request argument or to a value's bytes
// past the command (everything it holds is copied into one per-command arena), never
// allocate per element, and never change the sorted key except for the zset conversion
// Redis also makes.
package tsort
