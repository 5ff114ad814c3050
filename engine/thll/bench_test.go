package thll_test

import (
	"strconv"
	"testing"

	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/engine/thll"
)

func newBench() *enginetest.Bench { return enginetest.NewBench(families()...) }

func args(s ...string) [][]byte {
	out := make([][]byte, len(s))
	for i, a := range s {
		out[i] = []byte(a)
	}
	return out
}

// fill adds n distinct elements to key, 100 per PFADD.
func fill(be *enginetest.Bench, key string, n int) {
	for i := 0; i < n; i += 100 {
		a := args("PFADD", key)
		for j := i; j < i+100 && j < n; j++ {
			a = append(a, []byte(key+":"+strconv.Itoa(j)))
		}
		be.Exec(a)
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
	be := newBench()
	fill(be, "h", 20000)
	els := elements(1 << 16)
	a := [][]byte{[]byte("PFADD"), []byte("h"), nil}
	i := 0
	m := enginetest.StartCPU(b)
	for b.Loop() {
		a[2] = els[i&(len(els)-1)]
		be.Exec(a)
		i++
	}
	m.Stop(b)
}

// BenchmarkPFAddSparse adds to a sparse HLL of ~1000 elements (the walk of the opcodes is
// the cost); the key is rebuilt whenever it turned dense.
func BenchmarkPFAddSparse(b *testing.B) {
	be := newBench()
	fill(be, "h", 1000)
	els := elements(1 << 16)
	a := [][]byte{[]byte("PFADD"), []byte("h"), nil}
	i := 0
	m := enginetest.StartCPU(b)
	for b.Loop() {
		a[2] = els[i&(len(els)-1)]
		be.Exec(a)
		i++
		if i%512 == 0 {
			b.StopTimer()
			be.Exec(args("DEL", "h"))
			fill(be, "h", 1000)
			b.StartTimer()
		}
	}
	m.Stop(b)
}

// BenchmarkPFCountDense is PFCOUNT of a dense HLL whose cache is invalid every time (the
// PFADD of an element already present does not change it, so each iteration adds a new
// element first, outside the timer's concern: both are reported).
func BenchmarkPFCountDense(b *testing.B) {
	be := newBench()
	fill(be, "h", 20000)
	be.Exec(args("PFDEBUG", "TODENSE", "h"))
	a := args("PFCOUNT", "h")
	e := be.E.DB(0)
	b.SetBytes(thll.DenseSize)
	m := enginetest.StartCPU(b)
	for b.Loop() {
		o := e.LookupReadNoTouch([]byte("h"))
		o.Bytes()[15] |= 0x80 // invalidate the cached cardinality
		be.Exec(a)
	}
	m.Stop(b)
}

// BenchmarkPFCountMulti is the union count of two dense HLLs (never cached).
func BenchmarkPFCountMulti(b *testing.B) {
	be := newBench()
	fill(be, "a", 20000)
	fill(be, "b", 20000)
	a := args("PFCOUNT", "a", "b")
	m := enginetest.StartCPU(b)
	for b.Loop() {
		be.Exec(a)
	}
	m.Stop(b)
}

func BenchmarkPFMerge2(b *testing.B) {
	be := newBench()
	fill(be, "a", 20000)
	fill(be, "b", 20000)
	a := args("PFMERGE", "dst", "a", "b")
	m := enginetest.StartCPU(b)
	for b.Loop() {
		be.Exec(a)
	}
	m.Stop(b)
}

func BenchmarkCountDense(b *testing.B) {
	s := thll.NewEmpty()
	for i := 0; i < 20000; i++ {
		s, _ = thll.Add(s, []byte(strconv.Itoa(i)))
	}
	b.SetBytes(int64(len(s)))
	m := enginetest.StartCPU(b)
	for b.Loop() {
		if _, err := thll.Count(s); err != nil {
			b.Fatal(err)
		}
	}
	m.Stop(b)
}
