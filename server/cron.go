package server

import (
	"time"
)

// Cron constants, as Redis's server.h.
const (
	maxClientsPerTick = 200 // MAX_CLIENTS_PER_CLOCK_TICK
	maxHz             = 500 // CONFIG_MAX_HZ
	rehashBudget      = time.Millisecond
)

// cron is serverCron: hz times a second, under the lock, in short slices: the clock,
// active expiry, incremental rehashing, client timeouts, statistics, persistence.
func (s *Server) cron() {
	timer := time.NewTimer(time.Second / 10)
	defer timer.Stop()
	rehashDB := 0
	for {
		select {
		case <-s.quit:
			return
		case <-timer.C:
		}
		e := s.eng
		e.Lock()
		if s.exiting {
			e.Unlock()
			return
		}
		now := time.Now()
		s.cachedNow = now
		s.clockMs.Store(now.UnixMilli())
		if !s.cronPaused {
			e.UpdateClock()
			s.updateHz()
			paused := s.pausedWrites()
			if !paused {
				e.ActiveExpireCycle()
				// An expired stream unblocks its XREADGROUP clients (beforeSleep's
				// handleClientsBlockedOnKeys).
				e.HandleBlockedClients()
			}
			if s.cfg.ActiveRehashing() {
				rehashDB = s.rehashStep(rehashDB)
			}
			s.clientsCron(now)
			s.trackingLimit(nil)  // serverCron's trackingLimitUsedSlots
			s.trackingBroadcast() // beforeSleep: BCAST invalidations of the expiry cycle
			s.sampleStats(now)
			s.persist.Cron(e, now)
			s.updateMemory(now)
		}
		hz := s.hz
		e.Unlock()
		if hz <= 0 {
			hz = 10
		}
		timer.Reset(time.Second / time.Duration(hz))
	}
}

// updateHz applies dynamic-hz: more clients, more frequent cron. Lock held.
func (s *Server) updateHz() {
	hz := s.cfg.Hz()
	if s.cfg.DynamicHz() {
		for hz > 0 && len(s.conns)/hz > maxClientsPerTick {
			hz *= 2
			if hz > maxHz {
				hz = maxHz
				break
			}
		}
	}
	s.hz = hz
	s.eng.Set.Hz = hz
}

// rehashStep resizes tables that need it and rehashes for about a millisecond, moving on
// to the next database once one is done (databasesCron). Lock held.
func (s *Server) rehashStep(start int) int {
	e := s.eng
	n := e.NumDBs()
	for i := 0; i < n; i++ {
		db := e.DB(i)
		db.Keys().ResizeIfNeeded()
		db.Expires().ResizeIfNeeded()
	}
	for j := 0; j < n; j++ {
		i := (start + j) % n
		db := e.DB(i)
		if db.Keys().IsRehashing() {
			db.Keys().RehashFor(rehashBudget)
			return i
		}
		if db.Expires().IsRehashing() {
			db.Expires().RehashFor(rehashBudget)
			return i
		}
	}
	return start
}

// clientsCron visits a slice of the clients each tick, so every client is seen about once
// a second: idle timeouts and the soft output buffer limit. Lock held.
func (s *Server) clientsCron(now time.Time) {
	n := len(s.conns)
	if n == 0 {
		return
	}
	hz := s.hz
	if hz <= 0 {
		hz = 10
	}
	iter := n / hz
	if iter < 5 {
		iter = 5
	}
	if iter > n {
		iter = n
	}
	timeout := int64(s.cfg.Timeout())
	nowMs := now.UnixMilli()
	for ; iter > 0; iter-- {
		if s.cronCursor >= len(s.conns) {
			s.cronCursor = 0
		}
		cn := s.conns[s.cronCursor]
		s.cronCursor++
		cn.foldStats()
		if cn.closeASAP {
			continue
		}
		if timeout > 0 && !cn.monitor && cn.blocked == nil && cn.clientType() != typePubSub &&
			(nowMs-cn.lastIO.Load())/1000 > timeout {
			s.log.Logf(LevelVerbose, "Closing idle client")
			cn.closeASAPLocked()
			continue
		}
		if cn.cl.W.Buffered() > 0 || cn.inflight.Load() > 0 {
			cn.checkOutputLimitLocked()
		}
	}
}

// sampleStats feeds the instantaneous metrics every 100 ms. Lock held.
func (s *Server) sampleStats(now time.Time) {
	ms := now.UnixMilli()
	if ms-s.stats.lastSampleMs < 100 {
		return
	}
	s.stats.lastSampleMs = ms
	s.stats.instOps.track(ms, s.eng.Stats.NumCommands)
	s.stats.instIn.track(ms, s.stats.netInput)
	s.stats.instOut.track(ms, s.stats.netOutput)
}
