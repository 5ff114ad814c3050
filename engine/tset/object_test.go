package tset_test

import (
	"errors"
	"slices"
	"strconv"
	"testing"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/engine/tset"
	"github.com/redisctl/redisctl/rdb/intset"
	"github.com/stretchr/testify/require"
)

func members(o *engine.Object) []string {
	var out []string
	tset.ForEachBytes(o, func(m []byte) bool {
		out = append(out, string(m))
		return true
	})
	return out
}

func TestAddRemoveConvert(t *testing.T) {
	o := tset.Create([]byte("5"))
	require.Equal(t, engine.EncIntset, o.Encoding())
	for _, m := range []string{"5", "-3", "100000", "5"} {
		tset.Add(&o, []byte(m), 4)
	}
	require.Equal(t, []string{"-3", "5", "100000"}, members(&o))
	require.Equal(t, 3, tset.Len(&o))
	require.True(t, tset.IsMember(&o, []byte("-3")))
	require.False(t, tset.IsMember(&o, []byte("-03")))
	require.False(t, tset.IsMember(&o, []byte("x")))
	// Upgraded to 32-bit and never narrowed.
	require.Equal(t, intset.Enc32, intset.Encoding(tset.IntsetBytes(&o)))
	require.True(t, tset.Remove(&o, []byte("100000")))
	require.False(t, tset.Remove(&o, []byte("100000")))
	require.False(t, tset.Remove(&o, []byte("nope")))
	require.Equal(t, intset.Enc32, intset.Encoding(tset.IntsetBytes(&o)))

	// The fifth integer crosses a limit of 4.
	for _, m := range []string{"1", "2", "3"} {
		require.True(t, tset.Add(&o, []byte(m), 4))
	}
	require.Equal(t, engine.EncHashtable, o.Encoding())
	require.Nil(t, tset.IntsetBytes(&o))
	require.NotNil(t, tset.Hashtable(&o))
	require.ElementsMatch(t, []string{"-3", "1", "2", "3", "5"}, members(&o))
	require.True(t, tset.IsMember(&o, []byte("2")))

	// A non-integer converts at once.
	s := tset.Create([]byte("1"))
	tset.Add(&s, []byte("1"), 512)
	require.True(t, tset.Add(&s, []byte("01"), 512))
	require.Equal(t, engine.EncHashtable, s.Encoding())
	require.ElementsMatch(t, []string{"1", "01"}, members(&s))

	h := tset.Create([]byte("a"))
	require.Equal(t, engine.EncHashtable, h.Encoding())
	require.Nil(t, tset.Hashtable(&o).Get("x"))
}

func TestForEachStops(t *testing.T) {
	for _, first := range []string{"1", "a"} {
		o := tset.FromMembers([][]byte{[]byte(first), []byte("2"), []byte("3")}, 512)
		n := 0
		tset.ForEach(&o, func([]byte, int64, bool) bool { n++; return false })
		require.Equal(t, 1, n)
	}
	// Every intset width.
	for _, vs := range [][]int64{{-5, 7}, {-70000, 70000}, {-1 << 40, 1 << 40}} {
		o := tset.NewIntset()
		for _, v := range vs {
			tset.Add(&o, []byte(strconv.FormatInt(v, 10)), 512)
		}
		var got []int64
		tset.ForEach(&o, func(_ []byte, v int64, isInt bool) bool {
			require.True(t, isInt)
			got = append(got, v)
			return true
		})
		require.Equal(t, vs, got)
	}
}

func TestFromIntset(t *testing.T) {
	is := intset.New()
	for _, v := range []int64{3, 1, 2} {
		is, _ = intset.Add(is, v)
	}
	o, err := tset.FromIntset(is, 512)
	require.NoError(t, err)
	require.Equal(t, engine.EncIntset, o.Encoding())
	require.Equal(t, is, tset.IntsetBytes(&o))
	is[8] = 99 // the set holds its own copy
	require.Equal(t, []string{"1", "2", "3"}, members(&o))

	o, err = tset.FromIntset(is[:8+4], 2)
	require.Error(t, err)
	require.True(t, errors.Is(err, intset.ErrCorrupt))

	is, _ = intset.Add(intset.New(), 1)
	is, _ = intset.Add(is, 2)
	is, _ = intset.Add(is, 3)
	o, err = tset.FromIntset(is, 2)
	require.NoError(t, err)
	require.Equal(t, engine.EncHashtable, o.Encoding())
	require.Equal(t, 4, tset.Hashtable(&o).Buckets())
	require.ElementsMatch(t, []string{"1", "2", "3"}, members(&o))

	_, err = tset.FromIntset(nil, 512)
	require.Error(t, err)
}

