package persist

import (
	"encoding/binary"
	"fmt"
	"iter"
	"math"
	"slices"
	"time"
	"unsafe"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/dict"
	"github.com/redisctl/redisctl/engine/rdbobj"
	"github.com/redisctl/redisctl/engine/tlist"
	"github.com/redisctl/redisctl/engine/tset"
	"github.com/redisctl/redisctl/engine/tzset"
	"github.com/redisctl/redisctl/rdb"
	"github.com/redisctl/redisctl/rdb/lzf"
)

// RDBEncoder is the engine.SnapshotEncoder that writes RDB 10 key records exactly as Redis
// 7.0's rdbSaveKeyValuePair: EXPIRETIME_MS when the key has a TTL, IDLE (seconds) under an
// LRU maxmemory policy or FREQ under an LFU one, the type byte, the key as
// rdbSaveRawString writes it (int-encoded, LZF when rdbcompression is on, or raw), then
// the value as rdbobj writes it. The AOF rewrite uses it for its RDB preamble.
type RDBEncoder struct {
	eng      *engine.Engine
	saver    *rdbobj.Saver
	compress bool
	lru, lfu bool
	comp     lzf.Compressor
	tmp      []byte
	scratch  scratchPool
}

// NewRDBEncoder returns an encoder for eng's current maxmemory policy (lock held).
func NewRDBEncoder(eng *engine.Engine, compress bool) *RDBEncoder {
	r := &RDBEncoder{eng: eng, saver: rdbobj.NewSaver(compress), compress: compress}
	switch eng.Set.MaxmemoryPolicy {
	case "allkeys-lru", "volatile-lru":
		r.lru = true
	case "allkeys-lfu", "volatile-lfu":
		r.lfu = true
	}
	return r
}

// AppendEntry implements engine.SnapshotEncoder.
func (r *RDBEncoder) AppendEntry(dst []byte, dbID int, key string, o *engine.Object, expireMs int64) ([]byte, error) {
	return r.AppendDeferred(dst, dbID, key, o, expireMs, r.attr(o))
}

// appendAttrs appends what rdbSaveKeyValuePair writes before the type byte.
func (r *RDBEncoder) appendAttrs(dst []byte, o *engine.Object, expireMs int64) []byte {
	return r.appendAttrsOf(dst, expireMs, r.attr(o))
}

// attr is what the record of o needs of the engine's clock: the IDLE seconds under an
// LRU policy, the FREQ counter under an LFU one (lock held).
func (r *RDBEncoder) attr(o *engine.Object) int64 {
	switch {
	case r.lru:
		return r.eng.IdleMs(o) / 1000
	case r.lfu:
		return int64(r.eng.LFUCounter(o))
	}
	return 0
}

// appendAttrsOf is appendAttrs with attr already taken.
func (r *RDBEncoder) appendAttrsOf(dst []byte, expireMs, attr int64) []byte {
	if expireMs != -1 {
		dst = append(dst, byte(rdb.OpExpireTimeMs))
		dst = binary.LittleEndian.AppendUint64(dst, uint64(expireMs))
	}
	if r.lru {
		dst = append(dst, byte(rdb.OpIdle))
		dst = rdb.AppendLen(dst, uint64(attr))
	}
	if r.lfu {
		dst = append(dst, byte(rdb.OpFreq), uint8(attr))
	}
	return dst
}

// Deferrable implements engine.SnapshotDeferred: a value whose encoding is its bytes alone
// (strings, listpacks, intsets) and that BeginBig left to AppendEntry (under renderBytes)
// is written off the lock by the encoder DeferredEncoder returns. Lock held.
func (r *RDBEncoder) Deferrable(o *engine.Object) (int64, bool) {
	switch o.Encoding() {
	case engine.EncInt, engine.EncRaw, engine.EncEmbstr, engine.EncListpack, engine.EncIntset:
		return r.attr(o), true
	}
	return 0, false
}

