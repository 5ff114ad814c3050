package tstream_test

import (
	"strconv"
	"testing"

	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/engine/tstream"
)

// benchEngine is enginetest.Bench with the commands benchmarked here.
type benchEngine struct{ *enginetest.Bench }

func newBenchEngine() *benchEngine {
	return &benchEngine{enginetest.NewBench(tstream.Commands())}
}

func (b *benchEngine) exec(args [][]byte) { b.Exec(args) }

func cmd(args ...string) [][]byte {
	out := make([][]byte, len(args))
	for i, a := range args {
		out[i] = []byte(a)
	}
	return out
}

// BenchmarkXAdd appends with auto IDs (same fields: SAMEFIELDS entries).
func BenchmarkXAdd(b *testing.B) {
	be := newBenchEngine()
	args := cmd("XADD", "s", "*", "sensor", "temp-0042", "value", "21.5")
	m := enginetest.StartCPU(b)
	for i := 0; i < b.N; i++ {
		be.exec(args)
	}
	m.Stop(b)
}

// BenchmarkXAddExplicit appends with explicit IDs and MAXLEN ~ trimming.
func BenchmarkXAddMaxLen(b *testing.B) {
	be := newBenchEngine()
	args := cmd("XADD", "s", "MAXLEN", "~", "1000", "", "f", "v")
	m := enginetest.StartCPU(b)
	for i := 0; i < b.N; i++ {
		args[5] = strconv.AppendInt(args[5][:0], int64(i+1), 10)
		be.exec(args)
	}
	m.Stop(b)
}

func fill(be *benchEngine, key string, n int) {
	args := cmd("XADD", key, "", "sensor", "temp-0042", "value", "")
	for i := 0; i < n; i++ {
		args[2] = strconv.AppendInt(args[2][:0], int64(i+1), 10)
		args[6] = strconv.AppendInt(args[6][:0], int64(i), 10)
		be.exec(args)
	}
}

// BenchmarkXRange100 reads 100 entries from the middle of a 100k-entry stream.
func BenchmarkXRange100(b *testing.B) {
	be := newBenchEngine()
	fill(be, "s", 100000)
	args := cmd("XRANGE", "s", "50000", "+", "COUNT", "100")
	m := enginetest.StartCPU(b)
	for i := 0; i < b.N; i++ {
		be.exec(args)
	}
	m.Stop(b)
}

// BenchmarkXRevRange100 reads 100 entries backwards.
func BenchmarkXRevRange100(b *testing.B) {
	be := newBenchEngine()
	fill(be, "s", 100000)
	args := cmd("XREVRANGE", "s", "50000", "-", "COUNT", "100")
	m := enginetest.StartCPU(b)
	for i := 0; i < b.N; i++ {
		be.exec(args)
	}
	m.Stop(b)
}

// BenchmarkXReadGroup delivers 10 new entries a call to a consumer and acks them.
func BenchmarkXReadGroup(b *testing.B) {
	be := newBenchEngine()
	const n = 200000
	fill(be, "s", n)
	be.exec(cmd("XGROUP", "CREATE", "s", "g", "0"))
	read := cmd("XREADGROUP", "GROUP", "g", "c", "COUNT", "10", "STREAMS", "s", ">")
	ack := cmd("XACK", "s", "g", "", "", "", "", "", "", "", "", "", "")
	m := enginetest.StartCPU(b)
	next := 1
	for i := 0; i < b.N; i++ {
		if next+10 > n {
			b.StopTimer()
			be.exec(cmd("XGROUP", "SETID", "s", "g", "0"))
			next = 1
			b.StartTimer()
		}
		be.exec(read)
		for j := 0; j < 10; j++ {
			ack[3+j] = strconv.AppendInt(ack[3+j][:0], int64(next+j), 10)
		}
		be.exec(ack)
		next += 10
	}
	m.Stop(b)
}

// BenchmarkXReadGroupNoAck delivers 10 entries a call without PEL entries.
func BenchmarkXReadGroupNoAck(b *testing.B) {
	be := newBenchEngine()
	const n = 200000
	fill(be, "s", n)
	be.exec(cmd("XGROUP", "CREATE", "s", "g", "0"))
	read := cmd("XREADGROUP", "GROUP", "g", "c", "COUNT", "10", "NOACK", "STREAMS", "s", ">")
	m := enginetest.StartCPU(b)
	served := 0
	for i := 0; i < b.N; i++ {
		if served+10 > n {
			b.StopTimer()
			be.exec(cmd("XGROUP", "SETID", "s", "g", "0"))
			served = 0
			b.StartTimer()
		}
		be.exec(read)
		served += 10
	}
	m.Stop(b)
}

// BenchmarkXAddServer is the server benchmark's XADD (server/bench/extra.go): auto ID,
// one field with a 12-digit value, propagation rewrite included.
func BenchmarkXAddServer(b *testing.B) {
	be := newBenchEngine()
	args := cmd("XADD", "bench:stream", "*", "field", "000000012345")
	m := enginetest.StartCPU(b)
	for i := 0; i < b.N; i++ {
		be.exec(args)
	}
	m.Stop(b)
}

type nopPropagator struct{}

func (nopPropagator) Propagate(int, [][]byte) {}

// BenchmarkXAddPropagated is BenchmarkXAddServer with a propagator installed (AOF on):
// the generated ID is rewritten into the propagated arguments.
func BenchmarkXAddPropagated(b *testing.B) {
	be := newBenchEngine()
	be.E.SetPropagator(nopPropagator{})
	args := cmd("XADD", "bench:stream", "*", "field", "000000012345")
	m := enginetest.StartCPU(b)
	for i := 0; i < b.N; i++ {
		be.exec(args)
	}
	m.Stop(b)
}

// BenchmarkXAddMaxLenLarge appends to a 100k-entry stream kept at that length by
// MAXLEN ~: a head node goes every hundred entries (the radix tree count follows it).
func BenchmarkXAddMaxLenLarge(b *testing.B) {
	be := newBenchEngine()
	args := cmd("XADD", "s", "MAXLEN", "~", "100000", "*", "f", "000000012345")
	for i := 0; i < 150000; i++ {
		be.exec(args)
	}
	m := enginetest.StartCPU(b)
	for i := 0; i < b.N; i++ {
		be.exec(args)
	}
	m.Stop(b)
}
