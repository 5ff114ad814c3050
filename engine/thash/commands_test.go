package thash_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/engine/thash"
	"github.com/redisctl/redisctl/engine/tstring"
	"github.com/redisctl/redisctl/rdb/listpack"
	"github.com/redisctl/redisctl/resp"
	"github.com/stretchr/testify/require"
)

func newHarness(t testing.TB) *enginetest.Harness {
	return enginetest.New(t, thash.Commands(), tstring.Commands())
}

func obj(t testing.TB, h *enginetest.Harness, key string) *engine.Object {
	t.Helper()
	e := h.E.DB(0).Keys().Get(key)
	require.NotNil(t, e, "key %q", key)
	return &e.Value
}

// TestHashCommands is a table of replies that need no real server.
func TestHashCommands(t *testing.T) {
	h := newHarness(t)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"HSET", "h", "f", "v", "n", "12"}, "(integer) 2"},
		{[]string{"HSET", "h", "f", "w"}, "(integer) 0"},
		{[]string{"HMSET", "h", "a", "1"}, "OK"},
		{[]string{"HSET", "h", "a"}, "(error) ERR wrong number of arguments for 'hset' command"},
		{[]string{"HMSET", "h", "a", "1", "b"}, "(error) ERR wrong number of arguments for 'hmset' command"},
		{[]string{"HGET", "h", "f"}, `"w"`},
		{[]string{"HGET", "h", "n"}, `"12"`},
		{[]string{"HGET", "h", "zz"}, "(nil)"},
		{[]string{"HGET", "nope", "f"}, "(nil)"},
		{[]string{"HMGET", "h", "f", "zz", "n"}, "1) \"w\"\n2) (nil)\n3) \"12\""},
		{[]string{"HMGET", "nope", "f"}, "1) (nil)"},
		{[]string{"HLEN", "h"}, "(integer) 3"},
		{[]string{"HSTRLEN", "h", "n"}, "(integer) 2"},
		{[]string{"HEXISTS", "h", "a"}, "(integer) 1"},
		{[]string{"HEXISTS", "h", "b"}, "(integer) 0"},
		{[]string{"HSETNX", "h", "a", "2"}, "(integer) 0"},
		{[]string{"HSETNX", "h", "b", "2"}, "(integer) 1"},
		{[]string{"HKEYS", "h"}, "1) \"f\"\n2) \"n\"\n3) \"a\"\n4) \"b\""},
		{[]string{"HVALS", "h"}, "1) \"w\"\n2) \"12\"\n3) \"1\"\n4) \"2\""},
		{[]string{"HINCRBY", "h", "n", "-20"}, "(integer) -8"},
		{[]string{"HINCRBY", "h", "f", "1"}, "(error) ERR hash value is not an integer"},
		{[]string{"HINCRBY", "h", "n", "x"}, "(error) ERR value is not an integer or out of range"},
		{[]string{"HINCRBY", "h", "n", "-9223372036854775808"}, "(error) ERR increment or decrement would overflow"},
		{[]string{"HINCRBYFLOAT", "h", "n", "0.5"}, `"-7.5"`},
		{[]string{"HINCRBYFLOAT", "h", "f", "1"}, "(error) ERR hash value is not a float"},
		{[]string{"HINCRBYFLOAT", "h", "n", "inf"}, "(error) ERR value is NaN or Infinity"},
		{[]string{"HINCRBYFLOAT", "h", "n", "x"}, "(error) ERR value is not a valid float"},
		{[]string{"HDEL", "h", "a", "b", "zz"}, "(integer) 2"},
		{[]string{"HDEL", "nope", "a"}, "(integer) 0"},
		{[]string{"HRANDFIELD", "nope"}, "(nil)"},
		{[]string{"HRANDFIELD", "nope", "3"}, "(empty array)"},
		{[]string{"HRANDFIELD", "h", "0"}, "(empty array)"},
		{[]string{"HRANDFIELD", "h", "1", "WITHVALUES", "x"}, "(error) ERR syntax error"},
		{[]string{"HRANDFIELD", "h", "-9223372036854775808"}, "(error) ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"},
		{[]string{"HRANDFIELD", "h", "4611686018427387904", "WITHVALUES"}, "(error) ERR value is out of range"},
		{[]string{"HSCAN", "h", "x"}, "(error) ERR invalid cursor"},
		{[]string{"HSCAN", "nope", "0"}, "1) \"0\"\n2) (empty array)"},
		{[]string{"HSCAN", "h", "0", "COUNT", "0"}, "(error) ERR syntax error"},
		{[]string{"HSCAN", "h", "5", "MATCH", "f*"}, "1) \"0\"\n2) 1) \"f\"\n   2) \"w\""},
		{[]string{"SET", "s", "x"}, "OK"},
		{[]string{"HGET", "s", "f"}, "(error) " + engine.ErrWrongType},
		{[]string{"HSET", "s", "f", "v"}, "(error) " + engine.ErrWrongType},
		{[]string{"HSCAN", "s", "0", "COUNT", "0"}, "(error) " + engine.ErrWrongType},
		{[]string{"HMGET", "s", "f"}, "(error) " + engine.ErrWrongType},
		{[]string{"HDEL", "h", "f", "n"}, "(integer) 2"},
		{[]string{"EXISTS", "h"}, "(integer) 0"},
	}
	for _, c := range cases {
		require.Equal(t, c.want, h.Text(c.args...), "%v", c.args)
	}
}

