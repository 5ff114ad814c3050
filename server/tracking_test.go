package server

import (
	"fmt"
	"io"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/resp"
)

func TestPrefixOverlap(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"a", "ab", true}, {"ab", "a", true}, {"a", "a", true}, {"", "x", true},
		{"a", "b", false}, {"ab", "ac", false}, {"user:", "obj:", false},
	} {
		assert.Equal(t, tc.want, prefixOverlap([]byte(tc.a), []byte(tc.b)), "%q %q", tc.a, tc.b)
	}
}

func TestBroadcastArray(t *testing.T) {
	me, other := &engine.Client{ID: 1}, &engine.Client{ID: 2}
	keys := []string{"a", "bb", "c"}
	by := map[string]*engine.Client{"a": me, "bb": other, "c": nil}
	assert.Equal(t, "*3\r\n$1\r\na\r\n$2\r\nbb\r\n$1\r\nc\r\n", string(broadcastArray(keys, by, nil)))
	assert.Equal(t, "*2\r\n$2\r\nbb\r\n$1\r\nc\r\n", string(broadcastArray(keys, by, me)))
	assert.Nil(t, broadcastArray([]string{"a"}, by, me), "nothing left for a NOLOOP client")
}

func TestCstr(t *testing.T) {
	assert.Equal(t, "ab", cstr([]byte("ab\x00cd")))
	assert.Equal(t, "abc", cstr([]byte("abc")))
}

// push reads one RESP3 push and returns its elements as strings ("<nil>" for nulls).
func readPush(t *testing.T, c *rawClient) []string {
	t.Helper()
	v := c.read()
	require.Equal(t, resp.TypePush, v.Type, "got %s", v.String())
	return flat(v)
}

func flat(v resp.Value) []string {
	var out []string
	for _, e := range v.Elems {
		switch {
		case e.IsNull():
			out = append(out, "<nil>")
		case len(e.Elems) > 0 || e.Type == resp.TypeArray:
			out = append(out, fmt.Sprint(flat(e)))
		case e.Type == resp.TypeInteger:
			out = append(out, strconv.FormatInt(e.Int, 10))
		default:
			out = append(out, string(e.Str))
		}
	}
	return out
}

func TestTrackingResp3(t *testing.T) {
	s := startServer(t)
	a, w := dial(t, s.addr), dial(t, s.addr)
	a.do("HELLO", "3")
	require.Equal(t, "OK", a.str("CLIENT", "TRACKING", "on"))
	a.do("GET", "k")
	a.do("MGET", "k2", "k3")
	assert.Equal(t, "OK", w.str("SET", "k", "v"))
	assert.Equal(t, []string{"invalidate", "[k]"}, readPush(t, a))
	// Invalidated once: the key left the table.
	w.do("SET", "k", "v2")
	assert.Equal(t, "PONG", a.str("PING"))

	// The client's own write: reply first, then the invalidation.
	a.do("GET", "k2")
	assert.Equal(t, "OK", a.str("SET", "k2", "x"))
	assert.Equal(t, []string{"invalidate", "[k2]"}, readPush(t, a))

	// FLUSHALL: a null for every tracking client, the flusher's after its reply.
	assert.Equal(t, "OK", a.str("FLUSHALL"))
	assert.Equal(t, []string{"invalidate", "<nil>"}, readPush(t, a))
	w.do("FLUSHDB")
	assert.Equal(t, []string{"invalidate", "<nil>"}, readPush(t, a))

	s.eng.Lock()
	clients, keys, items, prefixes := s.trackingStats()
	s.eng.Unlock()
	assert.Equal(t, [4]int64{1, 0, 0, 0}, [4]int64{clients, keys, items, prefixes})
	a.do("GET", "x")
	a.do("GET", "y")
	s.eng.Lock()
	_, keys, items, _ = s.trackingStats()
	s.eng.Unlock()
	assert.Equal(t, [2]int64{2, 2}, [2]int64{keys, items})

	// A gone client stops counting.
	a.nc.Close()
	waitFor(t, "the tracking client to be forgotten", func() bool {
		s.eng.Lock()
		defer s.eng.Unlock()
		n, _, _, _ := s.trackingStats()
		return n == 0
	})
}

