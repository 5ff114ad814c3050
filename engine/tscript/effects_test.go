package tscript_test

import (
	"testing"

	"github.com/redisctl/redisctl/engine/enginetest"
)

// TestScriptEffectsAgainstRedis compares what scripts propagate (the oracle's AOF), their
// dirty counts and keyspace events: effects replication wraps a script's writes in
// MULTI/EXEC (one write alone is not wrapped), a script that fails midway keeps and
// propagates what it wrote before the error, reads propagate nothing, SELECT inside a
// script, FUNCTION LOAD/DELETE/FLUSH propagate as themselves, SCRIPT LOAD does not.
func TestScriptEffectsAgainstRedis(t *testing.T) {
	e := enginetest.NewEffects(t, "KEA", families()...)
	e.Run(`
EVAL "return redis.call('set','a','1')" 0
EVAL "redis.call('set','a','2') redis.call('incr','a') return redis.call('get','a')" 0
EVAL "return redis.call('get','a')" 0
EVAL "redis.call('set','b','x') redis.call('incr','b') redis.call('set','c','y')" 0
GET b
GET c
EVAL "redis.call('set','b','z') return redis.pcall('incr','b')" 0
EVAL "redis.call('select','3') redis.call('set','in3','v') return redis.call('get','in3')" 0
GET in3
EVAL "redis.call('set','k1','v') redis.call('expire','k1',100) return redis.call('ttl','k1')" 0
EVAL "redis.call('del','nokey')" 0
EVAL "redis.set_repl(redis.REPL_NONE) redis.call('set','norepl','1')" 0
SCRIPT LOAD "return 1"
FUNCTION LOAD "#!lua name=el\nredis.register_function('ef', function(keys, args) redis.call('set', keys[1], args[1]) return redis.call('incr', keys[1]) end)"
FCALL ef 1 fk 10
FUNCTION DELETE el
FUNCTION FLUSH
MULTI
EVAL "return redis.call('set','m','1')" 0
EVAL "return redis.call('incr','m')" 0
EXEC
`)
}
