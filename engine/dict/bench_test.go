package dict

import (
	"hash/maphash"
	"runtime"
	"strconv"
	"testing"
)

// obj stands in for the engine's value object: the keyspace stores a pointer.
type obj struct{ _ [2]uint64 }

var benchSizes = []struct {
	name string
	n    int
}{{"1K", 1 << 10}, {"1M", 1 << 20}}

func benchKeys(n int, prefix string) []string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = prefix + strconv.Itoa(i)
	}
	return keys
}

func filled(keys []string) *Dict[*obj] {
	d := New[*obj]()
	for _, k := range keys {
		d.Set(k, nil)
	}
	for d.RehashSteps(1000) {
	}
	return d
}

func BenchmarkGet(b *testing.B) {
	for _, sz := range benchSizes {
		keys := benchKeys(sz.n, "key:")
		bkeys := make([][]byte, len(keys))
		for i, k := range keys {
			bkeys[i] = []byte(k)
		}
		missing := benchKeys(sz.n, "nokey:")
		d := filled(keys)
		b.Run("hit/"+sz.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if d.Get(keys[i&(sz.n-1)]) == nil {
					b.Fatal("miss")
				}
			}
		})
		b.Run("hitBytes/"+sz.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if d.GetBytes(bkeys[i&(sz.n-1)]) == nil {
					b.Fatal("miss")
				}
			}
		})
		b.Run("miss/"+sz.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if d.Get(missing[i&(sz.n-1)]) != nil {
					b.Fatal("hit")
				}
			}
		})
		// Baseline: Go's map on the same keys (no SCAN guarantee, no pointer stability).
		m := make(map[string]*obj, sz.n)
		for _, k := range keys {
			m[k] = nil
		}
		b.Run("gomap-hit/"+sz.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if _, ok := m[keys[i&(sz.n-1)]]; !ok {
					b.Fatal("miss")
				}
			}
		})
	}
}

// BenchmarkUpsert inserts fresh keys into a growing dict (table growth and incremental
// rehash included), then upserts keys that exist.
func BenchmarkUpsert(b *testing.B) {
	b.Run("insert", func(b *testing.B) {
		keys := benchKeys(b.N, "key:")
		d := New[*obj]()
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			d.Upsert(keys[i])
		}
	})
	b.Run("insert-presized", func(b *testing.B) {
		keys := benchKeys(b.N, "key:")
		d := New[*obj]()
		d.Expand(b.N)
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			d.Upsert(keys[i])
		}
	})
	b.Run("existing/1M", func(b *testing.B) {
		keys := benchKeys(1<<20, "key:")
		d := filled(keys)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			d.Upsert(keys[i&(1<<20-1)])
		}
	})
}

func BenchmarkDelete(b *testing.B) {
	keys := benchKeys(b.N, "key:")
	d := filled(keys)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		d.Delete(keys[i])
	}
}

