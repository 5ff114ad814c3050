package tstream_test

import (
	"fmt"
	"testing"

	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/engine/tstream"
	"github.com/redisctl/redisctl/engine/tstring"
)

func newPair(t *testing.T) *enginetest.Pair {
	return enginetest.NewPair(t, tstream.Commands(), tstring.Commands())
}

// TestBasicAgainstRedis covers XADD, XRANGE, XREVRANGE, XLEN, XDEL, XTRIM with explicit IDs.
func TestBasicAgainstRedis(t *testing.T) {
	p := newPair(t)
	p.Run(basicScript)
}

const basicScript = `
XADD s 1-1 a 1 b 2
XADD s 1-2 a 3 b 4
XADD s 1-3 c 5
XADD s 2 a x b y
XADD s 2-* a x b y
XADD s 3-* a x
XADD s 1-1 a 1
XADD s 3-1 a 1
XADD s 0-0 a 1
XADD s 0 a 1
XADD s 0-* a 1
XADD s x a 1
XADD s 1-x a 1
XADD s + a 1
XADD s - a 1
XADD s 5-5 a
XADD s 5-5 a 1 b
XADD s 5-5
XADD s 5
XADD s
XLEN s
XLEN nokey
XRANGE s - +
XRANGE s - + COUNT 2
XRANGE s - + COUNT 0
XRANGE s - + COUNT -1
XRANGE s - + COUNT x
XRANGE s - + COUNT
XRANGE s - + FOO
XRANGE s 1 1
XRANGE s 1-2 2
XRANGE s (1-2 +
XRANGE s - (2-1
XRANGE s (1-1 (2-1
XRANGE s ( +
XRANGE s (- +
XRANGE s - (+
XRANGE s x +
XRANGE s - y
XRANGE s (18446744073709551615-18446744073709551615 +
XRANGE s - (0-0
XRANGE s 18446744073709551615 +
XRANGE s 2 1
XRANGE nokey - +
XRANGE nokey - + COUNT 0
XREVRANGE s + -
XREVRANGE s + - COUNT 2
XREVRANGE s (3 -
XREVRANGE s + (1-1
XREVRANGE s 1 2
XREVRANGE nokey + -
XREVRANGE s + - COUNT 0
XDEL s 1-2
XDEL s 1-2 9-9
XDEL s x
XDEL nokey 1-1
XDEL s 1-1 1-3
XRANGE s - +
XLEN s
XTRIM s MAXLEN 2
XRANGE s - +
XTRIM s MAXLEN = 1
XTRIM s MAXLEN ~ 0
XTRIM s MINID 5
XLEN s
XTRIM s
XTRIM s MAXLEN
XTRIM s MAXLEN -1
XTRIM s MAXLEN x
XTRIM s MINID x
XTRIM s MAXLEN 1 MINID 1
XTRIM s MAXLEN 1 LIMIT 10
XTRIM s MAXLEN ~ 1 LIMIT -1
XTRIM s MAXLEN ~ 1 LIMIT x
XTRIM s LIMIT 10
XTRIM s FOO
XTRIM nokey MAXLEN 1
XTRIM nokey MAXLEN x
SET str v
XADD str * a 1
XRANGE str - +
XLEN str
XDEL str 1-1
XTRIM str MAXLEN 1
XADD nokey2 NOMKSTREAM * a 1
EXISTS nokey2
XADD s NOMKSTREAM 10-1 a 1
XADD s MAXLEN 1 11-1 a 1
XRANGE s - +
XADD s MAXLEN -1 12-1 a 1
XADD s MAXLEN x 12-1 a 1
XADD s MINID x 12-1 a 1
XADD s MAXLEN 1 MINID 1 12-1 a 1
XADD s LIMIT 5 12-1 a 1
XADD s MAXLEN 5 LIMIT 5 12-1 a 1
XADD s MAXLEN ~ 5 LIMIT 5 12-1 a 1
XADD s MAXLEN ~ 5 LIMIT -5 12-1 a 1
XADD s MAXLEN
XADD s MAXLEN 5
XADD s MAXLEN 5 12-2
XADD s FOO 1 2
XINFO STREAM s
XINFO STREAM nokey
XINFO STREAM str
XADD e 18446744073709551615-18446744073709551615 a 1
XADD e * a 1
XADD e 18446744073709551615-* a 1
XINFO STREAM e
`

