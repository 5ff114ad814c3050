package thash_test

import (
	"fmt"
	"runtime"
	"strconv"
	"testing"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/engine/thash"
)

// tenFields is the benchmark hash: 10 fields like "field:3" → "value:3".
func tenFields(key string) [][]byte {
	args := [][]byte{[]byte("HSET"), []byte(key)}
	for i := 0; i < 10; i++ {
		args = append(args, []byte("field:"+strconv.Itoa(i)), []byte("value:"+strconv.Itoa(i)))
	}
	return args
}

func benchCmd(b *testing.B, setup [][]byte, args [][]byte) {
	h := newHarness(b)
	d := newDirectCtx(h)
	if setup != nil {
		d.run(setup)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		d.run(args)
	}
}

// BenchmarkHSet overwrites one field of a 10-field listpack hash.
func BenchmarkHSet(b *testing.B) {
	benchCmd(b, tenFields("h"), [][]byte{[]byte("HSET"), []byte("h"), []byte("field:5"), []byte("value:x")})
}

// BenchmarkHSetNewKey creates a 10-field hash (HSET of 10 pairs), deleting it each time.
func BenchmarkHSetNewKey(b *testing.B) {
	h := newHarness(b)
	d := newDirectCtx(h)
	args := tenFields("h")
	del := [][]byte{[]byte("DEL"), []byte("h")}
	b.ReportAllocs()
	for b.Loop() {
		d.run(args)
		d.run(del)
	}
}

func BenchmarkHGet(b *testing.B) {
	benchCmd(b, tenFields("h"), [][]byte{[]byte("HGET"), []byte("h"), []byte("field:7")})
}

func BenchmarkHGetAll(b *testing.B) {
	benchCmd(b, tenFields("h"), [][]byte{[]byte("HGETALL"), []byte("h")})
}

func BenchmarkHIncrBy(b *testing.B) {
	benchCmd(b, tenFields("h"), [][]byte{[]byte("HINCRBY"), []byte("h"), []byte("n"), []byte("3")})
}

// BenchmarkHashtable runs HSET/HGET on a 1000-field hashtable hash.
func BenchmarkHashtable(b *testing.B) {
	setup := [][]byte{[]byte("HSET"), []byte("h")}
	for i := 0; i < 1000; i++ {
		setup = append(setup, []byte(fmt.Sprint("f", i)), []byte(fmt.Sprint("v", i)))
	}
	b.Run("HGET", func(b *testing.B) {
		benchCmd(b, setup, [][]byte{[]byte("HGET"), []byte("h"), []byte("f500")})
	})
	b.Run("HSET", func(b *testing.B) {
		benchCmd(b, setup, [][]byte{[]byte("HSET"), []byte("h"), []byte("f500"), []byte("w")})
	})
}

// BenchmarkMemory10Fields builds 100k hashes of 10 fields (keys "hash:N", fields
// "field:i" → "value:i") and reports the Go heap per hash after a GC, next to what Redis's
// MEMORY USAGE model says a key costs (robj, listpack class, key sds, dictEntry; bucket
// array excluded on both sides).
func BenchmarkMemory10Fields(b *testing.B) {
	const n = 100_000
	for b.Loop() {
		h := newHarness(b)
		d := newDirectCtx(h)
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		for i := 0; i < n; i++ {
			d.run(tenFields("hash:" + strconv.Itoa(i)))
		}
		runtime.GC()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		e := h.E.DB(0).Keys().Get("hash:1")
		redis := h.E.MemoryUsage(e.Key, &e.Value, 0)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "heap-B/hash")
		b.ReportMetric(float64(redis), "redis-model-B/hash")
		lp, _ := thash.Listpack(&e.Value)
		b.ReportMetric(float64(cap(lp)), "lp-cap-B")
		b.ReportMetric(float64(len(lp)), "lp-len-B")
		runtime.KeepAlive(h)
		if e.Value.Encoding() != engine.EncListpack {
			b.Fatal("not a listpack")
		}
	}
}

// randArgs returns n argument vectors "cmd key element:<12 digits> [xxx]" with the digits
// drawn as redis-benchmark's __rand_int__ with -r 100000 draws them.
func randArgs(cmd, key string, n int, value bool) [][][]byte {
	out := make([][][]byte, n)
	for i, r := range enginetest.RandInts(88172645463325252, n, 100000) {
		a := [][]byte{[]byte(cmd), []byte(key), []byte("element:" + r)}
		if value {
			a = append(a, []byte("xxx"))
		}
		out[i] = a
	}
	return out
}

// BenchmarkHSetBigHash is redis-benchmark's "HSET myhash element:__rand_int__ xxx" with
// -r 100000: a hashtable hash that has grown to (almost) 100k fields, most HSETs updating
// a field, some adding one.
func BenchmarkHSetBigHash(b *testing.B) {
	h := newHarness(b)
	d := newDirectCtx(h)
	for _, a := range randArgs("HSET", "myhash", 300000, true) {
		d.run(a)
	}
	cmds := randArgs("HSET", "myhash", 1<<16, true)
	m := enginetest.StartCPU(b)
	i := 0
	for b.Loop() {
		d.run(cmds[i&(1<<16-1)])
		i++
	}
	m.Stop(b)
}

// BenchmarkHSetBigHashGrow is the whole of redis-benchmark's hset test: 300k HSETs of
// random fields into a hash that starts empty (one op is the 300k commands).
func BenchmarkHSetBigHashGrow(b *testing.B) {
	cmds := randArgs("HSET", "myhash", 300000, true)
	del := [][]byte{[]byte("DEL"), []byte("myhash")}
	h := newHarness(b)
	d := newDirectCtx(h)
	b.ReportAllocs()
	start := enginetest.CPUTime()
	for b.Loop() {
		for _, a := range cmds {
			d.run(a)
		}
		b.StopTimer()
		d.run(del)
		b.StartTimer()
	}
	b.ReportMetric(float64(enginetest.CPUTime()-start)/float64(b.N)/float64(len(cmds)), "cpu-ns/cmd")
}
