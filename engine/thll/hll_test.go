package thll

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestNewEmpty(t *testing.T) {
	b := NewEmpty()
	require.Equal(t, []byte("HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7f\xff"), b)
	require.True(t, IsHLL(b))
	c, ok := CachedCard(b)
	require.True(t, ok)
	require.Zero(t, c)
	n, err := Count(b)
	require.NoError(t, err)
	require.Zero(t, n)
	require.Equal(t, "Z:16384", string(Decode(nil, b)))
}

func TestIsHLL(t *testing.T) {
	dense := make([]byte, DenseSize)
	copy(dense, "HYLL")
	for _, tc := range []struct {
		name string
		b    []byte
		want bool
	}{
		{"empty", nil, false},
		{"short", []byte("HYLL\x01"), false},
		{"header only", []byte("HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"), true},
		{"bad magic", []byte("HYLX\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7f\xff"), false},
		{"bad encoding", []byte("HYLL\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7f\xff"), false},
		{"dense", dense, true},
		{"dense short", dense[:DenseSize-1], false},
		{"dense long", append(bytes.Clone(dense), 0), false},
	} {
		require.Equal(t, tc.want, IsHLL(tc.b), tc.name)
	}
}

func TestPatLen(t *testing.T) {
	for i := 0; i < 1000; i++ {
		idx, c := PatLen([]byte{byte(i), byte(i >> 8)})
		require.Less(t, idx, Registers)
		require.GreaterOrEqual(t, c, uint8(1))
		require.LessOrEqual(t, c, uint8(Q+1))
	}
}

// TestMurmurTail checks every tail length against a byte-wise reference.
func TestMurmurTail(t *testing.T) {
	ref := func(key []byte, seed uint32) uint64 {
		const m = 0xc6a4a7935bd1e995
		h := uint64(seed) ^ uint64(len(key))*m
		n := len(key) - len(key)%8
		for i := 0; i < n; i += 8 {
			var k uint64
			for j := 7; j >= 0; j-- {
				k = k<<8 | uint64(key[i+j])
			}
			k *= m
			k ^= k >> 47
			k *= m
			h ^= k
			h *= m
		}
		if rest := key[n:]; len(rest) > 0 {
			for j := len(rest) - 1; j >= 0; j-- {
				h ^= uint64(rest[j]) << (8 * j)
			}
			h *= m
		}
		h ^= h >> 47
		h *= m
		h ^= h >> 47
		return h
	}
	key := []byte("0123456789abcdefghijklmnop")
	for n := 0; n <= len(key); n++ {
		require.Equal(t, ref(key[:n], seed), MurmurHash64A(key[:n], seed), n)
	}
}

// TestSparseMatchesDense adds the same elements to a sparse and a dense HLL: same
// registers, same estimate, and the sparse one stays canonical (decodes to 16384).
func TestSparseMatchesDense(t *testing.T) {
	old := SparseMaxBytes()
	SetSparseMaxBytes(1 << 20)
	defer SetSparseMaxBytes(old)
	rng := rand.New(rand.NewPCG(1, 2))
	sparse := NewEmpty()
	dense, err := ToDense(NewEmpty())
	require.NoError(t, err)
	var ele [8]byte
	for i := 0; i < 5000; i++ {
		for j := range ele {
			ele[j] = byte(rng.Uint32())
		}
		var r1, r2 int
		dense, r1 = Add(dense, ele[:])
		sparse, r2 = Add(sparse, ele[:])
		require.Equal(t, r1, r2)
		if i%97 == 0 {
			var a, b [Registers]uint8
			require.NoError(t, DenseRegisters(dense, &a))
			require.NoError(t, DenseRegisters(sparse, &b))
			require.Equal(t, a, b)
			c1, err := Count(dense)
			require.NoError(t, err)
			c2, err := Count(sparse)
			require.NoError(t, err)
			require.Equal(t, c1, c2)
		}
	}
}

func TestSelfTest(t *testing.T) {
	if testing.Short() {
		t.Skip("ten million adds")
	}
	require.Empty(t, SelfTest(rand.New(rand.NewPCG(3, 4))))
}

func TestEstimateEdges(t *testing.T) {
	var h [64]int
	h[0] = Registers
	require.Zero(t, estimate(&h))
	h = [64]int{}
	h[Q+1] = Registers
	require.NotZero(t, estimate(&h)) // all registers saturated: finite, huge
}
