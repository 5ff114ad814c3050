package persist

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/engine/thash"
	"github.com/redisctl/redisctl/engine/tlist"
	"github.com/redisctl/redisctl/engine/tset"
	"github.com/redisctl/redisctl/engine/tstream"
	"github.com/redisctl/redisctl/engine/tstring"
	"github.com/redisctl/redisctl/engine/tzset"
	"github.com/redisctl/redisctl/internal/redistest"
	"github.com/redisctl/redisctl/rdb"
)

// TestJobDetach: a big value's job detached part-way through (or before its first step)
// and the value then changed in place by its commands still writes the record of the
// value as it was: what a job writes in one go on the untouched value, byte for byte for
// a list or a rendered record, element for element for a held table (a hash or a set).
// The changes include enough inserts to grow a table the job was scanning.
func TestJobDetach(t *testing.T) {
	h, changes := detachFixture(t)
	e := h.E
	enc := NewRDBEncoder(e, true)
	for _, key := range []string{"h", "s", "l", "str", "bigstr", "lph", "lpz", "is", "z", "fath", "fats", "fatz", "fatl", "st"} {
		for _, steps := range []int{0, 1, 3} {
			t.Run(key+"/after "+strconv.Itoa(steps)+" steps", func(t *testing.T) {
				e.Lock()
				defer e.Unlock()
				hdr := *e.DB(0).LookupReadNoTouch([]byte(key)) // the walker's copy of the header
				// A strJob's bytes, before the changes.
				var was string
				if blobRecord(&hdr) {
					was = string(hdr.Bytes())
				}
				whole := runJob(t, enc.BeginBig(0, key, &hdr, -1), nil)
				if key == "st" {
					// Written in steps, the record has the bytes of one written at once.
					require.True(t, bytes.Equal(whole, mustEntry(t, enc, key, &hdr)), "not AppendEntry's bytes")
				}
				job := enc.BeginBig(0, key, &hdr, -1)
				require.NotNil(t, job)
				if slices.Contains([]string{"str", "bigstr", "lph", "lpz", "is"}, key) {
					require.IsType(t, &strJob{}, job)
				}
				got := detachAndChange(t, h, job, steps, changes[key])
				require.False(t, bytes.Equal(whole, mustEntry(t, enc, key, e.DB(0).LookupReadNoTouch([]byte(key)))), "the changes changed nothing")
				// A finished job holds nothing (the next job on the value could not hold it).
				switch tj := job.(type) {
				case *tableJob[string]:
					require.False(t, tj.d.Held(), "the table is still held")
				case *tableJob[struct{}]:
					require.False(t, tj.d.Held(), "the table is still held")
				case *zsetJob:
					require.Nil(t, tj.held, "the zset is still held")
				}
				if _, ok := job.(*strJob); ok {
					// A string (or listpack, intset) copies what it had not compressed
					// (or handed over) yet.
					copied, held := job.(engine.SnapshotHolder).Copied()
					require.True(t, held)
					require.LessOrEqual(t, copied, int64(len(was)))
					require.Equal(t, steps == 0, copied == int64(len(was)))
					if hdr.Type() == engine.TypeString {
						dec, _ := decodeRecord(t, got).(redistest.Bytes)
						require.True(t, was == string(dec), "the record decodes to another string (%d bytes)", len(dec))
					}
				} else {
					// What the snapshot held aside (CowBytes) is the copies written, not
					// the record.
					copied, held := job.(engine.SnapshotHolder).Copied()
					require.True(t, held)
					switch {
					case key == "st":
						// A stream copies the listpacks it had not written, and its tail.
						require.Positive(t, copied)
					case !strings.HasPrefix(key, "fat"):
						// (A fat value's scan may have taken aside every element its
						// changes touch: nothing to copy; or a big one: most of it.)
						require.Positive(t, copied)
						require.Less(t, copied, int64(len(got))/2)
					}
				}
				if slices.Contains([]string{"h", "s", "z", "fath", "fats", "fatz"}, key) {
					// A held table or set writes what changed from the copies it kept,
					// out of order: the same elements, in another order.
					require.Equal(t, len(whole), len(got))
					require.Equal(t, decodeRecord(t, whole), decodeRecord(t, got))
					return
				}
				require.True(t, bytes.Equal(whole, got), "%d bytes written, want %d", len(got), len(whole))
			})
		}
	}
}

