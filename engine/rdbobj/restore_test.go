package rdbobj_test

import (
	"encoding/binary"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redisctl/redisctl/rdb"
	"github.com/redisctl/redisctl/rdb/crc64"
	"github.com/redisctl/redisctl/rdb/listpack"
)

// payload wraps a value body (type byte first) with a version and a valid CRC-64.
func payload(version uint16, body ...byte) string {
	b := append([]byte(nil), body...)
	b = binary.LittleEndian.AppendUint16(b, version)
	return string(binary.LittleEndian.AppendUint64(b, crc64.Update(0, b)))
}

func lpOf(elems ...string) []byte {
	lp := listpack.New()
	for _, e := range elems {
		lp = listpack.Append(lp, []byte(e))
	}
	return lp
}

func strBody(t rdb.Type, blob []byte) []byte {
	return rdb.AppendRawString([]byte{byte(t)}, blob)
}

// TestRestoreAgainstRedis: options, their parsing order and every error of RESTORE, and
// DUMP of missing keys, compared reply by reply with Redis 7.0.
func TestRestoreAgainstRedis(t *testing.T) {
	p := newPair(t)
	p.Run(`
DUMP nokey
SET s hello
RPUSH l a b c
HSET h f v
SADD st 1 2 3
ZADD z 1 a
`)
	pl := string(p.H.Do("DUMP", "s").Str)
	lst := string(p.H.Do("DUMP", "l").Str)
	bad := []byte(pl)
	bad[len(bad)-1] ^= 1
	v11 := []byte(pl)
	binary.LittleEndian.PutUint16(v11[len(v11)-10:], 11)
	future := time.Now().Add(time.Hour).UnixMilli()
	fs := strconv.FormatInt(future, 10)
	cases := [][]string{
		{"RESTORE", "s", "0", pl},
		{"RESTORE", "s", "-1", pl},
		{"RESTORE", "s", "abc", pl},
		{"RESTORE", "new", "-1", pl},
		{"RESTORE", "new", "abc", pl},
		{"RESTORE", "new", "0", pl, "BOGUS"},
		{"RESTORE", "new", "0", pl, "IDLETIME"},
		{"RESTORE", "new", "0", pl, "IDLETIME", "-1"},
		{"RESTORE", "new", "0", pl, "IDLETIME", "x"},
		{"RESTORE", "new", "0", pl, "FREQ", "256"},
		{"RESTORE", "new", "0", pl, "FREQ", "-1"},
		{"RESTORE", "new", "0", pl, "FREQ", "1.5"},
		{"RESTORE", "new", "0", pl, "FREQ", "5", "IDLETIME", "5"},
		{"RESTORE", "new", "0", pl, "IDLETIME", "5", "FREQ", "5"},
		{"RESTORE", "s", "0", pl, "IDLETIME", "-1"},
		{"RESTORE", "s", "-5", pl, "REPLACE"},
		{"RESTORE", "new", "0", "short"},
		{"RESTORE", "new", "0", ""},
		{"RESTORE", "new", "0", string(bad)},
		{"RESTORE", "new", "0", string(v11)},
		{"RESTORE", "s", "0", string(bad)},
		{"RESTORE", "s", "0", string(bad), "REPLACE"},
		{"RESTORE", "new", "0", pl},
		{"GET", "new"},
		{"OBJECT", "ENCODING", "new"},
		{"RESTORE", "s", "0", lst, "REPLACE"},
		{"TYPE", "s"},
		{"LRANGE", "s", "0", "-1"},
		{"RESTORE", "s", "0", pl, "replace", "absttl", "idletime", "1000"},
		{"OBJECT", "IDLETIME", "s"},
		{"TTL", "s"},
		{"RESTORE", "t1", "100000", pl},
		{"TTL", "t1"},
		{"RESTORE", "t2", fs, pl, "ABSTTL"},
		{"PEXPIRETIME", "t2"},
		{"RESTORE", "t3", "1", pl, "ABSTTL"},
		{"EXISTS", "t3"},
		{"RESTORE", "t2", "1", pl, "ABSTTL", "REPLACE"},
		{"EXISTS", "t2"},
		{"RESTORE", "t4", "0", pl, "FREQ", "100"},
		{"OBJECT", "FREQ", "t4"},
		{"RESTORE", "t4", "0", pl, "FREQ", "100", "REPLACE", "REPLACE", "ABSTTL", "ABSTTL"},
		{"RESTORE", "t5", "0", pl, "IDLETIME", "9223372036854775807"},
		{"RESTORE", "t6", "0", pl, "IDLETIME", "100", "IDLETIME", "200"},
		{"OBJECT", "IDLETIME", "t6"},
		{"DUMP", "t6"},
		{"DUMP"},
		{"DUMP", "a", "b"},
		{"RESTORE", "k", "0"},
	}
	for _, c := range cases {
		p.Check(c)
	}

	// Structurally bad and empty payloads.
	bodies := map[string][]byte{
		"empty list":        {byte(rdb.TypeListQuicklist2), 0},
		"empty plain list":  {byte(rdb.TypeList), 0},
		"empty set":         {byte(rdb.TypeSet), 0},
		"empty hash":        {byte(rdb.TypeHash), 0},
		"empty zset":        {byte(rdb.TypeZSet2), 0},
		"empty hash lp":     strBody(rdb.TypeHashListpack, lpOf()),
		"empty zset lp":     strBody(rdb.TypeZSetListpack, lpOf()),
		"empty node":        {byte(rdb.TypeListQuicklist2), 1, 2, 0},
		"empty lp node":     append([]byte{byte(rdb.TypeListQuicklist2), 1}, rdb.AppendRawString([]byte{2}, lpOf())...),
		"bad container":     append([]byte{byte(rdb.TypeListQuicklist2), 1}, rdb.AppendRawString([]byte{3}, lpOf("a"))...),
		"type 8":            {8, 0},
		"type 20":           strBody(rdb.TypeSetListpack, lpOf("a")),
		"type 6":            {6, 0},
		"set dup":           {byte(rdb.TypeSet), 2, 1, 'a', 1, 'a'},
		"intset bad len":    strBody(rdb.TypeSetIntset, []byte{2, 0, 0, 0, 3, 0, 0, 0, 1, 0, 1, 0}),
		"zset dup":          {byte(rdb.TypeZSet), 2, 1, 'a', 1, '1', 1, 'a', 1, '2'},
		"zset nan":          {byte(rdb.TypeZSet), 1, 1, 'a', 253},
		"zset2 nan":         append([]byte{byte(rdb.TypeZSet2), 1, 1, 'a'}, 0, 0, 0, 0, 0, 0, 0xf8, 0x7f),
		"plain list":        {byte(rdb.TypeList), 2, 1, 'a', 0xc0, 5},
		"plain set ints":    {byte(rdb.TypeSet), 3, 1, '3', 0xc0, 1, 1, '2'},
		"plain set strs":    {byte(rdb.TypeSet), 2, 1, 'x', 0xc0, 1},
		"plain hash":        {byte(rdb.TypeHash), 1, 1, 'f', 0xc1, 0x10, 0x27},
		"zset text":         {byte(rdb.TypeZSet), 2, 1, 'a', 3, '1', '.', '5', 1, 'b', 254},
		"trailing bytes":    {0, 1, 'x', 9, 9, 9},
		"truncated string":  {0, 5, 'x'},
		"bad length":        {0, 0x82},
		"lzf lie":           {0, 0xc3, 2, 0x40, 0xff, 0, 'a'},
		"intset 16":         strBody(rdb.TypeSetIntset, []byte{2, 0, 0, 0, 2, 0, 0, 0, 1, 0, 2, 0}),
		"hash lp":           strBody(rdb.TypeHashListpack, lpOf("f", "v", "g", "1")),
		"hash lp long val":  strBody(rdb.TypeHashListpack, lpOf("f", strings.Repeat("v", 100))),
		"zset lp":           strBody(rdb.TypeZSetListpack, lpOf("a", "1", "b", "2.5")),
		"list lp node":      append([]byte{byte(rdb.TypeListQuicklist2), 1}, rdb.AppendRawString([]byte{2}, lpOf("a", "1"))...),
		"plain node":        append([]byte{byte(rdb.TypeListQuicklist2), 1}, rdb.AppendRawString([]byte{1}, []byte("elem"))...),
		"hash lp dup field": strBody(rdb.TypeHashListpack, lpOf("f", "v", "f", "w")),
	}
	// lenient: Redis 7.0 without sanitize-dump-payload stores these corrupt values (an odd
	// listpack, a non-numeric score, duplicate members); we refuse them (see TestRestoreLenient).
	lenient := map[string][]byte{
		// lenient:
		"hash dup plain": {byte(rdb.TypeHash), 2, 1, 'a', 1, 'b', 1, 'a', 1, 'c'},
		"intset dup":     strBody(rdb.TypeSetIntset, []byte{2, 0, 0, 0, 2, 0, 0, 0, 1, 0, 1, 0}),
		"zset bad score": strBody(rdb.TypeZSetListpack, lpOf("a", "x")),
		"odd hash":       strBody(rdb.TypeHashListpack, lpOf("a", "b", "c")),
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			p.Check([]string{"DEL", "bad"})
			p.Check([]string{"RESTORE", "bad", "0", payload(10, body...)})
			p.Check([]string{"TYPE", "bad"})
			p.Check([]string{"OBJECT", "ENCODING", "bad"})
			compareDump(t, p.H, p.O, "bad")
		})
	}
	// Under Redis the lenient payloads are accepted; we refuse them.
	for name, body := range lenient {
		p.O.Do("DEL", "bad")
		p.H.Do("DEL", "bad")
		if v := p.O.Do("RESTORE", "bad", "0", payload(10, body...)); v.String() != "OK" {
			t.Errorf("%s: redis %s", name, v)
		}
		if v := p.H.Do("RESTORE", "bad", "0", payload(10, body...)); v.String() != "(error) ERR Bad data format" {
			t.Errorf("%s: ours %s", name, v)
		}
	}
	p.O.Do("DEL", "bad")
	// sanitize-dump-payload yes refuses the duplicate listpack field.
	p.O.Do("CONFIG", "SET", "sanitize-dump-payload", "yes")
	p.H.E.Set.SanitizeDumpPayload = "yes"
	p.Check([]string{"DEL", "bad"})
	p.Check([]string{"RESTORE", "bad", "0", payload(10, bodies["hash lp dup field"]...)})
	p.Check([]string{"RESTORE", "bad", "0", payload(10, lenient["intset dup"]...)})
	p.Check([]string{"RESTORE", "bad", "0", payload(10, lenient["hash dup plain"]...)})
	p.Check([]string{"RESTORE", "bad", "0", payload(10, lenient["odd hash"]...)})
	p.Check([]string{"RESTORE", "bad", "0", payload(10, bodies["hash lp"]...)})
	p.Check([]string{"HGETALL", "bad"}, 2)
	// RESP3: the null of a missing key, the payload as a blob string.
	p.SetProto(3)
	p.Check([]string{"DUMP", "nokey"})
	p.Check([]string{"DUMP", "v9"})
	p.Check([]string{"RESTORE", "v9", "0", payload(9, 0, 1, 'y'), "REPLACE"})
	p.SetProto(2)
	// Versions below 10 are accepted.
	p.Check([]string{"RESTORE", "v9", "0", payload(9, 0, 1, 'x')})
	p.Check([]string{"GET", "v9"})
	p.SetProto(3)
	p.Check([]string{"DUMP", "nokey"})
	p.Check([]string{"DUMP", "v9"})
	p.SetProto(2)
}
