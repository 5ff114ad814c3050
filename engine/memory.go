package engine

import (
	"math/bits"

	"github.com/redisctl/redisctl/engine/memmodel"
)

// Memory accounting: what real Redis 7.0 would report as used_memory for this keyspace.
//
// Redis counts allocator bytes (zmalloc_used_memory). We cannot measure Go's heap in Redis
// terms, so the engine keeps a running total of what each key would cost inside Redis (the
// family's MemoryUsage model, i.e. MEMORY USAGE, plus the allocator rounding MEMORY USAGE
// leaves out) and adds the fixed and per-structure overheads Redis has (the startup
// baseline, the keyspace's hash tables, the expires entries, clients).
//
// Each key remembers the size it was last counted with (Object.msize, quantized to 16 bits
// so it fits in the Object's padding). Every path that is about to change an entry
// (beforeChange: write lookups, SetKey, Overwrite, SetExpire, …) notes the entry; new keys
// are noted on insertion. At the end of each command (Call) the noted entries are re-measured
// and the difference to their last counted size goes into the totals, so a total is always
// the exact sum of its keys' last counted sizes; deletions subtract the counted size at once.
// Re-measuring uses MemoryUsage with 5 samples, as MEMORY USAGE does, so a big container
// costs O(samples), not O(elements). Nothing allocates per command once the pending list
// has grown to its working size.
//
// Sampling a hashtable, skiplist, quicklist or stream walks several of its nodes: on a big
// key written by every command (HSET/SADD/LPUSH into one key) that was a tenth of the
// command's cost, where Redis's allocator counter costs nothing. So the end of a command
// measures strings, listpacks, intsets and small containers at once and moves the bigger
// containers to a short deferred list; they are measured when a total is read (UsedMemory,
// which INFO, MEMORY STATS, the OOM check and eviction go through; RecountMemory; FLUSHDB;
// SWAPDB) or when the list fills up. A measurement always sees the entry's current value,
// so every total read is the same as if each key had been measured after each command.

// Quantized sizes: 5-bit exponent, 11-bit mantissa, rounded up. Sizes under 2048 are exact;
// above, the error is under 1/1024. 0 means "not counted yet" and memDead marks an entry
// that has been removed from its dict.
const (
	memMantBits = 11
	memDead     = 0xFFFF
	memMaxCode  = memDead - 1
)

func memEncode(n int64) uint16 {
	if n < 1 {
		n = 1
	}
	if n < 1<<memMantBits {
		return uint16(n)
	}
	e := bits.Len64(uint64(n)) - memMantBits
	m := (n + 1<<e - 1) >> e
	if m >= 1<<memMantBits {
		m >>= 1
		e++
	}
	c := int64(e)<<memMantBits | m
	if c > memMaxCode {
		c = memMaxCode
	}
	return uint16(c)
}

func memDecode(c uint16) int64 {
	if c == 0 || c == memDead {
		return 0
	}
	m := int64(c & (1<<memMantBits - 1))
	e := uint(c >> memMantBits)
	if e == 0 {
		return m
	}
	return m << e
}

// Fixed costs of Redis 7.0.15 (jemalloc 5.3, x86-64, 16 databases), measured with INFO.
const (
	// MemStartup is used_memory of a fresh redis-server with no client (used_memory_startup).
	MemStartup = 876088
	// memBaselineExtra is what a running server holds beyond startup with no data (shared
	// structures created lazily on the first commands), measured as used_memory minus
	// startup minus the measuring client.
	memBaselineExtra = 37000
	// MemClientIdle and MemClientActive are one normal client's cost: the client struct and
	// its reply buffer, and while it is active also the 16 KiB query buffer (Redis frees it
	// after 2 seconds idle).
	MemClientIdle   = 10496
	MemClientActive = 38336
	dictEntryAlloc  = 32 // sizeof(dictEntry) 24, allocated in jemalloc's 32 class
)

type memState struct {
	data    int64 // Σ counted key sizes over all dbs
	pending []pendingMem
	// deferred holds containers noted by finished commands and not measured yet (each
	// entry once); memSettleAll measures them.
	deferred []pendingMem
	extra    int64 // server's share: clients, buffers (SetExtraMemory)
	notCnt   int64 // memory not counted for eviction: AOF and replica buffers
	peak     int64
	proc     func() ProcessMem // the process's own figures (SetProcessMemory)

	// tables caches the dicts' tables and expires entries (a walk over the dbs): it is
	// recomputed after a change to the keyspace, or once per millisecond (incremental
	// rehashing frees tables on reads too).
	tables      int64
	tablesAt    int64
	tablesDirty bool
}

