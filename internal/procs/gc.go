package procs

import (
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
// grows, and that cycle is the only one): the hold starts shortly before that too.

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

// WatchGC polls the heap every period until stop is closed, holding a second P around
// each GC cycle of a heap of gcMinLive or more.
func WatchGC(period time.Duration, stop <-chan struct{}) {
	t := time.NewTicker(period)
	defer t.Stop()
	w := gcWatch{samples: []metrics.Sample{
		{Name: "/gc/heap/goal:bytes"},
		{Name: "/gc/heap/live:bytes"},
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/gc/cycles/total:gc-cycles"},
	}}
	for {
		select {
		case <-stop:
			w.end()
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
}

func (w *gcWatch) poll(now time.Time) {
	metrics.Read(w.samples)
	goal, live := w.samples[0].Value.Uint64(), w.samples[1].Value.Uint64()
	heap, cycles := w.samples[2].Value.Uint64(), w.samples[3].Value.Uint64()
	w.step(goal, live, heap, cycles, now)
}

// step decides on one sample taken at now (tests call it directly).
func (w *gcWatch) step(goal, live, heap, cycles uint64, now time.Time) {
	if w.since.IsZero() || cycles != w.cycles {
		w.cycles, w.since = cycles, now
		w.end()
	}
	if w.release != nil || live < gcMinLive {
		return
	}
	grown := goal > live && heap >= live+(goal-live)*gcEarly/10
	if grown || now.Sub(w.since) >= gcForcedAfter-gcForcedEarly {
		w.release = Hold(2)
	}
}

func (w *gcWatch) end() {
	if w.release != nil {
		w.release()
		w.release = nil
	}
}
