package persist

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/redisctl/redisctl/aof"
	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/internal/redistest"
)

// pipeDo sends commands in one pipeline and fails on any error reply.
func pipeDo(t testing.TB, c *redis.Client, db int, cmds [][]any) {
	t.Helper()
	ctx := context.Background()
	conn := c.Conn()
	defer conn.Close()
	require.NoError(t, conn.Select(ctx, db).Err())
	for i := 0; i < len(cmds); i += 1000 {
		j := min(i+1000, len(cmds))
		_, err := conn.Pipelined(ctx, func(p redis.Pipeliner) error {
			for _, a := range cmds[i:j] {
				p.Do(ctx, a...)
			}
			return nil
		})
		require.NoError(t, err)
	}
}

// TestBgsavePointInTime fills a dataset (a rehash in progress, big containers, TTLs,
// several databases), starts BGSAVE with a deliberately slow walker, changes the dataset
// in every way while the walk runs, and checks that the file holds exactly the dataset as
// of the BGSAVE: decoded with package rdb key for key (no duplicates), accepted by
// redis-check-rdb, and loaded by real redis-server 7.0.
func TestBgsavePointInTime(t *testing.T) { pointInTime(t, false) }

// TestRewritePointInTime is TestBgsavePointInTime for BGREWRITEAOF writing a command base
// (aof-use-rdb-preamble no): the base, loaded alone by real redis-server 7.0, holds the
// dataset as of the BGREWRITEAOF, and redis-check-aof accepts it. Its big values are
// written in steps (cmdJob) and held while they change.
func TestRewritePointInTime(t *testing.T) { pointInTime(t, true) }

