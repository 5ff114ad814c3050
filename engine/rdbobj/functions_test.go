package rdbobj_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/rdbobj"
	"github.com/redisctl/redisctl/engine/tstring"
	"github.com/redisctl/redisctl/internal/redistest"
	"github.com/redisctl/redisctl/rdb"
	"github.com/stretchr/testify/require"
)

// fakeFunctions is a FunctionStore that keeps library sources by the name in their
// shebang, in load order, and records every LoadLibrary call.
type fakeFunctions struct {
	names []string
	codes map[string][]byte
	calls []string // "name replace=bool"
}

func newFakeFunctions() *fakeFunctions { return &fakeFunctions{codes: map[string][]byte{}} }

var shebangName = regexp.MustCompile(`^#!lua name=(\S+)`)

func (f *fakeFunctions) LibraryCodes() [][]byte {
	out := make([][]byte, 0, len(f.names))
	for _, n := range f.names {
		out = append(out, f.codes[n])
	}
	return out
}

func (f *fakeFunctions) LoadLibrary(code []byte, replace bool) error {
	m := shebangName.FindSubmatch(code)
	if m == nil {
		return errors.New("Missing library metadata")
	}
	name := string(m[1])
	f.calls = append(f.calls, fmt.Sprintf("%s replace=%v", name, replace))
	if _, ok := f.codes[name]; ok {
		if !replace {
			return fmt.Errorf("Library '%s' already exists", name)
		}
	} else {
		f.names = append(f.names, name)
	}
	f.codes[name] = bytes.Clone(code) // the loader's buffer is not ours to keep
	return nil
}

func (f *fakeFunctions) FlushLibraries() { f.names, f.codes = nil, map[string][]byte{} }

var _ engine.FunctionStore = (*fakeFunctions)(nil)

// libraries are what the tests FUNCTION LOAD into Redis: a short one and one long enough
// for LZF.
var libraries = []string{
	"#!lua name=alpha\nredis.register_function('a', function(keys, args) return 1 end)",
	"#!lua name=beta\n" + strings.Repeat("-- padding padding padding\n", 40) +
		"redis.register_function{function_name='b', callback=function(keys, args) return args[1] end, flags={'no-writes'}}",
}

// redisFunctionsRDB has real Redis 7.0 FUNCTION LOAD the libraries, hold a few keys, and
// SAVE; it returns the path of the dump.rdb it wrote (read in place) and the server.
func redisFunctionsRDB(t *testing.T) (string, *redistest.Server) {
	t.Helper()
	srv := redistest.Start(t)
	for _, code := range libraries {
		srv.Do("FUNCTION", "LOAD", code)
	}
	srv.Do("SET", "k", "v")
	srv.Do("RPUSH", "l", "a", "b")
	srv.Do("SAVE")
	path := filepath.Join(srv.Dir, "dump.rdb")
	_, err := os.Stat(path)
	require.NoError(t, err)
	return path, srv
}

// functionRecord is the FUNCTION2 record rdbSaveFunctions writes for code (rdbcompression
// on): the opcode, then the source as rdbSaveRawString writes it.
func functionRecord(t *testing.T, code string) []byte {
	t.Helper()
	o := tstring.New([]byte(code))
	_, v, err := rdbobj.NewSaver(true).AppendValue(nil, &o)
	require.NoError(t, err)
	return append([]byte{byte(rdb.OpFunction2)}, v...)
}

