package rdbobj_test

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/engine/rdbobj"
	"github.com/redisctl/redisctl/engine/thash"
	"github.com/redisctl/redisctl/engine/tlist"
	"github.com/redisctl/redisctl/engine/tset"
	"github.com/redisctl/redisctl/engine/tstring"
	"github.com/redisctl/redisctl/engine/tzset"
	"github.com/redisctl/redisctl/rdb"
	"github.com/stretchr/testify/require"
)

// fill adds n keys of mixed types and encodings straight into db 0: int and embstr
// strings, small listpack hashes and sorted sets, intsets, small lists.
func fill(t testing.TB, eng *engine.Engine, n int) {
	db := eng.DB(0)
	rng := splitmix(7)
	var kb []byte
	for i := 0; i < n; i++ {
		kb = strconv.AppendInt(append(kb[:0], "key:"...), int64(i), 10)
		var o engine.Object
		switch i % 8 {
		case 0, 1, 2:
			o = tstring.New([]byte(rng.hex(20)))
		case 3:
			o = tstring.New(strconv.AppendInt(nil, int64(rng.next()>>1), 10))
		case 4:
			b := thash.NewBuilder(&eng.Set, 4)
			for j := 0; j < 4; j++ {
				require.NoError(t, b.Add([]byte("field"+strconv.Itoa(j)), []byte(rng.hex(10))))
			}
			o = b.Object()
		case 5:
			pairs := []tzset.Pair{{Member: []byte("a"), Score: 1}, {Member: []byte("b"), Score: 2.5}, {Member: []byte(rng.hex(8)), Score: 3}}
			var err error
			o, err = tzset.FromPairs(&eng.Set, pairs)
			require.NoError(t, err)
		case 6:
			b := tset.NewBuilder(5, 512)
			for j := 0; j < 5; j++ {
				b.Add(strconv.AppendInt(nil, int64(i*5+j), 10))
			}
			o = b.Object()
		case 7:
			o = tlist.NewObject(tlist.FromElements(&eng.Set, [][]byte{[]byte("a"), []byte(rng.hex(12)), []byte("123")}))
		}
		db.Add(kb, o)
		if i%10 == 0 {
			db.SetExpire(kb, 4102444800000+int64(i))
		}
	}
}

func saveBytes(t testing.TB, eng *engine.Engine) []byte {
	var buf bytes.Buffer
	enc, err := rdbobj.NewEncoder(&buf, &rdbobj.SaveOptions{Ctime: 1})
	require.NoError(t, err)
	require.NoError(t, rdbobj.SaveAll(enc, eng, nil))
	return buf.Bytes()
}

type counter struct{ n int64 }

func (c *counter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// BenchmarkSave1M: SaveAll of a 1M-key engine (MB/s of RDB written).
func BenchmarkSave1M(b *testing.B) {
	h := enginetest.New(b, families()...)
	fill(b, h.E, 1_000_000)
	size := int64(len(saveBytes(b, h.E)))
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuNow()
	for i := 0; i < b.N; i++ {
		var c counter
		enc, _ := rdbobj.NewEncoder(&c, nil)
		if err := rdbobj.SaveAll(enc, h.E, nil); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu, size, 1_000_000)
	b.ReportMetric(float64(size)/1e6, "MB/file")
}

// BenchmarkLoad1M: Load of the same file into a fresh engine (MB/s of RDB read).
func BenchmarkLoad1M(b *testing.B) {
	h := enginetest.New(b, families()...)
	fill(b, h.E, 1_000_000)
	data := saveBytes(b, h.E)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuNow()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		eng := enginetest.New(b, families()...).E
		b.StartTimer()
		st, err := rdbobj.Load(eng, bytes.NewReader(data), nil, nil)
		if err != nil || st.Keys != 1_000_000 {
			b.Fatal(err, st)
		}
	}
	reportCPU(b, cpu, int64(len(data)), 1_000_000)
}

// BenchmarkLoadInto1M is BenchmarkLoad1M through a caller's decoder.
func BenchmarkLoadInto1M(b *testing.B) {
	h := enginetest.New(b, families()...)
	fill(b, h.E, 1_000_000)
	data := saveBytes(b, h.E)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuNow()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		eng := enginetest.New(b, families()...).E
		b.StartTimer()
		d := rdb.NewDecoder(bytes.NewReader(data), &rdb.Options{AllowEmptyKeys: true})
		if _, err := rdbobj.LoadInto(eng, d, nil); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu, int64(len(data)), 1_000_000)
}

