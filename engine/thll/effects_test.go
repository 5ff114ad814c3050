package thll_test

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

// TestEffectsAgainstRedis compares dirty counts, AOF propagation, keyspace events and
// keyspace hit/miss statistics command by command.
func TestEffectsAgainstRedis(t *testing.T) {
	e := newEffects(t)
	e.Run(`
PFADD h
PFADD h
PFADD h a b c
PFADD h a b c
PFADD h a b c d
PFCOUNT h
PFCOUNT h
PFCOUNT missing
PFCOUNT h missing
PFADD h2 x
PFCOUNT h h2
PFMERGE h3 h h2
PFMERGE h3
PFMERGE h4 missing
PFCOUNT h3
PFDEBUG ENCODING h3
PFDEBUG DECODE h3
PFDEBUG GETREG h3
PFDEBUG GETREG h3
PFDEBUG TODENSE h2
PFDEBUG TODENSE h
PFDEBUG TODENSE h
PFDEBUG FOO h
PFDEBUG ENCODING missing
SET s abc
PFADD s x
PFCOUNT s
PFMERGE s h
PFMERGE h s
SET bad "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xfe\x80\x00"
PFADD bad a b c
PFCOUNT bad
PFMERGE x bad
PFADD newbad a
SETRANGE newbad 17 "\xfe"
PFADD newbad a b c d e f g h i j k l m n o p
PFCOUNT h h2 h3 h4
SET x 1
PEXPIREAT x 99999999999999
PFMERGE x h
TTL x
`)
}
