package dict

import (
	"fmt"
	"strconv"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"
)

// checkInvariants verifies the numbered invariants of Dict against its internals.
func checkInvariants[V any](t testing.TB, d *Dict[V]) {
	t.Helper()
	seen := make(map[string]bool, d.Len())
	for ti := range 2 {
		b := d.ht[ti].buckets
		require.True(t, len(b) == 0 || len(b)&(len(b)-1) == 0, "table %d size %d not a power of two", ti, len(b))
		n := 0
		for i, head := range b {
			for e := head; e != nil; e = e.next {
				require.Equal(t, uint64(i), d.hashString(e.Key)&uint64(len(b)-1), "key %q in wrong bucket", e.Key)
				if ti == 0 {
					require.GreaterOrEqual(t, i, d.rehashIdx, "key %q below rehashIdx", e.Key)
				}
				require.False(t, seen[e.Key], "key %q twice", e.Key)
				seen[e.Key] = true
				n++
			}
		}
		require.Equal(t, d.ht[ti].used, n, "table %d used", ti)
	}
	if d.ht[1].buckets == nil {
		require.Zero(t, d.rehashIdx)
	} else {
		require.NotZero(t, len(d.ht[0].buckets))
	}
	require.Zero(t, d.paused)
}

func key(i int) string { return "key:" + strconv.Itoa(i) }

func TestBasicOps(t *testing.T) {
	tests := []struct {
		name string
		run  func(t *testing.T, d *Dict[int])
	}{
		{"empty", func(t *testing.T, d *Dict[int]) {
			require.Nil(t, d.Get("a"))
			require.Nil(t, d.GetBytes([]byte("a")))
			require.Nil(t, d.Delete("a"))
			require.Nil(t, d.DeleteBytes([]byte("a")))
			require.False(t, d.DeleteEntry(&Entry[int]{Key: "a"}))
			require.False(t, d.DeleteEntry(nil))
			require.Nil(t, d.Random())
			require.Nil(t, d.FairRandom())
			require.Empty(t, d.SomeKeys(nil, 5))
			require.Zero(t, d.Scan(0, func(*Entry[int]) { t.Fatal("visited") }))
			require.Zero(t, d.Len())
			require.Zero(t, d.Buckets())
		}},
		{"add refuses duplicate", func(t *testing.T, d *Dict[int]) {
			e, ok := d.Add("a", 1)
			require.True(t, ok)
			e2, ok := d.Add("a", 2)
			require.False(t, ok)
			require.Same(t, e, e2)
			require.Equal(t, 1, e2.Value)
			require.Equal(t, 1, d.Len())
			require.Equal(t, InitialSize, d.Buckets())
		}},
		{"upsert", func(t *testing.T, d *Dict[int]) {
			e, existed := d.Upsert("a")
			require.False(t, existed)
			require.Zero(t, e.Value)
			e.Value = 7
			e2, existed := d.UpsertBytes([]byte("a"))
			require.True(t, existed)
			require.Same(t, e, e2)
			e3, existed := d.UpsertBytes([]byte("b"))
			require.False(t, existed)
			require.Equal(t, "b", e3.Key)
			require.Equal(t, 2, d.Len())
		}},
		{"set overwrites in place", func(t *testing.T, d *Dict[int]) {
			e := d.Set("a", 1)
			require.Same(t, e, d.Set("a", 2))
			require.Equal(t, 2, d.Get("a").Value)
		}},
		{"binary keys", func(t *testing.T, d *Dict[int]) {
			keys := []string{"", "\x00", "\x00\x00", "a\x00b", "\xff\xfe", "a"}
			for i, k := range keys {
				d.Set(k, i)
			}
			for i, k := range keys {
				require.Equal(t, i, d.Get(k).Value, "%q", k)
				require.Equal(t, i, d.GetBytes([]byte(k)).Value, "%q", k)
			}
			require.Equal(t, len(keys), d.Len())
			require.NotNil(t, d.DeleteBytes([]byte("\x00")))
			require.Nil(t, d.Get("\x00"))
			require.NotNil(t, d.Get("\x00\x00"))
		}},
		{"delete returns detached entry", func(t *testing.T, d *Dict[int]) {
			d.Set("a", 1)
			d.Set("b", 2)
			e := d.Delete("a")
			require.NotNil(t, e)
			require.Equal(t, "a", e.Key)
			require.Equal(t, 1, e.Value)
			require.Nil(t, e.next)
			require.Nil(t, d.Delete("a"))
			require.Equal(t, 1, d.Len())
			require.True(t, d.AddEntry(e))
			require.Same(t, e, d.Get("a"))
			require.False(t, d.AddEntry(&Entry[int]{Key: "a"}))
		}},
		{"two-phase delete", func(t *testing.T, d *Dict[int]) {
			for i := range 100 {
				d.Set(key(i), i)
			}
			e := d.Get(key(42))
			e.Value = -1 // a pre-change hook would run here
			require.True(t, d.DeleteEntry(e))
			require.False(t, d.DeleteEntry(e))
			require.Nil(t, d.Get(key(42)))
			// A different entry with the same key is not this dict's entry.
			require.False(t, d.DeleteEntry(&Entry[int]{Key: key(43)}))
			require.NotNil(t, d.Get(key(43)))
			require.Equal(t, 99, d.Len())
		}},
		{"birth version", func(t *testing.T, d *Dict[int]) {
			a, _ := d.Upsert("a")
			d.SetBirthVersion(7)
			require.Equal(t, uint32(7), d.BirthVersion())
			b, _ := d.Upsert("b")
			c, _ := d.Add("c", 0)
			d2, _ := d.UpsertBytes([]byte("d"))
			require.Zero(t, a.Version)
			require.Equal(t, uint32(7), b.Version)
			require.Equal(t, uint32(7), c.Version)
			require.Equal(t, uint32(7), d2.Version)
			a.Version = 3
			d.Set("a", 9)
			require.Equal(t, uint32(3), d.Get("a").Version, "overwrite keeps the entry's version")
		}},
		{"clear", func(t *testing.T, d *Dict[int]) {
			for i := range 1000 {
				d.Set(key(i), i)
			}
			d.SetResizeAllowed(false)
			d.SetBirthVersion(5)
			d.Clear()
			require.Zero(t, d.Len())
			require.Zero(t, d.Buckets())
			require.False(t, d.IsRehashing())
			require.Nil(t, d.Get(key(1)))
			require.False(t, d.ResizeAllowed())
			e, _ := d.Upsert("x")
			require.Equal(t, uint32(5), e.Version)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := New[int]()
			tc.run(t, d)
			checkInvariants(t, d)
		})
	}
}

