package coretest

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/stretchr/testify/require"
)

func TestObjectAgainstRedis(t *testing.T) {
	p := newPair(t)
	p.Run(fill)
	p.Run(`
SET raw aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
SET emb aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
SET emb45 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
SET neg -5
SET zero 0
SET n9999 9999
SET n10000 10000
SET lead 0123
OBJECT ENCODING str
OBJECT ENCODING int
OBJECT ENCODING big
OBJECT ENCODING raw
OBJECT ENCODING emb
OBJECT ENCODING emb45
OBJECT ENCODING neg
OBJECT ENCODING lead
OBJECT ENCODING list
OBJECT ENCODING iset
OBJECT ENCODING hset
OBJECT ENCODING zlp
OBJECT ENCODING hlp
OBJECT ENCODING nokey
OBJECT encoding str
OBJECT REFCOUNT str
OBJECT REFCOUNT int
OBJECT REFCOUNT neg
OBJECT REFCOUNT zero
OBJECT REFCOUNT n9999
OBJECT REFCOUNT n10000
OBJECT REFCOUNT list
OBJECT REFCOUNT nokey
COPY zero zerocopy
OBJECT REFCOUNT zerocopy
OBJECT ENCODING zerocopy
COPY zerocopy zerocopy2
OBJECT REFCOUNT zerocopy2
INCR zerocopy
OBJECT REFCOUNT zerocopy
OBJECT IDLETIME str
OBJECT IDLETIME nokey
OBJECT FREQ str
OBJECT FREQ nokey
OBJECT HELP
OBJECT help
OBJECT HELP x
OBJECT
OBJECT ENCODING
OBJECT ENCODING a b
OBJECT FOO
OBJECT FOO bar
OBJECT REFCOUNT
MEMORY USAGE str
MEMORY USAGE int
MEMORY USAGE big
MEMORY USAGE raw
MEMORY USAGE emb
MEMORY USAGE list
MEMORY USAGE iset
MEMORY USAGE hset
MEMORY USAGE zlp
MEMORY USAGE hlp
MEMORY USAGE nokey
MEMORY USAGE str SAMPLES 0
MEMORY USAGE str SAMPLES 1
MEMORY USAGE str SAMPLES -1
MEMORY USAGE str SAMPLES abc
MEMORY USAGE str SAMPLES
MEMORY USAGE str FOO
MEMORY USAGE str samples 5 SAMPLES 3
MEMORY USAGE nokey SAMPLES -1
MEMORY USAGE nokey FOO
MEMORY USAGE
MEMORY
MEMORY FOO
`)
	// With an LRU policy and maxmemory, integers are not shared; with an LFU policy,
	// IDLETIME is refused and FREQ answers.
	p.O.Do("CONFIG", "SET", "maxmemory", "1gb")
	p.O.Do("CONFIG", "SET", "maxmemory-policy", "allkeys-lru")
	p.H.E.Set.Maxmemory = 1 << 30
	p.H.E.Set.MaxmemoryPolicy = "allkeys-lru"
	p.Run(`
SET small 5
OBJECT REFCOUNT small
OBJECT FREQ small
`)
	p.O.Do("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu")
	p.H.E.Set.MaxmemoryPolicy = "allkeys-lfu"
	p.Run(`
SET f v
OBJECT FREQ f
GET f
OBJECT FREQ f
OBJECT IDLETIME f
OBJECT REFCOUNT small
SET small2 5
OBJECT REFCOUNT small2
`)
	p.O.Do("CONFIG", "SET", "maxmemory-policy", "volatile-ttl")
	p.H.E.Set.MaxmemoryPolicy = "volatile-ttl"
	p.Run(`
SET small3 5
OBJECT REFCOUNT small3
`)
}

