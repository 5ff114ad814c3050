package dict

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"
)

// runHold plays a reader that writes a dict out in steps: it scans `before` cursor steps
// plainly (the dict unchanged meanwhile, as a snapshot job's value is until a change
// detaches it), holds, and then alternates random changes (inserts, deletes, in-place
// writes through BeforeWrite, re-inserts of deleted keys, enough inserts to grow the
// table) with ScanHeld steps and TakeKept. What it read must be the dict as it was when
// the reader began, each key exactly once.
func runHold(t *testing.T, seed uint64, n, before int, shift uint8, rehashing bool) (changes int) {
	rng := rand.New(rand.NewPCG(seed, uint64(n)))
	d := New[string]()
	d.hashShift = shift
	want := map[string]string{}
	for i := range n {
		k := "k" + strconv.Itoa(i)
		d.Set(k, "v"+strconv.Itoa(i))
		want[k] = "v" + strconv.Itoa(i)
	}
	for d.RehashSteps(100) {
	}
	if rehashing {
		if !d.Expand(4 * n) {
			return 0 // too small to rehash into a bigger table
		}
		d.RehashSteps(n / 16)
		before = 0 // a scan under way on a rehashing dict is refused (TestHoldRefuses)
	}
	got := map[string]string{}
	read := func(e *Entry[string]) {
		if _, dup := got[e.Key]; dup {
			t.Fatalf("%s read twice", e.Key)
		}
		got[e.Key] = e.Value
	}
	cursor := uint64(0)
	for range before {
		if cursor = d.Scan(cursor, read); cursor == 0 {
			break
		}
	}
	if before > 0 && cursor == 0 {
		require.Equal(t, want, got)
		return 0
	}
	require.True(t, d.Hold(cursor))
	require.False(t, d.Hold(cursor), "a second hold")
	next := n
	for {
		for range rng.IntN(8) {
			changes++
			switch r := rng.IntN(10); {
			case r < 3: // insert a new key (often enough to grow the table)
				d.Set("new"+strconv.Itoa(next), "x")
				next++
			case r < 6: // delete an old key, or a key added since
				k := "k" + strconv.Itoa(rng.IntN(n))
				if rng.IntN(4) == 0 {
					k = "new" + strconv.Itoa(rng.IntN(next-n+1)+n)
				}
				d.Delete(k)
			case r < 9: // change in place
				if e := d.Get("k" + strconv.Itoa(rng.IntN(n))); e != nil {
					d.BeforeWrite(e)
					e.Value += "!"
				}
			default: // delete and add back under a new value (a new entry, born with the token)
				k := "k" + strconv.Itoa(rng.IntN(n))
				if d.Delete(k) != nil {
					d.Set(k, "again")
				}
			}
		}
		d.TakeKept(read)
		if cursor = d.ScanHeld(cursor, read); cursor == 0 {
			break
		}
	}
	d.TakeKept(read)
	d.Release()
	require.False(t, d.Held())
	require.Equal(t, want, got)
	return changes
}

func TestHoldReadsTheDictAsItWas(t *testing.T) {
	total := 0
	for _, n := range []int{1, 5, 64, 1000, 3000} {
		for _, before := range []int{0, 1, 7, 200} {
			for _, shift := range []uint8{0, 58} { // 58: 64 buckets' worth of hash, long chains
				for _, rehashing := range []bool{false, true} {
					name := fmt.Sprintf("n%d/before%d/shift%d/rehashing=%v", n, before, shift, rehashing)
					t.Run(name, func(t *testing.T) {
						for seed := range uint64(3) {
							total += runHold(t, seed, n, before, shift, rehashing)
						}
					})
				}
			}
		}
	}
	require.Greater(t, total, 10000, "the changes the readers met")
}

// settled is a dict of n keys with no rehash in progress.
func settled(n int) *Dict[int] {
	d := New[int]()
	for i := range n {
		d.Set(key(i), i)
	}
	for d.RehashSteps(100) {
	}
	return d
}

// TestHoldPausesRehash: while held nothing moves (a grow allocates the new table and
// inserts go there; no step moves a bucket and no delete shrinks), and Release resumes.
func TestHoldPausesRehash(t *testing.T) {
	d := settled(1000)
	require.True(t, d.Hold(0))
	i := 1000
	for ; !d.IsRehashing(); i++ {
		d.Set(key(i), i)
	}
	old := d.ht[0].used
	for ; i < 3000; i++ {
		d.Set(key(i), i)
	}
	require.Equal(t, old, d.ht[0].used, "no entry moved while held")
	require.True(t, d.RehashSteps(1000))
	require.Equal(t, old, d.ht[0].used)
	d.Release()
	for d.RehashSteps(100) {
	}
	require.Equal(t, 3000, d.Len())
	for i := 0; i < 2990; i++ {
		d.Delete(key(i))
	}
	for d.RehashSteps(100) {
	}
	require.Less(t, d.Buckets(), 1024, "shrinks again once released")
}

