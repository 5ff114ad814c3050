package procs

import (
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
	w.step(2800*mb, 1400*mb, 1600*mb, 7, at(0)) // grown a seventh of the way
	require.Equal(t, 1, runtime.GOMAXPROCS(0))
	w.step(2800*mb, 1400*mb, 2300*mb, 7, at(50)) // most of the way: a cycle is near
	require.Equal(t, 2, runtime.GOMAXPROCS(0))
	w.step(2800*mb, 1400*mb, 2600*mb, 7, at(100)) // marking
	require.Equal(t, 2, runtime.GOMAXPROCS(0))
	w.step(1600*mb, 800*mb, 900*mb, 8, at(150)) // the cycle ended
	require.Equal(t, 1, runtime.GOMAXPROCS(0))

	w.step(200*mb, 100*mb, 190*mb, 9, at(200)) // a small heap: never
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
	w.step(2800*mb, 1400*mb, 1450*mb, 3, t0)
	w.step(2800*mb, 1400*mb, 1450*mb, 3, t0.Add(100*time.Second))
	require.Equal(t, 1, runtime.GOMAXPROCS(0))
	w.step(2800*mb, 1400*mb, 1450*mb, 3, t0.Add(119*time.Second))
	require.Equal(t, 2, runtime.GOMAXPROCS(0))
	w.step(2800*mb, 1400*mb, 1460*mb, 3, t0.Add(120*time.Second)) // marking
	require.Equal(t, 2, runtime.GOMAXPROCS(0))
	w.step(2800*mb, 1400*mb, 1460*mb, 4, t0.Add(121*time.Second)) // ended: a new two minutes
	require.Equal(t, 1, runtime.GOMAXPROCS(0))
	w.step(2800*mb, 1400*mb, 1460*mb, 4, t0.Add(200*time.Second))
	require.Equal(t, 1, runtime.GOMAXPROCS(0))

	var small gcWatch
	small.step(200*mb, 100*mb, 110*mb, 1, t0)
	small.step(200*mb, 100*mb, 110*mb, 1, t0.Add(119*time.Second))
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