func TestGrowPolicy(t *testing.T) {
	tests := []struct {
		name     string
		resize   bool
		inserts  int
		wantSize int // size of the table being rehashed into, or of the only table
	}{
		{"first insert", true, 1, 4},
		{"load 1 not yet grown", true, 4, 4},
		{"grows on insert at load 1", true, 5, 8},
		{"grows to 16", true, 9, 16},
		{"disallowed keeps size", false, 20, 4},
		{"disallowed forced at load 5", false, 21, 32},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := New[int]()
			d.SetResizeAllowed(tc.resize)
			for i := range tc.inserts {
				d.Set(key(i), i)
			}
			size := len(d.ht[0].buckets)
			if d.IsRehashing() {
				size = len(d.ht[1].buckets)
			}
			require.Equal(t, tc.wantSize, size)
			checkInvariants(t, d)
		})
	}
}

func TestShrinkPolicy(t *testing.T) {
	d := New[int]()
	for i := range 1000 {
		d.Set(key(i), i)
	}
	for d.RehashSteps(100) {
	}
	require.Equal(t, 1024, d.Buckets())
	// 10% of 1024 is 102.4: at 103 entries no shrink, at 102 it starts.
	i := 0
	for ; d.Len() > 103; i++ {
		d.Delete(key(i))
	}
	require.False(t, d.IsRehashing())
	require.Equal(t, 1024, d.Buckets())
	d.Delete(key(i))
	i++
	require.True(t, d.IsRehashing())
	require.Equal(t, 128, len(d.ht[1].buckets))
	for d.RehashSteps(100) {
	}
	checkInvariants(t, d)
	require.Equal(t, 128, d.Buckets())

	// Disallowed: shrink only below 2% fill.
	d.SetResizeAllowed(false)
	for ; d.Len() > 3; i++ {
		d.Delete(key(i))
	}
	require.False(t, d.IsRehashing())
	require.Equal(t, 128, d.Buckets())
	d.Delete(key(i))
	i++
	require.True(t, d.IsRehashing())
	require.Equal(t, 4, len(d.ht[1].buckets))
	d.RehashSteps(1000)

	// Emptying a dict replaces its table without a rehash.
	d.SetResizeAllowed(true)
	for k := range 100 {
		d.Set(key(k+5000), k)
	}
	for d.RehashSteps(100) {
	}
	for k := range 100 {
		d.Delete(key(k + 5000))
	}
	for ; d.Len() > 0; i++ {
		d.Delete(key(i))
	}
	for d.RehashSteps(100) {
	}
	d.ResizeIfNeeded()
	require.Equal(t, InitialSize, d.Buckets())
	checkInvariants(t, d)
}

