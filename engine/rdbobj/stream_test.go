package rdbobj_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/redisctl/redisctl/engine/rdbobj"
	"github.com/redisctl/redisctl/rdb/crc64"
	"github.com/redisctl/redisctl/resp"
	"github.com/stretchr/testify/require"
)

// streamScript builds streams of every shape on a side: one node and many, same-fields
// and own-fields entries, tombstones (XDEL), trimmed nodes, LZF-sized listpacks, groups
// with and without consumers, int-encoded and long (LZF) group and consumer names, PELs
// filled by XREADGROUP, moved by XCLAIM (with TIME and RETRYCOUNT), acknowledged,
// consumers created and deleted, XSETID metadata, an empty stream with groups.
func streamScript(rng *splitmix) [][]string {
	var cmds [][]string
	add := func(args ...string) { cmds = append(cmds, args) }
	add("XADD", "st:one", "1-1", "a", "1", "b", "2")
	add("XADD", "st:one", "1-2", "a", "3", "b", "4")
	add("XADD", "st:one", "2-0", "c", "x")
	add("XADD", "st:one", "2-1", "a", "-9223372036854775808", "b", "")

	for i := 1; i <= 260; i++ {
		ms := strconv.Itoa(1000 + i/3)
		seq := strconv.Itoa(i % 3)
		if i%7 == 0 {
			add("XADD", "st:big", ms+"-"+seq, "f", strconv.Itoa(i), "g", rng.hex(30))
		} else {
			add("XADD", "st:big", ms+"-"+seq, "name", "item-"+strconv.Itoa(i), "payload", strings.Repeat("p", i%50))
		}
	}
	add("XDEL", "st:big", "1001-0", "1001-2", "1040-1", "1080-2", "1080-1")
	add("XTRIM", "st:big", "MINID", "1010")

	add("XADD", "st:huge", "5-0", "field", strings.Repeat("h", 5000))
	add("XADD", "st:huge", "6-0", "field", rng.bytes(300), rng.bytes(20), "v")
	add("XADD", "st:huge", "7-0", "f", "v")

	add("XADD", "st:grp", "10-0", "k", "v")
	add("XADD", "st:grp", "11-0", "k", "w")
	add("XGROUP", "CREATE", "st:grp", "g1", "0")
	add("XGROUP", "CREATE", "st:grp", "7", "$")
	add("XGROUP", "CREATE", "st:grp", "", "10-0", "ENTRIESREAD", "1")
	add("XGROUP", "CREATE", "st:grp", strings.Repeat("group", 10), "0")

	add("XGROUP", "CREATE", "st:empty", "g", "$", "MKSTREAM")
	add("XADD", "st:del", "1-1", "a", "b")
	add("XADD", "st:del", "1-2", "a", "c")
	add("XDEL", "st:del", "1-1", "1-2")
	add("XGROUP", "CREATE", "st:del", "g", "0")
	add("XADD", "st:setid", "3-3", "x", "y")
	add("XSETID", "st:setid", "9-9", "ENTRIESADDED", "40", "MAXDELETEDID", "8-0")

	for i := 1; i <= 30; i++ {
		add("XADD", "st:pel", "100-"+strconv.Itoa(i), "n", strconv.Itoa(i))
	}
	add("XGROUP", "CREATE", "st:pel", "g", "0")
	add("XGROUP", "CREATE", "st:pel", "h", "100-5")
	add("XREADGROUP", "GROUP", "g", "alice", "COUNT", "5", "STREAMS", "st:pel", ">")
	add("XREADGROUP", "GROUP", "g", "1", "COUNT", "4", "STREAMS", "st:pel", ">")
	add("XREADGROUP", "GROUP", "g", strings.Repeat("consumer", 5), "COUNT", "3", "STREAMS", "st:pel", ">")
	add("XREADGROUP", "GROUP", "h", "bob", "STREAMS", "st:pel", ">")
	add("XREADGROUP", "GROUP", "g", "alice", "NOACK", "COUNT", "2", "STREAMS", "st:pel", ">")
	add("XACK", "st:pel", "g", "100-2", "100-7")
	add("XCLAIM", "st:pel", "g", "carol", "0", "100-1", "100-3", "TIME", "1700000000000", "RETRYCOUNT", "5")
	add("XCLAIM", "st:pel", "g", "dave", "0", "100-25", "TIME", "1600000000000", "FORCE", "JUSTID")
	add("XGROUP", "CREATECONSUMER", "st:pel", "g", "idle-one")
	add("XGROUP", "DELCONSUMER", "st:pel", "h", "bob")
	add("XGROUP", "CREATECONSUMER", "st:pel", "h", "erin")
	add("XDEL", "st:pel", "100-4", "100-9")
	add("XAUTOCLAIM", "st:pel", "g", "frank", "0", "100-10", "COUNT", "2")
	return cmds
}

