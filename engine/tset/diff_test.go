package tset_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/engine/tset"
	"github.com/redisctl/redisctl/engine/tstring"
	"github.com/redisctl/redisctl/resp"
)

func newPair(t *testing.T) *enginetest.Pair {
	t.Helper()
	return enginetest.NewPair(t, tset.Commands(), tstring.Commands())
}

// setMaxIntset changes set-max-intset-entries on both sides.
func setMaxIntset(p *enginetest.Pair, n int) {
	p.H.E.Set.SetMaxIntsetEntries = n
	p.O.Do("CONFIG", "SET", "set-max-intset-entries", strconv.Itoa(n))
}

// seq returns "prefix0 prefix1 … prefix(n-1)" offset by from.
func seq(prefix string, from, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(prefix)
		b.WriteString(strconv.Itoa(from + i))
	}
	return b.String()
}

const basicScript = `
SADD s 3 1 2
SADD s 2 3 4
SCARD s
SMEMBERS s
OBJECT ENCODING s
MEMORY USAGE s SAMPLES 0
MEMORY USAGE s
SISMEMBER s 1
SISMEMBER s 5
SISMEMBER s a
SISMEMBER s 01
SISMEMBER nokey 1
SMISMEMBER s 1 5 a 4
SMISMEMBER nokey 1 2
SADD s 100000
OBJECT ENCODING s
MEMORY USAGE s SAMPLES 0
SMEMBERS s
SADD s -5000000000
SMEMBERS s
MEMORY USAGE s SAMPLES 0
SADD s 9223372036854775807 -9223372036854775808
SMEMBERS s
SADD s 9223372036854775808
OBJECT ENCODING s
SMEMBERS s  #unordered
SCARD s
MEMORY USAGE s SAMPLES 0
SREM s 1 2 nope 9223372036854775808
SMEMBERS s  #unordered
SREM s 3 4 100000 -5000000000 9223372036854775807 -9223372036854775808
EXISTS s
SADD h a
OBJECT ENCODING h
SADD h b c d e f
SADD h 1 2 3
OBJECT ENCODING h
SADD i 1 a
OBJECT ENCODING i
SADD i2 01
OBJECT ENCODING i2
SADD i3 -0
OBJECT ENCODING i3
SADD i4 " 1"
OBJECT ENCODING i4
SADD i5 "+1"
OBJECT ENCODING i5
SADD i6 ""
OBJECT ENCODING i6
SMEMBERS i6
MEMORY USAGE i6 SAMPLES 0
SADD i7 1 1 1 2
SCARD i7
SREM nokey a
SREM i7 3
SREM i7 1 2 3
EXISTS i7
SET str x
SADD str a
SREM str a
SCARD str
SISMEMBER str a
SMISMEMBER str a
SMEMBERS str
SADD
SADD s
SREM s
SCARD
SCARD a b
SISMEMBER s
SMISMEMBER s
SMEMBERS
SMEMBERS a b
`

const moveScript = `
SADD src 1 2 3
SADD dst 4
SMOVE src dst 1
SMEMBERS src
SMEMBERS dst
SMOVE src dst 9
SMOVE nokey dst 1
SMOVE src newdst 2
OBJECT ENCODING newdst
SMOVE src newdst2 3
EXISTS src
SMEMBERS newdst2
SADD src a b
SMOVE src newdst3 a
OBJECT ENCODING newdst3
SMOVE src dst b
OBJECT ENCODING dst
SMEMBERS dst  #unordered
SADD same 1 2
SMOVE same same 1
SMOVE same same 5
SMOVE nokey nokey 1
SET str x
SMOVE str dst 1
SMOVE dst str 1
SMOVE nokey str 1
SMOVE same str 5
SADD dup 4
SMOVE dst dup 4
SMEMBERS dup
SMOVE a b
SMOVE a b c d
`

