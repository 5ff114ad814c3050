package tzset_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/engine/tstring"
	"github.com/redisctl/redisctl/engine/tzset"
)

func newPair(t *testing.T) *enginetest.Pair {
	t.Helper()
	return enginetest.NewPair(t, tzset.Commands(), tstring.Commands())
}

// setConfig changes a zset threshold on both sides (the harness has no CONFIG).
func setConfig(t *testing.T, p *enginetest.Pair, name string, v int) {
	t.Helper()
	switch name {
	case "zset-max-listpack-entries":
		p.H.E.Set.ZSetMaxListpackEntries = v
	case "zset-max-listpack-value":
		p.H.E.Set.ZSetMaxListpackValue = v
	default:
		t.Fatalf("unknown config %s", name)
	}
	if r := p.O.Do("CONFIG", "SET", name, strconv.Itoa(v)); r.String() != "OK" {
		t.Fatalf("CONFIG SET %s: %s", name, r.String())
	}
}

// zaddArgs builds "ZADD key s1 m1 s2 m2 …" for n members named prefix+i with score i.
func zaddLine(key string, from, to int, prefix string) string {
	var b strings.Builder
	b.WriteString("ZADD " + key)
	for i := from; i <= to; i++ {
		fmt.Fprintf(&b, " %d %s%d", i, prefix, i)
	}
	return b.String()
}

func TestCoreAgainstRedis(t *testing.T) {
	p := newPair(t)
	p.Run(`
ZADD z 1 a 2 b 3 c
ZADD z 1.5 d -2 e 0.1 f 1e20 g -inf h +inf i 4611686018427387904 j 4611686018427387905 k -0 l
OBJECT ENCODING z
ZRANGE z 0 -1 WITHSCORES
ZCARD z
ZSCORE z a
ZSCORE z f
ZSCORE z h
ZSCORE z i
ZSCORE z l
ZSCORE z missing
ZSCORE nokey a
ZRANK z a
ZRANK z h
ZRANK z i
ZRANK z missing
ZREVRANK z a
ZREVRANK z i
ZRANK nokey a
MEMORY USAGE z
MEMORY USAGE z SAMPLES 0
ZADD z 5 a
ZADD z CH 5 a 6 b 7 new
ZADD z NX 100 a 100 nx1
ZADD z XX 200 a 200 xx1
ZADD z XX CH 200 a 300 b
ZADD z GT 1 a 400 b
ZADD z LT 1 a 400 b
ZADD z GT CH 1 a 500 b
ZADD z NX XX 1 a
ZADD z NX GT 1 a
ZADD z NX LT 1 a
ZADD z GT LT 1 a
ZADD z XX GT 1000 a
ZADD z INCR 1 a 2 b
ZADD z INCR 10 a
ZADD z INCR NX 10 a
ZADD z INCR XX 10 nope
ZADD z INCR GT -100 a
ZADD z INCR LT -100 a
ZADD z 1
ZADD z 1 a 2
ZADD z
ZADD z nx
ZADD z x a
ZADD z 1 a x b
ZADD z nan a
ZADD z inf a
ZADD z " 1" a
ZADD z "1 " a
ZADD z 0x10 hex
ZADD z 1e400 a
ZADD z 1e-400 a
ZADD z 4.9e-324 denorm
ZSCORE z hex
ZSCORE z denorm
ZADD z INCR -inf i
ZADD z INCR +inf h
ZADD z INCR inf i
ZINCRBY z 1 a
ZINCRBY z 1.5 newmember
ZINCRBY z x a
ZINCRBY z -inf i
ZINCRBY z 1 a b
ZRANGE z 0 -1 WITHSCORES
ZREM z a b nothere
ZREM z nothere
ZREM nokey a
ZRANGE z 0 -1
SET str v
ZADD str 1 a
ZADD str x a
ZADD str 1 a 2
ZSCORE str a
ZCARD str
ZRANK str a
ZREM str a
ZRANGE str 0 -1
ZINCRBY str 1 a
ZADD xxnew XX 1 a
EXISTS xxnew
ZADD xxnew XX INCR 1 a
ZADD xxnew NX INCR 1 a
ZADD xxnew GT CH INCR 1 b
ZREM xxnew a b
EXISTS xxnew
ZADD e 1 ""
ZSCORE e ""
ZRANK e ""
ZADD e 2 "" 1 x
ZRANGE e 0 -1 WITHSCORES
ZADD ints 1 100 2 -5 3 9223372036854775807 3 9223372036854775808 3 012 3 -0
ZRANGE ints 0 -1 WITHSCORES
ZSCORE ints 100
ZSCORE ints 012
ZRANK ints -0
MEMORY USAGE ints
`)
	p.SetProto(3)
	p.Run(`
ZSCORE z c
ZSCORE z missing
ZSCORE nokey a
ZRANK nokey a
ZADD z INCR 1 c
ZADD z XX INCR 1 nope
ZRANGE z 0 -1 WITHSCORES
ZRANGE z 0 2
ZSCORE z i
ZSCORE z h
`)
}

