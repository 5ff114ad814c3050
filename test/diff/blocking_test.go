package diff_test

import (
	"testing"

	"github.com/redisctl/redisctl/internal/difftest"
)

// blockingImmediate covers the blocking commands where they do not block: a key that can
// serve at once, argument errors, timeouts, and MULTI (where they never block).
const blockingImmediate = `
FLUSHALL
RPUSH l1 a b c d e f
BLPOP l0 l1 0
BRPOP l0 l1 0
BLMOVE l1 l2 LEFT RIGHT 0
BLMOVE l1 l2 right left 1
BRPOPLPUSH l1 l3 0
LRANGE l2 0 -1
LRANGE l3 0 -1
RPUSH l1 x y z
BLMPOP 0 2 l0 l1 RIGHT COUNT 2
BLMPOP 0 1 l1 LEFT COUNT 5
EXISTS l1
BLMPOP 0 1 l2 LEFT
ZADD z1 1 a 2 b 3 c 4 d
BZPOPMIN z0 z1 0
BZPOPMAX z1 0
BZMPOP 0 2 z0 z1 MIN COUNT 10
EXISTS z1
SET str v
BLPOP str 0
BLPOP nokey str 0
BRPOP l2 str 0
BLPOP l1 -1
BLPOP l1 abc
BLPOP l1 inf
BLPOP l1 1e300
BLPOP l1 nan
BLPOP l1 " 1"
BLPOP l1 ""
BLMPOP 0 0 l1 LEFT
BLMPOP 0 1 l1 MIDDLE
BLMPOP 0 1 l1 LEFT COUNT 0
BLMPOP 0 1 l1 LEFT COUNT 1 COUNT 2
BLMPOP 0 5 l1 LEFT
BLMPOP abc 1 l1 LEFT
BLMPOP -1 1 l1 LEFT
BLMOVE l1 l2 UP LEFT 0
BLMOVE l1 l2 LEFT LEFT -1
BLMOVE str l2 LEFT LEFT 0
RPUSH l9 v
BLMOVE l9 str LEFT LEFT 0
BRPOPLPUSH l9 l8 abc
BRPOPLPUSH str l8 0
BZPOPMIN str 0
BZPOPMIN z1 -2
BZMPOP 0 1 z1 MAX COUNT -1
BZMPOP x 1 z1 MAX
BZMPOP 0 1 z1 SIDEWAYS
XREAD BLOCK -1 STREAMS s $
MULTI
XREAD BLOCK 9223372036854775807 STREAMS s $
BLPOP s 9223372036854775
EXEC
XREAD BLOCK abc STREAMS s $
BLPOP nokey 0.05
BRPOP nokey1 nokey2 0.05
BLMOVE nokey d LEFT LEFT 0.05
BRPOPLPUSH nokey d 0.05
BLMPOP 0.05 1 nokey LEFT
BZPOPMIN nokey 0.05
BZPOPMAX nokey 0.05
BZMPOP 0.05 1 nokey MAX
XREAD BLOCK 50 STREAMS nokey $
XADD s1 1-1 f v
XGROUP CREATE s1 g $
XREADGROUP GROUP g c BLOCK 50 STREAMS s1 >
BLPOP nokey 0.0001
MULTI
BLPOP nokey 0
BRPOP nokey 0
BLMOVE nokey d LEFT LEFT 0
BRPOPLPUSH nokey d 0
BLMPOP 0 1 nokey LEFT
BZPOPMIN nokey 0
BZMPOP 0 1 nokey MIN
XREAD BLOCK 0 STREAMS nokey 0
XREADGROUP GROUP g c BLOCK 0 STREAMS s1 >
EXEC
MULTI
RPUSH mk a b
BLPOP mk 0
BLMOVE mk mk2 LEFT LEFT 0
BLPOP mk 0
EXEC
`

