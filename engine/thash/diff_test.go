package thash_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/engine/thash"
	"github.com/redisctl/redisctl/engine/tstring"
)

func newPair(t *testing.T) *enginetest.Pair {
	return enginetest.NewPair(t, thash.Commands(), tstring.Commands())
}

// TestHashAgainstRedis sends the same scripts to redis-server 7.0 and to the engine.
func TestHashAgainstRedis(t *testing.T) {
	p := newPair(t)
	p.Run(basicScript)
	p.SetProto(3)
	p.Run(basicScript)
}

const basicScript = `
FLUSHALL
HSET h f v
HSET h f v2 g w
HGET h f
HGET h missing
HGET nokey f
HSET h
HSET h f
HSET h f v g
HMSET h f
HMSET h a 1 b 2
HMSET h a 1 b
HSETNX h a 5
HSETNX h z 5
HSETNX newh z 5
HGETALL newh
HMGET h a b missing f
HMGET nokey a b
HMGET h
HLEN h
HLEN nokey
HSTRLEN h a
HSTRLEN h f
HSTRLEN h missing
HSTRLEN nokey f
HEXISTS h a
HEXISTS h missing
HEXISTS nokey a
HKEYS h
HVALS h
HGETALL h
HKEYS nokey
HVALS nokey
HGETALL nokey
OBJECT ENCODING h
MEMORY USAGE h
MEMORY USAGE h SAMPLES 0
HDEL h a
HDEL h a
HDEL h b z missing
HDEL nokey a
HDEL h
HGETALL h
HDEL h f g
EXISTS h
HDEL h f
SET s str
HSET s f v
HMSET s f v
HSETNX s f v
HGET s f
HMGET s f
HDEL s f
HLEN s
HSTRLEN s f
HEXISTS s f
HKEYS s
HVALS s
HGETALL s
HINCRBY s f 1
HINCRBYFLOAT s f 1
HRANDFIELD s
HRANDFIELD s 1
HRANDFIELD s 0
HSCAN s 0
HSCAN s x
HSCAN s 0 COUNT 0
HINCRBY n f 1
HINCRBY n f -5
HINCRBY n f x
HINCRBY n f 1.5
HINCRBY n f 9223372036854775807
HINCRBY n f 9223372036854775804
HINCRBY n f 1
HINCRBY n f -9223372036854775808
HSET n s abc g 1.5 sp " 7" neg -3 big 9223372036854775807 z 007
HINCRBY n s 1
HINCRBY n g 1
HINCRBY n sp 1
HINCRBY n neg -9223372036854775805
HINCRBY n neg -1
HINCRBY n big 0
HINCRBY n big 1
HINCRBY n z 1
HINCRBY newn f x
EXISTS newn
HINCRBY newn2 f 10
HGETALL newn2
HGETALL n
HINCRBYFLOAT fl f 0.1
HINCRBYFLOAT fl f 0.2
HINCRBYFLOAT fl f abc
HINCRBYFLOAT fl f inf
HINCRBYFLOAT fl f -inf
HINCRBYFLOAT fl f nan
HINCRBYFLOAT fl f ""
HINCRBYFLOAT fl f " 1"
HINCRBYFLOAT fl f 1e4000
HINCRBYFLOAT fl f 1.5e3
HINCRBYFLOAT fl f -1500.3
HINCRBYFLOAT fl g 5
HINCRBYFLOAT fl g 5.0e0
HSET fl s abc i 10 e 1e3 h 0x10
HINCRBYFLOAT fl s 1
HINCRBYFLOAT fl i 1.25
HINCRBYFLOAT fl e 1
HINCRBYFLOAT fl h 1
HINCRBYFLOAT newfl f abc
EXISTS newfl
HGETALL fl #pairs
OBJECT ENCODING fl
HINCRBYFLOAT fl big 1e60
OBJECT ENCODING fl
HINCRBYFLOAT fl big 1e70
OBJECT ENCODING fl
HGET fl big
HSET r a 1 b 2 c 3
HRANDFIELD nokey
HRANDFIELD nokey 5
HRANDFIELD nokey -5 WITHVALUES
HRANDFIELD r 0
HRANDFIELD r 0 WITHVALUES
HRANDFIELD r x
HRANDFIELD r 1.5
HRANDFIELD r -9223372036854775808
HRANDFIELD r 9223372036854775807
HRANDFIELD r 9223372036854775807 WITHVALUES
HRANDFIELD r -4611686018427387904 WITHVALUES
HRANDFIELD r 4611686018427387904 WITHVALUES
HRANDFIELD r 3 WITHVALUE
HRANDFIELD r 3 WITHVALUES x
HRANDFIELD r 3 #unordered
HRANDFIELD r 10 #unordered
HRANDFIELD r 3 WITHVALUES #type
HRANDFIELD r 10 WITHVALUES #type
HRANDFIELD r -5 #type
HRANDFIELD r -5 WITHVALUES #type
HRANDFIELD r #type
HSCAN nokey 0
HSCAN nokey abc
HSCAN r abc
HSCAN r -1
HSCAN r 0 COUNT 0
HSCAN r 0 COUNT x
HSCAN r 0 COUNT
HSCAN r 0 MATCH
HSCAN r 0 TYPE string
HSCAN r 0 NOVALUES
HSCAN r 0
HSCAN r 0 MATCH a*
HSCAN r 0 MATCH *
HSCAN r 0 MATCH [ab] COUNT 1
HSCAN r 7 COUNT 1
HSET ints 1 2 -3 40000 100000000000 -7
HSCAN ints 0 MATCH 1*
HGETALL ints
HSTRLEN ints 1
HSTRLEN ints -3
HSTRLEN ints 100000000000
HKEYS ints
HVALS ints
HMGET ints 1 -3 100000000000 01
HINCRBY ints 1 5
HINCRBYFLOAT ints 1 0.5
HGET ints 1
HSET e "" ""
HGET e ""
HSTRLEN e ""
HGETALL e
MEMORY USAGE e SAMPLES 0
OBJECT ENCODING e
`

