package rdbobj_test

import (
	"bytes"
	"encoding/hex"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/engine/thash"
	"github.com/redisctl/redisctl/engine/tlist"
	"github.com/redisctl/redisctl/engine/tset"
	"github.com/redisctl/redisctl/engine/tstream"
	"github.com/redisctl/redisctl/engine/tzset"
	"github.com/redisctl/redisctl/fixtures"
	"github.com/redisctl/redisctl/internal/redistest"
	"github.com/stretchr/testify/require"
)

// record reads one key of our engine in redistest's canonical form, straight from the
// families' iteration APIs.
func record(db *engine.DB, key string) redistest.Record {
	e := db.Keys().Get(key)
	if e == nil {
		return redistest.Record{DB: db.ID, Key: redistest.Bytes(key), Type: "none"}
	}
	o := &e.Value
	r := redistest.Record{DB: db.ID, Key: redistest.Bytes(key), Type: o.Type().String(), Encoding: o.Encoding().String()}
	if at := db.ExpireAt(key); at >= 0 {
		r.ExpireAtMs = &at
	}
	switch o.Type() {
	case engine.TypeString:
		r.Value = redistest.Bytes(o.StringValue(nil))
	case engine.TypeList:
		var v []redistest.Bytes
		tlist.FromObject(o).Each(func(s []byte, n int64, isInt bool) bool {
			if isInt {
				s = strconv.AppendInt(nil, n, 10)
			}
			v = append(v, redistest.Bytes(s))
			return true
		})
		r.Value = v
	case engine.TypeSet:
		var v []redistest.Bytes
		tset.ForEachBytes(o, func(m []byte) bool { v = append(v, redistest.Bytes(m)); return true })
		sort.Slice(v, func(i, j int) bool { return v[i] < v[j] })
		r.Value = v
	case engine.TypeHash:
		var v []redistest.Pair
		thash.Range(o, func(f, val []byte) bool {
			v = append(v, redistest.Pair{redistest.Bytes(f), redistest.Bytes(val)})
			return true
		})
		sort.Slice(v, func(i, j int) bool { return v[i][0] < v[j][0] })
		r.Value = v
	case engine.TypeZSet:
		var v []redistest.Pair
		tzset.Ascend(o, func(m []byte, score float64) bool {
			v = append(v, redistest.Pair{redistest.Bytes(m), redistest.Bytes(redistest.FormatScore(score))})
			return true
		})
		r.Value = v
	case engine.TypeStream:
		r.Value = streamRecord(tstream.FromObject(o))
	}
	return r
}

// streamRecord is a stream in redistest's canonical form (what XINFO STREAM FULL shows).
func streamRecord(s *tstream.Stream) *redistest.Stream {
	v := &redistest.Stream{Length: int64(s.Len()), LastGeneratedID: s.LastID().String(),
		MaxDeletedEntryID: s.MaxDeletedID().String(), EntriesAdded: int64(s.EntriesAdded()),
		RecordedFirstEntryID: s.FirstID().String()}
	it := s.Iter(nil, nil, false)
	for {
		id, nf, ok := it.Next()
		if !ok {
			break
		}
		e := redistest.StreamEntry{ID: id.String()}
		for ; nf > 0; nf-- {
			f, val := it.Field()
			e.Fields = append(e.Fields, redistest.Pair{redistest.Bytes(f.Append(nil)), redistest.Bytes(val.Append(nil))})
		}
		v.Entries = append(v.Entries, e)
	}
	for _, g := range s.Groups() {
		sg := redistest.StreamGroup{Name: redistest.Bytes(g.Name), LastDeliveredID: g.LastID.String()}
		if g.EntriesRead != tstream.InvalidEntriesRead {
			n := g.EntriesRead
			sg.EntriesRead = &n
		}
		g.EachPending(func(id tstream.ID, n *tstream.NACK) bool {
			p := redistest.StreamPending{ID: id.String(), DeliveryTime: n.DeliveryTime, DeliveryCount: int64(n.DeliveryCount)}
			if n.Consumer != nil {
				p.Consumer = redistest.Bytes(n.Consumer.Name)
			}
			sg.PEL = append(sg.PEL, p)
			return true
		})
		for _, c := range g.Consumers() {
			sc := redistest.StreamConsumer{Name: redistest.Bytes(c.Name), SeenTime: c.SeenTime}
			c.EachPending(func(id tstream.ID, _ *tstream.NACK) bool {
				sc.PEL = append(sc.PEL, id.String())
				return true
			})
			sg.Consumers = append(sg.Consumers, sc)
		}
		v.Groups = append(v.Groups, sg)
	}
	r := redistest.Record{Type: "stream", Value: v}
	r.Canonicalize()
	return v
}

// records reads the whole keyspace, sorted as the fixtures' .jsonl.
func records(eng *engine.Engine) []redistest.Record {
	var out []redistest.Record
	for i := 0; i < eng.NumDBs(); i++ {
		db := eng.DB(i)
		for e := range db.Keys().All() {
			out = append(out, record(db, e.Key))
		}
	}
	redistest.SortRecords(out)
	return out
}

func lines(t *testing.T, rs []redistest.Record) []string {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, redistest.WriteRecords(&buf, rs))
	return strings.Split(strings.TrimRight(buf.String(), "\n"), "\n")
}

// TestFixtureDumpPayloads: every DUMP payload Redis 7.0 wrote for the fixtures RESTOREs
// into our engine as the record Redis reported, and DUMPs back to the same bytes (decoded
// comparison for hashtable sets and hashes).
func TestFixtureDumpPayloads(t *testing.T) {
	m := fixtures.MustLoad(t)
	pls, err := fixtures.LoadDumpPayloads(m)
	require.NoError(t, err)
	h := enginetest.New(t, families()...)
	n := 0
	for _, pl := range pls {
		raw, err := hex.DecodeString(pl.PayloadHex)
		require.NoError(t, err)
		key := string(pl.Key)
		v := h.Do("RESTORE", key, "0", string(raw))
		require.Equal(t, "OK", v.String(), key)
		n++
		if !assertEqualLine(t, key, pl.Record, record(h.E.DB(0), key)) {
			continue
		}
		got := h.Do("DUMP", key).Str
		if orderFree(raw) {
			require.Equal(t, canonical(t, raw), canonical(t, got), key)
		} else if !bytes.Equal(raw, got) {
			t.Errorf("%s: DUMP after RESTORE\n  redis: %x\n  ours:  %x", key, trunc(raw), trunc(got))
		}
	}
	t.Logf("%d payloads restored and compared", n)
}

func assertEqualLine(t *testing.T, what string, want, got redistest.Record) bool {
	t.Helper()
	w, g := lines(t, []redistest.Record{want}), lines(t, []redistest.Record{got})
	if w[0] != g[0] {
		t.Errorf("%s:\n  redis: %.400s\n  ours:  %.400s", what, w[0], g[0])
		return false
	}
	return true
}

func readExpected(t *testing.T, rel string) []redistest.Record {
	t.Helper()
	f, err := os.Open(fixtures.Path(rel))
	require.NoError(t, err)
	defer f.Close()
	rs, err := redistest.ReadRecords(f)
	require.NoError(t, err)
	return rs
}

func hexDecode(s string) ([]byte, error) { return hex.DecodeString(s) }
