package coretest

import (
	"testing"
	"time"
)

func TestMultiAgainstRedis(t *testing.T) {
	p := newPair(t)
	p.Run(`
EXEC
DISCARD
MULTI
MULTI
SET a 1
INCR a
GET a
EXEC
EXEC
MULTI
SET a 2
DISCARD
GET a
MULTI
EXEC
MULTI
SET a 3
NOSUCHCOMMAND x
GET a
EXEC
GET a
MULTI
SET a
EXEC
MULTI
GET a b
SET a 4
EXEC
MULTI
INCR str
SET str x
INCR str
LPUSH str x
GET str
EXEC
MULTI
WATCH a
UNWATCH
EXEC
WATCH
UNWATCH x
MULTI x
EXEC x
DISCARD x
MULTI
SELECT 1
SET a db1
EXEC
GET a
SELECT 1
GET a
SELECT 0
MULTI
SELECT 99
GET a
EXEC
MULTI
DISCARD
MULTI
EXEC
MULTI
SET a 5
EXPIRE a 100
TTL a
EXEC
MULTI
FLUSHDB
EXEC
DBSIZE
`)
}

func TestWatchAgainstRedis(t *testing.T) {
	p := newPair(t)
	q := p.NewClient()
	// tx runs WATCH keys on p, cmds on q, then MULTI/EXEC on p.
	tx := func(setup, watch, other string) {
		t.Helper()
		p.Run("FLUSHALL\n" + setup)
		p.Run("WATCH " + watch)
		q.Run(other)
		p.Run("MULTI\nSET done 1\nEXEC\nEXISTS done")
	}
	tx("SET a 1", "a", "GET a")
	tx("SET a 1", "a", "SET a 2")
	tx("SET a 1", "a", "SET a 1")
	tx("SET a 1", "a", "DEL a")
	tx("SET a 1", "a", "DEL nokey")
	tx("", "a", "SET a 1")
	tx("", "a", "DEL a")
	tx("SET a 1", "a", "EXPIRE a 100")
	tx("SET a 1", "a", "PERSIST a")
	tx("SET a 1 EX 100", "a", "PERSIST a")
	tx("SET a 1", "a", "RENAME a b")
	tx("SET b 1", "a", "RENAME b a")
	tx("SET a 1", "a", "MOVE a 1")
	tx("SET a 1", "a", "COPY a b")
	tx("SET b 1", "a", "COPY b a")
	tx("SET a 1", "a", "SELECT 1\nSET a 2\nSELECT 0")
	tx("SET a 1", "a", "FLUSHDB")
	tx("", "a", "FLUSHDB")
	tx("SET a 1", "a", "FLUSHALL")
	tx("SELECT 1\nSET a 1\nSELECT 0", "a", "FLUSHALL")
	tx("", "a", "SELECT 1\nFLUSHDB\nSELECT 0")
	tx("SET a 1", "a", "SWAPDB 0 1")
	tx("", "a", "SWAPDB 0 1")
	tx("SELECT 1\nSET a 1\nSELECT 0", "a", "SWAPDB 0 1")
	tx("SELECT 1\nSET a 1\nSELECT 0", "a", "SWAPDB 1 2")
	tx("SET a 1\nSELECT 1\nSET a 1\nSELECT 0", "a", "SWAPDB 0 1")
	tx("SET a 1", "a b c", "SET c 1")
	tx("SET a 1", "a", "SORT nokey STORE a")
	tx("RPUSH l 1", "a", "SORT l STORE a")
	tx("SET a 1", "a a a", "UNWATCH")
	// WATCH inside MULTI, and a watch made void by UNWATCH.
	p.Run("FLUSHALL\nMULTI\nWATCH a\nEXEC")
	p.Run("WATCH a")
	q.Run("SET a 1")
	p.Run("UNWATCH\nMULTI\nGET a\nEXEC")
	// DISCARD unwatches.
	p.Run("WATCH a")
	q.Run("SET a 2")
	p.Run("MULTI\nDISCARD\nMULTI\nGET a\nEXEC")
	// A failed EXEC unwatches as well.
	p.Run("WATCH a")
	q.Run("SET a 3")
	p.Run("MULTI\nGET a\nEXEC\nMULTI\nGET a\nEXEC")
	// EXECABORT after a queuing error, with a watched key touched.
	p.Run("WATCH a")
	q.Run("SET a 4")
	p.Run("MULTI\nGET a b\nEXEC")
	// A refused EXEC (wrong arity) discards and unwatches, even outside MULTI.
	p.Run("WATCH a\nEXEC x")
	q.Run("SET a 5")
	p.Run("MULTI\nGET a\nEXEC")
	p.Run("MULTI\nSET a 6\nEXEC x\nEXEC\nGET a")
	// A watched key touched by the watching client itself before MULTI.
	p.Run("WATCH a\nSET a 5\nMULTI\nGET a\nEXEC")
	// Touched inside the transaction by the transaction itself: EXEC runs.
	p.Run("WATCH a\nMULTI\nSET a 6\nEXEC")
}

