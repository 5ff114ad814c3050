// Package dict is the hash table behind the engine's keyspace (and the expires table), and
// the "hashtable" encoding of hashes, sets and sorted sets. It is Redis's dict, rewritten in
// Go because Go's map can give neither SCAN's guarantee nor a point-in-time walk:
//
//   - two tables of power-of-two sizes, collisions chained through the entries;
//   - incremental rehash: a resize allocates the new table and the entries move one bucket
//     at a time, on every Get/Upsert/Delete while rehashing (RehashStepBuckets buckets), and
//     in bounded slices from the background cron (RehashSteps, RehashFor);
//   - grow at load factor 1 (at 5 while resizing is disallowed, e.g. during a snapshot),
//     shrink when fewer than 10% of the buckets would be used (never below 4 buckets);
//   - a reverse-binary SCAN cursor (Dict.Scan) with Redis's guarantee: every entry present
//     for the whole scan is returned at least once, whatever grows and shrinks happen between
//     calls;
//   - entries never move in memory: a rehash relinks them, so an *Entry stays valid until
//     the entry is deleted, and its Version (the fork-free snapshot stamp, DESIGN.md
//     "Fork-free snapshots") travels with it.
//
// Keys are binary-safe byte strings held as Go strings; GetBytes and DeleteBytes look keys
// up from a []byte without allocating, and UpsertBytes keeps a key of up to 48 bytes in its
// entry's own allocation, so a hit compares the key without a second cache miss. Prefetch
// and Peek read without changing anything (no rehash step): the engine warms a pipeline's
// buckets with them. A bucket array of 4 MiB or more asks the kernel for transparent huge
// pages (a madvise hint on Linux, hugepage_linux.go).
//
// What it must never do:
//   - be used from two goroutines at once: even Get moves buckets during a rehash. The
//     engine lock serializes every call, as Redis's single thread does;
//   - reallocate or copy an entry (callers hold *Entry across operations);
//   - allocate on a lookup, or more than the entry itself on Upsert/Add of a string key;
//   - know about values, objects, expiry or snapshots beyond carrying Entry.Version: the
//     pre-change hooks of a snapshot are the engine's job, done before it calls Delete*.
//     A hold (Hold, hold.go) is the one copy-on-write the dict does itself, for a reader
//     that writes a value's table out in steps while it changes; it is held only on the
//     tables of values, whose Versions the dict alone sets, never on a keyspace dict.
//
// The zero Dict is an empty dict ready to use. The package imports only the standard
// library.
package dict
