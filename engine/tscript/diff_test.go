package tscript_test

import (
	"testing"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/engine/thash"
	"github.com/redisctl/redisctl/engine/tlist"
	"github.com/redisctl/redisctl/engine/tscript"
	"github.com/redisctl/redisctl/engine/tset"
	"github.com/redisctl/redisctl/engine/tstream"
	"github.com/redisctl/redisctl/engine/tstring"
	"github.com/redisctl/redisctl/engine/tzset"
)

func families() [][]*engine.Command {
	return [][]*engine.Command{tscript.Commands(), tstring.Commands(), thash.Commands(),
		tset.Commands(), tzset.Commands(), tlist.Commands()}
}

func newPair(t *testing.T) *enginetest.Pair {
	return enginetest.NewPair(t, families()...)
}

// TestEvalAgainstRedis: EVAL/EVALSHA/SCRIPT, conversions both ways, the redis library,
// errors with their script positions, the sandbox.
func TestEvalAgainstRedis(t *testing.T) {
	p := newPair(t)
	p.Run(`
SCRIPT FLUSH
SET foo bar
EVAL "return 1" 0
EVAL "return 'x'" 0
EVAL "return 3.99" 0
EVAL "return -3.99" 0
EVAL "return {1,2,3,'x',nil,5}" 0
EVAL "return {1,{2,{3,'deep'}},'x'}" 0
EVAL "return {ok='fine'}" 0
EVAL "return {err='hi'}" 0
EVAL "return {err='-MY boom'}" 0
EVAL "return {1, {err='x'}, {ok='y'}}" 0
EVAL "return true" 0
EVAL "return false" 0
EVAL "return nil" 0
EVAL "return {true, false, nil}" 0
EVAL "return {double=3.5}" 0
EVAL "return {big_number='123'}" 0
EVAL "return {map={a=1}}" 0
EVAL "return {set={a=true}}" 0
EVAL "return {verbatim_string={format='txt', string='hi'}}" 0
EVAL "return redis.status_reply('FOO')" 0
EVAL "return redis.error_reply('XX hi')" 0
EVAL "return redis.error_reply('hi')" 0
EVAL "return redis.error_reply('-MY boom')" 0
EVAL "return redis.sha1hex('')" 0
EVAL "return redis.sha1hex('abc')" 0
EVAL "return redis.sha1hex()" 0
EVAL "return redis.REDIS_VERSION .. ' ' .. redis.REDIS_VERSION_NUM" 0
EVAL "return {redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING, redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, redis.REPL_REPLICA, redis.REPL_ALL}" 0
EVAL "return redis.replicate_commands()" 0
EVAL "return redis.setresp(4)" 0
EVAL "return redis.log(1)" 0
EVAL "return redis.log(99,'x')" 0
EVAL "return redis.log(redis.LOG_WARNING,'hello')" 0
EVAL "return redis.set_repl(99)" 0
EVAL "return redis.set_repl(redis.REPL_ALL)" 0
EVAL "return redis.breakpoint()" 0
EVAL "return redis.debug('x')" 0
EVAL "return {KEYS[1], KEYS[2], ARGV[1], ARGV[2]}" 2 k1 k2 a1 a2
EVAL "return #KEYS + #ARGV" 0
EVAL "return 1" 2 a
EVAL "return 1" -1
EVAL "return 1" x
EVAL "return 1"
EVALSHA ffffffffffffffffffffffffffffffffffffffff 0
EVALSHA fff 0
SCRIPT LOAD "return 'loaded'"
EVALSHA 4a2267357833227dd98abdedb8cf24b15a986445 0
EVALSHA 4A2267357833227DD98ABDEDB8CF24B15A986445 0
SCRIPT EXISTS 4a2267357833227dd98abdedb8cf24b15a986445 ffffffffffffffffffffffffffffffffffffffff
SCRIPT FLUSH
SCRIPT EXISTS 4a2267357833227dd98abdedb8cf24b15a986445
SCRIPT FLUSH ASYNC
SCRIPT FLUSH SYNC
SCRIPT FLUSH BAD
SCRIPT KILL
SCRIPT HELP
SCRIPT DEBUG NO
SCRIPT DEBUG no
SCRIPT DEBUG BAD
SCRIPT DEBUG
SCRIPT NOSUCH
EVAL "return redis.call('incr','foo')" 0
EVAL "return redis.pcall('incr','foo')" 0
EVAL "local e = redis.pcall('incr', 'foo') return e.err" 0
EVAL "local ok, e = pcall(redis.call, 'incr', 'foo') return {ok, e, type(e)}" 0
EVAL "return {1, {ok='x'}, redis.pcall('incr','foo')}" 0
EVAL "redis.call('nosuch')" 0
EVAL "redis.call('incr')" 0
EVAL "redis.call('incr','a','b')" 0
EVAL "redis.call()" 0
EVAL "redis.call({})" 0
EVAL "return redis.pcall('nosuch')" 0
EVAL_RO "redis.call('set','x',1)" 0
EVAL_RO "return redis.call('get','foo')" 0
EVAL "return nosuch" 0
EVAL "x = 1" 0
EVAL "error('boom')" 0
EVAL "error({err='MY boom'})" 0
EVAL "error({err='boom'})" 0
EVAL "error('-MY boom')" 0
EVAL "error(12)" 0
EVAL "error('x', 0)" 0
EVAL "error('x', 2)" 0
EVAL "\nlocal x = 1\nerror('boom')" 0
EVAL "local function f() error('in f') end\nf()" 0
EVAL "local function f() \nredis.call('incr','foo') end\nf()" 0
EVAL "local ok, e = pcall(error, 'x') return e" 0
EVAL "return redis.call('get',1.5)" 0
EVAL "redis.call('set','n',0.1) return redis.call('get','n')" 0
EVAL "redis.call('set','n',3) return redis.call('get','n')" 0
EVAL "redis.call('set','n',-0.5) return redis.call('get','n')" 0
EVAL "redis.call('set','n',1e20) return redis.call('get','n')" 0
EVAL "return redis.call('type','foo')" 0
EVAL "return redis.call('hgetall','nokey')" 0
EVAL "return redis.call('get','nokey')" 0
EVAL "return type(redis.call('get','nokey'))" 0
EVAL "return type(os)" 0
EVAL "return type(loadfile)" 0
EVAL "return type(dofile)" 0
EVAL "return type(print)" 0
EVAL "return type(loadstring)" 0
EVAL "return type(setfenv)" 0
EVAL "return type(io)" 0
EVAL "return type(debug)" 0
EVAL "return type(coroutine)" 0
EVAL "return type(require)" 0
EVAL "return type(package)" 0
EVAL "return type(unpack)" 0
EVAL "return type(cjson) .. type(cmsgpack) .. type(bit) .. type(struct)" 0
EVAL "redis.call = nil" 0
EVAL "string.x = 1" 0
EVAL "return {math.random(100), math.random(100), math.floor(math.random()*1000000)}" 0
EVAL "return {math.random(1, 6), math.random(10, 20)}" 0
EVAL "math.randomseed(7) return {math.random(100), math.random(100)}" 0
EVAL "return {math.random(100), math.random(100)}" 0
EVAL "#!lua flags=no-writes\nreturn redis.call('get','foo')" 0
EVAL "#!lua flags=no-writes\nreturn redis.call('set','foo', 1)" 0
EVAL "#!lua\nreturn redis.call('set','foo', 1)" 0
EVAL_RO "#!lua\nreturn 1" 0
EVAL_RO "#!lua flags=no-writes\nreturn 1" 0
EVAL "#!lua flags=bad\nreturn 1" 0
EVAL "#!python\nreturn 1" 0
EVAL "#!lua x=y\nreturn 1" 0
EVAL "#!lua\nerror('line2')" 0
HSET h a 1 b 2
EVAL "return tostring(0.1)" 0
EVAL "return tostring(1/3)" 0
EVAL "return tostring(100)" 0
EVAL "return select('#', 1, 2, 3)" 0
EVAL "return table.concat({1,2,'x'}, '-')" 0
EVAL "local t = {3,1,2} table.sort(t) return t" 0
EVAL "return {unpack({1,2,3})}" 0
EVAL "return redis.call('eval', 'return 1', 0)" 0
EVAL "return {1.5, -2.5}" 0
EVAL "return 1e20" 0
EVAL "return -0.0" 0
EVAL "return redis.call('hgetall','h')" 0  #pairs
EVAL "return redis.sha1hex(123)" 0
EVAL "return redis.error_reply(123)" 0
EVAL "return redis.call('set', 'k', true)" 0
EVAL "return ARGV[1]" 0 "\x00\xff\r\n"
EVAL "return 1" 1abc
EVAL "return 1" 1.5
SCRIPT LOAD "return ("
SCRIPT LOAD "return 1 +"
EVAL "return cjson.encode({1e300, -0, 0.1, {}, {{}}})" 0
EVAL "return cjson.decode('1e2')" 0
EVAL "return cjson.decode('  [ ]  ')" 0
EVAL "return cjson.decode('{\"a\":1,}')" 0
EVAL "return cjson.decode('\"abc')" 0
EVAL "return cjson.decode('')" 0
EVAL "return type(cjson.decode('null'))" 0
EVAL "return math.huge" 0
EVAL "return string.rep('x', 3, ',')" 0
EVAL "return #redis.call('keys', '*')" 0
EVAL "return redis.call('hget', 'h', 'a') + 1" 0
EVAL "local t = {} for i=1,5 do t[i]=i*i end return t" 0
EVAL "return {'a', {err='inner'}, 'c'}" 0
EVAL "return {1, nil, 3}" 0
EVAL "return redis.pcall('hget','h')" 0
EVAL "return redis.call('hget','h')" 0
EVAL "return {err=1}" 0
EVAL "return {ok=1}" 0
EVAL "return {map={}}" 0
EVAL "return {set={}}" 0
EVAL "return {double='x'}" 0
EVAL "return loadstring('return 5')()" 0
EVAL "return coroutine.wrap(function() coroutine.yield(7) end)()" 0
EVAL "return math.floor(-3.5)" 0
EVAL "return string.byte('A')" 0
EVAL "return #ARGV" 0 a b c
EVALSHA_RO 4a2267357833227dd98abdedb8cf24b15a986445 0
EVAL "return gcinfo() > 0" 0
EVAL "return _VERSION" 0
EVAL "return type(_G)" 0
EVAL "return rawget(_G, 'redis') ~= nil" 0
EVAL "return tonumber('0x10')" 0
EVAL "return tonumber('  12  ')" 0
`)
}

