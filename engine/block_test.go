package engine_test

import (
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/engine/tlist"
	"github.com/redisctl/redisctl/engine/tstream"
	"github.com/redisctl/redisctl/engine/tstring"
	"github.com/redisctl/redisctl/engine/tzset"
	"github.com/redisctl/redisctl/resp"
)

// families are the command families the blocking tests use.
func families() [][]*engine.Command {
	return [][]*engine.Command{tstring.Commands(), tlist.Commands(), tzset.Commands(), tstream.Commands()}
}

// noServer installs block hooks that do nothing, as a server would whose connections
// wait: the engine then lets clients block.
func noServer(e *engine.Engine) (blocked, released *[]int64) {
	var b, r []int64
	e.SetBlockHooks(func(c *engine.Client, _ int64) { b = append(b, c.ID) },
		func(c *engine.Client) { r = append(r, c.ID) })
	return &b, &r
}

// execNoReply runs a command that may block on h, returning what it replied at once.
func execNoReply(h *enginetest.Harness, args ...string) []resp.Value {
	b := make([][]byte, len(args))
	for i, a := range args {
		b[i] = []byte(a)
	}
	h.E.Lock()
	h.E.Exec(h.C, b)
	h.E.Unlock()
	return h.Pushed()
}

func TestBlockTable(t *testing.T) {
	type step struct {
		who  int // client 0, 1 or 2
		cmd  string
		want string // reply at once ("" = blocks)
	}
	type later struct {
		who  int
		want []string
	}
	cases := []struct {
		name  string
		steps []step
		after []later // replies pushed to blocked clients, checked after the steps
	}{
		{"fifo", []step{{1, "BLPOP q 0", ""}, {2, "BLPOP q 0", ""}, {0, "RPUSH q a b c", "3"}, {0, "LLEN q", "1"}},
			[]later{{1, []string{"q a"}}, {2, []string{"q b"}}}},
		{"multi key", []step{{1, "BRPOP k1 k2 0", ""}, {0, "RPUSH k2 x y", "2"}},
			[]later{{1, []string{"k2 y"}}}},
		{"after exec", []step{{1, "BLPOP m 0", ""}, {0, "MULTI", "OK"}, {0, "RPUSH m a b", "QUEUED"}, {0, "LPOP m", "QUEUED"}, {0, "EXEC", "2 a"}},
			[]later{{1, []string{"m b"}}}},
		{"pushed then deleted", []step{{1, "BLPOP g 0", ""}, {0, "MULTI", "OK"}, {0, "RPUSH g a", "QUEUED"}, {0, "DEL g", "QUEUED"}, {0, "EXEC", "1 1"}},
			nil},
		{"wrong type waits", []step{{1, "BLPOP w 0", ""}, {0, "ZADD w 1 m", "1"}, {0, "DEL w", "1"}, {0, "RPUSH w v", "1"}},
			[]later{{1, []string{"w v"}}}},
		{"chain", []step{{1, "BLMOVE c1 c2 LEFT RIGHT 0", ""}, {2, "BLPOP c2 0", ""}, {0, "RPUSH c1 v", "1"}, {0, "EXISTS c1 c2", "0"}},
			[]later{{1, []string{"v"}}, {2, []string{"c2 v"}}}},
		{"zset", []step{{1, "BZPOPMAX z 0", ""}, {2, "BZMPOP 0 1 z MIN COUNT 5", ""}, {0, "ZADD z 1 a 2 b 3 c", "3"}},
			[]later{{1, []string{"z c 3"}}, {2, []string{"z a 1 b 2"}}}},
		{"stream", []step{{1, "XREAD BLOCK 0 STREAMS s $", ""}, {0, "XADD s 1-1 f v", "1-1"}},
			[]later{{1, []string{"s 1-1 f v"}}}},
		{"deny in multi", []step{{1, "MULTI", "OK"}, {1, "BLPOP n 0", "QUEUED"}, {1, "BLMOVE n d LEFT LEFT 0", "QUEUED"}, {1, "EXEC", "(nil) (nil)"}},
			nil},
		{"timeout errors", []step{{1, "BLPOP n -1", "ERR timeout is negative"}, {1, "BLPOP n x", "ERR timeout is not a float or out of range"},
			{1, "BLPOP n inf", "ERR timeout is negative"}}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := enginetest.New(t, families()...)
			noServer(h.E)
			hs := []*enginetest.Harness{h, h.NewClient(), h.NewClient()}
			for _, s := range tc.steps {
				got := execNoReply(hs[s.who], strings.Fields(s.cmd)...)
				if s.want == "" {
					assert.Empty(t, got, s.cmd)
					continue
				}
				require.Len(t, got, 1, s.cmd)
				assert.Equal(t, s.want, flat(got[0]), s.cmd)
			}
			for _, l := range tc.after {
				var got []string
				for _, v := range hs[l.who].Pushed() {
					got = append(got, flat(v))
				}
				assert.Equal(t, l.want, got, "client %d", l.who)
			}
		})
	}
}