// BenchmarkDumpRestore: DUMP and RESTORE REPLACE of a 100-field listpack hash and of a
// 1000-element list.
func BenchmarkDumpRestore(b *testing.B) {
	h := enginetest.New(b, families()...)
	args := []string{"HSET", "h"}
	for i := 0; i < 100; i++ {
		args = append(args, "f"+strconv.Itoa(i), "v"+strconv.Itoa(i))
	}
	h.Do(args...)
	args = []string{"RPUSH", "l"}
	for i := 0; i < 1000; i++ {
		args = append(args, "element-"+strconv.Itoa(i))
	}
	h.Do(args...)
	for _, key := range []string{"h", "l"} {
		payload := h.Do("DUMP", key).Str
		b.Run("dump/"+key, func(b *testing.B) {
			b.SetBytes(int64(len(payload)))
			b.ReportAllocs()
			cmd := [][]byte{[]byte("DUMP"), []byte(key)}
			for i := 0; i < b.N; i++ {
				h.DoBytes(cmd...)
			}
		})
		b.Run("restore/"+key, func(b *testing.B) {
			b.SetBytes(int64(len(payload)))
			b.ReportAllocs()
			cmd := [][]byte{[]byte("RESTORE"), []byte(key + "x"), []byte("0"), payload, []byte("REPLACE")}
			for i := 0; i < b.N; i++ {
				h.DoBytes(cmd...)
			}
		})
	}
}

// TestStreamedSaveEqualsWhole: big hashtable sets and hashes and skiplist sorted sets
// (streamed through the encoder's ValueWriter) are written with the very bytes AppendValue
// produces, and load back.
func TestStreamedSaveEqualsWhole(t *testing.T) {
	h := enginetest.New(t, families()...)
	const n = 70000
	for _, k := range []string{"set", "hash", "zset", "list"} {
		for i := 0; i < n; i += 1000 {
			args := []string{}
			for j := i; j < i+1000; j++ {
				v := "m" + strconv.Itoa(j)
				switch k {
				case "set":
					args = append(args, v)
				case "hash":
					args = append(args, v, strconv.Itoa(j))
				case "zset":
					args = append(args, strconv.Itoa(j%977), v)
				case "list":
					args = append(args, v)
				}
			}
			cmd := map[string]string{"set": "SADD", "hash": "HSET", "zset": "ZADD", "list": "RPUSH"}[k]
			h.Do(append([]string{cmd, k}, args...)...)
		}
	}
	streamed := saveBytes(t, h.E)
	// The same keys written whole.
	var buf bytes.Buffer
	enc, err := rdbobj.NewEncoder(&buf, &rdbobj.SaveOptions{Ctime: 1})
	require.NoError(t, err)
	db := h.E.DB(0)
	require.NoError(t, enc.SelectDB(0, uint64(db.Len()), 0))
	s := rdbobj.NewSaver(true)
	for e := range db.Keys().All() {
		typ, payload, err := s.AppendValue(nil, &e.Value)
		require.NoError(t, err)
		require.NoError(t, enc.WriteRaw(&rdb.Key{Name: []byte(e.Key)}, typ, payload))
	}
	require.NoError(t, enc.Close())
	require.Equal(t, len(buf.Bytes()), len(streamed))
	require.True(t, bytes.Equal(buf.Bytes(), streamed))
	eng := enginetest.New(t, families()...).E
	st, err := rdbobj.Load(eng, bytes.NewReader(streamed), nil, nil)
	require.NoError(t, err)
	require.Equal(t, int64(4), st.Keys)
	require.Equal(t, lines(t, records(h.E)), lines(t, records(eng)))
}

var _ = io.Discard

// cpuNow is the process's user+system CPU time: on a shared machine wall-clock MB/s
// says more about the neighbours than about the code.
func cpuNow() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU adds cpu-MB/s (bytes per second of CPU time) and cpu-ns/key.
func reportCPU(b *testing.B, start time.Duration, size int64, keys int) {
	used := cpuNow() - start
	if used > 0 {
		b.ReportMetric(float64(size)*float64(b.N)/used.Seconds()/1e6, "cpu-MB/s")
		b.ReportMetric(float64(used.Nanoseconds())/float64(b.N)/float64(keys), "cpu-ns/key")
	}
}

// BenchmarkLoadFile loads the RDB file named by $RDBOBJ_BENCH_FILE (e.g. a bench/rdbgen
// mixed file) into a fresh engine as `redisctl serve` does at startup (skipped when unset).
func BenchmarkLoadFile(b *testing.B) {
	path := os.Getenv("RDBOBJ_BENCH_FILE")
	if path == "" {
		b.Skip("RDBOBJ_BENCH_FILE not set")
	}
	fi, err := os.Stat(path)
	require.NoError(b, err)
	b.SetBytes(fi.Size())
	b.ReportAllocs()
	cpu := cpuNow()
	var keys int64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		eng := enginetest.New(b, families()...).E
		f, err := os.Open(path)
		require.NoError(b, err)
		runtime.GC()
		b.StartTimer()
		st, err := rdbobj.Load(eng, bufio.NewReaderSize(f, 1<<20), nil, nil)
		if err != nil {
			b.Fatal(err)
		}
		keys = st.Keys
		f.Close()
	}
	reportCPU(b, cpu, fi.Size(), int(keys))
}
