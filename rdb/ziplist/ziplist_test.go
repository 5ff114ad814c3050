package ziplist

import (
	"encoding/binary"
	"encoding/hex"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/redisctl/redisctl/rdb/internal/corpustest"
	"github.com/stretchr/testify/require"
)

func build(vals ...string) []byte {
	zl := New()
	for _, v := range vals {
		zl = Append(zl, []byte(v))
	}
	return zl
}

func values(t testing.TB, zl []byte) []string {
	t.Helper()
	it, err := NewIter(zl)
	require.NoError(t, err)
	var out []string
	for it.Next() {
		s, n, isInt := it.Value()
		if isInt {
			out = append(out, strconv.FormatInt(n, 10))
		} else {
			out = append(out, string(s))
		}
	}
	require.NoError(t, it.Err())
	return out
}

func TestNew(t *testing.T) {
	require.Equal(t, "0b0000000a0000000000ff", hex.EncodeToString(New()))
	n, err := Validate(New())
	require.NoError(t, err)
	require.Zero(t, n)
}

func TestEntryGolden(t *testing.T) {
	// Each value appended to an empty ziplist: the entry bytes, starting
	// with prevlen 0.
	long := "1234567890123456789012345678901" // 31 bytes, not an int64
	for _, tt := range []struct{ v, want string }{
		{"0", "00f1"},
		{"12", "00fd"},
		{"13", "00fe0d"},
		{"-1", "00feff"},
		{"-128", "00fe80"},
		{"128", "00c08000"},
		{"-32768", "00c00080"},
		{"32768", "00f0008000"},
		{"-8388608", "00f0000080"},
		{"8388608", "00d000008000"},
		{"2147483648", "00e00000008000000000"},
		{"-0", "00022d30"},
		{"007", "0003303037"},
		{"", "0000"},
		{"abc", "0003616263"},
		{long, "001f" + hex.EncodeToString([]byte(long))},
	} {
		t.Run(tt.v, func(t *testing.T) {
			zl := build(tt.v)
			require.Equal(t, tt.want, hex.EncodeToString(zl[HeaderSize:len(zl)-1]))
			require.Equal(t, HeaderSize, Tail(zl))
			require.Equal(t, 1, HeaderCount(zl))
			require.Equal(t, []string{tt.v}, values(t, zl))
		})
	}
}

func TestWholeGolden(t *testing.T) {
	// Hand-computed: "a", 5, a 300-byte string, "x" (needs a 5-byte prevlen).
	big := strings.Repeat("b", 300)
	zl := build("a", "5", big, "x")
	var want []byte
	want = binary.LittleEndian.AppendUint32(want, uint32(10+3+2+(1+2+300)+(5+1+1)+1))
	want = binary.LittleEndian.AppendUint32(want, 10+3+2+303)
	want = binary.LittleEndian.AppendUint16(want, 4)
	want = append(want, 0, 0x01, 'a')           // entry 0: 3 bytes
	want = append(want, 3, 0xF6)                // entry 1: prevlen 3, imm 5
	want = append(want, 2, 0x41, 0x2c)          // entry 2: 14-bit len 300
	want = append(want, big...)                 //
	want = append(want, 0xFE, 0x2f, 0x01, 0, 0) // entry 3: prevlen 303
	want = append(want, 0x01, 'x', 0xFF)        //
	require.Equal(t, hex.EncodeToString(want), hex.EncodeToString(zl))
	n, err := Validate(zl)
	require.NoError(t, err)
	require.Equal(t, 4, n)
	// A 20000-byte string uses the 32-bit length form.
	zl = build(strings.Repeat("c", 20000))
	require.Equal(t, "00800000"+"4e20", hex.EncodeToString(zl[HeaderSize:HeaderSize+6]))
}

func TestCountSaturates(t *testing.T) {
	zl := New()
	for range CountUnknown + 5 {
		zl = AppendInt(zl, 7)
	}
	require.Equal(t, CountUnknown, HeaderCount(zl))
	require.Equal(t, CountUnknown+5, Len(zl))
	n, err := Validate(zl)
	require.NoError(t, err)
	require.Equal(t, CountUnknown+5, n)
}

func TestCorrupt(t *testing.T) {
	good := build("a", "300", strings.Repeat("b", 100))
	mod := func(f func(b []byte)) []byte {
		b := append([]byte(nil), good...)
		f(b)
		return b
	}
	for _, tt := range []struct {
		name string
		zl   []byte
		want string
	}{
		{"short", []byte{1, 2, 3}, "shorter than"},
		{"zlbytes", mod(func(b []byte) { b[0]++ }), "zlbytes"},
		{"end byte", mod(func(b []byte) { b[len(b)-1] = 0 }), "expected end byte"},
		{"zltail past end", mod(func(b []byte) { b[5] = 0xff }), "past the end byte"},
		{"zltail wrong", mod(func(b []byte) { b[4]-- }), "zltail"},
		{"zllen", mod(func(b []byte) { b[8] = 9 }), "zllen 9"},
		{"prevlen", mod(func(b []byte) { b[HeaderSize+3] = 9 }), "prevlen 9"},
		{"first prevlen", mod(func(b []byte) { b[HeaderSize] = 1 }), "prevlen 1"},
		{"bad encoding", mod(func(b []byte) { b[HeaderSize+1] = 0xC1 }), "invalid encoding"},
		{"string past end", mod(func(b []byte) { b[HeaderSize+1] = 0x3f }), "runs past the end"},
		{"32-bit string past end", mod(func(b []byte) {
			b[HeaderSize+1] = 0x80
		}), "runs past the end"},
		{"early end", mod(func(b []byte) { b[HeaderSize+3] = 0xFF }), "before the end"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Validate(tt.zl)
			require.ErrorIs(t, err, ErrCorrupt)
			require.ErrorContains(t, err, tt.want)
		})
	}
}

