package listpack

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// edgeValues is the sequence pushed into real Redis to produce the
// redis_*_edge testdata (see testdata/README).
var edgeValues = []string{"0", "-0", "00", "007", "+1", "1 ", "127", "128", "-1", "-64", "4095", "4096", "-4096", "-4097", "32767", "32768", "-32768", "-32769",
	"8388607", "8388608", "-8388608", "-8388609", "2147483647", "2147483648", "-2147483648", "-2147483649",
	"9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "12345678901234567890",
	"", "a", strings.Repeat("x", 63), strings.Repeat("x", 64), strings.Repeat("y", 125), strings.Repeat("y", 126),
	strings.Repeat("z", 4095), strings.Repeat("z", 4096), strings.Repeat("w", 16380), strings.Repeat("w", 16379),
	strings.Repeat("v", 20000), "3.14", "hello"}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	if strings.HasSuffix(name, ".gz") {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		require.NoError(t, err)
		b, err = io.ReadAll(zr)
		require.NoError(t, err)
	}
	return b
}

// values decodes a listpack into strings (integers in decimal).
func values(t testing.TB, lp []byte) []string {
	t.Helper()
	it, err := NewIter(lp)
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

func build(vals []string) []byte {
	lp := New()
	for _, v := range vals {
		lp = Append(lp, []byte(v))
	}
	return lp
}

func TestNew(t *testing.T) {
	require.Equal(t, []byte{7, 0, 0, 0, 0, 0, 0xff}, New())
	n, err := Validate(New())
	require.NoError(t, err)
	require.Zero(t, n)
	require.Equal(t, -1, First(New()))
	require.Equal(t, -1, Last(New()))
}

func TestRedisDumpGolden(t *testing.T) {
	// RPUSH l a b 1 2 -1 300 70000 hello; DUMP l (Redis 7.0.15), the
	// quicklist node's listpack.
	want, _ := hex.DecodeString("230000000800" + "816102" + "816202" + "0101" + "0201" + "dfff02" +
		"c12c02" + "f27011010" + "4" + "8568656c6c6f06" + "ff")
	lp := build([]string{"a", "b", "1", "2", "-1", "300", "70000", "hello"})
	require.Equal(t, want, lp)
}

func TestEntryEncodingGolden(t *testing.T) {
	tests := []struct {
		v    string
		want string // entry bytes, hex, including backlen
	}{
		{"0", "0001"},
		{"127", "7f01"},
		{"128", "c08002"},
		{"-1", "dfff02"},
		{"4095", "cfff02"},
		{"-4096", "d00002"},
		{"4096", "f1001003"},
		{"-4097", "f1ffef03"},
		{"32767", "f1ff7f03"},
		{"32768", "f200800004"},
		{"-32769", "f2ff7fff04"},
		{"8388607", "f2ffff7f04"},
		{"-8388608", "f200008004"},
		{"8388608", "f30000800005"},
		{"2147483647", "f3ffffff7f05"},
		{"-2147483648", "f30000008005"},
		{"2147483648", "f4000000800000000009"},
		{"9223372036854775807", "f4ffffffffffffff7f09"},
		{"-9223372036854775808", "f4000000000000008009"},
		{"9223372036854775808", "93" + hex.EncodeToString([]byte("9223372036854775808")) + "14"},
		{"-0", "822d3003"},
		{"007", "8330303704"},
		{"+1", "822b3103"},
		{"", "8001"},
		{"a", "816102"},
	}
	for _, tt := range tests {
		t.Run(tt.v, func(t *testing.T) {
			lp := Append(New(), []byte(tt.v))
			require.Equal(t, tt.want, hex.EncodeToString(lp[HeaderSize:len(lp)-1]))
			require.Equal(t, len(tt.want)/2, EntrySize([]byte(tt.v)))
			require.Equal(t, 1, HeaderCount(lp))
			require.Equal(t, len(lp), Bytes(lp))
		})
	}
}

func TestStringEncodingBoundaries(t *testing.T) {
	for _, tt := range []struct {
		n       int
		hdr     string
		backlen string
	}{
		{63, "bf", "40"},
		{64, "e040", "42"},
		{125, "e07d", "7f"},   // 127 bytes: 1-byte backlen
		{126, "e07e", "0180"}, // 128 bytes: 2-byte backlen
		{4095, "efff", "2081"},
		{4096, "f000100000", "2085"},
		{16377, "f0f93f0000", "7ffe"}, // enc 16382: last 2-byte backlen
		{16378, "f0fa3f0000", "00ffff" /* 16383 */},
	} {
		v := bytes.Repeat([]byte("s"), tt.n)
		lp := Append(New(), v)
		e := lp[HeaderSize : len(lp)-1]
		hdr, _ := hex.DecodeString(tt.hdr)
		bl, _ := hex.DecodeString(tt.backlen)
		require.Equal(t, hdr, e[:len(hdr)], "n=%d", tt.n)
		require.Equal(t, bl, e[len(e)-len(bl):], "n=%d backlen", tt.n)
		require.Equal(t, len(hdr)+tt.n+len(bl), len(e))
		require.Equal(t, len(e), EntrySize(v))
	}
}

func TestBacklen(t *testing.T) {
	for _, tt := range []struct{ l, size int }{
		{0, 1}, {127, 1}, {128, 2}, {16382, 2}, {16383, 3}, {2097150, 3}, {2097151, 4},
		{268435454, 4}, {268435455, 5}, {math.MaxUint32, 5},
	} {
		require.Equal(t, tt.size, backlenSize(tt.l), "l=%d", tt.l)
		b := make([]byte, tt.size)
		putBacklen(b, tt.l)
		require.Zero(t, b[0]&128, "first byte has no continuation bit")
		v, ok := readBacklen(b, len(b)-1)
		require.True(t, ok)
		require.Equal(t, uint64(tt.l), v)
	}
}

func TestParseInt(t *testing.T) {
	for _, tt := range []struct {
		s  string
		v  int64
		ok bool
	}{
		{"0", 0, true}, {"-0", 0, false}, {"00", 0, false}, {"01", 0, false}, {"+1", 0, false},
		{" 1", 0, false}, {"1 ", 0, false}, {"-", 0, false}, {"", 0, false}, {"1a", 0, false},
		{"-1", -1, true}, {"9223372036854775807", math.MaxInt64, true},
		{"9223372036854775808", 0, false}, {"-9223372036854775808", math.MinInt64, true},
		{"-9223372036854775809", 0, false}, {"18446744073709551616", 0, false},
		{"99999999999999999999", 0, false}, {"123456789012345678901", 0, false},
	} {
		v, ok := ParseInt([]byte(tt.s))
		require.Equal(t, tt.ok, ok, "%q", tt.s)
		require.Equal(t, tt.v, v, "%q", tt.s)
	}
}

func TestRedisEdgeGolden(t *testing.T) {
	var hashInput []string
	for i, v := range edgeValues {
		hashInput = append(hashInput, fmt.Sprintf("f%d", i), v)
	}
	for _, tt := range []struct {
		file  string
		input []string
	}{
		{"redis_list_edge_0.lp.gz", edgeValues},
		{"redis_hash_edge_0.lp.gz", hashInput},
		{"redis_zset_edge_0.lp", nil},
	} {
		t.Run(tt.file, func(t *testing.T) {
			redis := readTestdata(t, tt.file)
			n, err := Validate(redis)
			require.NoError(t, err)
			vals := values(t, redis)
			require.Len(t, vals, n)
			if tt.input != nil {
				require.Len(t, vals, len(tt.input))
				require.Equal(t, redis, build(tt.input))
			}
			require.Equal(t, redis, build(vals))
		})
	}
}

func TestRedisBigHash(t *testing.T) {
	// HSET hash:big i v(7*i) for i < 40000, as written by Redis 7.0.15.
	lp := New()
	for i := range 40000 {
		lp = Append(lp, []byte(strconv.Itoa(i)))
		lp = Append(lp, []byte("v"+strconv.Itoa(7*i)))
	}
	sum := sha256.Sum256(lp)
	require.Equal(t, 507140, len(lp))
	require.Equal(t, "5b5fbc7b216804e49109a81de44bc9436505494177aa55c1a093d0d05e6177f9", hex.EncodeToString(sum[:]))
	require.Equal(t, CountUnknown, HeaderCount(lp))
	require.Equal(t, 80000, Len(lp))
	n, err := Validate(lp)
	require.NoError(t, err)
	require.Equal(t, 80000, n)
}

func TestCountSaturates(t *testing.T) {
	lp := New()
	for i := range CountUnknown - 1 {
		lp = AppendInt(lp, int64(i%100))
	}
	require.Equal(t, CountUnknown-1, HeaderCount(lp))
	lp = AppendInt(lp, 1)
	require.Equal(t, CountUnknown, HeaderCount(lp))
	require.Equal(t, CountUnknown, Len(lp))
	lp = AppendInt(lp, 2)
	require.Equal(t, CountUnknown, HeaderCount(lp), "stays unknown")
	lp = Delete(lp, First(lp))
	lp = Delete(lp, First(lp))
	require.Equal(t, CountUnknown, HeaderCount(lp), "deletes keep unknown")
	require.Equal(t, CountUnknown-1, Len(lp))
	require.Equal(t, CountUnknown, HeaderCount(lp), "Len does not write")
	require.Equal(t, CountUnknown-1, SyncLen(lp))
	require.Equal(t, CountUnknown-1, HeaderCount(lp), "SyncLen writes as lpLength")
	_, err := Validate(lp)
	require.NoError(t, err)
}

func TestNavigation(t *testing.T) {
	vals := []string{"a", "1", strings.Repeat("b", 200), "-5000", strings.Repeat("c", 5000), "x"}
	lp := build(vals)
	var offs []int
	for off := First(lp); off >= 0; off = Next(lp, off) {
		offs = append(offs, off)
	}
	require.Len(t, offs, len(vals))
	// Backwards gives the same offsets.
	i := len(offs) - 1
	for off := Last(lp); off >= 0; off = Prev(lp, off) {
		require.Equal(t, offs[i], off)
		i--
	}
	require.Equal(t, -1, i)
	for idx := range vals {
		off, ok := Seek(lp, idx)
		require.True(t, ok)
		require.Equal(t, offs[idx], off)
		off, ok = Seek(lp, idx-len(vals))
		require.True(t, ok)
		require.Equal(t, offs[idx], off)
		s, n, isInt := Get(lp, off)
		if isInt {
			require.Equal(t, vals[idx], strconv.FormatInt(n, 10))
		} else {
			require.Equal(t, vals[idx], string(s))
		}
	}
	for _, bad := range []int{len(vals), -len(vals) - 1, 100, -100} {
		_, ok := Seek(lp, bad)
		require.False(t, ok, "index %d", bad)
	}
	// The same with an unknown count.
	setCount(lp, CountUnknown)
	for idx := range vals {
		off, ok := Seek(lp, idx)
		require.True(t, ok)
		require.Equal(t, offs[idx], off)
		off, ok = Seek(lp, idx-len(vals))
		require.True(t, ok)
		require.Equal(t, offs[idx], off)
	}
	_, ok := Seek(lp, len(vals))
	require.False(t, ok)
	_, ok = Seek(lp, -len(vals)-1)
	require.False(t, ok)
}

func TestFind(t *testing.T) {
	lp := build([]string{"f1", "10", "f2", "f1", "12", "x", "-0", "7"})
	require.Equal(t, HeaderSize, Find(lp, First(lp), []byte("f1"), 0))
	// skip=1 looks only at keys: "f1" appears as a value at index 3? no:
	// keys are f1, f2, 12, -0; values 10, f1, x, 7.
	off, _ := Seek(lp, 4)
	require.Equal(t, off, Find(lp, First(lp), []byte("12"), 1))
	require.Equal(t, -1, Find(lp, First(lp), []byte("x"), 1))
	off, _ = Seek(lp, 6)
	require.Equal(t, off, Find(lp, First(lp), []byte("-0"), 1), "non-canonical strings compare as bytes")
	require.Equal(t, -1, Find(lp, First(lp), []byte("012"), 0), "012 is not the integer 12")
	off, _ = Seek(lp, 1)
	require.Equal(t, off, Find(lp, First(lp), []byte("10"), 0))
	require.Equal(t, -1, Find(New(), First(New()), []byte("a"), 0))
}

func TestDeleteRange(t *testing.T) {
	vals := []string{"0", "1", "2", "3", "4", "5", "6", "7"}
	for _, tt := range []struct {
		index, count int
		want         []string
	}{
		{0, 3, []string{"3", "4", "5", "6", "7"}},
		{2, 2, []string{"0", "1", "4", "5", "6", "7"}},
		{5, 10, []string{"0", "1", "2", "3", "4"}},
		{-2, 1, []string{"0", "1", "2", "3", "4", "5", "7"}},
		{-3, 3, []string{"0", "1", "2", "3", "4"}},
		{0, 8, nil},
		{8, 1, vals},
		{-9, 1, vals},
		{0, 0, vals},
	} {
		for _, unknown := range []bool{false, true} {
			lp := build(vals)
			if unknown {
				setCount(lp, CountUnknown)
			}
			lp = DeleteRange(lp, tt.index, tt.count)
			require.NoError(t, checkValid(lp), "%+v", tt)
			got := values(t, lp)
			require.Equal(t, tt.want, got, "%+v unknown=%v", tt, unknown)
			if !unknown {
				require.Equal(t, build(tt.want), lp)
			}
		}
	}
}

func checkValid(lp []byte) error {
	_, err := Validate(lp)
	return err
}

// TestEditModel applies random edits to a listpack and a slice model, and
// checks after every step that the bytes equal building the model's
// contents from scratch with Append (listpack bytes are a function of the
// entries), which is what Redis would hold.
func TestEditModel(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	randVal := func() string {
		switch r.IntN(6) {
		case 0:
			return strconv.FormatInt(r.Int64N(1<<40)-1<<39, 10)
		case 1:
			return strconv.Itoa(r.IntN(300) - 150)
		case 2:
			return strings.Repeat("q", r.IntN(5000))
		case 3:
			return "-0"
		default:
			return fmt.Sprintf("k%d", r.IntN(1000))
		}
	}
	lp := New()
	var model []string
	for step := range 3000 {
		switch op := r.IntN(8); {
		case op == 0 || len(model) == 0:
			v := randVal()
			lp = Append(lp, []byte(v))
			model = append(model, v)
		case op == 1:
			v := randVal()
			lp = Prepend(lp, []byte(v))
			model = append([]string{v}, model...)
		case op == 2:
			i := r.IntN(len(model))
			off, _ := Seek(lp, i)
			v := randVal()
			after := r.IntN(2) == 0
			lp = Insert(lp, off, []byte(v), after)
			if after {
				i++
			}
			model = append(model[:i], append([]string{v}, model[i:]...)...)
		case op == 3:
			i := r.IntN(len(model))
			off, _ := Seek(lp, i)
			v := randVal()
			lp = Replace(lp, off, []byte(v))
			model[i] = v
		case op == 4:
			i := r.IntN(len(model))
			off, _ := Seek(lp, i)
			lp = Delete(lp, off)
			model = append(model[:i], model[i+1:]...)
		case op == 5:
			i, n := r.IntN(len(model)), r.IntN(4)
			lp = DeleteRange(lp, i, n)
			model = append(model[:i], model[min(len(model), i+n):]...)
		case op == 6:
			i := r.IntN(len(model))
			off, _ := Seek(lp, i)
			v := r.Int64()>>r.IntN(64) - 10
			lp = ReplaceInt(lp, off, v)
			model[i] = strconv.FormatInt(v, 10)
		default:
			v := r.Int64() >> r.IntN(64)
			i := r.IntN(len(model))
			off, _ := Seek(lp, i)
			lp = InsertInt(lp, off, v, false)
			model = append(model[:i], append([]string{strconv.FormatInt(v, 10)}, model[i:]...)...)
		}
		require.NoError(t, checkValid(lp), "step %d", step)
		want := build(model)
		if !bytes.Equal(want, lp) {
			t.Fatalf("step %d: bytes differ from a fresh build", step)
		}
		if len(model) > 60 {
			lp = DeleteRange(lp, 0, 30)
			model = model[30:]
		}
	}
}

func TestCorrupt(t *testing.T) {
	good := build([]string{"a", "300", strings.Repeat("b", 100)})
	mod := func(f func(b []byte) []byte) []byte {
		b := append([]byte(nil), good...)
		return f(b)
	}
	for _, tt := range []struct {
		name string
		lp   []byte
		want string
	}{
		{"empty", nil, "shorter than"},
		{"short", []byte{6, 0, 0, 0, 0, 0}, "shorter than"},
		{"total mismatch", mod(func(b []byte) []byte { b[0]++; return b }), "header total bytes"},
		{"no terminator", mod(func(b []byte) []byte { b[len(b)-1] = 0; return b }), "expected terminator"},
		{"count mismatch", mod(func(b []byte) []byte { b[4] = 2; return b }), "header count 2"},
		{"bad encoding", mod(func(b []byte) []byte { b[HeaderSize] = 0xF5; return b }), "invalid encoding"},
		{"bad backlen", mod(func(b []byte) []byte { b[HeaderSize+2] = 3; return b }), "backlen encodes 3"},
		{"string too long", mod(func(b []byte) []byte { b[HeaderSize], b[HeaderSize+1] = 0xEF, 0xFF; return b }), "runs past the end"},
		{"early terminator", mod(func(b []byte) []byte { b[HeaderSize+3] = 0xFF; return b }), "before the end"},
		{"huge 32-bit string", func() []byte {
			b := []byte{0, 0, 0, 0, 1, 0, 0xF0, 0xff, 0xff, 0xff, 0x7f, 0xff}
			setTotal(b, len(b))
			return b
		}(), "runs past the end"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Validate(tt.lp)
			require.ErrorIs(t, err, ErrCorrupt)
			require.ErrorContains(t, err, tt.want)
		})
	}
}

