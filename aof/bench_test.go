package aof_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/redisctl/redisctl/aof"
)

// benchAOF is n commands of the mix bench/aofgen writes.
func benchAOF(n int) []byte {
	enc := aof.NewEncoder(false)
	var out []byte
	val := []byte("value-0123456789-abcdefghij")
	for i := 0; i < n; i++ {
		k := strconv.Itoa(i % 10000)
		var args [][]byte
		switch i % 4 {
		case 0:
			args = [][]byte{[]byte("SET"), []byte("s:" + k), val}
		case 1:
			args = [][]byte{[]byte("RPUSH"), []byte("l:" + strconv.Itoa(i%100)), []byte(k)}
		case 2:
			args = [][]byte{[]byte("HSET"), []byte("h:" + strconv.Itoa(i%100)), []byte("f" + k), val}
		default:
			args = [][]byte{[]byte("ZADD"), []byte("z:" + strconv.Itoa(i%100)), []byte(strconv.Itoa(i)), []byte("m" + k)}
		}
		out = enc.Append(out, 0, args, 0)
	}
	return out
}

func BenchmarkScanner(b *testing.B) {
	data := benchAOF(100000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		sc := aof.NewScanner("x", bytes.NewReader(data), 0)
		for sc.Next() {
		}
		if sc.Err() != nil {
			b.Fatal(sc.Err())
		}
	}
}

func BenchmarkEncoder(b *testing.B) {
	args := [][]byte{[]byte("SET"), []byte("key:000123"), []byte("value-0123456789-abcdefghij")}
	enc := aof.NewEncoder(true)
	buf := make([]byte, 0, 1<<20)
	b.SetBytes(int64(len(enc.Append(nil, 0, args, 1))))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if len(buf) > 1<<19 {
			buf = buf[:0]
		}
		buf = enc.Append(buf, i&1, args, int64(i>>10))
	}
}

// BenchmarkLoad replays 100k commands into a fresh engine (the loader's commands/s).
func BenchmarkLoad(b *testing.B) {
	data := benchAOF(100000)
	dir := b.TempDir()
	path := filepath.Join(dir, "x.aof")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		l := aof.NewLoader(newEngine(), nil)
		if st, err := l.LoadFile(path, "x.aof", false); st != aof.StatusOK {
			b.Fatal(st, err)
		}
	}
	b.ReportMetric(float64(100000*b.N)/b.Elapsed().Seconds(), "cmds/s")
}

func BenchmarkRewrite(b *testing.B) {
	data := benchAOF(200000)
	dir := b.TempDir()
	path := filepath.Join(dir, "x.aof")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		b.Fatal(err)
	}
	eng := newEngine()
	if st, err := aof.NewLoader(eng, nil).LoadFile(path, "x.aof", false); st != aof.StatusOK {
		b.Fatal(st, err)
	}
	for _, preamble := range []bool{false, true} {
		name := "commands"
		if preamble {
			name = "rdb"
		}
		b.Run(name, func(b *testing.B) {
			var cw countWriter
			if err := aof.Rewrite(&cw, eng, &aof.RewriteOptions{RDBPreamble: preamble}); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(cw.n)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := aof.Rewrite(io.Discard, eng, &aof.RewriteOptions{RDBPreamble: preamble}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

func BenchmarkParseManifest(b *testing.B) {
	m := &aof.Manifest{}
	m.NewBase("appendonly.aof", true)
	for i := 0; i < 20; i++ {
		m.NewIncr("appendonly.aof")
	}
	data := m.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := aof.ParseManifest(data); err != nil {
			b.Fatal(err)
		}
	}
}