// BenchmarkScan measures a full SCAN-style walk of 1M entries; ns/entry is the figure
// that matters for the snapshot walker.
func BenchmarkScan(b *testing.B) {
	d := filled(benchKeys(1<<20, "key:"))
	b.ReportAllocs()
	var n int
	fn := func(*Entry[*obj]) { n++ }
	for b.Loop() {
		cursor := uint64(0)
		for {
			cursor = d.Scan(cursor, fn)
			if cursor == 0 {
				break
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/entry")
}

func BenchmarkAll(b *testing.B) {
	d := filled(benchKeys(1<<20, "key:"))
	b.ReportAllocs()
	var n int
	for b.Loop() {
		for range d.All() {
			n++
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/entry")
}

func BenchmarkRandom(b *testing.B) {
	d := filled(benchKeys(1<<20, "key:"))
	b.Run("FairRandom", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			d.FairRandom()
		}
	})
	b.Run("SomeKeys16", func(b *testing.B) {
		b.ReportAllocs()
		buf := make([]*Entry[*obj], 0, 16)
		for b.Loop() {
			buf = d.SomeKeys(buf[:0], 16)
		}
	})
}

func BenchmarkHash(b *testing.B) {
	key := "key:123456"
	b.Run("maphash.String/10B", func(b *testing.B) {
		var s uint64
		for b.Loop() {
			s += maphash.String(seed, key)
		}
		_ = s
	})
}

// heapAfterGC is the live heap after a full collection.
func heapAfterGC() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkMemoryPerEntry reports the heap a 1M-entry dict costs per entry (entries and
// buckets; keys are allocated before the first reading), then the key strings, then a Go
// map on the same keys for comparison. Run it with -benchtime=1x.
func BenchmarkMemoryPerEntry(b *testing.B) {
	const n = 1 << 20 // 1,048,576: the table is exactly full, as for any n in (2^19, 2^20]
	keys := benchKeys(n, "key:")
	b.Run("ptr-value", func(b *testing.B) {
		for b.Loop() {
			before := heapAfterGC()
			d := New[*obj]()
			for _, k := range keys {
				d.Set(k, nil)
			}
			for d.RehashSteps(1000) {
			}
			after := heapAfterGC()
			b.ReportMetric(float64(after-before)/n, "dict-B/entry")
			b.ReportMetric(float64(d.Buckets()*8)/n, "bucket-B/entry")
			runtime.KeepAlive(d)
		}
	})
	b.Run("set-member", func(b *testing.B) {
		for b.Loop() {
			before := heapAfterGC()
			d := New[struct{}]()
			for _, k := range keys {
				d.Set(k, struct{}{})
			}
			for d.RehashSteps(1000) {
			}
			after := heapAfterGC()
			b.ReportMetric(float64(after-before)/n, "dict-B/entry")
			runtime.KeepAlive(d)
		}
	})
	b.Run("keys", func(b *testing.B) {
		for b.Loop() {
			before := heapAfterGC()
			ks := benchKeys(n, "key:")
			after := heapAfterGC()
			// The []string header array is 16 B/key and not part of a dict.
			b.ReportMetric(float64(after-before)/n-16, "key-B/entry")
			runtime.KeepAlive(ks)
		}
	})
	b.Run("gomap", func(b *testing.B) {
		for b.Loop() {
			before := heapAfterGC()
			m := make(map[string]*obj)
			for _, k := range keys {
				m[k] = nil
			}
			after := heapAfterGC()
			b.ReportMetric(float64(after-before)/n, "map-B/entry")
			runtime.KeepAlive(m)
		}
	})
}

// engineValue has the size of the engine's keyspace value (a 64-byte entry).
type engineValue struct {
	p    *byte
	n, c int64
	x    uint64
}

// BenchmarkGetRandomOrder probes 128k keys of 16 bytes in a random order, as a server
// under redis-benchmark -r does, so that most probes miss the CPU caches. "keyInEntry"
// builds the dict with UpsertBytes (the key's bytes in the entry's allocation),
// "keySeparate" with Upsert of separately allocated strings.
func BenchmarkGetRandomOrder(b *testing.B) {
	const n = 1 << 17
	keys := make([][]byte, n)
	for i := range keys {
		keys[i] = []byte("key:" + strconv.FormatInt(int64(1000000000000+i*7919), 10))[:16]
	}
	order := make([]int, 1<<20)
	x := uint64(88172645463325252)
	for i := range order {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		order[i] = int(x % n)
	}
	build := map[string]func() *Dict[engineValue]{
		"keyInEntry": func() *Dict[engineValue] {
			d := New[engineValue]()
			for _, k := range keys {
				d.UpsertBytes(k)
			}
			return d
		},
		"keySeparate": func() *Dict[engineValue] {
			d := New[engineValue]()
			for _, k := range keys {
				d.Upsert(string(k))
			}
			return d
		},
	}
	for _, name := range []string{"keyInEntry", "keySeparate"} {
		d := build[name]()
		for d.RehashSteps(1000) {
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if d.GetBytes(keys[order[i&(len(order)-1)]]) == nil {
					b.Fatal("miss")
				}
			}
		})
	}
}
