package memmodel

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestClass(t *testing.T) {
	cases := map[int]int{
		1: 8, 8: 8, 9: 16, 16: 16, 17: 32, 33: 48, 100: 112, 128: 128, 129: 160, 160: 160,
		161: 192, 256: 256, 257: 320, 513: 640, 1025: 1280, 4097: 5120, 8193: 10240,
		14336: 14336, 14337: 16384, 16385: 20480, 536: 640, 65537: 81920,
	}
	for in, want := range cases {
		require.Equal(t, want, Class(in), "Class(%d)", in)
	}
	// Every class is a fixed point and classes increase.
	prev := 0
	for n := 1; n < 1<<20; n++ {
		c := Class(n)
		require.GreaterOrEqual(t, c, n)
		require.GreaterOrEqual(t, c, prev)
		require.Equal(t, c, Class(c))
		prev = c
	}
}

func TestWorkedExamples(t *testing.T) {
	// Measured on redis-server 7.0.15: SET foo bar -> MEMORY USAGE 64 (FORMATS.md section 5
	// says 56, assuming a 24-byte jemalloc class that x86-64 builds do not have), SET n
	// 123456 -> 48, a 20-byte value -> 80, a 45-byte (raw) value under key "kk" -> 112.
	require.Equal(t, 64, KeyOverhead(3)+EmbstrSize(3))
	require.Equal(t, 80, KeyOverhead(1)+EmbstrSize(20))
	require.Equal(t, 112, KeyOverhead(2)+RobjSize+SdsAlloc(45))
	require.Equal(t, 48, KeyOverhead(1)+RobjSize)
	require.Equal(t, 640, SkiplistHeaderAlloc())
}

func TestSdsHeader(t *testing.T) {
	require.Equal(t, 3, SdsHeader(0))
	require.Equal(t, 1, SdsHeader(31))
	require.Equal(t, 3, SdsHeader(32))
	require.Equal(t, 5, SdsHeader(256))
	require.Equal(t, 9, SdsHeader(1<<16))
	require.Equal(t, 4, NextPow2(3))
	require.Equal(t, 512, NextPow2(300))
}