const popScript = `
SPOP nokey
SPOP nokey 0
SPOP nokey 5
SPOP nokey -1
SPOP nokey x
SPOP s 1 2
SET str x
SPOP str
SPOP str 1
SPOP str 0
SPOP str -1
SADD one 7
SPOP one
EXISTS one
SADD one a
SPOP one
EXISTS one
SADD s 1 2 3
SPOP s 0
SPOP s 3
EXISTS s
SADD s 1 2 3
SPOP s 4
EXISTS s
SADD s a b c
SPOP s 100  #unordered
EXISTS s
SADD s 1 2 3 4 5 6 7 8 9 10
SPOP s 1  #type
SCARD s
SPOP s 2  #type
SCARD s
SPOP s 6  #type
SCARD s
OBJECT ENCODING s
SPOP s 9223372036854775807  #type
EXISTS s
SRANDMEMBER nokey
SRANDMEMBER nokey 0
SRANDMEMBER nokey 5
SRANDMEMBER nokey -5
SRANDMEMBER nokey x
SRANDMEMBER nokey -9223372036854775808
SRANDMEMBER str
SRANDMEMBER str 1
SRANDMEMBER str x
SRANDMEMBER s 1 2
SADD r 1 2 3
SRANDMEMBER r 0
SRANDMEMBER r 3
SRANDMEMBER r 5
SRANDMEMBER r 1  #type
SRANDMEMBER r  #type
SRANDMEMBER r -1  #type
SRANDMEMBER r 2  #type
SRANDMEMBER r -9223372036854775808
SRANDMEMBER r 9223372036854775807
SADD rh a b c
SRANDMEMBER rh 3  #unordered
SRANDMEMBER rh 30  #unordered
`

const algebraScript = `
SADD a 1 2 3 4 5
SADD b 4 5 6 7
SADD c 5 7 9
SADD h x y 5 4
SINTER a
SINTER a b
SINTER a b c
SINTER b a
SINTER a nokey
SINTER nokey a
SINTER a a
SINTER a h  #unordered
SINTER h a  #unordered
SINTERCARD 1 a
SINTERCARD 2 a b
SINTERCARD 3 a b c
SINTERCARD 2 a b LIMIT 1
SINTERCARD 2 a b LIMIT 0
SINTERCARD 2 a b LIMIT 10
SINTERCARD 2 a nokey
SINTERCARD 2 a b LIMIT -1
SINTERCARD 2 a b LIMIT x
SINTERCARD 2 a b LIMIT
SINTERCARD 2 a b FOO 1
SINTERCARD 2 a b LIMIT 1 LIMIT 2
SINTERCARD 0 a
SINTERCARD -1 a
SINTERCARD x a
SINTERCARD 3 a b
SINTERCARD 1 a b
SINTERCARD 9223372036854775807 a
SINTERSTORE d a b
SMEMBERS d
OBJECT ENCODING d
SINTERSTORE d a h
OBJECT ENCODING d
SMEMBERS d
SINTERSTORE d a nokey
EXISTS d
SINTERSTORE d a b
SINTERSTORE d b c a
SMEMBERS d
SINTERSTORE d a
SMEMBERS d
SINTERSTORE d d b
SMEMBERS d
SINTERSTORE nokey2 nokey a
EXISTS nokey2
SADD disjoint 100
SINTERSTORE d a disjoint
EXISTS d
SUNION a b
SUNION a b c
SUNION a nokey
SUNION nokey
SUNION nokey nokey2
SUNION a h  #unordered
SUNIONSTORE u a b c
SMEMBERS u
OBJECT ENCODING u
SUNIONSTORE u a h
OBJECT ENCODING u
SMEMBERS u  #unordered
SUNIONSTORE u nokey
EXISTS u
SUNIONSTORE u u
SDIFF a b
SDIFF a b c
SDIFF a nokey
SDIFF nokey a
SDIFF a a
SDIFF a nokey a
SDIFF b a
SDIFF h a  #unordered
SDIFF a h
SDIFFSTORE df a b
SMEMBERS df
SDIFFSTORE df a a
EXISTS df
SDIFFSTORE df h a
OBJECT ENCODING df
SMEMBERS df  #unordered
SDIFFSTORE df df df
EXISTS df
SET str x
SINTER a str
SINTER str a
SINTER nokey str
SINTERSTORE str a b
TYPE str
SINTERSTORE d str
SINTERSTORE d nokey str
SINTERCARD 2 nokey str
SUNION a str
SUNION nokey str
SUNIONSTORE d a str
SDIFF a str
SDIFF nokey str
SDIFFSTORE d a str
SET str x
SUNIONSTORE str a
TYPE str
SET str x
SDIFFSTORE str a
TYPE str
SINTER
SINTERSTORE d
SUNIONSTORE d
SDIFFSTORE d
SINTERCARD 1
`

const scanScript = `
SADD s 1 2 3 10 20
SADD hs1 member
SSCAN hs1 0 COUNT 2147483647
SSCAN s 0
SSCAN s 0 COUNT 1
SSCAN s 5 COUNT 1
SSCAN s 0 MATCH 1*
SSCAN s 0 MATCH * COUNT 100
SSCAN s 0 COUNT 0
SSCAN s 0 COUNT -1
SSCAN s 0 COUNT x
SSCAN s 0 TYPE set
SSCAN s 0 MATCH
SSCAN s 0 FOO bar
SSCAN s x
SSCAN s -1
SSCAN s 18446744073709551616
SSCAN nokey 0
SSCAN nokey 0 COUNT 0
SSCAN nokey x
SADD h a b c ab
SET str x
SSCAN str 0
SSCAN str x
SSCAN str 0 COUNT 0
SSCAN
SSCAN s
`