// TestFunctionsFromRedis: an RDB real Redis 7.0 wrote after FUNCTION LOAD loads its
// FUNCTION2 records through the engine's FunctionStore (replace only with AllowDup), and
// SaveAll writes them back where Redis does (after the AUX fields, before the first
// SELECTDB) with Redis's very bytes; real Redis loads our file with the same libraries.
func TestFunctionsFromRedis(t *testing.T) {
	path, srv := redisFunctionsRDB(t)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	for _, code := range libraries {
		require.True(t, bytes.Contains(data, functionRecord(t, code)), "Redis's FUNCTION2 record bytes for %.20q", code)
	}

	eng := newEngine(t)
	fs := newFakeFunctions()
	eng.Functions = fs
	st, err := rdbobj.Load(eng, bytes.NewReader(data), nil, nil)
	require.NoError(t, err)
	require.Equal(t, int64(2), st.Libraries)
	require.Equal(t, int64(2), st.Keys)
	require.Nil(t, st.Functions)
	require.ElementsMatch(t, []string{"alpha replace=false", "beta replace=false"}, fs.calls)
	for _, code := range libraries {
		require.Equal(t, code, string(fs.codes[shebangName.FindStringSubmatch(code)[1]]))
	}

	// Saved back: FUNCTION2 records between the AUX fields and the first SELECTDB.
	ours := saveFile(t, eng, nil)
	out, err := os.ReadFile(ours)
	require.NoError(t, err)
	var kinds []string
	d := rdb.NewDecoder(bytes.NewReader(out), nil)
	for d.Next() {
		switch k := d.Kind(); k {
		case rdb.RecAux, rdb.RecFunction, rdb.RecSelectDB, rdb.RecEOF:
			if n := len(kinds); n == 0 || kinds[n-1] != k.String() {
				kinds = append(kinds, k.String())
			}
		}
	}
	require.NoError(t, d.Err())
	require.Equal(t, []string{"aux", "function", "select-db", "eof"}, kinds)
	for _, code := range libraries {
		require.True(t, bytes.Contains(out, functionRecord(t, code)), "our FUNCTION2 record for %.20q", code)
	}
	want, err := redistest.SnapshotFunctions(context.Background(), srv.Client())
	require.NoError(t, err)
	back := redistest.Start(t, redistest.WithRDB(ours))
	got, err := redistest.SnapshotFunctions(context.Background(), back.Client())
	require.NoError(t, err)
	require.Equal(t, want, got)
}

// TestFunctionsLoadModes: what LoadInto does with FUNCTION2 records in each situation.
func TestFunctionsLoadModes(t *testing.T) {
	path, _ := redisFunctionsRDB(t)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	cases := []struct {
		name      string
		store     bool
		preload   bool // the libraries already exist in the store
		opts      rdbobj.LoadOptions
		err       string
		sentinel  error
		libraries int64
		skipped   int64
		calls     []string
	}{
		{name: "no scripting", err: "scripting is unavailable", sentinel: rdbobj.ErrScriptingUnavailable},
		{name: "no scripting, skipped", opts: rdbobj.LoadOptions{SkipFunctions: true}, skipped: 2},
		{name: "fresh store", store: true, libraries: 2, calls: []string{"alpha replace=false", "beta replace=false"}},
		{name: "existing library", store: true, preload: true, err: "already exists"},
		{name: "existing library, AllowDup replaces", store: true, preload: true, opts: rdbobj.LoadOptions{AllowDup: true},
			libraries: 2, calls: []string{"alpha replace=true", "beta replace=true"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			eng := newEngine(t)
			var fs *fakeFunctions
			if c.store {
				fs = newFakeFunctions()
				if c.preload {
					for _, code := range libraries {
						require.NoError(t, fs.LoadLibrary([]byte(code), false))
					}
					fs.calls = nil
				}
				eng.Functions = fs
			}
			d := rdb.NewDecoder(bytes.NewReader(data), &rdb.Options{AllowEmptyKeys: true})
			opts := c.opts
			st, err := rdbobj.LoadInto(eng, d, &opts)
			if c.err != "" {
				require.Error(t, err)
				require.Contains(t, err.Error(), c.err)
				require.Contains(t, err.Error(), "offset")
				if c.sentinel != nil {
					require.ErrorIs(t, err, c.sentinel)
				}
				return
			}
			require.NoError(t, err)
			require.Equal(t, c.libraries, st.Libraries)
			require.Equal(t, c.skipped, st.SkippedLibraries)
			require.Equal(t, int64(2), st.Keys)
			if fs != nil {
				require.ElementsMatch(t, c.calls, fs.calls) // Redis saves in its dict's order
			}
		})
	}
}

// TestSaveAllWithoutFunctionStore: an engine without scripting writes no FUNCTION2.
func TestSaveAllWithoutFunctionStore(t *testing.T) {
	eng := newEngine(t)
	out, err := os.ReadFile(saveFile(t, eng, nil))
	require.NoError(t, err)
	d := rdb.NewDecoder(bytes.NewReader(out), nil)
	for d.Next() {
		require.NotEqual(t, rdb.RecFunction, d.Kind())
	}
	require.NoError(t, d.Err())
}