// TestHashEncodingThresholds checks the moments of conversion and MEMORY USAGE at the
// exact thresholds of hash-max-listpack-value (64) and hash-max-listpack-entries (512).
func TestHashEncodingThresholds(t *testing.T) {
	p := newPair(t)
	v64 := strings.Repeat("v", 64)
	v65 := strings.Repeat("v", 65)
	script := fmt.Sprintf(`
FLUSHALL
HSET a f %[1]s
OBJECT ENCODING a
MEMORY USAGE a SAMPLES 0
HSET a %[1]s x
OBJECT ENCODING a
HSET a f %[2]s
OBJECT ENCODING a
MEMORY USAGE a SAMPLES 0
HDEL a f
OBJECT ENCODING a
HSET b %[2]s x
OBJECT ENCODING b
MEMORY USAGE b SAMPLES 0
HSET c f v
HSETNX c f %[2]s
OBJECT ENCODING c
HSETNX c g %[2]s
OBJECT ENCODING c
HSET d f v
HINCRBY d %[2]s 1
OBJECT ENCODING d
HSET e f v
HINCRBYFLOAT e %[2]s 1
OBJECT ENCODING e
HSET g f v
HMSET g a b c %[2]s
OBJECT ENCODING g
HGETALL g #pairs
`, v64, v65)
	p.Run(script)

	// Entry threshold: 512 pairs stay a listpack, the 513th converts.
	args := []string{"HSET", "big"}
	for i := 0; i < 512; i++ {
		args = append(args, fmt.Sprintf("field:%d", i), fmt.Sprintf("value:%d", i))
	}
	p.Check(args)
	p.Run(`
OBJECT ENCODING big
MEMORY USAGE big SAMPLES 0
HLEN big
HSET big field:0 changed
OBJECT ENCODING big
HSET big field:512 value:512
OBJECT ENCODING big
MEMORY USAGE big SAMPLES 0
MEMORY USAGE big
HLEN big
HDEL big field:512
OBJECT ENCODING big
MEMORY USAGE big SAMPLES 0
HGET big field:0
HGET big field:7
HSTRLEN big field:7
HEXISTS big field:8
HGETALL big #pairs
HKEYS big #unordered
HVALS big #unordered
`)
	// One HSET crossing the count threshold converts in the middle of its pairs.
	args = []string{"HSET", "mid"}
	for i := 0; i < 600; i++ {
		args = append(args, fmt.Sprintf("f%d", i), fmt.Sprintf("%d", i))
	}
	p.Check(args)
	p.Run(`
OBJECT ENCODING mid
MEMORY USAGE mid SAMPLES 0
MEMORY USAGE mid
HLEN mid
`)
	// Deleting down to a few entries shrinks the dict as Redis's hashTypeDelete does. The
	// shrink starts at 102 entries left (1024 → 128 buckets); the 52 deletes that follow
	// move at most 52·11 buckets, so the rehash is still under way on both sides, whatever
	// the hash seeds (deleting further would make the bucket count depend on where the
	// seeds put the entries, as the rehash may or may not finish before a second shrink).
	// All the fields and values left have the same sizes, so MEMORY USAGE's sample (the
	// first entries in table order) does not depend on the seeds either; likewise every
	// value of "big" is an sds of the same class.
	args = []string{"HDEL", "mid"}
	for i := 0; i < 550; i++ {
		args = append(args, fmt.Sprintf("f%d", i))
	}
	p.Check(args)
	p.Run(`
OBJECT ENCODING mid
MEMORY USAGE mid SAMPLES 0
HGETALL mid #pairs
`)
	// Many single-field HSETs grow the dict step by step.
	for i := 0; i < 1100; i++ {
		p.Check([]string{"HSET", "grow", fmt.Sprintf("k%d", i), "x"})
		if i%97 == 0 || i == 513 || i == 1024 {
			p.Check([]string{"MEMORY", "USAGE", "grow", "SAMPLES", "0"})
		}
	}
	p.Run(`
MEMORY USAGE grow SAMPLES 0
OBJECT ENCODING grow
COPY grow grow2
MEMORY USAGE grow2 SAMPLES 0
HLEN grow2
COPY big big2
MEMORY USAGE big2 SAMPLES 0
COPY a a2
MEMORY USAGE a2 SAMPLES 0
HGETALL a2
`)
}

