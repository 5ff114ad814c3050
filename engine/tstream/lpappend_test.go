package tstream

import (
	"bytes"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/redisctl/redisctl/rdb/listpack"
)

// The in-place encoders must write exactly what the listpack package writes.
func TestLPAppendMatchesListpack(t *testing.T) {
	ints := []int64{0, 1, 126, 127, 128, 255, 4095, 4096, -1, -4096, -4097, math.MaxInt16, math.MinInt16,
		1 << 23, -1 << 23, math.MaxInt32, math.MinInt32, math.MaxInt64, math.MinInt64}
	vals := [][]byte{nil, []byte("a"), []byte("field"), []byte("000000012345"), []byte("12345"), []byte("-7"),
		[]byte("01"), []byte("9223372036854775808"), bytes.Repeat([]byte("x"), 63), bytes.Repeat([]byte("x"), 64),
		bytes.Repeat([]byte("y"), 200), bytes.Repeat([]byte("z"), 5000)}
	for _, v := range ints {
		vals = append(vals, []byte(strconv.FormatInt(v, 10)))
	}
	mine, ref := listpack.New(), listpack.New()
	for _, v := range ints {
		mine, ref = lpAppendInt(mine, v), listpack.AppendInt(ref, v)
		require.Equal(t, ref, mine, "int %d", v)
	}
	for _, v := range vals {
		mine, ref = lpAppendValue(mine, v), listpack.Append(ref, v)
		require.Equal(t, ref, mine, "value %q", v)
	}
	_, err := listpack.Validate(mine)
	require.NoError(t, err)

	// The count header saturates at 65535 (unknown) as the listpack package's does.
	mine, ref = listpack.New(), listpack.New()
	for i := 0; i < 65540; i++ {
		mine, ref = lpAppendInt(mine, int64(i%128)), listpack.AppendInt(ref, int64(i%128))
	}
	require.Equal(t, ref, mine)
	require.Equal(t, listpack.CountUnknown, listpack.HeaderCount(mine))
}

// The running radix counter of an appended-to stream gives what a recount gives, through
// new nodes, trims from the head and deletions; the ID text cache what ID.Append gives.
func TestAppendStateMatchesRecount(t *testing.T) {
	s := New()
	lim := Limits{MaxBytes: 4096, MaxEntries: 7}
	recount := func() int {
		var c raxCounter
		for _, n := range s.nodes {
			c.add(n.master)
		}
		return c.finish()
	}
	fv := [][]byte{[]byte("f"), []byte("v")}
	now := int64(1700000000000)
	for i := 0; i < 3000; i++ {
		if i%3 == 0 {
			now += int64(i % 700)
		}
		id, res := s.Append(fv, nil, false, now, lim)
		require.Equal(t, AppendOK, res)
		var buf [64]byte
		require.Equal(t, id.String(), string(s.appendID(buf[:0], id)))
		switch {
		case i%97 == 0:
			s.Trim(&TrimArgs{Strategy: TrimMaxLen, MaxLen: int64(i / 2)})
		case i%89 == 0:
			s.Delete(id)
		}
		if i%5 == 0 {
			require.Equal(t, recount(), s.RaxNodes(), "after %d appends", i+1)
		}
	}
	require.NotNil(t, s.hot)
	require.Equal(t, recount(), s.RaxNodes())
}

// endDelta against recounts: removing either end of random sorted key sets shaped as
// stream node masters are (close milliseconds, sequences) and as arbitrary 16-byte keys.
func TestEndDeltaMatchesRecount(t *testing.T) {
	count := func(keys []ID) int {
		var c raxCounter
		for _, k := range keys {
			c.add(k)
		}
		return c.finish()
	}
	rng := rand.New(rand.NewPCG(1, 2))
	gens := []func() ID{
		func() ID { return ID{1700000000000 + uint64(rng.IntN(5000)), uint64(rng.IntN(3))} },
		func() ID { return ID{uint64(rng.IntN(300)), uint64(rng.IntN(300))} },
		func() ID { return ID{rng.Uint64(), rng.Uint64()} },
		func() ID { return ID{uint64(rng.IntN(4)) << 56, uint64(rng.IntN(4)) << uint(8*rng.IntN(8))} },
		func() ID { return ID{0, uint64(rng.IntN(1 << 16))} },
	}
	for trial := 0; trial < 4000; trial++ {
		gen := gens[trial%len(gens)]
		set := map[ID]bool{}
		n := 3 + rng.IntN(40)
		if trial%10 == 0 {
			n = 3 + rng.IntN(400)
		}
		for len(set) < n {
			set[gen()] = true
		}
		keys := make([]ID, 0, n)
		for k := range set {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, func(a, b ID) int { return a.Compare(b) })
		all := count(keys)
		head := endDelta(n, func(i int) ID { return keys[i] })
		require.Equal(t, all-count(keys[1:]), head, "head of %v", keys)
		tail := endDelta(n, func(i int) ID { return keys[n-1-i] })
		require.Equal(t, all-count(keys[:n-1]), tail, "tail of %v", keys)
	}
}
