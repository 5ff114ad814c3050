package rdbobj_test

import (
	"bytes"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/engine/rdbobj"
	"github.com/redisctl/redisctl/engine/thash"
	"github.com/redisctl/redisctl/engine/tlist"
	"github.com/redisctl/redisctl/engine/tset"
	"github.com/redisctl/redisctl/engine/tstream"
	"github.com/redisctl/redisctl/engine/tstring"
	"github.com/redisctl/redisctl/engine/tzset"
	"github.com/redisctl/redisctl/internal/redistest"
	"github.com/redisctl/redisctl/rdb"
	"github.com/redisctl/redisctl/resp"
)

// families are the command lists every test engine gets.
func families() [][]*engine.Command {
	return [][]*engine.Command{tstring.Commands(), tlist.Commands(), thash.Commands(),
		tset.Commands(), tzset.Commands(), tstream.Commands(), rdbobj.Commands()}
}

func newPair(t *testing.T) *enginetest.Pair {
	return enginetest.NewPair(t, families()...)
}

// duo is a harness and an oracle started with the debug command enabled (for DEBUG
// QUICKLIST-PACKED-THRESHOLD), compared by hand.
type duo struct {
	t *testing.T
	h *enginetest.Harness
	o *enginetest.Oracle
}

func newDuo(t *testing.T, args ...string) *duo {
	h := enginetest.New(t, families()...)
	h.RealClock()
	o := enginetest.NewOracle(t, redistest.WithArgs(append([]string{"--enable-debug-command", "yes"}, args...)...))
	return &duo{t: t, h: h, o: o}
}

// both sends a command to both sides and requires the same reply.
func (d *duo) both(args ...string) resp.Value {
	d.t.Helper()
	w, g := d.o.Do(args...), d.h.Do(args...)
	if w.String() != g.String() {
		d.t.Errorf("%s\n  redis:    %s\n  redisctl: %s", short(args), w.String(), g.String())
	}
	return g
}