// DeferredEncoder implements engine.SnapshotDeferred: an encoder of its own (its LZF
// tables and scratch buffers are the walker goroutine's), with no engine to read.
func (r *RDBEncoder) DeferredEncoder() engine.DeferredEncoder {
	return &RDBEncoder{saver: rdbobj.NewSaver(r.compress), compress: r.compress, lru: r.lru, lfu: r.lfu}
}

// AppendDeferred implements engine.DeferredEncoder: AppendEntry with the IDLE or FREQ
// taken when the entry was claimed.
func (r *RDBEncoder) AppendDeferred(dst []byte, _ int, key string, o *engine.Object, expireMs, attr int64) ([]byte, error) {
	mark := len(dst)
	dst = r.appendAttrsOf(dst, expireMs, attr)
	tpos := len(dst)
	dst = append(dst, 0)
	dst = r.appendString(dst, key)
	t, out, err := r.saver.AppendValue(dst, o)
	if err != nil {
		return dst[:mark], err
	}
	out[tpos] = byte(t)
	return out, nil
}

// BigElements is the element count from which a hashtable hash or set, a skiplist zset
// or a quicklist is serialized in time-bounded steps (engine.SnapshotIncremental)
// instead of at once.
const BigElements = 2048

// BeginBig implements engine.SnapshotIncremental. Quicklists, skiplist zsets, big
// strings (and listpacks and intsets of renderBytes or more) and streams of streamNodes
// nodes or more have jobs of their own (listJob, zsetJob, strJob, streamJob). A hashtable
// hash or set of at least BigElements elements is written in steps, each scanning the
// value's table with its SCAN cursor until the deadline. A rehash of that table in
// progress is finished first (in steps too); then nothing moves until the value changes,
// and the snapshot detaches the job (Detach: the table is held, copy-on-write per entry)
// before any change, so every element is written exactly once.
func (r *RDBEncoder) BeginBig(_ int, key string, o *engine.Object, expireMs int64) engine.SnapshotJob {
	switch {
	case o.Type() == engine.TypeList && o.Encoding() == engine.EncQuicklist:
		ql := tlist.FromObject(o)
		if ql.Len() < BigElements && !listHasBig(ql) {
			return r.renderJob(key, o, expireMs)
		}
		head := r.appendAttrs(nil, o, expireMs)
		head = append(head, byte(rdb.TypeListQuicklist2))
		head = r.appendString(head, key)
		head = rdb.AppendLen(head, uint64(ql.NodeCount()))
		return &listJob{r: r, head: head, ql: ql, want: ql.NodeCount(), copied: -1, pend: elemQueue{r: r}}
	case o.Type() == engine.TypeZSet && o.Encoding() == engine.EncSkiplist:
		n := tzset.Len(o)
		if n < BigElements && !zsetHasBig(o) {
			return r.renderJob(key, o, expireMs)
		}
		head := r.appendAttrs(nil, o, expireMs)
		head = append(head, byte(rdb.TypeZSet2))
		head = r.appendString(head, key)
		head = rdb.AppendLen(head, uint64(n))
		return &zsetJob{r: r, head: head, o: o, want: n, copied: -1, pend: elemQueue{r: r}}
	case blobRecord(o) && len(o.Bytes()) >= renderBytes:
		t, err := rdbobj.TypeOf(o)
		if err != nil {
			return r.renderJob(key, o, expireMs) // its render reports the error
		}
		head := r.appendAttrs(nil, o, expireMs)
		head = append(head, byte(t))
		head = r.appendString(head, key)
		return newStrJob(head, o.Bytes(), r.compress)
	case o.Type() == engine.TypeStream:
		st := bigStream(o)
		if st == nil {
			return nil
		}
		head := r.appendAttrs(nil, o, expireMs)
		head = append(head, byte(rdb.TypeStreamListpacks2))
		head = r.appendString(head, key)
		head = rdb.AppendLen(head, uint64(st.NumNodes()))
		return newStreamJob(r, head, st)
	case o.Encoding() != engine.EncHashtable:
		return r.renderJob(key, o, expireMs)
	}
	head := r.appendAttrs(nil, o, expireMs)
	switch o.Type() {
	case engine.TypeHash:
		d := (*dict.Dict[string])(o.Ptr()) // thash's hashtable encoding
		elemOf := func(e *dict.Entry[string]) (elem, bool) {
			return elem{s: [2]string{e.Key, e.Value}, n: 2}, bigElems(e.Key, e.Value)
		}
		if d.Len() < BigElements && !tableHasBig(d, elemOf) {
			return r.renderJob(key, o, expireMs)
		}
		head = append(head, byte(rdb.TypeHash))
		head = r.appendString(head, key)
		head = rdb.AppendLen(head, uint64(d.Len()))
		return &tableJob[string]{r: r, head: head, d: d, want: d.Len(), copied: -1, elemOf: elemOf, pend: elemQueue{r: r},
			emit: func(dst []byte, e *dict.Entry[string]) []byte {
				return r.appendString(r.appendString(dst, e.Key), e.Value)
			}}
	case engine.TypeSet:
		d := tset.Hashtable(o)
		elemOf := func(e *dict.Entry[struct{}]) (elem, bool) {
			return elem{s: [2]string{e.Key}, n: 1}, bigElems(e.Key, "")
		}
		if d == nil || d.Len() < BigElements && !tableHasBig(d, elemOf) {
			return r.renderJob(key, o, expireMs)
		}
		head = append(head, byte(rdb.TypeSet))
		head = r.appendString(head, key)
		head = rdb.AppendLen(head, uint64(d.Len()))
		return &tableJob[struct{}]{r: r, head: head, d: d, want: d.Len(), copied: -1, elemOf: elemOf, pend: elemQueue{r: r},
			emit: func(dst []byte, e *dict.Entry[struct{}]) []byte { return r.appendString(dst, e.Key) }}
	}
	return r.renderJob(key, o, expireMs)
}

