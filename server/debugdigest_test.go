package server

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// The expected digests were answered by redis-server 7.0.15 for the same commands.
func TestDebugDigest(t *testing.T) {
	s := startServer(t, "--enable-debug-command", "yes")
	c := dial(t, s.addr)
	for _, cmd := range [][]string{
		{"SET", "s", "hello"},
		{"SET", "n", "12345"},
		{"RPUSH", "l", "a", "1", "-5", "b"},
		{"SADD", "set", "1", "2", "a"},
		{"ZADD", "z", "1", "a", "2.5", "b", "0.1", "c", "-inf", "d"},
		{"HSET", "h", "f", "v", "g", "1"},
		{"XADD", "x", "1-1", "f", "v"},
		{"XADD", "x", "2-2", "n", "123"},
		{"SET", "e", "v"},
		{"PEXPIRE", "e", "100000000"},
	} {
		c.do(cmd...)
	}
	tests := []struct{ key, want string }{
		{"s", "36b23a1456b2dce2c3ed252c456761301dba8060"},
		{"n", "e1cf90774e995ae03de66e8109dc5cb9d9c2dc83"},
		{"l", "a8bfecb2a9bf83a89500bf53bdb155fd6023386c"},
		{"set", "db6fa6d247dc5fcf296628e955a082dc9cd0b645"},
		{"z", "2d98680ebfcb70656b92271118a40ed0475abb7d"},
		{"h", "6679ee22f89ed8001eeb5309d0900265ea56c03a"},
		{"x", "2e23cf76d42045b1826f8d44b82ba10b82b6f989"},
		{"e", "311b17018163335616e089f6b951c82c477335ac"},
		{"nokey", "0000000000000000000000000000000000000000"},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			v := c.do("DEBUG", "DIGEST-VALUE", tt.key)
			require.Len(t, v.Elems, 1)
			require.Equal(t, tt.want, string(v.Elems[0].Str))
		})
	}
	require.Equal(t, "3d76a23d5e76337b8e5aa9322cefa33d6b2290b7", c.str("DEBUG", "DIGEST"))
	c.do("SELECT", "3")
	c.do("SET", "s", "hello")
	require.Equal(t, "349f79aeed0440ba3456500d3254a804a43c0d33", c.str("DEBUG", "DIGEST"))
	c.do("FLUSHALL")
	require.Equal(t, "0000000000000000000000000000000000000000", c.str("DEBUG", "DIGEST"))
}

func BenchmarkDebugDigest(b *testing.B) {
	s := startServer(b, "--enable-debug-command", "yes")
	c := dial(b, s.addr)
	const keys = 1000
	for i := 0; i < keys; i++ {
		k := strconv.Itoa(i)
		c.do("HSET", "h"+k, "f", k, "g", "value")
	}
	b.SetBytes(keys)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.do("DEBUG", "DIGEST")
	}
}
