package tscript_test

import (
	"io"
	"strconv"
	"testing"

	"github.com/redisctl/redisctl/engine/enginetest"
)

// BenchmarkEvalsha3Calls is the scripting hot path: EVALSHA of a script making three
// redis.call (INCR, GET, EXPIRE) on one key, in-process (no network).
func BenchmarkEvalsha3Calls(b *testing.B) {
	h := enginetest.New(b, families()...)
	sha := h.Do("SCRIPT", "LOAD", "redis.call('INCR',KEYS[1]) redis.call('GET',KEYS[1]) return redis.call('EXPIRE',KEYS[1],100)").Str
	keys := make([][]byte, 1024)
	for i := range keys {
		keys[i] = []byte("key:" + strconv.Itoa(i))
	}
	args := [][]byte{[]byte("EVALSHA"), sha, []byte("1"), nil}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		args[3] = keys[i&1023]
		exec(h, args)
	}
}

// BenchmarkEvalReturn is the fixed cost of running a script: EVALSHA of "return 1".
func BenchmarkEvalReturn(b *testing.B) {
	h := enginetest.New(b, families()...)
	sha := h.Do("SCRIPT", "LOAD", "return 1").Str
	args := [][]byte{[]byte("EVALSHA"), sha, []byte("0")}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		exec(h, args)
	}
}

// exec runs one command and drops its reply (no reply parsing in the measurement).
func exec(h *enginetest.Harness, args [][]byte) {
	h.E.Lock()
	h.E.Exec(h.C, args)
	h.E.Unlock()
	h.W.Reset(io.Discard)
}