func pointInTime(t *testing.T, rewrite bool) {
	if testing.Short() {
		t.Skip("fills ~600k elements")
	}
	slow := &Options{Snapshot: engine.SnapshotOptions{SliceBudget: 20 * time.Microsecond, SlicePause: 3 * time.Millisecond, ChunkBytes: 4 << 10}}
	args := []string{"--save", "", "--activerehashing", "no"}
	if rewrite {
		args = append(args, "--appendonly", "yes", "--aof-use-rdb-preamble", "no")
	}
	ts := startServer(t, "", slow, args...)
	c := ts.client
	ctx := context.Background()

	// db 0: 2^15+1000 strings (the key dict grows past 32768 buckets: a rehash starts and
	// progresses one bucket per operation), a fifth with a TTL an hour away.
	far := time.Now().Add(time.Hour).UnixMilli()
	var cmds [][]any
	// A big stream (hundreds of nodes: written in steps, streamJob) with a group whose
	// pending entries change during the walk. First: its 20k commands would otherwise
	// finish the rehash the strings below start.
	for i := 1; i <= 20_000; i++ {
		cmds = append(cmds, []any{"xadd", "big:stream", strconv.Itoa(i) + "-0", "f", strconv.Itoa(i), "g", "x"})
	}
	cmds = append(cmds, []any{"xgroup", "create", "big:stream", "g", "0"},
		[]any{"xreadgroup", "group", "g", "c1", "count", "300", "streams", "big:stream", ">"})
	const nstr = 1<<15 + 1000
	for i := 0; i < nstr; i++ {
		k := "s:" + strconv.Itoa(i)
		if i%5 == 0 {
			cmds = append(cmds, []any{"set", k, "v" + strconv.Itoa(i), "pxat", far + int64(i)})
		} else {
			cmds = append(cmds, []any{"set", k, fmt.Sprintf("value-%d-%x", i, i*7919)})
		}
	}
	// Big containers (hashtable / skiplist / quicklist encodings).
	for i := 0; i < 150_000; i += 500 {
		a := []any{"rpush", "big:list"}
		for j := i; j < i+500; j++ {
			a = append(a, "e"+strconv.Itoa(j))
		}
		cmds = append(cmds, a)
	}
	for i := 0; i < 120_000; i += 500 {
		h := []any{"hset", "big:hash"}
		z := []any{"zadd", "big:zset"}
		s := []any{"sadd", "big:set"}
		for j := i; j < i+500; j++ {
			h = append(h, "f"+strconv.Itoa(j), strconv.Itoa(j*3))
			z = append(z, strconv.Itoa(j%977), "m"+strconv.Itoa(j))
			s = append(s, "m"+strconv.Itoa(j))
		}
		cmds = append(cmds, h, z, s)
	}
	// Big values a SET replaces during the walk (kept aside and written in steps).
	for i := 0; i < 3000; i += 500 {
		h := []any{"hset", "repl:hash"}
		z := []any{"zadd", "repl:zset"}
		l := []any{"rpush", "repl:list"}
		for j := i; j < i+500; j++ {
			h = append(h, "f"+strconv.Itoa(j), "v")
			z = append(z, strconv.Itoa(j), "m"+strconv.Itoa(j))
			l = append(l, "e"+strconv.Itoa(j))
		}
		cmds = append(cmds, h, z, l)
	}
	// Big strings, written in LZF blocks (strJob): text LZF shrinks, bytes it cannot
	// (raw), both in one; a SETRANGE, APPEND or SETBIT during the walk detaches the job.
	for _, k := range []string{"big:str:text", "big:str:rand", "big:str:mixed", "repl:str"} {
		cmds = append(cmds, []any{"set", k, bigString(k)})
	}
	// Elements with big strings, in big and in small values (elemQueue).
	cmds = append(cmds, []any{"hset", "big:hash", "bigval", bigString("big:str:mixed")},
		[]any{"zadd", "big:zset", "5", bigString("big:str:rand")},
		[]any{"hset", "fat:hash", "f1", bigString("big:str:text"), "f2", "small", "f3", bigString("big:str:rand")},
		[]any{"sadd", "fat:set", bigString("big:str:mixed"), "small"},
		[]any{"zadd", "fat:zset", "1", bigString("big:str:mixed"), "2", "small"},
		[]any{"rpush", "fat:list", bigString("big:str:text"), "small", bigString("big:str:rand")})
	cmds = append(cmds, []any{"hset", "small:hash", "a", "1", "b", "2"}, []any{"zadd", "small:zset", "1", "x", "2", "y"},
		[]any{"sadd", "small:intset", "1", "2", "3"}, []any{"rpush", "small:list", "a", "b"},
		[]any{"set", "counter", "100"}, []any{"set", "restore:src", "payload"})
	// Streams with a consumer group and pending entries: XACK, XCLAIM, XAUTOCLAIM and
	// XREADGROUP change them through a read lookup, as Redis does.
	for i := 0; i < 200; i++ {
		k := "st:" + strconv.Itoa(i)
		for j := 1; j <= 6; j++ {
			cmds = append(cmds, []any{"xadd", k, strconv.Itoa(j) + "-0", "f", strconv.Itoa(j)})
		}
		cmds = append(cmds, []any{"xgroup", "create", k, "g", "0"},
			[]any{"xreadgroup", "group", "g", "c1", "count", "3", "streams", k, ">"})
	}
	pipeDo(t, c, 0, cmds)
	// db 1, 2, 3: for MOVE, SWAPDB and FLUSHDB.
	for db := 1; db <= 3; db++ {
		cmds = cmds[:0]
		for i := 0; i < 3000; i++ {
			k := fmt.Sprintf("d%d:%d", db, i)
			if i%3 == 0 {
				cmds = append(cmds, []any{"set", k, "x", "pxat", far + int64(i)})
			} else {
				cmds = append(cmds, []any{"rpush", k, "a", strconv.Itoa(i)})
			}
		}
		pipeDo(t, c, db, cmds)
	}
	e := ts.srv.Engine()
	e.Lock()
	rehashing := e.DB(0).Keys().IsRehashing()
	e.Unlock()
	require.True(t, rehashing, "db 0's key dict should be mid-rehash at BGSAVE")

	t0 := time.Now()
	want, err := redistest.Snapshot(ctx, c)
	require.NoError(t, err)
	t.Logf("expected image read in %v (%d keys)", time.Since(t0), len(want))

	// Keys that expire during the walk (lazily and actively), added to the expectation
	// with their TTL (a saved key whose TTL has passed is written; loaders drop it).
	cmds = cmds[:0]
	soon := time.Now().Add(400 * time.Millisecond).UnixMilli()
	for i := 0; i < 50; i++ {
		k := "soon:" + strconv.Itoa(i)
		cmds = append(cmds, []any{"set", k, "gone", "pxat", soon})
		at := soon
		want = append(want, redistest.Record{DB: 0, Key: redistest.Bytes(k), Type: "string", ExpireAtMs: &at, Value: redistest.Bytes("gone")})
	}
	pipeDo(t, c, 0, cmds)

	bgStart := time.Now()
	if rewrite {
		waitRewriteDone(t, c, time.Minute) // the first base, made at start
		require.Equal(t, "Background append only file rewriting started", do(t, c, "bgrewriteaof"))
		require.Equal(t, "ERR:ERR Background append only file rewriting already in progress", do(t, c, "bgrewriteaof"))
	} else {
		require.Equal(t, "Background saving started", do(t, c, "bgsave"))
		require.Equal(t, "ERR:ERR Background save already in progress", do(t, c, "bgsave"))
		require.Equal(t, "ERR:ERR Background save already in progress", do(t, c, "save"))
	}

	// Change everything while the walker runs (one connection: ordered).
	conn := c.Conn()
	defer conn.Close()
	run := func(args ...any) {
		if err := conn.Do(ctx, args...).Err(); err != nil && err != redis.Nil {
			t.Fatalf("%v: %v", args, err)
		}
	}
	for i := 0; i < nstr; i += 7 {
		k := "s:" + strconv.Itoa(i)
		switch i % 8 {
		case 0:
			run("set", k, "rewritten")
		case 1:
			run("del", k)
		case 2:
			run("unlink", k)
		case 3:
			run("pexpire", k, 3_600_000) // TTL change
		case 4:
			run("persist", k)
		case 5:
			run("rename", k, "renamed:"+strconv.Itoa(i))
		case 6:
			run("move", k, 1)
		case 7:
			run("append", k, "+tail")
		}
	}
	for i := 0; i < 200; i++ {
		k := "st:" + strconv.Itoa(i)
		switch i % 4 {
		case 0:
			run("xack", k, "g", "1-0", "2-0")
		case 1:
			run("xclaim", k, "g", "c2", 0, "2-0")
		case 2:
			run("xautoclaim", k, "g", "c3", 0, "0-0", "count", 2)
		case 3:
			run("xreadgroup", "group", "g", "c4", "count", 2, "streams", k, ">")
		}
	}
	run("rename", "s:3", "s:10") // onto an existing key
	run("set", "repl:hash", "replaced")
	run("set", "repl:zset", "replaced")
	run("set", "repl:list", "replaced", "ex", 100)
	run("lpush", "big:list", "head")
	run("rpop", "big:list")
	run("ltrim", "big:list", 0, 99_999)
	run("hset", "big:hash", "f1", "changed", "new", "x")
	run("hdel", "big:hash", "f2", "f3")
	run("zadd", "big:zset", "-5", "m7", "9999", "new")
	run("zrem", "big:zset", "m8")
	run("srem", "big:set", "m1", "m2")
	run("sadd", "big:set", "newmember")
	// Scores changed in place and moved, pops and range removals, counters, random pops:
	// what a held table or member dict keeps per element (dict.Hold).
	run("zincrby", "big:zset", "0.5", "m100")
	run("zincrby", "big:zset", "500", "m101")
	run("zpopmax", "big:zset", 2)
	run("zremrangebyscore", "big:zset", 500, 510)
	run("hincrby", "big:hash", "f10", 7)
	run("spop", "big:set", 5)
	for i := 0; i < 300; i++ {
		run("hset", "big:hash", "grown:"+strconv.Itoa(i), "x")
		run("zadd", "big:zset", i, "grown:"+strconv.Itoa(i))
	}
	run("setrange", "big:str:text", 1000, "changed")
	run("append", "big:str:rand", "tail")
	run("setbit", "big:str:mixed", 8*150_000, 1)
	run("set", "repl:str", "replaced")
	run("xadd", "big:stream", "*", "f", "new")
	run("xdel", "big:stream", "7-0", "15000-0")
	run("xack", "big:stream", "g", "1-0", "2-0")
	run("xreadgroup", "group", "g", "c2", "count", "5", "streams", "big:stream", ">")
	run("hset", "fat:hash", "f1", "changed")
	run("hdel", "fat:hash", "f3")
	run("srem", "fat:set", "small")
	run("zincrby", "fat:zset", "1", bigString("big:str:mixed"))
	run("hset", "big:hash", "bigval", "changed")
	run("lset", "fat:list", 0, "changed")
	run("hset", "small:hash", "c", "3")
	run("incr", "counter")
	run("copy", "small:zset", "copied")
	run("copy", "small:list", "small:hash", "replace")
	dump, err := conn.Dump(ctx, "counter").Result()
	require.NoError(t, err)
	run("restore", "restore:src", 0, dump, "replace")
	for i := 0; i < 2000; i++ {
		run("set", "new:"+strconv.Itoa(i), "born after T0")
	}
	run("select", 1)
	run("move", "d1:1", 0)
	run("set", "d1:2", "overwritten")
	run("swapdb", 1, 2)
	run("del", "d2:4") // d2:4 is in db 1 now
	run("set", "d2:5", "changed after swap")
	run("select", 3)
	run("flushdb")
	run("set", "d3:new", "after flush")
	run("select", 0)
	time.Sleep(450 * time.Millisecond)
	for i := 0; i < 25; i++ {
		run("get", "soon:"+strconv.Itoa(i)) // lazy expiry; the cron expires the rest
	}
	inProgress, cowField := "rdb_bgsave_in_progress", "rdb_last_cow_size"
	if rewrite {
		inProgress, cowField = "aof_rewrite_in_progress", "aof_last_cow_size"
	}
	require.Equal(t, "1", infoField(t, c, "persistence", inProgress),
		"the walk should still be running after all the changes (make it slower)")
	t.Logf("changes done %v after the snapshot began", time.Since(bgStart))
	var path string
	var load []redistest.Option
	if rewrite {
		waitRewriteDone(t, c, 2*time.Minute)
		require.Equal(t, "ok", infoField(t, c, "persistence", "aof_last_bgrewrite_status"), ts.log.String())
		path, load = baseAlone(t, filepath.Join(ts.dir, "appendonlydir"))
		out, ok := redistest.CheckAOF(t, path)
		require.True(t, ok, out)
	} else {
		waitBgsave(t, c, 2*time.Minute)
		require.Equal(t, "ok", infoField(t, c, "persistence", "rdb_last_bgsave_status"), ts.log.String())
		path = filepath.Join(ts.dir, "dump.rdb")
		load = []redistest.Option{redistest.WithRDB(path)}
	}
	t.Logf("the snapshot took %v; cow %s bytes", time.Since(bgStart), infoField(t, c, "persistence", cowField))
	cow, _ := strconv.Atoi(infoField(t, c, "persistence", cowField))
	assert.Greater(t, cow, 100_000, "the big containers' pre-images were held aside")

	if !rewrite {
		got, dups := fileRecords(t, path)
		assert.Empty(t, dups, "keys written twice")
		// fileRecords does not model streams (rdb.Value's stream form has no redistest
		// mapping): they are compared below, through redis-server loading the file.
		wl, gl := canon(t, withoutStreams(want)), canon(t, withoutStreams(got))
		if !assert.Equal(t, len(wl), len(gl), "keys") || !assert.True(t, slicesEqual(wl, gl)) {
			t.Fatalf("the file differs from the dataset at BGSAVE:\n%s", diffLines(wl, gl))
		}

		// Pre-change images of other databases interleave with the walk of db 0: the file
		// re-selects databases (more SELECTDB records than the 4 databases it holds), and
		// redis-check-rdb and redis-server below accept that.
		assert.Greater(t, selectDBs(t, path), 4, "hook output of db 1-3 during the walk of db 0")
		out, ok := redistest.CheckRDB(t, path)
		require.True(t, ok, out)
	}

	// Real Redis loads it: the same dataset but for the keys whose TTL has passed.
	rs := redistest.Start(t, load...)
	loaded, err := redistest.Snapshot(ctx, rs.Client())
	require.NoError(t, err)
	now := time.Now().UnixMilli()
	var live []redistest.Record
	for _, r := range want {
		if r.ExpireAtMs == nil || *r.ExpireAtMs > now {
			live = append(live, r)
		}
	}
	if rewrite {
		// A command base cannot carry a consumer's seen-time: XCLAIM and XGROUP
		// CREATECONSUMER set it to the load's time, in Redis's own rewrite too.
		live, loaded = withoutSeenTimes(live), withoutSeenTimes(loaded)
	}
	ll, rl := canon(t, live), canon(t, loaded)
	if !slicesEqual(ll, rl) {
		t.Fatalf("redis-server loaded another dataset:\n%s", diffLines(ll, rl))
	}
}

