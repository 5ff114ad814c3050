package diff_test

import (
	"testing"

	"github.com/redisctl/redisctl/internal/difftest"
)

// The scripting group: EVAL/EVALSHA/_RO, SCRIPT, FUNCTION and FCALL over TCP against
// redis-server 7.0.15 (engine/tscript has the finer-grained in-process differential tests).
func init() {
	groups = append(groups, group{name: "scripting", script: scriptingScript, resp3: true,
		extra: scriptingExtra})
}

const scriptingScript = `
SCRIPT FLUSH
FUNCTION FLUSH
SET foo bar
EVAL "return redis.call('ping')" 0
EVAL "local t = redis.call('ping') return type(t) .. t.ok" 0
EVAL "redis.call('subscribe','x')" 0
EVAL "redis.call('config')" 0
EVAL "redis.call('config','nosuch')" 0
EVAL "return redis.call('incr','foo')" 0
EVAL "return redis.pcall('incr','foo')" 0
EVAL "return {1, 2.5, 'x', {ok='y'}, {err='E z'}, false}" 0
EVAL "return {KEYS[1], ARGV[1]}" 1 k a
EVAL "return 1" 2 a
EVAL "redis.call('set', KEYS[1], ARGV[1]) return redis.call('get', KEYS[1])" 1 sk sv
EVAL_RO "return redis.call('get', KEYS[1])" 1 sk
EVAL_RO "return redis.call('set', KEYS[1], 'x')" 1 sk
SCRIPT LOAD "return 'loaded'"
EVALSHA 4a2267357833227dd98abdedb8cf24b15a986445 0
EVALSHA_RO 4a2267357833227dd98abdedb8cf24b15a986445 0
EVALSHA ffffffffffffffffffffffffffffffffffffffff 0
SCRIPT EXISTS 4a2267357833227dd98abdedb8cf24b15a986445 ffffffffffffffffffffffffffffffffffffffff
SCRIPT FLUSH ASYNC
SCRIPT EXISTS 4a2267357833227dd98abdedb8cf24b15a986445
SCRIPT FLUSH BAD
SCRIPT KILL
SCRIPT HELP
SCRIPT DEBUG NO
SCRIPT DEBUG no
SCRIPT DEBUG BAD
SCRIPT DEBUG
EVAL "error('boom')" 0
EVAL "x = 1" 0
EVAL "return nosuch" 0
EVAL "return redis.setresp(3)" 0
EVAL "return cjson.encode({1,2,{a='b'}})" 0
EVAL "return cmsgpack.pack({1,2,3})" 0
EVAL "return struct.pack('>I2', 258)" 0
EVAL "return bit.band(0xff, 0x0f)" 0
// Time stands still inside a script: a key set to expire in 30 ms is still there 100 ms later.
EVAL "redis.call('set','kk','v','px',30) local t = redis.call('time') local s = t[1]*1000000+t[2] while true do local n = redis.call('time') if n[1]*1000000+n[2] - s > 100000 then break end end return {redis.call('get','kk'), redis.call('exists','kk')}" 0
FUNCTION LOAD "#!lua name=lib1\nredis.register_function('f1', function(keys, args) return redis.call('incr', keys[1]) end)"
FUNCTION LOAD "#!lua name=lib2\nredis.register_function{function_name='f2', callback=function(keys, args) return args[1] end, flags={'no-writes'}}"
FCALL f1 1 counter
FCALL f1 1 counter
FCALL_RO f1 1 counter
FCALL_RO f2 0 hello
FCALL nosuch 0
FUNCTION LIST  #unordered
FUNCTION LIST WITHCODE  #unordered
FUNCTION LIST LIBRARYNAME lib1
FUNCTION STATS
FUNCTION DELETE lib2
FUNCTION DUMP
FUNCTION RESTORE abcdefghijklmnop
FUNCTION RESTORE abc badpolicy
FUNCTION KILL
FUNCTION HELP
FUNCTION DELETE nosuch
FUNCTION DELETE lib1
FUNCTION FLUSH BAD
FUNCTION FLUSH
FUNCTION STATS
`

// scriptingExtra: a script that fails midway keeps what it wrote, FUNCTION DUMP →
// RESTORE round trips, and a busy script is answered BUSY and killed from a second client.
func scriptingExtra(t *testing.T, p *difftest.Pair) {
	// Error statistics: a called command's error is counted once, whether it is raised
	// (redis.call) or returned (redis.pcall); the script's own errors are counted too.
	p.Run(t, `
CONFIG RESETSTAT
SET foo bar
EVAL "return redis.call('incr','foo')" 0
EVAL "return redis.pcall('incr','foo')" 0
EVAL "return {err='X y'}" 0
EVAL "error('boom')" 0
EVAL "return redis.call('nosuch')" 0
INFO errorstats
`)
	p.Run(t, `
DEL mid
EVAL "redis.call('set','mid','1') redis.call('incr','foo') redis.call('set','mid','2')" 0
GET mid
FUNCTION LOAD "#!lua name=mylib\nredis.register_function('myfunc', function(keys, args) return 'this is a long enough library body' end)"
`)
	l, err := p.Link("main")
	if err != nil {
		t.Fatal(err)
	}
	r, o, err := p.Both(l, "FUNCTION", "DUMP")
	if err != nil {
		t.Fatal(err)
	}
	if string(r.Str) != string(o.Str) {
		t.Errorf("FUNCTION DUMP differs: redis %q, redisctl %q", r.Str, o.Str)
	}
	payload := escapeBytes(r.Str)
	p.Run(t, `
FUNCTION RESTORE "`+payload+`"
FUNCTION RESTORE "`+payload+`" REPLACE
FUNCTION FLUSH
FUNCTION RESTORE "`+payload+`"
FCALL myfunc 0
CONFIG SET busy-reply-threshold 100
`)
	// Busy script: started without waiting for its reply, then a second client.
	p.Run(t, `
EVAL "local i = 0 while true do i = i + 1 end" 0  #noreply
SLEEP 300
@other PING
@other SCRIPT KILL
READ 1
FUNCTION LOAD "#!lua name=spinlib\nredis.register_function('spin', function() local i = 0 while true do i = i + 1 end end)"
FCALL spin 0  #noreply
SLEEP 300
@other PING
@other SCRIPT KILL
@other EVAL "return 1" 0
@other FUNCTION STATS  #type
@other FUNCTION KILL
READ 1
@other FUNCTION KILL
INFO errorstats
`)
	p.Run(t, "CONFIG SET busy-reply-threshold 5000")
}

func escapeBytes(b []byte) string {
	const hexd = "0123456789abcdef"
	out := make([]byte, 0, len(b)*4)
	for _, c := range b {
		out = append(out, '\\', 'x', hexd[c>>4], hexd[c&15])
	}
	return string(out)
}