// TestHashRESP3 checks the RESP3 shapes: HGETALL is a map, HRANDFIELD WITHVALUES nests pairs.
func TestHashRESP3(t *testing.T) {
	h := newHarness(t)
	h.SetProto(3)
	h.Do("HSET", "h", "a", "1", "b", "2")
	v := h.Do("HGETALL", "h")
	require.Equal(t, resp.TypeMap, v.Type)
	require.Len(t, v.Elems, 4)
	require.Equal(t, resp.TypeMap, h.Do("HGETALL", "nope").Type)
	require.Equal(t, resp.TypeArray, h.Do("HKEYS", "nope").Type)
	for _, count := range []string{"1", "2", "5", "-3"} {
		v = h.Do("HRANDFIELD", "h", count, "WITHVALUES")
		require.Equal(t, resp.TypeArray, v.Type)
		for _, e := range v.Elems {
			require.Equal(t, resp.TypeArray, e.Type, "count %s", count)
			require.Len(t, e.Elems, 2)
		}
	}
	require.Equal(t, resp.TypeNull, h.Do("HRANDFIELD", "nope").Type)
	require.Equal(t, resp.TypeNull, h.Do("HGET", "h", "zz").Type)
}

// TestHashPropagationAndEvents checks what the engine propagates and notifies.
func TestHashPropagationAndEvents(t *testing.T) {
	h := newHarness(t)
	rec := &recorder{}
	h.E.SetPropagator(rec)
	flags, _ := engine.ParseNotifyFlags("EA")
	h.E.Set.NotifyKeyspaceEvent = flags
	var events []string
	h.E.NotifyHook = func(_ int, event string, key []byte, _ int) { events = append(events, event+" "+string(key)) }

	h.Do("HINCRBYFLOAT", "h", "f", "1.10")
	require.Equal(t, []string{`"HSET" "h" "f" "1.1"`}, rec.take())
	require.Equal(t, []string{"hincrbyfloat h"}, events)
	events = nil

	h.Do("HSETNX", "h", "f", "x") // no-op: nothing propagated, no event
	require.Empty(t, rec.take())
	require.Empty(t, events)

	h.Do("HDEL", "h", "zz")
	require.Empty(t, rec.take())

	d := h.E.Dirty
	h.Do("HSET", "h", "a", "1", "a", "2")
	require.Equal(t, d+2, h.E.Dirty, "HSET counts every pair, as Redis's dirty += (argc-2)/2")
	require.Equal(t, []string{`"HSET" "h" "a" "1" "a" "2"`}, rec.take())

	h.Do("HDEL", "h", "a", "f")
	require.Equal(t, []string{"hset h", "hdel h", "del h"}, events)
	require.Equal(t, []string{`"HDEL" "h" "a" "f"`}, rec.take())
}

type recorder struct{ cmds []string }

func (r *recorder) Propagate(_ int, args [][]byte) { r.cmds = append(r.cmds, joinArgs(args)) }

func (r *recorder) take() []string {
	c := r.cmds
	r.cmds = nil
	return c
}

