package thll_test

import (
	"io"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/engine/thll"
	"github.com/redisctl/redisctl/resp"
)

// benchEngine is an engine with a client whose replies are discarded.
type benchEngine struct {
	e *engine.Engine
	c *engine.Client
	w *resp.Writer
}

func newBench(b *testing.B) *benchEngine {
	h := enginetest.New(b, families()...)
	w := resp.NewWriter(io.Discard)
	h.E.Lock()
	c := h.E.NewClient(w)
	c.Authenticated = true
	h.E.Unlock()
	return &benchEngine{e: h.E, c: c, w: w}
}

func (be *benchEngine) exec(args ...[]byte) {
	be.e.Lock()
	be.e.Exec(be.c, args)
	be.e.Unlock()
	_ = be.w.Flush()
}

func args(s ...string) [][]byte {
	out := make([][]byte, len(s))
	for i, a := range s {
		out[i] = []byte(a)
	}
	return out
}

// fill adds n distinct elements to key, 100 per PFADD.
func (be *benchEngine) fill(key string, n int) {
	for i := 0; i < n; i += 100 {
		a := args("PFADD", key)
		for j := i; j < i+100 && j < n; j++ {
			a = append(a, []byte(key+":"+strconv.Itoa(j)))
		}
		be.exec(a...)
	}
}

// elements are pre-built PFADD arguments so the loop allocates nothing itself.
func elements(n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = []byte("element:" + strconv.Itoa(i))
	}
	return out
}

func BenchmarkPFAddDense(b *testing.B) {
	be := newBench(b)
	be.fill("h", 20000)
	els := elements(1 << 16)
	a := [][]byte{[]byte("PFADD"), []byte("h"), nil}
	b.ReportAllocs()
	i := 0
	cpu := cpuTime()
	for b.Loop() {
		a[2] = els[i&(len(els)-1)]
		be.exec(a...)
		i++
	}
	reportCPU(b, cpu)
}

// BenchmarkPFAddSparse adds to a sparse HLL of ~1000 elements (the walk of the opcodes is
// the cost); the key is rebuilt whenever it turned dense.
func BenchmarkPFAddSparse(b *testing.B) {
	be := newBench(b)
	be.fill("h", 1000)
	els := elements(1 << 16)
	a := [][]byte{[]byte("PFADD"), []byte("h"), nil}
	b.ReportAllocs()
	i := 0
	cpu := cpuTime()
	for b.Loop() {
		a[2] = els[i&(len(els)-1)]
		be.exec(a...)
		i++
		if i%512 == 0 {
			b.StopTimer()
			be.exec(args("DEL", "h")...)
			be.fill("h", 1000)
			b.StartTimer()
		}
	}
	reportCPU(b, cpu)
}

// BenchmarkPFCountDense is PFCOUNT of a dense HLL whose cache is invalid every time (the
// PFADD of an element already present does not change it, so each iteration adds a new
// element first, outside the timer's concern: both are reported).
func BenchmarkPFCountDense(b *testing.B) {
	be := newBench(b)
	be.fill("h", 20000)
	be.exec(args("PFDEBUG", "TODENSE", "h")...)
	a := args("PFCOUNT", "h")
	e := be.e.DB(0)
	b.ReportAllocs()
	b.SetBytes(thll.DenseSize)
	cpu := cpuTime()
	for b.Loop() {
		o := e.LookupReadNoTouch([]byte("h"))
		o.Bytes()[15] |= 0x80 // invalidate the cached cardinality
		be.exec(a...)
	}
	reportCPU(b, cpu)
}

// BenchmarkPFCountMulti is the union count of two dense HLLs (never cached).
func BenchmarkPFCountMulti(b *testing.B) {
	be := newBench(b)
	be.fill("a", 20000)
	be.fill("b", 20000)
	a := args("PFCOUNT", "a", "b")
	b.ReportAllocs()
	cpu := cpuTime()
	for b.Loop() {
		be.exec(a...)
	}
	reportCPU(b, cpu)
}

func BenchmarkPFMerge2(b *testing.B) {
	be := newBench(b)
	be.fill("a", 20000)
	be.fill("b", 20000)
	a := args("PFMERGE", "dst", "a", "b")
	b.ReportAllocs()
	cpu := cpuTime()
	for b.Loop() {
		be.exec(a...)
	}
	reportCPU(b, cpu)
}

func BenchmarkCountDense(b *testing.B) {
	s := thll.NewEmpty()
	for i := 0; i < 20000; i++ {
		s, _ = thll.Add(s, []byte(strconv.Itoa(i)))
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(s)))
	cpu := cpuTime()
	for b.Loop() {
		if _, err := thll.Count(s); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu)
}

// cpuTime is the process's CPU time: reported per operation ("cpu-ns/op") next to the wall
// clock, which the loaded shared machine inflates.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
}
