package dict

import (
	"hash/maphash"
	"math/bits"
	"time"
	"unsafe"
)

// Tuning constants. They follow Redis 7 (src/dict.c) where Redis has an equivalent.
const (
	// InitialSize is the number of buckets of the first table and the smallest table a
	// shrink produces (DICT_HT_INITIAL_SIZE).
	InitialSize = 4
	// ForceResizeRatio is the load factor at which a table grows even while resizing is
	// disallowed (dict_force_resize_ratio). Shrinking is likewise forced when the fill
	// drops below MinFillPercent/ForceResizeRatio.
	ForceResizeRatio = 5
	// MinFillPercent: a table larger than InitialSize shrinks when fewer than this
	// percentage of its buckets would be used (HASHTABLE_MIN_FILL).
	MinFillPercent = 10
	// RehashStepBuckets is how many buckets each Get/Upsert/Delete moves while a rehash is
	// in progress (Redis's _dictRehashStep moves one).
	RehashStepBuckets = 1
	// emptyVisitsPerBucket bounds the empty buckets one rehash step may skip, so a step
	// stays O(1) on a sparse table (Redis: n*10).
	emptyVisitsPerBucket = 10
	// MaxBuckets is the largest table Expand and automatic growth will allocate
	// (2^32 buckets, 32 GiB of pointers). Past it the table stops growing and chains
	// lengthen; lookups stay correct.
	MaxBuckets = 1 << 32
)

// seed keys the hash for the life of the process: bucket order differs from one process to
// the next (as Redis seeds siphash at start-up), which protects against chosen-key floods.
var seed = maphash.MakeSeed()

// Entry is one key and its value. Entries are allocated once, by Upsert/Add/Set, and are
// relinked, never copied, when the table is rehashed: a *Entry stays valid (and keeps
// referring to the same key) until the entry is deleted. Callers may change Value and
// Version in place at any time; Key must never be changed while the entry is in a Dict.
//
// Layout: with a pointer-sized V the entry is 40 bytes, which Go allocates in the 48-byte
// size class (an interface or two-word V also fits in 48); with V = struct{} it is 32.
type Entry[V any] struct {
	// Key is the entry's key. Binary safe; the Dict keeps the string it was given (no copy).
	Key string
	// Value is owned by the caller.
	Value V
	// Version is the fork-free snapshot stamp (DESIGN.md, "Fork-free snapshots"): a new
	// entry takes the dict's BirthVersion; the dict never changes it afterwards, and a
	// rehash move preserves it. The engine reads and stamps it.
	Version uint32
	next    *Entry[V]
}

// table is one of the two hash tables: a power-of-two bucket array of chains.
type table[V any] struct {
	buckets []*Entry[V]
	used    int
}

// Dict is a hash table from string keys to entries holding a V.
//
// Invariants:
//  1. len(ht[0].buckets) is 0 (empty dict, never used or cleared) or a power of two ≥ 1;
//     len(ht[1].buckets) likewise, and ht[1].buckets != nil exactly while rehashing.
//  2. An entry with hash h lives in ht[t].buckets[h & (len-1)] of exactly one table t.
//  3. While rehashing, ht[0].buckets[i] == nil for every i < rehashIdx, and new entries are
//     inserted into ht[1] only; rehashIdx is 0 when not rehashing.
//  4. ht[t].used counts the entries chained in table t; Len() is their sum.
//  5. While paused > 0 (inside Scan or an All loop, or while held) no entry moves between
//     tables and no table is replaced by a shrink.
//
// A Dict is not safe for concurrent use, not even for concurrent Gets.
type Dict[V any] struct {
	ht        [2]table[V]
	rehashIdx int
	// hold is the copy-on-write of a reader writing the entries out in steps (hold.go).
	hold   *hold[V]
	paused int32
	birth  uint32
	// In this order the struct is 96 bytes, the Go size class it had without hold.
	noResize bool
	// hashShift discards low hash bits; tests set it to force dense collision chains.
	hashShift uint8
}

