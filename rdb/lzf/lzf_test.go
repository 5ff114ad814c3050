package lzf

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// goldens returns inputs with the LZF bytes real Redis wrote for them.
func goldens(t testing.TB) map[string][2][]byte {
	t.Helper()
	names, err := filepath.Glob("testdata/redis_*.in")
	require.NoError(t, err)
	require.NotEmpty(t, names)
	out := map[string][2][]byte{}
	for _, n := range names {
		in, err := os.ReadFile(n)
		require.NoError(t, err)
		z, err := os.ReadFile(strings.TrimSuffix(n, ".in") + ".lzf")
		require.NoError(t, err)
		out[filepath.Base(n)] = [2][]byte{in, z}
	}
	return out
}

func TestRedisGolden(t *testing.T) {
	for name, g := range goldens(t) {
		t.Run(name, func(t *testing.T) {
			in, z := g[0], g[1]
			got, err := Decompress(make([]byte, len(in)), z)
			require.NoError(t, err)
			require.Equal(t, in, got)

			// Same bytes as Redis, with Redis's budget of len-4.
			dst := make([]byte, len(in)-4)
			n := Compress(dst, in)
			require.Equal(t, z, dst[:n])
		})
	}
}

func TestDecompressTable(t *testing.T) {
	tests := []struct {
		name string
		src  []byte
		cap  int
		want string
		err  error
	}{
		{"empty", nil, 4, "", nil},
		{"literal", []byte{2, 'a', 'b', 'c'}, 3, "abc", nil},
		{"literal too big", []byte{2, 'a', 'b', 'c'}, 2, "", ErrTooBig},
		{"literal truncated", []byte{2, 'a', 'b'}, 8, "", ErrCorrupt},
		{"rle", []byte{0, 'x', 0x20, 0}, 8, "xxxx", nil},
		{"long backref", []byte{0, 'x', 0xe0, 1, 0}, 16, "xxxxxxxxxxx", nil},
		{"backref before start", []byte{0, 'x', 0x20, 1}, 8, "x", ErrCorrupt},
		{"backref truncated", []byte{0, 'x', 0x20}, 8, "x", ErrCorrupt},
		{"long backref truncated", []byte{0, 'x', 0xe0, 1}, 16, "x", ErrCorrupt},
		{"backref too big", []byte{0, 'x', 0x20, 0}, 3, "x", ErrTooBig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decompress(make([]byte, 0, tt.cap), tt.src)
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
			} else {
				require.NoError(t, err)
			}
			require.Equal(t, tt.want, string(got))
		})
	}
}

func TestCompressBudget(t *testing.T) {
	in := bytes.Repeat([]byte("hello world "), 20)
	full := make([]byte, len(in))
	n := Compress(full, in)
	require.Positive(t, n)
	// Budgets are monotonic: below some minimum (n plus at most a few bytes
	// of liblzf's conservative end checks) Compress fails; from it on, it
	// returns the same bytes.
	minBudget := -1
	for b := 0; b < n+8; b++ {
		dst := make([]byte, b)
		got := Compress(dst, in)
		if got == 0 {
			require.Equal(t, -1, minBudget, "budget %d failed after a smaller one fit", b)
			continue
		}
		if minBudget < 0 {
			minBudget = b
		}
		require.Equal(t, n, got)
		require.Equal(t, full[:n], dst[:n])
	}
	require.GreaterOrEqual(t, minBudget, n)
	require.LessOrEqual(t, minBudget, n+4)
	require.Zero(t, Compress(make([]byte, 10), nil))
	// Incompressible data does not fit in len-4.
	r := rand.New(rand.NewPCG(3, 4))
	noise := make([]byte, 1000)
	for i := range noise {
		noise[i] = byte(r.Uint32())
	}
	require.Zero(t, Compress(make([]byte, len(noise)-4), noise))
}

func TestRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var c Compressor
	for i := range 300 {
		n := r.IntN(20000)
		if i < 40 {
			n = i
		}
		in := make([]byte, n)
		alpha := 1 + r.IntN(255)
		for j := range in {
			if j > 10 && r.IntN(4) == 0 {
				in[j] = in[j-1-r.IntN(min(j, 9000))]
			} else {
				in[j] = byte(r.IntN(alpha))
			}
		}
		dst := make([]byte, n+n/16+64)
		zn := c.Compress(dst, in)
		if n == 0 {
			require.Zero(t, zn)
			continue
		}
		require.Positive(t, zn, "len %d", n)
		// Reuse across calls gives the same bytes as a fresh compressor.
		dst2 := make([]byte, len(dst))
		require.Equal(t, zn, new(Compressor).Compress(dst2, in))
		require.Equal(t, dst[:zn], dst2[:zn])
		out, err := Decompress(make([]byte, 0, n), dst[:zn])
		require.NoError(t, err)
		require.Equal(t, in, out)
	}
}

func TestCompressorWrap(t *testing.T) {
	var c Compressor
	in := bytes.Repeat([]byte("abcdefgh"), 64)
	dst := make([]byte, len(in))
	n := c.Compress(dst, in)
	want := append([]byte(nil), dst[:n]...)
	c.base = 1<<32 - 100 // force the table reset path
	require.Equal(t, n, c.Compress(dst, in))
	require.Equal(t, want, dst[:n])
	require.Less(t, c.base, uint32(1000))
}

func FuzzDecompress(f *testing.F) {
	for _, g := range goldens(f) {
		f.Add(g[1], len(g[0]))
	}
	f.Add([]byte{0xe0, 0xff, 0xff}, 1000)
	f.Fuzz(func(t *testing.T, src []byte, budget int) {
		budget = max(0, budget%(1<<16))
		out, err := Decompress(make([]byte, 0, budget), src)
		if len(out) > budget {
			t.Fatalf("output %d over budget %d", len(out), budget)
		}
		// The word-copy fast paths agree with the plain definition, in
		// output and in error.
		ref, refErr := decompressRef(make([]byte, 0, budget), src)
		if !bytes.Equal(out, ref) || (err == nil) != (refErr == nil) || err != nil && err.Error() != refErr.Error() {
			t.Fatalf("Decompress = %q, %v; reference = %q, %v", out, err, ref, refErr)
		}
		if err == nil {
			// Whatever decodes re-encodes and decodes back.
			z := make([]byte, len(out)+len(out)/16+64)
			n := Compress(z, out)
			back, err := Decompress(make([]byte, 0, len(out)), z[:n])
			if err != nil || !bytes.Equal(back, out) {
				t.Fatalf("round trip: %v", err)
			}
		}
	})
}

func FuzzRoundTrip(f *testing.F) {
	for _, g := range goldens(f) {
		f.Add(g[0])
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		dst := make([]byte, len(in)+len(in)/16+64)
		n := Compress(dst, in)
		if len(in) > 0 && n == 0 {
			t.Fatal("did not fit in generous budget")
		}
		// A tight budget either fails or yields a valid stream.
		tight := make([]byte, max(0, len(in)-4))
		if tn := Compress(tight, in); tn > 0 {
			if !bytes.Equal(tight[:tn], dst[:n]) {
				t.Fatal("budget changed the encoding")
			}
		}
		out, err := Decompress(make([]byte, 0, len(in)), dst[:n])
		if err != nil || !bytes.Equal(out, in) {
			t.Fatalf("round trip failed: %v", err)
		}
	})
}

func benchInput() []byte {
	var b bytes.Buffer
	r := rand.New(rand.NewPCG(7, 8))
	for b.Len() < 1<<20 {
		switch r.IntN(4) {
		case 0:
			b.WriteString("user:")
		case 1:
			b.WriteString(`{"name":"redis","count":`)
		case 2:
			b.WriteByte(byte('0' + r.IntN(10)))
		default:
			b.WriteByte(byte(r.Uint32()))
		}
	}
	return b.Bytes()
}

func BenchmarkCompress(b *testing.B) {
	in := benchInput()
	dst := make([]byte, len(in))
	var c Compressor
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	var n int
	for b.Loop() {
		n = c.Compress(dst, in)
	}
	b.ReportMetric(float64(n)/float64(len(in)), "ratio")
}

func BenchmarkCompressSmall(b *testing.B) {
	in := []byte(strings.Repeat("session:12345:token:", 5))
	dst := make([]byte, len(in)-4)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		Compress(dst, in)
	}
}