// TestHashEncodingMoments checks the conversions without a real server.
func TestHashEncodingMoments(t *testing.T) {
	h := newHarness(t)
	h.E.Set.HashMaxListpackEntries = 3
	h.E.Set.HashMaxListpackValue = 4
	h.Do("HSET", "h", "a", "1", "b", "2", "c", "3")
	require.Equal(t, engine.EncListpack, obj(t, h, "h").Encoding())
	h.Do("HSET", "h", "d", "4")
	require.Equal(t, engine.EncHashtable, obj(t, h, "h").Encoding())
	h.Do("HDEL", "h", "a", "b", "c")
	require.Equal(t, engine.EncHashtable, obj(t, h, "h").Encoding(), "never converted back")

	h.Do("HSETNX", "x", "f", "v")
	h.Do("HSETNX", "x", "f", "toolong") // the field exists: no conversion
	require.Equal(t, engine.EncListpack, obj(t, h, "x").Encoding())
	h.Do("HINCRBYFLOAT", "x", "n", "1.25") // "1.25" is 4 bytes: fits
	require.Equal(t, engine.EncListpack, obj(t, h, "x").Encoding())
	h.Do("HINCRBYFLOAT", "x", "n", "0.001") // "1.251" is 5 bytes: hashTypeSet converts
	require.Equal(t, engine.EncHashtable, obj(t, h, "x").Encoding())
}

func TestListpackBytesAndInts(t *testing.T) {
	h := newHarness(t)
	h.Do("HSET", "h", "1", "-1", "f", "123456789012")
	lp, ok := thash.Listpack(obj(t, h, "h"))
	require.True(t, ok)
	n, err := listpack.Validate(lp)
	require.NoError(t, err)
	require.Equal(t, 4, n)
	_, v, isInt := listpack.Get(lp, listpack.First(lp))
	require.True(t, isInt, "integer-looking fields are stored as listpack integers")
	require.Equal(t, int64(1), v)
	require.Equal(t, `"123456789012"`, h.Text("HGET", "h", "f"))
	require.Equal(t, "(integer) 12", h.Text("HSTRLEN", "h", "f"))
	require.Equal(t, "(integer) 2", h.Text("HSTRLEN", "h", "1"))
}

func TestRangeAndFields(t *testing.T) {
	h := newHarness(t)
	h.Do("HSET", "h", "b", "1", "a", "x", "7", "y")
	require.Equal(t, [][]byte{[]byte("b"), []byte("1"), []byte("a"), []byte("x"), []byte("7"), []byte("y")},
		thash.Fields(obj(t, h, "h")), "listpack order")
	n := 0
	thash.Range(obj(t, h, "h"), func(f, v []byte) bool { n++; return false })
	require.Equal(t, 1, n, "Range stops when fn returns false")

	h.E.Set.HashMaxListpackEntries = 1
	h.Do("HSET", "g", "a", "1", "b", "2")
	o := obj(t, h, "g")
	require.Equal(t, engine.EncHashtable, o.Encoding())
	got := map[string]string{}
	thash.Range(o, func(f, v []byte) bool { got[string(f)] = string(v); return true })
	require.Equal(t, map[string]string{"a": "1", "b": "2"}, got)
	require.Equal(t, 2, thash.Len(o))
}

func TestDupIsDeep(t *testing.T) {
	h := newHarness(t)
	for _, entries := range []int{512, 1} {
		h.E.Set.HashMaxListpackEntries = entries
		h.Do("DEL", "h")
		h.Do("HSET", "h", "a", "1", "b", "2")
		c := thash.Dup(obj(t, h, "h"))
		h.Do("HSET", "h", "a", "changed")
		h.Do("HDEL", "h", "b")
		require.Equal(t, [][]byte{[]byte("a"), []byte("1"), []byte("b"), []byte("2")}, sortedPairs(thash.Fields(&c)))
		require.Equal(t, obj(t, h, "h").Encoding(), c.Encoding())
	}
}

func sortedPairs(p [][]byte) [][]byte {
	type kv struct{ k, v []byte }
	var kvs []kv
	for i := 0; i < len(p); i += 2 {
		kvs = append(kvs, kv{p[i], p[i+1]})
	}
	for i := range kvs {
		for j := i + 1; j < len(kvs); j++ {
			if string(kvs[j].k) < string(kvs[i].k) {
				kvs[i], kvs[j] = kvs[j], kvs[i]
			}
		}
	}
	out := make([][]byte, 0, len(p))
	for _, e := range kvs {
		out = append(out, e.k, e.v)
	}
	return out
}