// New returns an empty Dict. The zero Dict is equally usable; New exists for symmetry with
// the rest of the engine.
func New[V any]() *Dict[V] { return &Dict[V]{} }

// Len is the number of entries.
func (d *Dict[V]) Len() int { return d.ht[0].used + d.ht[1].used }

// Buckets is the number of bucket slots of both tables (Redis's dictBuckets), what
// MEMORY USAGE charges at 8 bytes each.
func (d *Dict[V]) Buckets() int { return len(d.ht[0].buckets) + len(d.ht[1].buckets) }

// IsRehashing reports whether entries are being moved from the old table to the new one.
func (d *Dict[V]) IsRehashing() bool { return d.ht[1].buckets != nil }

// SetResizeAllowed enables or disables voluntary resizing (Redis's dictSetResizeEnabled).
// While disallowed a table still grows once its load factor reaches ForceResizeRatio and
// still shrinks below MinFillPercent/ForceResizeRatio fill. The engine disallows resizing
// while a snapshot walk is in progress, to keep rehash traffic down. Allowed is the default.
func (d *Dict[V]) SetResizeAllowed(allowed bool) { d.noResize = !allowed }

// ResizeAllowed reports the setting of SetResizeAllowed.
func (d *Dict[V]) ResizeAllowed() bool { return !d.noResize }

// SetBirthVersion sets the Version given to entries created from now on. The engine sets it
// to the snapshot epoch when a snapshot starts, so that new keys are skipped by the walk.
func (d *Dict[V]) SetBirthVersion(v uint32) { d.birth = v }

// BirthVersion is the Version new entries are created with.
func (d *Dict[V]) BirthVersion() uint32 { return d.birth }

func (d *Dict[V]) hashString(s string) uint64 { return maphash.String(seed, s) >> d.hashShift }
func (d *Dict[V]) hashBytes(b []byte) uint64  { return maphash.Bytes(seed, b) >> d.hashShift }

// step does the incremental rehash work owed by one operation.
func (d *Dict[V]) step() {
	if d.ht[1].buckets != nil && d.paused == 0 {
		d.rehash(RehashStepBuckets)
	}
}

// Get returns the entry for key, or nil. While rehashing it also moves a bucket.
func (d *Dict[V]) Get(key string) *Entry[V] {
	if d.Len() == 0 {
		return nil
	}
	d.step()
	h := d.hashString(key)
	for t := range 2 {
		b := d.ht[t].buckets
		if len(b) == 0 {
			return nil
		}
		idx := h & uint64(len(b)-1)
		if t == 0 && idx < uint64(d.rehashIdx) {
			continue // already moved to ht[1]
		}
		for e := b[idx]; e != nil; e = e.next {
			if e.Key == key {
				return e
			}
		}
	}
	return nil
}

// GetBytes is Get for a key held in a []byte. It does not allocate.
func (d *Dict[V]) GetBytes(key []byte) *Entry[V] {
	if d.Len() == 0 {
		return nil
	}
	d.step()
	h := d.hashBytes(key)
	for t := range 2 {
		b := d.ht[t].buckets
		if len(b) == 0 {
			return nil
		}
		idx := h & uint64(len(b)-1)
		if t == 0 && idx < uint64(d.rehashIdx) {
			continue
		}
		for e := b[idx]; e != nil; e = e.next {
			if e.Key == string(key) { // compiled without a conversion
				return e
			}
		}
	}
	return nil
}

// find is the lookup half of Upsert and Add, without the rehash step.
func (d *Dict[V]) find(h uint64, key string) *Entry[V] {
	for t := range 2 {
		b := d.ht[t].buckets
		if len(b) == 0 {
			return nil
		}
		idx := h & uint64(len(b)-1)
		if t == 0 && idx < uint64(d.rehashIdx) {
			continue
		}
		for e := b[idx]; e != nil; e = e.next {
			if e.Key == key {
				return e
			}
		}
	}
	return nil
}

