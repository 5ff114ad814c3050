package engine

import (
	"math"
	"time"
)

// Eviction, as Redis 7.0's evict.c: before each command (processCommand) the engine
// compares UsedMemory (memory.go) minus the memory not counted for eviction with maxmemory
// and, if over, deletes keys chosen by maxmemory-policy until enough is freed or the time
// budget of maxmemory-eviction-tenacity runs out (then the server's cron continues, as
// Redis's eviction timer). LRU, LFU and volatile-ttl choose through Redis's 16-entry
// eviction pool filled with maxmemory-samples keys sampled per db; the random policies pick
// a random key, one db after the other.

// ErrOOM is the reply to a command refused because memory is over maxmemory.
const ErrOOM = "OOM command not allowed when used memory > 'maxmemory'."

// Eviction results (EVICT_OK, EVICT_RUNNING, EVICT_FAIL).
const (
	EvictOK = iota
	EvictRunning
	EvictFail
)

type evictPolicy uint8

const (
	polNoEviction evictPolicy = iota
	polAllkeysLRU
	polVolatileLRU
	polAllkeysLFU
	polVolatileLFU
	polAllkeysRandom
	polVolatileRandom
	polVolatileTTL
)

func parsePolicy(s string) evictPolicy {
	switch s {
	case "allkeys-lru":
		return polAllkeysLRU
	case "volatile-lru":
		return polVolatileLRU
	case "allkeys-lfu":
		return polAllkeysLFU
	case "volatile-lfu":
		return polVolatileLFU
	case "allkeys-random":
		return polAllkeysRandom
	case "volatile-random":
		return polVolatileRandom
	case "volatile-ttl":
		return polVolatileTTL
	}
	return polNoEviction
}

func (p evictPolicy) allKeys() bool {
	return p == polAllkeysLRU || p == polAllkeysLFU || p == polAllkeysRandom
}

const evpoolSize = 16 // EVPOOL_SIZE

type poolEntry struct {
	idle uint64
	key  string // the dict's key string (immutable, shared: no copy needed)
	dbid int
	has  bool
}

type evictState struct {
	pool         [evpoolSize]poolEntry
	samples      []*Entry
	samplesTTL   []*dictEntryInt64
	nextDB       int
	timerRunning bool  // isEvictionProcRunning
	exceededAt   int64 // stat_last_eviction_exceeded_time (unix µs, 0: not exceeded)
	exceededUs   int64 // stat_total_eviction_exceeded_time
	// Tenacity is maxmemory-eviction-tenacity (0..100).
	tenacity int
	// guard reports whether evicting is safe now (not while clients are paused): the
	// server's isSafeToPerformEvictions.
	guard func() bool
	// flagsFn gives a command's flags for this invocation (getCommandFlags: EVAL, EVALSHA
	// and FCALL take theirs from the script's shebang flags); nil: the table's flags.
	flagsFn func(c *Client, cmd *Command, args [][]byte) Flags
	// oomBefore is pre_command_oom_state: whether memory was over the limit (and nothing
	// could be evicted) when the current top-level command started.
	oomBefore bool
}

// SetEvictionGuard installs the server's check that evicting is safe now (clients not
// paused, not loading); while it says no, PerformEvictions evicts nothing and reports OK,
// as Redis's isSafeToPerformEvictions. Lock held.
func (e *Engine) SetEvictionGuard(fn func() bool) { e.evict.guard = fn }

// SetCommandFlagsFunc installs getCommandFlags for the OOM check: scripting gives EVAL,
// EVALSHA and FCALL the deny-oom flag of scripts declared without allow-oom. Lock held.
func (e *Engine) SetCommandFlagsFunc(fn func(c *Client, cmd *Command, args [][]byte) Flags) {
	e.evict.flagsFn = fn
}

func (e *Engine) commandFlags(c *Client, cmd *Command, args [][]byte) Flags {
	if e.evict.flagsFn != nil {
		return e.evict.flagsFn(c, cmd, args)
	}
	return cmd.Flags
}

// SetEvictionTenacity sets maxmemory-eviction-tenacity. Lock held.
func (e *Engine) SetEvictionTenacity(t int) { e.evict.tenacity = t }

// PreCommandOOM reports whether the running command started with memory over maxmemory
// and nothing evictable (scripts refuse deny-oom commands then).
// A script (scriptVerifyOOM) refuses its first deny-oom command then.
func (e *Engine) PreCommandOOM() bool { return e.Set.Maxmemory > 0 && e.evict.oomBefore }

// EvictionTimerRunning reports whether an eviction loop stopped on its time budget and
// must be continued (the server's cron calls EvictionTimerProc).
func (e *Engine) EvictionTimerRunning() bool { return e.evict.timerRunning }

// EvictionExceededTime is INFO's total_eviction_exceeded_time and
// current_eviction_exceeded_time, in milliseconds.
func (e *Engine) EvictionExceededTime() (total, current int64) {
	cur := int64(0)
	if e.evict.exceededAt != 0 {
		cur = time.Now().UnixMicro() - e.evict.exceededAt
	}
	return (e.evict.exceededUs + cur) / 1000, cur / 1000
}

