package tzset

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/engine/memmodel"
	"github.com/redisctl/redisctl/internal/redistest"
	"github.com/stretchr/testify/require"
)

// memPair is a harness and an oracle started with DEBUG enabled and RDB compression off,
// so the tests can read Redis's listpack bytes (DUMP) and dict sizes (DEBUG HTSTATS-KEY).
type memPair struct {
	t *testing.T
	h *enginetest.Harness
	o *enginetest.Oracle
}

func newMemPair(t *testing.T) *memPair {
	h := enginetest.New(t, Commands())
	h.RealClock()
	o := enginetest.NewOracle(t, redistest.WithArgs("--enable-debug-command", "yes", "--rdbcompression", "no"))
	return &memPair{t: t, h: h, o: o}
}

// do runs a command on both sides and requires the same reply.
func (m *memPair) do(args ...string) {
	m.t.Helper()
	want, got := m.o.Do(args...).String(), m.h.Do(args...).String()
	require.Equal(m.t, want, got, "%v", args)
}

func (m *memPair) run(script string) {
	m.t.Helper()
	for _, line := range strings.Split(strings.TrimSpace(script), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			m.do(strings.Fields(line)...)
		}
	}
}

func (m *memPair) obj(key string) *engine.Object {
	o := m.h.E.DB(0).LookupReadNoTouch([]byte(key))
	require.NotNil(m.t, o, key)
	return o
}

// dumpListpack extracts the listpack of an uncompressed DUMP of a listpack zset.
func dumpListpack(t *testing.T, payload []byte) []byte {
	t.Helper()
	require.Equal(t, byte(17), payload[0], "RDB_TYPE_ZSET_LISTPACK")
	b := payload[1:]
	var n uint64
	switch b[0] >> 6 {
	case 0:
		n, b = uint64(b[0]&0x3f), b[1:]
	case 1:
		n, b = uint64(b[0]&0x3f)<<8|uint64(b[1]), b[2:]
	default:
		require.Equal(t, byte(0x80), b[0], "32-bit length")
		n, b = uint64(binary.BigEndian.Uint32(b[1:])), b[5:]
	}
	return b[:n]
}

var tableSizeRe = regexp.MustCompile(`table size: (\d+)`)

// redisTables lists the table sizes DEBUG HTSTATS-KEY reports: the main table, then the
// rehashing target if a rehash is in progress.
func (m *memPair) redisTables(key string) []int {
	s := m.o.Do("DEBUG", "HTSTATS-KEY", key).String()
	var out []int
	for _, mm := range tableSizeRe.FindAllStringSubmatch(s, -1) {
		v, _ := strconv.Atoi(mm[1])
		out = append(out, v)
	}
	return out
}

// ourTables splits our bucket count into the two tables' sizes (both powers of two).
func ourTables(z *zset) []int {
	n := z.dict.Buckets()
	if !z.dict.IsRehashing() {
		return []int{n}
	}
	hi := 1 << (bits.Len(uint(n)) - 1)
	return []int{hi, n - hi}
}

func (m *memPair) checkListpack(key string) {
	m.t.Helper()
	o := m.obj(key)
	require.Equal(m.t, engine.EncListpack, o.Encoding(), key)
	v := m.o.Do("DUMP", key)
	want := dumpListpack(m.t, []byte(v.Str))
	require.True(m.t, bytes.Equal(want, o.Bytes()), "%s: listpack bytes differ\nredis: %x\nours:  %x", key, want, o.Bytes())
	m.do("MEMORY", "USAGE", key, "SAMPLES", "0")
	m.do("MEMORY", "USAGE", key)
}

// checkBuckets compares the dict sizes. The tables and the moments of every resize are
// Redis's, but how far an incremental rehash has got depends on which buckets are empty,
// i.e. on the hash function: when one side has finished a rehash the other is still
// doing, the finished side's table must be the other's target.
func (m *memPair) checkBuckets(key string) {
	m.t.Helper()
	o := m.obj(key)
	require.Equal(m.t, engine.EncSkiplist, o.Encoding(), key)
	redis, ours := m.redisTables(key), ourTables(zsOf(o))
	sum := func(a []int) int { return a[0] + a[len(a)-1]*(len(a)-1) }
	if sum(redis) == sum(ours) {
		return
	}
	switch {
	case len(redis) == 2 && len(ours) == 1 && ours[0] == redis[1]:
	case len(redis) == 1 && len(ours) == 2 && (ours[0] == redis[0] || ours[1] == redis[0]):
	default:
		m.t.Fatalf("%s: dict tables: redis %v, ours %v", key, redis, ours)
	}
}

func zaddArgs(key string, from, to int, prefix string) []string {
	a := []string{"ZADD", key}
	for i := from; i <= to; i++ {
		a = append(a, strconv.Itoa(i), prefix+strconv.Itoa(i))
	}
	return a
}

