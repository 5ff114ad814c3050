package rdb

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

var benchTmp string

func TestMain(m *testing.M) {
	code := m.Run()
	if benchTmp != "" {
		os.RemoveAll(benchTmp)
	}
	os.Exit(code)
}

// mixedModel builds many small keys of every type, about size bytes once
// encoded.
//
// pad lengthens strings and elements: 0 gives an element-dense file (a few
// bytes per element, the decoder's worst case per byte), 24 gives
// values of the sizes typical caches hold (tens of bytes per element,
// strings of a hundred bytes or more).
func mixedModel(size, pad int) *fileModel {
	m := &fileModel{}
	// Padding is pseudo-random text, about as compressible as real values.
	rnd := make([]byte, 1<<16)
	x := uint32(12345)
	for i := range rnd {
		x = x*1664525 + 1013904223
		rnd[i] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"[(x>>24)%62]
	}
	total := 0
	bs := func(n int, f func(i int) string) [][]byte {
		out := make([][]byte, n)
		for i := range out {
			out[i] = []byte(f(i))
		}
		return out
	}
	for i := 0; total < size; i++ {
		key := []byte("key:" + strconv.Itoa(i))
		off := (i * 7919) % (len(rnd) - 4*pad - 1)
		pp := func(j int) string { o := (off + j*977) % (len(rnd) - pad - 1); return string(rnd[o : o+pad]) }
		var v *Value
		switch i % 10 {
		case 0:
			v = &Value{Kind: KindString, String: []byte(strconv.Itoa(i * 7))}
		case 1:
			v = &Value{Kind: KindString, String: []byte("value-" + strconv.Itoa(i) + "-" + string(rnd[off:off+4*pad]))}
		case 2:
			v = &Value{Kind: KindList, List: bs(20, func(j int) string { return "item:" + strconv.Itoa(i+j) + pp(j) })}
		case 3:
			h := make([]HashField, 10)
			for j := range h {
				h[j] = HashField{Field: []byte("field" + strconv.Itoa(j)), Value: []byte("v" + strconv.Itoa(i*j) + pp(j))}
			}
			v = &Value{Kind: KindHash, Hash: h}
		case 4:
			v = &Value{Kind: KindSet, Set: bs(16, func(j int) string { return strconv.Itoa(i + j*3) })}
		case 5:
			v = &Value{Kind: KindSet, Set: bs(12, func(j int) string { return "member:" + strconv.Itoa(j) + pp(j)[:pad/2] })}
		case 6:
			z := make([]ZMember, 10)
			for j := range z {
				z[j] = ZMember{[]byte("m" + strconv.Itoa(j) + pp(j)[:pad/2]), float64(j) * 1.5}
			}
			v = &Value{Kind: KindZSet, ZSet: z}
		case 7:
			h := make([]HashField, 600)
			for j := range h {
				h[j] = HashField{Field: []byte("f" + strconv.Itoa(j)), Value: []byte(strconv.Itoa(j))}
			}
			if i%100 != 7 {
				h = h[:5]
			}
			v = &Value{Kind: KindHash, Hash: h}
		case 8:
			v = &Value{Kind: KindList, List: bs(50, func(j int) string { return strconv.Itoa(j * i) })}
		case 9:
			st := &Stream{}
			for j := 0; j < 20; j++ {
				st.Entries = append(st.Entries, StreamEntry{ID: StreamID{uint64(1000 + j), 0}, Fields: [][]byte{[]byte("a"), []byte(strconv.Itoa(j)), []byte("b"), []byte("x" + pp(j))}})
			}
			st.LastID = st.Entries[19].ID
			v = &Value{Kind: KindStream, Stream: st}
		}
		m.Keys = append(m.Keys, fileKey{DB: 0, Key: key, Expire: -1, Value: v})
		total += 16 + len(key) + estimate(v)
	}
	return m
}

func estimate(v *Value) int {
	n := len(v.String)
	for _, e := range v.List {
		n += len(e) + 2
	}
	for _, e := range v.Set {
		n += len(e) + 2
	}
	for _, h := range v.Hash {
		n += len(h.Field) + len(h.Value) + 4
	}
	n += 12 * len(v.ZSet)
	if v.Stream != nil {
		n += 12 * len(v.Stream.Entries)
	}
	return n
}

var (
	mixedOnce sync.Once
	mixedData []byte
)

// mixedFile returns the encoded mixed dataset (about 64 MB of typical
// sizes); with model set it also returns the values (kept alive only for
// the encode benchmark, so the decode benchmarks do not pay for scanning
// them).
func mixedFile(b *testing.B, model bool) ([]byte, *fileModel) {
	if model {
		m := mixedModel(mixedSize, mixedPad)
		if mixedData == nil {
			mixedData, _ = writeModel(b, m, 10)
		}
		return mixedData, m
	}
	mixedOnce.Do(func() {
		if mixedData == nil {
			mixedData, _ = writeModel(b, mixedModel(mixedSize, mixedPad), 10)
		}
	})
	runtime.GC()
	return mixedData, nil
}

const (
	mixedSize = 64 << 20
	mixedPad  = 24
)

var (
	denseOnce sync.Once
	denseData []byte
)

// BenchmarkDecodeDense decodes the element-dense variant: the per-record
// cost, with a few bytes per record.
func BenchmarkDecodeDense(b *testing.B) {
	denseOnce.Do(func() { denseData, _ = writeModel(b, mixedModel(mixedSize/2, 0), 10) })
	runtime.GC()
	b.SetBytes(int64(len(denseData)))
	b.ReportAllocs()
	b.ResetTimer()
	cpu := startCPU()
	for b.Loop() {
		d := NewDecoder(bytes.NewReader(denseData), nil)
		consume(d)
		if d.Err() != nil {
			b.Fatal(d.Err())
		}
	}
	cpu.report(b, len(denseData))
}

