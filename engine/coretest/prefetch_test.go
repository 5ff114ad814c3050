package coretest

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/enginetest"
)

// Prefetch is a hint: whatever it is given, it changes no reply, no statistic, no LRU
// clock and no encoding, for keys of every type and both encodings of the aggregates.
func TestPrefetchChangesNothing(t *testing.T) {
	h := enginetest.New(t, families()...)
	for _, line := range []string{"SET str hello", "RPUSH list a b", "SADD sset a b", "HSET hsmall f v", "ZADD zsmall 1 a"} {
		h.Text(strings.Fields(line)...)
	}
	for i := range 300 {
		m := "m" + strconv.Itoa(i)
		h.Do("HSET", "hbig", m, "v")
		h.Do("SADD", "sbig", m)
		h.Do("ZADD", "zbig", strconv.Itoa(i), m)
	}
	snapshot := func() []string {
		var out []string
		for _, k := range []string{"str", "list", "sset", "hsmall", "zsmall", "hbig", "sbig", "zbig"} {
			out = append(out, h.Text("OBJECT", "ENCODING", k), h.Text("OBJECT", "IDLETIME", k))
		}
		return out
	}
	h.Advance(10 * time.Second) // an LRU touch would show in IDLETIME
	before := snapshot()
	require.Contains(t, before, "(integer) 10")
	cmds := []engine.PrefetchCmd{
		{Argc: 2, Args: [4][]byte{[]byte("GET"), []byte("str")}},
		{Argc: 4, Args: [4][]byte{[]byte("HSET"), []byte("hbig"), []byte("m7"), []byte("v")}},
		{Argc: 4, Args: [4][]byte{[]byte("hset"), []byte("hbig"), []byte("nope"), []byte("v")}},
		{Argc: 3, Args: [4][]byte{[]byte("SISMEMBER"), []byte("sbig"), []byte("m9")}},
		{Argc: 4, Args: [4][]byte{[]byte("ZADD"), []byte("zbig"), []byte("1"), []byte("m3")}},
		{Argc: 3, Args: [4][]byte{[]byte("ZSCORE"), []byte("zsmall"), []byte("a")}},
		{Argc: 3, Args: [4][]byte{[]byte("HGET"), []byte("str"), []byte("x")}}, // wrong type
		{Argc: 3, Args: [4][]byte{[]byte("HGET"), []byte("missing"), []byte("x")}},
		{Argc: 9, Args: [4][]byte{[]byte("ZADD"), []byte("zbig"), []byte("NX")}},
		{Argc: 1, Args: [4][]byte{[]byte("PING")}},
		{Argc: 2, Args: [4][]byte{[]byte("LPUSH"), []byte("list")}},
	}
	for range 3 {
		cmds = append(cmds, cmds...)
	}
	stats := h.E.Stats
	h.E.Prefetch(h.C, cmds)
	require.Equal(t, stats, h.E.Stats)
	require.Equal(t, before, snapshot())
}
