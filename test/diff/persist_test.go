package diff_test

import (
	"testing"

	"github.com/redisctl/redisctl/internal/difftest"
)

// persistScript drives the RDB persistence commands on both servers (each writes its own
// dump.rdb in its own directory): SAVE, BGSAVE [SCHEDULE] and their errors, DEBUG RELOAD
// and its options, save points set with CONFIG SET and FLUSHALL with save points. The
// file contents, INFO persistence and the log lines are checked by server/persist's
// tests; here the replies must be Redis's. (DEBUG RELOAD NOFLUSH without MERGE over
// keys already present kills redis-server: "Duplicated key found in RDB file".)
const persistScript = `
SAVE
SAVE extra
BGSAVE x
BGSAVE SCHEDULE x
SET k v
RPUSH l a b c
HSET h f v
ZADD z 1 a 2 b
SADD s 1 2 3
SET e x EX 1000
SELECT 2
SET other db
SELECT 0
SAVE
DBSIZE
DEBUG RELOAD
DBSIZE
GET k
LRANGE l 0 -1
TTL e
SELECT 2
GET other
SELECT 0
SET k changed
DEBUG RELOAD NOSAVE
GET k
SET k2 only-in-memory
DEBUG RELOAD NOFLUSH MERGE
GET k2
DEBUG RELOAD bogus
BGSAVE
SLEEP 500
BGSAVE SCHEDULE
SLEEP 500
MULTI
BGSAVE
EXEC
SLEEP 500
BGSAVE SCHEDULE
SLEEP 500
CONFIG SET save "100 10"
CONFIG GET save
FLUSHALL
DBSIZE
DEBUG RELOAD NOSAVE
DBSIZE
CONFIG SET save ""
LASTSAVE
`

func testPersist(t *testing.T) {
	p := startPair(t, difftest.SourceWritten, "--enable-debug-command", "yes")
	p.Run(t, persistScript)
}
