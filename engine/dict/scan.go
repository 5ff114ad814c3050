package dict

import (
	"iter"
	"math/bits"
	"runtime"
)

// Scan visits the entries of one cursor position and returns the next cursor; a full scan
// starts at cursor 0 and ends when Scan returns 0. It is the engine's SCAN family, the
// active-expire walk and the fork-free snapshot walker.
//
// Guarantee: every entry present in the dict from the start of a full scan to its end is
// passed to fn at least once, whatever grows, shrinks and rehash steps happen between calls.
// Entries added or deleted during the scan may or may not be visited. An entry may be
// visited more than once, but only when the table shrank during the scan.
//
// How it works. A table of 2^k buckets puts an entry with hash h in bucket h & (2^k-1), so
// one bucket of a table of 2^k is exactly the 2^(j-k) buckets of a table of 2^j (j > k)
// whose low k bits equal its index. The cursor is incremented on its *reversed* bits, high
// bit first: after bucket i of the small table the scan goes to the next index that differs
// in the low k bits, leaving the high bits to vary fastest. So when the table grows from 2^k
// to 2^j, all the big-table buckets that expand the small-table buckets already visited lie
// "behind" the cursor, and those still to come lie ahead: nothing is skipped and nothing is
// repeated. When the table shrinks from 2^j to 2^k, the cursor's low k bits name the small
// bucket that holds everything of the big buckets not yet visited (plus possibly some that
// were already visited, hence the duplicates). Setting the bits above the mask before the
// reversed increment (cursor |= ^mask) makes the carry propagate into the masked bits only.
//
// While rehashing, entries are split between the two tables. Each call visits the bucket
// cursor & mask of the smaller table, then every bucket of the larger table that expands it
// (the cursors that share its low bits), incrementing the cursor on the bits the masks do
// not share until those bits wrap to zero. So the cursor after the call is the same as if
// only the smaller table existed, and the coverage argument above applies to both tables.
//
// Each bucket's chain is visited whole within one call, and nothing is rehashed while fn
// runs (rehash is paused as in Redis), which is what makes the bucket-granular argument
// hold. Adapted from the design and proof notes of Redis's dictScan (src/dict.c); the code
// is ours.
//
// Limitations:
//   - Duplicates are possible after a shrink; callers that must not emit twice (the
//     snapshot walker) dedupe with Entry.Version, SCAN callers just tolerate them as Redis's
//     clients do.
//   - One call costs one bucket of the smaller table plus size(large)/size(small) buckets of
//     the larger table: right after an Expand from a tiny table to a huge one, a single call
//     may walk many (mostly empty) buckets until the rehash finishes. Redis has the same cost.
//   - The cursor is stateless: the dict does not know a scan is in progress, and a cursor
//     from another dict, or a made-up one, is valid input that just resumes somewhere.
//
// Rules for fn: it may read the entry, change its Value and Version, and delete the entry
// it was given with DeleteEntry (active expiry does). It must not insert, delete any other
// entry, call Clear, Expand, or start another Scan or All of the same dict.
func (d *Dict[V]) Scan(cursor uint64, fn func(e *Entry[V])) uint64 {
	if d.Len() == 0 {
		return 0
	}
	d.paused++
	defer func() { d.paused-- }()

	if d.ht[1].buckets == nil {
		b := d.ht[0].buckets
		m := uint64(len(b) - 1)
		emitChain(b[cursor&m], fn)
		return nextCursor(cursor, m)
	}

	small, large := d.ht[0].buckets, d.ht[1].buckets
	if len(small) > len(large) {
		small, large = large, small
	}
	m0, m1 := uint64(len(small)-1), uint64(len(large)-1)
	emitChain(small[cursor&m0], fn)
	for {
		emitChain(large[cursor&m1], fn)
		cursor = nextCursor(cursor, m1)
		if cursor&(m0^m1) == 0 {
			return cursor
		}
	}
}

// nextCursor increments the reversed cursor within the bits of mask.
func nextCursor(cursor, mask uint64) uint64 {
	cursor |= ^mask
	return bits.Reverse64(bits.Reverse64(cursor) + 1)
}

// emitChain calls fn on each entry of a chain, reading next first so fn may unlink e.
func emitChain[V any](e *Entry[V], fn func(*Entry[V])) {
	for e != nil {
		next := e.next
		fn(e)
		e = next
	}
}

// All iterates over every entry once, for full walks (DEBUG, RDB save of a small dict, the
// analyzers, KEYS). It is Redis's safe iterator: rehashing is paused for the whole loop, so
// no entry moves and none is visited twice.
//
// The loop body may read entries, change Value and Version, delete the current entry with
// DeleteEntry, and insert (a key inserted during the loop may or may not be visited). It
// must not delete any other entry, call Clear, or break the pause by storing the iterator
// and resuming it later. Because rehash waits for the loop to end, keep long walks out of
// the engine lock's latency budget: use Scan for incremental walks.
func (d *Dict[V]) All() iter.Seq[*Entry[V]] {
	return func(yield func(*Entry[V]) bool) {
		d.paused++
		defer func() { d.paused-- }()
		for t := range 2 {
			// While rehashing, ht[0]'s buckets below rehashIdx are empty (invariant 3):
			// skip them, or every iteration that stops early (MEMORY USAGE's samples)
			// walks the whole emptied prefix. Iteration pauses rehashing, so the index
			// holds for the whole loop.
			start := 0
			if t == 0 {
				start = d.rehashIdx
			}
			// Re-read the table each bucket: an insert into an empty dict may replace it.
			for i := start; i < len(d.ht[t].buckets); i++ {
				for e := d.ht[t].buckets[i]; e != nil; {
					next := e.next
					if !yield(e) {
						return
					}
					e = next
				}
			}
		}
	}
}

// ScanBuckets is up to n calls of Scan in one, for walks that visit every bucket (the
// snapshot walker): while the dict is not rehashing it reads the next buckets' heads and
// their first entries' keys before visiting them, so the cache misses of several buckets
// overlap instead of coming one after the other (the reversed-bit cursor visits buckets
// in an order the hardware prefetcher cannot guess). It returns the cursor after the last
// bucket visited (0: the scan is complete). fn follows Scan's rules.
func (d *Dict[V]) ScanBuckets(cursor uint64, n int, fn func(e *Entry[V])) uint64 {
	const group = 8
	for n > 0 {
		if d.Len() == 0 || d.ht[1].buckets != nil || n < group {
			cursor = d.Scan(cursor, fn)
			n--
			if cursor == 0 {
				return 0
			}
			continue
		}
		b := d.ht[0].buckets
		m := uint64(len(b) - 1)
		var heads [group]*Entry[V]
		c := cursor
		for i := range heads {
			heads[i] = b[c&m] // independent loads: their misses overlap
			c = nextCursor(c, m)
			if c == 0 {
				break
			}
		}
		var touch byte
		for _, e := range heads {
			if e != nil && len(e.Key) > 0 {
				touch ^= e.Key[0] // the entry and its key's bytes, again independent
			}
		}
		runtime.KeepAlive(touch)
		d.paused++
		for _, e := range heads {
			emitChain(e, fn)
			cursor = nextCursor(cursor, m)
			n--
			if cursor == 0 {
				d.paused--
				return 0
			}
		}
		d.paused--
	}
	return cursor
}