// TestEvalRESP3AgainstRedis: conversions with a RESP3 caller and redis.setresp(3).
func TestEvalRESP3AgainstRedis(t *testing.T) {
	p := newPair(t)
	p.Run(`
HSET h a 1
SADD s x
ZADD z 1.5 m
EVAL "redis.setresp(3) return redis.call('hgetall','h')" 0  #pairs
EVAL "redis.setresp(3) return redis.call('zscore','z','m')" 0
EVAL "redis.setresp(3) return redis.call('get','nokey')" 0
EVAL "redis.setresp(3) return {type(redis.call('get','nokey'))}" 0
EVAL "redis.setresp(3) local t = redis.call('smembers','s') return {t.set.x}" 0
EVAL "redis.setresp(3) return true" 0
EVAL "redis.setresp(3) return false" 0
EVAL "return {double=3.5}" 0
EVAL "return {map={a=1}}" 0
EVAL "return {set={a=true}}" 0
EVAL "return {big_number='123'}" 0
`)
	p.SetProto(3)
	p.Run(`
EVAL "return {true, false, nil}" 0
EVAL "return true" 0
EVAL "return false" 0
EVAL "return {double=3.5}" 0
EVAL "return {double=-0.25}" 0
EVAL "return {map={a=1}}" 0
EVAL "return {set={a=true}}" 0
EVAL "return {big_number='123'}" 0
EVAL "return {verbatim_string={format='txt', string='hi'}}" 0
EVAL "redis.setresp(3) return redis.call('hgetall','h')" 0  #pairs
EVAL "redis.setresp(3) return redis.call('zscore','z','m')" 0
EVAL "redis.setresp(3) return redis.call('zrange','z',0,-1,'withscores')" 0
EVAL "redis.setresp(3) return redis.call('get','nokey')" 0
EVAL "redis.setresp(3) return true" 0
EVAL "redis.setresp(3) return false" 0
EVAL "return redis.call('hgetall','h')" 0  #pairs
EVAL "return redis.call('get', 'nokey')" 0
`)
}

