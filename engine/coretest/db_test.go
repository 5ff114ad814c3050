package coretest

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/redisctl/redisctl/engine/enginetest"
)

func TestDatabasesAgainstRedis(t *testing.T) {
	p := newPair(t)
	p.Run(`
SET a 0
SELECT 1
SET a 1
SET b 1
RPUSH l x
DBSIZE
SELECT 2
DBSIZE
SWAPDB 1 2
DBSIZE
GET a
LRANGE l 0 -1
SELECT 1
DBSIZE
SWAPDB 0 2
GET a
SELECT 0
GET a
DBSIZE
FLUSHDB
DBSIZE
SELECT 2
DBSIZE
FLUSHALL
DBSIZE
SELECT 15
SET z 1
SELECT 0
SWAPDB 0 15
GET z
FLUSHDB ASYNC
FLUSHDB sync
FLUSHALL SYNC
FLUSHALL async
FLUSHALL foo
FLUSHALL sync async
FLUSHDB a b
DBSIZE
MULTI
SELECT 3
SET m 1
SWAPDB 3 4
GET m
EXEC
GET m
SELECT 4
GET m
`)
}

// TestCoreRandomAgainstRedis: a seeded random sequence of core commands over a small key
// space in three databases, with every type of value and absolute expiry times.
func TestCoreRandomAgainstRedis(t *testing.T) {
	p := newPair(t)
	rng := rand.New(rand.NewPCG(99, 1))
	keys := []string{"a", "b", "c", "d", "e", "f"}
	key := func() string { return keys[rng.IntN(len(keys))] }
	db := func() string { return strconv.Itoa(rng.IntN(3)) }
	future := func() string { return strconv.Itoa(4102444800 + rng.IntN(1000)) }
	for i := 0; i < 3000; i++ {
		var args []string
		var tag []enginetest.Opt
		switch rng.IntN(30) {
		case 0:
			args = []string{"SET", key(), strconv.Itoa(rng.IntN(20000) - 100)}
		case 1:
			args = []string{"RPUSH", key(), "x", "y"}
		case 2:
			args = []string{"SADD", key(), strconv.Itoa(rng.IntN(5)), "m"}
		case 3:
			args = []string{"ZADD", key(), "1", "m" + strconv.Itoa(rng.IntN(5))}
		case 4:
			args = []string{"HSET", key(), "f", "v"}
		case 5:
			args = []string{"DEL", key(), key()}
		case 6:
			args = []string{"UNLINK", key()}
		case 7:
			args = []string{"EXISTS", key(), key(), key()}
		case 8:
			args = []string{"TYPE", key()}
		case 9:
			args = []string{"EXPIREAT", key(), future()}
			if rng.IntN(2) == 0 {
				args = append(args, []string{"NX", "XX", "GT", "LT"}[rng.IntN(4)])
			}
		case 10:
			args = []string{"PEXPIREAT", key(), future() + "000"}
			if rng.IntN(2) == 0 {
				args = append(args, []string{"NX", "XX", "GT", "LT", "nx", "FOO"}[rng.IntN(6)])
			}
		case 11:
			args = []string{"EXPIRETIME", key()}
		case 12:
			args = []string{"PEXPIRETIME", key()}
		case 13:
			args = []string{"PERSIST", key()}
		case 14:
			args = []string{"RENAME", key(), key()}
		case 15:
			args = []string{"RENAMENX", key(), key()}
		case 16:
			args = []string{"COPY", key(), key()}
			if rng.IntN(2) == 0 {
				args = append(args, "DB", db())
			}
			if rng.IntN(2) == 0 {
				args = append(args, "REPLACE")
			}
		case 17:
			args = []string{"MOVE", key(), db()}
		case 18:
			args = []string{"SELECT", db()}
		case 19:
			args = []string{"SWAPDB", db(), db()}
		case 20:
			args = []string{"DBSIZE"}
		case 21:
			args = []string{"KEYS", []string{"*", "a*", "[a-c]", "?", "[^a]"}[rng.IntN(5)]}
			tag = append(tag, enginetest.Unordered)
		case 22:
			args = []string{"OBJECT", "ENCODING", key()}
		case 23:
			args = []string{"MEMORY", "USAGE", key()}
			// Skiplist node levels are random: only the type is comparable for sorted
			// sets past the listpack limit; small ones are listpacks here.
		case 24:
			args = []string{"TTL", key()}
			tag = append(tag, enginetest.TypeOnly)
		case 25:
			if rng.IntN(20) == 0 {
				args = []string{"FLUSHDB"}
			} else {
				args = []string{"GET", key()}
			}
		case 26:
			args = []string{"LRANGE", key(), "0", "-1"}
		case 27:
			args = []string{"SMEMBERS", key()}
			tag = append(tag, enginetest.Unordered)
		case 28:
			args = []string{"ZRANGE", key(), "0", "-1", "WITHSCORES"}
		default:
			args = []string{"HGETALL", key()}
		}
		p.Check(args, tag...)
	}
	for d := 0; d < 3; d++ {
		p.Check([]string{"SELECT", strconv.Itoa(d)})
		p.Check([]string{"KEYS", "*"}, enginetest.Unordered)
	}
}