func TestIterNoAlloc(t *testing.T) {
	lp := build(edgeValues)
	allocs := testing.AllocsPerRun(100, func() {
		it, err := NewIter(lp)
		if err != nil {
			t.Fatal(err)
		}
		for it.Next() {
			_, _, _ = it.Value()
		}
	})
	require.Zero(t, allocs)
}

func FuzzValidate(f *testing.F) {
	f.Add(New(), false)
	f.Add(build([]string{"a", "1", "-1", "300", "70000", strings.Repeat("z", 70), "9223372036854775807"}), true)
	f.Add(readTestdata(f, "redis_zset_edge_0.lp"), false)
	f.Fuzz(func(t *testing.T, lp []byte, fixHeader bool) {
		// With fixHeader the fuzzer explores entry bytes instead of
		// failing the header check.
		if fixHeader && len(lp) >= emptySize {
			setTotal(lp, len(lp))
			lp[len(lp)-1] = Terminator
		}
		n, err := Validate(lp)
		it, ierr := NewIter(lp)
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
		// Valid: the iterator walks cleanly, and the trusted API agrees.
		if ierr != nil || it.Err() != nil || walked != n {
			t.Fatalf("Validate ok (%d) but iter: %v %v %d", n, ierr, it.Err(), walked)
		}
		if Len(lp) != n {
			t.Fatalf("Len %d != %d", Len(lp), n)
		}
		back := 0
		for off := Last(lp); off >= 0; off = Prev(lp, off) {
			back++
			if back > n {
				t.Fatal("Prev walks past the first entry")
			}
		}
		if back != n {
			t.Fatalf("backward walk %d != %d", back, n)
		}
		// Re-encoding the values gives a valid listpack with the same values.
		it, _ = NewIter(lp)
		re := New()
		for it.Next() {
			s, v, isInt := it.Value()
			if isInt {
				re = AppendInt(re, v)
			} else {
				re = Append(re, s)
			}
		}
		if m, err := Validate(re); err != nil || m != n {
			t.Fatalf("re-encoded: %v %d", err, m)
		}
	})
}

