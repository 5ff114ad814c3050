package tstream_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/engine/tstream"
	"github.com/redisctl/redisctl/engine/tstring"
)

// The harness clock starts at 1700000000000 ms and only moves with Advance, so time
// dependent replies can be checked exactly.
func newHarness(t *testing.T) *enginetest.Harness {
	return enginetest.New(t, tstream.Commands(), tstring.Commands())
}

func TestAutoIDs(t *testing.T) {
	h := newHarness(t)
	for _, tc := range []struct {
		args    []string
		advance time.Duration
		want    string
	}{
		{[]string{"XADD", "s", "*", "a", "1"}, 0, `"1700000000000-0"`},
		{[]string{"XADD", "s", "*", "a", "1"}, 0, `"1700000000000-1"`},
		{[]string{"XADD", "s", "*", "a", "1"}, time.Millisecond, `"1700000000001-0"`},
		{[]string{"XADD", "s", "1700000000005-*", "a", "1"}, 0, `"1700000000005-0"`},
		{[]string{"XADD", "s", "1700000000005-*", "a", "1"}, 0, `"1700000000005-1"`},
		// The clock is behind the last ID: the sequence goes on.
		{[]string{"XADD", "s", "*", "a", "1"}, 0, `"1700000000005-2"`},
		{[]string{"XADD", "s", "1700000000004-*", "a", "1"}, 0, "(error) ERR The ID specified in XADD is equal or smaller than the target stream top item"},
		{[]string{"XADD", "s", "*", "a", "1"}, 10 * time.Millisecond, `"1700000000011-0"`},
		{[]string{"XADD", "m", "18446744073709551615-18446744073709551614", "a", "1"}, 0, `"18446744073709551615-18446744073709551614"`},
		{[]string{"XADD", "m", "18446744073709551615-*", "a", "1"}, 0, `"18446744073709551615-18446744073709551615"`},
		{[]string{"XADD", "m", "*", "a", "1"}, 0, "(error) ERR The stream has exhausted the last possible ID, unable to add more items"},
		{[]string{"XADD", "n", "5-18446744073709551615", "a", "1"}, 0, `"5-18446744073709551615"`},
		{[]string{"XADD", "n", "5-*", "a", "1"}, 0, "(error) ERR The ID specified in XADD is equal or smaller than the target stream top item"},
		{[]string{"XADD", "n", "*", "a", "1"}, 0, `"1700000000011-0"`},
	} {
		h.Advance(tc.advance)
		require.Equal(t, tc.want, h.Text(tc.args...), strings.Join(tc.args, " "))
	}
}

