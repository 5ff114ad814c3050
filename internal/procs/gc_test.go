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
	w.step(2800*mb, 1400*mb, 1600*mb, 7) // grown a seventh of the way
	require.Equal(t, 1, runtime.GOMAXPROCS(0))
	w.step(2800*mb, 1400*mb, 2300*mb, 7) // most of the way: a cycle is near
	require.Equal(t, 2, runtime.GOMAXPROCS(0))
	w.step(2800*mb, 1400*mb, 2600*mb, 7) // marking
	require.Equal(t, 2, runtime.GOMAXPROCS(0))
	w.step(1600*mb, 800*mb, 900*mb, 8) // the cycle ended
	require.Equal(t, 1, runtime.GOMAXPROCS(0))

	w.step(200*mb, 100*mb, 190*mb, 9) // a small heap: never
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
