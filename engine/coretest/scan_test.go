package coretest

import (
	"slices"
	"strconv"
	"testing"

	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/resp"
	"github.com/stretchr/testify/require"
)

func TestKeysAgainstRedis(t *testing.T) {
	p := newPair(t)
	p.Run(`
KEYS *
RANDOMKEY
MSET foo 1 fao 2 fbo 3 f*o 4 f?o 5 "f\\o" 6 "f[o" 7 "f]o" 8 fo 9 foo2 10 FOO 11 "" 12 f-o 13 "f^o" 14 a 15
KEYS *  #unordered
KEYS f*  #unordered
KEYS f?o  #unordered
KEYS f[ab]o  #unordered
KEYS f[^a]o  #unordered
KEYS f[a-b]o  #unordered
KEYS f[b-a]o  #unordered
KEYS f[*]o  #unordered
KEYS "f\\*o"  #unordered
KEYS "f\\?o"  #unordered
KEYS "f\\\\o"  #unordered
KEYS "f[\\]]o"  #unordered
KEYS "f[\\[]o"  #unordered
KEYS f[o  #unordered
KEYS f[  #unordered
KEYS "f["  #unordered
KEYS "f\\"  #unordered
KEYS "*\\"  #unordered
KEYS f[-]o  #unordered
KEYS "f[a-]o"  #unordered
KEYS "f[^]o"  #unordered
KEYS "f[^"  #unordered
KEYS ""
KEYS ?  #unordered
KEYS ??  #unordered
KEYS foo
KEYS FOO
KEYS fo*  #unordered
KEYS *o  #unordered
KEYS **o*  #unordered
KEYS *[*  #unordered
KEYS f[a-z  #unordered
KEYS [  #unordered
KEYS [[]  #unordered
KEYS [^]]  #unordered
KEYS f[]]o  #unordered
KEYS "f[^\\]]o"  #unordered
KEYS
KEYS a b
RANDOMKEY  #type
DBSIZE
FLUSHDB
RANDOMKEY
DBSIZE
`)
	// Long patterns with many stars (Redis cuts the recursion off).
	p.Check([]string{"SET", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "1"})
	p.Check([]string{"KEYS", "a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b"})
	p.Check([]string{"KEYS", "a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a"})
}

func TestScanAgainstRedis(t *testing.T) {
	p := newPair(t)
	p.Run(`
SCAN 0
SCAN 0 COUNT 10
SCAN abc
SCAN -1
SCAN 1.5
SCAN " 1"
SCAN "1 "
SCAN +0
SCAN 18446744073709551615
SCAN 18446744073709551616
SCAN 0 COUNT 0
SCAN 0 COUNT -1
SCAN 0 COUNT abc
SCAN 0 COUNT
SCAN 0 MATCH
SCAN 0 TYPE
SCAN 0 FOO bar
SCAN 0 MATCH * COUNT 5 TYPE string
SCAN 0 TYPE nosuchtype
SCAN 0 TYPE STRING
SCAN 0 COUNT 9223372036854775807
SCAN 0 COUNT 2147483648
SCAN
`)
	// Every key present for the whole scan comes back, whatever COUNT and filters.
	p.Check([]string{"FLUSHALL"})
	for i := 0; i < 500; i++ {
		k := strconv.Itoa(i)
		switch i % 5 {
		case 0:
			p.Check([]string{"SET", "s:" + k, k})
		case 1:
			p.Check([]string{"RPUSH", "l:" + k, k})
		case 2:
			p.Check([]string{"SADD", "t:" + k, k})
		case 3:
			p.Check([]string{"ZADD", "z:" + k, "1", k})
		default:
			p.Check([]string{"HSET", "h:" + k, "f", k})
		}
	}
	for _, opts := range [][]string{nil, {"COUNT", "1"}, {"COUNT", "7"}, {"COUNT", "1000"},
		{"MATCH", "s:*"}, {"MATCH", "*1*", "COUNT", "3"}, {"TYPE", "zset"}, {"TYPE", "hash", "COUNT", "20"},
		{"TYPE", "string", "MATCH", "s:1*"}, {"TYPE", "list"}, {"TYPE", "set"}, {"TYPE", "stream"}} {
		want := fullScan(t, p.O, opts)
		got := fullScan(t, p.H, opts)
		require.Equal(t, want, got, "SCAN %v", opts)
	}
	// The DB's size and the KEYS multiset agree too.
	p.Check([]string{"DBSIZE"})
	p.Check([]string{"KEYS", "*1*"}, enginetest.Unordered)
}

type doer interface {
	Do(args ...string) resp.Value
}

// fullScan iterates SCAN to the end and returns the distinct keys, sorted.
func fullScan(t *testing.T, d doer, opts []string) []string {
	t.Helper()
	seen := map[string]bool{}
	cursor := "0"
	for i := 0; ; i++ {
		require.Less(t, i, 100000, "SCAN does not terminate")
		v := d.Do(append([]string{"SCAN", cursor}, opts...)...)
		require.Len(t, v.Elems, 2, v.String())
		for _, e := range v.Elems[1].Elems {
			seen[string(e.Str)] = true
		}
		cursor = string(v.Elems[0].Str)
		if cursor == "0" {
			break
		}
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
