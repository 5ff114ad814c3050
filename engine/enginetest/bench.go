package enginetest

import (
	"io"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/resp"
)

// Bench is an engine with the core commands plus the given families and one authenticated
// client whose replies are discarded: a benchmark through it measures the commands, not
// the test plumbing (Harness parses every reply).
type Bench struct {
	E   *engine.Engine
	C   *engine.Client
	W   *resp.Writer
	pre []engine.PrefetchCmd
}

// NewBench builds a Bench.
func NewBench(families ...[]*engine.Command) *Bench {
	tbl := engine.NewTable()
	tbl.Register(engine.CoreCommands()...)
	for _, f := range families {
		tbl.Register(f...)
	}
	b := &Bench{E: engine.New(engine.DefaultSettings(), tbl), W: resp.NewWriter(io.Discard)}
	b.E.Lock()
	b.C = b.E.NewClient(b.W)
	b.C.Authenticated = true
	b.E.Unlock()
	return b
}

// Exec runs one command under the lock; the replies are dropped now and then.
func (b *Bench) Exec(args [][]byte) {
	b.E.Lock()
	b.E.Exec(b.C, args)
	b.E.Unlock()
	if b.W.Buffered() > 1<<16 {
		_ = b.W.Flush()
	}
}

// Prefetch hands the engine the leading arguments of a pipeline's commands before they
// run, as the server does for every batch it reads (engine.Prefetch).
func (b *Bench) Prefetch(cmds [][][]byte) {
	b.pre = b.pre[:0]
	for _, c := range cmds {
		p := engine.PrefetchCmd{Argc: len(c)}
		copy(p.Args[:], c)
		b.pre = append(b.pre, p)
	}
	b.E.Lock()
	b.E.Prefetch(b.C, b.pre)
	b.E.Unlock()
}

// RunPipelined runs cmds round-robin in pipelines of pipe commands, each pipeline
// prefetched first as the server does, for b.N commands, and reports the CPU per command.
// len(cmds) must be a multiple of pipe.
func (b *Bench) RunPipelined(tb *testing.B, cmds [][][]byte, pipe int) {
	m := StartCPU(tb)
	i := 0
	for tb.Loop() {
		if i%pipe == 0 {
			b.Prefetch(cmds[i : i+pipe])
		}
		b.Exec(cmds[i])
		if i++; i == len(cmds) {
			i = 0
		}
	}
	m.Stop(tb)
}

// CPUTime is the process's user+system CPU time.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// CPUMeter reports the process's CPU time per operation ("cpu-ns/op") next to the wall
// clock, which a loaded shared machine inflates.
type CPUMeter struct{ start time.Duration }

// StartCPU reports allocations, resets the timer and starts measuring.
func StartCPU(b *testing.B) *CPUMeter {
	b.ReportAllocs()
	b.ResetTimer()
	return &CPUMeter{start: CPUTime()}
}

// Stop reports the CPU time per operation since StartCPU.
func (m *CPUMeter) Stop(b *testing.B) {
	b.ReportMetric(float64(CPUTime()-m.start)/float64(b.N), "cpu-ns/op")
}

// RandInts returns n numbers drawn from 0..space-1 by an xorshift seeded with seed,
// zero-padded to 12 digits as redis-benchmark writes __rand_int__ with -r space.
func RandInts(seed uint64, n, space int) []string {
	out := make([]string, n)
	x := seed
	var buf [20]byte
	for i := range out {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		// 1e12+v is "1" and v in 12 digits: drop the "1".
		out[i] = string(strconv.AppendUint(buf[:0], 1e12+x%uint64(space), 10)[1:])
	}
	return out
}
