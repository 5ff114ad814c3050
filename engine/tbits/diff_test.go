package tbits_test

import (
	"testing"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/engine/tbits"
	"github.com/redisctl/redisctl/engine/tstring"
	"github.com/redisctl/redisctl/rdb/listpack"
)

func families() [][]*engine.Command {
	return [][]*engine.Command{tstring.Commands(), tbits.Commands(), fakeList()}
}

// fakeList is a stand-in RPUSH (one element, new keys only) so that scripts can make a
// key of another type for WRONGTYPE checks; the list family is not ours to import.
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

func TestSetGetBitAgainstRedis(t *testing.T) {
	p := newPair(t)
	p.Run(`
SETBIT k 7 1
GET k
OBJECT ENCODING k
MEMORY USAGE k SAMPLES 0
MEMORY USAGE k
SETBIT k 7 1
SETBIT k 7 0
SETBIT k 0 1
GETBIT k 0
GETBIT k 7
GETBIT k 8
GETBIT k 100000
GETBIT missing 0
GETBIT k -1
GETBIT k x
GETBIT k 1.5
GETBIT k " 1"
GETBIT k 4294967295
GETBIT k 4294967296
GETBIT k 9223372036854775807
GETBIT k 9223372036854775808
SETBIT k -1 1
SETBIT k x 1
SETBIT k 4294967296 1
SETBIT k 4294967296 x
SETBIT k 1 2
SETBIT k 1 -1
SETBIT k 1 x
SETBIT k 1 ""
SETBIT k x x
SETBIT k 1
GETBIT k
SETBIT k 1 1 1
SETBIT k 100 1
STRLEN k
MEMORY USAGE k SAMPLES 0
SETBIT k 319 1
STRLEN k
MEMORY USAGE k SAMPLES 0
SETBIT k 320 1
MEMORY USAGE k SAMPLES 0
SETBIT k 700 1
MEMORY USAGE k SAMPLES 0
SET n 12
OBJECT ENCODING n
GETBIT n 2
GETBIT n 3
GETBIT n 15
SETBIT n 7 1
OBJECT ENCODING n
GET n
SET n 12
SETBIT n 2 1
OBJECT ENCODING n
GET n
SET e abc
OBJECT ENCODING e
SETBIT e 1 1
OBJECT ENCODING e
GET e
MEMORY USAGE e SAMPLES 0
SET e2 ""
SETBIT e2 0 1
MEMORY USAGE e2 SAMPLES 0
SETBIT e2 24 1
MEMORY USAGE e2 SAMPLES 0
SETBIT e2 40 1
MEMORY USAGE e2 SAMPLES 0
SET e3 0123456789012345678901234567890123456789
MEMORY USAGE e3 SAMPLES 0
SETBIT e3 327 1
MEMORY USAGE e3 SAMPLES 0
SETBIT e3 360 1
MEMORY USAGE e3 SAMPLES 0
APPEND e3 xyz
MEMORY USAGE e3 SAMPLES 0
SETRANGE s 39 x
SETBIT s 327 1
MEMORY USAGE s SAMPLES 0
APPEND s abcd
MEMORY USAGE s SAMPLES 0
SETBIT big 8388607 1
MEMORY USAGE big SAMPLES 0
SETBIT big 8388608 1
MEMORY USAGE big SAMPLES 0
SETBIT big 20000000 1
MEMORY USAGE big SAMPLES 0
STRLEN big
DEL big
SET t abc
PEXPIREAT t 99999999999999
SETBIT t 100 1
PEXPIRETIME t
BITFIELD t SET u8 #20 1
PEXPIRETIME t
BITOP NOT t t
PEXPIRETIME t
RPUSH l a
SETBIT l 0 1
GETBIT l 0
SETBIT l x 1
GETBIT l x
`)
}

// TestSetBitMaxOffset sets the highest bit proto-max-bulk-len allows (a 512 MB string on
// both sides).
func TestSetBitMaxOffset(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates 512 MB in each server")
	}
	p := newPair(t)
	p.Run(`
SETBIT k 4294967295 1
STRLEN k
GETBIT k 4294967295
GETBIT k 4294967294
BITCOUNT k
BITCOUNT k -1 -1
BITPOS k 1
BITPOS k 0 -1
BITPOS k 1 4294967290 -1 BIT
MEMORY USAGE k SAMPLES 0
BITFIELD k GET u8 4294967288 GET i64 4294967280
DEL k
`)
}
