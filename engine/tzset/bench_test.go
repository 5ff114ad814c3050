package tzset_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/engine/tzset"
)

// benchEngine is enginetest.Bench with the commands benchmarked here.
type benchEngine struct{ *enginetest.Bench }

func newBenchEngine(_ testing.TB) *benchEngine {
	return &benchEngine{enginetest.NewBench(tzset.Commands())}
}

func (b *benchEngine) exec(args ...[]byte) { b.Exec(args) }

func argv(s ...string) [][]byte {
	out := make([][]byte, len(s))
	for i, a := range s {
		out[i] = []byte(a)
	}
	return out
}

// fill gives key n members "member:i" with scores i*1.5 (a mix of integer and text scores
// in a listpack).
func (b *benchEngine) fill(key string, n int) {
	for i := range n {
		b.exec(argv("ZADD", key, strconv.FormatFloat(float64(i)*1.5, 'g', -1, 64), "member:"+strconv.Itoa(i))...)
	}
}

// sizes are the two encodings: 128 members stay a listpack, 1000 make a skiplist.
var sizes = []struct {
	name string
	n    int
}{{"listpack", 128}, {"skiplist", 1000}}

func BenchmarkZAdd(b *testing.B) {
	for _, sz := range sizes {
		b.Run(sz.name+"/update", func(b *testing.B) {
			// Move one member back and forth between two scores: delete + ordered insert.
			be := newBenchEngine(b)
			be.fill("z", sz.n)
			a1 := argv("ZADD", "z", "10.25", "member:50")
			a2 := argv("ZADD", "z", "170", "member:50")
			cm := enginetest.StartCPU(b)
			for b.Loop() {
				be.exec(a1...)
				be.exec(a2...)
			}
			cm.Stop(b)
		})
		b.Run(sz.name+"/same-score", func(b *testing.B) {
			be := newBenchEngine(b)
			be.fill("z", sz.n)
			args := argv("ZADD", "z", "75", "member:50")
			cm := enginetest.StartCPU(b)
			for b.Loop() {
				be.exec(args...)
			}
			cm.Stop(b)
		})
	}
	b.Run("new100", func(b *testing.B) {
		// Build a 100-member listpack from scratch per iteration: 100 ZADDs and a DEL.
		be := newBenchEngine(b)
		cmds := make([][][]byte, 100)
		for i := range cmds {
			cmds[i] = argv("ZADD", "z", strconv.Itoa(i), "member:"+strconv.Itoa(i))
		}
		del := argv("DEL", "z")
		cm := enginetest.StartCPU(b)
		for b.Loop() {
			for _, c := range cmds {
				be.exec(c...)
			}
			be.exec(del...)
		}
		cm.Stop(b)
	})
	b.Run("skiplist/new-and-remove", func(b *testing.B) {
		be := newBenchEngine(b)
		be.fill("z", 1000)
		add, rem := argv("ZADD", "z", "500.5", "newmember"), argv("ZREM", "z", "newmember")
		cm := enginetest.StartCPU(b)
		for b.Loop() {
			be.exec(add...)
			be.exec(rem...)
		}
		cm.Stop(b)
	})
}

func BenchmarkZScore(b *testing.B) {
	for _, sz := range sizes {
		b.Run(sz.name, func(b *testing.B) {
			be := newBenchEngine(b)
			be.fill("z", sz.n)
			hit, miss := argv("ZSCORE", "z", "member:64"), argv("ZSCORE", "z", "nope")
			cm := enginetest.StartCPU(b)
			for b.Loop() {
				be.exec(hit...)
				be.exec(miss...)
			}
			cm.Stop(b)
		})
	}
}

func BenchmarkZRange100WithScores(b *testing.B) {
	for _, sz := range sizes {
		b.Run(sz.name, func(b *testing.B) {
			be := newBenchEngine(b)
			be.fill("z", sz.n)
			args := argv("ZRANGE", "z", "0", "99", "WITHSCORES")
			cm := enginetest.StartCPU(b)
			for b.Loop() {
				be.exec(args...)
			}
			cm.Stop(b)
		})
	}
}

func BenchmarkZRank(b *testing.B) {
	for _, sz := range sizes {
		b.Run(sz.name, func(b *testing.B) {
			be := newBenchEngine(b)
			be.fill("z", sz.n)
			args := argv("ZRANK", "z", "member:100")
			cm := enginetest.StartCPU(b)
			for b.Loop() {
				be.exec(args...)
			}
			cm.Stop(b)
		})
	}
}

func BenchmarkZRangeByScore(b *testing.B) {
	for _, sz := range sizes {
		b.Run(sz.name, func(b *testing.B) {
			be := newBenchEngine(b)
			be.fill("z", sz.n)
			args := argv("ZRANGEBYSCORE", "z", "(10", "100", "WITHSCORES", "LIMIT", "0", "50")
			cm := enginetest.StartCPU(b)
			for b.Loop() {
				be.exec(args...)
			}
			cm.Stop(b)
		})
	}
}