// StartEvictionTimer makes the next EvictionTimerProc evict if memory is over the limit,
// as CONFIG SET maxmemory does in Redis (startEvictionTimeProc). Lock held.
func (e *Engine) StartEvictionTimer() {
	if e.Set.Maxmemory > 0 {
		e.evict.timerRunning = true
	}
}

// EvictionTimerProc continues an eviction loop that ran out of time (evictionTimeProc).
// Lock held.
func (e *Engine) EvictionTimerProc() {
	if !e.evict.timerRunning {
		return
	}
	if e.PerformEvictions() == EvictRunning {
		return
	}
	e.evict.timerRunning = false
}

// evictionTimeLimit is evictionTimeLimitUs: linear up to 500µs at tenacity 10, then a 15%
// geometric progression, unlimited at 100.
func (e *Engine) evictionTimeLimit() time.Duration {
	t := e.evict.tenacity
	switch {
	case t <= 10:
		return time.Duration(50*t) * time.Microsecond
	case t < 100:
		return time.Duration(500.0*math.Pow(1.15, float64(t)-10.0)) * time.Microsecond
	}
	return time.Duration(math.MaxInt64)
}

// MaxmemoryState is getMaxmemoryState: whether memory is within the limit, and if not
// how much must be freed. used is used_memory.
func (e *Engine) MaxmemoryState() (ok bool, used, toFree int64) {
	used = e.UsedMemory()
	max := e.Set.Maxmemory
	if max <= 0 || used <= max {
		return true, used, 0
	}
	counted := used - e.mem.notCnt
	if counted <= max {
		return true, used, 0
	}
	return false, used, counted - max
}

// PerformEvictions frees memory by evicting keys while used memory exceeds maxmemory
// (performEvictions). Lock held.
func (e *Engine) PerformEvictions() int {
	result := EvictFail
	ok, _, toFree := e.MaxmemoryState()
	pol := parsePolicy(e.Set.MaxmemoryPolicy)
	switch {
	case ok:
		result = EvictOK
	case e.evict.guard != nil && !e.evict.guard():
		return EvictOK // not safe now (clients paused): Redis returns before any metric
	case pol == polNoEviction:
		result = EvictFail
	default:
		result = e.evictLoop(pol, toFree)
	}
	// update_metrics
	if result == EvictRunning || result == EvictFail {
		if e.evict.exceededAt == 0 {
			e.evict.exceededAt = time.Now().UnixMicro()
		}
	} else if e.evict.exceededAt != 0 {
		e.evict.exceededUs += time.Now().UnixMicro() - e.evict.exceededAt
		e.evict.exceededAt = 0
	}
	return result
}

func (e *Engine) evictLoop(pol evictPolicy, toFree int64) int {
	limit := e.evictionTimeLimit()
	start := time.Now()
	var freed int64
	keysFreed := 0
	for freed < toFree {
		db, key, found := e.evictChoose(pol)
		if !found {
			return EvictFail // cant_free: nothing left to evict
		}
		freed += e.evictKey(db, key)
		keysFreed++
		if keysFreed%16 == 0 {
			if time.Since(start) > limit {
				e.evict.timerRunning = true
				break
			}
		}
	}
	if e.evict.timerRunning {
		return EvictRunning
	}
	return EvictOK
}

// evictChoose picks the next key to evict under pol.
func (e *Engine) evictChoose(pol evictPolicy) (*DB, string, bool) {
	ev := &e.evict
	if pol == polAllkeysRandom || pol == polVolatileRandom {
		n := len(e.dbs)
		for i := 0; i < n; i++ {
			ev.nextDB++
			db := e.dbs[ev.nextDB%n]
			if pol == polAllkeysRandom {
				if db.keys.Len() > 0 {
					return db, db.keys.Random().Key, true
				}
			} else if db.expires.Len() > 0 {
				return db, db.expires.Random().Key, true
			}
		}
		return nil, "", false
	}
	for {
		total := 0
		for _, db := range e.dbs {
			n := db.expires.Len()
			if pol.allKeys() {
				n = db.keys.Len()
			}
			if n > 0 {
				e.evictionPoolPopulate(pol, db)
				total += n
			}
		}
		if total == 0 {
			return nil, "", false
		}
		// From the best candidate (highest idle, at the right) to the worst.
		for k := evpoolSize - 1; k >= 0; k-- {
			p := &ev.pool[k]
			if !p.has {
				continue
			}
			db := e.dbs[p.dbid]
			key := p.key
			*p = poolEntry{}
			var live bool
			if pol.allKeys() {
				live = db.keys.Get(key) != nil
			} else {
				live = db.expires.Get(key) != nil
			}
			if live {
				return db, key, true
			}
			// A ghost (deleted since it was sampled): try the next one.
		}
	}
}