// detachFixture is TestJobDetach's dataset, and for each key the changes in place made
// to it while its job is detached.
func detachFixture(t *testing.T) (*enginetest.Harness, map[string][][]string) {
	h := enginetest.New(t, thash.Commands(), tset.Commands(), tlist.Commands(), tstring.Commands(), tzset.Commands(), tstream.Commands())
	const n = 20000
	for i := 0; i < n; i += 500 {
		hs := []string{"HSET", "h"}
		ss := []string{"SADD", "s"}
		ls := []string{"RPUSH", "l"}
		zs := []string{"ZADD", "z"}
		for k := i; k < i+500; k++ {
			v := strconv.Itoa(k)
			hs = append(hs, "field:"+v, "a value long enough for LZF to try: "+v+strings.Repeat("v", k%40))
			ss = append(ss, "member:"+v)
			ls = append(ls, "element:"+v)
			zs = append(zs, strconv.Itoa(k%5000), "member:"+v) // ties: the order falls to the member
		}
		for _, c := range [][]string{hs, ss, ls, zs} {
			require.False(t, h.Do(c...).IsError(), c[0])
		}
	}
	// A string LZF cannot shrink, so its record takes several steps to hand over.
	rnd := make([]byte, 100_000)
	x := uint32(1)
	for i := range rnd {
		x = x*1664525 + 1013904223
		rnd[i] = 'a' + byte(x>>24)%26
	}
	h.Do("SET", "str", string(rnd))
	// One that LZF shrinks, in many blocks (strJob).
	var text strings.Builder
	for k := 0; text.Len() < 300_000; k++ {
		text.WriteString("line " + strconv.Itoa(k*7919%100_003) + " of a text LZF shrinks;\n")
	}
	h.Do("SET", "bigstr", text.String())
	// Elements with big strings (bigElem), in the big values and in small ones (fat*):
	// written in LZF blocks over several steps (elemQueue).
	big := func(tag string) string {
		var b strings.Builder
		for k := 0; b.Len() < 150_000; k++ {
			b.WriteString(tag + " " + strconv.Itoa(k*7919%100_003) + ";")
		}
		return b.String()
	}
	for _, c := range [][]string{
		{"HSET", "h", "bigfield", big("h")}, {"SADD", "s", big("s")}, {"ZADD", "z", "1", big("z")},
		{"HSET", "fath", "f1", big("fath1"), "f2", "small", "f3", big("fath3")},
		{"SADD", "fats", big("fats1"), "small1", "small2", big("fats2")},
		{"ZADD", "fatz", "1", big("fatz1"), "2", "small", "3", big("fatz3")},
		{"LINSERT", "l", "BEFORE", "element:10000", big("l")}, {"RPUSH", "fatl", big("fatl1"), "small", big("fatl3")},
	} {
		require.False(t, h.Do(c...).IsError(), c[0])
	}
	// A listpack hash and zset and an intset of 16 KiB or more (raised limits): strJob too.
	h.E.Lock()
	h.E.Set.HashMaxListpackEntries, h.E.Set.HashMaxListpackValue = 2000, 1000
	h.E.Set.ZSetMaxListpackEntries, h.E.Set.ZSetMaxListpackValue = 2000, 1000
	h.E.Set.SetMaxIntsetEntries = 40000
	h.E.Unlock()
	lph, lpz, is := []string{"HSET", "lph"}, []string{"ZADD", "lpz"}, []string{"SADD", "is"}
	for k := 0; k < 1900; k++ {
		v := strconv.Itoa(k)
		lph = append(lph, "field:"+v, "a listpack value of some length, "+v+strings.Repeat("x", k%30))
		lpz = append(lpz, v, "a listpack member of some length, "+v+strings.Repeat("y", k%30))
	}
	for k := 0; k < 30000; k++ {
		is = append(is, strconv.Itoa(k*k))
	}
	for _, c := range [][]string{lph, lpz, is} {
		require.False(t, h.Do(c...).IsError(), c[0])
	}
	// A stream of 30k entries (hundreds of nodes: streamJob) with a group, two consumers and
	// pending entries.
	for k := 1; k <= 30000; k++ {
		require.False(t, h.Do("XADD", "st", strconv.Itoa(k)+"-0", "field", "value "+strconv.Itoa(k%97), "n", strconv.Itoa(k)).IsError())
	}
	for _, c := range [][]string{{"XGROUP", "CREATE", "st", "g", "0"},
		{"XREADGROUP", "GROUP", "g", "c1", "COUNT", "500", "STREAMS", "st", ">"},
		{"XREADGROUP", "GROUP", "g", "c2", "COUNT", "300", "STREAMS", "st", ">"}} {
		require.False(t, h.Do(c...).IsError(), c[0])
	}
	many := func(cmd, key string, pair bool) []string {
		c := []string{cmd, key}
		for k := 0; k < n; k++ {
			c = append(c, "new:"+strconv.Itoa(k))
			if pair {
				c = append(c, "x")
			}
		}
		return c
	}
	manyZ := []string{"ZADD", "z"}
	for k := 0; k < n; k++ {
		manyZ = append(manyZ, strconv.Itoa(k%7000), "new:"+strconv.Itoa(k))
	}
	changes := map[string][][]string{
		"h": {{"HSET", "h", "field:1", "changed"}, {"HDEL", "h", "field:2", "field:19999"}, {"HINCRBY", "h", "counter", "5"}, many("HSET", "h", true)},
		"s": {{"SREM", "s", "member:3", "member:4"}, many("SADD", "s", false), {"SPOP", "s", "100"}},
		"l": {{"LSET", "l", "0", "changed"}, {"LPOP", "l"}, {"LINSERT", "l", "BEFORE", "element:500", "inserted"},
			{"LSET", "l", "-1", "changed"}, {"LINSERT", "l", "BEFORE", "element:15000", "inserted"}, {"RPOP", "l"},
			{"LREM", "l", "0", "element:7000"}, {"LTRIM", "l", "100", "-100"}, many("LPUSH", "l", false), many("RPUSH", "l", false),
			{"LSET", "l", "12000", "changed"}, {"LTRIM", "l", "0", "-3000"}},
		"str":  {{"SETRANGE", "str", "0", "XYZ"}, {"APPEND", "str", "tail"}},
		"lph":  {{"HSET", "lph", "field:1", "changed"}, {"HINCRBY", "lph", "counter", "1"}},
		"lpz":  {{"ZINCRBY", "lpz", "0.5", "a listpack member of some length, 3"}, {"ZADD", "lpz", "-1", "new"}},
		"is":   {{"SPOP", "is"}},
		"fath": {{"HSET", "fath", "f1", "changed"}, {"HDEL", "fath", "f3"}, {"HSET", "fath", "new", big("new")}},
		"fats": {{"SREM", "fats", big("fats1")}, {"SADD", "fats", "new", big("new")}},
		"fatz": {{"ZINCRBY", "fatz", "1", big("fatz1")}, {"ZREM", "fatz", big("fatz3")}, {"ZADD", "fatz", "5", big("new")}},
		// The first node's big element, which the job takes aside at its first step,
		// rewritten in place (listpack.Replace), then big again for the next subtest.
		// Entries added (to the last node, in place), deleted (a flag in a node, in place)
		// and trimmed; the group's PEL, last ID and consumers changed.
		"st": {{"XADD", "st", "*", "f", "new"}, {"XDEL", "st", "5-0", "20000-0"}, {"XTRIM", "st", "MINID", "100"},
			{"XACK", "st", "g", "1-0", "2-0"}, {"XREADGROUP", "GROUP", "g", "c2", "COUNT", "10", "STREAMS", "st", ">"},
			{"XGROUP", "SETID", "st", "g", "25000-0"}, {"XTRIM", "st", "MINID", "1000"}, {"XADD", "st", "*", "f", "last"}},
		"fatl": {{"LSET", "fatl", "0", "changed"}, {"LSET", "fatl", "0", big("fatl again")}, {"LSET", "fatl", "-1", big("changed")},
			{"RPUSH", "fatl", "x"}},
		"bigstr": {{"SETRANGE", "bigstr", "0", "XYZ"}, {"SETRANGE", "bigstr", "290000", "XYZ"}, {"APPEND", "bigstr", "tail"}},
		// Score changes in place and moves, at both ends and in the middle, removals of
		// single members and of ranges, and enough adds to grow the member dict.
		"z": {{"ZINCRBY", "z", "0.5", "member:19999"}, {"ZADD", "z", "-1", "member:2"}, {"ZINCRBY", "z", "1", "member:4000"},
			{"ZREM", "z", "member:3", "member:19998"}, {"ZPOPMAX", "z", "3"}, {"ZPOPMIN", "z"},
			{"ZREMRANGEBYSCORE", "z", "2000", "2100"}, {"ZADD", "z", "GT", "4999", "member:7"}, manyZ},
	}
	return h, changes
}

