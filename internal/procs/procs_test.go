package procs

import (
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"
)

// reset puts the package and GOMAXPROCS back as a test found them.
func reset(t *testing.T, procs int) {
	t.Helper()
	if runtime.NumCPU() < 2 {
		t.Skip("one CPU: a hold cannot raise GOMAXPROCS")
	}
	orig := runtime.GOMAXPROCS(procs)
	t.Cleanup(func() {
		mu.Lock()
		base, holds, prev, set = 0, nil, 0, 0
		mu.Unlock()
		runtime.GOMAXPROCS(orig)
	})
	mu.Lock()
	base, holds, prev, set = 0, nil, 0, 0
	mu.Unlock()
}

func TestHoldWithoutBase(t *testing.T) {
	reset(t, 1)
	release := Hold(2)
	require.Equal(t, 2, runtime.GOMAXPROCS(0))
	release()
	require.Equal(t, 1, runtime.GOMAXPROCS(0))
	release() // twice: nothing more
	require.Equal(t, 1, runtime.GOMAXPROCS(0))
}

func TestHoldsOverlap(t *testing.T) {
	reset(t, 1)
	SetBase(1)
	a := Hold(2)
	b := Hold(2)
	require.Equal(t, 2, runtime.GOMAXPROCS(0))
	a()
	require.Equal(t, 2, runtime.GOMAXPROCS(0), "b still holds")
	b()
	require.Equal(t, 1, runtime.GOMAXPROCS(0))
}

// TestSetBaseKeepsHold: serve loads with every core (a hold taken then raises nothing),
// then sets its base; the hold still gets its P, and gives it back when released.
func TestSetBaseKeepsHold(t *testing.T) {
	reset(t, runtime.NumCPU())
	aof := Hold(2)
	require.Equal(t, runtime.NumCPU(), runtime.GOMAXPROCS(0))
	SetBase(1)
	require.Equal(t, 2, runtime.GOMAXPROCS(0))
	aof()
	require.Equal(t, 1, runtime.GOMAXPROCS(0))
}

// TestOutsideChangeLeftAlone: a value set from outside during a hold survives its release.
func TestOutsideChangeLeftAlone(t *testing.T) {
	reset(t, 1)
	SetBase(1)
	release := Hold(2)
	runtime.GOMAXPROCS(3)
	release()
	require.Equal(t, 3, runtime.GOMAXPROCS(0))

	reset(t, 4) // a hold that raises nothing changes nothing either
	release = Hold(2)
	require.Equal(t, 4, runtime.GOMAXPROCS(0))
	release()
	require.Equal(t, 4, runtime.GOMAXPROCS(0))
}