var streamKeys = []string{"st:one", "st:big", "st:huge", "st:grp", "st:empty", "st:del", "st:setid", "st:pel"}

// maskStreamTimes zeroes a stream payload's time fields and drops its CRC, returning the
// times it found.
func maskStreamTimes(t *testing.T, p []byte) ([]byte, []int64) {
	t.Helper()
	offs, err := rdbobj.StreamTimeOffsets(p)
	require.NoError(t, err, "payload %x", trunc(p))
	out := bytes.Clone(p[:len(p)-8])
	var times []int64
	for _, o := range offs {
		times = append(times, int64(binary.LittleEndian.Uint64(out[o:])))
		binary.LittleEndian.PutUint64(out[o:], 0)
	}
	return out, times
}

// compareStreamDump requires the same DUMP bytes on both sides, time fields apart (they
// must be within a few seconds of each other).
func compareStreamDump(t *testing.T, ours, redis dumper, key string) (mine, theirs []byte) {
	t.Helper()
	g, w := ours.Do("DUMP", key), redis.Do("DUMP", key)
	require.False(t, w.IsNull(), "redis has no %s", key)
	require.False(t, g.IsNull(), "we have no %s", key)
	mine, theirs = g.Str, w.Str
	mm, mt := maskStreamTimes(t, mine)
	tm, tt := maskStreamTimes(t, theirs)
	if !bytes.Equal(mm, tm) {
		t.Errorf("DUMP %s:\n  redis:    %x\n  redisctl: %x", key, trunc(tm), trunc(mm))
		return
	}
	for i := range mt {
		if d := mt[i] - tt[i]; d < -10000 || d > 10000 {
			t.Errorf("DUMP %s: time field %d: redis %d, ours %d", key, i, tt[i], mt[i])
		}
	}
	return mine, theirs
}

// maskIdle zeroes what depends on the instant of the call: the idle and inactive fields
// of XINFO CONSUMERS and the idle time of XPENDING's extended form.
func maskIdle(v resp.Value) resp.Value {
	if len(v.Elems) == 0 {
		return v
	}
	v.Elems = append([]resp.Value(nil), v.Elems...)
	if len(v.Elems) == 4 && v.Elems[2].Type == resp.TypeInteger && bytes.IndexByte(v.Elems[0].Str, '-') > 0 &&
		v.Elems[1].Type == resp.TypeBulk {
		v.Elems[2].Int = 0 // XPENDING extended: id, consumer, idle, count
	}
	for i := range v.Elems {
		if i+1 < len(v.Elems) && (string(v.Elems[i].Str) == "idle" || string(v.Elems[i].Str) == "inactive") &&
			v.Elems[i+1].Type == resp.TypeInteger {
			v.Elems[i+1].Int = 0
		}
		v.Elems[i] = maskIdle(v.Elems[i])
	}
	return v
}

// streamView is every read of a stream key, rendered (instants masked).
func streamView(c dumper, key string) string {
	var sb strings.Builder
	q := func(args ...string) {
		sb.WriteString(strings.Join(args, " "))
		sb.WriteString(" => ")
		sb.WriteString(maskIdle(c.Do(args...)).String())
		sb.WriteString("\n")
	}
	q("TYPE", key)
	q("OBJECT", "ENCODING", key)
	q("XLEN", key)
	q("XRANGE", key, "-", "+")
	q("XREVRANGE", key, "+", "-", "COUNT", "3")
	q("XINFO", "STREAM", key)
	q("XINFO", "STREAM", key, "FULL")
	q("XINFO", "STREAM", key, "FULL", "COUNT", "2")
	q("MEMORY", "USAGE", key)
	groups := c.Do("XINFO", "GROUPS", key)
	q("XINFO", "GROUPS", key)
	for _, g := range groups.Elems {
		for i := 0; i+1 < len(g.Elems); i += 2 {
			if string(g.Elems[i].Str) == "name" {
				name := string(g.Elems[i+1].Str)
				q("XINFO", "CONSUMERS", key, name)
				q("XPENDING", key, name)
				q("XPENDING", key, name, "-", "+", "100")
			}
		}
	}
	return sb.String()
}