// blockingClients covers clients really blocked, woken by others: FIFO order of service,
// several keys, wake after MULTI/EXEC, keys that change type, BLMOVE chains, the reply
// shapes of every command, streams and consumer groups, timeouts, CLIENT UNBLOCK, and a
// client hanging up while blocked. "#block" waits until both servers list the client
// as blocked; "@x READ" compares its reply when it comes.
const blockingClients = `
FLUSHALL
@a BLPOP q 0  #block
@b BLPOP q 0  #block
@c BRPOP q 0  #block
INFO clients
INFO commandstats
INFO stats
RPUSH q 1 2
@a READ
@b READ
RPUSH q 3
@c READ
EXISTS q
@a BLPOP k1 k2 k3 0  #block
RPUSH k3 x
RPUSH k2 y
@a READ
LRANGE k2 0 -1
@a BRPOP mq 0  #block
MULTI
RPUSH mq a b c
LPOP mq
EXEC
@a READ
LRANGE mq 0 -1
@a BLPOP gone 0  #block
MULTI
RPUSH gone x
DEL gone
EXEC
RPUSH gone y
@a READ
@a BLPOP wt 0  #block
SET wt str
DEL wt
ZADD wt 1 m
DEL wt
XADD wt 1-1 f v
DEL wt
RPUSH wt l
@a READ
@a BLMOVE c1 c2 LEFT RIGHT 0  #block
@b BLMOVE c2 c3 RIGHT LEFT 0  #block
@c BLPOP c3 0  #block
RPUSH c1 v1 v2
@a READ
@b READ
@c READ
LRANGE c1 0 -1
EXISTS c2 c3
@a BRPOPLPUSH r1 r1 0  #block
@b BRPOPLPUSH r1 r2 0  #block
LPUSH r1 x
@a READ
@b READ
LRANGE r1 0 -1
LRANGE r2 0 -1
SET dstr x
@a BLMOVE w1 dstr LEFT LEFT 0  #block
@b BLPOP w1 0  #block
RPUSH w1 v
@a READ
@b READ
EXISTS w1
@a BLMPOP 0 2 m1 m2 LEFT COUNT 3  #block
@b BLMPOP 0 1 m2 RIGHT  #block
RPUSH m2 a b c d e
@a READ
@b READ
LRANGE m2 0 -1
@a BZPOPMIN zq 0  #block
@b BZPOPMAX zq 0  #block
@c BZMPOP 0 1 zq MIN COUNT 2  #block
@d BZMPOP 0 2 zx zq MAX  #block
ZADD zq 1 a 2 b 3 c 4 d 5 e 6 f
@a READ
@b READ
@c READ
@d READ
ZRANGE zq 0 -1 WITHSCORES
@a BZPOPMIN zl 0  #block
RPUSH zl notazset
DEL zl
ZADD zl 1.5 m
@a READ
XADD s1 1-1 f v
@a XREAD BLOCK 0 STREAMS s1 $  #block
@b XREAD COUNT 1 BLOCK 0 STREAMS s2 s1 0-0 1-1  #block
XADD s1 2-1 g w
XADD s1 3-1 h x
@a READ
@b READ
@a XREAD BLOCK 0 STREAMS s2 0-0  #block
XADD s2 1-1 a b
@a READ
XGROUP CREATE s1 g1 $
@a XREADGROUP GROUP g1 alice BLOCK 0 STREAMS s1 >  #block
@b XREADGROUP GROUP g1 bob COUNT 1 BLOCK 0 STREAMS s1 >  #block
XADD s1 4-1 h x
@a READ
XADD s1 5-1 i y
@b READ
XPENDING s1 g1
XINFO CONSUMERS s1 g1  #type
@a XREADGROUP GROUP g1 carol NOACK BLOCK 0 STREAMS s1 >  #block
XADD s1 6-1 j z
@a READ
XPENDING s1 g1
@a XREADGROUP GROUP g1 dave BLOCK 0 STREAMS s1 >  #block
XGROUP DESTROY s1 g1
@a READ
XGROUP CREATE s1 g2 $
@a XREADGROUP GROUP g2 erin BLOCK 0 STREAMS s1 >  #block
DEL s1
@a READ
XADD s3 1-1 a b
XGROUP CREATE s3 g $
@a XREADGROUP GROUP g frank BLOCK 0 STREAMS s3 >  #block
SET s3 str
@a READ
XADD s4 1-1 a b
@a XREAD BLOCK 0 STREAMS s4 $  #block
DEL s4
XADD s4 2-1 c d
@a READ
XADD s5 1-1 a b
XGROUP CREATE s5 g $
@a XREADGROUP GROUP g gina BLOCK 0 STREAMS s5 >  #block
FLUSHDB
@a READ
XADD s6 1-1 a b
XGROUP CREATE s6 g $
@a XREADGROUP GROUP g hank BLOCK 0 STREAMS s6 >  #block
PEXPIRE s6 30
@a READ
@a BLMOVE same same LEFT RIGHT 0  #block
@b BLPOP same same 0  #block
RPUSH same x y
@a READ
@b READ
LRANGE same 0 -1
@a BLPOP pipe 0  #block
@a PING queued  #noreply
@a GET pipe  #noreply
RPUSH pipe p
@a READ 3
@a XREAD BLOCK 0 STREAMS s7 s8 $ $  #block
@b XREAD BLOCK 0 STREAMS s8 $  #block
MULTI
XADD s8 1-1 a 1
XADD s8 2-1 b 2
XADD s7 1-1 c 3
EXEC
@a READ
@b READ
@a BZPOPMIN zs 0  #block
ZADD src1 1 a 2 b
ZUNIONSTORE zs 1 src1
@a READ
@a BLPOP sorted 0  #block
RPUSH unsorted 3 1 2
SORT unsorted STORE sorted
@a READ
@a CLIENT SETNAME victim
@a BLPOP killed 0  #block
@b BLPOP killed 0  #block
CLIENT KILL ID @a
RPUSH killed k1 k2
@b READ
LRANGE killed 0 -1
@a CLOSE
@a BLPOP pz 0.5  #block
CLIENT PAUSE 400 WRITE
@a READ
CLIENT UNPAUSE
@a BLPOP pz 0  #block
CLIENT PAUSE 200 WRITE
@b RPUSH pz v
@a READ
@a XREAD BLOCK 9223372036854775807 STREAMS huge $  #block
CLIENT UNBLOCK @a
@a READ
@a BLPOP huge 9223372036854775  #block
CLIENT UNBLOCK @a
@a READ
@r BLPOP rx 0  #block
RPUSH rx v
@r READ
@r CLIENT REPLY SKIP  #noreply
@r BLPOP rs 0  #block
RPUSH rs v
@r PING
@r CLIENT REPLY OFF  #noreply
@r BLPOP ro 0  #block
RPUSH ro v
@r CLIENT REPLY ON
LLEN ro
XADD sw 1-1 a b
XGROUP CREATE sw g $
@a XREADGROUP GROUP g ian BLOCK 0 STREAMS sw >  #block
@b BLPOP swl 0  #block
SELECT 9
RPUSH swl fromdb9
SELECT 0
SWAPDB 0 9
@a READ
@b READ
SWAPDB 0 9
FLUSHDB
XADD re 1-1 a b
XGROUP CREATE re g $
@a XREADGROUP GROUP g jo BLOCK 0 STREAMS re >  #block
MULTI
DEL re
XADD re 2-1 c d
EXEC
@a READ
@a BLPOP fl 0  #block
FLUSHALL
RPUSH fl after
@a READ
@a BLPOP tq 0.05
@a BZPOPMIN tq 0.05
@a XREAD BLOCK 50 STREAMS tq $
@a BLPOP u 0  #block
CLIENT UNBLOCK @a
@a READ
@a BLMOVE u d LEFT LEFT 0  #block
CLIENT UNBLOCK @a TIMEOUT
@a READ
@a BZMPOP 0 1 u MIN  #block
CLIENT UNBLOCK @a ERROR
@a READ
@a XREAD BLOCK 0 STREAMS u $  #block
CLIENT UNBLOCK @a ERROR
@a READ
CLIENT UNBLOCK @a
CLIENT UNBLOCK @a error
CLIENT UNBLOCK @a whatever
CLIENT UNBLOCK abc
CLIENT UNBLOCK 999999
@a BLPOP quit 0  #block
@b BLPOP quit 0  #block
@a CLOSE
RPUSH quit x y
@b READ
LRANGE quit 0 -1
INFO clients
@a SELECT 3
@a BLPOP dbk 0  #block
RPUSH dbk nope
SELECT 3
RPUSH dbk yes
@a READ
SELECT 0
@a SELECT 0
@a BLPOP swapped 0  #block
SELECT 5
RPUSH swapped fromdb5
SELECT 0
SWAPDB 0 5
@a READ
SELECT 5
EXISTS swapped
SELECT 0
@a BLPOP renamed 0  #block
RPUSH src v
RENAME src renamed
@a READ
@a BLPOP moved 0  #block
SELECT 2
RPUSH moved v
MOVE moved 0
SELECT 0
@a READ
@a BLPOP copied 0  #block
RPUSH orig v
COPY orig copied
@a READ
LRANGE orig 0 -1
LATENCY HISTOGRAM blpop brpop blmove brpoplpush blmpop bzpopmin bzpopmax bzmpop xread xreadgroup
INFO commandstats
INFO errorstats
SLOWLOG LEN
`

// blockingMonitor shows, through MONITOR, what each server executed and in what order
// around a served blocked client.
const blockingMonitor = `
@mon MONITOR
@a BLPOP mq 0  #block
@mon READ
RPUSH mq v
@a READ
@mon READ
`

func testBlocking(t *testing.T) {
	p := startPair(t, difftest.SourceWritten, "--slowlog-log-slower-than", "0", "--slowlog-max-len", "100000")
	for _, proto := range []int{2, 3} {
		t.Logf("RESP%d", proto)
		if proto == 3 {
			p.Run(t, "HELLO 3\n@a HELLO 3\n@b HELLO 3\n@c HELLO 3\n@d HELLO 3")
		}
		p.Run(t, blockingImmediate)
		p.Run(t, blockingClients)
	}
	p.Run(t, blockingMonitor)
}
