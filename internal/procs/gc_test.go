package procs

import (
	"math"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestGCWatchHoldsAroundACycle: the second P comes when a big heap has grown most of the
// way to its goal and goes when the cycle count moves; a small heap gets nothing.
func TestGCWatchHoldsAroundACycle(t *testing.T) {
	reset(t, 1)
	SetBase(1)
	var w gcWatch
	const mb = 1 << 20
	t0 := time.Unix(1000, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	w.step(2800*mb, 1400*mb, 1600*mb, 7, 0, at(0)) // grown a seventh of the way
	require.Equal(t, 1, runtime.GOMAXPROCS(0))
	w.step(2800*mb, 1400*mb, 2300*mb, 7, 0, at(50)) // most of the way: a cycle is near
	require.Equal(t, 2, runtime.GOMAXPROCS(0))
	w.step(2800*mb, 1400*mb, 2600*mb, 7, 0, at(100)) // marking
	require.Equal(t, 2, runtime.GOMAXPROCS(0))
	w.step(1600*mb, 800*mb, 900*mb, 8, 0, at(150)) // the cycle ended
	require.Equal(t, 1, runtime.GOMAXPROCS(0))

	w.step(200*mb, 100*mb, 190*mb, 9, 0, at(200)) // a small heap: never
	require.Equal(t, 1, runtime.GOMAXPROCS(0))
}

// TestGCWatchHoldsAroundAForcedCycle: a big heap that does not grow still gets the second
// P shortly before the runtime's two-minute cycle, until that cycle ends; a small one not.
func TestGCWatchHoldsAroundAForcedCycle(t *testing.T) {
	reset(t, 1)
	SetBase(1)
	var w gcWatch
	const mb = 1 << 20
	t0 := time.Unix(1000, 0)
	w.step(2800*mb, 1400*mb, 1450*mb, 3, 0, t0)
	w.step(2800*mb, 1400*mb, 1450*mb, 3, 0, t0.Add(100*time.Second))
	require.Equal(t, 1, runtime.GOMAXPROCS(0))
	w.step(2800*mb, 1400*mb, 1450*mb, 3, 0, t0.Add(119*time.Second))
	require.Equal(t, 2, runtime.GOMAXPROCS(0))
	w.step(2800*mb, 1400*mb, 1460*mb, 3, 0, t0.Add(120*time.Second)) // marking
	require.Equal(t, 2, runtime.GOMAXPROCS(0))
	w.step(2800*mb, 1400*mb, 1460*mb, 4, 0, t0.Add(121*time.Second)) // ended: a new two minutes
	require.Equal(t, 1, runtime.GOMAXPROCS(0))
	w.step(2800*mb, 1400*mb, 1460*mb, 4, 0, t0.Add(200*time.Second))
	require.Equal(t, 1, runtime.GOMAXPROCS(0))

	var small gcWatch
	small.step(200*mb, 100*mb, 110*mb, 1, 0, t0)
	small.step(200*mb, 100*mb, 110*mb, 1, 0, t0.Add(119*time.Second))
	require.Equal(t, 1, runtime.GOMAXPROCS(0))
}

// TestWatchGCStops: WatchGC returns when stop closes, and gives back a hold it had.
func TestWatchGCStops(t *testing.T) {
	reset(t, 1)
	SetBase(1)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { WatchGC(time.Millisecond, stop); close(done) }()
	time.Sleep(5 * time.Millisecond)
	close(stop)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("WatchGC did not return")
	}
	require.Equal(t, 1, runtime.GOMAXPROCS(0))
}

type fakePacer struct {
	percent int
	limit   int64
}

func (f *fakePacer) SetGCPercent(p int) int { old := f.percent; f.percent = p; return old }
func (f *fakePacer) SetMemoryLimit(n int64) int64 {
	old := f.limit
	f.limit = n
	return old
}

// TestGCWatchPaces: on a big heap the watch turns the runtime's percent off (no forced
// cycle) and sets a limit of twice the live heap plus the runtime's other memory, again
// after each cycle; the runtime's pacing comes back below half the threshold, and when
// the watch ends. With pacing, the two-minute hold does not come.
func TestGCWatchPaces(t *testing.T) {
	reset(t, 1)
	SetBase(1)
	const mb = 1 << 20
	f := &fakePacer{percent: 100, limit: math.MaxInt64}
	w := gcWatch{pacer: f}
	t0 := time.Unix(1000, 0)
	w.step(400*mb, 200*mb, 250*mb, 1, 30*mb, t0) // small: the runtime's
	require.Equal(t, 100, f.percent)
	require.Equal(t, int64(math.MaxInt64), f.limit)
	w.step(2800*mb, 1400*mb, 1500*mb, 2, 40*mb, t0.Add(time.Second))
	require.Equal(t, -1, f.percent)
	require.Equal(t, int64(2840*mb), f.limit)
	w.step(2800*mb, 1400*mb, 1500*mb, 2, 40*mb, t0.Add(119*time.Second))
	require.Equal(t, 1, runtime.GOMAXPROCS(0), "no forced cycle to wait for")
	w.step(2800*mb, 1400*mb, 2500*mb, 2, 40*mb, t0.Add(130*time.Second)) // grown: a cycle is near
	require.Equal(t, 2, runtime.GOMAXPROCS(0))
	require.Equal(t, int64(2840*mb), f.limit)
	w.step(3000*mb, 1500*mb, 1600*mb, 3, 50*mb, t0.Add(131*time.Second)) // it ended
	require.Equal(t, 1, runtime.GOMAXPROCS(0))
	require.Equal(t, int64(3050*mb), f.limit)
	w.step(400*mb, 200*mb, 210*mb, 4, 50*mb, t0.Add(140*time.Second)) // FLUSHALL: still above half
	require.Equal(t, -1, f.percent)
	w.step(200*mb, 100*mb, 110*mb, 5, 50*mb, t0.Add(150*time.Second))
	require.Equal(t, 100, f.percent)
	require.Equal(t, int64(math.MaxInt64), f.limit)

	w.step(2800*mb, 1400*mb, 1500*mb, 6, 40*mb, t0.Add(160*time.Second))
	require.Equal(t, -1, f.percent)
	w.stopPacing()
	require.Equal(t, 100, f.percent)
	require.Equal(t, int64(math.MaxInt64), f.limit)
}