// tableHasBig reports whether a table under BigElements entries has an element with a
// big string (bigElem): its record then takes a job too, which writes that string in
// steps (a walk of at most BigElements entries, under the lock).
func tableHasBig[V any](d *dict.Dict[V], elemOf func(*dict.Entry[V]) (elem, bool)) bool {
	for e := range d.All() {
		if _, big := elemOf(e); big {
			return true
		}
	}
	return false
}

// listHasBig is tableHasBig for a quicklist under BigElements elements: a node of
// bigElem bytes or more, not compressed.
func listHasBig(ql *tlist.Quicklist) bool {
	big := false
	ql.Nodes(func(n tlist.NodeView) bool {
		big = !n.Compressed && len(n.Data) >= bigElem
		return !big
	})
	return big
}

// zsetHasBig is tableHasBig for a skiplist zset under BigElements members.
func zsetHasBig(o *engine.Object) bool {
	big := false
	tzset.Descend(o, func(m []byte, _ float64) bool {
		big = len(m) >= bigElem
		return !big
	})
	return big
}

// blobRecord reports whether o's record holds its bytes as one string (rdbSaveRawString,
// LZF when compressing): a string, or a listpack hash or zset, or an intset. A big one is
// written by a strJob.
func blobRecord(o *engine.Object) bool {
	switch o.Encoding() {
	case engine.EncRaw:
		return o.Type() == engine.TypeString
	case engine.EncListpack:
		return o.Type() == engine.TypeHash || o.Type() == engine.TypeZSet
	case engine.EncIntset:
		return o.Type() == engine.TypeSet
	}
	return false
}

// renderJob is the job of a record written whole but handed over in pieces (see
// renderJob), or nil for a record written by AppendEntry.
func (r *RDBEncoder) renderJob(key string, o *engine.Object, expireMs int64) engine.SnapshotJob {
	if !rendered(o) {
		return nil
	}
	return &renderJob{pool: &r.scratch, render: func(dst []byte) ([]byte, error) {
		return r.AppendEntry(dst, 0, key, o, expireMs)
	}}
}

// tableJob writes a hashtable value in steps.
type tableJob[V any] struct {
	r      *RDBEncoder
	head   []byte
	d      *dict.Dict[V]
	emit   func(dst []byte, e *dict.Entry[V]) []byte
	elemOf func(e *dict.Entry[V]) (elem, bool) // e taken aside, and whether it is big
	pend   elemQueue
	stage  int // 0 head, 1 rehash, 2 scan, 3 scanned
	cursor uint64
	want   int
	got    int
	held   bool  // Detach held the table (dict.Hold): it may change between steps
	copied int64 // held: bytes written from the hold's copies; -1: never held
}