// memPendingMax bounds the pending list (16 bytes an entry).
const memPendingMax = 4096

// memDeferredMax bounds the deferred list: past it, a command's settle measures them all.
// Small, because each new container is looked for in the list.
const memDeferredMax = 32

// memDeferMin is the counted size from which a container's measure is deferred: smaller
// ones (a few nodes, cheap to walk and still in cache) are measured at once, so commands
// spread over many small containers do not fill the deferred list.
const memDeferMin = 4096

type pendingMem struct {
	db *DB
	e  *Entry
}

// memNote records that an entry is about to change (or was just created): its size is
// measured again at the end of the command.
func (db *DB) memNote(e *Entry) {
	m := &db.eng.mem
	n := len(m.pending)
	if n > 0 && m.pending[n-1].e == e {
		return
	}
	if n >= memPendingMax {
		// Work outside of a command (loading a file) or one command writing thousands of
		// keys: measure what is pending now, so the list stays small. Each of those keys
		// has had its change by then (commands finish one key before the next).
		db.eng.memSettle()
	}
	m.pending = append(m.pending, pendingMem{db, e})
	m.tablesDirty = true
}

// memForget subtracts a removed entry's counted size and marks it dead.
func (db *DB) memForget(e *Entry) {
	n := memDecode(e.Value.msize)
	db.memKeys -= n
	db.eng.mem.data -= n
	db.eng.mem.tablesDirty = true
	e.Value.msize = memDead
}

// memFlush forgets every key of db before its dicts are replaced (FLUSHDB, FLUSHALL).
func (db *DB) memFlush() {
	m := &db.eng.mem
	db.eng.memSettleAll()
	m.data -= db.memKeys
	db.memKeys = 0
	m.tablesDirty = true
}

// memSettle re-measures the entries noted since the last settle, at the end of every
// command; containers whose measure samples their nodes go to the deferred list instead.
func (e *Engine) memSettle() {
	m := &e.mem
	if len(m.pending) == 0 {
		return
	}
	for i := range m.pending {
		p := &m.pending[i]
		if o := &p.e.Value; o.msize != memDead {
			if sampled(o) && memDecode(o.msize) >= memDeferMin {
				m.deferEntry(*p)
			} else {
				e.memMeasure(*p)
			}
		}
		*p = pendingMem{}
	}
	m.pending = m.pending[:0]
	if len(m.deferred) >= memDeferredMax {
		e.memSettleDeferred()
	}
}

// memSettleAll measures everything noted, deferred containers included: every reader of a
// total (or of the per-db sums) calls it first.
func (e *Engine) memSettleAll() {
	e.memSettle()
	e.memSettleDeferred()
}

func (e *Engine) memSettleDeferred() {
	m := &e.mem
	for i := range m.deferred {
		p := &m.deferred[i]
		if p.e.Value.msize != memDead {
			e.memMeasure(*p)
		}
		*p = pendingMem{}
	}
	m.deferred = m.deferred[:0]
}

// sampled reports whether measuring o walks some of its nodes (MemoryUsage's samples):
// a hashtable, skiplist, quicklist or stream. Strings, listpacks and intsets are O(1).
func sampled(o *Object) bool {
	return o.typ != TypeString && !o.IsBytes() && o.enc != EncInt
}

// deferEntry adds p to the deferred list unless its entry is there already.
func (m *memState) deferEntry(p pendingMem) {
	for i := len(m.deferred) - 1; i >= 0; i-- {
		if m.deferred[i].e == p.e && m.deferred[i].db == p.db {
			return
		}
	}
	m.deferred = append(m.deferred, p)
}

// memMeasure measures one live entry again and moves the difference into the totals.
func (e *Engine) memMeasure(p pendingMem) {
	o := &p.e.Value
	c := memEncode(int64(e.entryMemory(p.e.Key, o)))
	d := memDecode(c) - memDecode(o.msize)
	o.msize = c
	p.db.memKeys += d
	e.mem.data += d
}

