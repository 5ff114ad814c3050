package coretest

import (
	"testing"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/engine/thash"
	"github.com/redisctl/redisctl/engine/tlist"
	"github.com/redisctl/redisctl/engine/tset"
	"github.com/redisctl/redisctl/engine/tsort"
	"github.com/redisctl/redisctl/engine/tstring"
	"github.com/redisctl/redisctl/engine/tzset"
	"github.com/redisctl/redisctl/internal/redistest"
)

func families() [][]*engine.Command {
	return [][]*engine.Command{tstring.Commands(), tlist.Commands(), tset.Commands(),
		tzset.Commands(), thash.Commands(), tsort.Commands()}
}

func newPair(t *testing.T) *enginetest.Pair {
	return enginetest.NewPair(t, families()...)
}

// newDebugPair is newPair with DEBUG enabled on the oracle (SET-ACTIVE-EXPIRE, …).
func newDebugPair(t *testing.T) *enginetest.Pair {
	return enginetest.NewPairWith(t, []redistest.Option{redistest.WithArgs("--enable-debug-command", "yes")},
		families()...)
}

// noActiveExpire stops active expiry on both sides, so expired keys stay until accessed.
func noActiveExpire(p *enginetest.Pair) {
	p.O.Do("DEBUG", "SET-ACTIVE-EXPIRE", "0")
	p.H.E.Set.ActiveExpireEnabled = false
}

func newEffects(t *testing.T) *enginetest.Effects {
	return enginetest.NewEffects(t, "KEA", families()...)
}

// fill creates one key of every type (and both encodings of each aggregate).
const fill = `
SET str hello
SET int 12345
SET big 123456789012345678901234567890
RPUSH list a b c 1 2 3
SADD iset 1 2 3
SADD hset a b c
ZADD zlp 1 a 2 b 3 c
HSET hlp f1 v1 f2 v2
`