// Detach implements engine.SnapshotDetacher. It holds the table (dict.Hold): nothing is
// copied now; from then on a change to an entry the scan has not reached first keeps the
// entry's old key and value (the strings themselves are never rewritten: only the header
// is copied), entries added are skipped, and later steps write the rest of the scan and
// what was kept. So the hook costs the same whatever the value's size, and each change
// after it one check, plus one copy the first time an entry changes. The record holds the
// same elements as one written on the untouched value, in another order once anything
// changed.
//
// dict.Hold refuses a table another job holds (one job per value), a scan under way on a
// rehashing table (a scan begins after stage 1 has finished the rehash, and nothing starts
// one between steps without a change, which detaches first), and a token that would wrap
// (after 2^32 holds of one table): none of them can happen here, and the snapshot fails
// rather than write a wrong record.
func (j *tableJob[V]) Detach() error {
	if j.held || j.copied >= 0 {
		return nil
	}
	if j.stage == 3 {
		j.copied = 0 // scanned: what is left is taken aside (elemQueue), the table no longer read
		return nil
	}
	if !j.d.Hold(j.cursor) {
		return fmt.Errorf("persist: a %d-element value could not be held", j.want)
	}
	j.held, j.copied = true, 0
	return nil
}

// Copied implements engine.SnapshotHolder.
func (j *tableJob[V]) Copied() (int64, bool) { return j.copied, j.copied >= 0 }

// Abort implements engine.SnapshotJob's optional Abort: a held table is released.
func (j *tableJob[V]) Abort() {
	if j.held {
		j.d.Release()
		j.held = false
	}
}

// Step implements engine.SnapshotJob.
func (j *tableJob[V]) Step(dst []byte, deadline time.Time) ([]byte, bool, error) {
	if j.stage == 0 {
		dst = append(dst, j.head...)
		j.stage = 1
	}
	// An element with a big string is taken aside (its headers: the bytes are never
	// rewritten) and written over the next steps, before the scan goes on.
	emit := func(e *dict.Entry[V]) {
		if x, big := j.elemOf(e); big {
			j.pend.push(x)
		} else {
			dst = j.emit(dst, e)
		}
		j.got++
	}
	kept := func(e *dict.Entry[V]) {
		n := len(dst)
		if x, big := j.elemOf(e); big {
			j.copied += int64(len(x.s[0]) + len(x.s[1]))
		}
		emit(e)
		j.copied += int64(len(dst) - n)
	}
	for n := 1; ; n++ {
		out, ret, err := j.pend.drain(dst, deadline)
		if dst = out; ret {
			return dst, err != nil, err
		}
		if j.stage == 3 {
			j.Abort()
			return dst, true, j.check()
		}
		if !deadline.IsZero() && n&63 == 0 && time.Now().After(deadline) {
			return dst, false, nil
		}
		switch {
		case j.held:
			// The table changes between steps: the entries kept since the last step, then
			// more of the scan (entries as they were when the job began, none twice).
			j.d.TakeKept(kept)
			if j.cursor = j.d.ScanHeld(j.cursor, emit); j.cursor == 0 {
				j.d.TakeKept(kept)
				j.Abort()
				j.stage = 3
			}
		case j.stage == 1:
			if !j.d.IsRehashing() {
				j.stage = 2
				continue
			}
			j.d.RehashSteps(100)
		default:
			if j.cursor = j.d.Scan(j.cursor, emit); j.cursor == 0 {
				j.stage = 3
			}
		}
	}
}

func (j *tableJob[V]) check() error {
	if j.got != j.want {
		return fmt.Errorf("persist: a %d-element value was written with %d elements", j.want, j.got)
	}
	return nil
}

