package intset

import (
	"encoding/hex"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

func build(vals ...int64) []byte {
	is := New()
	for _, v := range vals {
		is, _ = Add(is, v)
	}
	return is
}

func elements(t testing.TB, is []byte) []int64 {
	t.Helper()
	it, err := NewIter(is)
	require.NoError(t, err)
	var out []int64
	for it.Next() {
		out = append(out, it.Value())
	}
	require.NoError(t, it.Err())
	return out
}

func parse(ss ...string) []int64 {
	out := make([]int64, len(ss))
	for i, s := range ss {
		out[i], _ = strconv.ParseInt(s, 10, 64)
	}
	return out
}

// TestRedisGolden rebuilds the intsets real Redis 7.0.15 wrote for these
// SADD sequences (testdata/README) and compares bytes.
func TestRedisGolden(t *testing.T) {
	for _, tt := range []struct {
		file   string
		adds   []int64
		remove []int64
	}{
		{"redis_int16.intset", parse("5", "-3", "100", "-32768", "32767", "0", "7"), nil},
		{"redis_upgrade32.intset", parse("5", "-3", "100", "70000", "-70000", "2"), nil},
		{"redis_upgrade64.intset", parse("1", "2", "3", "-9223372036854775808", "9223372036854775807", "4294967296", "-2147483649"), nil},
		{"redis_dups.intset", parse("3", "3", "1", "2", "1", "-1"), nil},
		{"redis_upgrade64_removed.intset",
			parse("1", "2", "3", "-9223372036854775808", "9223372036854775807", "4294967296", "-2147483649"),
			parse("9223372036854775807", "-9223372036854775808", "4294967296", "-2147483649")},
	} {
		t.Run(tt.file, func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join("testdata", tt.file))
			require.NoError(t, err)
			n, err := Validate(want)
			require.NoError(t, err)
			is := build(tt.adds...)
			for _, v := range tt.remove {
				var ok bool
				is, ok = Remove(is, v)
				require.True(t, ok)
			}
			require.Equal(t, hex.EncodeToString(want), hex.EncodeToString(is))
			require.Equal(t, n, Len(is))
		})
	}
}

func TestBasics(t *testing.T) {
	is := New()
	require.Equal(t, "0200000000000000", hex.EncodeToString(is))
	n, err := Validate(is)
	require.NoError(t, err)
	require.Zero(t, n)
	pos, found := Search(is, 5)
	require.Equal(t, 0, pos)
	require.False(t, found)

	is = build(10, -5, 3)
	require.Equal(t, []int64{-5, 3, 10}, elements(t, is))
	require.Equal(t, int64(-5), Min(is))
	require.Equal(t, int64(10), Max(is))
	for _, tt := range []struct {
		v     int64
		pos   int
		found bool
	}{{-6, 0, false}, {-5, 0, true}, {0, 1, false}, {3, 1, true}, {4, 2, false}, {10, 2, true}, {11, 3, false}} {
		pos, found := Search(is, tt.v)
		require.Equal(t, tt.pos, pos, "v=%d", tt.v)
		require.Equal(t, tt.found, found, "v=%d", tt.v)
	}
	require.False(t, Contains(is, math.MaxInt64))
	is, ok := Add(is, 3)
	require.False(t, ok)
	is, ok = Remove(is, 1<<40)
	require.False(t, ok)
	is, ok = Remove(is, 4)
	require.False(t, ok)
	is, ok = Remove(is, 3)
	require.True(t, ok)
	require.Equal(t, []int64{-5, 10}, elements(t, is))
	require.Equal(t, Enc16, Encoding(is))
	is, _ = Add(is, math.MinInt32)
	require.Equal(t, Enc32, Encoding(is))
	is, _ = Remove(is, math.MinInt32)
	require.Equal(t, Enc32, Encoding(is), "never narrows")
	require.Equal(t, "0400000002000000"+"fbffffff"+"0a000000", hex.EncodeToString(is))
}

func TestCorrupt(t *testing.T) {
	for _, tt := range []struct {
		name, hex, want string
	}{
		{"short", "020000", "shorter than"},
		{"bad encoding", "0300000000000000", "encoding 3"},
		{"length too big", "02000000020000000100", "needs 4 bytes, have 2"},
		{"trailing bytes", "0200000001000000010002", "needs 2 bytes, have 3"},
		{"huge length", "08000000ffffffff", "needs"},
		{"unsorted", "020000000200000002000100", "not greater"},
		{"duplicate", "020000000200000001000100", "not greater"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b, err := hex.DecodeString(tt.hex)
			require.NoError(t, err)
			_, err = Validate(b)
			require.ErrorIs(t, err, ErrCorrupt)
			require.ErrorContains(t, err, tt.want)
		})
	}
}