func TestBuilder(t *testing.T) {
	b := tset.NewBuilder(3, 512)
	for _, m := range []string{"3", "1", "2"} {
		require.True(t, b.Add([]byte(m)))
	}
	require.False(t, b.Add([]byte("2")))
	o := b.Object()
	require.Equal(t, engine.EncIntset, o.Encoding())
	require.Equal(t, []string{"1", "2", "3"}, members(&o))

	// A string converts and the table is expanded to the announced count.
	b = tset.NewBuilder(100, 512)
	b.Add([]byte("1"))
	b.Add([]byte("x"))
	o = b.Object()
	require.Equal(t, engine.EncHashtable, o.Encoding())
	d := tset.Hashtable(&o)
	// The add's rehash step moved the only bucket: the rehash is over, as in Redis.
	require.False(t, d.IsRehashing())
	require.Equal(t, 128, d.Buckets())

	// Over the limit: a hashtable pre-sized to the count.
	b = tset.NewBuilder(5, 4)
	for i := range 5 {
		require.True(t, b.Add([]byte(strconv.Itoa(i))))
	}
	require.False(t, b.Add([]byte("4")))
	o = b.Object()
	require.Equal(t, engine.EncHashtable, o.Encoding())
	require.Equal(t, 8, tset.Hashtable(&o).Buckets())
}

func TestDupAndTypeOps(t *testing.T) {
	for _, first := range []string{"1", "a"} {
		o := tset.FromMembers([][]byte{[]byte(first), []byte("2"), []byte("3")}, 512)
		ops := engine.OpsFor(engine.TypeSet)
		require.NotNil(t, ops)
		c := ops.Dup(&o)
		require.Equal(t, o.Encoding(), c.Encoding())
		require.Equal(t, 3, ops.Len(&c))
		tset.Add(&c, []byte("4"), 512)
		require.Equal(t, 3, tset.Len(&o), "the copy is independent")
		require.Equal(t, 4, tset.Len(&c))
	}
	o := tset.FromMembers(nil, 512)
	require.Equal(t, 0, tset.Len(&o))
	require.True(t, tset.FitsIntset(512, 512))
	require.False(t, tset.FitsIntset(513, 512))
	v, ok := tset.IntsetValue([]byte("-12"))
	require.True(t, ok)
	require.EqualValues(t, -12, v)
	_, ok = tset.IntsetValue([]byte("12 "))
	require.False(t, ok)
}

func TestMaxIntsetEntriesCap(t *testing.T) {
	h := enginetest.New(t, tset.Commands())
	h.E.Set.SetMaxIntsetEntries = 1 << 40
	require.Equal(t, 1<<30, tset.MaxIntsetEntries(h.E))
	h.E.Set.SetMaxIntsetEntries = 7
	require.Equal(t, 7, tset.MaxIntsetEntries(h.E))
}

func TestRandomMember(t *testing.T) {
	for _, first := range []string{"1", "a"} {
		o := tset.FromMembers([][]byte{[]byte(first), []byte("2"), []byte("3")}, 512)
		seen := map[string]bool{}
		for range 200 {
			s, v, isInt := tset.RandomMember(&o)
			if isInt {
				s = []byte(strconv.FormatInt(v, 10))
			}
			require.True(t, tset.IsMember(&o, s))
			seen[string(s)] = true
		}
		require.Len(t, seen, 3)
	}
}

// TestSetCommandsHarness runs the commands in-process (no oracle needed).
func TestSetCommandsHarness(t *testing.T) {
	h := enginetest.New(t, tset.Commands())
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"SADD", "s", "1", "2", "3"}, "(integer) 3"},
		{[]string{"SADD", "s", "3", "4"}, "(integer) 1"},
		{[]string{"SMEMBERS", "s"}, "1) \"1\"\n2) \"2\"\n3) \"3\"\n4) \"4\""},
		{[]string{"OBJECT", "ENCODING", "s"}, `"intset"`},
		{[]string{"MEMORY", "USAGE", "s", "SAMPLES", "0"}, "(integer) 64"},
		{[]string{"SISMEMBER", "s", "4"}, "(integer) 1"},
		{[]string{"SMISMEMBER", "s", "4", "x"}, "1) (integer) 1\n2) (integer) 0"},
		{[]string{"SINTERCARD", "1", "s", "LIMIT", "2"}, "(integer) 2"},
		{[]string{"SPOP", "s", "-1"}, "(error) ERR value is out of range, must be positive"},
		{[]string{"SRANDMEMBER", "s", "-9223372036854775808"}, "(error) ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"},
		{[]string{"SSCAN", "s", "0", "MATCH", "[13]"}, "1) \"0\"\n2) 1) \"1\"\n   2) \"3\""},
		{[]string{"SUNIONSTORE", "u", "s", "nokey"}, "(integer) 4"},
		{[]string{"SDIFF", "u", "s"}, "(empty array)"},
		{[]string{"SPOP", "u", "10"}, "1) \"1\"\n2) \"2\"\n3) \"3\"\n4) \"4\""},
		{[]string{"EXISTS", "u"}, "(integer) 0"},
		{[]string{"SADD", "h", "b", "a"}, "(integer) 2"},
		{[]string{"OBJECT", "ENCODING", "h"}, `"hashtable"`},
		{[]string{"MEMORY", "USAGE", "h", "SAMPLES", "0"}, "(integer) 200"},
		{[]string{"SMOVE", "h", "s", "a"}, "(integer) 1"},
		{[]string{"OBJECT", "ENCODING", "s"}, `"hashtable"`},
	}
	for _, c := range cases {
		require.Equal(t, c.want, h.Text(c.args...), "%v", c.args)
	}
	got := h.Do("SMEMBERS", "s")
	var ms []string
	for _, e := range got.Elems {
		ms = append(ms, string(e.Str))
	}
	slices.Sort(ms)
	require.Equal(t, []string{"1", "2", "3", "4", "a"}, ms)
}