func TestStreamDumpAgainstRedis(t *testing.T) {
	for _, compress := range []bool{true, false} {
		t.Run("rdbcompression="+strconv.FormatBool(compress), func(t *testing.T) {
			d := newDuo(t)
			setCompression(t, compress)
			if !compress {
				d.o.Do("CONFIG", "SET", "rdbcompression", "no")
			}
			rng := splitmix(7)
			for _, c := range streamScript(&rng) {
				// XREADGROUP/XCLAIM/XAUTOCLAIM replies hold the entries; compare them all.
				d.both(c...)
			}
			for _, key := range streamKeys {
				mine, theirs := compareStreamDump(t, d.h, d.o, key)
				if mine == nil {
					continue
				}
				// Each payload, ours and Redis's, is RESTOREd on both sides, which must then
				// answer every read alike.
				dst := key + ":x"
				for _, p := range [][]byte{mine, theirs} {
					require.Equal(t, "OK", d.o.Do("RESTORE", dst, "0", string(p), "REPLACE").String(), "redis RESTORE of %s", key)
					require.Equal(t, "OK", d.h.Do("RESTORE", dst, "0", string(p), "REPLACE").String(), "our RESTORE of %s", key)
					if dl := diffLines(streamView(d.o, dst), streamView(d.h, dst)); dl != "" {
						t.Errorf("after RESTORE of %s:\n%s", key, dl)
					}
				}
				// Redis's original and our copy restored from its payload answer alike
				// (MEMORY USAGE apart: a restored tail node is no longer preallocated).
				w0 := strings.ReplaceAll(streamView(d.o, key), key+" ", dst+" ")
				if dl := diffLines(dropLine(w0, "MEMORY"), dropLine(streamView(d.h, dst), "MEMORY")); dl != "" {
					t.Errorf("our RESTORE of %s differs from Redis's original:\n%s", key, dl)
				}
				compareStreamDump(t, d.h, d.o, dst)
			}
		})
	}
}

// TestStreamDumpExactBytes: streams without consumers hold no instants, so their DUMP is
// compared byte for byte, CRC included.
func TestStreamDumpExactBytes(t *testing.T) {
	d := newDuo(t)
	rng := splitmix(9)
	for _, c := range streamScript(&rng) {
		d.both(c...)
	}
	for _, key := range []string{"st:one", "st:big", "st:huge", "st:grp", "st:empty", "st:del", "st:setid"} {
		g, w := d.h.Do("DUMP", key), d.o.Do("DUMP", key)
		require.Equal(t, w.Str, g.Str, "DUMP %s", key)
	}
}

// downgrade rewrites a type-19 stream payload as type 15 (Redis 5/6: no first ID, max
// deleted ID, entries added, nor group entries_read) with RDB version 9.
func downgrade(t *testing.T, p []byte) []byte {
	t.Helper()
	out, err := rdbobj.ConvertStreamPayload(p, 15)
	require.NoError(t, err)
	return out
}

func TestRestoreStreamV1AgainstRedis(t *testing.T) {
	d := newDuo(t)
	rng := splitmix(11)
	for _, c := range streamScript(&rng) {
		d.both(c...)
	}
	for _, key := range streamKeys {
		p := downgrade(t, d.o.Do("DUMP", key).Str)
		dst := key + ":v1"
		require.Equal(t, "OK", d.o.Do("RESTORE", dst, "0", string(p)).String(), "redis RESTORE v1 %s", key)
		require.Equal(t, "OK", d.h.Do("RESTORE", dst, "0", string(p)).String(), "our RESTORE v1 %s", key)
		if dl := diffLines(streamView(d.o, dst), streamView(d.h, dst)); dl != "" {
			t.Errorf("after RESTORE of a v1 %s:\n%s", key, dl)
		}
		compareStreamDump(t, d.h, d.o, dst)
	}
}