func TestSetsAgainstRedis(t *testing.T) {
	for _, tc := range []struct{ name, script string }{
		{"basic", basicScript},
		{"move", moveScript},
		{"pop", popScript},
		{"algebra", algebraScript},
		{"scan", scanScript},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newPair(t)
			p.Run(tc.script)
			p.Run("FLUSHALL")
			p.SetProto(3)
			p.Run(tc.script)
		})
	}
}

// settle finishes any incremental rehash of key's hashtable on both sides: every lookup
// moves at least one bucket (or skips ten empty ones), so n lookups finish a table of n
// buckets. How many steps a rehash takes depends on where the hash puts the members, which
// differs between Redis and us, so MEMORY USAGE is compared on settled tables except where
// both sides are provably still mid-rehash.
func settle(p *enginetest.Pair, key string, n int) {
	for range n {
		p.O.Do("SISMEMBER", key, "__settle__")
		p.H.Do("SISMEMBER", key, "__settle__")
	}
}

// TestSetEncodingThresholdsAgainstRedis walks the intset limit (512 by default, then
// changed), the hashtable's growth and shrink, and MEMORY USAGE along the way. Members are
// chosen so every sds falls in one size class, which makes the SAMPLES 5 estimate exact.
func TestSetEncodingThresholdsAgainstRedis(t *testing.T) {
	p := newPair(t)
	mem := func(k string) string {
		return "MEMORY USAGE " + k + " SAMPLES 0\nMEMORY USAGE " + k + "\nOBJECT ENCODING " + k + "\nSCARD " + k + "\n"
	}
	run := func(lines ...string) { p.Run(strings.Join(lines, "\n")) }
	settled := func(k string, n int) {
		settle(p, k, n)
		p.Run(mem(k))
	}
	// Exactly 512 integers stay an intset; the 513th converts (pre-sized: no rehash).
	run("SADD a "+seq("", 0, 512), mem("a"), "SADD a 511", mem("a"), "SADD a 512", mem("a"))
	// 512 integers plus a string: converted to 512 buckets, then the add starts a grow to
	// 1024 that one more step cannot finish: both sides are mid-rehash (1536 buckets).
	run("SADD b "+seq("", 0, 512), "SADD b x", mem("b"), "SISMEMBER b 3", mem("b"))
	settled("b", 600)
	// One SADD with 600 integers converts in the middle.
	run("SADD c "+seq("", 100, 600), "SMEMBERS c  #unordered")
	settled("c", 600)
	// Shrink: the 498th removal starts 1024 -> 128, two more steps cannot finish it.
	run("SREM c "+seq("", 100, 500), mem("c"))
	settled("c", 1100)
	for i := 600; i < 688; i++ {
		run("SREM c " + strconv.Itoa(i))
	}
	// The last removal, leaving 12 members, started 128 -> 16: both sides are mid-rehash.
	run(mem("c"))
	settled("c", 200)
	// Hashtable from the start, growing through powers of two.
	for _, n := range []int{1, 4, 5, 8, 9, 16, 17, 100, 128, 129, 1000} {
		k := "h" + strconv.Itoa(n)
		run("SADD " + k + " " + seq("m", 100, n))
		settled(k, 600)
	}
	// STORE results: intset until 512, converted beyond, mixed.
	run("SADD ia "+seq("", 0, 300), "SADD ib "+seq("", 200, 400))
	for _, c := range []struct{ cmd, key string }{
		{"SUNIONSTORE u ia ib", "u"}, {"SUNIONSTORE u2 ia", "u2"}, {"SINTERSTORE i ia ib", "i"},
		{"SINTERSTORE i2 c ia", "i2"}, {"SINTERSTORE i3 a c", "i3"}, {"SDIFFSTORE d ib ia", "d"},
		{"SDIFFSTORE d2 a ia", "d2"}, {"SDIFFSTORE d3 c ib ia", "d3"}, {"SDIFFSTORE d4 h1000 h100", "d4"},
		{"SUNIONSTORE u3 h100 ia", "u3"}, {"SINTERSTORE i4 h1000 h128", "i4"},
	} {
		run(c.cmd)
		settled(c.key, 1100)
	}
	run("SDIFFSTORE d5 h100 h1000 ia ib", "EXISTS d5")
	// COPY keeps the encoding and makes a table pre-sized to the size (setTypeDup).
	run("COPY a acopy", mem("acopy"), "COPY h1000 hcopy", mem("hcopy"), "COPY b bcopy", mem("bcopy"))
	// SMOVE into a full intset converts the destination (pre-sized to 513: no rehash).
	run("SADD full "+seq("", 0, 512), "SADD from 1000 x", "SMOVE from full 1000", mem("full"), mem("from"))
	// SPOP of everything replies with the whole set in its order.
	run("SPOP ia 1000", "EXISTS ia")

	// A lower limit, and a limit of 0 (an intset converts at its first member).
	setMaxIntset(p, 3)
	p.Run(`
SADD l 1 2 3
OBJECT ENCODING l
SADD l 4
OBJECT ENCODING l
MEMORY USAGE l SAMPLES 0
SADD l2 1 2
SADD l2 3
OBJECT ENCODING l2
SADD l3 5 6 7 8
OBJECT ENCODING l3
SUNIONSTORE l4 l2
OBJECT ENCODING l4
SADD l5 1
SADD l6 2
SUNIONSTORE l7 l5 l6 l2
OBJECT ENCODING l7
SMEMBERS l7  #unordered
`)
	setMaxIntset(p, 0)
	p.Run(`
SADD z 1
OBJECT ENCODING z
MEMORY USAGE z SAMPLES 0
SINTERSTORE z2 z
OBJECT ENCODING z2
`)
	setMaxIntset(p, 512)
}