// bigKeys is an engine with the shapes of bench/persistgen's big keys: a hash "h", a set
// "s", a list "l" and a zset "z" of 100k elements each (and the string commands).
func bigKeys(b *testing.B) *enginetest.Harness {
	h := enginetest.New(b, thash.Commands(), tset.Commands(), tlist.Commands(), tzset.Commands(), tstring.Commands())
	const n = 100_000
	word := func(k int) string { return strconv.Itoa(k) + strings.Repeat("w", 20-len(strconv.Itoa(k))) }
	for i := 0; i < n; i += 1000 {
		hs, ss, ls, zs := []string{"HSET", "h"}, []string{"SADD", "s"}, []string{"RPUSH", "l"}, []string{"ZADD", "z"}
		for k := i; k < i+1000; k++ {
			v := strconv.Itoa(k)
			hs = append(hs, "field:"+v, word(k*7))
			ss = append(ss, "member:"+v)
			ls = append(ls, word(k*13))
			zs = append(zs, strconv.Itoa(k*7919%n), "member:"+v)
		}
		for _, c := range [][]string{hs, ss, ls, zs} {
			h.Do(c...)
		}
	}
	return h
}

// detachAndChange runs a big value's job as a hook meets it, lock held: steps steps with a
// deadline already passed, then Detach. It makes the changes with the lock released,
// takes the lock again (held on return, failed or not), steps the job to its end, and
// returns all the job wrote.
func detachAndChange(t *testing.T, h *enginetest.Harness, job engine.SnapshotJob, steps int, changes [][]string) []byte {
	t.Helper()
	var got []byte
	var done bool
	var err error
	for i := 0; i < steps; i++ {
		got, done, err = job.Step(got, time.Now())
		require.NoError(t, err)
		require.False(t, done, "the value is too small to be left half-written")
	}
	require.NoError(t, job.(engine.SnapshotDetacher).Detach())
	h.E.Unlock()
	locked := false
	defer func() {
		if !locked {
			h.E.Lock()
		}
	}()
	for _, c := range changes {
		v := h.Do(c...)
		require.False(t, v.IsError(), "%v: %s", c[:2], v)
	}
	h.E.Lock()
	locked = true
	for !done {
		got, done, err = job.Step(got, time.Now())
		require.NoError(t, err)
	}
	return got
}

