package tbits

import (
	"math/rand/v2"
	"testing"

	"github.com/redisctl/redisctl/engine/tstring"
	"github.com/stretchr/testify/require"
)

// Naive references, bit by bit, as Redis's C code does it.

func naiveBit(b []byte, off uint64) uint64 {
	if off>>3 >= uint64(len(b)) {
		return 0
	}
	return uint64(b[off>>3]>>(7-off&7)) & 1
}

func naiveGet(b []byte, off uint64, width int) uint64 {
	var v uint64
	for j := 0; j < width; j++ {
		v = v<<1 | naiveBit(b, off+uint64(j))
	}
	return v
}

func naiveSet(b []byte, off uint64, width int, v uint64) {
	for j := 0; j < width; j++ {
		bit := byte(v>>(width-1-j)) & 1
		o := off + uint64(j)
		sh := 7 - o&7
		b[o>>3] = b[o>>3]&^(1<<sh) | bit<<sh
	}
}

func naiveFirst(b []byte, from, to int64, bit int) int64 {
	for i := from; i <= to; i++ {
		if int(naiveBit(b, uint64(i))) == bit {
			return i
		}
	}
	return -1
}

func randBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		switch r.IntN(4) {
		case 0:
			b[i] = 0
		case 1:
			b[i] = 0xff
		default:
			b[i] = byte(r.IntN(256))
		}
	}
	return b
}

func TestBitfieldMatchesNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		b := randBytes(r, r.IntN(20))
		w := 1 + r.IntN(64)
		off := uint64(r.IntN(len(b)*8 + 80))
		require.Equal(t, naiveGet(b, off, w), BitfieldGet(b, off, w), "get %x off %d w %d", b, off, w)
		sv := naiveGet(b, off, w)
		if sv>>(w-1)&1 == 1 && w < 64 {
			sv |= ^uint64(0) << w
		}
		require.Equal(t, int64(sv), BitfieldGetSigned(b, off, w))
		need := int((off + uint64(w) + 7) / 8)
		if need > len(b) {
			b = append(b, make([]byte, need-len(b))...)
		}
		v := r.Uint64()
		want := append([]byte(nil), b...)
		naiveSet(want, off, w, v)
		BitfieldSet(b, off, w, v)
		require.Equal(t, want, b, "set off %d w %d v %x", off, w, v)
	}
}

func TestFirstBitAndPopcountMatchNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		b := randBytes(r, 1+r.IntN(70))
		n := int64(len(b)) * 8
		from := r.Int64N(n)
		to := from + r.Int64N(n-from)
		for bit := 0; bit < 2; bit++ {
			require.Equal(t, naiveFirst(b, from, to, bit), FirstBit(b, from, to, bit), "%x [%d,%d] %d", b, from, to, bit)
		}
		var c int64
		for i := int64(0); i < n; i++ {
			c += int64(naiveBit(b, uint64(i)))
		}
		require.Equal(t, c, Popcount(b))
	}
	require.Equal(t, int64(-1), FirstBit([]byte{0}, 3, 2, 0))
}

func TestBitOpHelpers(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for range 2000 {
		a, s := randBytes(r, r.IntN(50)), randBytes(r, r.IntN(50))
		if len(s) > len(a) {
			a, s = s, a
		}
		and, or, xor, not := append([]byte(nil), a...), append([]byte(nil), a...), append([]byte(nil), a...), append([]byte(nil), a...)
		andInto(and, s)
		orInto(or, s)
		xorInto(xor, s)
		notInPlace(not)
		for i := range a {
			var c byte
			if i < len(s) {
				c = s[i]
			}
			require.Equal(t, a[i]&c, and[i])
			require.Equal(t, a[i]|c, or[i])
			require.Equal(t, a[i]^c, xor[i])
			require.Equal(t, ^a[i], not[i])
		}
	}
}