func TestResizeIfNeeded(t *testing.T) {
	d := New[int]()
	d.SetResizeAllowed(false)
	for i := range 16 {
		d.Set(key(i), i)
	}
	require.Equal(t, 4, d.Buckets())
	require.False(t, d.ResizeIfNeeded(), "held back while disallowed")
	d.SetResizeAllowed(true)
	require.True(t, d.ResizeIfNeeded())
	require.True(t, d.IsRehashing())
	require.False(t, d.ResizeIfNeeded(), "not while rehashing")
	require.Equal(t, 0, d.RehashFor(0)%100)
	for d.RehashSteps(10) {
	}
	require.Equal(t, 32, d.Buckets())
	require.False(t, d.ResizeIfNeeded())
	checkInvariants(t, d)
}

func TestExpand(t *testing.T) {
	d := New[int]()
	require.True(t, d.Expand(1000))
	require.Equal(t, 1024, d.Buckets())
	require.False(t, d.IsRehashing(), "an empty dict takes the table directly")
	require.False(t, d.Expand(1000), "same size")
	require.False(t, d.Expand(10), "smaller")
	require.False(t, d.Expand(-1))
	require.False(t, d.Expand(MaxBuckets+1))
	for i := range 1000 {
		d.Set(key(i), i)
	}
	require.Equal(t, 1024, d.Buckets(), "pre-sized: no growth while loading")
	require.True(t, d.Expand(5000))
	require.True(t, d.IsRehashing())
	require.False(t, d.Expand(100000), "refused while rehashing")
	for d.RehashSteps(50) {
		checkInvariants(t, d)
	}
	require.Equal(t, 8192, d.Buckets())
	for i := range 1000 {
		require.Equal(t, i, d.Get(key(i)).Value)
	}
}

// TestRehashCorrectness interleaves every operation with partial rehashes, in both
// directions, with normal and fully colliding hashes.
func TestRehashCorrectness(t *testing.T) {
	for _, shift := range []uint8{0, 60, 64 - 1} {
		t.Run(fmt.Sprintf("shift%d", shift), func(t *testing.T) {
			d := New[int]()
			d.hashShift = shift
			model := map[string]int{}
			const n = 3000
			for i := range n {
				d.Set(key(i), i)
				model[key(i)] = i
				if i%97 == 0 {
					checkInvariants(t, d)
				}
			}
			// Delete most, so the table shrinks while growth may still be in progress.
			for i := 0; i < n; i++ {
				if i%10 != 0 {
					require.NotNil(t, d.Delete(key(i)))
					delete(model, key(i))
				}
				if i%389 == 0 {
					checkInvariants(t, d)
					for k, v := range model {
						e := d.Get(k)
						require.NotNil(t, e, k)
						require.Equal(t, v, e.Value)
					}
				}
			}
			require.Equal(t, len(model), d.Len())
			for d.RehashSteps(7) {
				checkInvariants(t, d)
			}
			checkInvariants(t, d)
			require.Equal(t, 512, d.Buckets())
		})
	}
}