// TestLibrariesAgainstRedis: cjson, cmsgpack, bit and struct.
func TestLibrariesAgainstRedis(t *testing.T) {
	p := newPair(t)
	p.Run(`
EVAL "return cjson.encode({1,2,3,'x'})" 0
EVAL "return cjson.encode({a={b='c'}})" 0
EVAL "return cjson.encode('a/b\"c\\\\d\\n\\t\\1')" 0
EVAL "return cjson.encode({})" 0
EVAL "return cjson.encode({a=1, b=2})" 0
EVAL "return cjson.encode({name='x', id=3})" 0
EVAL "return cjson.encode(3.14159)" 0
EVAL "return cjson.encode(1e20)" 0
EVAL "return cjson.encode({true, false, cjson.null})" 0
EVAL "return cjson.encode({[1]=1,[100]=2})" 0
EVAL "return cjson.encode(function() end)" 0
EVAL "local t = cjson.decode('[1,2,{\"a\":\"b\"},null,true]') return {t[1], t[2], t[3].a, t[4] == cjson.null, t[5]}" 0
EVAL "return cjson.decode('{\"a\":[1,2.5,\"x\\\\u0041\"]}').a[3]" 0
EVAL "return cjson.decode('[1,2')" 0
EVAL "return cjson.decode('nope')" 0
EVAL "return cjson.encode(cjson.decode('{\"k\":[1,2,3]}'))" 0
EVAL "return cmsgpack.pack(1, -1, 200, -200, 70000, 'abc', true, false)" 0
EVAL "return cmsgpack.pack({1,2,3})" 0
EVAL "return cmsgpack.pack({a=1})" 0
EVAL "return cmsgpack.pack(1.5, 0.1)" 0
EVAL "return cmsgpack.pack(string.rep('x', 40))" 0
EVAL "return {cmsgpack.unpack(cmsgpack.pack(1, 'two', {3, 4}))}" 0
EVAL "local t = cmsgpack.unpack(cmsgpack.pack({a='b'})) return t.a" 0
EVAL "return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3))}" 0
EVAL "return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 2)}" 0
EVAL "return {bit.band(0xff, 0x0f), bit.bor(1, 2, 4), bit.bxor(5, 3), bit.bnot(0), bit.lshift(1, 31), bit.rshift(-1, 28), bit.arshift(-256, 4), bit.rol(1, 33), bit.ror(1, 1)}" 0
EVAL "return {bit.tohex(255), bit.tohex(-1), bit.tohex(255, -4), bit.tohex(255, 2), bit.tobit(4294967296 + 5), bit.bswap(0x12345678)}" 0
EVAL "return struct.pack('>I2', 258)" 0
EVAL "return struct.pack('<i4 B h', -2, 255, -3)" 0
EVAL "return {struct.unpack('>I2 B', struct.pack('>I2 B', 513, 7))}" 0
EVAL "return {struct.unpack('<d', struct.pack('<d', 1.5))}" 0
EVAL "return struct.size('>I4 h b')" 0
EVAL "return {struct.unpack('s', struct.pack('s', 'hello'))}" 0
EVAL "return {struct.unpack('c3 c2', 'abcde')}" 0
EVAL "return struct.pack('!4 b i4', 1, 2)" 0
`)
}