// TestBuilder checks RDB-load style construction against HSET-built hashes.
func TestBuilder(t *testing.T) {
	s := engine.DefaultSettings()
	h := newHarness(t)
	args := []string{"HSET", "h"}
	b := thash.NewBuilder(&s, 20)
	for i := 0; i < 20; i++ {
		f, v := fmt.Sprintf("f%d", i), fmt.Sprint(i*1000)
		args = append(args, f, v)
		require.NoError(t, b.Add([]byte(f), []byte(v)))
	}
	h.Do(args...)
	o := b.Object()
	want, _ := thash.Listpack(obj(t, h, "h"))
	got, ok := thash.Listpack(&o)
	require.True(t, ok)
	require.Equal(t, want, got, "a built listpack is byte-identical to an HSET-built one")

	// Duplicates are refused in both encodings.
	b = thash.NewBuilder(&s, 3)
	require.NoError(t, b.Add([]byte("a"), []byte("1")))
	require.ErrorIs(t, b.Add([]byte("a"), []byte("2")), thash.ErrDuplicate)
	b = thash.NewBuilder(&s, 600)
	require.NoError(t, b.Add([]byte("a"), []byte("1")))
	require.ErrorIs(t, b.Add([]byte("a"), []byte("2")), thash.ErrDuplicate)

	// A lying length: more pairs than declared still convert at the threshold, and a
	// duplicate is found in a large listpack too.
	b = thash.NewBuilder(&s, 2)
	for i := 0; i < 513; i++ {
		require.NoError(t, b.Add([]byte(fmt.Sprint("k", i)), []byte("v")))
		if i == 100 {
			require.ErrorIs(t, b.Add([]byte("k7"), []byte("v")), thash.ErrDuplicate)
		}
	}
	o = b.Object()
	require.Equal(t, engine.EncHashtable, o.Encoding())
	require.Equal(t, 513, thash.Len(&o))

	// Over the entry threshold: a hashtable presized for the declared length.
	b = thash.NewBuilder(&s, 600)
	for i := 0; i < 600; i++ {
		require.NoError(t, b.Add([]byte(fmt.Sprint("k", i)), []byte("v")))
	}
	o = b.Object()
	require.Equal(t, engine.EncHashtable, o.Encoding())
	require.Equal(t, 16+56+8*1024+600*(8+8+24), thash.MemoryUsage(nil, &o, 1<<62))

	// A long value converts in the middle; the dict is then presized for the rest.
	b = thash.NewBuilder(&s, 10)
	require.NoError(t, b.Add([]byte("a"), []byte("1")))
	require.NoError(t, b.Add([]byte("long"), []byte(strings.Repeat("x", 65))))
	for i := 0; i < 8; i++ {
		require.NoError(t, b.Add([]byte(fmt.Sprint("k", i)), []byte("v")))
	}
	o = b.Object()
	require.Equal(t, engine.EncHashtable, o.Encoding())
	require.Equal(t, 10, thash.Len(&o))
}

func TestFromListpack(t *testing.T) {
	s := engine.DefaultSettings()
	lp := listpack.New()
	for _, e := range []string{"a", "1", "b", strings.Repeat("x", 100)} {
		lp = listpack.Append(lp, []byte(e))
	}
	o, err := thash.FromListpack(&s, append([]byte(nil), lp...), true)
	require.NoError(t, err)
	require.Equal(t, engine.EncListpack, o.Encoding(), "long values stay in a loaded listpack, as in 7.0.15")
	require.Equal(t, 2, thash.Len(&o))

	_, err = thash.FromListpack(&s, listpack.Append(append([]byte(nil), lp...), []byte("odd")), false)
	require.ErrorIs(t, err, thash.ErrBadListpack)

	dup := listpack.Append(listpack.Append(append([]byte(nil), lp...), []byte("a")), []byte("2"))
	_, err = thash.FromListpack(&s, append([]byte(nil), dup...), true)
	require.ErrorIs(t, err, thash.ErrDuplicate)
	_, err = thash.FromListpack(&s, dup, false)
	require.NoError(t, err, "duplicates are only looked for in deep mode")

	bad := append([]byte(nil), lp...)
	bad[len(bad)-1] = 0x00 // no terminator
	_, err = thash.FromListpack(&s, bad, false)
	require.ErrorIs(t, err, thash.ErrBadListpack)
	_, err = thash.FromListpack(&s, []byte{1, 2}, false)
	require.ErrorIs(t, err, thash.ErrBadListpack)

	s.HashMaxListpackEntries = 1
	o, err = thash.FromListpack(&s, append([]byte(nil), lp...), false)
	require.NoError(t, err)
	require.Equal(t, engine.EncHashtable, o.Encoding())
	require.Equal(t, 2, thash.Len(&o))
}

