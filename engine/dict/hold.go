package dict

import "math/bits"

// A hold is copy-on-write for one reader that writes the dict's entries out in steps (a
// snapshot job writing a big hash or set) while the dict keeps changing between its steps.
// The reader wants the entries as they were when it began; without a hold, a change would
// first have to wait for the rest of them to be copied or written.
//
// Hold stamps nothing and copies nothing. It takes a new token above every Version in the
// dict (the dict's birth version plus one: a dict that holds sets every Version itself, see
// Hold) and makes it the birth version, and it pauses rehashing, so no entry moves between
// tables and no table shrinks while it lasts. From then on:
//
//   - an entry added is born with the token: the reader skips it;
//   - an entry below the token that is deleted (any Delete*), or is about to change in
//     place (BeforeWrite, which callers must call first), is copied (key and value) into
//     the hold's kept list, unless the reader's scan had passed it when the hold began; it
//     is stamped with the token;
//   - ScanHeld, the reader's scan from the cursor it held at, passes only entries below
//     the token and stamps them, so an entry it passed is not copied when it changes later.
//
// So every entry of the dict as it was at Hold, and not yet passed by the reader, reaches
// the reader exactly once: through ScanHeld or through TakeKept. The cost of a change is
// one check, plus one copy of the entry the first time it changes.
type hold[V any] struct {
	token  uint32
	mask   uint64 // ht[0]'s bucket mask when the hold began with a scan under way
	cursor uint64 // the reader's cursor when the hold began (0: no bucket read yet)
	kept   []Entry[V]
	// HoldBy's: which entries the reader has (instead of the cursor), and the copy of a
	// value it keeps (nil: the value itself).
	had  func(e *Entry[V]) bool
	copy func(v V) V
}

// passed reports whether the reader had e (hash is e's hash) when the hold began: with
// Hold, whether its scan had read e's bucket (the cursor visits buckets in the order of
// their reversed index).
func (h *hold[V]) passed(hash uint64, e *Entry[V]) bool {
	if h.had != nil {
		return h.had(e)
	}
	return h.cursor != 0 && bits.Reverse64(hash&h.mask) < bits.Reverse64(h.cursor&h.mask)
}

// keep copies e when it is as it was at Hold and the reader has not passed it, and stamps
// it. hash is e's hash.
func (h *hold[V]) keep(hash uint64, e *Entry[V]) {
	if e.Version >= h.token {
		return
	}
	if !h.passed(hash, e) {
		v := e.Value
		if h.copy != nil {
			v = h.copy(v)
		}
		h.kept = append(h.kept, Entry[V]{Key: e.Key, Value: v})
	}
	e.Version = h.token
}

// Hold begins a hold for a reader whose Scan of the dict stands at cursor (0: it has read
// no bucket yet). It reports false, changing nothing, when the dict already has a hold, when
// the reader's scan is under way while the dict is rehashing (which bucket it passed then
// depends on both tables), or when the token would wrap around.
//
// Only a dict whose Versions nobody but the dict sets may be held (a hash's or a set's
// table, a sorted set's member dict): the token must be above every Version in it, and the
// dict knows that only of the Versions it gave (births and earlier holds' stamps). The
// engine's keyspace dicts, which the engine stamps, must never be held.
func (d *Dict[V]) Hold(cursor uint64) bool {
	if d.hold != nil || cursor != 0 && d.ht[1].buckets != nil || d.birth+1 == 0 {
		return false
	}
	h := &hold[V]{token: d.birth + 1, cursor: cursor}
	if n := len(d.ht[0].buckets); n > 0 {
		h.mask = uint64(n - 1)
	}
	d.birth = h.token
	d.paused++
	d.hold = h
	return true
}

// HoldBy is Hold for a reader that reads the dict's values in an order of its own (a
// sorted set's job descends its skiplist): had reports whether the reader has written an
// entry as it is now, and ScanHeld, from cursor 0, passes the entries below the token
// that it has not. copy, when not nil, makes the value kept for an entry changed or
// deleted before the reader had it (a copy of what the reader needs, where the value points
// at something that changes in place). had and copy are called under the caller's lock,
// only on entries as they were at the hold. It reports false as Hold does.
func (d *Dict[V]) HoldBy(had func(e *Entry[V]) bool, copy func(v V) V) bool {
	if !d.Hold(0) {
		return false
	}
	d.hold.had, d.hold.copy = had, copy
	return true
}

// Held reports whether the dict has a hold.
func (d *Dict[V]) Held() bool { return d.hold != nil }

// BeforeWrite must be called before an entry's Value is changed in place (or its Key
// replaced by equal bytes) while the dict may have a hold: the entry's old key and value
// are kept for the holder if it has not read them yet. Without a hold it is one check.
func (d *Dict[V]) BeforeWrite(e *Entry[V]) {
	if h := d.hold; h != nil && e.Version < h.token {
		var hash uint64
		if h.had == nil {
			hash = d.hashString(e.Key)
		}
		h.keep(hash, e)
	}
}

// ScanHeld is the holder's Scan: from the cursor it held at, it passes fn the entries
// that are as they were at Hold (below the token), stamping each, and returns the next
// cursor (0: the scan is complete). fn follows Scan's rules. Without a hold it is Scan.
func (d *Dict[V]) ScanHeld(cursor uint64, fn func(e *Entry[V])) uint64 {
	h := d.hold
	if h == nil {
		return d.Scan(cursor, fn)
	}
	return d.Scan(cursor, func(e *Entry[V]) {
		if e.Version < h.token {
			e.Version = h.token
			if h.had == nil || !h.had(e) {
				fn(e)
			}
		}
	})
}

// TakeKept passes fn the entries the hold kept since the last call (the old key and value
// of each entry changed or deleted before the holder read it), and forgets them.
func (d *Dict[V]) TakeKept(fn func(e *Entry[V])) {
	h := d.hold
	if h == nil {
		return
	}
	for i := range h.kept {
		fn(&h.kept[i])
	}
	clear(h.kept)
	h.kept = h.kept[:0]
}

// Release ends the hold: rehashing resumes, and entries kept and not taken are dropped.
// The birth version stays at the token. It does nothing without a hold.
func (d *Dict[V]) Release() {
	if d.hold == nil {
		return
	}
	d.hold = nil
	d.paused--
}