func TestIdleAndDeliveryTimes(t *testing.T) {
	h := newHarness(t)
	h.Do("XADD", "s", "1-1", "a", "1")
	h.Do("XADD", "s", "1-2", "a", "2")
	h.Do("XGROUP", "CREATE", "s", "g", "0")
	h.Do("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">")
	h.Advance(1500 * time.Millisecond)
	require.Equal(t, "1) 1) \"1-1\"\n   2) \"alice\"\n   3) (integer) 1500\n   4) (integer) 1\n"+
		"2) 1) \"1-2\"\n   2) \"alice\"\n   3) (integer) 1500\n   4) (integer) 1", h.Text("XPENDING", "s", "g", "-", "+", "10"))
	require.Equal(t, "(empty array)", h.Text("XPENDING", "s", "g", "IDLE", "1501", "-", "+", "10"))
	require.Equal(t, 2, len(h.Do("XPENDING", "s", "g", "IDLE", "1500", "-", "+", "10").Elems))
	// XCLAIM with IDLE sets the delivery time in the past; TIME sets it absolutely, clamped to now.
	h.Do("XCLAIM", "s", "g", "bob", "0", "1-1", "IDLE", "400")
	h.Do("XCLAIM", "s", "g", "bob", "0", "1-2", "TIME", "1700000000100")
	p := h.Do("XPENDING", "s", "g", "-", "+", "10")
	require.EqualValues(t, 400, p.Elems[0].Elems[2].Int)
	require.EqualValues(t, 1400, p.Elems[1].Elems[2].Int)
	h.Do("XCLAIM", "s", "g", "bob", "0", "1-2", "TIME", "9999999999999")
	require.EqualValues(t, 0, h.Do("XPENDING", "s", "g", "-", "+", "10").Elems[1].Elems[2].Int)
	// Min idle time filters claims.
	h.Advance(100 * time.Millisecond)
	require.Equal(t, "(empty array)", h.Text("XCLAIM", "s", "g", "carol", "200", "1-2"))
	require.Equal(t, "1) \"1-1\"", h.Text("XCLAIM", "s", "g", "carol", "500", "1-1", "1-2", "JUSTID"))
	require.Equal(t, "1) \"0-0\"\n2) 1) \"1-2\"\n3) (empty array)", h.Text("XAUTOCLAIM", "s", "g", "dave", "100", "0", "JUSTID"))
	// Consumer idle: seen time is refreshed by XREADGROUP/XCLAIM/XAUTOCLAIM.
	h.Advance(250 * time.Millisecond)
	c := h.Do("XINFO", "CONSUMERS", "s", "g")
	idle := map[string]int64{}
	for _, e := range c.Elems {
		idle[string(e.Elems[1].Str)] = e.Elems[5].Int
	}
	require.Equal(t, map[string]int64{"alice": 1850, "bob": 350, "carol": 250, "dave": 250}, idle)
	full := h.Do("XINFO", "STREAM", "s", "FULL")
	require.Contains(t, full.String(), "1700000000000")
}

func TestXReadBlockOffersTheHook(t *testing.T) {
	h := newHarness(t)
	var got *tstream.BlockRequest
	tstream.BlockHook = func(x *engine.Ctx, req *tstream.BlockRequest) bool {
		got = req
		x.W.WriteNullArray()
		return true
	}
	defer func() { tstream.BlockHook = nil }()
	h.Do("XADD", "s", "5-5", "a", "1")
	require.Equal(t, "(nil)", h.Text("XREAD", "COUNT", "3", "BLOCK", "100", "STREAMS", "s", "nokey", "$", "0"))
	require.NotNil(t, got)
	require.Equal(t, []tstream.ID{{Ms: 5, Seq: 5}, {}}, got.IDs)
	require.EqualValues(t, 1700000000100, got.TimeoutMs)
	require.EqualValues(t, 3, got.Count)
	got = nil
	h.Do("XGROUP", "CREATE", "s", "g", "$")
	h.Text("XREADGROUP", "GROUP", "g", "c", "NOACK", "BLOCK", "0", "STREAMS", "s", ">")
	require.NotNil(t, got)
	require.Equal(t, "g", string(got.Group))
	require.True(t, got.NoAck)
	require.Equal(t, []tstream.ID{tstream.MaxID}, got.IDs)
	require.EqualValues(t, 0, got.TimeoutMs)
	// Something to serve: no blocking.
	got = nil
	require.Contains(t, h.Text("XREAD", "BLOCK", "0", "STREAMS", "s", "0"), "5-5")
	require.Nil(t, got)
}

func TestNodeBoundaries(t *testing.T) {
	h := newHarness(t)
	for i := 1; i <= 250; i++ {
		h.Do("XADD", "s", fmt.Sprintf("1-%d", i), "f", "v")
	}
	info := h.Do("XINFO", "STREAM", "s")
	require.EqualValues(t, 3, info.Elems[3].Int) // radix-tree-keys: 100 + 100 + 50
	h.E.Lock()
	s := tstream.FromObject(h.E.DB(0).LookupRead([]byte("s")))
	var masters []string
	s.EachNode(func(m tstream.ID, lp []byte) bool {
		masters = append(masters, m.String())
		require.NoError(t, tstream.ValidateNode(lp, true))
		return true
	})
	h.E.Unlock()
	require.Equal(t, []string{"1-1", "1-101", "1-201"}, masters)
	// Approximate trimming removes whole nodes only.
	require.Equal(t, "(integer) 100", h.Text("XTRIM", "s", "MAXLEN", "~", "149"))
	require.Equal(t, "(integer) 0", h.Text("XTRIM", "s", "MAXLEN", "~", "149"))
	require.Equal(t, "(integer) 1", h.Text("XTRIM", "s", "MAXLEN", "149"))
	// LIMIT counts the live entries of the head node (99 after the exact trim).
	require.Equal(t, "(integer) 0", h.Text("XTRIM", "s", "MAXLEN", "~", "0", "LIMIT", "98"))
	require.Equal(t, "(integer) 99", h.Text("XTRIM", "s", "MAXLEN", "~", "0", "LIMIT", "99"))
}