// TestModel checks random adds/removes against a sorted-slice model, and
// that the bytes equal a canonical encoding of the model at the widest
// width seen.
func TestModel(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for round := range 50 {
		is := New()
		var model []int64
		maxEnc := Enc16
		shift := r.IntN(64)
		for range 300 {
			v := r.Int64() >> shift
			if r.IntN(2) == 0 {
				v = -v
			}
			if r.IntN(3) == 0 && len(model) > 0 {
				v = model[r.IntN(len(model))]
				var ok bool
				is, ok = Remove(is, v)
				require.True(t, ok)
				i, _ := slices.BinarySearch(model, v)
				model = slices.Delete(model, i, i+1)
			} else {
				var ok bool
				is, ok = Add(is, v)
				i, found := slices.BinarySearch(model, v)
				require.Equal(t, !found, ok)
				if !found {
					model = slices.Insert(model, i, v)
				}
				maxEnc = max(maxEnc, valueEncoding(v))
			}
			require.Equal(t, maxEnc, Encoding(is), "round %d", round)
		}
		require.Equal(t, model, elements(t, is))
		n, err := Validate(is)
		require.NoError(t, err)
		require.Equal(t, len(model), n)
		for i, v := range model {
			require.Equal(t, v, Get(is, i))
			require.True(t, Contains(is, v))
		}
	}
}

func TestIterNoAlloc(t *testing.T) {
	is := build(1, 2, 3, 70000, -5)
	require.Zero(t, testing.AllocsPerRun(100, func() {
		it, _ := NewIter(is)
		for it.Next() {
			_ = it.Value()
		}
	}))
}

func FuzzValidate(f *testing.F) {
	f.Add(build(1, 2, 3), false)
	f.Add(build(-1<<40, 5), true)
	f.Fuzz(func(t *testing.T, is []byte, fixHeader bool) {
		if fixHeader && len(is) >= HeaderSize {
			enc := []uint32{2, 4, 8}[is[0]%3]
			is[0], is[1], is[2], is[3] = byte(enc), 0, 0, 0
			n := (len(is) - HeaderSize) / int(enc)
			is = is[:HeaderSize+n*int(enc)]
			setLen(is, n)
		}
		n, err := Validate(is)
		if err != nil {
			return
		}
		// Valid: the editors keep it valid and agree with Search.
		for i := range n {
			v := Get(is, i)
			pos, found := Search(is, v)
			if !found || pos != i {
				t.Fatalf("Search(%d) = %d,%v want %d", v, pos, found, i)
			}
		}
		c := append([]byte(nil), is...)
		c, _ = Add(c, 12345)
		c, _ = Add(c, -1<<33)
		if n > 0 {
			c, _ = Remove(c, Get(is, 0))
		}
		if _, err := Validate(c); err != nil {
			t.Fatal(err)
		}
	})
}

func FuzzRoundTrip(f *testing.F) {
	f.Add(int64(1), int64(-70000), int64(1<<40), uint8(3))
	f.Fuzz(func(t *testing.T, a, b, c int64, ops uint8) {
		is := New()
		vals := []int64{a, b, c, a ^ b, b - c, int64(ops)}
		for i, v := range vals {
			if ops>>i&1 == 1 {
				is, _ = Remove(is, v)
			} else {
				is, _ = Add(is, v)
			}
			if _, err := Validate(is); err != nil {
				t.Fatal(err)
			}
		}
	})
}

func benchSet(n int) []byte {
	is := New()
	for i := range n {
		is, _ = Add(is, int64(i*3))
	}
	return is
}

func BenchmarkIter(b *testing.B) {
	is := benchSet(512)
	b.SetBytes(int64(len(is)))
	b.ReportAllocs()
	for b.Loop() {
		it, _ := NewIter(is)
		for it.Next() {
		}
	}
}

func BenchmarkSearch(b *testing.B) {
	is := benchSet(512)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		Search(is, int64(i%1536))
		i++
	}
}

func BenchmarkAdd512(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		benchSet(512)
	}
}