// TestFunctionsAgainstRedis: FUNCTION LOAD/LIST/DELETE/FLUSH/DUMP/RESTORE/STATS, FCALL.
func TestFunctionsAgainstRedis(t *testing.T) {
	p := newPair(t)
	p.Run(`
FUNCTION FLUSH
FUNCTION LOAD "return 1"
FUNCTION LOAD "#!lua\nreturn 1"
FUNCTION LOAD "#!lua name=a b=c\nreturn 1"
FUNCTION LOAD "#!lua name=1-x\nreturn 1"
FUNCTION LOAD "#!lua name=lib1\nreturn 1"
FUNCTION LOAD "#!lua name=lib1\nredis.register_function('f1', function(keys, args) return redis.call('incr', keys[1]) end)"
FUNCTION LOAD "#!lua name=lib1\nredis.register_function('f1', function(keys, args) return 1 end)"
FUNCTION LOAD "#!lua name=lib2\nredis.register_function('f1', function(keys, args) return 1 end)"
FUNCTION LOAD "#!lua name=lib3\nredis.register_function{function_name='f3', callback=function(keys, args) return args[1] end, flags={'no-writes'}, description='desc'}"
FUNCTION LOAD "#!lua name=lib4\nredis.register_function{function_name='f4', callback=function(keys, args) return args[1] end, flags={'bad'}}"
FUNCTION LOAD "#!lua name=lib4\nredis.call('ping')"
FUNCTION LOAD "#!lua name=lib4\nredis.register_function('f-4', function() end)"
FUNCTION LOAD "#!lua name=lib4\nredis.register_function('f4')"
FUNCTION LOAD "#!lua name=lib4\nx = 1"
FUNCTION LOAD "#!lua name=lib4\nreturn y"
FUNCTION LOAD "#!lua name=lib4\nerror('boom')"
FUNCTION LOAD "#!lua name=inf\nlocal i = 0 while true do i = i + 1 end"
FCALL f1 1 k
FCALL f1 1 k
FCALL_RO f1 1 k
FCALL_RO f3 0 hello
FCALL nosuch 0
FCALL f1 5 k
FCALL f1 -1
FUNCTION LIST  #unordered
FUNCTION LIST WITHCODE  #unordered
FUNCTION LIST LIBRARYNAME lib3
FUNCTION LIST LIBRARYNAME nomatch*
FUNCTION LIST BAD
FUNCTION STATS
FUNCTION DELETE nosuch
FUNCTION LOAD "#!lua name=lib5\nredis.register_function('f5', function(keys, args) error('bad') end)\nredis.register_function('f6', function(keys, args) return redis.call('incr', 'x', 'y') end)\nredis.register_function('f7', function(keys, args) error({err='X y'}) end)"
FCALL f5 0
FCALL f6 0
FCALL f7 0
FUNCTION DELETE lib5
FUNCTION LOAD REPLACE "#!lua name=lib3\nredis.register_function{function_name='f3', callback=function(keys, args) return 'replaced' end, flags={'no-writes'}}"
FCALL f3 0
FUNCTION LOAD BAD "#!lua name=lib3\nredis.register_function('f3', function() end)"
FUNCTION RESTORE abc
FUNCTION RESTORE abcdefghijklmnop
FUNCTION RESTORE abc badpolicy
FUNCTION KILL
FUNCTION HELP
FUNCTION FLUSH BAD
FUNCTION FLUSH CH ASYNC
function flush a b
SCRIPT FLUSH a b
FUNCTION RESTORE a b c
FUNCTION FLUSH
FUNCTION LIST
FUNCTION STATS
`)
	// One library: FUNCTION DUMP must be byte-identical, and both sides restore each
	// other's payloads.
	p.Run(`FUNCTION LOAD "#!lua name=mylib\nredis.register_function('myfunc', function(keys, args) return 'this is a long enough library body' end)"`)
	ours := p.H.Do("FUNCTION", "DUMP")
	theirs := p.O.Do("FUNCTION", "DUMP")
	if ours.String() != theirs.String() {
		t.Fatalf("FUNCTION DUMP differs\n redis:    %q\n redisctl: %q", theirs.Str, ours.Str)
	}
	p.Run(`
FUNCTION RESTORE "` + escape(theirs.Str) + `"
FUNCTION RESTORE "` + escape(theirs.Str) + `" REPLACE
FUNCTION RESTORE "` + escape(theirs.Str) + `" FLUSH
FUNCTION RESTORE "` + escape(theirs.Str) + `" APPEND
FCALL myfunc 0
FUNCTION FLUSH
FUNCTION RESTORE "` + escape(ours.Str) + `"
FCALL myfunc 0
`)
}

