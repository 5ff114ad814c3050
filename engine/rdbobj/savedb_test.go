package rdbobj_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/engine/rdbobj"
	"github.com/redisctl/redisctl/fixtures"
	"github.com/redisctl/redisctl/internal/redistest"
	"github.com/redisctl/redisctl/rdb"
	"github.com/stretchr/testify/require"
)

// saveFile writes eng with SaveAll to a temporary file and returns its path.
func saveFile(t *testing.T, eng *engine.Engine, opts *rdbobj.SaveOptions) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "dump.rdb")
	f, err := os.Create(path)
	require.NoError(t, err)
	enc, err := rdbobj.NewEncoder(f, opts)
	require.NoError(t, err)
	require.NoError(t, rdbobj.SaveAll(enc, eng, opts))
	require.NoError(t, f.Close())
	return path
}

// TestSaveFixturesIntoRedis: each fixture loaded into our engine and saved with SaveAll is
// judged sound by redis-check-rdb (with Redis 7.0's AUX fields) and loads in redis-server
// 7.0 into exactly the dataset Redis reported for the original file.
func TestSaveFixturesIntoRedis(t *testing.T) {
	m := fixtures.MustLoad(t)
	for _, f := range m.RDB {
		t.Run(f.Name, func(t *testing.T) {
			data, err := os.ReadFile(fixtures.Path(f.File))
			require.NoError(t, err)
			eng := newEngine(t)
			eng.Functions = newFakeFunctions()
			_, err = rdbobj.Load(eng, bytes.NewReader(data), nil, nil)
			require.NoError(t, err)
			path := saveFile(t, eng, &rdbobj.SaveOptions{UsedMem: 12345})
			out, ok := redistest.CheckRDB(t, path)
			require.True(t, ok, out)
			aux := map[string]string{}
			for _, kv := range redistest.ParseCheckRDBAux(out) {
				aux[kv[0]] = kv[1]
			}
			require.Equal(t, "7.0.15", aux["redis-ver"])
			require.Equal(t, "64", aux["redis-bits"])
			require.Equal(t, "0", aux["aof-base"])
			require.Equal(t, "12345", aux["used-mem"])
			require.NotEmpty(t, aux["ctime"])

			srv := redistest.Start(t, redistest.WithRDB(path), redistest.WithArgs(f.ServerArgs...))
			got, err := redistest.Snapshot(context.Background(), srv.Client())
			require.NoError(t, err)
			require.Equal(t, lines(t, readExpected(t, f.Expected)), lines(t, got))
			if f.Functions != "" {
				raw, err := os.ReadFile(fixtures.Path(f.Functions))
				require.NoError(t, err)
				var want []redistest.Library
				require.NoError(t, json.Unmarshal(raw, &want))
				libs, err := redistest.SnapshotFunctions(context.Background(), srv.Client())
				require.NoError(t, err)
				require.Equal(t, want, libs)
			}
		})
	}
}

// TestSaveAttributes: RESIZEDB counts, expiries, and LRU idle / LFU counters by policy, as
// rdbSaveKeyValuePair writes them; an empty engine writes no SELECTDB.
func TestSaveAttributes(t *testing.T) {
	h := enginetest.New(t, families()...)
	h.RealClock()
	eng := h.E
	h.Do("SET", "a", "1")
	h.Do("SET", "b", "2", "PX", "100000000")
	h.Do("SELECT", "5")
	h.Do("RPUSH", "l", "x")
	for _, policy := range []string{"noeviction", "allkeys-lru", "volatile-lfu"} {
		eng.Set.MaxmemoryPolicy = policy
		path := saveFile(t, eng, nil)
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		d := rdb.NewDecoder(bytes.NewReader(data), nil)
		var dbs []string
		for d.Next() {
			switch d.Kind() {
			case rdb.RecResizeDB:
				k, e := d.ResizeDB()
				dbs = append(dbs, strconv.Itoa(d.DB())+":"+strconv.FormatUint(k, 10)+"/"+strconv.FormatUint(e, 10))
			case rdb.RecKeyBegin:
				require.Equal(t, policy == "allkeys-lru", d.Idle() >= 0, policy)
				require.Equal(t, policy == "volatile-lfu", d.Freq() >= 0, policy)
				require.Equal(t, string(d.Key()) == "b", d.Expire() > 0)
			}
		}
		require.NoError(t, d.Err())
		require.Equal(t, []string{"0:2/1", "5:1/0"}, dbs)
	}
	empty := saveFile(t, newEngine(t), nil)
	data, err := os.ReadFile(empty)
	require.NoError(t, err)
	d := rdb.NewDecoder(bytes.NewReader(data), nil)
	for d.Next() {
		require.NotEqual(t, rdb.RecSelectDB, d.Kind(), "an empty engine writes no SELECTDB")
	}
	require.NoError(t, d.Err())
}
