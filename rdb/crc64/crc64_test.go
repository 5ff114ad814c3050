package crc64

import (
	stdcrc "hash/crc64"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

var stdTab = stdcrc.MakeTable(Poly)

// reference is the bit-at-a-time definition.
func reference(crc uint64, p []byte) uint64 {
	for _, c := range p {
		crc ^= uint64(c)
		for range 8 {
			if crc&1 == 1 {
				crc = crc>>1 ^ Poly
			} else {
				crc >>= 1
			}
		}
	}
	return crc
}

func TestCheckValue(t *testing.T) {
	require.Equal(t, uint64(0xe9c6d914c4b8d9ca), Checksum([]byte("123456789")))
	require.Equal(t, uint64(0), Checksum(nil))
}

func TestGolden(t *testing.T) {
	// A DUMP payload from real Redis 7.0.15 (DUMP of SET k "Lorem ipsum dolor
	// sit amet"): the last 8 bytes are the CRC of everything before them.
	payload := append([]byte("\x00\x1aLorem ipsum dolor sit amet"), 0x0a, 0x00)
	trailer := []byte{0x21, 0xac, 0x92, 0xe1, 0xf3, 0xb8, 0xda, 0x88}
	h := New()
	_, _ = h.Write(payload)
	require.Equal(t, trailer, h.Sum(nil))
}

func TestAgainstReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	buf := make([]byte, 4096)
	for i := range buf {
		buf[i] = byte(r.Uint32())
	}
	for n := range 200 {
		p := buf[r.IntN(64) : r.IntN(64)+n*13%4000]
		want := reference(0, p)
		require.Equal(t, want, Checksum(p), "len %d", len(p))
		require.Equal(t, want, ^stdcrc.Update(^uint64(0), stdTab, p))
		// Streaming in uneven chunks gives the same value.
		var crc uint64
		for q := p; len(q) > 0; {
			k := min(len(q), 1+r.IntN(37))
			crc = Update(crc, q[:k])
			q = q[k:]
		}
		require.Equal(t, want, crc)
	}
}

func TestHash(t *testing.T) {
	h := New()
	_, _ = h.Write([]byte("1234"))
	_, _ = h.Write([]byte("56789"))
	require.Equal(t, uint64(0xe9c6d914c4b8d9ca), h.Sum64())
	require.Equal(t, []byte{0xca, 0xd9, 0xb8, 0xc4, 0x14, 0xd9, 0xc6, 0xe9}, h.Sum(nil))
	h.Reset()
	require.Zero(t, h.Sum64())
}

func FuzzUpdate(f *testing.F) {
	f.Add([]byte("123456789"), 3)
	f.Fuzz(func(t *testing.T, p []byte, split int) {
		want := reference(0, p)
		if got := Checksum(p); got != want {
			t.Fatalf("Checksum = %x, want %x", got, want)
		}
		if split < 0 {
			split = -split
		}
		if len(p) > 0 {
			split %= len(p)
			if got := Update(Update(0, p[:split]), p[split:]); got != want {
				t.Fatalf("split Update = %x, want %x", got, want)
			}
		}
	})
}

func benchmark(b *testing.B, n int) {
	p := make([]byte, n)
	for i := range p {
		p[i] = byte(i * 7)
	}
	b.SetBytes(int64(n))
	b.ReportAllocs()
	var s uint64
	for b.Loop() {
		s = Update(s, p)
	}
}

func BenchmarkChecksum64(b *testing.B) { benchmark(b, 64) }
func BenchmarkChecksum4K(b *testing.B) { benchmark(b, 4096) }
func BenchmarkChecksum1M(b *testing.B) { benchmark(b, 1<<20) }

func BenchmarkStdlibCRC64_1M(b *testing.B) {
	p := make([]byte, 1<<20)
	b.SetBytes(int64(len(p)))
	var s uint64
	for b.Loop() {
		s = stdcrc.Update(s, stdTab, p)
	}
}

// TestFoldPath covers the carry-less path (long inputs) at every length
// around its thresholds, every alignment and a running CRC, against the
// tables and the bit-at-a-time definition.
func TestFoldPath(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	buf := make([]byte, 1<<16+64)
	for i := range buf {
		buf[i] = byte(r.Uint32())
	}
	lengths := []int{1 << 16, 1<<16 - 1, 1<<16 + 17, 4096, 4095, 65 * 64}
	for n := clmulMin - 70; n < clmulMin+200; n++ {
		lengths = append(lengths, n)
	}
	for _, n := range lengths {
		off := r.IntN(64)
		p := buf[off : off+n]
		init := r.Uint64()
		want := updateTable(init, p)
		require.Equal(t, want, Update(init, p), "len %d off %d", n, off)
		if n < 5000 {
			require.Equal(t, reference(init, p), want, "len %d", n)
		}
	}
	// All zeros and all ones (folding constants meet trivial data).
	for _, c := range []byte{0, 0xff} {
		p := make([]byte, 1000)
		for i := range p {
			p[i] = c
		}
		require.Equal(t, reference(0, p), Checksum(p))
	}
}

func BenchmarkTable1M(b *testing.B) {
	p := make([]byte, 1<<20)
	b.SetBytes(int64(len(p)))
	var s uint64
	for b.Loop() {
		s = updateTable(s, p)
	}
}