func escape(b []byte) string {
	const hexd = "0123456789abcdef"
	out := make([]byte, 0, len(b)*4)
	for _, c := range b {
		out = append(out, '\\', 'x', hexd[c>>4], hexd[c&15])
	}
	return string(out)
}

// TestBlockingInScriptsAgainstRedis: scripts never block; the list and zset blocking
// commands are noscript in 7.0, and XREAD/XREADGROUP refuse BLOCK from a script.
func TestBlockingInScriptsAgainstRedis(t *testing.T) {
	p := enginetest.NewPair(t, append(families(), tstream.Commands())...)
	p.Run(`
EVAL "return redis.call('blpop','nolist',0)" 0
EVAL "return redis.call('brpop','nolist',1)" 0
EVAL "return redis.call('blmove','nolist','dst','left','right',0)" 0
EVAL "return redis.call('bzpopmin','nozset',0)" 0
XADD s 1-1 f v
EVAL "return redis.call('xread','streams','s','0')" 0
EVAL "return redis.call('XREAD','BLOCK','0','STREAMS','s','0')" 0
EVAL "return redis.pcall('xread','block','abc','STREAMS','s','0')" 0
EVAL "return redis.pcall('xread','count','1','block','10','STREAMS','s','$')" 0
XGROUP CREATE s g 0
EVAL "return redis.call('xreadgroup','group','g','c','block','10','STREAMS','s','>')" 0
EVAL "return redis.call('xreadgroup','group','g','c','STREAMS','s','>')" 0
`)
}