// TestIdleTimeAgainstRedis: which commands update a key's access time. It sleeps past two
// LRU clock ticks (one second each) between setting and checking.
func TestIdleTimeAgainstRedis(t *testing.T) {
	if testing.Short() {
		t.Skip("sleeps")
	}
	p := newPair(t)
	keys := []string{"get", "ttl", "type", "exists", "touch", "object", "rename", "move", "copy",
		"expire", "persist", "memory", "scan", "renamenx", "randomkey"}
	for _, k := range keys {
		p.Check([]string{"SET", k, "v"})
	}
	time.Sleep(2500 * time.Millisecond)
	p.Run(`
GET get
TTL ttl
TYPE type
EXISTS exists
TOUCH touch
OBJECT ENCODING object
RENAME rename rename2
MOVE move 1
COPY copy copy2
EXPIRE expire 100
PERSIST persist
MEMORY USAGE memory
SCAN 0 MATCH scan TYPE string COUNT 1000
RENAMENX renamenx renamenx2
`)
	for _, k := range []string{"get", "ttl", "type", "exists", "touch", "object", "rename2",
		"copy", "copy2", "expire", "persist", "memory", "scan", "renamenx2"} {
		want := p.O.Do("OBJECT", "IDLETIME", k).Int
		got := p.H.Do("OBJECT", "IDLETIME", k).Int
		// The two LRU clocks tick independently: allow one second.
		require.InDelta(t, want, got, 1, "OBJECT IDLETIME %s: redis %d, ours %d", k, want, got)
	}
	p.Run("SELECT 1")
	want, got := p.O.Do("OBJECT", "IDLETIME", "move").Int, p.H.Do("OBJECT", "IDLETIME", "move").Int
	require.InDelta(t, want, got, 1, "moved key: redis %d, ours %d", want, got)
}

// TestLookupStatsAgainstRedis: keyspace hits and misses of every core command, one at a
// time (lookupKeyRead counts, lookupKeyWrite and dictFind do not).
func TestLookupStatsAgainstRedis(t *testing.T) {
	p := newPair(t)
	p.Run(fill)
	for _, cmd := range []string{
		"EXISTS str nokey", "TYPE str", "TYPE nokey", "TOUCH str nokey", "TTL str", "TTL nokey",
		"PTTL str", "EXPIRETIME str", "PEXPIRETIME nokey", "EXPIRE str 100", "EXPIRE nokey 100",
		"PERSIST str", "PERSIST nokey", "RENAME str s2", "RENAME s2 str", "RENAME nokey x",
		"RENAMENX str int", "COPY str s3", "COPY nokey s4", "COPY str s3 DB 1", "MOVE s3 2",
		"MOVE nokey 2", "OBJECT ENCODING str", "OBJECT ENCODING nokey", "OBJECT REFCOUNT int",
		"OBJECT IDLETIME list", "OBJECT FREQ nokey", "MEMORY USAGE str", "MEMORY USAGE nokey",
		"DEL s3 nokey", "UNLINK nokey", "KEYS *", "SCAN 0", "SCAN 0 TYPE string COUNT 100",
		"SCAN 0 TYPE list MATCH l*", "RANDOMKEY", "DBSIZE", "SORT list ALPHA",
	} {
		p.O.Do("CONFIG", "RESETSTAT")
		p.H.E.Stats = engine.Stats{}
		args, err := splitLine(cmd)
		require.NoError(t, err)
		p.Check(args, enginetest.TypeOnly)
		hits, misses := oracleStats(t, p)
		require.Equal(t, [2]int64{hits, misses}, [2]int64{p.H.E.Stats.KeyspaceHits, p.H.E.Stats.KeyspaceMisses},
			"%s: keyspace hits/misses", cmd)
	}
}

func splitLine(s string) ([]string, error) { return strings.Fields(s), nil }

func oracleStats(t *testing.T, p *enginetest.Pair) (hits, misses int64) {
	info := string(p.O.Do("INFO", "stats").Str)
	get := func(name string) int64 {
		i := strings.Index(info, name+":")
		require.GreaterOrEqual(t, i, 0, name)
		v := info[i+len(name)+1:]
		v = v[:strings.IndexByte(v, '\r')]
		n, err := strconv.ParseInt(v, 10, 64)
		require.NoError(t, err)
		return n
	}
	return get("keyspace_hits"), get("keyspace_misses")
}
