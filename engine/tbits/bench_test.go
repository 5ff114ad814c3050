package tbits_test

import (
	"io"
	"strconv"
	"testing"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/resp"
)

// benchEngine is an engine with a client whose replies are discarded, so that the numbers
// measure the commands and not the test harness's reply parsing.
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

func fill1MB(be *benchEngine, key string) {
	v := make([]byte, 1<<20)
	for i := range v {
		v[i] = byte(i*7 + i>>8)
	}
	be.exec([]byte("SET"), []byte(key), v)
}

func BenchmarkBitCount1MB(b *testing.B) {
	be := newBench(b)
	fill1MB(be, "k")
	a := args("BITCOUNT", "k")
	b.SetBytes(1 << 20)
	b.ReportAllocs()
	for b.Loop() {
		be.exec(a...)
	}
}

func BenchmarkBitCount1MBBitRange(b *testing.B) {
	be := newBench(b)
	fill1MB(be, "k")
	a := args("BITCOUNT", "k", "3", "-5", "BIT")
	b.SetBytes(1 << 20)
	b.ReportAllocs()
	for b.Loop() {
		be.exec(a...)
	}
}

func BenchmarkBitPos1MB(b *testing.B) {
	be := newBench(b)
	be.exec(args("SETBIT", "k", strconv.Itoa(8<<20-1), "1")...)
	a := args("BITPOS", "k", "1")
	b.SetBytes(1 << 20)
	b.ReportAllocs()
	for b.Loop() {
		be.exec(a...)
	}
}

func BenchmarkSetBit(b *testing.B) {
	be := newBench(b)
	be.exec(args("SETBIT", "k", "100000", "1")...)
	offs := make([][][]byte, 1024)
	for i := range offs {
		offs[i] = args("SETBIT", "k", strconv.Itoa(i*97), strconv.Itoa(i&1))
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		be.exec(offs[i&1023]...)
		i++
	}
}

func BenchmarkGetBit(b *testing.B) {
	be := newBench(b)
	be.exec(args("SETBIT", "k", "100000", "1")...)
	a := args("GETBIT", "k", "100000")
	b.ReportAllocs()
	for b.Loop() {
		be.exec(a...)
	}
}

func BenchmarkBitOpAnd1MB(b *testing.B) {
	be := newBench(b)
	fill1MB(be, "a")
	fill1MB(be, "b")
	a := args("BITOP", "AND", "dest", "a", "b")
	b.SetBytes(2 << 20)
	b.ReportAllocs()
	for b.Loop() {
		be.exec(a...)
	}
}

func BenchmarkBitfield(b *testing.B) {
	be := newBench(b)
	a := args("BITFIELD", "k", "INCRBY", "u8", "#10", "1", "SET", "i32", "#3", "-12345", "GET", "i64", "13", "OVERFLOW", "SAT", "INCRBY", "u63", "100", "1000")
	b.ReportAllocs()
	for b.Loop() {
		be.exec(a...)
	}
}

func BenchmarkBitfieldRO(b *testing.B) {
	be := newBench(b)
	be.exec(args("SETBIT", "k", "1000", "1")...)
	a := args("BITFIELD_RO", "k", "GET", "u8", "#10", "GET", "i64", "13")
	b.ReportAllocs()
	for b.Loop() {
		be.exec(a...)
	}
}

func BenchmarkLCS(b *testing.B) {
	be := newBench(b)
	x, y := make([]byte, 300), make([]byte, 300)
	for i := range x {
		x[i], y[i] = "acgt"[i*7%4], "acgt"[i*5%3]
	}
	be.exec([]byte("SET"), []byte("x"), x)
	be.exec([]byte("SET"), []byte("y"), y)
	for _, mode := range []string{"", "LEN", "IDX"} {
		a := args("LCS", "x", "y")
		if mode != "" {
			a = append(a, []byte(mode))
		}
		b.Run("mode="+mode, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				be.exec(a...)
			}
		})
	}
}