// TestPointerStabilityAndVersion holds every *Entry across grows and shrinks and checks the
// same pointers, values and versions come back.
func TestPointerStabilityAndVersion(t *testing.T) {
	d := New[*int]()
	const n = 5000
	held := make([]*Entry[*int], n)
	for i := range n {
		d.SetBirthVersion(uint32(i % 7))
		v := i
		held[i], _ = d.Add(key(i), &v)
		held[i].Version += uint32(i) // the engine stamps freely
	}
	check := func() {
		t.Helper()
		for i, e := range held {
			if e == nil {
				continue
			}
			got := d.Get(key(i))
			require.Same(t, e, got)
			require.Equal(t, i, *got.Value)
			require.Equal(t, uint32(i%7)+uint32(i), got.Version)
		}
	}
	check()
	require.True(t, d.Expand(1<<16))
	for d.IsRehashing() {
		d.RehashSteps(3)
		d.Get(key(0))
	}
	check()
	for i := range n {
		if i%50 != 0 {
			require.Same(t, held[i], d.Delete(key(i)))
			held[i] = nil
		}
	}
	// Whether the shrink is still rehashing here depends on the process's hash seed.
	check()
	for d.RehashSteps(1) {
	}
	require.Less(t, d.Buckets(), 1<<16, "shrunk")
	check()
	checkInvariants(t, d)
}

func TestAll(t *testing.T) {
	d := New[int]()
	for i := range 1000 {
		d.Set(key(i), i)
	}
	require.True(t, d.Expand(4000))
	d.RehashSteps(100) // mid-rehash: entries in both tables
	require.True(t, d.IsRehashing())

	seen := map[string]int{}
	for e := range d.All() {
		seen[e.Key]++
		require.Equal(t, int32(1), d.paused)
		d.Get(key(0)) // no rehash step while iterating
	}
	require.Len(t, seen, 1000)
	for k, c := range seen {
		require.Equal(t, 1, c, k)
	}
	require.Zero(t, d.paused)

	// Early break unpauses.
	for range d.All() {
		break
	}
	require.Zero(t, d.paused)

	// Deleting the current entry and inserting are allowed.
	n := 0
	for e := range d.All() {
		n++
		if e.Value%2 == 0 {
			require.True(t, d.DeleteEntry(e))
		}
		if e.Value >= 0 && e.Value < 10 {
			d.Set("new:"+e.Key, -1)
		}
	}
	require.GreaterOrEqual(t, n, 1000)
	require.Equal(t, 510, d.Len())
	checkInvariants(t, d)
}

func TestAllocs(t *testing.T) {
	d := New[int]()
	for i := range 1000 {
		d.Set(key(i), i)
	}
	hit, miss := []byte(key(500)), []byte("absent")
	hitS := key(500)
	require.Zero(t, testing.AllocsPerRun(100, func() { d.Get(hitS) }))
	require.Zero(t, testing.AllocsPerRun(100, func() { d.GetBytes(hit) }))
	require.Zero(t, testing.AllocsPerRun(100, func() { d.GetBytes(miss) }))
	require.Zero(t, testing.AllocsPerRun(100, func() { d.DeleteBytes(miss) }))
	require.Zero(t, testing.AllocsPerRun(100, func() { d.UpsertBytes(hit) }))
	require.Zero(t, testing.AllocsPerRun(100, func() { d.FairRandom() }))
	require.Zero(t, testing.AllocsPerRun(100, func() { d.Scan(12345, func(*Entry[int]) {}) }))

	keys := make([]string, 200)
	for i := range keys {
		keys[i] = "new:" + strconv.Itoa(i)
	}
	d2 := New[int]()
	d2.Expand(1024) // keep table growth out of the count
	i := 0
	allocs := testing.AllocsPerRun(100, func() {
		d2.Upsert(keys[i])
		i++
	})
	require.Equal(t, 1.0, allocs, "one allocation (the entry) per insert")
}

