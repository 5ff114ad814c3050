package tscript_test

import (
	"testing"

	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/stretchr/testify/require"
)

// TestEvalArgTablesFreshAgainstRedis: every run sees KEYS and ARGV as new tables, whatever
// the run before did to them (they may be reused underneath, reuse.go).
func TestEvalArgTablesFreshAgainstRedis(t *testing.T) {
	p := newPair(t)
	p.Run(`
EVAL "KEYS[2]='x' ARGV[2]='y' return {#KEYS, #ARGV}" 1 k1 a1
EVAL "return {#KEYS, #ARGV, KEYS[1], ARGV[1], tostring(KEYS[2]), tostring(ARGV[2])}" 1 k2 a2
EVAL "KEYS.foo = 1 return #KEYS" 1 k1
EVAL "return {tostring(KEYS.foo), #KEYS, KEYS[1]}" 1 k3
EVAL "KEYS.foo = 1 KEYS.foo = nil return #KEYS" 1 k1
EVAL "local n = 0 for k, v in pairs(KEYS) do n = n + 1 end return n" 1 k4
EVAL "KEYS[1] = nil return #KEYS" 1 k1
EVAL "return KEYS[1]" 1 k5
EVAL "KEYS[5] = 'far' return 1" 1 k1
EVAL "return {KEYS[1], tostring(KEYS[5])}" 1 k6
EVAL "KEYS[true] = 1 return 1" 1 k1
EVAL "local n = 0 for k, v in pairs(KEYS) do n = n + 1 end return n" 1 k7
EVAL "return {KEYS[1], KEYS[2]}" 2 a b
EVAL "return {KEYS[1], tostring(KEYS[2]), #KEYS}" 1 c
EVAL "return #ARGV" 0
EVAL "ARGV[1] = 'z' return #ARGV" 0
EVAL "return {#ARGV, tostring(ARGV[1])}" 0
EVAL "local k = KEYS k[3] = 'alias' return #KEYS" 2 a b
EVAL "return {#KEYS, tostring(KEYS[3])}" 2 a b
EVAL "return cjson.encode(KEYS)" 2 a b
EVAL "return cjson.encode({KEYS, ARGV})" 1 x y
EVAL "return redis.call('SET', KEYS[1], ARGV[1])" 1 rk rv
EVAL "return redis.call('GET', KEYS[1])" 1 rk
EVAL "return redis.pcall('GET', KEYS)" 1 e
EVAL "return KEYS[1]" 1 after-error
EVAL "return foo" 0
EVAL "return redis.nosuch" 0
EVAL "return nosuch()" 0
EVAL "return {type(KEYS), type(redis), type(cjson.encode)}" 0
EVAL "local t = {} t.x = 1 return t.x" 0
EVAL "foo = 1" 0
EVAL "local function f() bar = 1 end f()" 0
EVAL "redis = 1" 0
EVAL "KEYS = {}" 0
EVAL "redis.call = 1" 0
EVAL "string.x = 1" 0
EVAL "return foo" 0
SCRIPT LOAD "return 'cached'"
EVALSHA 952f49ffc8f7b098d8ab5da45d3164ca36ed18b1 0
EVALSHA 952F49FFC8F7B098D8AB5DA45D3164CA36ED18B1 0
SCRIPT FLUSH
EVALSHA 952f49ffc8f7b098d8ab5da45d3164ca36ed18b1 0
EVALSHA 952F49FFC8F7B098D8AB5DA45D3164CA36ED18B1 0
`)
}

// TestEvalArgTablesRetained: a script that keeps its KEYS table past its run (here it can,
// through rawset on _G; Redis 7.0 refuses the write) still sees what it kept, because
// such scripts never share tables with later runs.
func TestEvalArgTablesRetained(t *testing.T) {
	h := enginetest.New(t, families()...)
	require.Equal(t, "x", string(h.Do("EVAL", "return KEYS[1]", "1", "x").Str))
	h.Do("EVAL", "rawset(_G, 'saved', KEYS) return 1", "1", "first")
	require.Equal(t, "second", string(h.Do("EVAL", "return KEYS[1]", "1", "second").Str))
	require.Equal(t, "third", string(h.Do("EVAL", "return KEYS[1]", "1", "third").Str))
	require.Equal(t, "first", string(h.Do("EVAL", "return rawget(_G, 'saved')[1]", "0").Str))
	// error(KEYS) (real Redis 7.0.15 crashes on it) leaves the next run its own KEYS.
	h.Do("EVAL", "error(KEYS)", "1", "e")
	require.Equal(t, "after", string(h.Do("EVAL", "return KEYS[1]", "1", "after").Str))
}
