package engine_test

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/engine/thash"
	"github.com/redisctl/redisctl/engine/tlist"
	"github.com/redisctl/redisctl/engine/tset"
	"github.com/redisctl/redisctl/engine/tstring"
	"github.com/redisctl/redisctl/engine/tzset"
)

func newEvictHarness(t testing.TB) *enginetest.Harness {
	return enginetest.New(t, tstring.Commands(), tlist.Commands(), tset.Commands(),
		tzset.Commands(), thash.Commands())
}

func used(h *enginetest.Harness) int64 {
	h.E.Lock()
	defer h.E.Unlock()
	return h.E.UsedMemory()
}

func checkRecount(t *testing.T, h *enginetest.Harness) {
	t.Helper()
	h.E.Lock()
	counted, recounted := h.E.RecountMemory()
	h.E.Unlock()
	require.Equal(t, recounted, counted, "running total drifted from a full recount")
}

// The running total always equals a recount of every key, whatever the commands did.
func TestMemoryAccountingMatchesRecount(t *testing.T) {
	h := newEvictHarness(t)
	r := rand.New(rand.NewPCG(1, 2))
	key := func() string { return "k" + strconv.Itoa(r.IntN(50)) }
	val := func() string { return strings.Repeat("v", r.IntN(200)) }
	cmds := []func() []string{
		func() []string { return []string{"SET", key(), val()} },
		func() []string { return []string{"SET", key(), strconv.Itoa(r.IntN(20000))} },
		func() []string { return []string{"APPEND", key(), val()} },
		func() []string { return []string{"DEL", key()} },
		func() []string { return []string{"EXPIRE", key(), "100"} },
		func() []string { return []string{"PEXPIRE", key(), "1"} },
		func() []string { return []string{"RPUSH", key(), val(), val()} },
		func() []string { return []string{"LPOP", key()} },
		func() []string { return []string{"SADD", key(), val(), strconv.Itoa(r.IntN(100))} },
		func() []string { return []string{"HSET", key(), val(), val()} },
		func() []string { return []string{"ZADD", key(), strconv.Itoa(r.IntN(100)), val()} },
		func() []string { return []string{"RENAME", key(), key()} },
		func() []string { return []string{"COPY", key(), key(), "REPLACE"} },
		func() []string { return []string{"MOVE", key(), "1"} },
		func() []string { return []string{"SWAPDB", "0", "1"} },
		func() []string { return []string{"GET", key()} },
		func() []string { return []string{"INCR", key()} },
		func() []string { return []string{"SETRANGE", key(), strconv.Itoa(r.IntN(100)), val()} },
		func() []string { return []string{"SUNIONSTORE", key(), key(), key()} },
	}
	for i := 0; i < 5000; i++ {
		h.Do(cmds[r.IntN(len(cmds))]()...)
		if i%7 == 0 {
			h.Advance(time.Millisecond * 3)
		}
		if i%500 == 0 {
			checkRecount(t, h)
		}
		if i == 2500 {
			h.Do("FLUSHDB")
		}
	}
	checkRecount(t, h)
	h.Do("FLUSHALL")
	checkRecount(t, h)
	h.E.Lock()
	counted, _ := h.E.RecountMemory()
	h.E.Unlock()
	require.Zero(t, counted)
}

// Exact figures for simple keys: key sds + dictEntry (32) + value, as Redis's allocator.
func TestUsedMemoryPerKey(t *testing.T) {
	h := newEvictHarness(t)
	base := used(h)
	h.Do("SET", "foo", "bar")
	// MEMORY USAGE (key sds 8 + dictEntry 24 + embstr 32) with the dictEntry at its
	// allocation class (32), plus the main dict's first table: 4 buckets of 8 bytes.
	mu := h.Do("MEMORY", "USAGE", "foo").Int
	require.Equal(t, int64(8+24+32), mu)
	require.Equal(t, base+mu+8+32, used(h))
	h.Do("SET", "foo", "1234567") // int: robj 16 (not shared: over 10000)
	require.Equal(t, base+8+32+16+32, used(h))
	h.Do("EXPIRE", "foo", "100") // expires entry 32 + the expires table (4 buckets)
	require.Equal(t, base+8+32+16+32+32+32, used(h))
	h.Do("DEL", "foo")
	require.Equal(t, base+32+32, used(h)) // tables stay until resized
}