// Upsert returns the entry for key, creating it (with a zero Value and Version =
// BirthVersion) if it is absent; existed tells which. The new entry keeps key itself: pass
// a string the caller no longer mutates (all Go strings qualify). One allocation on insert.
func (d *Dict[V]) Upsert(key string) (e *Entry[V], existed bool) {
	d.step()
	h := d.hashString(key)
	if e := d.find(h, key); e != nil {
		return e, true
	}
	e = &Entry[V]{Key: key, Version: d.birth}
	d.link(h, e)
	return e, false
}

// UpsertBytes is Upsert for a key held in a []byte. It allocates only when it inserts: one
// allocation holding the entry and, for keys of up to 48 bytes, a copy of the key right
// after it (longer keys take a second allocation).
func (d *Dict[V]) UpsertBytes(key []byte) (e *Entry[V], existed bool) {
	d.step()
	h := d.hashBytes(key)
	if e := d.find(h, string(key)); e != nil {
		return e, true
	}
	e = newEntry[V](key, d.birth)
	d.link(h, e)
	return e, false
}

// Entries with the key's bytes in the same allocation. A lookup that finds its entry then
// compares the key in the entry's own or the adjacent cache line, instead of taking one
// more cache miss on a separately allocated string (with 100k keys or more, the probe's
// misses are most of what a GET costs). The buffer sizes keep the allocation in the size
// class the entry and a separate key string took together (an entry of 64 bytes plus a key
// of up to 16, 32 or 48 bytes: 80, 96, 112), so memory per key does not change.
type (
	entryKey16[V any] struct {
		e Entry[V]
		k [16]byte
	}
	entryKey32[V any] struct {
		e Entry[V]
		k [32]byte
	}
	entryKey48[V any] struct {
		e Entry[V]
		k [48]byte
	}
)

// newEntry allocates an unlinked entry for a copy of key, with Version birth.
func newEntry[V any](key []byte, birth uint32) *Entry[V] {
	var e *Entry[V]
	var buf []byte
	switch n := len(key); {
	case n == 0:
		return &Entry[V]{Version: birth}
	case n <= 16:
		x := new(entryKey16[V])
		e, buf = &x.e, x.k[:n]
	case n <= 32:
		x := new(entryKey32[V])
		e, buf = &x.e, x.k[:n]
	case n <= 48:
		x := new(entryKey48[V])
		e, buf = &x.e, x.k[:n]
	default:
		return &Entry[V]{Key: string(key), Version: birth}
	}
	copy(buf, key)
	// The bytes are never written again: the entry's Key is immutable like any string.
	e.Key = unsafe.String(&buf[0], len(buf))
	e.Version = birth
	return e
}

// Add inserts key with value v if key is absent and returns the new entry and true. If key
// is present it changes nothing and returns the existing entry and false (Redis's dictAdd
// refusing a duplicate).
func (d *Dict[V]) Add(key string, v V) (*Entry[V], bool) {
	e, existed := d.Upsert(key)
	if existed {
		return e, false
	}
	e.Value = v
	return e, true
}

// Set stores v under key, inserting or overwriting, and returns the entry. Overwriting keeps
// the entry (and its Version): run any pre-change hook before calling Set on a live key.
func (d *Dict[V]) Set(key string, v V) *Entry[V] {
	e, _ := d.Upsert(key)
	e.Value = v
	return e
}

// AddEntry links a detached entry (one returned by Delete*, or never linked) into the dict
// if its key is absent, keeping its Value and Version: MOVE between databases uses it to
// carry a key over without reallocating it. It returns false, changing nothing, if the key
// is present. Linking an entry that is still in some Dict corrupts both.
func (d *Dict[V]) AddEntry(e *Entry[V]) bool {
	d.step()
	h := d.hashString(e.Key)
	if d.find(h, e.Key) != nil {
		return false
	}
	d.link(h, e)
	return true
}

