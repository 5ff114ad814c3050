package tsort_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/redisctl/redisctl/engine"
	"github.com/stretchr/testify/require"

	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/engine/thash"
	"github.com/redisctl/redisctl/engine/tlist"
	"github.com/redisctl/redisctl/engine/tset"
	"github.com/redisctl/redisctl/engine/tsort"
	"github.com/redisctl/redisctl/engine/tstring"
	"github.com/redisctl/redisctl/engine/tzset"
)

func newPair(t *testing.T) *enginetest.Pair {
	return enginetest.NewPair(t, tsort.Commands(), tlist.Commands(), tset.Commands(),
		tzset.Commands(), thash.Commands(), tstring.Commands())
}

func TestSortBasicsAgainstRedis(t *testing.T) {
	p := newPair(t)
	p.Run(`
SORT nokey
SORT nokey ALPHA DESC LIMIT 0 10
SORT nokey STORE dst
EXISTS dst
RPUSH l 3 1 2 10 -5 1.5 2e1 0x10 " 4" inf -inf
SORT l
SORT l DESC
SORT l ASC DESC
SORT l DESC ASC
SORT l ALPHA
SORT l ALPHA DESC
SORT l LIMIT 0 3
SORT l LIMIT 2 3
SORT l LIMIT -1 3
SORT l LIMIT 3 -1
SORT l LIMIT 3 0
SORT l LIMIT 100 10
SORT l LIMIT 10 1
SORT l LIMIT 11 1
SORT l LIMIT 0 9223372036854775807
SORT l LIMIT 9223372036854775807 9223372036854775807
SORT l LIMIT -9223372036854775808 -9223372036854775808
SORT l LIMIT 1 9223372036854775807
SORT l LIMIT a 1
SORT l LIMIT 1 b
SORT l LIMIT 1
SORT l LIMIT
SORT l BY
SORT l GET
SORT l STORE
SORT l FOO
SORT l ALPHA FOO
SORT l LIMIT 1.5 2
SORT_RO l
SORT_RO l STORE dst
SORT_RO l DESC LIMIT 1 2
SORT l BY nosort
SORT l BY nosort DESC
SORT l BY nosort LIMIT 2 3
SORT l BY nosort LIMIT 2 3 DESC
SORT l BY nosort LIMIT 20 3 DESC
SORT l BY nosort LIMIT 0 0
SORT l BY nosort LIMIT -5 2 DESC
RPUSH bad 1 x 2
SORT bad
SORT bad ALPHA
SORT bad BY nosort
SORT bad LIMIT 0 1
SET str x
SORT str
SORT str ALPHA LIMIT 0 1
SORT str LIMIT x y
SORT str FOO
HSET h a 1
SORT h
`)
}