func TestRandom(t *testing.T) {
	d := New[int]()
	const n = 64
	for i := range n {
		d.Set(key(i), i)
	}
	for _, name := range []string{"stable", "rehashing"} {
		t.Run(name, func(t *testing.T) {
			if name == "rehashing" {
				require.True(t, d.Expand(1<<12))
				d.RehashSteps(5)
				require.True(t, d.IsRehashing())
			}
			counts := map[string]int{}
			for range 20000 {
				e := d.Random()
				require.NotNil(t, e)
				counts[e.Key]++
				f := d.FairRandom()
				require.NotNil(t, f)
				counts[f.Key]++
			}
			require.Len(t, counts, n, "every entry gets picked")
			s := d.SomeKeys(nil, 10)
			if name == "stable" { // load factor ~1; once the rehash ends the table is 1.5% full
				// and SomeKeys may give up after its 10n buckets, as Redis's does
				require.NotEmpty(t, s)
			}
			require.LessOrEqual(t, len(s), 10)
			for _, e := range s {
				require.Same(t, e, d.Get(e.Key))
			}
			all := d.SomeKeys(make([]*Entry[int], 0, 4), 1000)
			require.LessOrEqual(t, len(all), n)
			checkInvariants(t, d)
		})
	}
	// A sparse table (resizing disallowed, shrink held back) still answers.
	d.SetResizeAllowed(false)
	for i := 1; i < n; i++ {
		d.Delete(key(i))
	}
	for range 100 {
		require.Equal(t, key(0), d.Random().Key)
		require.Equal(t, key(0), d.FairRandom().Key)
	}
}

func TestPrefetchChangesNothing(t *testing.T) {
	d := New[int]()
	for i := range 1000 {
		e, _ := d.UpsertBytes([]byte("k" + strconv.Itoa(i)))
		e.Value = i
	}
	require.True(t, d.IsRehashing() || d.Len() == 1000)
	keys := [][]byte{[]byte("k1"), []byte("nokey"), {}, []byte("k999")}
	for range 20 {
		keys = append(keys, []byte("k7"))
	}
	rehashIdx, n, buckets := d.rehashIdx, d.Len(), d.Buckets()
	touched := 0
	d.Prefetch(keys, func(e *Entry[int]) uintptr { touched++; return uintptr(e.Value) })
	require.Equal(t, rehashIdx, d.rehashIdx)
	require.Equal(t, n, d.Len())
	require.Equal(t, buckets, d.Buckets())
	require.LessOrEqual(t, touched, PrefetchMax)
	require.Positive(t, touched)
	New[int]().Prefetch(keys, nil) // empty dict: nothing to do
	require.Equal(t, 1, d.GetBytes([]byte("k1")).Value)
}

// TestHugePagesOnlyForExpand: a table that grows under inserts never asks for huge pages
// (their first-touch faults stall the client whose insert or rehash step touches them);
// one that Expand pre-sizes does, before its first touch.
func TestHugePagesOnlyForExpand(t *testing.T) {
	var advised []uintptr
	defer func(f func(unsafe.Pointer, uintptr)) { adviseTable = f }(adviseTable)
	adviseTable = func(_ unsafe.Pointer, n uintptr) { advised = append(advised, n) }

	d := New[int]()
	const n = 600_000 // past 512Ki buckets: a 4 MiB table, big enough for huge pages
	for i := 0; i < n; i++ {
		d.Add(strconv.Itoa(i), i)
	}
	for d.RehashSteps(1000) {
	}
	require.GreaterOrEqual(t, len(d.ht[0].buckets), 1<<20)
	require.Empty(t, advised, "a table grown by inserts asked for huge pages")

	e := New[int]()
	require.True(t, e.Expand(n))
	require.Equal(t, []uintptr{uintptr(1<<20) * unsafe.Sizeof((*Entry[int])(nil))}, advised)
}