// crcFix recomputes a DUMP payload's CRC.
func crcFix(p []byte) []byte {
	p = bytes.Clone(p)
	binary.LittleEndian.PutUint64(p[len(p)-8:], crc64.Update(0, p[:len(p)-8]))
	return p
}

// editStream damages a payload (see rdbobj.EditStreamPayload).
func editStream(t *testing.T, p []byte, op string) []byte {
	t.Helper()
	out, err := rdbobj.EditStreamPayload(p, op)
	require.NoError(t, err, op)
	return out
}

// TestRestoreDamagedStreams: damaged stream payloads get Redis's reply, with and without
// sanitize-dump-payload. Damage that leaves Redis with a state it later crashes on
// (a PEL entry without consumer while not sanitizing) is only RESTOREd, not read.
func TestRestoreDamagedStreams(t *testing.T) {
	d := newDuo(t)
	rng := splitmix(13)
	for _, c := range streamScript(&rng) {
		d.both(c...)
	}
	d.o.Do("CONFIG", "SET", "rdbcompression", "no")
	setCompression(t, false)
	good := d.o.Do("DUMP", "st:pel").Str
	one := d.o.Do("DUMP", "st:one").Str
	ob := one[1 : len(one)-10]
	wrap := func(typ byte, b []byte) []byte {
		p := append([]byte{typ}, b...)
		p = append(p, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0)
		return crcFix(p)
	}
	require.Equal(t, byte(1), ob[0])
	require.Equal(t, byte(16), ob[1])
	cases := []struct {
		name    string
		payload []byte
		// lazyRedisOK: Redis answers OK without sanitizing (and would crash on a read),
		// we answer Bad data format.
		lazyRedisOK bool
	}{
		{name: "truncated after nodes", payload: wrap(19, ob[:len(ob)-6])},
		{name: "node key of 15 bytes", payload: wrap(19, append([]byte{1, 15}, ob[2:]...))},
		{name: "length without nodes", payload: editStream(t, one, "zero-nodes")},
		{name: "type 21 in RDB 10", payload: wrap(21, ob)},
		{name: "type 26", payload: wrap(26, ob)},
		{name: "trailing bytes ignored", payload: wrap(19, append(bytes.Clone(ob), 1, 2, 3))},
		{name: "node twice", payload: editStream(t, one, "dup-node")},
		{name: "group PEL entry twice", payload: editStream(t, good, "dup-pel")},
		{name: "consumer PEL entry not in the group", payload: editStream(t, good, "foreign-cpel")},
		{name: "group twice", payload: editStream(t, good, "dup-group")},
		{name: "consumer twice", payload: editStream(t, good, "dup-consumer")},
		// Redis takes these without sanitize-dump-payload and crashes on the first read;
		// we always refuse them (see rdbobj's streamDeep).
		{name: "PEL entry without consumer", payload: editStream(t, good, "orphan-pel"), lazyRedisOK: true},
		{name: "damaged entry lp-count", payload: editStream(t, one, "bad-lpcount"), lazyRedisOK: true},
		{name: "checksum", payload: append(bytes.Clone(good[:len(good)-1]), good[len(good)-1]^1)},
		{name: "version 11", payload: editStream(t, rdbobjConvert(t, good, 21), "dup-group")},
	}
	for _, sanitize := range []string{"no", "yes"} {
		d.o.Do("CONFIG", "SET", "sanitize-dump-payload", sanitize)
		d.h.E.Set.SanitizeDumpPayload = sanitize
		for i, c := range cases {
			key := "bad:" + strconv.Itoa(i)
			w := d.o.Do("RESTORE", key, "0", string(c.payload), "REPLACE").String()
			g := d.h.Do("RESTORE", key, "0", string(c.payload), "REPLACE").String()
			if c.lazyRedisOK && sanitize == "no" {
				require.Equal(t, "OK", w, c.name)
				w = "(error) ERR Bad data format"
			}
			if w != g {
				t.Errorf("sanitize %s, %s: redis %s, ours %s", sanitize, c.name, w, g)
			}
			if g == "OK" {
				if dl := diffLines(streamView(d.o, key), streamView(d.h, key)); dl != "" {
					t.Errorf("sanitize %s, %s:\n%s", sanitize, c.name, dl)
				}
			}
			d.o.Do("DEL", key)
			d.h.Do("DEL", key)
		}
	}
	require.Equal(t, "PONG", d.o.Do("PING").String())
}

