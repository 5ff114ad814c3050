package dict

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// fullScan runs a whole scan, calling between after every Scan call.
func fullScan[V any](d *Dict[V], fn func(*Entry[V]), between func()) {
	cursor := uint64(0)
	for {
		cursor = d.Scan(cursor, fn)
		if cursor == 0 {
			return
		}
		between()
	}
}

func TestScanNoChangeVisitsEachOnce(t *testing.T) {
	for _, n := range []int{1, 3, 4, 5, 100, 1000, 4097} {
		for _, rehashing := range []bool{false, true} {
			t.Run(fmt.Sprintf("n%d/rehashing=%v", n, rehashing), func(t *testing.T) {
				d := New[int]()
				for i := range n {
					d.Set(key(i), i)
				}
				for d.RehashSteps(100) {
				}
				if rehashing {
					require.True(t, d.Expand(8*n))
					d.RehashSteps(n / 8)
				}
				seen := map[string]int{}
				fullScan(d, func(e *Entry[int]) { seen[e.Key]++ }, func() {})
				require.Len(t, seen, n)
				for k, c := range seen {
					require.Equal(t, 1, c, k)
				}
			})
		}
	}
}

// scanStats counts what happened to the tables during scans, to show the property test
// really exercised resizes mid-scan.
type scanStats struct{ grows, shrinks, finished int }

// runScanProperty scans a dict of stable keys while randomly inserting and deleting other
// keys, forcing grows and shrinks, stepping the rehash and toggling the resize policy
// between Scan calls, and checks every stable key was returned. With growOnly, the table
// never shrinks, and each stable key must be returned exactly once.
func runScanProperty(t *testing.T, seed uint64, shift uint8, growOnly bool, st *scanStats) {
	rng := rand.New(rand.NewPCG(seed, uint64(shift)))
	d := New[int]()
	d.hashShift = shift
	nStable := 1 + rng.IntN(1500)
	for i := range nStable {
		d.Set("s:"+strconv.Itoa(i), i)
	}
	// Start the scan anywhere in the rehash life cycle.
	d.RehashSteps(rng.IntN(300))
	var transient []string
	next := 0
	seen := make(map[string]int, nStable)
	wasRehashing := d.IsRehashing()

	between := func() {
		switch op := rng.IntN(12); {
		case op < 3 && len(transient) < 6000: // bulk insert: forces growth
			for range rng.IntN(400) {
				k := "t:" + strconv.Itoa(next)
				next++
				d.Set(k, -1)
				transient = append(transient, k)
			}
		case op < 6 && !growOnly: // bulk delete: forces shrink
			for m := rng.IntN(len(transient) + 1); m > 0; m-- {
				j := rng.IntN(len(transient))
				require.NotNil(t, d.Delete(transient[j]))
				transient[j] = transient[len(transient)-1]
				transient = transient[:len(transient)-1]
			}
		case op < 7 && d.Buckets() < 1<<15:
			d.Expand(d.Len() * (2 + rng.IntN(8)))
		case op < 8:
			d.RehashSteps(rng.IntN(64))
		case op < 9:
			d.SetResizeAllowed(rng.IntN(2) == 0)
		case op < 10 && !growOnly:
			d.ResizeIfNeeded()
		default:
			d.Get("s:" + strconv.Itoa(rng.IntN(nStable)))
		}
		if d.IsRehashing() && !wasRehashing {
			if len(d.ht[1].buckets) > len(d.ht[0].buckets) {
				st.grows++
			} else {
				st.shrinks++
			}
		}
		if !d.IsRehashing() && wasRehashing {
			st.finished++
		}
		wasRehashing = d.IsRehashing()
	}
	fullScan(d, func(e *Entry[int]) {
		if e.Key[0] == 's' {
			seen[e.Key]++
		}
	}, between)

	for i := range nStable {
		k := "s:" + strconv.Itoa(i)
		require.NotZero(t, seen[k], "seed %d shift %d: stable key %q missed", seed, shift, k)
		if growOnly {
			require.Equal(t, 1, seen[k], "seed %d: %q returned twice without a shrink", seed, k)
		}
	}
	checkInvariants(t, d)
}