func TestBasicRESP3AgainstRedis(t *testing.T) {
	p := newPair(t)
	p.SetProto(3)
	p.Run(basicScript)
}

// TestTrimAgainstRedis covers exact and approximate trimming, LIMIT, MINID, over several
// nodes, and what XADD does with them.
func TestTrimAgainstRedis(t *testing.T) {
	p := newPair(t)
	fill := func(n int) {
		p.Check([]string{"DEL", "s"})
		for i := 1; i <= n; i++ {
			p.Check([]string{"XADD", "s", fmt.Sprintf("1-%d", i), "f", "v"})
		}
	}
	fill(450)
	p.Run(`
XTRIM s MAXLEN ~ 449
XTRIM s MAXLEN ~ 350
XTRIM s MAXLEN ~ 349
XINFO STREAM s
XTRIM s MAXLEN 330
XTRIM s MAXLEN ~ 0 LIMIT 79
XTRIM s MAXLEN ~ 0 LIMIT 80
XTRIM s MAXLEN ~ 0 LIMIT 0
XINFO STREAM s
MEMORY USAGE s SAMPLES 0
`)
	fill(450)
	p.Run(`
XTRIM s MINID ~ 1-150
XTRIM s MINID ~ 1-201
XTRIM s MINID 1-250
XTRIM s MINID = 1-260
XTRIM s MINID ~ 1-999 LIMIT 50
XTRIM s MINID ~ 1-999 LIMIT 250
XINFO STREAM s
XTRIM s MINID 1-0
XTRIM s MINID 0
XTRIM s MINID (1-2
XTRIM s MINID -
XTRIM s MINID 18446744073709551615-18446744073709551615
XINFO STREAM s
`)
	fill(350)
	p.Run(`
XADD s MAXLEN ~ 100 2-1 f v
XADD s MAXLEN ~ 100 LIMIT 10 2-2 f v
XADD s MINID ~ 2-0 2-3 f v
XADD s MAXLEN 5 2-4 f v
XINFO STREAM s
MEMORY USAGE s
`)
	p.O.Do("CONFIG", "SET", "stream-node-max-entries", "0")
	p.H.E.Lock()
	p.H.E.Set.StreamNodeMaxEntries = 0
	p.H.E.Unlock()
	fill(300)
	p.Run(`
XINFO STREAM s
XTRIM s MAXLEN ~ 10
XINFO STREAM s
`)
}

// TestWatchAgainstRedis checks which commands touch WATCHed keys (signalModifiedKey).
func TestWatchAgainstRedis(t *testing.T) {
	p := newPair(t)
	other := p.NewClient()
	p.Run(`
XADD s 1-1 a 1
XADD s 1-2 a 1
XGROUP CREATE s g 0
`)
	for _, cmd := range []string{
		"XADD s 2-1 a 1", "XDEL s 2-1", "XDEL s 9-9", "XTRIM s MAXLEN 100", "XTRIM s MAXLEN 1",
		"XGROUP CREATE s g2 0", "XGROUP SETID s g 0", "XREADGROUP GROUP g c STREAMS s >",
		"XACK s g 1-2", "XCLAIM s g d 0 1-2 FORCE", "XAUTOCLAIM s g e 0 0", "XGROUP CREATECONSUMER s g f",
		"XGROUP DELCONSUMER s g f", "XGROUP DESTROY s g2", "XSETID s 5-5", "XGROUP CREATE n g $ MKSTREAM",
	} {
		p.Check([]string{"WATCH", "s", "n"})
		other.Run(cmd)
		p.Run("MULTI\nXLEN s\nEXEC")
	}
}