func BenchmarkDecompress(b *testing.B) {
	in := benchInput()
	z := make([]byte, len(in))
	z = z[:Compress(z, in)]
	out := make([]byte, len(in))
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decompress(out, z); err != nil {
			b.Fatal(err)
		}
	}
}

// wordsInput is what RDB files of random lowercase words look like to LZF:
// mostly literal runs and short back-references.
func wordsInput() []byte {
	r := rand.New(rand.NewPCG(9, 10))
	b := make([]byte, 1<<20)
	for i := range b {
		b[i] = 'a' + byte(r.IntN(26))
	}
	return b
}

func BenchmarkDecompressWords(b *testing.B) {
	in := wordsInput()
	z := make([]byte, len(in)+len(in)/16+64)
	z = z[:Compress(z, in)]
	out := make([]byte, len(in))
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decompress(out, z); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(z))/float64(len(in)), "ratio")
}

// decompressRef is Decompress without the fast paths: byte runs copied with
// copy, overlapping references by doubling.
func decompressRef(dst, src []byte) ([]byte, error) {
	out := dst[:cap(dst)]
	op, ip := 0, 0
	for ip < len(src) {
		ctrl := int(src[ip])
		ip++
		if ctrl < 32 {
			n := ctrl + 1
			if op+n > len(out) {
				return dst[:op], fmt.Errorf("%w: literal run of %d at input offset %d, output %d, budget %d",
					ErrTooBig, n, ip-1, op, len(out))
			}
			if ip+n > len(src) {
				return dst[:op], fmt.Errorf("%w: literal run of %d at input offset %d overruns input of %d bytes",
					ErrCorrupt, n, ip-1, len(src))
			}
			op += copy(out[op:op+n], src[ip:ip+n])
			ip += n
			continue
		}
		start := ip - 1
		n := ctrl >> 5
		ref := op - (ctrl&0x1f)<<8 - 1
		if ip >= len(src) {
			return dst[:op], fmt.Errorf("%w: back-reference at input offset %d truncated", ErrCorrupt, start)
		}
		if n == 7 {
			n += int(src[ip])
			ip++
			if ip >= len(src) {
				return dst[:op], fmt.Errorf("%w: back-reference at input offset %d truncated", ErrCorrupt, start)
			}
		}
		ref -= int(src[ip])
		ip++
		n += 2
		if op+n > len(out) {
			return dst[:op], fmt.Errorf("%w: back-reference of %d at input offset %d, output %d, budget %d",
				ErrTooBig, n, start, op, len(out))
		}
		if ref < 0 {
			return dst[:op], fmt.Errorf("%w: back-reference at input offset %d points %d bytes before output start",
				ErrCorrupt, start, -ref)
		}
		for i := range n {
			out[op+i] = out[ref+i]
		}
		op += n
	}
	return dst[:op], nil
}

// TestFastPathsAgree decodes words-like and repetitive inputs, whole and
// cut short, with the fast paths and with the reference.
func TestFastPathsAgree(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	inputs := [][]byte{wordsInput()[:100000], benchInput()[:100000], bytes.Repeat([]byte("abcdefg"), 5000)}
	for _, in := range inputs {
		z := make([]byte, len(in)+len(in)/16+64)
		z = z[:Compress(z, in)]
		for range 50 {
			cut := z[:r.IntN(len(z)+1)]
			budget := len(in) - r.IntN(100)
			got, err := Decompress(make([]byte, 0, budget), cut)
			want, werr := decompressRef(make([]byte, 0, budget), cut)
			require.Equal(t, want, got)
			require.Equal(t, werr, err)
		}
		got, err := Decompress(make([]byte, 0, len(in)), z)
		require.NoError(t, err)
		require.Equal(t, in, got)
	}
}

// BenchmarkCompressWords compresses random lowercase words in pieces of 8 KiB (a list
// node) as an RDB save of such data does: mostly literals and short matches.
func BenchmarkCompressWords(b *testing.B) {
	in := wordsInput()
	dst := make([]byte, 8<<10)
	var c Compressor
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	var n int
	for b.Loop() {
		n = 0
		for off := 0; off < len(in); off += 8 << 10 {
			n += c.Compress(dst[:8<<10-4], in[off:off+8<<10])
		}
	}
	b.ReportMetric(float64(n)/float64(len(in)), "ratio")
}
