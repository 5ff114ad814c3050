package tstring_test

import (
	"io"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/tstring"
	"github.com/redisctl/redisctl/resp"
)

// benchEngine is an engine with the string commands and one client whose replies are
// discarded, so a benchmark measures the command, not the test plumbing.
type benchEngine struct {
	e *engine.Engine
	c *engine.Client
	w *resp.Writer
}

func newBenchEngine() *benchEngine {
	tbl := engine.NewTable()
	tbl.Register(engine.CoreCommands()...)
	tbl.Register(tstring.Commands()...)
	e := engine.New(engine.DefaultSettings(), tbl)
	w := resp.NewWriter(io.Discard)
	e.Lock()
	c := e.NewClient(w)
	c.Authenticated = true
	e.Unlock()
	return &benchEngine{e: e, c: c, w: w}
}

func (b *benchEngine) exec(args [][]byte) {
	b.e.Lock()
	b.e.Exec(b.c, args)
	b.e.Unlock()
	if b.w.Buffered() > 1<<16 {
		_ = b.w.Flush()
	}
}

// cpuTime is the process's user+system CPU time: benchmarks report it per operation
// ("cpu-ns/op") next to the wall clock, which a loaded shared machine inflates.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkIncrRandom100k is redis-benchmark's INCR test through the engine: "INCR
// counter:<rand>" with the number drawn from 0..99999 (zero-padded to 12 digits as
// redis-benchmark writes it), in pipelines of 16 with engine.Prefetch called per batch as
// the server does. "new" starts on an empty keyspace, emptied again every 64k commands
// (about two thirds of the commands create their key); "existing" runs on all 100k keys.
func BenchmarkIncrRandom100k(b *testing.B) {
	const space = 100000
	const ring = 1 << 16
	cmds := make([][][]byte, ring)
	x := uint64(0x2545f4914f6cdd1d)
	for i := range cmds {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		s := strconv.FormatUint(x%space, 10)
		for len(s) < 12 {
			s = "0" + s
		}
		cmds[i] = [][]byte{[]byte("INCR"), []byte("counter:" + s)}
	}
	run := func(b *testing.B, be *benchEngine, reset bool) {
		const pipe = 16
		pre := make([]engine.PrefetchCmd, pipe)
		flush := [][]byte{[]byte("FLUSHALL")}
		b.ReportAllocs()
		start := cpuTime()
		i := 0
		for b.Loop() {
			if i%pipe == 0 {
				if reset && i%ring == 0 {
					b.StopTimer()
					be.exec(flush)
					b.StartTimer()
				}
				for k := range pre {
					c := cmds[(i+k)&(ring-1)]
					pre[k] = engine.PrefetchCmd{Argc: len(c)}
					copy(pre[k].Args[:], c)
				}
				be.e.Lock()
				be.e.Prefetch(be.c, pre)
				be.e.Unlock()
			}
			be.exec(cmds[i&(ring-1)])
			i++
		}
		b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
	}
	b.Run("new", func(b *testing.B) { run(b, newBenchEngine(), true) })
	b.Run("existing", func(b *testing.B) {
		be := newBenchEngine()
		for i := range space {
			s := strconv.Itoa(i)
			for len(s) < 12 {
				s = "0" + s
			}
			be.exec([][]byte{[]byte("SET"), []byte("counter:" + s), []byte("0")})
		}
		run(b, be, false)
	})
}