func fillStrings(h *enginetest.Harness, prefix string, n, size int, ttl bool) {
	v := strings.Repeat("x", size)
	for i := 0; i < n; i++ {
		k := prefix + strconv.Itoa(i)
		if ttl {
			h.Do("SET", k, v, "EX", strconv.Itoa(1000+i))
		} else {
			h.Do("SET", k, v)
		}
	}
}

func exists(h *enginetest.Harness, prefix string, n int) int {
	c := 0
	for i := 0; i < n; i++ {
		if h.Do("EXISTS", prefix+strconv.Itoa(i)).Int == 1 {
			c++
		}
	}
	return c
}

func setLimit(h *enginetest.Harness, policy string, headroom int64) {
	h.E.Lock()
	h.E.Set.MaxmemoryPolicy = policy
	h.E.Set.MaxmemorySamples = 10
	h.E.SetEvictionTenacity(10)
	h.E.Set.Maxmemory = h.E.UsedMemory() + headroom
	h.E.Unlock()
}

func TestNoEvictionOOM(t *testing.T) {
	h := newEvictHarness(t)
	fillStrings(h, "k", 100, 100, false)
	setLimit(h, "noeviction", 0)
	h.Do("SET", "more", strings.Repeat("y", 1000))
	v := h.Do("SET", "again", "x")
	require.Equal(t, "OOM command not allowed when used memory > 'maxmemory'.", string(v.Str))
	require.True(t, h.Do("GET", "missing").IsNull()) // reads are allowed
	require.Equal(t, int64(1), h.Do("EXISTS", "k1").Int)
	require.Equal(t, int64(1), h.Do("DEL", "k1").Int) // DEL is not deny-oom
	// In MULTI every queued command is refused (and EXEC then aborts).
	h.Do("SET", "fill", strings.Repeat("z", 4000))
	require.Equal(t, "OK", h.Text("MULTI"))
	require.Contains(t, string(h.Do("GET", "k2").Str), "OOM")
	v = h.Do("EXEC")
	require.Contains(t, string(v.Str), "EXECABORT")
	require.Equal(t, int64(0), h.E.Stats.EvictedKeys)
}

func TestExecWithDenyOOMQueued(t *testing.T) {
	h := newEvictHarness(t)
	fillStrings(h, "k", 10, 100, false)
	setLimit(h, "noeviction", 2000)
	require.Equal(t, "OK", h.Text("MULTI"))
	require.Equal(t, "QUEUED", h.Text("SET", "a", "1"))
	// Memory goes over the limit from another client before EXEC.
	h2 := h.NewClient()
	h2.Do("SET", "big", strings.Repeat("b", 5000))
	v := h.Do("EXEC")
	require.Equal(t, "EXECABORT Transaction discarded because of: OOM command not allowed when used memory > 'maxmemory'.", string(v.Str))
	require.Equal(t, int64(0), h.Do("EXISTS", "a").Int)
	// A transaction of reads runs.
	require.Equal(t, "OK", h.Text("MULTI"))
	v = h.Do("EXEC")
	require.Equal(t, 0, len(v.Elems))
}

func TestVolatileOnlyEvictsKeysWithTTL(t *testing.T) {
	for _, pol := range []string{"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"} {
		t.Run(pol, func(t *testing.T) {
			h := newEvictHarness(t)
			fillStrings(h, "keep", 50, 200, false)
			fillStrings(h, "ttl", 50, 200, true)
			setLimit(h, pol, 0)
			fillStrings(h, "new", 20, 200, false) // each SET evicts before it runs
			require.Equal(t, 50, exists(h, "keep", 50), "a key without TTL was evicted")
			require.Less(t, exists(h, "ttl", 50), 50)
			require.Greater(t, h.E.Stats.EvictedKeys, int64(0))
			// Once no TTL key is left, writes fail with OOM.
			fillStrings(h, "more", 100, 200, false)
			require.Equal(t, 0, exists(h, "ttl", 50))
			require.Contains(t, string(h.Do("SET", "x", "y").Str), "OOM")
		})
	}
}