// TestWatchExpireAgainstRedis: WATCH and keys that expire (Redis 7.0: a key already
// expired when watched is not a change when it is deleted; a key that expires between
// WATCH and EXEC fails the EXEC).
func TestWatchExpireAgainstRedis(t *testing.T) {
	p := newDebugPair(t)
	q := p.NewClient()
	// A key that expires after WATCH: EXEC fails.
	p.Run("SET a 1 PX 30\nWATCH a")
	time.Sleep(60 * time.Millisecond)
	p.Run("MULTI\nSET done 1\nEXEC")
	// Already expired (but not deleted) when watched, deleted on access by another
	// client: nothing changed logically, EXEC runs.
	noActiveExpire(p)
	p.Run("SET b 1 PX 10")
	time.Sleep(30 * time.Millisecond)
	p.Run("WATCH b")
	q.Run("GET b")
	p.Run("MULTI\nSET done 2\nEXEC")
	// Expired when watched, then set again by another client: EXEC fails.
	p.Run("SET c 1 PX 10")
	time.Sleep(30 * time.Millisecond)
	p.Run("WATCH c")
	q.Run("SET c 2")
	p.Run("MULTI\nSET done 3\nEXEC")
	// Expired when watched, FLUSHDB: nothing changed logically.
	p.Run("SET d 1 PX 10")
	time.Sleep(30 * time.Millisecond)
	p.Run("WATCH d")
	q.Run("FLUSHDB")
	p.Run("MULTI\nSET done 4\nEXEC")
	// Expired when watched in db 0, SWAPDB brings a live key of the same name.
	p.Run("SET e 1 PX 10\nSELECT 1\nSET e 2\nSELECT 0")
	time.Sleep(30 * time.Millisecond)
	p.Run("WATCH e")
	q.Run("SWAPDB 0 1")
	p.Run("MULTI\nSET done 5\nEXEC")
	// Live when watched, SWAPDB brings an expired key of the same name.
	p.Run("FLUSHALL\nSET f 1\nSELECT 1\nSET f 2 PX 10\nSELECT 0")
	time.Sleep(30 * time.Millisecond)
	p.Run("WATCH f")
	q.Run("SWAPDB 0 1")
	p.Run("MULTI\nSET done 6\nEXEC")
	// Missing when watched, SWAPDB brings an expired key: nothing visible changed.
	p.Run("FLUSHALL\nSELECT 1\nSET g 2 PX 10\nSELECT 0")
	time.Sleep(30 * time.Millisecond)
	p.Run("WATCH g")
	q.Run("SWAPDB 0 1")
	p.Run("MULTI\nSET done 7\nEXEC")
	// A watched key with a TTL in the future: EXEC runs.
	p.Run("SET h 1 EX 100\nWATCH h\nMULTI\nSET done 8\nEXEC")
}
