package tbits_test

import (
	"testing"

	"github.com/redisctl/redisctl/engine/enginetest"
)

// newEffects compares, command by command, what Redis and the engine do besides replying:
// the dirty counter, what is propagated (the real server's AOF against our Propagator),
// the keyspace events, and the keyspace hit/miss statistics.
func newEffects(t *testing.T) *enginetest.Effects {
	e := enginetest.NewEffects(t, "KEA", families()...)
	e.Stats = true
	return e
}

func TestEffectsAgainstRedis(t *testing.T) {
	e := newEffects(t)
	e.Run(`
SETBIT k 7 1
SETBIT k 7 1
SETBIT k 7 0
SETBIT k 100 0
SETBIT k 100 0
SETBIT k x 1
GETBIT k 7
SET s 42
SETBIT s 0 0
BITCOUNT k
BITPOS k 1
BITOP AND dest k s
BITOP OR dest k missing
BITOP AND dest missing1 missing2
BITOP AND dest missing1 missing2
BITOP NOT dest2 missing
BITOP XOR dest k k
BITOP FOO dest k
BITFIELD k GET u8 0
BITFIELD k GET u8 0 OVERFLOW SAT
BITFIELD_RO k GET u8 0
BITFIELD k SET u8 0 1
BITFIELD k SET u8 0 1 SET u8 0 1
BITFIELD k INCRBY u8 0 1 GET u8 0 SET i4 #3 -1
BITFIELD k OVERFLOW FAIL INCRBY u8 0 1000
BITFIELD nk OVERFLOW FAIL INCRBY u8 0 1000
BITFIELD nk2 GET u8 0
EXISTS nk
BITFIELD nk3 OVERFLOW FAIL INCRBY u8 0 1000 SET u8 8 0
BITFIELD nk3 SET u8 8 0 SET u8 16 0 GET u8 16
BITFIELD nk3 SET i8 8 0 SET i8 8 -1 SET i8 8 -1 INCRBY i8 8 0 OVERFLOW SAT INCRBY i8 8 -1000
BITFIELD nk3 OVERFLOW WRAP INCRBY u8 8 256 INCRBY u8 8 1
BITFIELD k SET u8 0 x
BITFIELD_RO k SET u8 0 1
LCS k s
LCS k s IDX
SET x 1
PEXPIREAT x 99999999999999
BITOP OR x k
TTL x
SETBIT x 1 1
GETBIT missing 1
GETBIT x 1
BITCOUNT missing
BITCOUNT x 0 1
BITPOS missing 0
BITPOS x 0
BITFIELD_RO missing GET u8 0
BITFIELD_RO x GET u8 0
BITFIELD missing GET u8 0
LCS x missing
LCS missing x IDX
BITOP AND d x missing x
`)
}