// entryMemory is what one key costs in Redis's allocator: MEMORY USAGE's figure with
// dictEntry allocations at their real size class (24 → 32 bytes), for the key's own entry
// and for the entries of hash-table encoded values, and shared integers counted as free.
func (e *Engine) entryMemory(key string, o *Object) int {
	n := memmodel.SdsAlloc(len(key)) + dictEntryAlloc
	if o.typ != TypeString && o.IsBytes() {
		// A listpack or intset value: robj + the exact allocation, what every family's
		// MemoryUsage says for it, computed here without the call.
		return n + memmodel.RobjSize + memmodel.Class(int(o.n))
	}
	ops := typeOps[o.typ]
	if ops == nil || ops.MemoryUsage == nil {
		return n
	}
	switch o.enc {
	case EncInt:
		if o.n < 0 || o.n >= memmodel.SharedIntegers || !e.sharedIntegersAllowed() {
			n += memmodel.RobjSize
		}
		return n
	case EncHashtable, EncSkiplist:
		n += 8 // dict struct 56 → 64
		if ops.Len != nil {
			n += 8 * ops.Len(o)
		}
	}
	samples := 5 // as MEMORY USAGE
	if o.enc == EncQuicklist {
		// A quicklist is sampled by nodes of up to 8 KB: 16 of them measure lists of up
		// to 128 KB exactly (with 5, a 6-node list's half-full last node counts as full).
		samples = 16
	}
	return n + ops.MemoryUsage(e, o, samples)
}

// dictTablesMem is the allocation of a dict's bucket arrays.
func dictTablesMem(buckets int) int64 {
	if buckets == 0 {
		return 0
	}
	return int64(memmodel.Class(8 * buckets))
}

// SetExtraMemory sets the memory the server holds outside the keyspace, in Redis terms
// (clients' buffers); notCounted is the part eviction ignores (AOF buffer, replica output
// buffers), as freeMemoryGetNotCountedMemory. Lock held.
func (e *Engine) SetExtraMemory(total, notCounted int64) {
	e.mem.extra = total
	e.mem.notCnt = notCounted
}

// UsedMemory is used_memory as Redis 7.0 would report it for this keyspace and these
// clients. Lock held.
func (e *Engine) UsedMemory() int64 {
	m := &e.mem
	e.memSettleAll()
	if m.tablesDirty || m.tablesAt != e.nowMs {
		m.tables = 0
		for _, db := range e.dbs {
			m.tables += dictTablesMem(db.keys.Buckets()) + dictTablesMem(db.expires.Buckets()) +
				int64(db.expires.Len())*dictEntryAlloc
		}
		m.tablesAt, m.tablesDirty = e.nowMs, false
	}
	used := int64(MemStartup+memBaselineExtra) + m.data + m.extra + m.tables
	if used > e.mem.peak {
		e.mem.peak = used
	}
	return used
}

// MemoryInfo is the breakdown INFO memory and MEMORY STATS report.
type MemoryInfo struct {
	Used, Peak, Startup, Dataset, Overhead, NotCounted int64
	KeysData                                           int64 // Σ key sizes
	HashTables                                         int64 // main + expires tables and expires entries
	Clients                                            int64
	PerDB                                              []DBMemory
}

// DBMemory is one database's overhead (MEMORY STATS db.N).
type DBMemory struct {
	ID                            int
	OverheadMain, OverheadExpires int64
}

// MemoryInfo computes the memory breakdown. Lock held.
func (e *Engine) MemoryInfo() MemoryInfo {
	used := e.UsedMemory()
	mi := MemoryInfo{Used: used, Peak: e.mem.peak, Startup: MemStartup, KeysData: e.mem.data,
		Clients: e.mem.extra, NotCounted: e.mem.notCnt}
	for _, db := range e.dbs {
		if db.keys.Len() == 0 && db.expires.Len() == 0 {
			continue
		}
		d := DBMemory{ID: db.ID,
			OverheadMain: int64(db.keys.Len())*(memmodel.DictEntrySize+memmodel.RobjSize) +
				int64(db.keys.Buckets())*8,
			OverheadExpires: int64(db.expires.Len())*memmodel.DictEntrySize + int64(db.expires.Buckets())*8}
		mi.PerDB = append(mi.PerDB, d)
		mi.HashTables += d.OverheadMain + d.OverheadExpires
	}
	// Redis's overhead (getMemoryOverheadData): startup, clients, buffers, and per db
	// sizeof(dictEntry)+sizeof(robj) per key, sizeof(dictEntry) per TTL, 8 per bucket.
	mi.Overhead = MemStartup + memBaselineExtra + e.mem.extra + mi.HashTables
	mi.Dataset = used - mi.Overhead
	if mi.Dataset < 0 {
		mi.Dataset = 0
	}
	return mi
}

// RecountMemory measures every key again and returns the running total next to the
// recount (they must be equal: tests and DEBUG use it). O(keys). Lock held.
func (e *Engine) RecountMemory() (counted, recounted int64) {
	e.memSettleAll()
	for _, db := range e.dbs {
		for ent := range db.keys.All() {
			recounted += memDecode(memEncode(int64(e.entryMemory(ent.Key, &ent.Value))))
		}
	}
	return e.mem.data, recounted
}