// TestHotCommandsDoNotAllocate pins the zero-allocation paths of both encodings: reads,
// range replies, and updates of existing members (a moved skiplist node is recycled).
func TestHotCommandsDoNotAllocate(t *testing.T) {
	for _, sz := range sizes {
		be := newBenchEngine(t)
		be.fill("z", sz.n)
		for _, args := range [][][]byte{
			argv("ZSCORE", "z", "member:7"), argv("ZSCORE", "z", "nope"), argv("ZMSCORE", "z", "member:7", "x"),
			argv("ZCARD", "z"), argv("ZRANK", "z", "member:100"), argv("ZREVRANK", "z", "member:100"),
			argv("ZRANGE", "z", "0", "99", "WITHSCORES"), argv("ZREVRANGE", "z", "0", "99"),
			argv("ZRANGEBYSCORE", "z", "(10", "100", "WITHSCORES"), argv("ZCOUNT", "z", "10", "(100"),
			argv("ZADD", "z", "10.5", "member:7"), argv("ZINCRBY", "z", "0", "member:7"),
			argv("ZREM", "z", "nope"),
		} {
			be.exec(args...)
			if n := testing.AllocsPerRun(50, func() { be.exec(args...) }); n > 0 {
				t.Errorf("%s %q: %.1f allocations per call", sz.name, args, n)
			}
		}
		// A score change moves the member: listpack delete + insert in place, a recycled
		// skiplist node (when the new level fits) or an in-place score update.
		a1, a2 := argv("ZADD", "z", "10.25", "member:50"), argv("ZINCRBY", "z", "100", "member:50")
		if n := testing.AllocsPerRun(200, func() { be.exec(a1...); be.exec(a2...) }); n > 0.5 {
			t.Errorf("%s: score updates: %.2f allocations per pair", sz.name, n)
		}
	}
}

// BenchmarkZAddRandom100k is redis-benchmark's ZADD test through the engine: "ZADD myzset
// <rand> element:<rand>" with both numbers drawn from 0..99999 (zero-padded to 12 digits as
// redis-benchmark writes them), into one skiplist-encoded set. "grow" starts from an empty
// key and is mostly inserts; "full" starts from all 100k members and is all score updates
// (a node moved, or its score changed in place).
func BenchmarkZAddRandom100k(b *testing.B) {
	const space = 100000
	const ring = 1 << 16
	mk := func(seed uint64) [][][]byte {
		n := enginetest.RandInts(seed, 2*ring, space) // a score, then a member
		cmds := make([][][]byte, ring)
		for i := range cmds {
			cmds[i] = argv("ZADD", "myzset", n[2*i], "element:"+n[2*i+1])
		}
		return cmds
	}
	full := func(tb testing.TB) *benchEngine {
		be := newBenchEngine(tb)
		for i := range space {
			s := strconv.Itoa(i)
			be.exec(argv("ZADD", "myzset", s, "element:"+strings.Repeat("0", 12-len(s))+s)...)
		}
		return be
	}
	b.Run("grow", func(b *testing.B) {
		cmds := mk(0x9e3779b97f4a7c15)
		be := newBenchEngine(b)
		del := argv("DEL", "myzset")
		cm := enginetest.StartCPU(b)
		i := 0
		for b.Loop() {
			be.exec(cmds[i]...)
			i++
			if i == ring {
				// Start over on an empty key: the set reaches ~48k members per ring.
				b.StopTimer()
				be.exec(del...)
				i = 0
				b.StartTimer()
			}
		}
		cm.Stop(b)
	})
	for _, pipe := range []int{1, 16} {
		b.Run("full-P"+strconv.Itoa(pipe), func(b *testing.B) {
			// As "full" but in pipelines: engine.Prefetch sees the commands of each batch
			// before they run, as the server calls it.
			cmds := mk(0x2545f4914f6cdd1d)
			full(b).RunPipelined(b, cmds, pipe)
		})
	}
	b.Run("random-P16", func(b *testing.B) {
		// As redis-benchmark leaves the set: built by 300k random ZADDs (members inserted in
		// random order, ~95k of them), then more random ZADDs in pipelines of 16, mostly
		// score updates that move a node, some inserts.
		be := newBenchEngine(b)
		build := mk(0x9e3779b97f4a7c15)
		for i := range 300000 {
			be.exec(build[i&(ring-1)]...)
			if i&(ring-1) == ring-1 {
				build = mk(uint64(i) + 0x51afd7ed558ccd)
			}
		}
		be.RunPipelined(b, mk(0x2545f4914f6cdd1d), 16)
	})
	b.Run("full", func(b *testing.B) {
		cmds := mk(0x2545f4914f6cdd1d)
		be := full(b)
		cm := enginetest.StartCPU(b)
		i := 0
		for b.Loop() {
			be.exec(cmds[i&(ring-1)]...)
			i++
		}
		cm.Stop(b)
	})
}