// link inserts e, known to be absent, at the head of its bucket.
func (d *Dict[V]) link(h uint64, e *Entry[V]) {
	d.expandIfNeeded()
	t := &d.ht[0]
	if d.ht[1].buckets != nil {
		t = &d.ht[1]
	}
	idx := h & uint64(len(t.buckets)-1)
	e.next = t.buckets[idx]
	t.buckets[idx] = e
	t.used++
}

// Delete removes key and returns its entry, or nil if it was absent. The returned entry is
// detached: its Value is intact and it may be passed to AddEntry.
func (d *Dict[V]) Delete(key string) *Entry[V] {
	if d.Len() == 0 {
		return nil
	}
	d.step()
	return d.unlink(d.hashString(key), key, nil)
}

// DeleteBytes is Delete for a key held in a []byte. It does not allocate.
func (d *Dict[V]) DeleteBytes(key []byte) *Entry[V] {
	if d.Len() == 0 {
		return nil
	}
	d.step()
	return d.unlink(d.hashBytes(key), string(key), nil)
}

// DeleteEntry removes e, an entry of this dict, and reports whether it was found. It is the
// second half of a two-phase delete: Get the entry, run the snapshot pre-change hook (or
// anything else that needs the live entry), then DeleteEntry. It is also the only deletion
// allowed from inside a Scan callback or an All loop, for the entry being visited.
func (d *Dict[V]) DeleteEntry(e *Entry[V]) bool {
	if e == nil || d.Len() == 0 {
		return false
	}
	d.step()
	return d.unlink(d.hashString(e.Key), e.Key, e) != nil
}

// unlink removes the entry with hash h that is want (when want != nil) or has key.
func (d *Dict[V]) unlink(h uint64, key string, want *Entry[V]) *Entry[V] {
	for t := range 2 {
		b := d.ht[t].buckets
		if len(b) == 0 {
			return nil
		}
		idx := h & uint64(len(b)-1)
		if t == 0 && idx < uint64(d.rehashIdx) {
			continue
		}
		var prev *Entry[V]
		for e := b[idx]; e != nil; prev, e = e, e.next {
			if e != want && (want != nil || e.Key != key) {
				continue
			}
			if prev == nil {
				b[idx] = e.next
			} else {
				prev.next = e.next
			}
			e.next = nil
			if d.hold != nil {
				d.hold.keep(h, e)
			}
			d.ht[t].used--
			d.shrinkIfNeeded()
			return e
		}
	}
	return nil
}

// Clear removes every entry and frees both tables. Entries handed out before stay valid
// objects but belong to no dict. Clear must not be called from inside Scan or All. The
// resize setting and BirthVersion are kept. (The engine's FLUSHDB during a snapshot detaches
// the whole Dict instead, so the walker can finish it.)
func (d *Dict[V]) Clear() {
	d.ht = [2]table[V]{}
	d.rehashIdx = 0
}

// nextSize is the power of two ≥ n, at least InitialSize, or 0 if that exceeds MaxBuckets.
func nextSize(n int) int {
	if n <= InitialSize {
		return InitialSize
	}
	if n > MaxBuckets {
		return 0
	}
	return 1 << bits.Len(uint(n-1))
}

// adviseTable is adviseHuge, replaced by a test that records the calls.
var adviseTable = adviseHuge

