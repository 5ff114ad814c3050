package procs

import (
	"math"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const mb = 1 << 20

var t0 = time.Unix(1000, 0)

// sample is a gcSample of goal, live and heap in MB at t0+ms.
func sample(goal, live, heap, cycles uint64, ms int) gcSample {
	return gcSample{goal: goal * mb, live: live * mb, heap: heap * mb, cycles: cycles,
		now: t0.Add(time.Duration(ms) * time.Millisecond)}
}

// TestGCWatchHoldsAroundACycle: the second P comes when a big heap has grown most of the
// way to its goal and goes when the cycle count moves; a small heap gets nothing.
func TestGCWatchHoldsAroundACycle(t *testing.T) {
	reset(t, 1)
	SetBase(1)
	var w gcWatch
	w.step(sample(2800, 1400, 1600, 7, 0)) // grown a seventh of the way
	require.Equal(t, 1, runtime.GOMAXPROCS(0))
	w.step(sample(2800, 1400, 2300, 7, 50)) // most of the way: a cycle is near
	require.Equal(t, 2, runtime.GOMAXPROCS(0))
	w.step(sample(2800, 1400, 2600, 7, 100)) // marking
	require.Equal(t, 2, runtime.GOMAXPROCS(0))
	w.step(sample(1600, 800, 900, 8, 150)) // the cycle ended
	require.Equal(t, 1, runtime.GOMAXPROCS(0))

	w.step(sample(200, 100, 190, 9, 200)) // a small heap: never
	require.Equal(t, 1, runtime.GOMAXPROCS(0))
}

// TestGCWatchHoldsAroundAForcedCycle: without pacing, a big heap that does not grow still
// gets the second P shortly before the runtime's two-minute cycle, until that cycle
// ends; a small one does not.
func TestGCWatchHoldsAroundAForcedCycle(t *testing.T) {
	reset(t, 1)
	SetBase(1)
	var w gcWatch
	w.step(sample(2800, 1400, 1450, 3, 0))
	w.step(sample(2800, 1400, 1450, 3, 100_000))
	require.Equal(t, 1, runtime.GOMAXPROCS(0))
	w.step(sample(2800, 1400, 1450, 3, 119_000))
	require.Equal(t, 2, runtime.GOMAXPROCS(0))
	w.step(sample(2800, 1400, 1460, 3, 120_000)) // marking
	require.Equal(t, 2, runtime.GOMAXPROCS(0))
	w.step(sample(2800, 1400, 1460, 4, 121_000)) // ended: a new two minutes
	require.Equal(t, 1, runtime.GOMAXPROCS(0))
	w.step(sample(2800, 1400, 1460, 4, 200_000))
	require.Equal(t, 1, runtime.GOMAXPROCS(0))

	var small gcWatch
	small.step(sample(200, 100, 110, 1, 0))
	small.step(sample(200, 100, 110, 1, 119_000))
	require.Equal(t, 1, runtime.GOMAXPROCS(0))
}

type fakePacer struct {
	percent  int
	limit    int64
	collects int
}

func (f *fakePacer) SetGCPercent(p int) int { old := f.percent; f.percent = p; return old }
func (f *fakePacer) SetMemoryLimit(n int64) int64 {
	old := f.limit
	f.limit = n
	return old
}
func (f *fakePacer) Collect() { f.collects++ }

// pacedWatch is a watch pacing through a fakePacer that holds the runtime's defaults,
// with GOMAXPROCS based at 1.
func pacedWatch(t *testing.T) (*gcWatch, *fakePacer) {
	reset(t, 1)
	SetBase(1)
	f := &fakePacer{percent: 100, limit: math.MaxInt64}
	return &gcWatch{pacer: f}, f
}

// TestGCWatchPaces: on a big heap the watch turns the runtime's percent off (no forced
// cycle) and sets a limit of twice the live heap plus the runtime's other memory, again
// after each cycle; the runtime's pacing comes back below half the threshold, and when
// the watch ends. With pacing, the two-minute hold does not come.
func TestGCWatchPaces(t *testing.T) {
	w, f := pacedWatch(t)
	with := func(s gcSample, other uint64) gcSample { s.other = other * mb; return s }
	w.step(with(sample(400, 200, 250, 1, 0), 30)) // small: the runtime's
	require.Equal(t, 100, f.percent)
	require.Equal(t, int64(math.MaxInt64), f.limit)
	w.step(with(sample(2800, 1400, 1500, 2, 1000), 40))
	require.Equal(t, -1, f.percent)
	require.Equal(t, int64(2840*mb), f.limit)
	w.step(with(sample(2800, 1400, 1500, 2, 119_000), 40))
	require.Equal(t, 1, runtime.GOMAXPROCS(0), "no forced cycle to wait for")
	w.step(with(sample(2800, 1400, 2500, 2, 130_000), 40)) // grown: a cycle is near
	require.Equal(t, 2, runtime.GOMAXPROCS(0))
	require.Equal(t, int64(2840*mb), f.limit)
	w.step(with(sample(3000, 1500, 1600, 3, 131_000), 50)) // it ended
	require.Equal(t, 1, runtime.GOMAXPROCS(0))
	require.Equal(t, int64(3050*mb), f.limit)
	w.step(with(sample(400, 200, 210, 4, 140_000), 50)) // FLUSHALL: still above half
	require.Equal(t, -1, f.percent)
	w.step(with(sample(200, 100, 110, 5, 150_000), 50))
	require.Equal(t, 100, f.percent)
	require.Equal(t, int64(math.MaxInt64), f.limit)

	w.step(with(sample(2800, 1400, 1500, 6, 160_000), 40))
	require.Equal(t, -1, f.percent)
	w.stopPacing()
	require.Equal(t, 100, f.percent)
	require.Equal(t, int64(math.MaxInt64), f.limit)
	require.Zero(t, f.collects)
}

// TestGCWatchCollectsWhatWasFreed: with pacing, a heap that stops growing after half or
// more of the server's used memory went (FLUSHALL, DELs) gets a cycle, started by the
// watch, with the second P, once until that cycle ends; a smaller drop gets none.
func TestGCWatchCollectsWhatWasFreed(t *testing.T) {
	w, f := pacedWatch(t)
	used := func(s gcSample, u int64) gcSample { s.used = u * mb; return s }
	w.step(used(sample(2800, 1400, 1500, 2, 0), 1000))
	w.step(used(sample(2800, 1400, 1500, 2, 50), 1200)) // grew: the peak counts
	w.step(used(sample(2800, 1400, 1500, 2, 100), 650)) // under half gone
	require.Zero(t, f.collects)
	require.Equal(t, 1, runtime.GOMAXPROCS(0))
	w.step(used(sample(2800, 1400, 1500, 2, 150), 600)) // half
	require.Equal(t, 1, f.collects)
	require.Equal(t, 2, runtime.GOMAXPROCS(0))
	w.step(used(sample(2800, 1400, 1500, 2, 200), 100)) // marking: not again
	require.Equal(t, 1, f.collects)
	w.step(used(sample(1200, 600, 650, 3, 300), 100)) // ended
	require.Equal(t, 1, runtime.GOMAXPROCS(0))
	w.step(used(sample(1200, 600, 650, 3, 350), 100))
	require.Equal(t, 1, f.collects)

	var small gcWatch // without pacing the runtime's forced cycle does it
	small.pacer = nil
	small.step(used(sample(2800, 1400, 1500, 2, 0), 1000))
	small.step(used(sample(2800, 1400, 1500, 2, 50), 100))
	require.Equal(t, 1, runtime.GOMAXPROCS(0))
}

// TestWatchGCStops: WatchGC returns when stop closes, and gives back a hold it had.
func TestWatchGCStops(t *testing.T) {
	reset(t, 1)
	SetBase(1)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { WatchGC(time.Millisecond, stop, func() int64 { return 0 }); close(done) }()
	time.Sleep(5 * time.Millisecond)
	close(stop)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("WatchGC did not return")
	}
	require.Equal(t, 1, runtime.GOMAXPROCS(0))
}
