package rdbparity_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/engine/rdbobj"
	"github.com/redisctl/redisctl/engine/tbits"
	"github.com/redisctl/redisctl/engine/tgeo"
	"github.com/redisctl/redisctl/engine/thash"
	"github.com/redisctl/redisctl/engine/thll"
	"github.com/redisctl/redisctl/engine/tlist"
	"github.com/redisctl/redisctl/engine/tset"
	"github.com/redisctl/redisctl/engine/tstream"
	"github.com/redisctl/redisctl/engine/tstring"
	"github.com/redisctl/redisctl/engine/tzset"
	"github.com/redisctl/redisctl/internal/redistest"
	"github.com/redisctl/redisctl/rdb"
	"github.com/redisctl/redisctl/resp"
	"github.com/stretchr/testify/require"
)

// side is one place commands go: the real server or our engine.
type side interface {
	Do(args ...string) resp.Value
}

// rng is splitmix64, a fixed generator so both sides get the same bytes.
type rng uint64

func (r *rng) next() uint64 {
	*r += 0x9e3779b97f4a7c15
	z := uint64(*r)
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func (r *rng) bytes(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.next())
	}
	return string(b)
}

// fill writes keys of every type and encoding Redis 7.0 has, through ordinary commands,
// in db 0 (and a few in db 1). It returns the commands, one per line of args.
func fill() [][]string {
	var cmds [][]string
	do := func(args ...string) { cmds = append(cmds, args) }
	r := rng(2026)

	// Strings: int (small, shared range, int64 edges), embstr, raw, raw made by APPEND and
	// SETRANGE, INCRBYFLOAT, binary, empty, long (LZF in the file), incompressible.
	do("SET", "str:int", "12345")
	do("SET", "str:shared", "7")
	do("SET", "str:neg", "-2147483649")
	do("SET", "str:max", "9223372036854775807")
	do("SET", "str:embstr", "hello world")
	do("SET", "str:raw", strings.Repeat("raw-", 20))
	do("SET", "str:append", "ab")
	do("APPEND", "str:append", "cdef")
	do("SETRANGE", "str:range", "10", "tail")
	do("SET", "str:float", "10.5")
	do("INCRBYFLOAT", "str:float", "0.25")
	do("INCR", "str:incr")
	do("SET", "str:bin", "\x00\x01\xff\xfe binary")
	do("SET", "str:empty", "")
	do("SET", "str:lzf", strings.Repeat("abcdefgh", 300))
	do("SET", "str:noise", r.bytes(700))
	do("SETBIT", "str:bits", "1000", "1")

	// Lists: listpack (strings and integers of every width), quicklist of many nodes,
	// LPUSH-built, LINSERT/LSET/LREM edited.
	do("RPUSH", "list:lp", "a", "b", "c", "1", "-1", "300", "70000", "5000000000", "", "z")
	args := []string{"RPUSH", "list:ql"}
	for i := 0; i < 3000; i++ {
		args = append(args, fmt.Sprintf("element-%d-%x", i, r.next()%100000))
	}
	do(args...)
	args = []string{"LPUSH", "list:ints"}
	for i := 0; i < 2000; i++ {
		args = append(args, strconv.Itoa(i*7919-50000))
	}
	do(args...)
	do("RPUSH", "list:edit", "x", "y", "z", "y")
	do("LINSERT", "list:edit", "BEFORE", "z", "inserted")
	do("LSET", "list:edit", "0", "first")
	do("LREM", "list:edit", "1", "y")
	do("RPUSH", "list:big", strings.Repeat("B", 9000), "small")

	// Hashes: listpack, hashtable by count, by a long value, and a hashtable that shrank
	// (Redis loads it back as a listpack).
	do("HSET", "hash:lp", "f1", "v1", "f2", "2", "n", "-5", "empty", "")
	args = []string{"HSET", "hash:ht"}
	for i := 0; i < 700; i++ {
		args = append(args, "field:"+strconv.Itoa(i), "value:"+strconv.Itoa(i*i))
	}
	do(args...)
	do("HSET", "hash:long", "short", "x", "long", strings.Repeat("L", 100))
	args = []string{"HSET", "hash:shrunk"}
	for i := 0; i < 600; i++ {
		args = append(args, "k"+strconv.Itoa(i), "v")
	}
	do(args...)
	for i := 3; i < 600; i++ {
		do("HDEL", "hash:shrunk", "k"+strconv.Itoa(i))
	}
	do("HINCRBY", "hash:lp", "counter", "41")
	do("HINCRBYFLOAT", "hash:lp", "fl", "1.5")

	// Sets: intset (16, 32 and 64-bit), hashtable of strings, an intset grown past
	// set-max-intset-entries, a hashtable that shrank to integers (intset after reload).
	do("SADD", "set:int16", "1", "2", "3", "-7")
	do("SADD", "set:int64", "1", "5000000000", "-9223372036854775808")
	do("SADD", "set:str", "apple", "banana", "cherry", "1")
	args = []string{"SADD", "set:bigint"}
	for i := 0; i < 600; i++ {
		args = append(args, strconv.Itoa(i*3))
	}
	do(args...)
	args = []string{"SADD", "set:big"}
	for i := 0; i < 400; i++ {
		args = append(args, "member-"+strconv.Itoa(i))
	}
	do(args...)
	do("SADD", "set:shrunk", "a", "10", "20")
	do("SREM", "set:shrunk", "a")

	// Sorted sets: listpack, skiplist by count, by a long member, scores of every kind.
	do("ZADD", "zset:lp", "1", "one", "2.5", "two", "-3", "neg", "1e300", "huge", "-inf", "minf", "inf", "pinf", "0", "zero")
	args = []string{"ZADD", "zset:sl"}
	for i := 0; i < 300; i++ {
		args = append(args, strconv.Itoa(i%37)+"."+strconv.Itoa(i), "m"+strconv.Itoa(i))
	}
	do(args...)
	do("ZADD", "zset:long", "1", "short", "2", strings.Repeat("M", 80))
	do("ZINCRBY", "zset:lp", "0.1", "one")

	// HyperLogLog: sparse and dense.
	do("PFADD", "hll:sparse", "a", "b", "c", "d", "e")
	args = []string{"PFADD", "hll:dense"}
	for i := 0; i < 5000; i++ {
		args = append(args, "x"+strconv.Itoa(i))
	}
	do(args...)
	do("PFCOUNT", "hll:dense")
	do("PFCOUNT", "hll:sparse")

	// Geo.
	do("GEOADD", "geo:sicily", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania",
		"13.583333", "37.316667", "Agrigento", "12.758489", "38.788135", "edge")

	// Streams: one node, many nodes with tombstones and trims, groups with PELs, consumers,
	// XCLAIM with fixed times, an empty stream with a group.
	for i := 1; i <= 250; i++ {
		do("XADD", "stream:big", fmt.Sprintf("%d-%d", 1000+i/4, i%4), "name", "item"+strconv.Itoa(i), "n", strconv.Itoa(i))
	}
	do("XDEL", "stream:big", "1002-0", "1030-1", "1060-2")
	do("XTRIM", "stream:big", "MINID", "1005")
	do("XADD", "stream:one", "1-1", "a", "1")
	do("XADD", "stream:one", "1-2", "b", "2", "c", "3")
	for i := 1; i <= 20; i++ {
		do("XADD", "stream:grp", "50-"+strconv.Itoa(i), "k", strconv.Itoa(i))
	}
	do("XGROUP", "CREATE", "stream:grp", "g1", "0")
	do("XGROUP", "CREATE", "stream:grp", "g2", "$")
	do("XREADGROUP", "GROUP", "g1", "alice", "COUNT", "5", "STREAMS", "stream:grp", ">")
	do("XREADGROUP", "GROUP", "g1", "bob", "COUNT", "3", "STREAMS", "stream:grp", ">")
	do("XACK", "stream:grp", "g1", "50-2")
	do("XCLAIM", "stream:grp", "g1", "carol", "0", "50-1", "50-3", "TIME", "1700000000000", "RETRYCOUNT", "4")
	do("XGROUP", "CREATECONSUMER", "stream:grp", "g2", "dave")
	do("XDEL", "stream:grp", "50-4")
	do("XGROUP", "CREATE", "stream:empty", "g", "$", "MKSTREAM")

	// TTLs on several types.
	do("SET", "ttl:str", "v", "EX", "100000")
	do("RPUSH", "ttl:list", "a")
	do("PEXPIRE", "ttl:list", "500000000")
	do("HSET", "ttl:hash", "f", "v")
	do("EXPIREAT", "ttl:hash", "4102444800")
	do("ZADD", "ttl:zset", "1", "a")
	do("EXPIRE", "ttl:zset", "3000")

	// Another database.
	do("SELECT", "1")
	do("SET", "db1:str", "in db 1")
	do("SADD", "db1:set", "x", "y")
	do("SELECT", "0")
	return cmds
}