// flat renders a reply as space-separated words (errors and nulls as redis-cli does).
func flat(v resp.Value) string {
	switch {
	case v.IsNull():
		return "(nil)"
	case v.IsError():
		return string(v.Str)
	case v.Type == resp.TypeInteger:
		return strconv.FormatInt(v.Int, 10)
	case len(v.Elems) > 0 || v.Type == resp.TypeArray || v.Type == resp.TypeMap:
		var parts []string
		for _, e := range v.Elems {
			parts = append(parts, flat(e))
		}
		return strings.Join(parts, " ")
	}
	return string(v.Str)
}

func TestBlockTimeoutUnblockDrop(t *testing.T) {
	h := enginetest.New(t, families()...)
	blocked, released := noServer(h.E)
	a := h.NewClient()
	assert.Empty(t, execNoReply(a, "BLPOP", "k", "1.5"))
	require.Equal(t, []int64{a.C.ID}, *blocked)
	assert.Equal(t, h.E.NowMs()+1500, a.C.BlockedDeadline())
	assert.Equal(t, 1, h.E.NumBlocked())
	assert.Equal(t, 1, h.E.NumBlockingKeys())

	h.E.Lock()
	h.E.BlockTimedOut(a.C)
	h.E.BlockTimedOut(a.C) // already unblocked: nothing
	h.E.Unlock()
	got := a.Pushed()
	require.Len(t, got, 1)
	assert.True(t, got[0].IsNull())
	assert.Equal(t, []int64{a.C.ID}, *released)
	assert.Equal(t, 0, h.E.NumBlocked())
	assert.Equal(t, 0, h.E.NumBlockingKeys())

	assert.Empty(t, execNoReply(a, "BZPOPMIN", "z", "0"))
	h.E.Lock()
	assert.True(t, h.E.UnblockClient(a.C, true))
	assert.False(t, h.E.UnblockClient(a.C, true))
	h.E.Unlock()
	got = a.Pushed()
	require.Len(t, got, 1)
	assert.Equal(t, "UNBLOCKED client unblocked via CLIENT UNBLOCK", string(got[0].Str))

	b := h.NewClient()
	assert.Empty(t, execNoReply(a, "BLPOP", "k", "0"))
	assert.Empty(t, execNoReply(b, "BLPOP", "k", "0"))
	h.E.Lock()
	h.E.DropBlocked(a.C) // a hung up
	h.E.Unlock()
	h.Do("RPUSH", "k", "x")
	assert.Empty(t, a.Pushed())
	got = b.Pushed()
	require.Len(t, got, 1)
	assert.Equal(t, "k x", flat(got[0]))
}

func TestParseBlockTimeout(t *testing.T) {
	h := enginetest.New(t, families()...)
	noServer(h.E)
	for _, tc := range []struct {
		arg      string
		deadline int64 // relative to now; -1: error
		errText  string
	}{
		{"0", 0, ""}, {"1", 1000, ""}, {"0.05", 50, ""}, {"0.0001", 1, ""}, {"-0.0001", 0, ""},
		{"0x10", 16000, ""}, {"1e-400", 1, ""}, {"1e-5000", -1, engine.ErrTimeoutInvalid}, {"-1", -1, engine.ErrTimeoutNegative},
		{"inf", -1, engine.ErrTimeoutNegative}, {"1e300", -1, engine.ErrTimeoutNegative},
		{"nan", -1, engine.ErrTimeoutInvalid}, {" 1", -1, engine.ErrTimeoutInvalid}, {"", -1, engine.ErrTimeoutInvalid},
	} {
		a := h.NewClient()
		got := execNoReply(a, "BLPOP", "k", tc.arg)
		if tc.deadline < 0 {
			require.Len(t, got, 1, tc.arg)
			assert.Equal(t, tc.errText, string(got[0].Str), tc.arg)
			continue
		}
		require.Empty(t, got, tc.arg)
		want := tc.deadline
		if want > 0 {
			want += h.E.NowMs()
		}
		assert.Equal(t, want, a.C.BlockedDeadline(), tc.arg)
		h.E.Lock()
		h.E.DropBlocked(a.C)
		h.E.Unlock()
	}
}

