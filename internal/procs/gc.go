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
// the cycle has ended.

// gcMinLive is the live heap below which WatchGC does nothing: small heaps mark in
// milliseconds.
const gcMinLive = 256 << 20

// gcEarly is how far (in tenths) the heap must have grown from the live heap towards the
// goal before the hold starts: the collector starts a cycle at 7 tenths at the earliest.
const gcEarly = 6

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
		case <-t.C:
			w.poll()
		}
	}
}

type gcWatch struct {
	samples []metrics.Sample
	release func()
	cycles  uint64 // the cycle count when the hold started
}

func (w *gcWatch) poll() {
	metrics.Read(w.samples)
	goal, live := w.samples[0].Value.Uint64(), w.samples[1].Value.Uint64()
	heap, cycles := w.samples[2].Value.Uint64(), w.samples[3].Value.Uint64()
	w.step(goal, live, heap, cycles)
}

// step decides on one sample (tests call it directly).
func (w *gcWatch) step(goal, live, heap, cycles uint64) {
	if w.release != nil {
		if cycles != w.cycles {
			w.end()
		}
		return
	}
	if live >= gcMinLive && goal > live && heap >= live+(goal-live)*gcEarly/10 {
		w.release, w.cycles = Hold(2), cycles
	}
}

func (w *gcWatch) end() {
	if w.release != nil {
		w.release()
		w.release = nil
	}
}