func TestFitsListpack(t *testing.T) {
	s := engine.DefaultSettings()
	require.True(t, thash.FitsListpackLen(&s, 512))
	require.False(t, thash.FitsListpackLen(&s, 513))
	require.True(t, thash.FitsListpackValue(&s, make([]byte, 64)))
	require.False(t, thash.FitsListpackValue(&s, make([]byte, 65)))
	require.True(t, thash.FitsListpack(&s, [][]byte{[]byte("a"), make([]byte, 64)}))
	require.False(t, thash.FitsListpack(&s, [][]byte{[]byte("a"), make([]byte, 65)}))
}

// TestHRandFieldDistribution checks that every case of HRANDFIELD picks fields uniformly
// (loose bounds, fixed sample sizes) and that positive counts never repeat.
func TestHRandFieldDistribution(t *testing.T) {
	h := newHarness(t)
	for _, c := range []struct {
		name          string
		size, count   int
		entries, reps int
	}{
		{"listpack case1", 10, -20, 512, 500},
		{"listpack case3", 10, 6, 512, 1000},
		{"listpack case4", 30, 5, 512, 1200},
		{"hashtable case1", 10, -20, 1, 500},
		{"hashtable case3", 10, 6, 1, 1000},
		{"hashtable case4", 30, 5, 1, 1200},
		{"listpack single", 10, 1, 512, 5000},
	} {
		t.Run(c.name, func(t *testing.T) {
			h.E.Set.HashMaxListpackEntries = c.entries
			h.Do("DEL", "r")
			args := []string{"HSET", "r"}
			for i := 0; i < c.size; i++ {
				args = append(args, fmt.Sprint("f", i), fmt.Sprint(i))
			}
			h.Do(args...)
			hits := map[string]int{}
			total := 0
			for r := 0; r < c.reps; r++ {
				v := h.Do("HRANDFIELD", "r", fmt.Sprint(c.count), "WITHVALUES")
				seen := map[string]bool{}
				for i := 0; i < len(v.Elems); i += 2 {
					f, val := string(v.Elems[i].Str), string(v.Elems[i+1].Str)
					require.Equal(t, "f"+val, f)
					if c.count > 0 {
						require.False(t, seen[f], "repeated %s", f)
					}
					seen[f] = true
					hits[f]++
					total++
				}
			}
			require.Len(t, hits, c.size)
			mean := float64(total) / float64(c.size)
			// dictGetFairRandomKey is only roughly fair (it samples runs of buckets), in
			// Redis as here, and how fair depends on the bucket layout, which the
			// process's hash seed sets: case 4 picks with it one field at a time, and over
			// 150 test processes its fields were picked 0.38-1.64 times the mean (the
			// other cases 0.78-1.23). The bounds catch a picker that skips or favours
			// fields, not the layout's bias.
			lo, hi := 0.7, 1.3
			if c.entries == 1 && c.count > 0 && c.count*3 < c.size {
				lo, hi = 0.25, 2.5
			}
			for f, n := range hits {
				r := float64(n) / mean
				require.True(t, r >= lo && r <= hi, "field %s picked %d times (mean %.0f)", f, n, mean)
			}
		})
	}
}

// TestHScanHashtable walks a hashtable with small COUNTs and checks completeness.
func TestHScanHashtable(t *testing.T) {
	h := newHarness(t)
	args := []string{"HSET", "h"}
	for i := 0; i < 1000; i++ {
		args = append(args, fmt.Sprint("f", i), fmt.Sprint(i))
	}
	h.Do(args...)
	got := scanAll(t, func(a ...string) []string { return bulkStrings(h.Do(a...)) }, []string{"COUNT", "3"})
	require.Len(t, got, 1000)
	for f, v := range got {
		require.Equal(t, "f"+v, f)
	}
	got = scanAll(t, func(a ...string) []string { return bulkStrings(h.Do(a...)) }, []string{"MATCH", "f99*"})
	require.Len(t, got, 11)
}

// TestHashAllocs pins the hot paths: reads allocate nothing, listpack writes of existing
// fields allocate nothing.
func TestHashAllocs(t *testing.T) {
	h := newHarness(t)
	h.Do("HSET", "h", "a", "1", "b", "2", "c", "3")
	x := newDirectCtx(h)
	get := [][]byte{[]byte("HGET"), []byte("h"), []byte("b")}
	set := [][]byte{[]byte("HSET"), []byte("h"), []byte("b"), []byte("22")}
	getall := [][]byte{[]byte("HGETALL"), []byte("h")}
	for name, args := range map[string][][]byte{"HGET": get, "HSET existing": set, "HGETALL": getall} {
		n := testing.AllocsPerRun(200, func() { x.run(args) })
		require.Zero(t, n, "%s allocates", name)
	}
}