// resize starts a rehash into a table of nextSize(n) buckets. It refuses (false) while
// rehashing, when the size would not change, or when it could not hold the current entries.
// An empty dict gets its new table directly, with nothing to move.
//
// huge asks for transparent huge pages before the table's first touch: only Expand does,
// for a loader pre-sizing the dict while no client waits. A table that grows under
// clients' writes keeps 4 KiB pages: there, the first touch of each huge page inside a
// rehash step or an insert is a fault that a client waits for, and the growth of a dict
// to 2M keys under a SET load stalled the server for up to 60 ms (BENCHMARKS.md, "Stalls
// under a write load"). Advising the table once its rehash was done, for khugepaged to
// collapse in the background, measured no better or worse than no advice (a stall of
// 11-20 ms in some runs of either), so the simpler rule was kept.
func (d *Dict[V]) resize(n int, huge bool) bool {
	size := nextSize(n)
	if size == 0 || d.ht[1].buckets != nil || size == len(d.ht[0].buckets) || d.ht[0].used > size {
		return false
	}
	nt := make([]*Entry[V], size)
	if huge {
		adviseTable(unsafe.Pointer(unsafe.SliceData(nt)), uintptr(size)*unsafe.Sizeof(nt[0]))
	}
	if d.ht[0].used == 0 {
		d.ht[0].buckets = nt
		return true
	}
	d.ht[1].buckets = nt
	d.rehashIdx = 0
	return true
}

// Expand pre-sizes the dict for n entries (Redis's dictExpand, used when RESIZEDB announces
// a count): it starts a rehash into a table of the next power of two ≥ n buckets, or
// replaces the table outright when the dict is empty. It returns false and does nothing if
// a rehash is already in progress, if the table is already at least that large, or if n
// exceeds MaxBuckets. It allocates 8 bytes per bucket at once: a loader must bound n by
// what its input can really hold before calling it.
func (d *Dict[V]) Expand(n int) bool {
	if n < 0 || nextSize(n) <= len(d.ht[0].buckets) {
		return false
	}
	return d.resize(n, true)
}

// expandIfNeeded grows the table before an insert (Redis's _dictExpandIfNeeded).
func (d *Dict[V]) expandIfNeeded() {
	if d.ht[1].buckets != nil {
		return
	}
	size := len(d.ht[0].buckets)
	if size == 0 {
		d.ht[0].buckets = make([]*Entry[V], InitialSize)
		return
	}
	used := d.ht[0].used
	if used >= size && (!d.noResize || used >= ForceResizeRatio*size) {
		d.resize(used+1, false)
	}
}

// needsShrink reports whether table 0 is under-filled enough to shrink.
func (d *Dict[V]) needsShrink() bool {
	size := len(d.ht[0].buckets)
	if size <= InitialSize {
		return false
	}
	used := d.ht[0].used
	if d.noResize {
		return used*100*ForceResizeRatio < MinFillPercent*size
	}
	return used*100 < MinFillPercent*size
}

// shrinkIfNeeded runs after a delete (Redis 7.4's dictShrinkIfNeeded).
func (d *Dict[V]) shrinkIfNeeded() {
	if d.ht[1].buckets != nil || d.paused > 0 || !d.needsShrink() {
		return
	}
	d.resize(d.ht[0].used, false)
}

// ResizeIfNeeded is the cron's resize check (Redis's tryResizeHashTables): it starts a grow
// or a shrink that the load factor calls for, such as one that was held back while resizing
// was disallowed. It reports whether a resize started.
func (d *Dict[V]) ResizeIfNeeded() bool {
	if d.ht[1].buckets != nil || d.paused > 0 {
		return false
	}
	size, used := len(d.ht[0].buckets), d.ht[0].used
	if size > 0 && used >= size && (!d.noResize || used >= ForceResizeRatio*size) {
		return d.resize(used+1, false)
	}
	if d.needsShrink() {
		return d.resize(used, false)
	}
	return false
}

// RehashSteps moves up to n non-empty buckets (skipping at most 10n empty ones) from the
// old table to the new one, and reports whether rehashing is still in progress afterwards.
// It does nothing while paused (inside Scan or All).
func (d *Dict[V]) RehashSteps(n int) bool {
	if d.ht[1].buckets == nil {
		return false
	}
	if d.paused > 0 || n <= 0 {
		return true
	}
	return d.rehash(n)
}