// keyInfo is what the views need to know about a key: its db, type, and members taken
// from Redis's own replies (so both sides get the same arguments).
type keyInfo struct {
	db   string
	key  string
	typ  string
	some []string // a few members / fields / elements
}

// discover lists every key of Redis with its type and a few of its members.
func discover(t *testing.T, o side) []keyInfo {
	t.Helper()
	var out []keyInfo
	for _, db := range []string{"0", "1"} {
		o.Do("SELECT", db)
		keys := o.Do("KEYS", "*")
		var names []string
		for _, k := range keys.Elems {
			names = append(names, string(k.Str))
		}
		sort.Strings(names)
		for _, k := range names {
			ki := keyInfo{db: db, key: k, typ: string(o.Do("TYPE", k).Str)}
			var v resp.Value
			switch ki.typ {
			case "list":
				v = o.Do("LRANGE", k, "0", "2")
				if n := o.Do("LLEN", k).Int; n > 3 {
					v.Elems = append(v.Elems, o.Do("LINDEX", k, strconv.FormatInt(n/2, 10)))
				}
			case "hash":
				v = o.Do("HKEYS", k)
			case "set":
				v = o.Do("SMEMBERS", k)
			case "zset":
				v = o.Do("ZRANGE", k, "0", "-1")
			case "stream":
				g := o.Do("XINFO", "GROUPS", k)
				for _, e := range g.Elems {
					ki.some = append(ki.some, string(e.Elems[1].Str))
				}
			}
			var members []string
			for _, e := range v.Elems {
				members = append(members, string(e.Str))
			}
			sort.Strings(members)
			for i, m := range members {
				if i < 3 || i == len(members)-1 {
					ki.some = append(ki.some, m)
				}
			}
			out = append(out, ki)
		}
	}
	o.Do("SELECT", "0")
	return out
}