func TestSortTypesAgainstRedis(t *testing.T) {
	p := newPair(t)
	p.Run(`
SADD si 5 3 -1 100 7 0
SORT si
SORT si DESC
SORT si ALPHA
SORT si LIMIT 1 2
SORT si BY nosort
SORT si BY nosort DESC
SORT si BY nosort LIMIT 1 3
SORT si BY nosort STORE dst
LRANGE dst 0 -1
SORT si BY nosort DESC STORE dst
LRANGE dst 0 -1
SORT_RO si BY nosort
SADD sh a c b 10 2 é Z
OBJECT ENCODING sh
SORT sh ALPHA
SORT sh ALPHA DESC
SORT sh
SORT sh BY nosort  #unordered
SORT sh BY nosort STORE dst
LRANGE dst 0 -1
SORT sh ALPHA LIMIT 2 2 STORE dst
LRANGE dst 0 -1
ZADD z 3 c 1 a 2 b 0 d 10 x
OBJECT ENCODING z
MEMORY USAGE z SAMPLES 0
SORT z ALPHA
OBJECT ENCODING z
SORT z BY nosort
SORT z BY nosort DESC
SORT z BY nosort LIMIT 1 2
SORT z BY nosort LIMIT 1 2 DESC
SORT z BY nosort LIMIT 4 10 DESC
SORT z BY nosort LIMIT 5 10
SORT z BY nosort LIMIT 0 0
SORT z
ZADD zn 3 10 1 20 2 5
SORT zn
SORT zn DESC
SORT zn BY nosort DESC
SORT zn BY nosort STORE dst
LRANGE dst 0 -1
ZADD z1 1 one
MEMORY USAGE z1 SAMPLES 0
SORT_RO z1 ALPHA
OBJECT ENCODING z1
SORT_RO nokey ALPHA
`)
	// Skiplist node levels are random on both sides: MEMORY USAGE agrees within the
	// spread of the level draws only, which is small enough to check from 100 members.
	for _, n := range []int{1, 4, 5, 8, 9, 100, 128} {
		args := []string{"ZADD", "zm"}
		for i := 0; i < n; i++ {
			args = append(args, strconv.Itoa(i), "member"+strconv.Itoa(i))
		}
		p.Check([]string{"DEL", "zm"})
		p.Check(args)
		p.Check([]string{"SORT", "zm", "BY", "nosort", "LIMIT", "0", "3"})
		p.Check([]string{"OBJECT", "ENCODING", "zm"})
		if n < 100 {
			continue
		}
		want := p.O.Do("MEMORY", "USAGE", "zm", "SAMPLES", "0").Int
		got := p.H.Do("MEMORY", "USAGE", "zm", "SAMPLES", "0").Int
		require.InDelta(t, float64(want), float64(got), 0.05*float64(want), "%d members: redis %d, ours %d", n, want, got)
	}
}

func TestSortByGetAgainstRedis(t *testing.T) {
	p := newPair(t)
	p.Run(`
RPUSH l 1 2 3 4 5
MSET w_1 50 w_2 30 w_3 40 w_4 10 w_5 20
MSET o_1 one o_2 two o_3 three o_5 five
HSET h_1 f 5 g x
HSET h_2 f 4 g y
HSET h_3 f 3
HSET h_4 f 2 g w
SORT l BY w_*
SORT l BY w_* DESC
SORT l BY w_* GET o_*
SORT l BY w_* GET o_* GET # GET w_*
SORT l BY w_* GET # GET o_* LIMIT 1 2
SORT l BY h_*->f
SORT l BY h_*->f GET h_*->g GET h_*->f GET #
SORT l BY h_*->nofield
SORT l BY h_*->g ALPHA
SORT l BY h_*->g ALPHA DESC
SORT l BY o_* ALPHA
SORT l BY o_* ALPHA DESC
SORT l BY o_*
SORT l BY w_* ALPHA
SORT l BY h_* 
SORT l BY o_*->f
SORT l GET h_*
SORT l GET o_*->f
SORT l GET nostar
SORT l GET #
SORT l GET ""
SORT l GET *
SORT l GET h_*->
SORT l GET *->
SORT l GET h_*->f->g
SORT l GET w_*  LIMIT 0 0
SORT l BY w_* GET o_* STORE dst
LRANGE dst 0 -1
SORT l BY w_* GET h_*->g GET # STORE dst
LRANGE dst 0 -1
SORT l BY nosort GET o_* DESC
SORT l BY w_* BY nosort
SORT l BY nosort BY w_*
SORT l BY nosort BY w_* LIMIT 1 2
SORT l BY *
SET 1 z
SET 2 y
SET 3 x
SORT l BY * ALPHA
SORT l BY * GET *
SORT l BY w_** GET *o
MSET x1_a 3 x2_a 1 x3_a 2
RPUSH m 1 2 3
SORT m BY x*_a
SET n1 v1
SORT m GET n*
SORT m GET n*** 
`)
}

