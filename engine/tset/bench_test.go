package tset_test

import (
	"strconv"
	"testing"

	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/engine/tset"
)

// benchEngine is enginetest.Bench with the commands benchmarked here.
type benchEngine struct{ *enginetest.Bench }

func newBenchEngine(_ testing.TB) *benchEngine {
	return &benchEngine{enginetest.NewBench(tset.Commands())}
}

func (b *benchEngine) exec(args ...[]byte) { b.Exec(args) }

func argv(s ...string) [][]byte {
	out := make([][]byte, len(s))
	for i, a := range s {
		out[i] = []byte(a)
	}
	return out
}

// fill100 makes key hold 100 members: integers (intset) or strings (hashtable).
func (b *benchEngine) fill100(key string, ints bool) {
	for i := range 100 {
		m := strconv.Itoa(i)
		if !ints {
			m = "member:" + m
		}
		b.exec(argv("SADD", key, m)...)
	}
}

func BenchmarkSAdd(b *testing.B) {
	for _, enc := range []string{"intset", "hashtable"} {
		ints := enc == "intset"
		b.Run(enc+"/existing", func(b *testing.B) {
			be := newBenchEngine(b)
			be.fill100("s", ints)
			m := "50"
			if !ints {
				m = "member:50"
			}
			args := argv("SADD", "s", m)
			cm := enginetest.StartCPU(b)
			for b.Loop() {
				be.exec(args...)
			}
			cm.Stop(b)
		})
		b.Run(enc+"/new100", func(b *testing.B) {
			// Build a 100-member set from scratch per iteration: 100 SADDs and a DEL.
			be := newBenchEngine(b)
			cmds := make([][][]byte, 100)
			for i := range cmds {
				m := strconv.Itoa(i)
				if !ints {
					m = "member:" + m
				}
				cmds[i] = argv("SADD", "s", m)
			}
			del := argv("DEL", "s")
			cm := enginetest.StartCPU(b)
			for b.Loop() {
				for _, c := range cmds {
					be.exec(c...)
				}
				be.exec(del...)
			}
			cm.Stop(b)
		})
	}
}

func BenchmarkSIsMember(b *testing.B) {
	for _, enc := range []string{"intset", "hashtable"} {
		ints := enc == "intset"
		b.Run(enc, func(b *testing.B) {
			be := newBenchEngine(b)
			be.fill100("s", ints)
			hit, miss := "42", "4242"
			if !ints {
				hit, miss = "member:42", "member:4242"
			}
			a1, a2 := argv("SISMEMBER", "s", hit), argv("SISMEMBER", "s", miss)
			cm := enginetest.StartCPU(b)
			for b.Loop() {
				be.exec(a1...)
				be.exec(a2...)
			}
			cm.Stop(b)
		})
	}
}

func BenchmarkSMembers100(b *testing.B) {
	for _, enc := range []string{"intset", "hashtable"} {
		ints := enc == "intset"
		b.Run(enc, func(b *testing.B) {
			be := newBenchEngine(b)
			be.fill100("s", ints)
			args := argv("SMEMBERS", "s")
			cm := enginetest.StartCPU(b)
			for b.Loop() {
				be.exec(args...)
			}
			cm.Stop(b)
		})
	}
}

func BenchmarkSInter(b *testing.B) {
	be := newBenchEngine(b)
	be.fill100("a", true)
	be.fill100("b", false)
	be.exec(argv("SADD", "b", "1", "2", "3")...)
	args := argv("SINTER", "a", "b")
	m := enginetest.StartCPU(b)
	for b.Loop() {
		be.exec(args...)
	}
	m.Stop(b)
}

// TestSetHotCommandsDoNotAllocate pins the zero-allocation paths: membership tests, SCARD,
// SMEMBERS of both encodings and SADD of an existing member.
func TestSetHotCommandsDoNotAllocate(t *testing.T) {
	for _, ints := range []bool{true, false} {
		be := newBenchEngine(t)
		be.fill100("s", ints)
		m := "7"
		if !ints {
			m = "member:7"
		}
		for _, args := range [][][]byte{
			argv("SISMEMBER", "s", m), argv("SISMEMBER", "s", "nope"), argv("SMISMEMBER", "s", m, "x"),
			argv("SCARD", "s"), argv("SMEMBERS", "s"), argv("SADD", "s", m), argv("SREM", "s", "nope"),
			argv("SINTERCARD", "1", "s"),
		} {
			be.exec(args...)
			if n := testing.AllocsPerRun(50, func() { be.exec(args...) }); n > 0 {
				t.Errorf("%q (ints=%v): %.1f allocations per call", args, ints, n)
			}
		}
	}
}

// randArgs returns n argument vectors "cmd key element:<12 digits>" with the digits drawn
// as redis-benchmark's __rand_int__ with -r 100000 draws them.
func randArgs(cmd, key string, n int) [][][]byte {
	out := make([][][]byte, n)
	for i, r := range enginetest.RandInts(88172645463325252, n, 100000) {
		out[i] = [][]byte{[]byte(cmd), []byte(key), []byte("element:" + r)}
	}
	return out
}

// BenchmarkSAddBigSet is redis-benchmark's "SADD myset element:__rand_int__" with
// -r 100000: a hashtable set that has grown to (almost) 100k members.
func BenchmarkSAddBigSet(b *testing.B) {
	be := newBenchEngine(b)
	for _, a := range randArgs("SADD", "myset", 300000) {
		be.exec(a...)
	}
	cmds := randArgs("SADD", "myset", 1<<16)
	cm := enginetest.StartCPU(b)
	i := 0
	for b.Loop() {
		be.exec(cmds[i&(1<<16-1)]...)
		i++
	}
	cm.Stop(b)
}
