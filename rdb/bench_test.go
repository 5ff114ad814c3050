package rdb

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
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
func mixedModel(size int) *fileModel {
	m := &fileModel{}
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
		var v *Value
		switch i % 10 {
		case 0:
			v = &Value{Kind: KindString, String: []byte(strconv.Itoa(i * 7))}
		case 1:
			v = &Value{Kind: KindString, String: []byte("value-" + strconv.Itoa(i) + "-abcdefghijklmnop")}
		case 2:
			v = &Value{Kind: KindList, List: bs(20, func(j int) string { return "item:" + strconv.Itoa(i+j) })}
		case 3:
			h := make([]HashField, 10)
			for j := range h {
				h[j] = HashField{Field: []byte("field" + strconv.Itoa(j)), Value: []byte("v" + strconv.Itoa(i*j))}
			}
			v = &Value{Kind: KindHash, Hash: h}
		case 4:
			v = &Value{Kind: KindSet, Set: bs(16, func(j int) string { return strconv.Itoa(i + j*3) })}
		case 5:
			v = &Value{Kind: KindSet, Set: bs(12, func(j int) string { return "member:" + strconv.Itoa(j) })}
		case 6:
			z := make([]ZMember, 10)
			for j := range z {
				z[j] = ZMember{[]byte("m" + strconv.Itoa(j)), float64(j) * 1.5}
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
			v = &Value{Kind: KindList, List: bs(200, func(j int) string { return strconv.Itoa(j) })}
		case 9:
			st := &Stream{}
			for j := 0; j < 20; j++ {
				st.Entries = append(st.Entries, StreamEntry{ID: StreamID{uint64(1000 + j), 0}, Fields: [][]byte{[]byte("a"), []byte(strconv.Itoa(j)), []byte("b"), []byte("x")}})
			}
			st.LastID = st.Entries[19].ID
			v = &Value{Kind: KindStream, Stream: st}
		}
		m.Keys = append(m.Keys, fileKey{DB: 0, Key: key, Expire: -1, Value: v})
		total += 40 + estimate(v)
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
	mixedOnce      sync.Once
	mixedModelData *fileModel
	mixedData      []byte
)

func mixedFile(b *testing.B) ([]byte, *fileModel) {
	mixedOnce.Do(func() {
		mixedModelData = mixedModel(64 << 20)
		mixedData, _ = writeModel(b, mixedModelData, 10)
	})
	return mixedData, mixedModelData
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
	data, _ := mixedFile(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		d := NewDecoder(bytes.NewReader(data), nil)
		consume(d)
		if d.Err() != nil {
			b.Fatal(d.Err())
		}
	}
}

func BenchmarkDecodeMixedDeep(b *testing.B) {
	data, _ := mixedFile(b)
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
		el := []byte("list-element-payload-0000000000000000000000000000000000000000000000000000")
		for i := 0; i < 256<<20/len(el); i++ {
			copy(el[13:], strconv.Itoa(i))
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
}

func BenchmarkEncodeMixed(b *testing.B) {
	data, m := mixedFile(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
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
}

// TestDecodeSteadyStateAllocs pins the zero-allocation element path.
func TestDecodeSteadyStateAllocs(t *testing.T) {
	m := mixedModel(1 << 20)
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
