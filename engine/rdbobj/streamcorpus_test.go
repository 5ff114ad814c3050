package rdbobj_test

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/engine/rdbobj"
	"github.com/redisctl/redisctl/engine/tstream"
	"github.com/redisctl/redisctl/internal/redistest"
	"github.com/redisctl/redisctl/rdb"
	"github.com/stretchr/testify/require"
)

// corpusDir is ../shared/rdb-corpus beside the module root (read in place, never copied).
func corpusDir(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "rdb-corpus")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("shared RDB corpus not found beside the checkout (%v)", err)
	}
	return dir
}

// streamKeysOf lists the stream keys of db 0 on one side.
func streamKeysOf(c dumper) []string {
	var out []string
	for _, k := range c.Do("KEYS", "*").Elems {
		if c.Do("TYPE", string(k.Str)).String() == "stream" {
			out = append(out, string(k.Str))
		}
	}
	return out
}

// TestStreamCorpus: streams written by Redis 5 (type 15), 7.0 (type 19) and 7.4 (type 21,
// RDB 12) load into our engine. Files Redis 7.0 can read are loaded by redis-server too
// and every stream read compared; the RDB 12 file, which 7.0 refuses, is compared with the
// rdb decoder's records, and our DUMP of each of its streams is RESTOREd into redis-server
// and read back alike.
func TestStreamCorpus(t *testing.T) {
	dir := corpusDir(t)
	for _, c := range []struct {
		file      string
		redisCan  bool
		minStream int
	}{
		{"rdbtools/redis_50_with_streams.rdb", true, 1},
		{"hdt3213/stream_listpacks_1.rdb", true, 1},
		{"hdt3213/stream_listpacks_2.rdb", true, 1},
		{"hdt3213/stream_listoacks_3.rdb", false, 1},
	} {
		t.Run(filepath.Base(c.file), func(t *testing.T) {
			path := filepath.Join(dir, c.file)
			data, err := os.ReadFile(path)
			require.NoError(t, err)
			for _, mode := range []string{"Load", "LoadInto"} {
				h := enginetest.New(t, families()...)
				h.RealClock()
				var st *rdbobj.LoadStats
				if mode == "Load" {
					st, err = rdbobj.Load(h.E, bytes.NewReader(data), nil, &rdbobj.LoadOptions{KeepExpired: true})
				} else {
					st, err = rdbobj.LoadInto(h.E, rdb.NewDecoder(bytes.NewReader(data), &rdb.Options{AllowEmptyKeys: true}),
						&rdbobj.LoadOptions{KeepExpired: true})
				}
				require.NoError(t, err, mode)
				require.NotZero(t, st.Keys)
				keys := streamKeysOf(h)
				require.GreaterOrEqual(t, len(keys), c.minStream)

				if c.redisCan {
					o := enginetest.NewOracle(t, redistest.WithRDB(path))
					require.ElementsMatch(t, streamKeysOf(o), keys)
					for _, k := range keys {
						if dl := diffLines(streamView(o, k), streamView(h, k)); dl != "" {
							t.Errorf("%s %s:\n%s", mode, k, dl)
						}
						compareStreamDump(t, h, o, k)
					}
					continue
				}
				// Compare with the decoder's records, then through real Redis.
				want := decodedStreams(t, data)
				require.Len(t, want, len(keys))
				o := enginetest.NewOracle(t)
				for _, k := range keys {
					e := h.E.DB(0).Keys().Get(k)
					require.NotNil(t, e)
					require.Equal(t, want[k], streamRecord(tstream.FromObject(&e.Value)), k)
					p := h.Do("DUMP", k).Str
					require.Equal(t, "OK", o.Do("RESTORE", k, "0", string(p)).String(), k)
					if dl := diffLines(dropLine(streamView(o, k), "MEMORY"), dropLine(streamView(h, k), "MEMORY")); dl != "" {
						t.Errorf("%s %s restored into redis from our DUMP:\n%s", mode, k, dl)
					}
					compareStreamDump(t, h, o, k)
				}
			}
		})
	}
}

// decodedStreams reads every stream key of an RDB file with the rdb decoder's value model,
// in redistest's canonical form.
func decodedStreams(t *testing.T, data []byte) map[string]*redistest.Stream {
	t.Helper()
	out := map[string]*redistest.Stream{}
	d := rdb.NewDecoder(bytes.NewReader(data), &rdb.Options{Deep: true})
	for d.Next() {
		if d.Kind() != rdb.RecKeyBegin || d.ValueKind() != rdb.KindStream {
			continue
		}
		key := string(d.Key())
		v, err := d.ReadValue()
		require.NoError(t, err)
		s := v.Stream
		rs := &redistest.Stream{Length: int64(s.Length), LastGeneratedID: s.LastID.String(),
			MaxDeletedEntryID: s.MaxDeletedID.String(), EntriesAdded: int64(s.EntriesAdded),
			RecordedFirstEntryID: s.FirstID.String()}
		for _, e := range s.Entries {
			re := redistest.StreamEntry{ID: e.ID.String()}
			for i := 0; i+1 < len(e.Fields); i += 2 {
				re.Fields = append(re.Fields, redistest.Pair{redistest.Bytes(e.Fields[i]), redistest.Bytes(e.Fields[i+1])})
			}
			rs.Entries = append(rs.Entries, re)
		}
		for _, g := range s.Groups {
			rg := redistest.StreamGroup{Name: redistest.Bytes(g.Name), LastDeliveredID: g.LastID.String()}
			if g.EntriesRead != -1 {
				er := g.EntriesRead
				rg.EntriesRead = &er
			}
			owner := map[rdb.StreamID][]byte{}
			for _, c := range g.Consumers {
				rc := redistest.StreamConsumer{Name: redistest.Bytes(c.Name), SeenTime: c.SeenTime}
				for _, id := range c.PEL {
					owner[id] = c.Name
					rc.PEL = append(rc.PEL, id.String())
				}
				rg.Consumers = append(rg.Consumers, rc)
			}
			for _, p := range g.PEL {
				rg.PEL = append(rg.PEL, redistest.StreamPending{ID: p.ID.String(), Consumer: redistest.Bytes(owner[p.ID]),
					DeliveryTime: p.DeliveryTime, DeliveryCount: int64(p.DeliveryCount)})
			}
			rs.Groups = append(rs.Groups, rg)
		}
		r := redistest.Record{Type: "stream", Value: rs}
		r.Canonicalize()
		out[key] = rs
	}
	require.NoError(t, d.Err())
	return out
}