func TestVolatileTTLEvictsShortestFirst(t *testing.T) {
	h := newEvictHarness(t)
	fillStrings(h, "ttl", 100, 200, true) // ttl_i expires in 1000+i seconds
	setLimit(h, "volatile-ttl", 0)
	fillStrings(h, "new", 20, 200, false)
	// The evicted ones are (nearly all) among the shortest TTLs: sampling is approximate.
	gone := 0
	for i := 50; i < 100; i++ {
		if h.Do("EXISTS", "ttl"+strconv.Itoa(i)).Int == 0 {
			gone++
		}
	}
	require.LessOrEqual(t, gone, 2, "long TTLs evicted")
	require.Less(t, exists(h, "ttl", 50), 40)
}

func TestAllkeysLRUKeepsRecentlyUsed(t *testing.T) {
	h := newEvictHarness(t)
	fillStrings(h, "k", 200, 200, false)
	h.Advance(10 * time.Second)
	for i := 0; i < 20; i++ {
		h.Do("GET", "k"+strconv.Itoa(i)) // hot: accessed 10 s later than the rest
	}
	h.Advance(time.Second)
	setLimit(h, "allkeys-lru", 0)
	fillStrings(h, "new", 100, 200, false)
	require.Equal(t, 20, exists(h, "k", 20), "recently used keys evicted")
	require.Greater(t, h.E.Stats.EvictedKeys, int64(50))
	checkRecount(t, h)
}

func TestAllkeysLFUKeepsFrequentlyUsed(t *testing.T) {
	h := newEvictHarness(t)
	h.E.Set.MaxmemoryPolicy = "allkeys-lfu"
	fillStrings(h, "k", 200, 200, false)
	for n := 0; n < 50; n++ {
		for i := 0; i < 20; i++ {
			h.Do("GET", "k"+strconv.Itoa(i))
		}
	}
	require.Greater(t, h.Do("OBJECT", "FREQ", "k1").Int, int64(5))
	require.Equal(t, int64(5), h.Do("OBJECT", "FREQ", "k150").Int)
	require.Contains(t, string(h.Do("OBJECT", "IDLETIME", "k1").Str), "An LFU maxmemory policy is selected")
	setLimit(h, "allkeys-lfu", 0)
	fillStrings(h, "new", 100, 200, false)
	require.Equal(t, 20, exists(h, "k", 20), "frequently used keys evicted")
	require.Greater(t, h.E.Stats.EvictedKeys, int64(50))
}

func TestAllkeysRandomEvicts(t *testing.T) {
	h := newEvictHarness(t)
	fillStrings(h, "k", 200, 200, false)
	setLimit(h, "allkeys-random", 0)
	fillStrings(h, "new", 100, 200, false)
	require.Greater(t, h.E.Stats.EvictedKeys, int64(50))
	h.Do("EXISTS", "x") // evictions run before a command, so the last SET may be over
	h.E.Lock()
	ok, _, _ := h.E.MaxmemoryState()
	h.E.Unlock()
	require.True(t, ok)
}

// Evictions are propagated as DEL (UNLINK with lazyfree-lazy-eviction) and notified.
func TestEvictionPropagatesAndNotifies(t *testing.T) {
	for _, lazy := range []bool{false, true} {
		h := newEvictHarness(t)
		var props []string
		h.E.SetPropagator(propFunc(func(db int, args [][]byte) {
			props = append(props, string(args[0]))
		}))
		var events []string
		h.E.Set.NotifyKeyspaceEvent = engine.NotifyKeyevent | engine.NotifyEvicted
		h.E.NotifyHook = func(class int, event string, key []byte, dbid int) {
			events = append(events, event)
		}
		h.E.Set.LazyfreeLazyEvict = lazy
		fillStrings(h, "k", 50, 200, false)
		props = props[:0]
		setLimit(h, "allkeys-lru", 0)
		h.Do("SET", "new", strings.Repeat("n", 1000))
		h.Do("SET", "new2", "x") // the eviction runs before this command
		want := "DEL"
		if lazy {
			want = "UNLINK"
		}
		require.Contains(t, props, want)
		require.Equal(t, "SET", props[len(props)-1])
		require.Contains(t, events, "evicted")
	}
}

