package rdbobj_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/redisctl/redisctl/engine/tlist"
)

// splitmix is a fixed generator for random-looking bytes.
type splitmix uint64

func (s *splitmix) next() uint64 {
	*s += 0x9e3779b97f4a7c15
	z := uint64(*s)
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func (s *splitmix) bytes(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(s.next())
	}
	return string(b)
}

func (s *splitmix) hex(n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[s.next()%16]
	}
	return string(b)
}

// buildDataset runs the same writes on both sides: every type in every encoding.
func buildDataset(d *duo) []string {
	rng := splitmix(42)
	var keys []string
	do := func(args ...string) {
		d.t.Helper()
		d.both(args...)
	}
	key := func(k string) string { keys = append(keys, k); return k }

	// Strings: int (shared and not), int64 extremes, look-alikes, embstr, raw, LZF.
	for i, v := range []string{"0", "1", "-1", "127", "128", "-128", "-129", "32767", "32768", "-32768",
		"-32769", "2147483647", "2147483648", "-2147483648", "-2147483649", "9223372036854775807",
		"-9223372036854775808", "9223372036854775808", "007", "+1", "-0", " 1", "3.14", "12345678901",
		"", "hello", strings.Repeat("x", 20), strings.Repeat("x", 21), strings.Repeat("ab", 22),
		strings.Repeat("y", 45), strings.Repeat("abc", 100), rng.bytes(1500), rng.hex(1000),
		strings.Repeat("z", 4000), "\x00\xff\xfe"} {
		do("SET", key("s:"+strconv.Itoa(i)), v)
	}
	do("SET", key("s:app"), "a")
	do("APPEND", "s:app", "bcdef")
	do("SET", key("s:app2"), strings.Repeat("q", 30))
	do("APPEND", "s:app2", strings.Repeat("r", 30))
	do("SET", key("s:inc"), "10")
	do("INCRBY", "s:inc", "5000000000")
	do("SETRANGE", key("s:range"), "5", "hi")

	// Lists: small, integers of every width, empty and binary elements, many nodes.
	do("RPUSH", key("l:small"), "a", "b", "c", "1", "2")
	do("RPUSH", key("l:ints"), "0", "127", "128", "-4096", "4095", "4096", "-32768", "32767",
		"8388607", "-8388608", "8388608", "2147483647", "-2147483648", "9223372036854775807",
		"-9223372036854775808", "", rng.bytes(30))
	args := []string{"RPUSH", key("l:big")}
	for i := 0; i < 1500; i++ {
		args = append(args, "element-"+strconv.Itoa(i)+"-"+rng.hex(i%40))
	}
	do(args...)
	args = []string{"LPUSH", key("l:lpush")}
	for i := 0; i < 1500; i++ {
		args = append(args, strconv.Itoa(i*7919))
	}
	do(args...)
	do("RPUSH", key("l:edited"), "a", "b", "c", "d", "e", "f")
	do("LINSERT", "l:edited", "BEFORE", "c", strings.Repeat("m", 300))
	do("LSET", "l:edited", "0", "first")
	do("LPOP", "l:edited")
	do("RPUSH", key("l:bigelem"), "x", strings.Repeat("B", 10000), "y")

	// Hashes: listpack (small, ints, exactly 512 fields, 64-byte value), hashtable.
	do("HSET", key("h:small"), "f1", "v1", "f2", "2", "n", "-17", "", "empty-field", "ev", "")
	args = []string{"HSET", key("h:512")}
	for i := 0; i < 512; i++ {
		args = append(args, "f"+strconv.Itoa(i), strconv.Itoa(i*i))
	}
	do(args...)
	do("HSET", key("h:v64"), "f", strings.Repeat("v", 64))
	args = []string{"HSET", key("h:600")}
	for i := 0; i < 600; i++ {
		args = append(args, "field:"+strconv.Itoa(i), rng.hex(i%50))
	}
	do(args...)
	do("HSET", key("h:v65"), "a", "1", "b", strings.Repeat("v", 65))
	do("HSET", key("h:shrunk"), "a", "1", "long", strings.Repeat("w", 100))
	do("HDEL", "h:shrunk", "long")

	// Sets: intset 16/32/64, exactly 512, hashtable by count, by strings, shrunk.
	do("SADD", key("set:i16"), "1", "2", "3", "-5", "32767")
	do("SADD", key("set:i32"), "1", "70000", "-70000")
	do("SADD", key("set:i64"), "1", "9223372036854775807", "-9223372036854775808")
	args = []string{"SADD", key("set:512")}
	for i := 0; i < 512; i++ {
		args = append(args, strconv.Itoa(i*3))
	}
	do(args...)
	args = []string{"SADD", key("set:600")}
	for i := 0; i < 600; i++ {
		args = append(args, strconv.Itoa(i))
	}
	do(args...)
	do("SADD", key("set:str"), "a", "b", "01", "1", "", rng.bytes(25))
	do("SADD", key("set:conv"), "1", "2", "x")
	do("SREM", "set:conv", "x")

	// Sorted sets: listpack with special scores, exactly 128, skiplist by count and member.
	do("ZADD", key("z:small"), "0.1", "a", "-0.5", "b", "1e300", "c", "inf", "d", "-inf", "e",
		"0", "f", "-0", "g", "3", "h", "1e-300", "i", "5e-324", "j", "1.7976931348623157e308", "k")
	args = []string{"ZADD", key("z:128")}
	for i := 0; i < 128; i++ {
		args = append(args, strconv.Itoa(i%17), "m"+strconv.Itoa(i))
	}
	do(args...)
	args = []string{"ZADD", key("z:200")}
	for i := 0; i < 200; i++ {
		args = append(args, fmt.Sprintf("%d.%d", i%13, i), "member:"+strconv.Itoa(i))
	}
	args = append(args, "inf", "pinf", "-inf", "ninf", "-0", "negzero")
	do(args...)
	do("ZADD", key("z:long"), "1", strings.Repeat("L", 70), "2", "s", "-0", "nz")
	do("ZADD", key("z:incr"), "1", "a")
	do("ZINCRBY", "z:incr", "0.25", "a")
	return keys
}

