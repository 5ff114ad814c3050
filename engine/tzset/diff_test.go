package tzset_test

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/engine/tset"
	"github.com/redisctl/redisctl/engine/tstring"
	"github.com/redisctl/redisctl/engine/tzset"
	"github.com/redisctl/redisctl/resp"
	"github.com/stretchr/testify/require"
)

func newPair(t *testing.T) *enginetest.Pair {
	t.Helper()
	return enginetest.NewPair(t, tzset.Commands(), tstring.Commands())
}

func newPairWithSets(t *testing.T) *enginetest.Pair {
	t.Helper()
	return enginetest.NewPair(t, tzset.Commands(), tstring.Commands(), tset.Commands())
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

func TestRemoveAndStoreAgainstRedis(t *testing.T) {
	p := newPair(t)
	for _, enc := range []int{128, 0} {
		setConfig(t, p, "zset-max-listpack-entries", enc)
		p.Run(`
FLUSHALL
ZADD z 1 a 2 b 3 c 4 d 5 e 6 f 7 g 8 h 9 i 10 j
ZREMRANGEBYRANK z 0 0
ZREMRANGEBYRANK z -2 -1
ZREMRANGEBYRANK z 5 2
ZREMRANGEBYRANK z 100 200
ZREMRANGEBYRANK z -100 0
ZREMRANGEBYRANK z x 1
ZREMRANGEBYRANK z 1 x
ZREMRANGEBYRANK nokey 0 -1
ZRANGE z 0 -1 WITHSCORES
ZREMRANGEBYSCORE z (4 6
ZREMRANGEBYSCORE z 100 200
ZREMRANGEBYSCORE z x 1
ZREMRANGEBYSCORE nokey 0 1
ZRANGE z 0 -1 WITHSCORES
ZREMRANGEBYRANK z 0 -1
EXISTS z
ZADD lex 0 a 0 b 0 c 0 d 0 e
ZREMRANGEBYLEX lex [b (d
ZREMRANGEBYLEX lex a b
ZREMRANGEBYLEX lex (z +
ZREMRANGEBYLEX nokey - +
ZRANGE lex 0 -1
ZREMRANGEBYLEX lex - +
EXISTS lex
ZADD s 1 a 2 b 3 c 4 d 5 e
ZREMRANGEBYSCORE s -inf +inf
EXISTS s
SET str x
ZREMRANGEBYRANK str 0 1
ZREMRANGEBYSCORE str 0 1
ZREMRANGEBYLEX str - +
ZREMRANGEBYSCORE str x 1
ZADD src 1 a 2 b 3 c 4 d 5 e 6 f
ZRANGESTORE dst src 0 -1
ZRANGE dst 0 -1 WITHSCORES
OBJECT ENCODING dst
ZRANGESTORE dst src 1 3 REV
ZRANGE dst 0 -1 WITHSCORES
ZRANGESTORE dst src 2 5 BYSCORE LIMIT 1 2
ZRANGE dst 0 -1 WITHSCORES
ZRANGESTORE dst src (5 -inf BYSCORE REV
ZRANGE dst 0 -1 WITHSCORES
ZRANGESTORE dst src [b [d BYLEX
ZRANGE dst 0 -1 WITHSCORES
ZRANGESTORE dst src 100 200
EXISTS dst
ZRANGESTORE dst src 0 -1
ZRANGESTORE dst nokey 0 -1
EXISTS dst
ZRANGESTORE dst src 0 -1 WITHSCORES
ZRANGESTORE dst src 0 -1 LIMIT 0 1
ZRANGESTORE dst src x 1
ZRANGESTORE dst str 0 -1
ZRANGESTORE str src 0 1
TYPE str
ZRANGE str 0 -1
ZRANGESTORE src src 1 2
ZRANGE src 0 -1 WITHSCORES
OBJECT ENCODING src
ZRANGESTORE dst src 0 -1 BYSCORE
`)
	}
	setConfig(t, p, "zset-max-listpack-entries", 128)
	p.Run("FLUSHALL")
	p.Run(zaddLine("big", 1, 200, "m"))
	p.Run(`
ZRANGESTORE d1 big 0 -1
OBJECT ENCODING d1
ZRANGESTORE d2 big 0 127
OBJECT ENCODING d2
ZRANGESTORE d3 big 0 128
OBJECT ENCODING d3
ZRANGESTORE d4 big -inf +inf BYSCORE LIMIT 0 128
OBJECT ENCODING d4
ZRANGESTORE d5 big -inf +inf BYSCORE LIMIT 0 129
OBJECT ENCODING d5
ZREMRANGEBYRANK big 0 99
OBJECT ENCODING big
ZREMRANGEBYSCORE big 150 160
ZCARD big
ZRANGE big 0 3 WITHSCORES
`)
}

func TestPopAgainstRedis(t *testing.T) {
	p := newPair(t)
	for _, enc := range []int{128, 0} {
		setConfig(t, p, "zset-max-listpack-entries", enc)
		p.Run(`
FLUSHALL
ZADD z 1 a 2 b 3 c 4 d 5 e 6 f 7 g 8 h 9 i 10 j
ZPOPMIN z
ZPOPMAX z
ZPOPMIN z 2
ZPOPMAX z 2
ZPOPMIN z 0
ZPOPMIN z -1
ZPOPMIN z x
ZPOPMIN z 1 2
ZPOPMIN nokey
ZPOPMIN nokey 5
ZPOPMIN nokey 0
ZPOPMIN nokey -1
ZPOPMAX z 100
EXISTS z
ZADD z 1 a 2 b 3 c
ZMPOP 1 z MIN
ZMPOP 1 z MAX COUNT 10
EXISTS z
ZMPOP 1 z MIN
ZADD z2 1 a 2 b 3 c
ZMPOP 2 z z2 MIN COUNT 2
ZMPOP 2 z z2 max COUNT 2
ZMPOP 0 z MIN
ZMPOP -1 z MIN
ZMPOP x z MIN
ZMPOP 1 z
ZMPOP 2 z MIN
ZMPOP 1 z FOO
ZMPOP 1 z MIN COUNT
ZMPOP 1 z MIN COUNT 0
ZMPOP 1 z MIN COUNT -1
ZMPOP 1 z MIN COUNT x
ZMPOP 1 z MIN COUNT 1 COUNT 1
ZMPOP 1 z MIN FOO 1
ZMPOP 9223372036854775807 z MIN
SET str x
ZPOPMIN str
ZPOPMAX str 0
ZMPOP 1 str MIN
ZADD z3 1 x
ZMPOP 2 z3 str MIN
ZMPOP 2 nokey str MIN
ZADD z4 1 x
ZMPOP 2 str z4 MIN
`)
		p.SetProto(3)
		p.Run(`
ZADD z 1 a 2 b 3 c 4 d
ZPOPMIN z
ZPOPMIN z 1
ZPOPMAX z 5
ZPOPMIN nokey
ZPOPMIN nokey 2
ZADD z 1 a 2 b 3 c 4 d
ZMPOP 1 z MIN COUNT 2
ZMPOP 1 nokey MIN
ZPOPMIN z 0
`)
		p.SetProto(2)
	}
}

func TestRandMemberAgainstRedis(t *testing.T) {
	p := newPair(t)
	for _, enc := range []int{128, 0} {
		setConfig(t, p, "zset-max-listpack-entries", enc)
		p.Run("FLUSHALL\nZADD one 5 a")
		p.Run(zaddLine("z", 1, 50, "m"))
		p.Run(`
ZRANDMEMBER one
ZRANDMEMBER one 1
ZRANDMEMBER one 1 WITHSCORES
ZRANDMEMBER one -3
ZRANDMEMBER one -3 WITHSCORES
ZRANDMEMBER one 5 WITHSCORES
ZRANDMEMBER z 0
ZRANDMEMBER z 0 WITHSCORES
ZRANDMEMBER z  #type
ZRANDMEMBER z 100 #unordered
ZRANDMEMBER z 100 WITHSCORES #pairs
ZRANDMEMBER z 50 WITHSCORES #pairs
ZRANDMEMBER nokey
ZRANDMEMBER nokey 5
ZRANDMEMBER nokey -5 WITHSCORES
ZRANDMEMBER z x
ZRANDMEMBER z 1 foo
ZRANDMEMBER z 1 WITHSCORES foo
ZRANDMEMBER nokey 1 foo
ZRANDMEMBER z -9223372036854775808
ZRANDMEMBER z 4611686018427387904 WITHSCORES
ZRANDMEMBER z -4611686018427387904 WITHSCORES
ZRANDMEMBER nokey -4611686018427387904 WITHSCORES
ZRANDMEMBER nokey -9223372036854775808 foo
SET str x
ZRANDMEMBER str
ZRANDMEMBER str 1
ZRANDMEMBER str 1 foo
`)
		// Random picks: check sizes, uniqueness and membership.
		for _, c := range []int{1, 3, 10, 17, 20, 40, 49, -1, -5, -60} {
			for _, ws := range []bool{false, true} {
				args := []string{"ZRANDMEMBER", "z", strconv.Itoa(c)}
				if ws {
					args = append(args, "WITHSCORES")
				}
				v := p.H.Do(args...)
				want := c
				if c < 0 {
					want = -c
				}
				step := 1
				if ws {
					step = 2
				}
				if len(v.Elems) != want*step {
					t.Fatalf("%v: %d elements, want %d", args, len(v.Elems), want*step)
				}
				seen := map[string]bool{}
				for i := 0; i < len(v.Elems); i += step {
					m := v.Elems[i].String()
					if c > 0 && seen[m] {
						t.Fatalf("%v: duplicate %s", args, m)
					}
					seen[m] = true
					if ws {
						want := `"` + strings.TrimPrefix(strings.Trim(m, `"`), "m") + `"`
						if v.Elems[i+1].String() != want {
							t.Fatalf("%v: %s scored %s", args, m, v.Elems[i+1].String())
						}
					}
				}
			}
		}
	}
}

func TestSetOpsAgainstRedis(t *testing.T) {
	p := newPairWithSets(t)
	setup := `
FLUSHALL
ZADD a 1 x 2 y 3 z 4 w
ZADD b 10 y 20 z 30 v -1 x
ZADD c 5 z 6 u
ZADD infs +inf p -inf q 1 r
ZADD ninfs -inf p +inf q 2 r
SADD si 1 2 3 4 100
SADD sh x y foo bar
SET str v
`
	checks := `
ZUNION 2 a b
ZUNION 2 a b WITHSCORES
ZUNION 3 a b c WITHSCORES
ZUNION 2 a b WEIGHTS 2 3 WITHSCORES
ZUNION 2 a b WEIGHTS 2 WITHSCORES
ZUNION 2 a b WEIGHTS 2 x WITHSCORES
ZUNION 2 a b WEIGHTS 2 nan WITHSCORES
ZUNION 2 a b WEIGHTS 2 inf WITHSCORES
ZUNION 2 a b WEIGHTS 0 -inf WITHSCORES
ZUNION 2 a b AGGREGATE MIN WITHSCORES
ZUNION 2 a b AGGREGATE MAX WITHSCORES
ZUNION 2 a b AGGREGATE SUM WITHSCORES
ZUNION 2 a b AGGREGATE AVG WITHSCORES
ZUNION 2 a b AGGREGATE
ZUNION 2 a b WITHSCORES WITHSCORES
ZUNION 2 a b LIMIT 1
ZUNION 2 infs ninfs WITHSCORES
ZUNION 2 infs ninfs AGGREGATE MIN WITHSCORES
ZUNION 2 infs ninfs AGGREGATE MAX WITHSCORES
ZUNION 1 nokey
ZUNION 2 nokey a WITHSCORES
ZUNION 0 a
ZUNION -1 a
ZUNION x a
ZUNION 3 a b
ZUNION 2 a str
ZUNION 2 str nokey WEIGHTS x
ZUNION 2 a si WITHSCORES
ZUNION 2 a sh WITHSCORES
ZUNION 3 a sh si WEIGHTS 1 2 3 WITHSCORES
ZINTER 2 a b
ZINTER 2 a b WITHSCORES
ZINTER 3 a b c WITHSCORES
ZINTER 2 a b WEIGHTS 2 3 WITHSCORES
ZINTER 2 a b AGGREGATE MIN WITHSCORES
ZINTER 2 a b AGGREGATE MAX WITHSCORES
ZINTER 2 a a WITHSCORES
ZINTER 2 a a WEIGHTS 1 2 WITHSCORES
ZINTER 2 infs ninfs WITHSCORES
ZINTER 2 infs ninfs WEIGHTS 0 1 WITHSCORES
ZINTER 2 a nokey
ZINTER 2 a sh WITHSCORES
ZINTER 2 sh si WITHSCORES
ZINTER 1 si WITHSCORES
ZINTER 1 sh
ZINTER 2 a str
ZINTER 0 a
ZINTER 2 a b LIMIT 1
ZDIFF 2 a b
ZDIFF 2 a b WITHSCORES
ZDIFF 3 a b c WITHSCORES
ZDIFF 2 a a WITHSCORES
ZDIFF 2 a nokey WITHSCORES
ZDIFF 2 nokey a WITHSCORES
ZDIFF 2 a sh WITHSCORES
ZDIFF 2 si a WITHSCORES
ZDIFF 2 a b WEIGHTS 1 2
ZDIFF 2 a b AGGREGATE MIN
ZDIFF 0 a
ZDIFF 2 a str
ZINTERCARD 2 a b
ZINTERCARD 2 a b LIMIT 1
ZINTERCARD 2 a b LIMIT 0
ZINTERCARD 2 a b LIMIT 100
ZINTERCARD 2 a b LIMIT -1
ZINTERCARD 2 a b LIMIT x
ZINTERCARD 2 a b WITHSCORES
ZINTERCARD 2 a b WEIGHTS 1 1
ZINTERCARD 2 a b AGGREGATE SUM
ZINTERCARD 0 a
ZINTERCARD 1 nokey
ZINTERCARD 2 a sh
ZINTERCARD 2 a str
ZINTERCARD 3 a b
ZUNIONSTORE d 2 a b
ZRANGE d 0 -1 WITHSCORES
OBJECT ENCODING d
ZUNIONSTORE d 2 a b WEIGHTS 1 -1 AGGREGATE MAX
ZRANGE d 0 -1 WITHSCORES
ZUNIONSTORE d 2 a b WITHSCORES
ZUNIONSTORE d 1 nokey
EXISTS d
ZUNIONSTORE d 0 a
ZUNIONSTORE d 2 a str
ZUNIONSTORE str 2 a b
TYPE str
ZINTERSTORE d 2 a b
ZRANGE d 0 -1 WITHSCORES
ZINTERSTORE d 2 a c AGGREGATE MIN
ZRANGE d 0 -1 WITHSCORES
ZINTERSTORE d 2 a nokey
EXISTS d
ZDIFFSTORE d 2 a b
ZRANGE d 0 -1 WITHSCORES
ZDIFFSTORE d 2 a a
EXISTS d
ZDIFFSTORE d 1 a WITHSCORES
ZDIFFSTORE d 3 a b
ZUNIONSTORE a 2 a b
ZRANGE a 0 -1 WITHSCORES
ZINTERSTORE d 2 si sh
ZUNIONSTORE d 2 si sh
ZRANGE d 0 -1 WITHSCORES
OBJECT ENCODING d
`
	for _, enc := range []int{128, 0} {
		setConfig(t, p, "zset-max-listpack-entries", enc)
		p.Run(setup)
		p.Run(checks)
	}
	setConfig(t, p, "zset-max-listpack-entries", 128)
	p.SetProto(3)
	p.Run(`
ZUNION 2 a b WITHSCORES
ZINTER 2 a b WITHSCORES
ZDIFF 2 a c WITHSCORES
ZUNION 2 a b
`)
	p.SetProto(2)
	// Result encodings at the thresholds.
	p.Run("FLUSHALL")
	p.Run(zaddLine("h1", 1, 100, "m"))
	p.Run(zaddLine("h2", 50, 160, "m"))
	p.Run(`
ZADD long 1 ` + strings.Repeat("L", 65) + `
ZUNIONSTORE u 2 h1 h2
OBJECT ENCODING u
ZINTERSTORE i 2 h1 h2
OBJECT ENCODING i
ZDIFFSTORE df 2 h2 h1
OBJECT ENCODING df
ZUNIONSTORE u2 2 h1 long
OBJECT ENCODING u2
ZINTERSTORE i2 2 h1 long
EXISTS i2
ZUNIONSTORE u3 1 h2
OBJECT ENCODING u3
ZDIFFSTORE df3 1 h2
OBJECT ENCODING df3
ZRANGE df3 0 4
`)
}

func TestScanAgainstRedis(t *testing.T) {
	p := newPair(t)
	p.Run(`
ZADD z 1 a 2.5 b 3 c 1e20 d -inf e 100 200 4611686018427387904 big 0.1 f
ZSCAN z 0
ZADD zsk 1 mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm
OBJECT ENCODING zsk
ZSCAN zsk 0 COUNT 2147483647
ZSCAN z 0 COUNT 1
ZSCAN z 0 MATCH *
ZSCAN z 0 MATCH a*
ZSCAN z 0 MATCH 1*
ZSCAN z 0 MATCH [a-c] COUNT 100
ZSCAN z 0 COUNT 0
ZSCAN z 0 COUNT -1
ZSCAN z 0 COUNT x
ZSCAN z 0 FOO bar
ZSCAN z 0 MATCH
ZSCAN z 0 TYPE zset
ZSCAN z x
ZSCAN z -1
ZSCAN z 18446744073709551616
ZSCAN nokey 0
ZSCAN nokey 0 COUNT 0
ZSCAN nokey 0 FOO
ZSCAN nokey x
SET str v
ZSCAN str 0
ZSCAN str x
ZSCAN str 0 COUNT 0
`)
	setConfig(t, p, "zset-max-listpack-entries", 0)
	p.Run(`
ZADD s 1 a 2.5 b 3 c 1e20 d -inf e 100 200 4611686018427387904 big 0.1 f 1e17 g
ZSCAN s 0 COUNT 0
ZSCAN s 0 FOO bar
`)
	scanPairs(t, p, "ZSCAN", "s", "0", "COUNT", "1000")
	scanPairs(t, p, "ZSCAN", "s", "0", "MATCH", "[a-c]", "COUNT", "1000")
	// A big skiplist: a full cursor walk returns every member with its score.
	p.Run(zaddLine("big", 1, 1000, "m"))
	want := map[string]string{}
	for i := 1; i <= 1000; i++ {
		want["m"+strconv.Itoa(i)] = strconv.Itoa(i)
	}
	got := map[string]string{}
	cursor := "0"
	for calls := 0; ; calls++ {
		v := p.H.Do("ZSCAN", "big", cursor, "COUNT", "20")
		require.Len(t, v.Elems, 2)
		for i := 0; i+1 < len(v.Elems[1].Elems); i += 2 {
			got[string(v.Elems[1].Elems[i].Str)] = string(v.Elems[1].Elems[i+1].Str)
		}
		cursor = string(v.Elems[0].Str)
		if cursor == "0" {
			break
		}
		require.Less(t, calls, 1000)
	}
	require.Equal(t, want, got)
}

// scanPairs compares a one-call *SCAN reply with Redis's, ignoring the order of the
// (member, score) pairs (dict order depends on the hash function).
func scanPairs(t *testing.T, p *enginetest.Pair, args ...string) {
	t.Helper()
	norm := func(v resp.Value) string {
		require.Len(t, v.Elems, 2, v.String())
		var pairs []string
		e := v.Elems[1].Elems
		for i := 0; i+1 < len(e); i += 2 {
			pairs = append(pairs, e[i].String()+"="+e[i+1].String())
		}
		sort.Strings(pairs)
		return v.Elems[0].String() + " " + strings.Join(pairs, ",")
	}
	require.Equal(t, norm(p.O.Do(args...)), norm(p.H.Do(args...)), "%v", args)
}

func TestRESP3AgainstRedis(t *testing.T) {
	p := newPairWithSets(t)
	p.SetProto(3)
	for _, enc := range []int{128, 0} {
		setConfig(t, p, "zset-max-listpack-entries", enc)
		p.Run(`
FLUSHALL
ZADD one 5 a
ZADD z 1 a 2.5 b inf c -inf d 1e20 e
ZRANDMEMBER one
ZRANDMEMBER one 1
ZRANDMEMBER one 1 WITHSCORES
ZRANDMEMBER one -2 WITHSCORES
ZRANDMEMBER one 5 WITHSCORES
ZRANDMEMBER nokey
ZRANDMEMBER nokey 2 WITHSCORES
ZMSCORE z a c nope
ZMSCORE nokey a
ZINCRBY z 1.5 a
ZINCRBY z -inf c
ZADD z INCR 1 b
ZADD z XX INCR 1 nope
ZSCORE z e
ZRANGE z 0 -1 WITHSCORES
ZRANGE z 0 -1 BYSCORE WITHSCORES
ZRANGEBYSCORE z -inf +inf WITHSCORES LIMIT 1 2
ZREVRANGE z 0 1 WITHSCORES
ZUNION 2 z one WITHSCORES
ZINTER 2 z one WITHSCORES
ZDIFF 2 z one WITHSCORES
ZPOPMIN z
ZPOPMAX z 2
ZPOPMAX z 0
ZMPOP 1 z MAX
ZMPOP 1 nokey MAX
ZPOPMIN nokey
ZPOPMIN nokey 1
ZRANK z b
ZRANK z nope
ZSCAN one 0
ZSCAN nokey 0
ZCARD z
`)
	}
}

// TestNumberParsingAgainstRedis feeds odd numbers to the three parsers: ZADD's score
// (string2d), a score range bound (strtod, prefix "(" allowed, ERANGE accepted) and a
// WEIGHTS value.
func TestNumberParsingAgainstRedis(t *testing.T) {
	p := newPair(t)
	p.Run("ZADD z 1 a 2 b 3 c 1e300 big 1e-300 tiny")
	for _, n := range []string{"1.", ".5", "-.5", "+5", "1e", "1e+", "1e+2", "0x1p3", "0X1P-2", "0x",
		"0x.8", "0x1.8p1", "0x10", "-0x10", "infinity", "-Infinity", "INF", "-inF", "nan", "NaN", "nan(123)",
		"1_0", " 5", "5 ", "\t5", "1e308", "1e309", "-1e309", "2.2250738585072014e-308", "4.9e-324",
		"1e-324", "1e-400", "0e0", "00012", "1,5", "++1", "--1", "0x1e", "1d", "", " ", "(", "((1", "(-inf",
		"(+inf", "-", "+", ".", "e5", "1e5.5", "\x001", "1\x00", "0.0000000000000000000000000001",
		"-0", "+0", "-000", "000000012345", "999999999999999", "-999999999999999", "1234567890123456",
		"9007199254740993", "12345678901234567890123"} {
		q := strconv.Quote(n)
		p.Run("ZADD n " + q + " m\nZSCORE n m\nDEL n")
		p.Run("ZCOUNT z " + q + " +inf\nZCOUNT z -inf " + q)
		p.Run("ZUNION 1 z WEIGHTS " + q + " WITHSCORES")
		p.Run("ZINCRBY z " + q + " a")
	}
}

// TestWatchAgainstRedis: a command that changes a sorted set makes a WATCHing EXEC fail;
// one that changes nothing does not (the WATCHing client itself runs the command, which
// Redis treats like any other).
func TestWatchAgainstRedis(t *testing.T) {
	p := newPairWithSets(t)
	for _, enc := range []int{128, 0} {
		setConfig(t, p, "zset-max-listpack-entries", enc)
		for _, cmd := range []string{
			"ZADD z 1 a", "ZADD z 5 a", "ZADD z NX 5 a", "ZADD z XX 1 new", "ZADD z 1 new", "ZADD z GT 0 a",
			"ZINCRBY z 0 a", "ZINCRBY z 1 a", "ZREM z nope", "ZREM z a", "ZREM z a b c",
			"ZREMRANGEBYRANK z 5 10", "ZREMRANGEBYRANK z 0 0", "ZREMRANGEBYSCORE z 10 20", "ZREMRANGEBYSCORE z 1 1",
			"ZREMRANGEBYLEX z (z +", "ZREMRANGEBYLEX z - +", "ZPOPMIN z", "ZPOPMIN z 0", "ZPOPMAX nokey",
			"ZMPOP 1 z MIN", "ZMPOP 1 nokey MIN", "ZRANGESTORE z other 0 -1", "ZRANGESTORE z nokey 0 -1",
			"ZRANGESTORE nokey nokey 0 -1", "ZUNIONSTORE z 1 other", "ZINTERSTORE z 1 nokey",
			"ZDIFFSTORE z 1 z", "ZDIFFSTORE nokey 1 nokey", "ZRANGE z 0 -1", "ZSCORE z a", "ZADD str 1 a",
		} {
			p.Run(`
DEL z other
ZADD z 1 a 2 b 3 c
ZADD other 1 x 3 y
WATCH z
` + cmd + `  #type
MULTI
ZCARD z
EXEC
`)
		}
	}
}
