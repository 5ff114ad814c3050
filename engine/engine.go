package engine

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/redisctl/redisctl/engine/dict"
)

// Propagator receives the effects of write commands in the order they happened, for the
// AOF and replicas: the engine calls it under its lock, so an implementation only queues.
// A unit of work that produced more than one command (MULTI/EXEC, a script, a command that
// also deleted expired keys) arrives already wrapped in MULTI … EXEC, as Redis 7.0 does.
type Propagator interface {
	Propagate(db int, args [][]byte)
}

// SnapshotHook is called before an existing entry is changed or removed, so a fork-free
// snapshot in progress can serialize its pre-change value first (DESIGN.md). It is nil when
// no snapshot is running.
type SnapshotHook interface {
	BeforeChange(db *DB, e *dict.Entry[Object])
}

// Stats are the engine's counters that INFO reports.
type Stats struct {
	KeyspaceHits   int64
	KeyspaceMisses int64
	ExpiredKeys    int64
	ExpiredStale   int64 // expired_stale_perc numerator (keys found expired by the cycle)
	EvictedKeys    int64
	NumCommands    int64
	ExpireCycleCPU time.Duration
	ActiveExpired  int64
}

// Engine is the keyspace plus everything needed to execute commands on it.
// All methods require the lock (Lock/Unlock) unless they say otherwise.
type Engine struct {
	mu sync.Mutex
	// lockWaits counts the LockForClient calls that found the lock held (a running
	// snapshot's walker reads it: a client waited for it).
	lockWaits atomic.Int64

	Set   Settings
	dbs   []*DB
	table *Table

	// Clock: the time the current command started (Redis caches mstime per call, so every
	// expiry check inside one command agrees), and the LRU clock.
	nowMs    int64
	clockFn  func() time.Time
	lruClock uint32

	prefetchMembers [PrefetchMax][]byte // Prefetch's scratch
	lastCmd         *Command            // Exec's last top-level command (a lookup cache)

	Stats Stats
	// Dirty counts changes since the last save (what save points compare).
	Dirty int64

	prop Propagator
	snap SnapshotHook
	// snapEpoch is the epoch of the latest snapshot; snapRun the one running (snapshot.go).
	snapEpoch uint32
	snapRun   *Snapshot

	PubSub PubSub

	nextClientID int64
	clients      map[int64]*Client

	// Functions is the function library registry, nil when scripting is not installed.
	Functions FunctionStore

	// FlushAllHook runs after FLUSHALL (the server resets save state / does a save).
	FlushAllHook func()

	// NotifyHook sees every keyspace event that is enabled (tests, modules of the future).
	NotifyHook func(class int, event string, key []byte, dbid int)

	// KeyModifiedHook is told about every modified key (client-side caching invalidation).
	KeyModifiedHook func(db *DB, key []byte)

	// CheckHook lets the server refuse commands before they run (OOM, MISCONF, …).
	CheckHook CheckHook
	callHook  CallHook

	// blk is the state of clients blocked on keys (block.go).
	blk blockRegistry

	ctxStack  []*Ctx
	ctxDepth  int
	unit      []propOp
	unitDepth int

	// While clockChain is on (StartClockChain .. StopClockChain, one batch of the
	// server's), a top-level Call takes clockMark, the previous top-level Call's end, as
	// its start: a command reads the monotonic clock once instead of twice, and the gap
	// between two commands (the next one's parsing) counts in the second's time.
	clockChain bool
	clockMark  time.Duration

	// TotalErrorReplies counts every error reply (INFO stats total_error_replies).
	TotalErrorReplies int64
	errorStats        map[string]int64

	mem   memState   // memory accounting (memory.go)
	evict evictState // eviction pool and timer state (evict.go)
}

// New returns an engine with Redis's default settings and set.Databases databases.
func New(set Settings, table *Table) *Engine {
	if set.Databases <= 0 {
		set.Databases = 16
	}
	e := &Engine{Set: set, table: table, clockFn: time.Now, clients: map[int64]*Client{}}
	e.dbs = make([]*DB, set.Databases)
	for i := range e.dbs {
		e.dbs[i] = newDB(e, i)
	}
	e.PubSub.init()
	e.UpdateClock()
	return e
}

// Lock takes the engine lock: call it once per pipelined batch.
func (e *Engine) Lock() { e.mu.Lock() }

// LockForClient is Lock for a client's commands or its registration: a wait for the
// lock here tells a running snapshot's walker that clients are at work, and it paces
// itself (walkerCalm). Timers and other background work take Lock.
func (e *Engine) LockForClient() {
	if e.mu.TryLock() {
		return
	}
	e.lockWaits.Add(1)
	e.mu.Lock()
}

// Unlock releases the engine lock.
func (e *Engine) Unlock() { e.mu.Unlock() }

// Table is the command table.
func (e *Engine) Table() *Table { return e.table }