// evictionPoolPopulate samples maxmemory-samples keys of db and inserts the ones better
// than the pool's worst, keeping the pool sorted by ascending idle (evictionPoolPopulate).
func (e *Engine) evictionPoolPopulate(pol evictPolicy, db *DB) {
	ev := &e.evict
	n := e.Set.MaxmemorySamples
	if n < 1 {
		n = 1
	}
	// Samples go into reusable scratch slices (cleared after use).
	var count int
	if pol.allKeys() {
		ev.samples = db.keys.SomeKeys(ev.samples[:0], n)
		count = len(ev.samples)
	} else {
		ev.samplesTTL = db.expires.SomeKeys(ev.samplesTTL[:0], n)
		count = len(ev.samplesTTL)
	}
	for j := 0; j < count; j++ {
		var key string
		var idle uint64
		if pol.allKeys() {
			se := ev.samples[j]
			key = se.Key
			idle = e.evictIdle(pol, &se.Value)
		} else {
			te := ev.samplesTTL[j]
			key = te.Key
			if pol == polVolatileTTL {
				idle = math.MaxUint64 - uint64(te.Value)
			} else {
				ke := db.keys.Get(key)
				if ke == nil {
					continue
				}
				idle = e.evictIdle(pol, &ke.Value)
			}
		}
		e.poolInsert(idle, key, db.ID)
	}
	for i := range ev.samples {
		ev.samples[i] = nil
	}
	for i := range ev.samplesTTL {
		ev.samplesTTL[i] = nil
	}
}

func (e *Engine) evictIdle(pol evictPolicy, o *Object) uint64 {
	switch pol {
	case polAllkeysLRU, polVolatileLRU:
		return uint64(e.IdleMs(o))
	case polAllkeysLFU, polVolatileLFU:
		return 255 - uint64(e.lfuDecrAndReturn(o))
	}
	return 0
}

// poolInsert is the insertion step of evictionPoolPopulate.
func (e *Engine) poolInsert(idle uint64, key string, dbid int) {
	pool := &e.evict.pool
	k := 0
	for k < evpoolSize && pool[k].has && pool[k].idle < idle {
		k++
	}
	if k == 0 && pool[evpoolSize-1].has {
		return // worse than every candidate and no empty slot
	} else if k < evpoolSize && !pool[k].has {
		// empty slot: insert here
	} else if !pool[evpoolSize-1].has {
		// free space on the right: shift k.. right
		copy(pool[k+1:], pool[k:evpoolSize-1])
	} else {
		// no space: insert at k-1 dropping the element with the smallest idle
		k--
		copy(pool[0:k], pool[1:k+1])
	}
	pool[k] = poolEntry{idle: idle, key: key, dbid: dbid, has: true}
}

// evictKey deletes key from db as an eviction: stats, "evicted" event, DEL or UNLINK
// propagated. It returns the memory freed.
func (e *Engine) evictKey(db *DB, key string) int64 {
	kb := unsafeBytes(key)
	var freed int64
	if ent := db.keys.Get(key); ent != nil {
		freed = memDecode(ent.Value.msize)
		if db.expires.Len() > 0 && db.expires.Get(key) != nil {
			freed += dictEntryAlloc
		}
	}
	db.deleteKey(kb, true) // the value is discarded
	e.Stats.EvictedKeys++
	db.signalModified(kb)
	e.notify(NotifyEvicted, "evicted", kb, db.ID)
	cmd := "DEL"
	if e.Set.LazyfreeLazyEvict {
		cmd = "UNLINK"
	}
	if e.prop != nil {
		e.propagateNow(db.ID, [][]byte{[]byte(cmd), []byte(key)})
	}
	if freed == 0 {
		freed = 1
	}
	return freed
}

// checkOOM runs the eviction step of processCommand for cmd: it evicts if memory is over
// maxmemory and returns whether the command must be refused with ErrOOM. Lock held.
func (e *Engine) checkOOM(c *Client, cmd *Command, args [][]byte) bool {
	if e.Set.Maxmemory <= 0 || c.Flags&ClientAOF != 0 {
		return false
	}
	oom := e.PerformEvictions() == EvictFail
	reject := e.commandFlags(c, cmd, args)&FlagDenyOOM != 0
	if !reject && cmd.Name == "exec" && oom {
		reject = e.queuedDenyOOM(c)
	}
	if c.Flags&ClientMulti != 0 {
		switch cmd.Name {
		case "exec", "discard", "quit", "reset":
		default:
			reject = true
		}
	}
	if oom && reject {
		return true
	}
	e.evict.oomBefore = oom
	return false
}

// queuedDenyOOM reports whether any command queued by c's MULTI is deny-oom
// (c->mstate.cmd_flags & CMD_DENYOOM).
func (e *Engine) queuedDenyOOM(c *Client) bool {
	for _, args := range c.multiQueue {
		cmd := e.table.Lookup(args[0])
		if cmd == nil {
			continue
		}
		if cmd.Subcommands != nil && len(args) >= 2 {
			if sub := cmd.LookupSub(args[1]); sub != nil {
				cmd = sub
			}
		}
		if e.commandFlags(c, cmd, args)&FlagDenyOOM != 0 {
			return true
		}
	}
	return false
}