// TestDumpBytesAgainstRedis: for the same writes, DUMP returns Redis 7.0.15's bytes for
// every encoding (decoded comparison for hashtable sets and hashes), and each side's
// payload RESTOREs on the other into the same type, encoding and value.
func TestDumpBytesAgainstRedis(t *testing.T) {
	d := newDuo(t)
	keys := buildDataset(d)
	for _, k := range keys {
		d.both("OBJECT", "ENCODING", k)
		crossCheck(t, d.h, d.o, k)
	}
}

// TestDumpCompressedLists covers list-compress-depth: interior nodes are written as the
// LZF bytes the node holds.
func TestDumpCompressedLists(t *testing.T) {
	for _, depth := range []int{1, 2} {
		for _, size := range []int{-2, 64, 5} {
			t.Run(fmt.Sprintf("depth%d/size%d", depth, size), func(t *testing.T) {
				d := newDuo(t)
				d.h.E.Set.ListCompressDepth = depth
				d.h.E.Set.ListMaxListpackSize = size
				d.o.Do("CONFIG", "SET", "list-compress-depth", strconv.Itoa(depth))
				d.o.Do("CONFIG", "SET", "list-max-listpack-size", strconv.Itoa(size))
				rng := splitmix(uint64(depth*100 + size))
				args := []string{"RPUSH", "l"}
				for i := 0; i < 800; i++ {
					args = append(args, "compressible-element-"+strings.Repeat(strconv.Itoa(i%10), 20))
				}
				d.both(args...)
				args = []string{"RPUSH", "r"}
				for i := 0; i < 300; i++ {
					args = append(args, rng.hex(40))
				}
				d.both(args...)
				d.both("LINSERT", "l", "AFTER", "compressible-element-"+strings.Repeat("7", 20), "inserted")
				d.both("RPUSH", "short", "a", "b")
				for _, k := range []string{"l", "r", "short"} {
					crossCheck(t, d.h, d.o, k)
				}
			})
		}
	}
}

// TestDumpPlainNodes covers PLAIN quicklist nodes (DEBUG QUICKLIST-PACKED-THRESHOLD).
func TestDumpPlainNodes(t *testing.T) {
	d := newDuo(t)
	old := tlist.PackedThreshold()
	t.Cleanup(func() { tlist.SetPackedThreshold(uint64(old)) })
	tlist.SetPackedThreshold(1000)
	d.o.Do("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "1000")
	d.both("RPUSH", "p", strings.Repeat("H", 2000), "a", "b", strings.Repeat("M", 1500), "c", strings.Repeat("T", 3000))
	d.both("RPUSH", "one", strings.Repeat("O", 5000))
	d.both("RPUSH", "ints", "12345", strings.Repeat("1", 1001))
	for _, k := range []string{"p", "one", "ints"} {
		crossCheck(t, d.h, d.o, k)
	}
	// With the default threshold again, restored PLAIN nodes stay PLAIN (copied as is).
	tlist.SetPackedThreshold(uint64(old))
	d.o.Do("DEBUG", "QUICKLIST-PACKED-THRESHOLD", strconv.FormatInt(old, 10))
	for _, k := range []string{"p", "one"} {
		crossCheck(t, d.h, d.o, k)
	}
}

// TestDumpNoCompression: with rdbcompression no, long strings and nodes are written raw.
func TestDumpNoCompression(t *testing.T) {
	d := newDuo(t)
	d.o.Do("CONFIG", "SET", "rdbcompression", "no")
	setCompression(t, false)
	d.both("SET", "s", strings.Repeat("a", 100))
	d.both("RPUSH", "l", strings.Repeat("b", 100), strings.Repeat("c", 100))
	d.both("HSET", "h", "f", strings.Repeat("d", 50))
	for _, k := range []string{"s", "l", "h"} {
		compareDump(t, d.h, d.o, k)
	}
}