func TestHoldRefuses(t *testing.T) {
	d := settled(100)
	require.True(t, d.Expand(1000))
	require.False(t, d.Hold(d.Scan(0, func(*Entry[int]) {})), "a scan under way while rehashing")
	require.True(t, d.Hold(0), "no bucket read yet: rehashing does not matter")
	d.Release()
	d.Release() // twice is harmless
	d.SetBirthVersion(^uint32(0))
	require.False(t, d.Hold(0), "the token would wrap")
}

// TestHoldKeepsOnlyWhatTheReaderNeeds: entries the reader passed before the hold, entries
// added since, and entries already kept or read are not copied again.
func TestHoldKeepsOnlyWhatTheReaderNeeds(t *testing.T) {
	d := settled(1000)
	passed := map[string]bool{}
	cursor := uint64(0)
	for range 100 {
		cursor = d.Scan(cursor, func(e *Entry[int]) { passed[e.Key] = true })
	}
	require.NotEmpty(t, passed)
	require.True(t, d.Hold(cursor))
	kept := func() (n int) {
		d.TakeKept(func(*Entry[int]) { n++ })
		return n
	}
	for k := range passed {
		d.BeforeWrite(d.Get(k))
		d.Delete(k)
	}
	require.Zero(t, kept(), "the reader had these")
	d.Set("fresh", 1)
	d.BeforeWrite(d.Get("fresh"))
	d.Delete("fresh")
	require.Zero(t, kept(), "born after the hold")
	var other string
	for i := range 1000 {
		if !passed[key(i)] {
			other = key(i)
			break
		}
	}
	e := d.Get(other)
	d.BeforeWrite(e)
	e.Value = -1
	d.BeforeWrite(e)
	d.Delete(other)
	var got []int
	d.TakeKept(func(e *Entry[int]) { got = append(got, e.Value) })
	require.Len(t, got, 1, "kept once, with the value before the first change")
	require.NotEqual(t, -1, got[0])
	d.Release()
}

// TestHoldByReadsWhatTheReaderHadNot: a reader with an order of its own (HoldBy) had the
// keys below a bound; it must then get every other key as it was, once, with the value
// copied before a change in place (the values are pointers the changes write through).
func TestHoldByReadsWhatTheReaderHadNot(t *testing.T) {
	for seed := range uint64(5) {
		rng := rand.New(rand.NewPCG(seed, 7))
		const n = 2000
		type val struct{ idx, v int }
		d := New[*val]()
		want := map[string]int{}
		for i := range n {
			d.Set(key(i), &val{idx: i, v: i})
			if i >= n/3 {
				want[key(i)] = i
			}
		}
		had := func(e *Entry[*val]) bool { return e.Value.idx < n/3 }
		copies := 0
		require.True(t, d.HoldBy(had, func(v *val) *val { copies++; c := *v; return &c }))
		require.True(t, d.Held())
		got := map[string]int{}
		read := func(e *Entry[*val]) {
			if _, dup := got[e.Key]; dup {
				t.Fatalf("%s read twice", e.Key)
			}
			got[e.Key] = e.Value.v
		}
		cursor := uint64(0)
		for next := n; ; {
			for range rng.IntN(6) {
				switch r := rng.IntN(3); {
				case r == 0:
					d.Set(key(next), &val{idx: next, v: -1})
					next++
				case r == 1:
					d.Delete(key(rng.IntN(n)))
				default:
					if e := d.Get(key(rng.IntN(n))); e != nil {
						d.BeforeWrite(e)
						e.Value.v = -2 // through the pointer: the kept copy must not see it
					}
				}
			}
			d.TakeKept(read)
			if cursor = d.ScanHeld(cursor, read); cursor == 0 {
				break
			}
		}
		d.TakeKept(read)
		d.Release()
		require.Equal(t, want, got)
		require.Positive(t, copies)
	}
}

// TestDictSize: the hold's pointer did not move the Dict out of its Go size class (every
// big hash, set and zset allocates one).
func TestDictSize(t *testing.T) {
	require.Equal(t, uintptr(96), unsafe.Sizeof(Dict[string]{}))
}