func TestSortStoreAgainstRedis(t *testing.T) {
	p := newPair(t)
	p.Run(`
RPUSH l 5 4 3 2 1 hello world 10 20 30
SORT l ALPHA STORE dst
OBJECT ENCODING dst
MEMORY USAGE dst SAMPLES 0
LRANGE dst 0 -1
`)
	// STORE ignores list-max-listpack-size and list-compress-depth (quicklist defaults).
	p.O.Do("CONFIG", "SET", "list-max-listpack-size", "2")
	p.H.E.Set.ListMaxListpackSize = 2
	p.O.Do("CONFIG", "SET", "list-compress-depth", "1")
	p.H.E.Set.ListCompressDepth = 1
	p.Run(`
SORT l ALPHA STORE dst2
MEMORY USAGE dst2 SAMPLES 0
RPUSH l2 a b c d e
MEMORY USAGE l2 SAMPLES 0
SORT l2 ALPHA DESC STORE l2
MEMORY USAGE l2 SAMPLES 0
LRANGE l2 0 -1
`)
	p.O.Do("CONFIG", "SET", "list-max-listpack-size", "-2")
	p.O.Do("CONFIG", "SET", "list-compress-depth", "0")
	p.H.E.Set.ListMaxListpackSize = -2
	p.H.E.Set.ListCompressDepth = 0
	big := []string{"RPUSH", "big"}
	for i := 0; i < 2000; i++ {
		big = append(big, strconv.Itoa((i*7919)%2000))
	}
	p.Check(big)
	p.Run(`
SORT big STORE bigdst
MEMORY USAGE bigdst SAMPLES 0
LRANGE bigdst 0 5
LRANGE bigdst -5 -1
SORT big DESC LIMIT 100 10
SORT big ALPHA LIMIT 1990 100
SORT big BY nosort LIMIT 1000 3 DESC
SORT big BY nosort LIMIT 1000 3
SORT big GET # GET nokey_* LIMIT 10 2 STORE bigdst
LRANGE bigdst 0 -1
SET s v
EXPIRE s 100
SORT l STORE s
TTL s
TYPE s
HSET hh a b
SORT l STORE hh
TYPE hh
SORT nokey STORE hh
EXISTS hh
`)
}

func TestSortWatchAgainstRedis(t *testing.T) {
	p := newPair(t)
	q := p.NewClient()
	for _, tc := range []struct{ setup, cmd string }{
		{"RPUSH l 1 2", "SORT l STORE dst"},
		{"RPUSH l 1 2", "SORT nokey STORE dst"},
		{"RPUSH l 1 2\nRPUSH dst x", "SORT nokey STORE dst"},
		{"RPUSH l 1 2", "SORT l"},
		{"ZADD dst 1 a 2 b", "SORT dst"},
	} {
		p.Run("FLUSHALL\n" + tc.setup + "\nWATCH dst")
		q.Run(tc.cmd)
		p.Run("MULTI\nDBSIZE\nEXEC")
	}
}

func TestSortRESP3AgainstRedis(t *testing.T) {
	p := newPair(t)
	p.SetProto(3)
	p.Run(`
RPUSH l 2 1 3
SET o_1 one
SORT l GET o_* GET #
SORT l STORE dst
SORT nokey
SORT l BY nosort LIMIT 1 1
SORT l GET o_* LIMIT 0 0
`)
}

// TestSortStatsAgainstRedis: the sorted key and every BY/GET key is read with
// lookupKeyRead (keyspace hits and misses).
func TestSortStatsAgainstRedis(t *testing.T) {
	p := newPair(t)
	p.Run(`
RPUSH l 1 2 3
SET w_1 5
SET o_2 x
HSET h_3 f 1
`)
	p.O.Do("CONFIG", "RESETSTAT")
	p.H.E.Stats = engine.Stats{}
	p.Run(`
SORT l
SORT nokey
SORT l BY w_* GET o_* GET # GET h_*->f
SORT l BY w_* GET o_* STORE dst
SORT l BY nosort GET nostar
SORT_RO l BY h_*->f
`)
	info := string(p.O.Do("INFO", "stats").Str)
	for _, f := range []struct {
		name string
		got  int64
	}{{"keyspace_hits", p.H.E.Stats.KeyspaceHits}, {"keyspace_misses", p.H.E.Stats.KeyspaceMisses}} {
		i := strings.Index(info, f.name+":")
		require.GreaterOrEqual(t, i, 0)
		line := info[i+len(f.name)+1:]
		line = line[:strings.IndexByte(line, '\r')]
		require.Equal(t, line, strconv.FormatInt(f.got, 10), f.name)
	}
}