// consume is the discarding consumer: it touches every slice a real
// consumer would read.
func consume(d *Decoder) (n int) {
	for d.Next() {
		switch d.Kind() {
		case RecKeyBegin:
			n += len(d.Key())
		case RecString, RecListElement, RecSetMember, RecZSetMember:
			n += len(d.Value())
		case RecHashField, RecStreamField:
			n += len(d.Field()) + len(d.Value())
		}
	}
	return n
}

func BenchmarkDecodeMixed(b *testing.B) {
	data, _ := mixedFile(b, false)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	cpu := startCPU()
	for b.Loop() {
		d := NewDecoder(bytes.NewReader(data), nil)
		consume(d)
		if d.Err() != nil {
			b.Fatal(d.Err())
		}
	}
	cpu.report(b, len(data))
}

// BenchmarkDecodeMixedSkim is the strictly discarding consumer: it pulls
// every record and reads none of its bytes (integers stay unformatted).
func BenchmarkDecodeMixedSkim(b *testing.B) {
	data, _ := mixedFile(b, false)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	cpu := startCPU()
	for b.Loop() {
		d := NewDecoder(bytes.NewReader(data), nil)
		for d.Next() {
		}
		if d.Err() != nil {
			b.Fatal(d.Err())
		}
	}
	cpu.report(b, len(data))
}

func BenchmarkDecodeMixedDeep(b *testing.B) {
	data, _ := mixedFile(b, false)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		d := NewDecoder(bytes.NewReader(data), &Options{Deep: true})
		consume(d)
		if d.Err() != nil {
			b.Fatal(d.Err())
		}
	}
}

var (
	bigListOnce sync.Once
	bigListPath string
	bigListErr  error
)

// bigList writes an RDB holding one list of about 256 MB, streamed
// through BeginValue, into a temporary directory removed by TestMain.
func bigList(b *testing.B) string {
	bigListOnce.Do(func() {
		benchTmp, bigListErr = os.MkdirTemp("", "rdb-bench-")
		if bigListErr != nil {
			return
		}
		bigListPath = filepath.Join(benchTmp, "biglist.rdb")
		f, err := os.Create(bigListPath)
		if err != nil {
			bigListErr = err
			return
		}
		defer f.Close()
		e, _ := NewEncoder(f, &EncoderOptions{TempDir: benchTmp})
		vw, err := e.BeginValue(&Key{Name: []byte("biglist")}, KindList)
		if err != nil {
			bigListErr = err
			return
		}
		// Pseudo-random elements, so LZF leaves the file about 256 MB.
		el := make([]byte, 64)
		x := uint32(7)
		for i := 0; i < 256<<20/(len(el)+2); i++ {
			for j := range el {
				x = x*1664525 + 1013904223
				el[j] = 'a' + byte(x>>27)
			}
			if err := vw.Add(el); err != nil {
				bigListErr = err
				return
			}
		}
		if err := vw.Close(); err != nil {
			bigListErr = err
			return
		}
		bigListErr = e.Close()
	})
	if bigListErr != nil {
		b.Fatal(bigListErr)
	}
	return bigListPath
}

func BenchmarkDecodeBigList(b *testing.B) {
	path := bigList(b)
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(st.Size())
	b.ReportAllocs()
	b.ResetTimer()
	cpu := startCPU()
	for b.Loop() {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		d := NewDecoder(f, nil)
		consume(d)
		f.Close()
		if d.Err() != nil {
			b.Fatal(d.Err())
		}
	}
	cpu.report(b, int(st.Size()))
}

func BenchmarkEncodeMixed(b *testing.B) {
	data, m := mixedFile(b, true)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	cpu := startCPU()
	for b.Loop() {
		e, _ := NewEncoder(io.Discard, nil)
		for i := range m.Keys {
			k := &m.Keys[i]
			if err := e.WriteValue(&Key{Name: k.Key}, k.Value); err != nil {
				b.Fatal(err)
			}
		}
		if err := e.Close(); err != nil {
			b.Fatal(err)
		}
	}
	cpu.report(b, len(data))
}

// TestDecodeSteadyStateAllocs pins the zero-allocation element path.
func TestDecodeSteadyStateAllocs(t *testing.T) {
	m := mixedModel(1<<20, 0)
	data, _ := writeModel(t, m, 10)
	d := NewDecoder(bytes.NewReader(data), nil)
	// Warm up: the first keys size the buffers.
	for i := 0; i < 20000 && d.Next(); i++ {
	}
	allocs := testing.AllocsPerRun(1000, func() {
		if d.Next() {
			_ = d.Key()
			_ = d.Field()
			_ = d.Value()
		}
	})
	if allocs > 0.01 {
		t.Fatalf("%.3f allocations per record", allocs)
	}
}

// cpuClock measures the process's CPU time, so that MB/s can be read on a
// shared machine where wall time includes waiting for a core.
type cpuClock struct{ start time.Duration }

func cpuNow() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func startCPU() cpuClock { return cpuClock{cpuNow()} }

// report adds cpu-MB/s: bytes processed per second of CPU time.
func (c cpuClock) report(b *testing.B, size int) {
	used := cpuNow() - c.start
	if used > 0 {
		b.ReportMetric(float64(size)*float64(b.N)/used.Seconds()/1e6, "cpu-MB/s")
	}
}