// reads renders every read command of ki's type on one side, one line per command. With
// values only, what depends on the in-memory layout (OBJECT ENCODING, MEMORY USAGE, DUMP)
// is left out.
func reads(c side, ki keyInfo, valuesOnly bool) []string {
	var lines []string
	q := func(args ...string) resp.Value {
		v := c.Do(args...)
		lines = append(lines, strings.Join(args, " ")+" => "+v.String())
		return v
	}
	qSorted := func(pairs bool, args ...string) {
		v := c.Do(args...)
		var parts []string
		step := 1
		if pairs {
			step = 2
		}
		for i := 0; i+step-1 < len(v.Elems); i += step {
			p := v.Elems[i].String()
			if pairs {
				p += " => " + v.Elems[i+1].String()
			}
			parts = append(parts, p)
		}
		sort.Strings(parts)
		lines = append(lines, strings.Join(args, " ")+" (unordered) => "+strings.Join(parts, " | "))
	}
	masked := func(args ...string) {
		v := maskInstants(c.Do(args...))
		lines = append(lines, strings.Join(args, " ")+" (instants masked) => "+v.String())
	}
	k := ki.key
	c.Do("SELECT", ki.db)
	defer c.Do("SELECT", "0")
	q("TYPE", k)
	q("EXISTS", k)
	ttl := c.Do("TTL", k).Int
	sign := "none"
	switch {
	case ttl > 0:
		sign = "positive"
	case ttl == -1:
		sign = "persistent"
	}
	lines = append(lines, "TTL sign => "+sign)
	if !valuesOnly {
		q("OBJECT", "ENCODING", k)
		lines = append(lines, "DUMP => "+dumpForm(c.Do("DUMP", k).Str))
		if enc := string(c.Do("OBJECT", "ENCODING", k).Str); enc != "skiplist" {
			// A skiplist's size follows its nodes' random levels, in Redis too.
			q("MEMORY", "USAGE", k, "SAMPLES", "0")
			if enc != "hashtable" {
				q("MEMORY", "USAGE", k) // sampled: a dict's first entries depend on its seed
			}
		}
	}
	switch ki.typ {
	case "string":
		q("GET", k)
		q("STRLEN", k)
		q("GETRANGE", k, "0", "-1")
		q("GETRANGE", k, "2", "5")
		q("GETRANGE", k, "-3", "-1")
		if strings.HasPrefix(k, "hll:") {
			q("PFCOUNT", k)
		}
		if k == "str:bits" {
			q("BITCOUNT", k)
			q("GETBIT", k, "1000")
		}
	case "list":
		q("LLEN", k)
		q("LRANGE", k, "0", "-1")
		q("LRANGE", k, "-5", "-1")
		q("LINDEX", k, "0")
		q("LINDEX", k, "-1")
		q("LINDEX", k, "1234")
		for _, m := range ki.some {
			q("LPOS", k, m)
			q("LPOS", k, m, "RANK", "-1", "COUNT", "0")
		}
	case "hash":
		q("HLEN", k)
		qSorted(true, "HGETALL", k)
		qSorted(false, "HKEYS", k)
		qSorted(false, "HVALS", k)
		q("HGET", k, "no-such-field")
		for _, f := range ki.some {
			q("HGET", k, f)
			q("HSTRLEN", k, f)
			q("HEXISTS", k, f)
		}
	case "set":
		q("SCARD", k)
		qSorted(false, "SMEMBERS", k)
		q("SISMEMBER", k, "no-such-member")
		for _, m := range ki.some {
			q("SISMEMBER", k, m)
		}
	case "zset":
		q("ZCARD", k)
		q("ZRANGE", k, "0", "-1", "WITHSCORES")
		q("ZRANGE", k, "+inf", "-inf", "BYSCORE", "REV", "LIMIT", "0", "5", "WITHSCORES")
		for _, m := range ki.some {
			q("ZSCORE", k, m)
			q("ZRANK", k, m)
			q("ZREVRANK", k, m)
		}
		if strings.HasPrefix(k, "geo:") {
			args := append([]string{"GEOPOS", k}, ki.some...)
			args = append(args, "no-such-place")
			q(args...)
			if len(ki.some) >= 2 {
				q("GEODIST", k, ki.some[0], ki.some[1], "km")
				q("GEOHASH", k, ki.some[0], ki.some[1])
			}
			q("GEOSEARCH", k, "FROMLONLAT", "15", "37", "BYRADIUS", "300", "km", "ASC", "WITHCOORD", "WITHDIST", "WITHHASH")
			q("GEOSEARCH", k, "FROMMEMBER", ki.some[0], "BYBOX", "400", "400", "km", "DESC", "COUNT", "2")
		}
	case "stream":
		q("XLEN", k)
		q("XRANGE", k, "-", "+")
		q("XREVRANGE", k, "+", "-", "COUNT", "3")
		q("XINFO", "STREAM", k)
		q("XINFO", "STREAM", k, "FULL")
		q("XINFO", "GROUPS", k)
		for _, g := range ki.some {
			masked("XINFO", "CONSUMERS", k, g)
			q("XPENDING", k, g)
			masked("XPENDING", k, g, "-", "+", "100")
		}
	}
	return lines
}

