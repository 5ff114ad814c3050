package diff_test

import (
	"testing"

	"github.com/redisctl/redisctl/internal/difftest"
)

// aofScript drives the AOF commands on both servers (each with its own appendonlydir):
// BGREWRITEAOF (arity, inside MULTI: scheduled, with the AOF off and on), CONFIG SET
// appendonly yes/no and appendfsync at run time, writes in between. The files, the log
// lines and INFO persistence are checked by server/persist's and aof's tests (real
// redis-server loads what redisctl writes); here the replies must be Redis's.
const aofScript = `
BGREWRITEAOF x
SET k v
MULTI
BGREWRITEAOF
EXEC
SLEEP 1000
CONFIG SET appendonly yes
SLEEP 1000
CONFIG GET appendonly
SET a 1
INCR n
RPUSH l a b c
BGREWRITEAOF
SLEEP 1000
CONFIG SET appendfsync always
SET b 2
CONFIG SET appendfsync everysec
CONFIG SET appendonly no
SET c 3
CONFIG SET appendonly yes
SLEEP 1000
GET c
DBSIZE
CONFIG SET appendonly no
`

func testAOF(t *testing.T) {
	p := startPair(t, difftest.SourceWritten)
	p.Run(t, aofScript)
}