func TestBigPrevlenAccepted(t *testing.T) {
	// A 5-byte prevlen holding a small value (left by a cascade update) is
	// valid.
	zl := build("a", "b")
	var b []byte
	b = append(b, zl[:HeaderSize+3]...)
	b = append(b, 0xFE, 3, 0, 0, 0)
	b = append(b, zl[HeaderSize+4:]...)
	binary.LittleEndian.PutUint32(b, uint32(len(b)))
	n, err := Validate(b)
	require.NoError(t, err)
	require.Equal(t, 2, n)
	require.Equal(t, []string{"a", "b"}, values(t, b))
}

// hasLegacyInts reports whether some integer entry is wider than today's
// writer would make it: Redis before 2.6 had no int8, int24 or immediate
// encodings, and Redis keeps loaded ziplists verbatim, so such entries
// survive into newer files.
func hasLegacyInts(zl []byte) bool {
	for off := HeaderSize; zl[off] != End; {
		e, err := parse(zl, off, len(zl)-1)
		if err != nil {
			return false
		}
		var b [9]byte
		if e.isInt && e.hdr+e.data != intEncoding(&b, e.n) {
			return true
		}
		off += e.size()
	}
	return false
}

// TestCorpus finds every ziplist embedded in the shared RDB corpus (written
// by Redis 2.6 to 6.x), checks it validates, and that re-encoding
// gives back the very same bytes unless it holds pre-2.6 integer encodings.
func TestCorpus(t *testing.T) {
	dir := corpustest.Dir(t)
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*.rdb"))
	found, identical := 0, 0
	for _, f := range files {
		for _, zl := range corpustest.Embedded(t, f, func(b []byte) bool {
			return len(b) >= emptySize && int(binary.LittleEndian.Uint32(b)) == len(b) && b[len(b)-1] == End &&
				int(binary.LittleEndian.Uint32(b[4:])) < len(b)
		}) {
			n, err := Validate(zl)
			if strings.Contains(f, "corrupt") {
				continue
			}
			require.NoError(t, err, "%s", f)
			found++
			vals := values(t, zl)
			require.Len(t, vals, n)
			if string(build(vals...)) == string(zl) {
				identical++
			} else if !hasLegacyInts(zl) {
				t.Errorf("%s: re-encoded ziplist differs though every integer uses today's encodings", f)
			}
		}
	}
	t.Logf("corpus: %d ziplists, %d re-encode byte-identically", found, identical)
	require.Greater(t, found, 5)
}

func TestIterNoAlloc(t *testing.T) {
	zl := build("a", "1", "70000", strings.Repeat("x", 300))
	require.Zero(t, testing.AllocsPerRun(100, func() {
		it, _ := NewIter(zl)
		for it.Next() {
			_, _, _ = it.Value()
		}
	}))
}

func FuzzValidate(f *testing.F) {
	f.Add(New(), false)
	f.Add(build("a", "5", strings.Repeat("b", 300), "x", "-70000", "1099511627776"), true)
	f.Fuzz(func(t *testing.T, zl []byte, fix bool) {
		if fix && len(zl) >= emptySize {
			binary.LittleEndian.PutUint32(zl, uint32(len(zl)))
			zl[len(zl)-1] = End
		}
		n, err := Validate(zl)
		it, ierr := NewIter(zl)
		walked := 0
		if ierr == nil {
			for it.Next() {
				_, _, _ = it.Value()
				walked++
			}
		}
		if err != nil {
			return
		}
		if ierr != nil || it.Err() != nil || walked != n || Len(zl) != n {
			t.Fatalf("Validate ok (%d) but iter: %v %v %d", n, ierr, it.Err(), walked)
		}
		// Appending to a valid ziplist keeps it valid.
		c := Append(append([]byte(nil), zl...), []byte("tail"))
		if m, err := Validate(c); err != nil || m != n+1 {
			t.Fatalf("append: %v %d", err, m)
		}
	})
}

func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte("a\x0012\x00-0\x0070000\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		vals := strings.Split(string(data), "\x00")
		zl := build(vals...)
		n, err := Validate(zl)
		if err != nil || n != len(vals) {
			t.Fatalf("%v %d", err, n)
		}
		got := values(t, zl)
		for i := range vals {
			if got[i] != vals[i] {
				t.Fatalf("entry %d: %q != %q", i, got[i], vals[i])
			}
		}
	})
}

func BenchmarkIter(b *testing.B) {
	zl := New()
	for i := range 512 {
		zl = Append(zl, []byte("field:"+strconv.Itoa(i)))
		zl = AppendInt(zl, int64(i*1000))
	}
	b.SetBytes(int64(len(zl)))
	b.ReportAllocs()
	for b.Loop() {
		it, _ := NewIter(zl)
		for it.Next() {
			_, _, _ = it.Value()
		}
	}
}

func BenchmarkAppend(b *testing.B) {
	buf := make([]byte, 0, 64<<10)
	b.ReportAllocs()
	for b.Loop() {
		zl := append(buf[:0], New()...)
		for i := range 1024 {
			zl = AppendInt(zl, int64(i))
		}
	}
}