// maskInstants zeroes the fields that depend on the instant of the call: idle and
// inactive of XINFO CONSUMERS, and the idle time of XPENDING's extended form.
func maskInstants(v resp.Value) resp.Value {
	if len(v.Elems) == 0 {
		return v
	}
	v.Elems = append([]resp.Value(nil), v.Elems...)
	if len(v.Elems) == 4 && v.Elems[2].Type == resp.TypeInteger && bytes.IndexByte(v.Elems[0].Str, '-') > 0 {
		v.Elems[2].Int = 0
	}
	for i := range v.Elems {
		if i+1 < len(v.Elems) && (string(v.Elems[i].Str) == "idle" || string(v.Elems[i].Str) == "inactive") {
			v.Elems[i+1].Int = 0
		}
		v.Elems[i] = maskInstants(v.Elems[i])
	}
	return v
}

// dumpForm renders a DUMP payload: its bytes, or for the encodings whose bytes follow a
// dict's iteration order (hashtable sets and hashes, types 2 and 4) the type byte and the
// decoded elements sorted.
func dumpForm(p []byte) string {
	if len(p) == 0 {
		return "(nil)"
	}
	t := rdb.Type(p[0])
	if t != rdb.TypeSet && t != rdb.TypeHash {
		return fmt.Sprintf("%x", p)
	}
	_, v, err := rdb.DecodeDumpValue(p, nil)
	if err != nil {
		return "undecodable: " + err.Error()
	}
	var parts []string
	for _, m := range v.Set {
		parts = append(parts, fmt.Sprintf("%q", m))
	}
	for _, f := range v.Hash {
		parts = append(parts, fmt.Sprintf("%q=%q", f.Field, f.Value))
	}
	sort.Strings(parts)
	return fmt.Sprintf("type %d, version+crc apart, elements %s", t, strings.Join(parts, " "))
}