func TestListpackBytesMatchRedis(t *testing.T) {
	m := newMemPair(t)
	m.run(`
ZADD a 1 x 2 y 3 z
ZADD b 0.1 a 1.5 b -0 c 1e20 d -inf e inf f 4611686018427387904 g 4611686018427387905 h 123456789.125 i 1e-5 j -3 k 100 200 -7 12345678901234567890
ZADD c 1 a
ZINCRBY c 0.5 a
ZINCRBY c 0.5 a
ZADD c 3 b 2 cc
ZREM c b
`)
	for _, k := range []string{"a", "b", "c"} {
		m.checkListpack(k)
	}
	m.do(zaddArgs("full", 1, 128, strings.Repeat("m", 60))...)
	m.checkListpack("full")
	m.run(`
ZREMRANGEBYSCORE full 10 20
ZREMRANGEBYRANK full 0 4
ZPOPMAX full 3
ZPOPMIN full
ZADD full 7.25 extra
`)
	m.checkListpack("full")
	// A skiplist converted back by a STORE.
	m.do(zaddArgs("big", 1, 200, "k")...)
	m.run(`
ZUNIONSTORE small 1 big WEIGHTS 0.5
ZRANGESTORE r big 5 60
ZINTERSTORE i 2 big small
ZREMRANGEBYRANK small 100 -1
ZUNIONSTORE small2 1 small
`)
	m.checkListpack("r")
	m.checkListpack("small2")
}

func TestDictBucketsMatchRedis(t *testing.T) {
	m := newMemPair(t)
	m.do(zaddArgs("a", 1, 129, "m")...)
	m.checkBuckets("a")
	m.do(zaddArgs("a", 130, 300, "m")...)
	m.checkBuckets("a")
	for i := 1; i <= 280; i++ {
		m.do("ZREM", "a", "m"+strconv.Itoa(i))
		if i%20 == 0 {
			m.checkBuckets("a")
		}
	}
	m.do(zaddArgs("b", 1, 128, "m")...)
	m.do("ZADD", "b", "129", "m129")
	m.checkBuckets("b")
	m.do(zaddArgs("c", 1, 1000, "m")...)
	m.checkBuckets("c")
	m.run(`
ZUNIONSTORE u 1 c
ZINTERSTORE i 2 c c
ZDIFFSTORE d1 2 c b
ZRANGESTORE r c 0 -1
ZRANGESTORE r2 c -inf +inf BYSCORE
ZRANGESTORE r3 c -inf +inf BYSCORE LIMIT 0 600
COPY c cc
`)
	for _, k := range []string{"u", "i", "d1", "r", "r2", "r3", "cc"} {
		m.checkBuckets(k)
	}
	for i := 0; i < 10; i++ {
		m.do("ZPOPMIN", "cc", "90")
		m.checkBuckets("cc")
	}
}

// TestSkiplistMemoryUsage checks the skiplist estimate. Node levels are random (in Redis
// and here), so the two servers' numbers differ by the level draws: the estimate is first
// recomputed from our own nodes (exact), then compared with Redis's within a tolerance.
func TestSkiplistMemoryUsage(t *testing.T) {
	m := newMemPair(t)
	m.do(zaddArgs("z", 1, 2000, "member-")...)
	o := m.obj("z")
	z := zsOf(o)
	// Exact structure: recompute objectComputeSize from the nodes.
	want := 16 + 16 + 32 + 56 + 8*z.dict.Buckets() + memmodel.Class(24+16*32)
	elesize := 0
	for n := z.zsl.first(); n != nil; n = n.lvl(0).forward {
		elesize += memmodel.SdsAlloc(len(n.ele())) + 24 + memmodel.Class(24+16*n.levels())
	}
	want += elesize
	key := memmodel.KeyOverhead(1)
	got := m.h.Do("MEMORY", "USAGE", "z", "SAMPLES", "0").Int
	require.Equal(t, int64(want+key), got)
	// Against Redis: SAMPLES 0 sums every node, so only the level draws differ (±2%).
	redis := m.o.Do("MEMORY", "USAGE", "z", "SAMPLES", "0").Int
	require.InDelta(t, float64(redis), float64(got), 0.02*float64(redis), "SAMPLES 0: redis %d ours %d", redis, got)
	// The default SAMPLES 5 averages the first five nodes: a much noisier estimate.
	redis5 := m.o.Do("MEMORY", "USAGE", "z").Int
	got5 := m.h.Do("MEMORY", "USAGE", "z").Int
	require.InDelta(t, float64(redis5), float64(got5), 0.25*float64(redis5), "SAMPLES 5: redis %d ours %d", redis5, got5)
	// Level distribution: p = 0.25, so about 3/4 of the nodes have level 1.
	levels := make([]int, 33)
	for n := z.zsl.first(); n != nil; n = n.lvl(0).forward {
		levels[n.levels()]++
	}
	frac := float64(levels[1]) / 2000
	require.InDelta(t, 0.75, frac, 0.05, "level-1 fraction %v", levels[:8])
}
