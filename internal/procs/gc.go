package procs

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// GC cycles of a big heap: with one P, the collector's fractional mark worker takes the
// connections' only P in bursts of up to 10 ms and more, for the whole mark (1-2.6 s on a
// 1.4 GB heap): about 980 SETs over 10 ms per cycle under a 20-client load, against 240
// with a second P (BENCHMARKS.md, "Stalls under a write load"). Two Ps at all times cost
// 14% of the pipelined throughput, so WatchGC holds the second one only from shortly
// before a cycle, when the heap has grown most of the way to the collector's goal, until
// the cycle has ended. The runtime also forces a cycle when none ran for two minutes,
// whatever the heap's growth (under a load of overwrites in place the heap hardly
// grows, and that cycle is the only one): when the watch does not pace the collector
// (below), the hold starts shortly before that too.

// gcMinLive is the live heap below which WatchGC does nothing: small heaps mark in
// milliseconds.
const gcMinLive = 256 << 20

// gcEarly is how far (in tenths) the heap must have grown from the live heap towards the
// goal before the hold starts: the collector starts a cycle at 7 tenths at the earliest.
const gcEarly = 6

// gcForcedAfter is how long after a cycle the runtime forces the next one (the runtime's
// forcegcperiod), and gcForcedEarly how much before it the hold starts: the watch sees a
// cycle end up to one period late, and the runtime's monitor starts the forced cycle
// up to about 10 ms late.
const (
	gcForcedAfter = 2 * time.Minute
	gcForcedEarly = 2 * time.Second
)

// Pacing without the two-minute cycle. The runtime's forced cycle exists to collect a
// heap that does not grow; a server whose writes replace values in place makes no
// garbage, and on a big heap that cycle is then the only one, every two minutes, under
// any load (a 70 s BGSAVE met it one time in two). So, on a heap of gcMinLive or more,
// and unless GOGC or GOMEMLIMIT is set in the environment, WatchGC paces the collector
// itself: GC percent off, which the runtime reads as "no forced cycle", and a memory
// limit of twice the live heap plus what the runtime holds besides the heap, set again
// after every cycle: a cycle then comes about where GOGC=100 would start it. What the
// forced cycle still did, collecting what a FLUSHALL or many DELs freed in a heap that
// then does not grow, the watch does from the server's used_memory: when half or more of
// its peak since the last cycle is gone, it starts one (not for less: a load that
// replaces big values with small ones would get a cycle, and its stalls, for garbage
// the heap's growth will collect in its time). Below half of gcMinLive again,
// the runtime's own pacing comes back.

// gcPacer is how WatchGC changes the collector's settings and starts a cycle (tests
// replace it).
type gcPacer interface {
	SetGCPercent(int) int
	SetMemoryLimit(int64) int64
	Collect()
}

type runtimePacer struct{}

func (runtimePacer) SetGCPercent(p int) int       { return debug.SetGCPercent(p) }
func (runtimePacer) SetMemoryLimit(n int64) int64 { return debug.SetMemoryLimit(n) }
func (runtimePacer) Collect()                     { go runtime.GC() }

// gcFreedMin is how much of the server's used memory must have gone since the last cycle,
// besides half of it, before the watch starts a cycle to collect it.
const gcFreedMin = 64 << 20

// WatchGC polls the heap every period until stop is closed, holding a second P around
// each GC cycle of a heap of gcMinLive or more, and pacing the collector of such a heap
// without the runtime's two-minute cycle. used is the server's used_memory, read without
// its lock (nil: unknown).
func WatchGC(period time.Duration, stop <-chan struct{}, used func() int64) {
	t := time.NewTicker(period)
	defer t.Stop()
	w := gcWatch{samples: []metrics.Sample{
		{Name: "/gc/heap/goal:bytes"},
		{Name: "/gc/heap/live:bytes"},
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/gc/cycles/total:gc-cycles"},
		{Name: "/memory/classes/total:bytes"},
		{Name: "/memory/classes/heap/released:bytes"},
		{Name: "/memory/classes/heap/free:bytes"},
	}}
	if os.Getenv("GOGC") == "" && os.Getenv("GOMEMLIMIT") == "" {
		w.pacer = runtimePacer{}
	}
	w.used = used
	for {
		select {
		case <-stop:
			w.end()
			w.stopPacing()
			return
		case now := <-t.C:
			w.poll(now)
		}
	}
}