// families are every command family the keys need, as the server assembles them.
func families() [][]*engine.Command {
	return [][]*engine.Command{tstring.Commands(), tbits.Commands(), thll.Commands(), thash.Commands(),
		tlist.Commands(), tset.Commands(), tzset.Commands(), tgeo.Commands(), tstream.Commands(), rdbobj.Commands()}
}

// configs are the server configurations the parity runs under: Redis's defaults, and
// small encoding thresholds with compressed list nodes and small stream nodes, so every
// conversion at load time (listpack ↔ hashtable, intset ↔ hashtable, listpack ↔ skiplist,
// LZF-compressed quicklist nodes) is met.
var configs = []struct {
	name  string
	args  []string
	apply func(*engine.Settings)
}{
	{name: "defaults", apply: func(*engine.Settings) {}},
	{name: "small-thresholds",
		args: []string{"--hash-max-listpack-entries", "8", "--hash-max-listpack-value", "16",
			"--set-max-intset-entries", "8", "--zset-max-listpack-entries", "8", "--zset-max-listpack-value", "16",
			"--list-max-listpack-size", "5", "--list-compress-depth", "1",
			"--stream-node-max-entries", "7", "--stream-node-max-bytes", "300"},
		apply: func(s *engine.Settings) {
			s.HashMaxListpackEntries, s.HashMaxListpackValue = 8, 16
			s.SetMaxIntsetEntries = 8
			s.ZSetMaxListpackEntries, s.ZSetMaxListpackValue = 8, 16
			s.ListMaxListpackSize, s.ListCompressDepth = 5, 1
			s.StreamNodeMaxEntries, s.StreamNodeMaxBytes = 7, 300
		}},
}

// wantEncodings are the type/encoding pairs the dataset must hold after Redis reloads it
// (Redis 7.0 has no listpack lists or listpack sets: lists are always quicklists).
var wantEncodings = []string{"string/int", "string/embstr", "string/raw", "list/quicklist",
	"hash/listpack", "hash/hashtable", "set/intset", "set/hashtable", "zset/listpack", "zset/skiplist",
	"stream/stream"}