func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte("a\x001\x00-0\x0070000\x00"), 3)
	f.Fuzz(func(t *testing.T, data []byte, op int) {
		vals := bytes.Split(data, []byte{0})
		lp := New()
		for _, v := range vals {
			lp = Append(lp, v)
		}
		if _, err := Validate(lp); err != nil {
			t.Fatal(err)
		}
		it, _ := NewIter(lp)
		for i := 0; it.Next(); i++ {
			s, n, isInt := it.Value()
			got := s
			if isInt {
				got = strconv.AppendInt(nil, n, 10)
				if _, ok := ParseInt(vals[i]); !ok {
					t.Fatalf("%q stored as int", vals[i])
				}
			}
			if !bytes.Equal(got, vals[i]) {
				t.Fatalf("entry %d: %q != %q", i, got, vals[i])
			}
		}
		// One edit at a fuzzed place keeps it valid.
		if len(vals) > 0 {
			if op < 0 {
				op = -op
			}
			off, _ := Seek(lp, op%len(vals))
			switch op % 3 {
			case 0:
				lp = Delete(lp, off)
			case 1:
				lp = Replace(lp, off, data)
			case 2:
				lp = Insert(lp, off, data, op%2 == 0)
			}
			if _, err := Validate(lp); err != nil {
				t.Fatal(err)
			}
		}
	})
}