type gcWatch struct {
	samples []metrics.Sample
	release func()
	cycles  uint64    // the cycle count of the last sample
	since   time.Time // when the watch saw the cycle count move (or its first sample)
	pacer   gcPacer   // nil: the runtime paces alone
	pacing  bool      // GC percent off, the memory limit set by the watch
	used    func() int64
	usedAt  int64 // the most used since the watch saw the last cycle end
}

// gcSample is what the watch decides on.
type gcSample struct {
	goal, live, heap uint64 // the heap goal, the live heap, the heap's objects
	cycles           uint64 // completed cycles
	// other is the memory the runtime's limit counts besides the heap's objects and free
	// pages (stacks, metadata, the unused ends of spans): what the runtime subtracts from
	// the limit for its heap goal.
	other uint64
	used  int64 // the server's used_memory (0: unknown)
	now   time.Time
}

func (w *gcWatch) poll(now time.Time) {
	metrics.Read(w.samples)
	s := gcSample{goal: w.samples[0].Value.Uint64(), live: w.samples[1].Value.Uint64(),
		heap: w.samples[2].Value.Uint64(), cycles: w.samples[3].Value.Uint64(), now: now}
	other := w.samples[4].Value.Uint64() - w.samples[5].Value.Uint64() - w.samples[6].Value.Uint64()
	s.other = other - min(other, s.heap)
	if w.used != nil {
		s.used = w.used()
	}
	w.step(s)
}

// step decides on one sample (tests call it directly).
func (w *gcWatch) step(s gcSample) {
	moved := w.since.IsZero() || s.cycles != w.cycles
	if moved {
		w.cycles, w.since, w.usedAt = s.cycles, s.now, s.used
		w.end()
	}
	w.usedAt = max(w.usedAt, s.used)
	w.pace(s.live, s.other, moved)
	if w.release != nil || s.live < gcMinLive {
		return
	}
	grown := s.goal > s.live && s.heap >= s.live+(s.goal-s.live)*gcEarly/10
	freed := w.pacing && s.used > 0 && w.usedAt-s.used >= gcFreedMin && s.used <= w.usedAt/2
	if grown || freed || (!w.pacing && s.now.Sub(w.since) >= gcForcedAfter-gcForcedEarly) {
		w.release = Hold(2)
		if freed {
			w.usedAt = s.used // once until the cycle ends
			w.pacer.Collect()
		}
	}
}

// pace turns the watch's pacing on, sets its limit after each cycle (moved), and turns
// it off.
func (w *gcWatch) pace(live, other uint64, moved bool) {
	switch {
	case w.pacer == nil:
	case !w.pacing && live >= gcMinLive:
		w.pacing = true
		w.pacer.SetMemoryLimit(int64(2*live + other))
		w.pacer.SetGCPercent(-1)
	case w.pacing && live < gcMinLive/2:
		w.stopPacing()
	case w.pacing && moved:
		// The runtime's heap goal under a limit is the limit less other (and a few
		// percent of headroom): about twice the live heap, as GOGC=100 sets it.
		w.pacer.SetMemoryLimit(int64(2*live + other))
	}
}

// stopPacing gives the collector back to the runtime (a small heap again, WatchGC's end).
func (w *gcWatch) stopPacing() {
	if w.pacing {
		w.pacing = false
		w.pacer.SetGCPercent(100)
		w.pacer.SetMemoryLimit(math.MaxInt64)
	}
}

func (w *gcWatch) end() {
	if w.release != nil {
		w.release()
		w.release = nil
	}
}