// TestBlockEffects compares, with a real redis-server 7.0.15, what serving a blocked
// client does beyond the replies: server.dirty, keyspace events and the propagated
// commands (the oracle's AOF against the engine's Propagator), for each blocking command.
func TestBlockEffects(t *testing.T) {
	cases := []struct {
		name  string
		setup []string // run on the main client first
		block string   // the blocked client's command
		wake  string   // the main client's command that serves it
	}{
		{"blpop", nil, "BLPOP q 0", "RPUSH q a b"},
		{"brpop emptied", nil, "BRPOP q 0", "RPUSH q a"},
		{"blmove", nil, "BLMOVE src dst LEFT RIGHT 0", "RPUSH src a b"},
		{"brpoplpush", []string{"RPUSH dst x"}, "BRPOPLPUSH src dst 0", "LPUSH src a"},
		{"blmove wrongtype", []string{"SET dst x"}, "BLMOVE src dst LEFT RIGHT 0", "RPUSH src a"},
		{"blmpop", nil, "BLMPOP 0 2 a q LEFT COUNT 5", "RPUSH q a b c"},
		{"blmpop partial", nil, "BLMPOP 0 1 q RIGHT COUNT 2", "RPUSH q a b c"},
		{"bzpopmin", nil, "BZPOPMIN z 0", "ZADD z 1 a 2 b"},
		{"bzpopmax emptied", nil, "BZPOPMAX z 0", "ZADD z 1 a"},
		{"bzmpop", nil, "BZMPOP 0 1 z MAX COUNT 3", "ZADD z 1 a 2 b"},
		{"xread", []string{"XADD s 1-1 f v"}, "XREAD BLOCK 0 STREAMS s $", "XADD s 2-1 g w"},
		{"xreadgroup", []string{"XADD s 1-1 f v", "XGROUP CREATE s g $"}, "XREADGROUP GROUP g c BLOCK 0 STREAMS s >", "XADD s 2-1 g w"},
		{"xreadgroup noack", []string{"XADD s 1-1 f v", "XGROUP CREATE s g $"}, "XREADGROUP GROUP g c NOACK BLOCK 0 STREAMS s >", "XADD s 2-1 g w"},
		{"xreadgroup deleted", []string{"XADD s 1-1 f v", "XGROUP CREATE s g $"}, "XREADGROUP GROUP g c BLOCK 0 STREAMS s >", "DEL s"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := enginetest.NewEffects(t, "KEA", families()...)
			noServer(e.H.E)
			for _, s := range tc.setup {
				e.Check(strings.Fields(s))
			}
			// The oracle's blocked client.
			oc, err := net.DialTimeout("tcp", e.O.Srv.Addr, 5*time.Second)
			require.NoError(t, err)
			defer oc.Close()
			ob := strings.Fields(tc.block)
			bargs := make([][]byte, len(ob))
			for i, a := range ob {
				bargs[i] = []byte(a)
			}
			_, err = oc.Write(resp.AppendCommand(nil, bargs...))
			require.NoError(t, err)
			probe := e.O.NewConn()
			deadline := time.Now().Add(3 * time.Second)
			for !strings.Contains(string(probe.Do("INFO", "clients").Str), "blocked_clients:1") {
				require.True(t, time.Now().Before(deadline), "the oracle's client did not block")
				time.Sleep(2 * time.Millisecond)
			}
			// Ours.
			hc := e.H.NewClient()
			require.Empty(t, execNoReply(hc, ob...))

			e.Check(strings.Fields(tc.wake))

			_ = oc.SetReadDeadline(time.Now().Add(3 * time.Second))
			want, err := resp.NewReplyReader(oc).ReadValue()
			require.NoError(t, err)
			got := hc.Pushed()
			require.Len(t, got, 1)
			assert.Equal(t, want.String(), got[0].String(), "served reply")
		})
	}
}