func short(args []string) string {
	s := strings.Join(args, " ")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// canonical decodes a DUMP payload and renders its type and value in an order-free form,
// for the encodings whose bytes follow Redis's dict order (hashtable sets and hashes).
func canonical(t *testing.T, payload []byte) string {
	t.Helper()
	typ, v, err := rdb.DecodeDumpValue(payload, nil)
	if err != nil {
		t.Fatalf("decoding payload: %v", err)
	}
	var parts []string
	switch v.Kind {
	case rdb.KindString:
		parts = append(parts, string(v.String))
	case rdb.KindList:
		for _, e := range v.List {
			parts = append(parts, string(e))
		}
	case rdb.KindSet:
		for _, e := range v.Set {
			parts = append(parts, string(e))
		}
		sort.Strings(parts)
	case rdb.KindHash:
		for _, f := range v.Hash {
			parts = append(parts, string(f.Field)+"="+string(f.Value))
		}
		sort.Strings(parts)
	case rdb.KindZSet:
		for _, m := range v.ZSet {
			parts = append(parts, string(m.Member)+"="+strconv.FormatFloat(m.Score, 'g', -1, 64))
		}
		sort.Strings(parts)
	}
	return fmt.Sprintf("%v %q", typ, parts)
}

// orderFree reports whether a payload's bytes depend on dict order.
func orderFree(payload []byte) bool {
	return len(payload) > 0 && (rdb.Type(payload[0]) == rdb.TypeSet || rdb.Type(payload[0]) == rdb.TypeHash)
}

// dumper sends commands to one side.
type dumper interface {
	Do(args ...string) resp.Value
}

// compareDump checks DUMP key on both sides: same bytes, or for hashtable sets and hashes
// the same decoded content and type byte. It returns both payloads.
func compareDump(t *testing.T, ours, redis dumper, key string) (mine, theirs []byte) {
	t.Helper()
	g, w := ours.Do("DUMP", key), redis.Do("DUMP", key)
	if w.IsNull() || g.IsNull() {
		if w.IsNull() != g.IsNull() {
			t.Errorf("DUMP %s: redis null=%v, ours null=%v", key, w.IsNull(), g.IsNull())
		}
		return nil, nil
	}
	mine, theirs = g.Str, w.Str
	if orderFree(theirs) {
		if mine[0] != theirs[0] || canonical(t, mine) != canonical(t, theirs) {
			t.Errorf("DUMP %s (decoded):\n  redis:    %s\n  redisctl: %s", key, canonical(t, theirs), canonical(t, mine))
		}
		return
	}
	if !bytes.Equal(mine, theirs) {
		t.Errorf("DUMP %s:\n  redis:    %x\n  redisctl: %x", key, trunc(theirs), trunc(mine))
	}
	return
}

func trunc(b []byte) []byte {
	if len(b) > 300 {
		return b[:300]
	}
	return b
}

// describe reads a key's type, encoding and value on one side, in a canonical form.
func describe(t *testing.T, c dumper, key string) string {
	t.Helper()
	typ := c.Do("TYPE", key).String()
	enc := c.Do("OBJECT", "ENCODING", key).String()
	var val resp.Value
	var parts []string
	switch typ {
	case "string":
		val = c.Do("GET", key)
	case "list":
		val = c.Do("LRANGE", key, "0", "-1")
	case "set":
		val = c.Do("SMEMBERS", key)
		for _, e := range val.Elems {
			parts = append(parts, e.String())
		}
		sort.Strings(parts)
	case "hash":
		val = c.Do("HGETALL", key)
		for i := 0; i+1 < len(val.Elems); i += 2 {
			parts = append(parts, val.Elems[i].String()+"="+val.Elems[i+1].String())
		}
		sort.Strings(parts)
	case "zset":
		val = c.Do("ZRANGE", key, "0", "-1", "WITHSCORES")
	}
	if parts != nil {
		return typ + " " + enc + " " + strings.Join(parts, ",")
	}
	return typ + " " + enc + " " + val.String()
}

// crossCheck DUMPs key on both sides and compares, then RESTOREs each side's payload into
// the other under dst and compares type, encoding, value and the DUMP of the restored key.
func crossCheck(t *testing.T, ours, redis dumper, key string) {
	t.Helper()
	mine, theirs := compareDump(t, ours, redis, key)
	if mine == nil {
		return
	}
	dst := key + ":x"
	if v := redis.Do("RESTORE", dst, "0", string(mine), "REPLACE"); v.String() != "OK" {
		t.Errorf("redis RESTORE of our payload for %s: %s", key, v.String())
	}
	if v := ours.Do("RESTORE", dst, "0", string(theirs), "REPLACE"); v.String() != "OK" {
		t.Errorf("our RESTORE of redis's payload for %s: %s", key, v.String())
	}
	if w, g := describe(t, redis, dst), describe(t, ours, dst); w != g {
		t.Errorf("after cross RESTORE of %s:\n  redis:    %.300s\n  redisctl: %.300s", key, w, g)
	}
	if w, g := dropEncoding(describe(t, redis, key)), dropEncoding(describe(t, ours, dst)); w != g {
		t.Errorf("our RESTORE of %s differs from the original:\n  redis:    %.300s\n  redisctl: %.300s", key, w, g)
	}
	compareDump(t, ours, redis, dst)
	// A skiplist's size depends on its nodes' random levels, in Redis too.
	if ours.Do("OBJECT", "ENCODING", dst).String() != `"skiplist"` {
		w := redis.Do("MEMORY", "USAGE", dst, "SAMPLES", "0").String()
		g := ours.Do("MEMORY", "USAGE", dst, "SAMPLES", "0").String()
		if w != g {
			t.Errorf("MEMORY USAGE of %s after cross RESTORE: redis %s, ours %s", key, w, g)
		}
	}
	redis.Do("DEL", dst)
	ours.Do("DEL", dst)
}

var _ = slices.Sort[[]string]

func setCompression(t *testing.T, on bool) { rdbobj.SetCompressionForTest(t, on) }

// dropEncoding removes the encoding word of describe's output (a value restored from a
// payload may have another encoding than the original, in Redis too).
func dropEncoding(s string) string {
	f := strings.SplitN(s, " ", 3)
	if len(f) < 3 {
		return s
	}
	return f[0] + " " + f[2]
}