func TestTrackingForgetsGoneClients(t *testing.T) {
	s := startServer(t)
	var w resp.Writer
	w.Reset(io.Discard)
	s.eng.Lock()
	defer s.eng.Unlock()
	for i := 0; i < 1000; i++ {
		c := s.eng.NewClient(&w)
		s.enableTracking(c, 0, trackBcast, [][]byte{[]byte("p" + strconv.Itoa(i))})
		s.eng.FreeClient(c)
	}
	assert.LessOrEqual(t, len(s.trk.clients), 64, "states of gone clients are pruned as new ones come")
	assert.LessOrEqual(t, len(s.trk.prefixes), 64)
	n, _, _, p := s.trackingStats()
	assert.Equal(t, int64(0), n)
	assert.Equal(t, int64(0), p)
}

func TestTrackingBcastAndRedirect(t *testing.T) {
	s := startServer(t)
	b, w, sub, g := dial(t, s.addr), dial(t, s.addr), dial(t, s.addr), dial(t, s.addr)
	b.do("HELLO", "3")
	require.Equal(t, "OK", b.str("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "u:", "PREFIX", "o:"))
	w.do("MSET", "u:2", "a", "u:1", "b", "o:1", "c", "x", "d")
	assert.Equal(t, []string{"invalidate", "[o:1]"}, readPush(t, b))
	assert.Equal(t, []string{"invalidate", "[u:1 u:2]"}, readPush(t, b))
	v := b.do("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "u:x")
	assert.Equal(t, "ERR Prefix 'u:x' overlaps with an existing prefix 'u:'. Prefixes for a single client must not overlap.", string(v.Str))

	// RESP2 redirection to a subscribed client.
	subID := sub.do("CLIENT", "ID").Int
	sub.do("SUBSCRIBE", "__redis__:invalidate")
	require.Equal(t, "OK", g.str("CLIENT", "TRACKING", "on", "REDIRECT", strconv.FormatInt(subID, 10)))
	assert.Equal(t, subID, g.do("CLIENT", "GETREDIR").Int)
	g.do("GET", "rk")
	w.do("SET", "rk", "v")
	m := sub.read()
	assert.Equal(t, []string{"message", "__redis__:invalidate", "[rk]"}, flat(m))
	g.do("FLUSHALL")
	assert.Equal(t, []string{"message", "__redis__:invalidate", "<nil>"}, flat(sub.read()))

	// The redirect client goes away: the R flag.
	g.do("GET", "rk")
	sub.nc.Close()
	waitFor(t, "the redirect client to go", func() bool {
		s.eng.Lock()
		defer s.eng.Unlock()
		return s.eng.ClientByID(subID) == nil
	})
	w.do("SET", "rk", "w")
	info := g.do("CLIENT", "INFO")
	assert.Contains(t, string(info.Str), " flags=tR ")
	assert.Contains(t, string(info.Str), " redir="+strconv.FormatInt(subID, 10)+" ")
}

// BenchmarkTrackingReadThenWrite is a tracked read followed by a write of the same key:
// the key enters the table, then the write sends one RESP3 invalidation and forgets it.
func BenchmarkTrackingReadThenWrite(b *testing.B) {
	s := startServer(b)
	var w resp.Writer
	w.Reset(io.Discard)
	w.SetProtocol(3)
	s.eng.Lock()
	defer s.eng.Unlock()
	c := s.eng.NewClient(&w)
	s.enableTracking(c, 0, 0, nil)
	tc := s.trackState(c)
	keys := make([][]byte, 1024)
	for i := range keys {
		keys[i] = []byte("key:" + strconv.Itoa(i))
	}
	args := [][]byte{[]byte("GET"), nil}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := keys[i%len(keys)]
		args[1] = k
		s.trackingRememberKeys(tc, args)
		s.trackingKeyModified(nil, k)
		if w.Buffered() > 1<<16 {
			_ = w.Flush()
		}
	}
}

// BenchmarkTrackingUntrackedWrite is the cost tracking adds to a write nobody tracks
// once tracking was ever enabled (one BCAST prefix that does not match).
func BenchmarkTrackingUntrackedWrite(b *testing.B) {
	s := startServer(b)
	var w resp.Writer
	w.Reset(io.Discard)
	s.eng.Lock()
	defer s.eng.Unlock()
	c := s.eng.NewClient(&w)
	s.enableTracking(c, 0, trackBcast, [][]byte{[]byte("other:")})
	key := []byte("key:1")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.trackingKeyModified(nil, key)
	}
}