// decodeRecord is the value of one key record, decoded from a file made of it alone.
func decodeRecord(t *testing.T, rec []byte) any {
	t.Helper()
	file := append(append([]byte("REDIS0011"), rec...), 0xFF, 0, 0, 0, 0, 0, 0, 0, 0) // no checksum
	d := rdb.NewDecoder(bytes.NewReader(file), &rdb.Options{Deep: true})
	require.True(t, d.Next(), "%v", d.Err())
	require.Equal(t, rdb.RecKeyBegin, d.Kind())
	v, err := d.ReadValue()
	require.NoError(t, err)
	return recordValue(v)
}

// runJob steps job to its end without a deadline, appending to dst.
func runJob(t *testing.T, job engine.SnapshotJob, dst []byte) []byte {
	t.Helper()
	require.NotNil(t, job)
	for done := false; !done; {
		var err error
		dst, done, err = job.Step(dst, time.Time{})
		require.NoError(t, err)
	}
	return dst
}

func mustEntry(t *testing.T, enc *RDBEncoder, key string, o *engine.Object) []byte {
	t.Helper()
	b, err := enc.AppendEntry(nil, 0, key, o, -1)
	require.NoError(t, err)
	return b
}

// BenchmarkHookOnBigValue is what a client's change in place to a 100k-element value the
// walker is half through costs in the hook (the value shapes of bench/persistgen's big
// keys): "finish" runs the job to its end, as the hook did before SnapshotDetacher;
// "detach" holds the value (copy-on-write per element; a list: per node).
func BenchmarkHookOnBigValue(b *testing.B) {
	h := bigKeys(b)
	e := h.E
	enc := NewRDBEncoder(e, true)
	e.Lock()
	defer e.Unlock()
	for _, key := range []string{"h", "s", "l", "z"} {
		hdr := *e.DB(0).LookupReadNoTouch([]byte(key))
		whole, _, err := enc.BeginBig(0, key, &hdr, -1).Step(nil, time.Time{})
		if err != nil {
			b.Fatal(err)
		}
		// Half-way, as the walker would have it: steps until half the record is out.
		half := func() (engine.SnapshotJob, []byte) {
			job := enc.BeginBig(0, key, &hdr, -1)
			var buf []byte
			for done := false; !done && len(buf) < len(whole)/2; {
				var err error
				buf, done, err = job.Step(buf, time.Now().Add(100*time.Microsecond))
				if err != nil || done {
					b.Fatal("half-way:", err, done)
				}
			}
			return job, buf[:0]
		}
		b.Run(key+"/finish", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				job, buf := half()
				b.StartTimer()
				for done := false; !done; {
					var err error
					if buf, done, err = job.Step(buf, time.Time{}); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
		b.Run(key+"/detach", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				job, _ := half()
				b.StartTimer()
				if err := job.(engine.SnapshotDetacher).Detach(); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				if a, ok := job.(interface{ Abort() }); ok {
					a.Abort() // a held table is released for the next round
				}
				b.StartTimer()
			}
		})
	}
}

