package tstring_test

import (
	"testing"

	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/engine/tstring"
)

// TestStringsAgainstRedis sends the same commands to redis-server 7.0 and to the engine.
func TestStringsAgainstRedis(t *testing.T) {
	p := enginetest.NewPair(t, tstring.Commands())
	script := `
SET k v
GET k
SET k v NX
SET k v XX GET
SET k v NX XX
SET k v EX 0
SET k v EX -1
SET k v PX 9223372036854775807
SET k v EX 9223372036854775
SET k v KEEPTTL EX 10
SET k v GET GET
SET k
OBJECT ENCODING k
SET n 9223372036854775807
OBJECT ENCODING n
INCR n
SET n -9223372036854775808
DECR n
DECRBY n -9223372036854775808
INCRBY n 1.5
SET s 012
OBJECT ENCODING s
SET s -0
OBJECT ENCODING s
SET s 123456789012345678901
OBJECT ENCODING s
SET f 0
INCRBYFLOAT f 0.1
INCRBYFLOAT f 0.2
INCRBYFLOAT f 1e308
INCRBYFLOAT f 1e4000
INCRBYFLOAT f inf
INCRBYFLOAT f 1e-5000
INCRBYFLOAT f 1e-4940
INCRBYFLOAT f abc
INCRBYFLOAT f " 1"
SET f 3.0e3
INCRBYFLOAT f 1.123456789012345678
INCRBYFLOAT f -5000
SET g 10
INCRBYFLOAT g -10
APPEND a hello
OBJECT ENCODING a
APPEND a " world"
OBJECT ENCODING a
GET a
APPEND n x
GETRANGE a 0 -1
GETRANGE a -3 -1
GETRANGE a 5 2
GETRANGE a -1 -5
GETRANGE a 100 200
GETRANGE missing 0 -1
GETRANGE a x 1
SUBSTR a 1 3
SETRANGE a 20 "!"
GET a
SETRANGE a -1 x
SETRANGE new 0 ""
EXISTS new
SETRANGE new 3 abc
GET new
STRLEN new
STRLEN missing
MSET a 1 b 2 c 3
MGET a b c missing
MSETNX a 1 d 2
MSETNX d 1 e 2
GETSET a 10
GETSET nope 1
GETDEL a
GETDEL a
SETNX sn 1
SETNX sn 2
SETEX se 0 v
SETEX se x v
SETEX se 100 v
PSETEX pe 100000 v
GETEX se EX 100 PX 100
GETEX se PERSIST
TTL se
GETEX se EX 50
TTL se
GETEX missing EX 10
GETEX missing EX -1
GETEX missing EX abc
GETEX missing FOO
SETRANGE huge 9223372036854775807 a
SETRANGE se 9223372036854775807 a
SETRANGE se 536870911 ab
SET big 1234567890123456789012345678901234567890123456789
OBJECT ENCODING big
`
	p.Run(script)
}

// TestOverwriteInPlaceAgainstRedis overwrites strings with values of the same, shorter and
// longer sizes and other encodings (the cases DB.SetStringInPlace takes or refuses) and
// compares values, encodings, counted memory and TTLs with Redis.
func TestOverwriteInPlaceAgainstRedis(t *testing.T) {
	p := enginetest.NewPair(t, tstring.Commands())
	p.Run(`
SET e abcdefgh
SET e 12345678x
GET e
SET e abcd
GET e
STRLEN e
OBJECT ENCODING e
MEMORY USAGE e
SET e abcdefghijklmnopqrstuvwxyzabcdefghijklmnopq
MEMORY USAGE e
SET e 42
OBJECT ENCODING e
SET e abcd EX 100
SET e wxyz
TTL e
SET e abcd EX 100
SET e wxyz KEEPTTL
TTL e
GETSET e pqrs
GET e
MSET e 1234 f ab
GET e
MGET e f
SET r abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz
SET r ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMNOPQRSTUVWXYZ
GET r
OBJECT ENCODING r
MEMORY USAGE r
SET r ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMNOPQRSTUVWXY
MEMORY USAGE r
APPEND r Z
MEMORY USAGE r
SET r abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz
MEMORY USAGE r
OBJECT ENCODING r
SET r short
OBJECT ENCODING r
MEMORY USAGE r
`)
}
