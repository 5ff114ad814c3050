package procs

import (
	"runtime"
	"sync"
)

var (
	mu    sync.Mutex
	base  int          // SetBase's value (0: none yet)
	holds map[*int]int // the P count each hold in force wants
	prev  int          // without a base: GOMAXPROCS before a hold raised it (0: not raised)
	set   int          // the value this package last applied (0: none)
)

// SetBase sets the GOMAXPROCS the process runs with when nothing is held, and applies it
// (or what a hold in force wants, if more).
func SetBase(n int) {
	mu.Lock()
	defer mu.Unlock()
	base, prev = max(n, 1), 0
	apply(max(base, wanted()))
}

// Hold raises GOMAXPROCS to at least want (at most the number of CPUs) until release is
// called; release may be called more than once.
func Hold(want int) (release func()) {
	want = min(want, runtime.NumCPU())
	mu.Lock()
	defer mu.Unlock()
	if holds == nil {
		holds = map[*int]int{}
	}
	key := new(int)
	holds[key] = want
	if cur := runtime.GOMAXPROCS(0); want > cur {
		if prev == 0 && (base == 0 || cur != set) {
			prev = cur // no base, or changed from outside: what to go back to
		}
		apply(want)
	}
	return func() { drop(key) }
}

func drop(key *int) {
	mu.Lock()
	defer mu.Unlock()
	if _, ok := holds[key]; !ok {
		return
	}
	delete(holds, key)
	if set == 0 || runtime.GOMAXPROCS(0) != set {
		return // never raised, or changed from outside meanwhile: leave it
	}
	floor := base
	if prev > 0 {
		floor = prev
	}
	if len(holds) == 0 {
		prev = 0
	}
	if n := max(floor, wanted()); n > 0 {
		apply(n)
	}
}

// wanted is the most any hold in force wants (0: none). mu held.
func wanted() int {
	w := 0
	for _, n := range holds {
		w = max(w, n)
	}
	return w
}

func apply(n int) {
	if runtime.GOMAXPROCS(0) != n {
		runtime.GOMAXPROCS(n)
	}
	set = n
}