func TestLCSLenMatchesTable(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for range 500 {
		a, b := make([]byte, r.IntN(30)), make([]byte, r.IntN(30))
		for i := range a {
			a[i] = "abc"[r.IntN(3)]
		}
		for i := range b {
			b[i] = "abc"[r.IntN(3)]
		}
		// Full table.
		dp := make([][]int, len(a)+1)
		for i := range dp {
			dp[i] = make([]int, len(b)+1)
		}
		for i := 1; i <= len(a); i++ {
			for j := 1; j <= len(b); j++ {
				if a[i-1] == b[j-1] {
					dp[i][j] = dp[i-1][j-1] + 1
				} else {
					dp[i][j] = max(dp[i-1][j], dp[i][j-1])
				}
			}
		}
		require.Equal(t, dp[len(a)][len(b)], LCSLen(a, b))
	}
}

func TestSdsModel(t *testing.T) {
	cases := []struct {
		n, wantCap int
	}{
		{0, 4}, {1, 1}, {31, 31}, {32, 44}, {40, 44}, {44, 44}, {45, 60}, {200, 220},
		{253, 255}, {254, 255}, {256, 314}, {1000, 1018},
	}
	for _, c := range cases {
		require.Equal(t, c.wantCap, cap(tstring.NewSds(c.n)), "tstring.NewSds(%d)", c.n)
	}
	// Growth within Redis's alloc does not reallocate; beyond it, greedy doubling.
	b := tstring.NewSds(40)
	b = tstring.GrowZero(b, 44)
	require.Equal(t, 44, cap(b))
	b = tstring.GrowZero(b, 45)
	require.Equal(t, 92, cap(b)) // 90 requested, 96-byte class
	// A SET value with more than a tenth of slack was trimmed to its length.
	require.Equal(t, 46, tstring.SdsAlloc(make([]byte, 46)))
	require.Equal(t, 60, tstring.SdsAlloc(make([]byte, 57)))
	require.Equal(t, 20, tstring.SdsAlloc(make([]byte, 20)))
	// Large strings grow by 1 MB.
	b = tstring.NewSds(1 << 20)
	require.Equal(t, 1310710, cap(b)) // the 1.25 MB class
	b = tstring.GrowZero(b, cap(b)+1)
	require.Equal(t, 1310711+1<<20, len(b)+1<<20)
	require.GreaterOrEqual(t, cap(b), 1310711+1<<20)
}

func FuzzBitfield(f *testing.F) {
	f.Add([]byte{0xff, 0x01, 0x80}, uint16(3), uint8(13), uint64(0xdeadbeef))
	f.Add([]byte{}, uint16(0), uint8(64), uint64(1<<63))
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, uint16(7), uint8(64), uint64(0))
	f.Fuzz(func(t *testing.T, b []byte, off16 uint16, w8 uint8, v uint64) {
		w := int(w8%64) + 1
		off := uint64(off16) % uint64(len(b)*8+100)
		if g, n := BitfieldGet(b, off, w), naiveGet(b, off, w); g != n {
			t.Fatalf("get %x off %d w %d: %x want %x", b, off, w, g, n)
		}
		need := int((off + uint64(w) + 7) / 8)
		buf := append([]byte(nil), b...)
		if need > len(buf) {
			buf = append(buf, make([]byte, need-len(buf))...)
		}
		want := append([]byte(nil), buf...)
		naiveSet(want, off, w, v)
		BitfieldSet(buf, off, w, v)
		if string(want) != string(buf) {
			t.Fatalf("set off %d w %d v %x: %x want %x", off, w, v, buf, want)
		}
	})
}

func FuzzFirstBit(f *testing.F) {
	f.Add([]byte{0, 0, 0xf0}, uint16(0), uint16(23))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe}, uint16(3), uint16(90))
	f.Fuzz(func(t *testing.T, b []byte, a, z uint16) {
		if len(b) == 0 {
			return
		}
		n := int64(len(b)) * 8
		from, to := int64(a)%n, int64(z)%n
		for bit := 0; bit < 2; bit++ {
			if g, w := FirstBit(b, from, to, bit), naiveFirst(b, from, to, bit); g != w {
				t.Fatalf("%x [%d,%d] bit %d: %d want %d", b, from, to, bit, g, w)
			}
		}
	})
}
