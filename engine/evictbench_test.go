package engine_test

import (
	"io"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/thash"
	"github.com/redisctl/redisctl/engine/tstring"
	"github.com/redisctl/redisctl/resp"
)

// BenchmarkExecAccounting measures write and read commands through Exec (no harness
// overhead) with and without maxmemory, to show what memory accounting and the
// per-command eviction check cost.
func BenchmarkExecAccounting(b *testing.B) {
	for _, mm := range []int64{0, 1 << 40} {
		name := "nomaxmemory"
		if mm > 0 {
			name = "maxmemory"
		}
		tbl := engine.NewTable()
		tbl.Register(engine.CoreCommands()...)
		tbl.Register(tstring.Commands()...)
		tbl.Register(thash.Commands()...)
		e := engine.New(engine.DefaultSettings(), tbl)
		e.Set.Maxmemory = mm
		e.Set.MaxmemoryPolicy = "allkeys-lru"
		w := resp.NewWriter(io.Discard)
		e.Lock()
		c := e.NewClient(w)
		c.Authenticated = true
		e.Unlock()
		keys := make([][]byte, 4096)
		for i := range keys {
			keys[i] = []byte("key:" + strconv.Itoa(i))
		}
		val := []byte(strings.Repeat("v", 100))
		for _, tc := range []struct {
			name string
			args func(i int) [][]byte
		}{
			{"SET", func(i int) [][]byte { return [][]byte{[]byte("SET"), keys[i&4095], val} }},
			{"GET", func(i int) [][]byte { return [][]byte{[]byte("GET"), keys[i&4095]} }},
			{"HSET", func(i int) [][]byte {
				return [][]byte{[]byte("HSET"), []byte("h"), keys[i&4095], val}
			}},
		} {
			b.Run(name+"/"+tc.name, func(b *testing.B) {
				args := make([][][]byte, 4096)
				for i := range args {
					args[i] = tc.args(i)
				}
				b.ReportAllocs()
				b.ResetTimer()
				cpu0 := cpuNanos()
				for i := 0; i < b.N; i++ {
					e.Lock()
					e.Exec(c, args[i&4095])
					e.Unlock()
					if i&255 == 0 {
						_ = w.Flush()
					}
				}
				// Process CPU per command: steadier than wall time on a shared machine.
				b.ReportMetric(float64(cpuNanos()-cpu0)/float64(b.N), "cpu-ns/op")
			})
		}
	}
}

func cpuNanos() int64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Utime.Nano() + ru.Stime.Nano()
}
