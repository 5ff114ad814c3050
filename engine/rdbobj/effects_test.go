package rdbobj_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/redisctl/redisctl/engine/enginetest"
)

// effects compares what RESTORE does beyond its reply: server.dirty, keyspace events and
// what is propagated (Redis's AOF against our Propagator), through enginetest.Effects
// (absolute TTLs near now are compared as "<unix-ms>": the two servers' clocks differ by
// milliseconds).
type effects struct{ *enginetest.Effects }

func newEffects(t *testing.T) effects {
	return effects{enginetest.NewEffects(t, "KEA", families()...)}
}

func (e effects) do(args ...string) { e.Check(args) }

// TestRestoreEffectsAgainstRedis: dirty counts, keyspace events ("restore", "del" when an
// expired REPLACE deletes) and propagation (relative TTL rewritten to an absolute one with
// ABSTTL; an expired REPLACE propagated as DEL).
func TestRestoreEffectsAgainstRedis(t *testing.T) {
	e := newEffects(t)
	e.do("SET", "s", "value")
	pl := string(e.H.Do("DUMP", "s").Str)
	past := strconv.FormatInt(time.Now().Add(-time.Hour).UnixMilli(), 10)
	future := strconv.FormatInt(time.Now().Add(time.Hour).UnixMilli(), 10)
	e.do("DUMP", "s")
	e.do("DUMP", "nokey")
	e.do("RESTORE", "a", "0", pl)
	e.do("RESTORE", "a", "0", pl)
	e.do("RESTORE", "a", "0", pl, "REPLACE")
	e.do("RESTORE", "b", "300000", pl)
	e.do("RESTORE", "b", "300000", pl, "REPLACE", "IDLETIME", "10")
	e.do("RESTORE", "c", future, pl, "ABSTTL")
	e.do("RESTORE", "d", past, pl, "ABSTTL")
	e.do("RESTORE", "a", past, pl, "ABSTTL", "REPLACE")
	e.do("RESTORE", "nokey", past, pl, "ABSTTL", "REPLACE")
	e.do("RESTORE", "f", "0", "junk")
	e.do("RESTORE", "c", "0", pl, "FREQ", "3", "REPLACE")
}