func benchListpack() []byte {
	lp := New()
	for i := range 512 {
		lp = Append(lp, []byte(fmt.Sprintf("field:%d", i)))
		lp = AppendInt(lp, int64(i*1000))
	}
	return lp
}

func BenchmarkIter(b *testing.B) {
	lp := benchListpack()
	b.SetBytes(int64(len(lp)))
	b.ReportAllocs()
	for b.Loop() {
		it, _ := NewIter(lp)
		for it.Next() {
			_, _, _ = it.Value()
		}
	}
}

func BenchmarkValidate(b *testing.B) {
	lp := benchListpack()
	b.SetBytes(int64(len(lp)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Validate(lp); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNextGet(b *testing.B) {
	lp := benchListpack()
	b.SetBytes(int64(len(lp)))
	b.ReportAllocs()
	for b.Loop() {
		for off := First(lp); off >= 0; off = Next(lp, off) {
			_, _, _ = Get(lp, off)
		}
	}
}

func BenchmarkAppend(b *testing.B) {
	vals := make([][]byte, 1024)
	size := 0
	for i := range vals {
		vals[i] = []byte(fmt.Sprintf("value-%d", i))
		if i%2 == 0 {
			vals[i] = []byte(strconv.Itoa(i * 37))
		}
		size += len(vals[i])
	}
	buf := make([]byte, 0, 64<<10)
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		lp := append(buf[:0], New()...)
		for _, v := range vals {
			lp = Append(lp, v)
		}
	}
}

func BenchmarkFind(b *testing.B) {
	lp := benchListpack()
	key := []byte("field:500")
	b.ReportAllocs()
	for b.Loop() {
		if Find(lp, First(lp), key, 1) < 0 {
			b.Fatal("not found")
		}
	}
}
