package tlist_test

import (
	"testing"

	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/engine/tlist"
	"github.com/redisctl/redisctl/engine/tstring"
)

// TestListsAgainstRedis sends the same commands to redis-server 7.0 and to the engine.
func TestListsAgainstRedis(t *testing.T) {
	p := enginetest.NewPair(t, tlist.Commands(), tstring.Commands())
	p.Run(basicScript)
}

const basicScript = `
LPUSH l a b c
RPUSH l d e f
LLEN l
LRANGE l 0 -1
OBJECT ENCODING l
MEMORY USAGE l
MEMORY USAGE l SAMPLES 0
LPUSHX nokey a
RPUSHX nokey a
EXISTS nokey
LPUSHX l x y
RPUSHX l z
LRANGE l 0 -1
LINDEX l 0
LINDEX l -1
LINDEX l 100
LINDEX l -100
LINDEX l x
LINDEX nokey x
LINDEX l 9223372036854775807
LINDEX l -9223372036854775808
LSET l 0 A
LSET l -1 Z
LSET l 100 Q
LSET l x Q
LSET nokey 0 Q
LRANGE l 0 -1
LRANGE l -3 -1
LRANGE l 2 1
LRANGE l -100 100
LRANGE l 5 -5
LRANGE l x 1
LRANGE l 1 x
LRANGE nokey 0 -1
LRANGE l 9223372036854775807 -9223372036854775808
LPOP l
RPOP l
LPOP l 2
RPOP l 2
LPOP l 0
RPOP l 0
LPOP l -1
LPOP l x
LPOP l 1 2
LPOP nokey
LPOP nokey 0
LPOP nokey 5
RPOP nokey 5
LRANGE l 0 -1
RPUSH n 1 2 3 1 2 3 1 2 3 -5 0 12345678901 hello 1
LPOS n 1
LPOS n 1 RANK 2
LPOS n 1 RANK -1
LPOS n 1 RANK -2
LPOS n 1 COUNT 0
LPOS n 1 COUNT 2
LPOS n 1 RANK 2 COUNT 0
LPOS n 1 RANK -1 COUNT 0
LPOS n 1 COUNT 0 MAXLEN 4
LPOS n 1 RANK -1 MAXLEN 3
LPOS n 1 RANK 0
LPOS n 1 RANK x
LPOS n 1 COUNT -1
LPOS n 1 COUNT x
LPOS n 1 MAXLEN -1
LPOS n 1 MAXLEN x
LPOS n 1 FOO
LPOS n 1 RANK
LPOS n 01
LPOS n hello
LPOS n -5 COUNT 1
LPOS n 12345678901
LPOS nokey 1
LPOS nokey 1 COUNT 0
LPOS n 1 RANK -9223372036854775808
LPOS n 1 RANK -9223372036854775807
LPOS n 1 RANK 9223372036854775807 COUNT 0
LINSERT n BEFORE 2 x
LINSERT n AFTER 3 y
LINSERT n AFTER 999 y
LINSERT n MIDDLE 3 y
LINSERT nokey BEFORE 1 x
LINSERT n before hello world
LRANGE n 0 -1
LREM n 1 1
LREM n -1 1
LREM n 0 2
LREM n 0 nothere
LREM n x 1
LREM nokey 0 a
LRANGE n 0 -1
LTRIM n 1 -2
LRANGE n 0 -1
LTRIM n 2 1
EXISTS n
LTRIM nokey 0 1
LTRIM n x 1
RPUSH src a b c
RPOPLPUSH src dst
RPOPLPUSH src src
LRANGE src 0 -1
LRANGE dst 0 -1
LMOVE src dst LEFT RIGHT
LMOVE src dst RIGHT LEFT
LMOVE src dst UP LEFT
LMOVE src dst LEFT DOWN
EXISTS src
LMOVE src dst LEFT LEFT
RPOPLPUSH nokey dst
SET str v
LPUSH str a
RPOP str
LLEN str
LRANGE str 0 1
LMOVE dst str LEFT LEFT
LMOVE str dst LEFT LEFT
LRANGE dst 0 -1
RPUSH one x
LMOVE one one LEFT RIGHT
LRANGE one 0 -1
RPUSH m1 a b c d
RPUSH m2 x y
LMPOP 2 nokey m1 LEFT
LMPOP 2 nokey m1 RIGHT COUNT 2
LMPOP 2 m2 m1 LEFT COUNT 10
LMPOP 2 m2 m1 LEFT COUNT 10
LMPOP 2 m2 m1 LEFT COUNT 10
LMPOP 1 str LEFT
LMPOP 2 nokey str LEFT
LMPOP 0 m1 LEFT
LMPOP -1 m1 LEFT
LMPOP x m1 LEFT
LMPOP 9223372036854775807 m1 LEFT
LMPOP 3 m1 LEFT
LMPOP 2 m1 LEFT
LMPOP 1 m1 MIDDLE
LMPOP 1 m1 LEFT COUNT 0
LMPOP 1 m1 LEFT COUNT -1
LMPOP 1 m1 LEFT COUNT x
LMPOP 1 m1 LEFT COUNT 1 COUNT 2
LMPOP 1 m1 LEFT COUNT
LMPOP 1 m1 LEFT FOO
`

// TestListsRESP3AgainstRedis checks the RESP3 forms: null for a missing element, null
// (not *-1) for a missing key with COUNT, arrays otherwise.
func TestListsRESP3AgainstRedis(t *testing.T) {
	p := enginetest.NewPair(t, tlist.Commands(), tstring.Commands())
	p.SetProto(3)
	p.Run(`
RPUSH l a 1 b
LPOP nokey
LPOP nokey 2
LPOP l 0
RPOP l 2
LINDEX l 9
LINDEX nokey 0
LPOS l zz
LPOS l zz COUNT 0
LPOS nokey a COUNT 0
RPOPLPUSH nokey l
LMOVE nokey l LEFT LEFT
LMPOP 1 nokey LEFT
LMPOP 1 l LEFT COUNT 3
LRANGE l 0 -1
LRANGE nokey 0 -1
LPOP l
`)
}