// TestSetWatchAgainstRedis: a command that changes a set makes a WATCHing EXEC fail; one
// that changes nothing does not.
func TestSetWatchAgainstRedis(t *testing.T) {
	p := newPair(t)
	p.Run(`
SADD s 1 2 3
SADD other x
SET str v
`)
	for _, cmd := range []string{
		"SADD s 1", "SADD s 4", "SREM s 9", "SREM s 1", "SMOVE s other 9", "SMOVE s other 2",
		"SMOVE other s x", "SMOVE other s 3", "SPOP s 0", "SPOP s", "SPOP s 1", "SPOP nokey",
		"SCARD s", "SMEMBERS s", "SINTERSTORE s s other", "SINTERSTORE s nokey", "SUNIONSTORE s other",
		"SDIFFSTORE s s", "SDIFFSTORE s nokey", "SPOP s 100", "SRANDMEMBER s 5", "SADD str x",
	} {
		p.Run(`
DEL s other
SADD s 1 2 3
SADD other x 3
WATCH s other
` + cmd + `  #type
MULTI
EXISTS other
EXEC
`)
	}
}

// TestSetScanAgainstRedis: a full SSCAN of a hashtable, page by page with small COUNTs,
// returns every member at least once on both sides (cursors differ: the hash differs).
func TestSetScanAgainstRedis(t *testing.T) {
	p := newPair(t)
	p.Run("SADD big " + seq("m", 0, 1000))
	p.Run("SADD mixed " + seq("", 0, 100) + " a b c")
	for _, key := range []string{"big", "mixed"} {
		for _, opts := range [][]string{nil, {"COUNT", "3"}, {"COUNT", "50", "MATCH", "*1*"}, {"MATCH", "m99*"}} {
			want := fullScan(t, p.O, key, opts)
			got := fullScan(t, p.H, key, opts)
			if !slices.Equal(want, got) {
				t.Errorf("SSCAN %s %v: redis %d members, redisctl %d", key, opts, len(want), len(got))
			}
		}
	}
}

type doer interface {
	Do(args ...string) resp.Value
}

// fullScan runs SSCAN until the cursor returns to 0 and returns the distinct members,
// sorted.
func fullScan(t *testing.T, d doer, key string, opts []string) []string {
	t.Helper()
	seen := map[string]bool{}
	cursor := "0"
	for i := 0; ; i++ {
		if i > 10000 {
			t.Fatal("SSCAN does not terminate")
		}
		v := d.Do(append([]string{"SSCAN", key, cursor}, opts...)...)
		if len(v.Elems) != 2 {
			t.Fatalf("SSCAN reply %s", v)
		}
		for _, e := range v.Elems[1].Elems {
			seen[string(e.Str)] = true
		}
		cursor = string(v.Elems[0].Str)
		if cursor == "0" {
			break
		}
	}
	out := make([]string, 0, len(seen))
	for m := range seen {
		out = append(out, m)
	}
	slices.Sort(out)
	return out
}