// TestHashConfigThresholds runs with lowered thresholds on both sides.
func TestHashConfigThresholds(t *testing.T) {
	p := newPair(t)
	p.O.Do("CONFIG", "SET", "hash-max-listpack-entries", "2")
	p.O.Do("CONFIG", "SET", "hash-max-listpack-value", "3")
	p.H.E.Set.HashMaxListpackEntries = 2
	p.H.E.Set.HashMaxListpackValue = 3
	p.Run(`
HSET a f v g w
OBJECT ENCODING a
HSET a h x
OBJECT ENCODING a
HSET b abc def
OBJECT ENCODING b
HSET b abcd e
OBJECT ENCODING b
HSET c 1234 1
OBJECT ENCODING c
HINCRBY d f 999
OBJECT ENCODING d
HINCRBY d f 1
OBJECT ENCODING d
HGETALL d
`)
	p.O.Do("CONFIG", "SET", "hash-max-listpack-entries", "0")
	p.H.E.Set.HashMaxListpackEntries = 0
	p.Run(`
HSET z f v
OBJECT ENCODING z
MEMORY USAGE z SAMPLES 0
HSETNX y f v
OBJECT ENCODING y
`)
}

// TestHashScanAgainstRedis compares complete HSCAN walks of hashtable hashes: the set of
// pairs returned must equal HGETALL's, and COUNT/MATCH must keep replies the same shape.
func TestHashScanAgainstRedis(t *testing.T) {
	p := newPair(t)
	args := []string{"HSET", "h"}
	for i := 0; i < 1000; i++ {
		args = append(args, fmt.Sprintf("f%d", i), fmt.Sprintf("v%d", i))
	}
	p.Check(args)
	for _, opts := range [][]string{nil, {"COUNT", "1"}, {"COUNT", "100"}, {"MATCH", "f1*"}, {"MATCH", "f1*", "COUNT", "1000"}} {
		want := scanAll(t, func(a ...string) []string { return bulkStrings(p.O.Do(a...)) }, opts)
		got := scanAll(t, func(a ...string) []string { return bulkStrings(p.H.Do(a...)) }, opts)
		if len(want) != len(got) {
			t.Fatalf("HSCAN %v: redis returned %d distinct pairs, we returned %d", opts, len(want), len(got))
		}
		for k, v := range want {
			if got[k] != v {
				t.Fatalf("HSCAN %v: field %q: redis %q, ours %q", opts, k, v, got[k])
			}
		}
	}
}