func TestEncodingThresholds(t *testing.T) {
	p := newPair(t)
	long64 := strings.Repeat("x", 64)
	long65 := strings.Repeat("y", 65)
	p.Run(zaddLine("z", 1, 128, "m"))
	p.Run(`
OBJECT ENCODING z
MEMORY USAGE z
ZADD z 129 m129
OBJECT ENCODING z
ZCARD z
ZRANGE z 0 5 WITHSCORES
ZRANGE z -3 -1 WITHSCORES
ZRANK z m77
ZREVRANK z m77
ZSCORE z m100
ZREM z m129
OBJECT ENCODING z
ZADD v 1 ` + long64 + `
OBJECT ENCODING v
ZADD v 2 ` + long65 + `
OBJECT ENCODING v
ZADD w 1 ` + long65 + `
OBJECT ENCODING w
ZADD w2 1 a 2 ` + long65 + `
OBJECT ENCODING w2
ZRANGE w2 0 -1 WITHSCORES
`)
	p.Run(zaddLine("big", 1, 129, "m"))
	p.Run(`
OBJECT ENCODING big
ZADD xxbig XX 1 a
`)
	setConfig(t, p, "zset-max-listpack-entries", 0)
	p.Run(`
ZADD zero 1 a
OBJECT ENCODING zero
`)
	setConfig(t, p, "zset-max-listpack-entries", 128)
	setConfig(t, p, "zset-max-listpack-value", 0)
	p.Run(`
ZADD zv 1 a
OBJECT ENCODING zv
ZADD zv2 1 ""
OBJECT ENCODING zv2
ZADD zv2 2 a
OBJECT ENCODING zv2
`)
	setConfig(t, p, "zset-max-listpack-value", 64)
}

