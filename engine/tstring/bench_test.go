package tstring_test

import (
	"strconv"
	"testing"

	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/engine/tstring"
)

// BenchmarkIncrRandom100k is redis-benchmark's INCR test through the engine: "INCR
// counter:<rand>" with the number drawn from 0..99999 (zero-padded to 12 digits as
// redis-benchmark writes it), in pipelines of 16 with engine.Prefetch called per batch as
// the server does. "new" starts on an empty keyspace, emptied again every 64k commands
// (about two thirds of the commands create their key); "existing" runs on all 100k keys.
func BenchmarkIncrRandom100k(b *testing.B) {
	const space = 100000
	const ring = 1 << 16
	const pipe = 16
	cmds := make([][][]byte, ring)
	for i, n := range enginetest.RandInts(0x2545f4914f6cdd1d, ring, space) {
		cmds[i] = [][]byte{[]byte("INCR"), []byte("counter:" + n)}
	}
	b.Run("new", func(b *testing.B) {
		be := enginetest.NewBench(tstring.Commands())
		flush := [][]byte{[]byte("FLUSHALL")}
		m := enginetest.StartCPU(b)
		i := 0
		for b.Loop() {
			if i%pipe == 0 {
				if i == 0 {
					b.StopTimer()
					be.Exec(flush)
					b.StartTimer()
				}
				be.Prefetch(cmds[i : i+pipe])
			}
			be.Exec(cmds[i])
			if i++; i == ring {
				i = 0
			}
		}
		m.Stop(b)
	})
	b.Run("existing", func(b *testing.B) {
		be := enginetest.NewBench(tstring.Commands())
		for i := range space {
			n := strconv.FormatUint(1e12+uint64(i), 10)[1:]
			be.Exec([][]byte{[]byte("SET"), []byte("counter:" + n), []byte("0")})
		}
		be.RunPipelined(b, cmds, pipe)
	})
}