// RehashFor rehashes in batches of 100 buckets until rehashing completes or budget has
// elapsed (Redis's dictRehashMilliseconds, for the background cron), and returns the number
// of buckets it was allowed to move (a multiple of 100, as Redis counts).
func (d *Dict[V]) RehashFor(budget time.Duration) int {
	if d.paused > 0 {
		return 0
	}
	start := time.Now()
	moved := 0
	for d.ht[1].buckets != nil {
		more := d.rehash(100)
		moved += 100
		if !more || time.Since(start) >= budget {
			break
		}
	}
	return moved
}

// rehash moves up to n non-empty buckets from ht[0] to ht[1] and finishes the rehash when
// ht[0] is empty. It returns whether rehashing is still in progress. Entries are relinked,
// never copied, so pointers and Versions survive.
func (d *Dict[V]) rehash(n int) bool {
	src, dst := d.ht[0].buckets, d.ht[1].buckets
	dmask := uint64(len(dst) - 1)
	// Shrinking: the new index is the old index's low bits, no need to rehash the key.
	shrinking := len(dst) < len(src)
	emptyVisits := n * emptyVisitsPerBucket
	for ; n > 0 && d.ht[0].used > 0; n-- {
		for src[d.rehashIdx] == nil {
			d.rehashIdx++
			emptyVisits--
			if emptyVisits == 0 {
				return true
			}
		}
		for e := src[d.rehashIdx]; e != nil; {
			next := e.next
			var idx uint64
			if shrinking {
				idx = uint64(d.rehashIdx) & dmask
			} else {
				idx = d.hashString(e.Key) & dmask
			}
			e.next = dst[idx]
			dst[idx] = e
			d.ht[0].used--
			d.ht[1].used++
			e = next
		}
		src[d.rehashIdx] = nil
		d.rehashIdx++
	}
	if d.ht[0].used > 0 {
		return true
	}
	d.ht[0] = d.ht[1]
	d.ht[1] = table[V]{}
	d.rehashIdx = 0
	return false
}

// prefetchSink keeps the loads of Prefetch from being optimized away.
var prefetchSink uintptr

// PrefetchMax is the most keys one Prefetch call looks at.
const PrefetchMax = 16

// Prefetch reads, for each key (at most PrefetchMax), the head of its bucket chain and
// that entry's key, and calls touch (when not nil) on the head entry, so that a pipeline's
// lookups that follow find those cache lines loaded. Its loads do not depend on one
// another across keys, so the CPU overlaps their cache misses, where the lookups
// themselves, run one command at a time, pay them one after another. It changes nothing
// and has no effect on results; it does not advance an incremental rehash.
func (d *Dict[V]) Prefetch(keys [][]byte, touch func(*Entry[V]) uintptr) {
	if d.Len() == 0 || len(d.ht[0].buckets) == 0 {
		return
	}
	if len(keys) > PrefetchMax {
		keys = keys[:PrefetchMax]
	}
	var heads [PrefetchMax]*Entry[V]
	for i, k := range keys {
		h := d.hashBytes(k)
		b := d.ht[0].buckets
		idx := h & uint64(len(b)-1)
		if idx < uint64(d.rehashIdx) && len(d.ht[1].buckets) > 0 {
			b = d.ht[1].buckets
			idx = h & uint64(len(b)-1)
		}
		heads[i] = b[idx]
	}
	var sink uintptr
	for _, e := range heads[:len(keys)] {
		if e == nil {
			continue
		}
		if n := len(e.Key); n > 0 {
			sink += uintptr(e.Key[n-1])
		}
		if touch != nil {
			sink += touch(e)
		}
	}
	prefetchSink += sink
}

// Peek is GetBytes without the incremental rehash step: a lookup that changes nothing
// (for Prefetch's callers).
func (d *Dict[V]) Peek(key []byte) *Entry[V] {
	if d.Len() == 0 {
		return nil
	}
	return d.find(d.hashBytes(key), string(key))
}