// appendString is rdbSaveRawString for a key.
func (r *RDBEncoder) appendString(dst []byte, s string) []byte {
	b := unsafe.Slice(unsafe.StringData(s), len(s)) // read only
	if n := len(s); n > 0 && n <= 11 {
		if v, ok := engine.ParseInt(b); ok && v >= math.MinInt32 && v <= math.MaxInt32 {
			switch {
			case v >= math.MinInt8 && v <= math.MaxInt8:
				return append(dst, 0xC0, byte(v))
			case v >= math.MinInt16 && v <= math.MaxInt16:
				return append(dst, 0xC1, byte(v), byte(v>>8))
			default:
				return append(dst, 0xC2, byte(v), byte(v>>8), byte(v>>16), byte(v>>24))
			}
		}
	}
	if r.compress && len(s) > 20 {
		budget := len(s) - 4
		if cap(r.tmp) < budget {
			r.tmp = make([]byte, budget)
		}
		if n := r.comp.Compress(r.tmp[:budget], b); n > 0 {
			dst = append(dst, 0xC3)
			dst = rdb.AppendLen(dst, uint64(n))
			dst = rdb.AppendLen(dst, uint64(len(s)))
			return append(dst, r.tmp[:n]...)
		}
	}
	dst = rdb.AppendLen(dst, uint64(len(s)))
	return append(dst, s...)
}

// listJob writes a quicklist in steps of whole nodes (QUICKLIST_2: the node count, then
// each node's container and bytes, an LZF node as its LZF blob), as rdbobj writes it.
// A step skips the nodes already written (pointer hops only) and resumes.
type listJob struct {
	r      *RDBEncoder
	head   []byte
	ql     *tlist.Quicklist
	want   int
	done   int
	begun  bool
	held   bool            // Detach held the list (tlist's Hold): it may change between steps
	copied int64           // held: bytes written from the hold's copies; -1: never held
	next   *tlist.NodeView // held: a node taken that did not fit the last step's chunk
	// A big node (bigElem) is taken aside and written over the next steps (elemQueue)
	// before the next node. Its bytes are the node's until Detach copies them (pend.own).
	pend     elemQueue
	finished bool // every node written or taken aside
}

// Detach implements engine.SnapshotDetacher. It holds the list (Quicklist.Hold): nothing
// is copied now; from then on a node the job has not written is copied the first time its
// elements change or it is unlinked, nodes linked in are skipped, and later steps write
// the nodes the list had, in their order, from the list or from the copies. So the hook
// costs a walk over the list's nodes (pointer hops: a few hundred for 100k 20-byte
// elements), and each change after it one check, plus one node's copy the first time a
// node changes.
//
// Quicklist.Hold refuses only a list another job holds (one job per value) or a token
// that would wrap (after 2^32 holds of one list): the snapshot fails then rather than
// write a wrong record.
func (j *listJob) Detach() error {
	if j.held || j.copied >= 0 {
		return nil
	}
	j.pend.own() // a node the job took aside may change from now on
	if j.finished {
		j.copied = 0 // nothing left to read in the list
		return nil
	}
	if !j.ql.Hold(j.done) {
		return fmt.Errorf("persist: a %d-node list could not be held", j.want)
	}
	j.held, j.copied = true, 0
	return nil
}

// Copied implements engine.SnapshotHolder.
func (j *listJob) Copied() (int64, bool) { return j.copied, j.copied >= 0 }

// Abort implements engine.SnapshotJob's optional Abort: a held list is released.
func (j *listJob) Abort() {
	if j.held {
		j.ql.Release()
		j.held = false
	}
}

