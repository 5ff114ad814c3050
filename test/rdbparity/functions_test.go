package rdbparity_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/engine/rdbobj"
	"github.com/redisctl/redisctl/engine/tscript"
	"github.com/redisctl/redisctl/internal/redistest"
	"github.com/stretchr/testify/require"
)

// libs are two function libraries: one plain, one with flags, a description and enough
// code for LZF in the file.
var libs = map[string]string{
	"libalpha": "#!lua name=libalpha\nredis.register_function('fa', function(keys, args) return redis.call('GET', keys[1]) end)",
	"libbeta": "#!lua name=libbeta\n-- a comment long enough to be worth compressing, a comment long enough\n" +
		"redis.register_function{function_name='fb', callback=function(keys, args) return 'b:' .. (args[1] or '') end, " +
		"flags={'no-writes', 'allow-stale'}, description='returns its argument'}",
}

// functionReads are the reads that show a side's libraries and that they run.
func functionReads(c side) []string {
	var out []string
	q := func(args ...string) {
		out = append(out, args[0]+" "+args[1]+" => "+c.Do(args...).String())
	}
	for _, name := range []string{"libalpha", "libbeta"} {
		q("FUNCTION", "LIST", "LIBRARYNAME", name, "WITHCODE")
	}
	q("FCALL", "fa", "1", "k")
	q("FCALL_RO", "fb", "0", "x")
	q("GET", "k")
	return out
}

// TestFunctionsParity: libraries real Redis 7.0 saved (FUNCTION2 records) load into our
// engine with the real scripting package (tscript) and list and run as in Redis; the
// libraries our engine holds, saved by SaveAll, load into a fresh redis-server alike.
func TestFunctionsParity(t *testing.T) {
	o := enginetest.NewOracle(t)
	for _, code := range libs {
		require.False(t, o.Do("FUNCTION", "LOAD", code).IsError())
	}
	o.Do("SET", "k", "value")
	require.Equal(t, "OK", o.Do("SAVE").String())
	data, err := os.ReadFile(filepath.Join(o.Srv.Dir, "dump.rdb"))
	require.NoError(t, err)
	want := functionReads(o)

	h := enginetest.New(t, append(families(), tscript.Commands())...)
	h.RealClock()
	tscript.Install(h.E)
	h.E.Lock()
	st, err := rdbobj.Load(h.E, bytes.NewReader(data), nil, nil)
	h.E.Unlock()
	require.NoError(t, err)
	require.Equal(t, int64(len(libs)), st.Libraries)
	require.Equal(t, want, functionReads(h))

	// And back: our SaveAll, loaded by redis-server.
	path := filepath.Join(t.TempDir(), "dump.rdb")
	f, err := os.Create(path)
	require.NoError(t, err)
	enc, err := rdbobj.NewEncoder(f, nil)
	require.NoError(t, err)
	h.E.Lock()
	err = rdbobj.SaveAll(enc, h.E, nil)
	h.E.Unlock()
	require.NoError(t, err)
	require.NoError(t, f.Close())
	back := enginetest.NewOracle(t, redistest.WithRDB(path))
	require.Equal(t, want, functionReads(back))
}