// SetPropagator installs the AOF/replication sink (nil to stop propagating).
func (e *Engine) SetPropagator(p Propagator) { e.prop = p }

// SetSnapshotHook installs or removes the pre-change hook of a running snapshot.
func (e *Engine) SetSnapshotHook(h SnapshotHook) { e.snap = h }

// SetClock replaces the time source (tests).
func (e *Engine) SetClock(fn func() time.Time) { e.clockFn = fn; e.UpdateClock() }

// UpdateClock refreshes the cached command time and the LRU clock.
func (e *Engine) UpdateClock() {
	now := e.clockFn()
	e.nowMs = now.UnixMilli()
	e.lruClock = uint32(e.nowMs/lruResolutionMs) & lruMask
}

// NowMs is the cached command time in milliseconds.
func (e *Engine) NowMs() int64 { return e.nowMs }

// DB returns database i (no bounds check beyond Go's).
func (e *Engine) DB(i int) *DB { return e.dbs[i] }

// NumDBs is the number of databases.
func (e *Engine) NumDBs() int { return len(e.dbs) }

// SwapDB exchanges the contents of two databases (SWAPDB). Clients keep their selected
// index, so they see the other data from now on, as in Redis.
func (e *Engine) SwapDB(a, b int) {
	da, db := e.dbs[a], e.dbs[b]
	// XREADGROUP clients of streams that disappear get their error (blocked clients stay
	// in the same numbered db, as in Redis).
	da.scanForDeletedStreams(db)
	db.scanForDeletedStreams(da)
	e.memSettleAll()
	da.memKeys, db.memKeys = db.memKeys, da.memKeys
	da.keys, db.keys = db.keys, da.keys
	da.expires, db.expires = db.expires, da.expires
	da.avgTTL, db.avgTTL = db.avgTTL, da.avgTTL
	da.expiresCursor, db.expiresCursor = 0, 0
	da.scanForReadyKeys()
	db.scanForReadyKeys()
}

// propagate hands one command to the propagator.
func (e *Engine) propagate(db int, args [][]byte) {
	if e.prop != nil {
		e.prop.Propagate(db, args)
	}
}

// LRU/LFU clock, as Redis's evict.c.
const (
	lruBits          = 24
	lruMask          = 1<<lruBits - 1
	lruResolutionMs  = 1000
	lfuInitVal       = 5
	minutesMask      = 1<<16 - 1
	lfuCounterMax    = 255
	lfuMinutesBitPos = 8
)

// initialLRU is the LRU field of a newly created object under the current policy.
func (e *Engine) initialLRU() uint32 {
	if e.Set.LFU() {
		return (e.lfuTimeMinutes() << lfuMinutesBitPos) | lfuInitVal
	}
	return e.lruClock
}

func (e *Engine) lfuTimeMinutes() uint32 { return uint32(e.nowMs/1000/60) & minutesMask }

// IdleMs estimates how long ago an object was accessed (estimateObjectIdleTime).
func (e *Engine) IdleMs(o *Object) int64 {
	clk := e.lruClock
	if clk >= o.lru {
		return int64(clk-o.lru) * lruResolutionMs
	}
	return int64(clk+(lruMask-o.lru)) * lruResolutionMs
}

// lfuDecrAndReturn applies the LFU decay for the minutes elapsed (LFUDecrAndReturn).
func (e *Engine) lfuDecrAndReturn(o *Object) uint32 {
	ldt := o.lru >> lfuMinutesBitPos
	counter := o.lru & 255
	var periods uint32
	if e.Set.LFUDecayTime > 0 {
		now := e.lfuTimeMinutes()
		var elapsed uint32
		if now >= ldt {
			elapsed = now - ldt
		} else {
			elapsed = minutesMask - ldt + now
		}
		periods = elapsed / uint32(e.Set.LFUDecayTime)
	}
	if periods > counter {
		return 0
	}
	return counter - periods
}

// LFUCounter is the logarithmic access counter OBJECT FREQ reports.
func (e *Engine) LFUCounter(o *Object) uint32 { return e.lfuDecrAndReturn(o) }

// touch updates an object's access time or frequency on a read or write.
func (e *Engine) touch(o *Object) {
	if e.Set.LFU() {
		counter := e.lfuDecrAndReturn(o)
		counter = lfuLogIncr(counter, e.Set.LFULogFactor)
		o.lru = (e.lfuTimeMinutes() << lfuMinutesBitPos) | counter
		return
	}
	o.lru = e.lruClock
}

// lfuLogIncr increments the counter with probability 1/((counter-LFU_INIT_VAL)*factor+1).
func lfuLogIncr(counter uint32, factor int) uint32 {
	if counter == lfuCounterMax {
		return counter
	}
	r := fastRandFloat()
	base := float64(counter) - lfuInitVal
	if base < 0 {
		base = 0
	}
	p := 1.0 / (base*float64(factor) + 1)
	if r < p {
		counter++
	}
	return counter
}