// BenchmarkChangeHeldTable is what an HSET costs a client while a snapshot job holds the
// 100k-field hash (Detach: dict.Hold) against the same HSET with no job: each field's
// first change copies its old pair for the job. The fields are changed in turn, so every
// change of the first pass is a first change.
func BenchmarkChangeHeldTable(b *testing.B) {
	h := enginetest.New(b, thash.Commands())
	const n = 100_000
	for i := 0; i < n; i += 1000 {
		hs := []string{"HSET", "h"}
		for k := i; k < i+1000; k++ {
			hs = append(hs, "field:"+strconv.Itoa(k), strconv.Itoa(k*7))
		}
		h.Do(hs...)
	}
	fields := make([][]byte, n)
	for k := range fields {
		fields[k] = []byte("field:" + strconv.Itoa(k))
	}
	enc := NewRDBEncoder(h.E, true)
	for _, held := range []bool{false, true} {
		b.Run(map[bool]string{false: "free", true: "held"}[held], func(b *testing.B) {
			var job engine.SnapshotJob
			if held {
				h.E.Lock()
				hdr := *h.E.DB(0).LookupReadNoTouch([]byte("h"))
				job = enc.BeginBig(0, "h", &hdr, -1)
				if err := job.(engine.SnapshotDetacher).Detach(); err != nil {
					b.Fatal(err)
				}
				h.E.Unlock()
			}
			// Two values in turn, other than the other run's: no HSET is a no-op.
			vals := [2][]byte{[]byte("free:1"), []byte("free:2")}
			if held {
				vals = [2][]byte{[]byte("held:1"), []byte("held:2")}
			}
			i := 0
			for b.Loop() {
				h.DoBytes([]byte("HSET"), []byte("h"), fields[i%n], vals[i/n%2])
				i++
			}
			if held {
				h.E.Lock()
				job.(interface{ Abort() }).Abort()
				h.E.Unlock()
			}
		})
	}
}

// TestListJobBigNodeHeld: a held list's big node that a step takes aside (elemQueue) is
// the job's own copy: the list's changes after that step, in place on that node, do not
// reach the record.
func TestListJobBigNodeHeld(t *testing.T) {
	h := enginetest.New(t, tlist.Commands())
	big := strings.Repeat("a big element LZF shrinks; ", 6000)
	require.False(t, h.Do("RPUSH", "l", big, "small", big).IsError())
	e := h.E
	enc := NewRDBEncoder(e, true)
	e.Lock()
	defer e.Unlock()
	hdr := *e.DB(0).LookupReadNoTouch([]byte("l"))
	whole := runJob(t, enc.BeginBig(0, "l", &hdr, -1), nil)
	job := enc.BeginBig(0, "l", &hdr, -1)
	require.IsType(t, &listJob{}, job)
	require.NoError(t, job.(engine.SnapshotDetacher).Detach())
	got, done, err := job.Step(nil, time.Now()) // takes the first node aside
	require.NoError(t, err)
	require.False(t, done)
	require.False(t, job.(*listJob).pend.empty())
	e.Unlock()
	require.False(t, h.Do("LSET", "l", "0", "changed").IsError()) // listpack.Replace, in place
	e.Lock()
	for !done {
		got, done, err = job.Step(got, time.Now())
		require.NoError(t, err)
	}
	require.True(t, bytes.Equal(whole, got), "%d bytes written, want %d", len(got), len(whole))
}
