package thll_test

import (
	"testing"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/engine/thll"
	"github.com/redisctl/redisctl/engine/tstring"
	"github.com/redisctl/redisctl/rdb/listpack"
)

func families() [][]*engine.Command {
	return [][]*engine.Command{tstring.Commands(), thll.Commands(), fakeList()}
}

// fakeList is a stand-in RPUSH (one element, new keys only) so that scripts can make a
// key of another type for WRONGTYPE checks.
func fakeList() []*engine.Command {
	return []*engine.Command{{Name: "rpush", Arity: -3, Flags: engine.FlagWrite, FirstKey: 1, LastKey: 1, Step: 1,
		Fn: func(x *engine.Ctx) {
			lp := listpack.Append(listpack.New(), x.Args[2])
			x.DB.SetKey(x.Args[1], engine.NewBytesObject(engine.TypeList, engine.EncListpack, lp), false)
			x.Dirty(1)
			x.Int(1)
		}}}
}

func newPair(t *testing.T) *enginetest.Pair {
	return enginetest.NewPair(t, families()...)
}

func TestBasicsAgainstRedis(t *testing.T) {
	p := newPair(t)
	p.Run(`
PFADD h
GET h
OBJECT ENCODING h
MEMORY USAGE h SAMPLES 0
PFCOUNT h
GET h
PFADD h
PFADD h a
GET h
MEMORY USAGE h SAMPLES 0
PFADD h a
PFADD h b c d e f g
GET h
PFCOUNT h
GET h
PFCOUNT h
PFDEBUG ENCODING h
PFDEBUG DECODE h
PFDEBUG GETREG h
PFDEBUG ENCODING h
GET h
MEMORY USAGE h SAMPLES 0
PFDEBUG DECODE h
PFDEBUG TODENSE h
PFADD h2 x y z
PFDEBUG TODENSE h2
PFDEBUG TODENSE h2
PFDEBUG ENCODING h2
PFDEBUG getreg nokey
PFDEBUG foo h2
PFDEBUG foo nokey
PFDEBUG
PFDEBUG encoding
PFDEBUG encoding h h
PFCOUNT
PFCOUNT nokey
PFCOUNT nokey nokey2
PFCOUNT h h2
PFCOUNT h2 nokey h
PFMERGE m
GET m
PFMERGE m h
GET m
PFDEBUG ENCODING m
PFMERGE m2 h2
PFDEBUG ENCODING m2
GET m2
PFMERGE m3 m nokey
GET m3
PFCOUNT m3
PFCOUNT m3
SET s abc
PFADD s a
PFCOUNT s
PFCOUNT s h
PFCOUNT h s
PFMERGE s h
PFMERGE h s
PFDEBUG ENCODING s
SET n 123
PFADD n a
PFCOUNT n
RPUSH l a
PFADD l a
PFCOUNT l
PFCOUNT h l
PFMERGE l h
PFMERGE h l
PFDEBUG ENCODING l
PFSELFTEST
PFSELFTEST x
`)
}

// TestWatchAgainstRedis: a PFCOUNT that rewrites the cache touches the key (WATCH fails),
// one answered from the cache does not; PFADD touches only when a register changed.
func TestWatchAgainstRedis(t *testing.T) {
	p := newPair(t)
	p.Run(`
PFADD h a b c
WATCH h
PFCOUNT h
MULTI
EXISTS h
EXEC
WATCH h
PFCOUNT h
MULTI
EXISTS h
EXEC
WATCH h
PFADD h a
MULTI
EXISTS h
EXEC
WATCH h
PFADD h zz
MULTI
EXISTS h
EXEC
WATCH h
PFDEBUG TODENSE h
MULTI
EXISTS h
EXEC
WATCH h
PFMERGE h
MULTI
EXISTS h
EXEC
MEMORY USAGE h
PFADD x a
MEMORY USAGE x
`)
}