func TestRangeAgainstRedis(t *testing.T) {
	p := newPair(t)
	setup := `
ZADD z 1 a 2 b 3 c 4 d 5 e 6 f 7 g 8 h 9 i 10 j
ZADD lex 0 a 0 b 0 c 0 d 0 e 0 f 0 g 0 aa 0 ab 0 "" 0 z 0 zz 0 100 0 -5
`
	checks := `
ZRANGE z 0 -1
ZRANGE z 0 -1 WITHSCORES
ZRANGE z 2 4 WITHSCORES
ZRANGE z -3 -1
ZRANGE z -100 100
ZRANGE z 5 2
ZRANGE z 10 20
ZRANGE z -1 -5
ZRANGE z 0 0
ZRANGE z 0 -11
ZRANGE z 0 -10
ZRANGE z 9223372036854775807 -9223372036854775808
ZRANGE z -9223372036854775808 9223372036854775807
ZRANGE z x 1
ZRANGE z 1 x
ZRANGE z 0 -1 REV
ZRANGE z 0 2 REV WITHSCORES
ZRANGE z -2 -1 REV
ZRANGE z 0 -1 LIMIT 0 1
ZRANGE z 0 -1 BYSCORE LIMIT 1 2
ZRANGE z 0 -1 BYSCORE
ZRANGE z -inf +inf BYSCORE
ZRANGE z -inf +inf BYSCORE WITHSCORES
ZRANGE z (1 (5 BYSCORE
ZRANGE z (1 5 BYSCORE
ZRANGE z 1 (5 BYSCORE
ZRANGE z 5 1 BYSCORE
ZRANGE z 5 1 BYSCORE REV
ZRANGE z (5 (1 BYSCORE REV WITHSCORES
ZRANGE z +inf -inf BYSCORE REV LIMIT 2 3
ZRANGE z -inf +inf BYSCORE LIMIT 2 -1
ZRANGE z -inf +inf BYSCORE LIMIT -1 3
ZRANGE z -inf +inf BYSCORE LIMIT 0 0
ZRANGE z -inf +inf BYSCORE LIMIT 100 1
ZRANGE z -inf +inf BYSCORE LIMIT 9 1
ZRANGE z -inf +inf BYSCORE LIMIT 10 1
ZRANGE z -inf +inf BYSCORE LIMIT x 1
ZRANGE z -inf +inf BYSCORE LIMIT 1
ZRANGE z -inf +inf BYSCORE LIMIT
ZRANGE z a b BYSCORE
ZRANGE z ( ( BYSCORE
ZRANGE z ( 5 BYSCORE
ZRANGE z "" 5 BYSCORE
ZRANGE z " 1" " 3" BYSCORE
ZRANGE z "1 " 3 BYSCORE
ZRANGE z nan 3 BYSCORE
ZRANGE z (nan 3 BYSCORE
ZRANGE z 0x2 0x4 BYSCORE
ZRANGE z 1e0 3E0 BYSCORE
ZRANGE z -1e400 1e400 BYSCORE
ZRANGE z 3 3 BYSCORE
ZRANGE z (3 3 BYSCORE
ZRANGE z -inf inf BYSCORE
ZRANGE z -INF +Infinity BYSCORE
ZRANGE z 0 -1 WITHSCORES WITHSCORES
ZRANGE z 0 -1 BYSCORE BYLEX
ZRANGE z 0 -1 BYLEX BYSCORE
ZRANGE z 0 -1 REV REV
ZRANGE z 0 -1 FOO
ZRANGE lex - + BYLEX
ZRANGE lex [a [c BYLEX
ZRANGE lex (a (c BYLEX
ZRANGE lex [a (c BYLEX
ZRANGE lex - (c BYLEX
ZRANGE lex [c + BYLEX
ZRANGE lex + - BYLEX
ZRANGE lex + - BYLEX REV
ZRANGE lex [c [a BYLEX REV
ZRANGE lex - + BYLEX LIMIT 2 3
ZRANGE lex + - BYLEX REV LIMIT 2 3
ZRANGE lex - + BYLEX LIMIT -1 3
ZRANGE lex - + BYLEX LIMIT 0 -1
ZRANGE lex - + BYLEX WITHSCORES
ZRANGE lex a c BYLEX
ZRANGE lex [a c BYLEX
ZRANGE lex -a + BYLEX
ZRANGE lex "" + BYLEX
ZRANGE lex [ + BYLEX
ZRANGE lex ( + BYLEX
ZRANGE lex - [ BYLEX
ZRANGE lex - ( BYLEX
ZRANGE lex [100 [a BYLEX
ZRANGE lex - - BYLEX
ZRANGE lex + + BYLEX
ZRANGE lex [a [a BYLEX
ZRANGE lex (a [a BYLEX
ZRANGE lex [b [a BYLEX
ZRANGE nokey 0 -1
ZRANGE nokey 0 -1 BYSCORE
ZRANGE nokey x y
ZRANGE nokey 0 1 BYSCORE WITHSCORES LIMIT 0 1
ZREVRANGE z 0 -1
ZREVRANGE z 0 2 WITHSCORES
ZREVRANGE z 0 2 REV
ZREVRANGE z 0 2 BYSCORE
ZREVRANGE z 0 2 LIMIT 0 1
ZRANGEBYSCORE z 2 5
ZRANGEBYSCORE z 2 5 WITHSCORES
ZRANGEBYSCORE z 2 5 LIMIT 1 2
ZRANGEBYSCORE z 2 5 WITHSCORES LIMIT 1 2
ZRANGEBYSCORE z -inf +inf LIMIT 1 -5
ZRANGEBYSCORE z 5 2
ZRANGEBYSCORE z 2 5 REV
ZRANGEBYSCORE z 2 5 BYSCORE
ZRANGEBYSCORE z 2 5 BYLEX
ZREVRANGEBYSCORE z 5 2
ZREVRANGEBYSCORE z 5 2 WITHSCORES LIMIT 1 2
ZREVRANGEBYSCORE z (5 (2
ZREVRANGEBYSCORE z 2 5
ZRANGEBYLEX lex [a [c
ZRANGEBYLEX lex - + LIMIT 1 3
ZRANGEBYLEX lex - + WITHSCORES
ZRANGEBYLEX lex a c
ZREVRANGEBYLEX lex [c [a
ZREVRANGEBYLEX lex + - LIMIT 0 4
ZREVRANGEBYLEX lex [a [c
ZRANGEBYLEX nokey - +
ZRANGEBYSCORE nokey 0 1
ZRANGEBYSCORE nokey x 1
ZCOUNT z 2 5
ZCOUNT z (2 (5
ZCOUNT z -inf +inf
ZCOUNT z 5 2
ZCOUNT z 100 200
ZCOUNT z x 1
ZCOUNT nokey 0 1
ZCOUNT nokey x 1
ZLEXCOUNT lex - +
ZLEXCOUNT lex [a [c
ZLEXCOUNT lex (a (c
ZLEXCOUNT lex [c [a
ZLEXCOUNT lex a c
ZLEXCOUNT nokey - +
ZLEXCOUNT nokey a b
`
	p.Run(setup)
	p.Run(checks)
	p.Run(`
SET str v
ZRANGE str 0 -1
ZRANGE str 0 -1 BYSCORE
ZRANGE str x -1
ZRANGEBYSCORE str x 1
ZCOUNT str 0 1
ZCOUNT str x 1
ZLEXCOUNT str - +
ZREVRANGEBYLEX str + -
`)
	p.SetProto(3)
	p.Run(`
ZRANGE z 0 2 WITHSCORES
ZRANGE z 0 -1 BYSCORE WITHSCORES LIMIT 1 2
ZREVRANGEBYSCORE z +inf -inf WITHSCORES
ZRANGE nokey 0 -1 WITHSCORES
ZRANGE z 5 1 WITHSCORES
`)
	p.SetProto(2)
	// The same checks on skiplist encodings (members and scores beyond the thresholds).
	p.Run("DEL z lex")
	setConfig(t, p, "zset-max-listpack-entries", 0)
	p.Run(setup)
	p.Run("OBJECT ENCODING z\nOBJECT ENCODING lex")
	p.Run(checks)
	p.SetProto(3)
	p.Run(`
ZRANGE z 0 2 WITHSCORES
ZRANGE z 0 -1 BYSCORE WITHSCORES LIMIT 1 2
ZREVRANGEBYSCORE z +inf -inf WITHSCORES
`)
}
