package tsort_test

import (
	"testing"
	"time"

	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/engine/thash"
	"github.com/redisctl/redisctl/engine/tlist"
	"github.com/redisctl/redisctl/engine/tset"
	"github.com/redisctl/redisctl/engine/tsort"
	"github.com/redisctl/redisctl/engine/tstring"
	"github.com/redisctl/redisctl/engine/tzset"
	"github.com/redisctl/redisctl/internal/redistest"
)

// TestSortEffectsAgainstRedis: dirty counts, keyspace events ("sortstore", "del", "new",
// "expired", keymiss for BY/GET lookups) and propagation of SORT … STORE.
func TestSortEffectsAgainstRedis(t *testing.T) {
	e := enginetest.NewEffectsWith(t, "KEAnm",
		[]redistest.Option{redistest.WithArgs("--enable-debug-command", "yes")},
		tsort.Commands(), tlist.Commands(), tset.Commands(), tzset.Commands(), thash.Commands(),
		tstring.Commands())
	// Expired keys stay until a command meets them (the harness runs no expiry cycle).
	e.O.Do("DEBUG", "SET-ACTIVE-EXPIRE", "0")
	e.Run(`
RPUSH l 3 1 2
SORT l
SORT l STORE dst
SORT l STORE dst
SORT l LIMIT 0 1 STORE dst
SORT l LIMIT 5 1 STORE dst
SORT l LIMIT 5 1 STORE dst
SORT nokey STORE dst
SORT l BY w_* GET o_*
SORT l BY w_* GET o_* GET # STORE dst
SORT l GET o_* GET # LIMIT 0 0 STORE dst
SET str x
SORT l STORE str
TYPE str
SADD s c a b
SORT s BY nosort STORE dst
SORT_RO s BY nosort  #unordered
ZADD z 2 b 1 a
SORT z BY nosort STORE dst
SORT z ALPHA STORE z
TYPE z
SET ttl v EX 100
SORT l STORE ttl
TTL ttl
SORT l STORE l
LRANGE l 0 -1
SORT str
SORT l LIMIT x 1 STORE dst
SET x v PX 1
`)
	time.Sleep(5 * time.Millisecond)
	e.Run(`
SORT l STORE x
SET y v PX 1
`)
	time.Sleep(5 * time.Millisecond)
	e.Run(`
SORT nokey STORE y
SET yy v PX 1
`)
	time.Sleep(5 * time.Millisecond)
	e.Run(`
SORT l BY yy GET yy
RPUSH b 1 x
SORT b STORE dst
`)
}