func TestScanGuaranteeAcrossResizes(t *testing.T) {
	// shift 54 leaves 1024 distinct hashes, 61 only 8 (dense chains); both are slow, so
	// they get fewer seeds.
	for _, tc := range []struct {
		shift uint8
		seeds uint64
	}{{0, 30}, {54, 8}, {61, 3}} {
		for _, growOnly := range []bool{false, true} {
			shift := tc.shift
			t.Run(fmt.Sprintf("shift%d/growOnly=%v", shift, growOnly), func(t *testing.T) {
				var st scanStats
				seeds := tc.seeds
				if testing.Short() {
					seeds = max(1, seeds/4)
				}
				for seed := range seeds {
					runScanProperty(t, seed, shift, growOnly, &st)
				}
				t.Logf("mid-scan: %d grows, %d shrinks, %d rehashes finished", st.grows, st.shrinks, st.finished)
				require.NotZero(t, st.grows)
				require.NotZero(t, st.finished)
				if !growOnly {
					require.NotZero(t, st.shrinks)
				}
			})
		}
	}
}

// TestScanDeleteInCallback is active expiry: the callback deletes entries it is given.
func TestScanDeleteInCallback(t *testing.T) {
	d := New[int]()
	for i := range 5000 {
		d.Set(key(i), i)
	}
	d.Expand(20000)
	d.RehashSteps(10)
	visited := map[string]bool{}
	fullScan(d, func(e *Entry[int]) {
		visited[e.Key] = true
		if e.Value%3 == 0 {
			require.True(t, d.DeleteEntry(e))
		}
		e.Version = 9
	}, func() { d.RehashSteps(3) })
	require.Len(t, visited, 5000)
	for i := range 5000 {
		e := d.Get(key(i))
		if i%3 == 0 {
			require.Nil(t, e)
		} else {
			require.Equal(t, uint32(9), e.Version)
		}
	}
	checkInvariants(t, d)
}

// TestScanCursorExamples pins the reverse-binary order on a 8-bucket table.
func TestScanCursorExamples(t *testing.T) {
	var order []uint64
	c := uint64(0)
	for {
		order = append(order, c)
		c = nextCursor(c, 7)
		if c == 0 {
			break
		}
	}
	require.Equal(t, []uint64{0, 4, 2, 6, 1, 5, 3, 7}, order)
}

// ScanBuckets visits what the same number of Scan calls visit, in the same order, and
// ends at the same cursor, rehashing or not.
func TestScanBuckets(t *testing.T) {
	for _, rehash := range []bool{false, true} {
		d := New[int]()
		for i := 0; i < 5000; i++ {
			e, _ := d.Upsert(fmt.Sprintf("k%d", i))
			e.Value = i
		}
		if rehash {
			for i := 5000; i < 9000 && !d.IsRehashing(); i++ {
				e, _ := d.Upsert(fmt.Sprintf("k%d", i))
				e.Value = i
			}
			require.True(t, d.IsRehashing())
		} else {
			for d.IsRehashing() {
				d.RehashSteps(100)
			}
		}
		for _, n := range []int{1, 7, 8, 37} {
			var want, got []string
			c1, c2 := uint64(0), uint64(0)
			for {
				for i := 0; i < n; i++ {
					if c1 = d.Scan(c1, func(e *Entry[int]) { want = append(want, e.Key) }); c1 == 0 {
						break
					}
				}
				c2 = d.ScanBuckets(c2, n, func(e *Entry[int]) { got = append(got, e.Key) })
				require.Equal(t, c1, c2)
				if c1 == 0 {
					break
				}
			}
			require.Equal(t, want, got, "n=%d rehash=%v", n, rehash)
			require.Len(t, got, d.Len())
		}
	}
}