func rdbobjConvert(t *testing.T, p []byte, typ byte) []byte {
	t.Helper()
	out, err := rdbobj.ConvertStreamPayload(p, typ)
	require.NoError(t, err)
	return out
}

// diffLines lists the lines that differ between two renderings ("" when equal).
func diffLines(want, got string) string {
	if want == got {
		return ""
	}
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var sb strings.Builder
	for i := 0; i < max(len(w), len(g)); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			fmt.Fprintf(&sb, "  line %d\n    redis:    %s\n    redisctl: %s\n", i, a, b)
		}
	}
	return sb.String()
}

// dropLine removes the command lines starting with prefix from a rendering.
func dropLine(s, prefix string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if !strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestStreamDumpRandom: seeded random stream histories (XADD with varying field sets,
// XDEL, XTRIM, groups, XREADGROUP, XACK, XCLAIM, consumer creation and deletion) on both
// sides, under default and tiny node limits; every key's DUMP must match Redis's (time
// fields masked) at regular checkpoints.
func TestStreamDumpRandom(t *testing.T) {
	for _, limits := range [][2]string{{"100", "4096"}, {"3", "120"}} {
		t.Run("entries="+limits[0]+",bytes="+limits[1], func(t *testing.T) {
			d := newDuo(t, "--stream-node-max-entries", limits[0], "--stream-node-max-bytes", limits[1])
			d.h.E.Set.StreamNodeMaxEntries, _ = strconv.Atoi(limits[0])
			d.h.E.Set.StreamNodeMaxBytes, _ = strconv.Atoi(limits[1])
			rng := splitmix(99)
			pick := func(n int) int { return int(rng.next() % uint64(n)) }
			keys := []string{"r:a", "r:b"}
			ms := map[string]int{}
			for i := 0; i < 600; i++ {
				k := keys[pick(len(keys))]
				switch op := pick(20); {
				case op < 9:
					ms[k] += pick(3)
					id := strconv.Itoa(ms[k]+1) + "-" + strconv.Itoa(i)
					args := []string{"XADD", k, id}
					switch pick(3) {
					case 0:
						args = append(args, "a", strconv.Itoa(i), "b", rng.hex(pick(30)))
					case 1:
						args = append(args, "a", strconv.Itoa(i))
					default:
						args = append(args, "x"+strconv.Itoa(pick(3)), strconv.Itoa(pick(100000)-50000), "z", "")
					}
					d.both(args...)
				case op < 11:
					d.both("XDEL", k, strconv.Itoa(pick(ms[k]+2))+"-"+strconv.Itoa(pick(i+1)))
				case op < 12:
					d.both("XTRIM", k, "MAXLEN", strconv.Itoa(5+pick(40)))
				case op < 13:
					d.both("XGROUP", "CREATE", k, "g"+strconv.Itoa(pick(3)), "0", "MKSTREAM")
				case op < 16:
					d.both("XREADGROUP", "GROUP", "g"+strconv.Itoa(pick(3)), "c"+strconv.Itoa(pick(4)), "COUNT", strconv.Itoa(1+pick(4)), "STREAMS", k, ">")
				case op < 17:
					d.both("XACK", k, "g"+strconv.Itoa(pick(3)), strconv.Itoa(pick(ms[k]+2))+"-"+strconv.Itoa(pick(i+1)))
				case op < 18:
					d.both("XAUTOCLAIM", k, "g"+strconv.Itoa(pick(3)), "c"+strconv.Itoa(pick(4)), "0", "0", "COUNT", "2", "JUSTID")
				case op < 19:
					d.both("XGROUP", "DELCONSUMER", k, "g"+strconv.Itoa(pick(3)), "c"+strconv.Itoa(pick(4)))
				default:
					d.both("XGROUP", "CREATECONSUMER", k, "g"+strconv.Itoa(pick(3)), "c"+strconv.Itoa(pick(6)))
				}
				if i%60 == 59 {
					for _, k := range keys {
						if d.o.Do("EXISTS", k).Int == 1 {
							compareStreamDump(t, d.h, d.o, k)
						}
					}
				}
			}
			for _, k := range keys {
				require.Greater(t, d.o.Do("XLEN", k).Int, int64(10), k)
				require.NotZero(t, d.o.Do("XPENDING", k, "g1").Elems[0].Int, k)
			}
		})
	}
}
