package tlist_test

import (
	"strconv"
	"testing"

	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/engine/tlist"
)

// benchEngine is enginetest.Bench with the commands benchmarked here.
type benchEngine struct{ *enginetest.Bench }

func newBenchEngine() *benchEngine {
	return &benchEngine{enginetest.NewBench(tlist.Commands())}
}

func (b *benchEngine) exec(args [][]byte) { b.Exec(args) }

func cmd(args ...string) [][]byte {
	out := make([][]byte, len(args))
	for i, a := range args {
		out[i] = []byte(a)
	}
	return out
}

func BenchmarkLPush(b *testing.B) {
	be := newBenchEngine()
	args := cmd("LPUSH", "k", "element-0123456789")
	b.SetBytes(int64(len(args[2])))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		be.exec(args)
	}
}

func BenchmarkLPushInt(b *testing.B) {
	be := newBenchEngine()
	args := cmd("RPUSH", "k", "1234567")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		be.exec(args)
	}
}

func fill(be *benchEngine, key string, n int) {
	args := cmd("RPUSH", key, "")
	for i := 0; i < n; i++ {
		args[2] = strconv.AppendInt(args[2][:0], int64(i), 10)
		args[2] = append(args[2], "-element"...)
		be.exec(args)
	}
}

func BenchmarkLPop(b *testing.B) {
	be := newBenchEngine()
	const batch = 100000
	fill(be, "k", batch)
	pop := cmd("LPOP", "k")
	b.ReportAllocs()
	b.ResetTimer()
	left := batch
	for i := 0; i < b.N; i++ {
		if left == 0 {
			b.StopTimer()
			fill(be, "k", batch)
			left = batch
			b.StartTimer()
		}
		be.exec(pop)
		left--
	}
}

func BenchmarkRPopCount10(b *testing.B) {
	be := newBenchEngine()
	const batch = 100000
	fill(be, "k", batch)
	pop := cmd("RPOP", "k", "10")
	b.ReportAllocs()
	b.ResetTimer()
	left := batch
	for i := 0; i < b.N; i++ {
		if left < 10 {
			b.StopTimer()
			be.exec(cmd("DEL", "k"))
			fill(be, "k", batch)
			left = batch
			b.StartTimer()
		}
		be.exec(pop)
		left -= 10
	}
}

func BenchmarkLRange100(b *testing.B) {
	be := newBenchEngine()
	fill(be, "k", 1000)
	args := cmd("LRANGE", "k", "0", "99")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		be.exec(args)
	}
}

func BenchmarkLRange100Middle(b *testing.B) {
	be := newBenchEngine()
	fill(be, "k", 100000)
	args := cmd("LRANGE", "k", "50000", "50099")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		be.exec(args)
	}
}

func BenchmarkLIndexMiddle(b *testing.B) {
	be := newBenchEngine()
	fill(be, "k", 100000)
	args := cmd("LINDEX", "k", "-50000")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		be.exec(args)
	}
}

func BenchmarkLMoveRotate(b *testing.B) {
	be := newBenchEngine()
	fill(be, "k", 1000)
	args := cmd("LMOVE", "k", "k", "LEFT", "RIGHT")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		be.exec(args)
	}
}

// BenchmarkLPushBigList is redis-benchmark's "LPUSH mylist xxx" into a quicklist that
// already holds 100k elements (and keeps growing).
func BenchmarkLPushBigList(b *testing.B) {
	be := newBenchEngine()
	args := cmd("LPUSH", "mylist", "xxx")
	for range 100000 {
		be.exec(args)
	}
	m := enginetest.StartCPU(b)
	for b.Loop() {
		be.exec(args)
	}
	m.Stop(b)
}