// TestReadParity is the acceptance: a key written by any command, saved by real
// Redis 7.0 and loaded by rdbobj from that RDB, answers every read command as Redis does
// after loading the same file, and gives the values Redis gave before saving.
func TestReadParity(t *testing.T) {
	for _, cfg := range configs {
		t.Run(cfg.name, func(t *testing.T) {
			readParity(t, append([]string{"--enable-debug-command", "yes"}, cfg.args...), cfg.apply)
		})
	}
}

func readParity(t *testing.T, serverArgs []string, apply func(*engine.Settings)) {
	o := enginetest.NewOracle(t, redistest.WithArgs(serverArgs...))
	for _, c := range fill() {
		if v := o.Do(c...); v.IsError() {
			t.Fatalf("redis: %s: %s", strings.Join(c, " "), v.String())
		}
	}
	keys := discover(t, o)
	require.Greater(t, len(keys), 40)
	before := map[string][]string{}
	for _, ki := range keys {
		before[ki.db+"/"+ki.key] = reads(o, ki, true)
	}

	require.Equal(t, "OK", o.Do("SAVE").String())
	path := filepath.Join(o.Srv.Dir, "dump.rdb")
	data, err := os.ReadFile(path)
	require.NoError(t, err)

	// The file decoded record by record holds the same keys (rdb's streaming decoder).
	d := rdb.NewDecoder(bytes.NewReader(data), nil)
	n := 0
	for d.Next() {
		if d.Kind() == rdb.RecKeyBegin {
			n++
		}
	}
	require.NoError(t, d.Err())
	require.Equal(t, len(keys), n)

	// Load keeps quicklist nodes as stored; LoadInto rebuilds them from the decoder's
	// records. Both must give Redis's answers.
	for _, mode := range []string{"Load", "LoadInto"} {
		t.Run(mode, func(t *testing.T) {
			// Redis reloads the very file it wrote (afresh for each mode: some reads
			// change a value's encoding, PFCOUNT unsharing an embstr HLL as raw).
			require.Equal(t, "OK", o.Do("DEBUG", "RELOAD", "NOSAVE").String())
			encs := map[string]bool{}
			for _, ki := range keys {
				o.Do("SELECT", ki.db)
				encs[ki.typ+"/"+string(o.Do("OBJECT", "ENCODING", ki.key).Str)] = true
			}
			o.Do("SELECT", "0")
			for _, e := range wantEncodings {
				require.True(t, encs[e], "the dataset has no %s key (it has %v)", e, encs)
			}
			h := enginetest.New(t, families()...)
			h.RealClock()
			apply(&h.E.Set)
			h.E.Lock()
			var st *rdbobj.LoadStats
			var err error
			if mode == "Load" {
				st, err = rdbobj.Load(h.E, bytes.NewReader(data), nil, nil)
			} else {
				st, err = rdbobj.LoadInto(h.E, rdb.NewDecoder(bytes.NewReader(data), &rdb.Options{AllowEmptyKeys: true}), nil)
			}
			h.E.Unlock()
			require.NoError(t, err)
			require.Equal(t, int64(len(keys)), st.Keys)
			require.Equal(t, rdb.ChecksumVerified, st.Checksum.Status)
			for _, ki := range keys {
				t.Run(ki.db+"/"+ki.key, func(t *testing.T) {
					w, g := reads(o, ki, false), reads(h, ki, false)
					require.Equal(t, len(w), len(g))
					for i := range w {
						if w[i] != g[i] {
							t.Errorf("after loading the RDB:\n  redis:    %.600s\n  redisctl: %.600s", w[i], g[i])
						}
					}
					vb, vg := before[ki.db+"/"+ki.key], reads(h, ki, true)
					for i := range vb {
						if vb[i] != vg[i] {
							t.Errorf("against the key as written, before SAVE:\n  redis:    %.600s\n  redisctl: %.600s", vb[i], vg[i])
						}
					}
				})
			}
		})
	}
}