// waitRewriteDone waits, at most limit, for no AOF rewrite to run or be scheduled.
func waitRewriteDone(t testing.TB, c *redis.Client, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for infoField(t, c, "persistence", "aof_rewrite_in_progress") != "0" ||
		infoField(t, c, "persistence", "aof_rewrite_scheduled") != "0" {
		if time.Now().After(deadline) {
			t.Fatalf("BGREWRITEAOF still running after %v", limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// baseAlone is the base file of the AOF directory dir, and the options that make
// redis-server load it alone (a directory of its own, whose manifest lists only it).
func baseAlone(t testing.TB, dir string) (string, []redistest.Option) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "appendonly.aof.manifest"))
	require.NoError(t, err)
	m, err := aof.ParseManifest(data)
	require.NoError(t, err)
	require.NotNil(t, m.Base)
	only := &aof.Manifest{Base: m.Base}
	alone := filepath.Join(t.TempDir(), "appendonlydir")
	require.NoError(t, os.Mkdir(alone, 0o755))
	base := filepath.Join(dir, m.Base.Name)
	require.NoError(t, redistest.CopyPath(base, filepath.Join(alone, m.Base.Name)))
	require.NoError(t, os.WriteFile(filepath.Join(alone, "appendonly.aof.manifest"), only.Bytes(), 0o644))
	return base, []redistest.Option{redistest.WithFile(alone, "appendonlydir"), redistest.WithArgs("--appendonly", "yes")}
}

// bigString is the value of the pit test's big string k: text LZF shrinks (2 MB), bytes
// it cannot (200 KB), or 100 KB of those then 400 KB of text, whose blocks LZF shrinks
// but for the first few.
func bigString(k string) string {
	var b strings.Builder
	text := func(n int) {
		for i := 0; b.Len() < n; i++ {
			b.WriteString("line " + strconv.Itoa(i*7919%100_003) + " of " + k + "\n")
		}
	}
	rnd := func(n int) {
		x := uint64(len(k))
		for i := 0; i < n; i++ {
			x = x*6364136223846793005 + 1442695040888963407
			b.WriteByte(byte(x >> 56))
		}
	}
	switch k {
	case "big:str:rand":
		rnd(200_000)
	case "big:str:mixed":
		rnd(100_000)
		text(500_000)
	default:
		text(2 << 20)
	}
	return b.String()
}

func slicesEqual(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// withoutSeenTimes is recs with their streams' consumers' seen-times zeroed (copies).
func withoutSeenTimes(recs []redistest.Record) []redistest.Record {
	out := slices.Clone(recs)
	for i, r := range out {
		st, ok := r.Value.(*redistest.Stream)
		if !ok {
			continue
		}
		cp := *st
		cp.Groups = slices.Clone(st.Groups)
		for g := range cp.Groups {
			cp.Groups[g].Consumers = slices.Clone(cp.Groups[g].Consumers)
			for c := range cp.Groups[g].Consumers {
				cp.Groups[g].Consumers[c].SeenTime = 0
			}
		}
		out[i].Value = &cp
	}
	return out
}

func withoutStreams(recs []redistest.Record) []redistest.Record {
	var out []redistest.Record
	for _, r := range recs {
		if r.Type != "stream" {
			out = append(out, r)
		}
	}
	return out
}