// TestScriptsOverMaxmemoryAgainstRedis: over maxmemory, a script without a shebang is
// refused its first deny-oom command (reads and deletes go on); EVAL/FCALL of scripts that
// declare flags without allow-oom or no-writes are refused up front.
func TestScriptsOverMaxmemoryAgainstRedis(t *testing.T) {
	p := newPair(t)
	p.Run(`
SET foo bar
FUNCTION LOAD "#!lua name=oomlib\nredis.register_function('w', function() return redis.call('set','y','1') end)\nredis.register_function{function_name='r', callback=function() return redis.call('get','foo') end, flags={'no-writes'}}\nredis.register_function{function_name='a', callback=function() return redis.call('set','z','1') end, flags={'allow-oom'}}"
`)
	p.O.Do("CONFIG", "SET", "maxmemory", "1")
	p.H.E.Set.Maxmemory = 1
	p.Run(`
EVAL "return redis.call('get','foo')" 0
EVAL "return redis.call('set','x','1')" 0
EVAL "return redis.pcall('set','x','1')" 0
EVAL "return redis.call('del','nokey')" 0
EVAL "#!lua\nreturn 1" 0
EVAL "#!lua flags=allow-oom\nreturn redis.call('set','x','1')" 0
EVAL "#!lua flags=no-writes\nreturn redis.call('get','foo')" 0
EVAL_RO "return redis.call('get','foo')" 0
FCALL w 0
FCALL r 0
FCALL a 0
FCALL_RO r 0
`)
	p.O.Do("CONFIG", "SET", "maxmemory", "0")
	p.H.E.Set.Maxmemory = 0
}
