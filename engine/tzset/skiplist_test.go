package tzset

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"
)

// checkZset verifies every invariant of a skiplist+dict against the expected contents.
func checkZset(t *testing.T, z *zset, want map[string]float64) {
	t.Helper()
	type pair struct {
		m string
		s float64
	}
	var sorted []pair
	for m, s := range want {
		sorted = append(sorted, pair{m, s})
	}
	less := func(s1 float64, e1 string, s2 float64, e2 string) bool {
		return s1 < s2 || (s1 == s2 && e1 < e2)
	}
	slices.SortFunc(sorted, func(a, b pair) int {
		if less(a.s, a.m, b.s, b.m) {
			return -1
		}
		if less(b.s, b.m, a.s, a.m) {
			return 1
		}
		return 0
	})
	zsl := &z.zsl
	require.Equal(t, len(want), zsl.length)
	require.Equal(t, len(want), z.dict.Len())
	// Level 0 walk: order, backward links, tail, dict entries pointing at the nodes.
	var prev *znode
	i := 0
	for n := zsl.first(); n != nil; n = n.lvl(0).forward {
		require.Less(t, i, len(sorted))
		require.Equal(t, sorted[i].m, n.ele())
		require.Equal(t, sorted[i].s, n.score)
		require.Equal(t, prev, n.backward, "backward of %s", n.ele())
		e := z.dict.Get(n.ele())
		require.NotNil(t, e)
		require.Same(t, n, e.Value)
		require.LessOrEqual(t, n.levels(), zsl.level)
		require.GreaterOrEqual(t, int(n.ncap), n.levels())
		for lv := n.levels(); lv < int(n.ncap); lv++ {
			require.Equal(t, zlevel{}, *n.lvl(lv), "unused level %d of %s", lv, n.ele())
		}
		prev = n
		i++
	}
	require.Equal(t, len(sorted), i)
	require.Equal(t, prev, zsl.tail)
	// Spans: on every level, following forward pointers adds up to the ranks.
	rankOf := map[*znode]uint64{}
	r := uint64(0)
	for n := zsl.first(); n != nil; n = n.lvl(0).forward {
		r++
		rankOf[n] = r
	}
	for lv := 0; lv < zsl.level; lv++ {
		x, xr := zsl.header, uint64(0)
		for x.lvl(lv).forward != nil {
			f := x.lvl(lv).forward
			require.Equal(t, rankOf[f], xr+x.lvl(lv).span, "span at level %d", lv)
			x, xr = f, rankOf[f]
		}
	}
	for lv := zsl.level; lv < maxLevel; lv++ {
		require.Nil(t, zsl.header.lvl(lv).forward)
	}
	if zsl.level > 1 {
		require.NotNil(t, zsl.header.lvl(zsl.level-1).forward, "level not lowered")
	}
	// Ranks both ways.
	for k, p := range sorted {
		require.Equal(t, uint64(k+1), zsl.rank(p.s, p.m))
		require.Equal(t, p.m, zsl.byRank(uint64(k+1)).ele())
	}
	require.Nil(t, zsl.byRank(uint64(len(sorted)+1)))
}

func TestSkiplistInvariants(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	z := newZset()
	want := map[string]float64{}
	for step := 0; step < 4000; step++ {
		m := "m" + strconv.Itoa(r.IntN(300))
		s := float64(r.IntN(50)) / 2
		switch r.IntN(5) {
		case 0, 1:
			if _, ok := want[m]; !ok {
				z.add(s, m)
				want[m] = s
			}
		case 2:
			if _, ok := want[m]; ok {
				e := z.dict.Get(m)
				e.Value = z.zsl.updateScore(e.Value, s)
				want[m] = s
			}
		case 3:
			require.Equal(t, want[m] != 0 || hasKey(want, m), z.remove([]byte(m)))
			delete(want, m)
		case 4:
			if r.IntN(20) == 0 {
				lo := float64(r.IntN(30)) / 2
				rg := scoreRange{min: lo, max: lo + float64(r.IntN(6)), minex: r.IntN(2) == 0}
				n := z.deleteRangeByScore(&rg)
				removed := 0
				for k, v := range want {
					if rg.gteMin(v) && rg.lteMax(v) {
						delete(want, k)
						removed++
					}
				}
				require.Equal(t, removed, n)
			}
		}
		if step%97 == 0 {
			checkZset(t, z, want)
		}
	}
	checkZset(t, z, want)
	// Rank deletions.
	n := z.deleteRangeByRank(3, 10)
	require.Equal(t, 8, n)
	require.Equal(t, len(want)-8, z.zsl.length)
}

func hasKey(m map[string]float64, k string) bool { _, ok := m[k]; return ok }

func TestRandomLevelDistribution(t *testing.T) {
	counts := make([]int, maxLevel+1)
	const n = 200000
	for i := 0; i < n; i++ {
		counts[randomLevel()]++
	}
	// P(level >= k) = 0.25^(k-1).
	require.InDelta(t, 0.75, float64(counts[1])/n, 0.01)
	require.InDelta(t, 0.1875, float64(counts[2])/n, 0.01)
	require.Zero(t, counts[0])
}

// TestNodeLayout pins the node size the search loops are laid out for (a level-1 node is
// 48 bytes, one Go size class), the node and key blocks' sizes and the level capacities.
func TestNodeLayout(t *testing.T) {
	require.Equal(t, uintptr(48), unsafe.Sizeof(znode{}))
	require.Equal(t, unsafe.Offsetof(znode{}.score)+8, unsafe.Offsetof(znode{}.lv))
	// Node blocks and key blocks are exactly Go size classes.
	require.Equal(t, uintptr(48), unsafe.Sizeof(znodeBlock1{}))
	require.Equal(t, uintptr(64), unsafe.Sizeof(znodeBlock[[1]zlevel]{}))
	require.Equal(t, uintptr(80), unsafe.Sizeof(znodeBlock[[2]zlevel]{}))
	require.Equal(t, uintptr(96), unsafe.Sizeof(znodeBlock[[3]zlevel]{}))
	require.Equal(t, uintptr(160), unsafe.Sizeof(znodeBlock[[7]zlevel]{}))
	require.Equal(t, uintptr(48), unsafe.Sizeof(zmember[[8]byte]{}))
	require.Equal(t, uintptr(64), unsafe.Sizeof(zmember[[24]byte]{}))
	require.Equal(t, uintptr(80), unsafe.Sizeof(zmember[[40]byte]{}))
	require.Equal(t, uintptr(96), unsafe.Sizeof(zmember[[56]byte]{}))
	for level := 1; level <= maxLevel; level++ {
		for _, m := range []string{"", "a", strings.Repeat("x", 24), strings.Repeat("y", 57)} {
			e, n := newMember(level, m, 7)
			require.Equal(t, m, n.ele())
			require.Equal(t, m, e.Key)
			require.Same(t, n, e.Value)
			require.Equal(t, uint32(7), e.Version)
			require.Equal(t, level, n.levels())
			require.GreaterOrEqual(t, int(n.ncap), level)
		}
	}
}
