package coretest

import (
	"testing"
	"time"
)

// TestSetKeyOnExpiredAgainstRedis: commands that overwrite a key with setKey meet an
// expired destination with lookupKeyWrite first: "expired" event and DEL propagated, then
// the new key ("new" event).
func TestSetKeyOnExpiredAgainstRedis(t *testing.T) {
	e := newDebugEffects(t, "KEAn")
	e.Run(`
SADD src 1 2
ZADD zsrc 1 a
RPUSH lsrc 3 1 2
SET k1 v PX 1
SET k2 v PX 1
SET k3 v PX 1
SET k4 v PX 1
SET k5 v PX 1
SET k6 v PX 1
SET k7 v PX 1
`)
	time.Sleep(10 * time.Millisecond)
	e.Run(`
SET k1 new
MSET k2 new other x
SUNIONSTORE k3 src
ZUNIONSTORE k4 1 zsrc
SORT lsrc STORE k5
INCR k6
APPEND k7 x
`)
}