// Step implements engine.SnapshotJob.
func (j *listJob) Step(dst []byte, deadline time.Time) ([]byte, bool, error) {
	if !j.begun {
		dst = append(dst, j.head...)
		j.begun = true
	}
	out, ret, err := j.pend.drain(dst, deadline)
	if dst = out; ret {
		return dst, err != nil, err
	}
	if j.finished {
		return j.finish(dst)
	}
	stopped, wrote := false, 0
	// Hand the chunk over rather than grow it: a grown buffer is garbage the collector
	// then finds by marking the whole dataset. At least one node per step.
	// A big node goes to the queue (write), whatever room the chunk has.
	fits := func(n tlist.NodeView) bool {
		return wrote == 0 || len(dst)+len(n.Data)+32 <= cap(dst) || !n.Compressed && len(n.Data) >= bigElem
	}
	// write reports whether the step has time for more.
	write := func(n tlist.NodeView) bool {
		wrote++
		if n.Plain {
			dst = rdb.AppendLen(dst, 1)
		} else {
			dst = rdb.AppendLen(dst, 2)
		}
		switch {
		case n.Compressed:
			dst = append(dst, 0xC3)
			dst = rdb.AppendLen(dst, uint64(len(n.Data)))
			dst = rdb.AppendLen(dst, uint64(n.RawLen))
			dst = append(dst, n.Data...)
		case len(n.Data) >= bigElem:
			// Its LZF goes over the next steps. A held list's live node may change
			// before then: its bytes are copied (a copy of the hold's is the job's).
			data := n.Data
			if j.held && !n.Copy {
				data = slices.Clone(data)
			}
			j.pend.push(elem{s: [2]string{unsafe.String(unsafe.SliceData(data), len(data))}, n: 1})
			j.done++
			return false
		default:
			dst = j.r.appendRaw(dst, n.Data)
		}
		j.done++
		return deadline.IsZero() || !time.Now().After(deadline)
	}
	put := func(n tlist.NodeView) bool {
		if !fits(n) || !write(n) {
			stopped = true
			return false
		}
		return true
	}
	switch {
	case j.held:
		for {
			var n tlist.NodeView
			if j.next != nil {
				n, j.next = *j.next, nil
			} else if v, ok := j.ql.NextHeld(); ok {
				n = v
			} else {
				j.Abort()
				break
			}
			if !fits(n) {
				// Taken but not written: kept for the next step as a copy (a hold's
				// copy is one already), since the list may change before then.
				if !n.Copy {
					n.Data = slices.Clone(n.Data)
				}
				j.next = &n
				return dst, false, nil
			}
			before := len(dst)
			more := write(n)
			if n.Copy {
				j.copied += int64(len(dst) - before)
			}
			if !more {
				return dst, false, nil
			}
		}
	default:
		i := 0
		j.ql.Nodes(func(n tlist.NodeView) bool {
			if i < j.done {
				i++
				return true
			}
			i++
			return put(n)
		})
	}
	if stopped && j.done < j.want {
		return dst, false, nil
	}
	j.finished = true
	if !j.pend.empty() {
		return dst, false, nil // written first, at the next step
	}
	return j.finish(dst)
}

// finish ends the job once every node is written.
func (j *listJob) finish(dst []byte) ([]byte, bool, error) {
	j.Abort()
	if j.done != j.want {
		return dst, true, fmt.Errorf("persist: a %d-node list was written with %d nodes", j.want, j.done)
	}
	return dst, true, nil
}

// zsetJob writes a skiplist sorted set in steps as ZSET_2, greatest score first (as
// rdbobj and Redis write it: a loader then inserts each member at the head). The descent
// is one pass held between steps (iter.Pull2): the skiplist does not change between
// steps until the job is detached, so a step resumes at the next member instead of
// walking down from the top past the ones already written (which cost a 100k-member
// zset's late steps milliseconds under the lock).
//
// Detach holds the set (tzset.Hold, copy-on-write per member): the descent ends, and the
// later steps write the members below the last one written from a scan of the member
// dict and the copies the hold kept, in the dict's order.
type zsetJob struct {
	r     *RDBEncoder
	head  []byte
	o     *engine.Object
	want  int
	done  int
	begun bool
	next  func() ([]byte, float64, bool)
	stop  func()
	// The last member written by the descent (what the hold needs).
	lastScore  float64
	lastMember string
	pend       elemQueue
	finished   bool // every member written or taken aside
	// Once detached.
	held   *tzset.Held
	copied int64 // held: bytes written from the hold's copies; -1: never held
	cursor uint64
	out    []byte // the step's dst while held's scan appends to it
}

