package resp

import (
	"bytes"
	"fmt"
	"testing"
)

// pipeline16 is 16 "SET key:00000N <16 bytes>" requests, as redis-benchmark
// -P 16 sends them.
func pipeline16() []byte {
	var p []byte
	for i := 0; i < 16; i++ {
		p = AppendCommandString(p, "SET", fmt.Sprintf("key:%06d", i+1), "0123456789abcdef")
	}
	return p
}

func BenchmarkReaderPipeline16(b *testing.B) {
	p := pipeline16()
	src := &repeatReader{data: p}
	r := NewReader(src, WithBufferSize(len(p)))
	args := make([][]byte, 0, 8)
	b.SetBytes(int64(len(p)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var err error
		if args, err = r.ReadCommand(args); err != nil {
			b.Fatal(err)
		}
		for k := 1; k < 16; k++ {
			var ok bool
			if args, ok, err = r.TryCommand(args); !ok || err != nil {
				b.Fatal(ok, err)
			}
		}
	}
}

func BenchmarkReaderInline(b *testing.B) {
	line := []byte("SET key:000001 0123456789abcdef\r\n")
	r := NewReader(&repeatReader{data: line})
	args := make([][]byte, 0, 8)
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		var err error
		if args, err = r.ReadCommand(args); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReaderBigBulk(b *testing.B) {
	cmd := AppendCommand(nil, []byte("SET"), []byte("k"), bytes.Repeat([]byte("x"), 1<<20))
	r := NewReader(&repeatReader{data: cmd})
	args := make([][]byte, 0, 8)
	b.SetBytes(int64(len(cmd)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		var err error
		if args, err = r.ReadCommand(args); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriterBulk(b *testing.B) {
	w := NewWriter(discard{})
	v := []byte("0123456789abcdef")
	b.SetBytes(int64(len(AppendBulk(nil, v))))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		w.WriteBulk(v)
		if i&15 == 15 {
			_ = w.Flush()
		}
	}
}

func BenchmarkWriterInt(b *testing.B) {
	w := NewWriter(discard{})
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		w.WriteInt(int64(i))
		if i&15 == 15 {
			_ = w.Flush()
		}
	}
}

func BenchmarkWriterArray100(b *testing.B) {
	w := NewWriter(discard{})
	v := []byte("member:0000")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		w.WriteArrayLen(100)
		for k := 0; k < 100; k++ {
			w.WriteBulk(v)
		}
		_ = w.Flush()
	}
}

func BenchmarkWriterDeferredArray100(b *testing.B) {
	w := NewWriter(discard{})
	v := []byte("member:0000")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		d := w.WriteDeferredLen()
		for k := 0; k < 100; k++ {
			w.WriteBulk(v)
		}
		w.SetArrayLen(d, 100)
		_ = w.Flush()
	}
}

func BenchmarkReplyReader(b *testing.B) {
	var p []byte
	p = AppendArrayLen(p, 10)
	for k := 0; k < 10; k++ {
		p = AppendBulkString(p, "0123456789abcdef")
	}
	r := NewReplyReader(&repeatReader{data: p})
	b.SetBytes(int64(len(p)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := r.ReadValue(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCommandReader(b *testing.B) {
	p := pipeline16()
	cr := NewCommandReader(&repeatReader{data: p})
	b.SetBytes(int64(len(p)) / 16)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if !cr.Next() {
			b.Fatal(cr.Err())
		}
	}
}