type propFunc func(db int, args [][]byte)

func (f propFunc) Propagate(db int, args [][]byte) { f(db, args) }

func TestObjectFreqIdletimeErrors(t *testing.T) {
	h := newEvictHarness(t)
	h.Do("SET", "k", "v")
	require.Equal(t, "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.",
		string(h.Do("OBJECT", "FREQ", "k").Str))
	h.Advance(5 * time.Second)
	h.E.UpdateClock()
	require.Equal(t, int64(5), h.Do("OBJECT", "IDLETIME", "k").Int)
}

func TestMemoryStatsAndDoctor(t *testing.T) {
	h := newEvictHarness(t)
	h.Do("SET", "a", "1")
	h.Do("SET", "b", "v", "EX", "100")
	v := h.Do("MEMORY", "STATS")
	m := map[string]int64{}
	for i := 0; i+1 < len(v.Elems); i += 2 {
		m[string(v.Elems[i].Str)] = v.Elems[i+1].Int
	}
	require.Equal(t, int64(2), m["keys.count"])
	require.Equal(t, used(h), m["total.allocated"])
	require.Equal(t, int64(engine.MemStartup), m["startup.allocated"])
	require.Contains(t, h.Text("MEMORY", "DOCTOR"), "this instance is empty")
	fillStrings(h, "k", 6000, 1000, false)
	require.Contains(t, h.Text("MEMORY", "DOCTOR"), "I can't find any memory issue")
	h.Do("FLUSHALL")
	fillStrings(h, "k", 5000, 1000, false) // peak ~6 MB, now ~5 MB: not 150%
	require.Contains(t, h.Text("MEMORY", "DOCTOR"), "I can't find any memory issue")
	require.Equal(t, "OK", h.Text("MEMORY", "PURGE"))
	require.Equal(t, 14, len(h.Do("MEMORY", "HELP").Elems))
}

// Keys added outside of a command (as the RDB loader does) are counted too, with the
// pending list bounded.
func TestMemoryAccountingOutsideCommands(t *testing.T) {
	h := newEvictHarness(t)
	h.E.Lock()
	db := h.E.DB(0)
	for i := 0; i < 10000; i++ {
		k := []byte("load:" + strconv.Itoa(i))
		db.Add(k, engine.NewBytesObject(engine.TypeString, engine.EncRaw, []byte(strings.Repeat("x", 50+i%100))))
		if i%3 == 0 {
			db.SetExpire(k, h.E.NowMs()+100000)
		}
	}
	counted, recounted := h.E.RecountMemory()
	h.E.Unlock()
	require.Equal(t, recounted, counted)
	require.Greater(t, counted, int64(10000*100))
}

func TestEvictionGuard(t *testing.T) {
	h := newEvictHarness(t)
	fillStrings(h, "k", 50, 200, false)
	setLimit(h, "allkeys-lru", 0)
	paused := true
	h.E.Lock()
	h.E.SetEvictionGuard(func() bool { return !paused })
	h.E.Unlock()
	fillStrings(h, "new", 10, 200, false) // over the limit, but nothing may be evicted
	require.Equal(t, int64(0), h.E.Stats.EvictedKeys)
	paused = false
	h.Do("SET", "x", "y")
	require.Greater(t, h.E.Stats.EvictedKeys, int64(0))
}

// A scripting layer's getCommandFlags makes a command deny-oom for this call.
func TestCommandFlagsFuncForOOM(t *testing.T) {
	h := newEvictHarness(t)
	fillStrings(h, "k", 20, 100, false)
	setLimit(h, "noeviction", 0)
	h.Do("SET", "over", strings.Repeat("o", 500))
	require.Equal(t, int64(1), h.Do("EXISTS", "k1").Int)
	h.E.Lock()
	h.E.SetCommandFlagsFunc(func(c *engine.Client, cmd *engine.Command, args [][]byte) engine.Flags {
		if cmd.Name == "exists" {
			return cmd.Flags | engine.FlagDenyOOM
		}
		return cmd.Flags
	})
	h.E.Unlock()
	require.Contains(t, string(h.Do("EXISTS", "k1").Str), "OOM")
	require.False(t, h.Do("GET", "k1").IsNull())
}
