package server

import (
	"math"
	"runtime/debug"
	rtmetrics "runtime/metrics"
	"time"

	"github.com/redisctl/redisctl/engine"
)

// Memory on the server side: the engine models the keyspace's cost in Redis terms
// (engine/memory.go); the server adds its clients as Redis counts them in used_memory,
// continues eviction loops that ran out of time (Redis's eviction timer), and keeps the Go
// heap of the process in proportion to maxmemory with a soft memory limit.

// memActiveWindowMs is how long a client keeps its query buffer in Redis's model
// (clientsCronResizeQueryBuffer frees an idle client's buffer after 2 s).
const memActiveWindowMs = 2000

// One normal client's cost in Redis 7.0 (measured with INFO): the client struct and its
// reply buffer, and while it is active also the 16 KiB query buffer.
const (
	memClientIdle   = 10496
	memClientActive = 38336
	replyStaticBuf  = 16384 // PROTO_REPLY_CHUNK_BYTES
)

// updateMemory runs from the cron, under the lock.
func (s *Server) updateMemory(now time.Time) {
	s.updateClientsMemory(now)
	s.usedMem.Store(s.eng.UsedMemory()) // the engine tracks the peak
	s.applyMemoryLimit()
	s.eng.EvictionTimerProc()
}

// evictionTimeEvent is the eviction Redis starts in CONFIG SET maxmemory
// (updateMaxmemory's startEvictionTimeProc): a 0 ms time event, run after the command's
// turn and before the next command is read, outside any client. Without it the new limit
// waited for the next cron tick (up to 100 ms), and the policy in force by then, not the
// one at the CONFIG SET, chose what to evict. Lock held.
func (s *Server) evictionTimeEvent() {
	if int64(s.cfg.Maxmemory()) != s.memLimitFor {
		s.applyMemoryLimit()
		s.eng.EvictionTimerProc()
	}
}

// UsedMemory is used_memory as the cron last computed it (10 times a second), read
// without the engine lock: for watchers outside the engine (procs.WatchGC).
func (s *Server) UsedMemory() int64 { return s.usedMem.Load() }

// evictionSafe is isSafeToPerformEvictions: no eviction while clients are paused (the
// dataset must stay still, as for expiry). Lock held.
func (s *Server) evictionSafe() bool { return !s.pausedWrites() }

// updateClientsMemory tells the engine what the clients cost in Redis's terms. Lock held.
func (s *Server) updateClientsMemory(now time.Time) {
	nowMs := now.UnixMilli()
	var clients int64
	for _, cn := range s.conns {
		if nowMs-cn.lastIO.Load() > memActiveWindowMs {
			clients += memClientIdle
		} else {
			clients += memClientActive
		}
		if b := int64(cn.cl.W.Buffered()) - replyStaticBuf; b > 0 {
			clients += b
		}
	}
	s.eng.SetExtraMemory(clients, 0)
}

// applyMemoryLimit sets the Go runtime's soft memory limit from maxmemory, so the
// process's heap (which holds more than Redis's model counts: Go's object layout, GC
// headroom) stays in proportion to the limit; without maxmemory the limit the process
// started with (GOMEMLIMIT or none) is restored. The limit is never set under the live
// heap plus an eighth: with small keys Go's heap per key is larger than Redis's (a 10-byte
// value under a 10-byte key: about 110 bytes against 88), and a limit below the live heap
// would make the collector run back to back.
func (s *Server) applyMemoryLimit() {
	max := int64(s.cfg.Maxmemory())
	if max != s.memLimitFor {
		if s.memLimitFor == 0 {
			s.memLimitOrig = debug.SetMemoryLimit(-1)
		}
		s.memLimitFor = max
		s.memLimitSet = 0
		s.eng.StartEvictionTimer() // a new limit starts evicting at once, as updateMaxmemory
		if max == 0 {
			debug.SetMemoryLimit(s.memLimitOrig)
			return
		}
	}
	if max == 0 {
		return
	}
	limit := max + max/8 + 24<<20
	if live := liveHeap(); live+live/8+16<<20 > limit {
		limit = live + live/8 + 16<<20
	}
	if limit < 0 {
		limit = math.MaxInt64
	}
	// Only move it by more than 1/32, so the cron does not reset it every tick.
	if d := limit - s.memLimitSet; d > s.memLimitSet/32 || -d > s.memLimitSet/32 {
		debug.SetMemoryLimit(limit)
		s.memLimitSet = limit
	}
}

// liveHeap is the heap marked live by the last garbage collection.
func liveHeap() int64 {
	sm := []rtmetrics.Sample{{Name: "/gc/heap/live:bytes"}}
	rtmetrics.Read(sm)
	if sm[0].Value.Kind() != rtmetrics.KindUint64 {
		return 0
	}
	return int64(sm[0].Value.Uint64())
}

// processMemory is the process's own memory for MEMORY STATS: the Go heap's objects,
// spans in use and mapped memory stand for jemalloc's allocated, active and resident.
func processMemory() engine.ProcessMem {
	m := readMemStats()
	return engine.ProcessMem{RSS: int64(m.rss), Allocated: int64(m.used), Active: int64(m.heapTotal),
		Resident: int64(m.total - m.heapReleased)}
}
