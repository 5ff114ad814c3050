package persist

import (
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/thash"
	"github.com/redisctl/redisctl/engine/tset"
	"github.com/redisctl/redisctl/engine/tzset"
)

// A skiplist zset written in steps (the descent held between them) gives the bytes it
// gives in one step, and a job dropped half-way releases its descent when aborted.
func TestZsetJobSteps(t *testing.T) {
	e := engine.New(engine.DefaultSettings(), engine.NewTable())
	set := engine.DefaultSettings()
	var pairs []tzset.Pair
	for i := 0; i < 3*BigElements; i++ {
		pairs = append(pairs, tzset.Pair{Member: []byte("m:" + strconv.Itoa(i)), Score: float64(i % 700)})
	}
	o, err := tzset.FromPairs(&set, pairs)
	require.NoError(t, err)
	require.Equal(t, engine.EncSkiplist, o.Encoding())
	enc := NewRDBEncoder(e, true)

	whole, done, err := enc.BeginBig(0, "z", &o, -1).Step(nil, time.Time{})
	require.NoError(t, err)
	require.True(t, done)

	job := enc.BeginBig(0, "z", &o, -1)
	var pieces []byte
	steps := 0
	for done := false; !done; steps++ {
		pieces, done, err = job.Step(pieces, time.Now()) // a deadline already passed
		require.NoError(t, err)
	}
	require.Greater(t, steps, 100)
	require.Equal(t, whole, pieces)

	before := runtime.NumGoroutine()
	job = enc.BeginBig(0, "z", &o, -1)
	_, done, err = job.Step(nil, time.Now())
	require.NoError(t, err)
	require.False(t, done)
	require.Equal(t, before+1, runtime.NumGoroutine(), "the descent runs as a coroutine")
	job.(interface{ Abort() }).Abort()
	require.Equal(t, before, runtime.NumGoroutine(), "the aborted descent's coroutine is still there")
}

// The records the walker writes off the lock (Deferrable, then AppendDeferred on the
// encoder DeferredEncoder returns) are AppendEntry's bytes, IDLE and FREQ included, for
// every encoding that is deferred; the others are not deferred.
func TestDeferredRecords(t *testing.T) {
	set := engine.DefaultSettings()
	hb := thash.NewBuilder(&set, 3)
	for i := 0; i < 3; i++ {
		require.NoError(t, hb.Add([]byte("f"+strconv.Itoa(i)), []byte("a value long enough for LZF: aaaaaaaaaaaaaaaaaaaaaaa")))
	}
	zs, err := tzset.FromPairs(&set, []tzset.Pair{{Member: []byte("m"), Score: 1.5}, {Member: []byte("n"), Score: 2}})
	require.NoError(t, err)
	objs := map[string]engine.Object{
		"raw":       engine.NewBytesObject(engine.TypeString, engine.EncRaw, []byte("a string long enough for LZF: bbbbbbbbbbbbbbbbbbbbbbbbbbbbb")),
		"embstr":    engine.NewBytesObject(engine.TypeString, engine.EncEmbstr, []byte("short")),
		"hash":      hb.Object(),
		"intset":    tset.FromMembers([][]byte{[]byte("1"), []byte("7"), []byte("300")}, 512),
		"zset":      zs,
		"hashtable": tset.FromMembers([][]byte{[]byte("x"), []byte("y")}, 512),
	}
	for _, policy := range []string{"noeviction", "allkeys-lru", "volatile-lfu"} {
		s := engine.DefaultSettings()
		s.MaxmemoryPolicy = policy
		e := engine.New(s, engine.NewTable())
		e.Lock()
		enc := NewRDBEncoder(e, true)
		denc := enc.DeferredEncoder()
		for name, o := range objs {
			o.SetLRU(12345)
			want, err := enc.AppendEntry(nil, 0, "key:"+name, &o, 1700000000000)
			require.NoError(t, err)
			attr, ok := enc.Deferrable(&o)
			if o.Encoding() == engine.EncHashtable {
				require.False(t, ok, name)
				continue
			}
			require.True(t, ok, "%s (%v)", name, o.Encoding())
			got, err := denc.AppendDeferred(nil, 0, "key:"+name, &o, 1700000000000, attr)
			require.NoError(t, err)
			require.Equal(t, want, got, "%s under %s", name, policy)
		}
		e.Unlock()
	}
}