// Step implements engine.SnapshotJob.
func (j *zsetJob) Step(dst []byte, deadline time.Time) ([]byte, bool, error) {
	if !j.begun {
		dst = append(dst, j.head...)
		j.begun = true
	}
	for {
		// A member with a big string, taken aside, is written over the next steps
		// (elemQueue) before the descent or the scan goes on.
		out, ret, err := j.pend.drain(dst, deadline)
		if dst = out; ret {
			return dst, err != nil, err
		}
		if j.finished {
			j.Abort()
			return dst, true, j.check()
		}
		if j.held != nil {
			j.out = dst
			for n := 1; ; n++ {
				if j.cursor = j.held.Scan(j.cursor); j.cursor == 0 {
					j.finished = true
					break
				}
				if !j.pend.empty() {
					break
				}
				if !deadline.IsZero() && n&15 == 0 && time.Now().After(deadline) {
					dst, j.out = j.out, nil
					return dst, false, nil
				}
			}
			dst, j.out = j.out, nil
			continue
		}
		if j.next == nil {
			j.next, j.stop = iter.Pull2(func(yield func([]byte, float64) bool) { tzset.Descend(j.o, yield) })
		}
		for {
			m, score, ok := j.next()
			if !ok {
				j.finished = true
				break
			}
			j.add(&dst, m, score)
			j.done++
			if !j.pend.empty() || !deadline.IsZero() && j.done&31 == 0 && time.Now().After(deadline) {
				// The member's bytes are never rewritten: keeping them costs no copy.
				j.lastScore, j.lastMember = score, unsafe.String(unsafe.SliceData(m), len(m))
				if j.pend.empty() {
					return dst, false, nil
				}
				break
			}
		}
	}
}

// add writes a member and its score, or takes a member with a big string aside.
func (j *zsetJob) add(dst *[]byte, m []byte, score float64) {
	if len(m) >= bigElem {
		j.pend.push(elem{s: [2]string{unsafe.String(unsafe.SliceData(m), len(m))}, n: 1, score: score, zset: true})
		return
	}
	*dst = j.r.appendRaw(*dst, m)
	*dst = binary.LittleEndian.AppendUint64(*dst, math.Float64bits(score))
}

// Detach implements engine.SnapshotDetacher: the set is held (tzset.Hold) below the last
// member the descent wrote, which every step ends on. tzset.Hold refuses only what
// dict.Hold does (see tableJob.Detach), which cannot happen here: the snapshot fails then
// rather than write a wrong record.
func (j *zsetJob) Detach() error {
	if j.held != nil || j.copied >= 0 {
		return nil
	}
	if j.finished {
		j.copied = 0 // every member written or taken aside (elemQueue): nothing to hold
		return nil
	}
	j.Abort()
	j.held = tzset.Hold(j.o, j.done, j.lastScore, j.lastMember, func(m []byte, score float64, kept bool) {
		n := len(j.out)
		j.add(&j.out, m, score)
		j.done++
		if kept {
			j.copied += int64(len(j.out) - n)
			if len(m) >= bigElem {
				j.copied += int64(len(m))
			}
		}
	})
	if j.held == nil {
		return fmt.Errorf("persist: a %d-member zset could not be held", j.want)
	}
	j.copied = 0
	return nil
}

// Copied implements engine.SnapshotHolder.
func (j *zsetJob) Copied() (int64, bool) { return j.copied, j.copied >= 0 }

func (j *zsetJob) check() error {
	if j.done != j.want {
		return fmt.Errorf("persist: a %d-member zset was written with %d members", j.want, j.done)
	}
	return nil
}

// Abort ends the descent held between steps, and the hold of a detached job
// (engine.SnapshotJob's optional Abort: the snapshot was canceled, or the job is done).
func (j *zsetJob) Abort() {
	if j.stop != nil {
		j.stop()
		j.stop, j.next = nil, nil
	}
	if j.held != nil {
		j.held.Release()
		j.held = nil
	}
}

// appendRaw is appendString for bytes.
func (r *RDBEncoder) appendRaw(dst, b []byte) []byte {
	return r.appendString(dst, unsafe.String(unsafe.SliceData(b), len(b)))
}
