package coretest

import (
	"testing"
	"time"

	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/internal/redistest"
)

func newDebugEffects(t *testing.T, notify string) *enginetest.Effects {
	e := enginetest.NewEffectsWith(t, notify,
		[]redistest.Option{redistest.WithArgs("--enable-debug-command", "yes")}, families()...)
	// Expired keys stay until a command meets them: the harness runs no expiry cycle.
	e.O.Do("DEBUG", "SET-ACTIVE-EXPIRE", "0")
	return e
}

// TestCoreEffectsAgainstRedis: dirty, keyspace events of every database and propagation
// of the generic commands.
func TestCoreEffectsAgainstRedis(t *testing.T) {
	e := newDebugEffects(t, "KEA")
	e.Run(fill)
	e.Run(`
DEL str nokey list
DEL nokey
UNLINK iset hset
EXISTS int
TOUCH int nokey
EXPIRE int 100
EXPIRE int 100 NX
EXPIRE int 200 XX
PEXPIRE int 300000
EXPIREAT int 4102444800
PEXPIREAT int 4102444800000
EXPIRE nokey 10
EXPIRE int 0
EXISTS int
SET int 5
EXPIRE int -1 GT
EXPIRE int -1
PEXPIREAT big 1
SET k v EX 100
PERSIST k
PERSIST k
PERSIST nokey
EXPIRE k abc
RENAME k k2
RENAME k2 k2
RENAMENX k2 k2
RENAMENX k2 zlp
RENAME k2 zlp
RENAME nokey x
SET e v EX 100
RENAME e e2
COPY e2 e3
COPY e2 e3
COPY e2 e3 REPLACE
COPY e2 e3 DB 1 REPLACE
COPY e2 e3 DB 1
MOVE e2 2
MOVE e2 2
MOVE e3 1
MOVE nokey 1
SELECT 1
SET x 1
DEL x
SELECT 0
SWAPDB 0 1
SWAPDB 1 1
SWAPDB 1 0
FLUSHDB
FLUSHDB
SET a 1
SELECT 3
SET a 1
SELECT 0
FLUSHALL
FLUSHALL ASYNC
FLUSHDB SYNC
FLUSHDB FOO
MULTI
SET a 1
INCR a
EXPIRE a 100
EXEC
MULTI
SET b 1
SELECT 2
SET b 2
EXEC
SELECT 0
MULTI
GET a
EXEC
MULTI
SET c 1
GET a b
EXEC
SET x 1 PX 1
SET y 1 PX 1
SET z 1 PX 1
SET w 1 PX 1
SET v 1 PX 1
SET u 1 PX 1
SET t 1 PX 1
SET s 1 PX 1
SET r 1 PX 1
SET q 1 PX 1
SET q2 1 PX 1
SET q3 1 PX 1
SET p1 1 PX 1
SET p2 1 PX 1
SET p3 1 PX 1
SET p4 1 PX 1
SADD p5 a
PEXPIRE p5 1
SET o1 1 PX 1
SET n1 1 PX 1
SET m1 1 PX 1
SET m2 1 PX 1
SET m3 1 PX 1
SET m4 1 PX 1
SET m5 1 PX 1
`)
	time.Sleep(10 * time.Millisecond)
	// Expired keys met by each command: deleted with an "expired" event and a propagated
	// DEL, the command seeing no key.
	e.Run(`
EXISTS x
TYPE y
TTL z
RENAME w w2
COPY v v2
MOVE u 1
EXPIRE t 100
PERSIST s
DEL r
TOUCH q
KEYS q*
SCAN 0 MATCH p1 COUNT 1000
SCAN "" MATCH p1 COUNT 1000
SCAN "-" COUNT 10
HSCAN nokey ""
SCAN 0 MATCH p2 COUNT 1000 TYPE string
SCAN 0 MATCH p3 COUNT 1000 TYPE set
SCAN 0 MATCH p4 COUNT 1000 TYPE none
SCAN 0 MATCH p5 COUNT 1000 TYPE string
MEMORY USAGE m1
OBJECT ENCODING m2
OBJECT REFCOUNT m3
OBJECT IDLETIME m4
OBJECT FREQ m5
DBSIZE
MULTI
GET nokey
EXEC
MULTI
EXISTS o1
EXISTS n1
EXEC
FLUSHALL
SET only 1 PX 1
`)
	// RANDOMKEY deletes the expired keys it draws: with one key, which is expired, the
	// effects are deterministic.
	time.Sleep(10 * time.Millisecond)
	e.Run(`
RANDOMKEY
DBSIZE
`)
}

// TestKeymissNewEventsAgainstRedis: the "keymiss" (m) and "new" (n) classes, outside of A.
func TestKeymissNewEventsAgainstRedis(t *testing.T) {
	e := newDebugEffects(t, "KEAmn")
	e.Run(fill)
	e.Run(`
EXISTS nokey str
TYPE nokey
TTL nokey
PTTL nokey
EXPIRETIME nokey
TOUCH nokey
EXPIRE nokey 10
PERSIST nokey
RENAME nokey x
RENAMENX nokey x
COPY nokey x
COPY str s2
COPY str s2 DB 1
MOVE nokey 1
MOVE s2 2
OBJECT ENCODING nokey
OBJECT REFCOUNT nokey
MEMORY USAGE nokey
DEL nokey
RENAME str newname
SORT nokey
SORT list ALPHA GET nokey_* BY w_*
SWAPDB 0 2
SWAPDB 0 2
FLUSHALL
SET x 1 PX 1
`)
	time.Sleep(10 * time.Millisecond)
	e.Run(`
GET x
`)
}