// TestBlockImmediateEffects compares the non-blocking paths of the blocking commands
// (a key can serve at once, or MULTI forbids blocking) with redis-server: replies, dirty,
// events and what is propagated instead of the blocking command.
func TestBlockImmediateEffects(t *testing.T) {
	e := enginetest.NewEffects(t, "KEA", families()...)
	noServer(e.H.E)
	e.Run(`
RPUSH l a b c d e f g
BLPOP nokey l 0
BRPOP l 0
BLMOVE l l2 left RIGHT 0
BRPOPLPUSH l l3 0
BLMPOP 0 2 nokey l RIGHT COUNT 2
BLMPOP 0 1 l LEFT COUNT 10
ZADD z 1 a 2 b 3 c
BZPOPMIN z 0
BZPOPMAX nokey z 0
BZMPOP 0 1 z MIN COUNT 5
XADD s 1-1 f v
XGROUP CREATE s g 0
XREADGROUP GROUP g c BLOCK 0 STREAMS s >
XREAD BLOCK 0 STREAMS s 0
MULTI
BLPOP nokey 0
BLMOVE nokey d LEFT LEFT 0
BZMPOP 0 1 nokey MIN
XREADGROUP GROUP g c BLOCK 0 STREAMS s >
RPUSH l4 x
BLPOP l4 0
EXEC
`)
}

// TestBlockServedAfterExec checks that a client blocked on a key filled inside MULTI is
// served after the whole transaction, its pop propagated after the EXEC unit.
func TestBlockServedAfterExec(t *testing.T) {
	e := enginetest.NewEffects(t, "KEA", families()...)
	noServer(e.H.E)
	oc, err := net.DialTimeout("tcp", e.O.Srv.Addr, 5*time.Second)
	require.NoError(t, err)
	defer oc.Close()
	_, err = oc.Write(resp.AppendCommand(nil, []byte("BLPOP"), []byte("q"), []byte("0")))
	require.NoError(t, err)
	probe := e.O.NewConn()
	deadline := time.Now().Add(3 * time.Second)
	for !strings.Contains(string(probe.Do("INFO", "clients").Str), "blocked_clients:1") {
		require.True(t, time.Now().Before(deadline), "the oracle's client did not block")
		time.Sleep(2 * time.Millisecond)
	}
	hc := e.H.NewClient()
	require.Empty(t, execNoReply(hc, "BLPOP", "q", "0"))
	e.Run(`
MULTI
RPUSH q a b
LPOP q
SET x y
EXEC
`)
	_ = oc.SetReadDeadline(time.Now().Add(3 * time.Second))
	want, err := resp.NewReplyReader(oc).ReadValue()
	require.NoError(t, err)
	got := hc.Pushed()
	require.Len(t, got, 1)
	assert.Equal(t, want.String(), got[0].String())
}

// BenchmarkBlockServe measures one blocked BLPOP served by an RPUSH (block, signal,
// serve, unblock).
func BenchmarkBlockServe(b *testing.B) {
	h := enginetest.New(b, families()...)
	noServer(h.E)
	a := h.NewClient()
	blpop := [][]byte{[]byte("BLPOP"), []byte("q"), []byte("0")}
	rpush := [][]byte{[]byte("RPUSH"), []byte("q"), []byte("v")}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		h.E.Lock()
		h.E.Exec(a.C, blpop)
		h.E.Exec(h.C, rpush)
		h.E.Unlock()
		if i%1024 == 0 {
			a.Pushed()
			h.Pushed()
		}
	}
}

// BenchmarkPushNoBlocked is the cost the blocking layer adds to a push that creates a key
// while nobody is blocked (dbAdd's signal returns at once).
func BenchmarkPushNoBlocked(b *testing.B) {
	h := enginetest.New(b, families()...)
	noServer(h.E)
	rpush := [][]byte{[]byte("RPUSH"), []byte("q"), []byte("v")}
	lpop := [][]byte{[]byte("LPOP"), []byte("q")}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		h.E.Lock()
		h.E.Exec(h.C, rpush)
		h.E.Exec(h.C, lpop)
		h.E.Unlock()
		if i%1024 == 0 {
			h.Pushed()
		}
	}
}

// FuzzBlockTimeout sends BLPOP with arbitrary timeouts: an error or a block, never a
// panic, and a block always has a deadline not before now.
func FuzzBlockTimeout(f *testing.F) {
	for _, s := range []string{"0", "1", "0.05", "-1", "inf", "-inf", "nan", "1e300", "0x10", "1e-400",
		"-0.0001", " 1", "", "9.2e15", "9.3e15", "+0", "1e", "0x", "1_0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, timeout string) {
		h := enginetest.New(t, families()...)
		noServer(h.E)
		got := execNoReply(h, "BLPOP", "k", timeout)
		if len(got) == 1 {
			require.True(t, got[0].IsError(), "%q: %s", timeout, got[0].String())
			return
		}
		require.Empty(t, got)
		require.True(t, h.C.IsBlocked())
		if d := h.C.BlockedDeadline(); d != 0 {
			require.GreaterOrEqual(t, d, h.E.NowMs(), timeout)
		}
	})
}
