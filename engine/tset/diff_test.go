package tset_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/engine/tset"
	"github.com/redisctl/redisctl/engine/tstring"
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
MEMORY USAGE h SAMPLES 0
MEMORY USAGE h
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

// TestSetEncodingThresholdsAgainstRedis walks the intset limit (512 by default, then
// changed), the hashtable's growth and shrink, and MEMORY USAGE along the way. Members are
// chosen so every sds falls in one size class, which makes the SAMPLES 5 estimate exact.
func TestSetEncodingThresholdsAgainstRedis(t *testing.T) {
	p := newPair(t)
	mem := func(k string) string {
		return "MEMORY USAGE " + k + " SAMPLES 0\nMEMORY USAGE " + k + "\nOBJECT ENCODING " + k + "\nSCARD " + k + "\n"
	}
	var sc strings.Builder
	w := func(s string) { sc.WriteString(s); sc.WriteByte('\n') }
	// Exactly 512 integers stay an intset; the 513th converts (pre-sized: no rehash).
	w("SADD a " + seq("", 0, 512))
	w(mem("a"))
	w("SADD a 511")
	w(mem("a"))
	w("SADD a 512")
	w(mem("a"))
	// 512 integers plus a string: converted to 512 buckets, then the add grows (rehashing).
	w("SADD b " + seq("", 0, 512))
	w("SADD b x")
	w(mem("b"))
	w("SISMEMBER b 3")
	w(mem("b"))
	// One SADD with 600 integers converts in the middle.
	w("SADD c " + seq("", 100, 600))
	w(mem("c"))
	w("SMEMBERS c  #unordered")
	// Shrink: remove most members one by one and in batches.
	w("SREM c " + seq("", 100, 500))
	w(mem("c"))
	for i := 600; i < 690; i++ {
		w("SREM c " + strconv.Itoa(i))
	}
	w(mem("c"))
	// Hashtable from the start, growing through powers of two.
	for _, n := range []int{1, 4, 5, 8, 9, 16, 17, 100, 128, 129, 1000} {
		k := "h" + strconv.Itoa(n)
		w("SADD " + k + " " + seq("m", 100, n))
		w(mem(k))
	}
	// STORE results: intset until 512, converted beyond, mixed.
	w("SADD ia " + seq("", 0, 300))
	w("SADD ib " + seq("", 200, 400))
	w("SUNIONSTORE u ia ib")
	w(mem("u"))
	w("SUNIONSTORE u2 ia")
	w(mem("u2"))
	w("SINTERSTORE i ia ib")
	w(mem("i"))
	w("SINTERSTORE i2 c ia")
	w(mem("i2"))
	w("SINTERSTORE i3 a c")
	w(mem("i3"))
	w("SDIFFSTORE d ib ia")
	w(mem("d"))
	w("SDIFFSTORE d2 a ia")
	w(mem("d2"))
	w("SDIFFSTORE d3 c ib ia")
	w(mem("d3"))
	w("SDIFFSTORE d4 h1000 h100")
	w(mem("d4"))
	w("SDIFFSTORE d5 h100 h1000 ia ib")
	w("EXISTS d5")
	w("SUNIONSTORE u3 h100 ia")
	w(mem("u3"))
	w("SINTERSTORE i4 h1000 h128")
	w(mem("i4"))
	// COPY keeps the encoding (setTypeDup).
	w("COPY a acopy")
	w(mem("acopy"))
	w("COPY h1000 hcopy")
	w(mem("hcopy"))
	w("COPY b bcopy")
	w(mem("bcopy"))
	// SMOVE into a full intset converts the destination.
	w("SADD full " + seq("", 0, 512))
	w("SADD from 1000 x")
	w("SMOVE from full 1000")
	w(mem("full"))
	w(mem("from"))
	// SPOP of everything replies with the whole set in its order.
	w("SPOP ia 1000")
	w("EXISTS ia")
	p.Run(sc.String())

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
