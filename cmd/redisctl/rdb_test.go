package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redisctl/redisctl/fixtures"
	"github.com/redisctl/redisctl/internal/redistest"
	"github.com/stretchr/testify/require"
)

// run executes the CLI in-process and returns exit code, stdout and stderr.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Execute(args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func canonicalJSONL(t *testing.T, b []byte) string {
	t.Helper()
	recs, err := redistest.ReadRecords(bytes.NewReader(b))
	require.NoError(t, err)
	for i := range recs {
		recs[i].Canonicalize()
	}
	redistest.SortRecords(recs)
	var out bytes.Buffer
	require.NoError(t, redistest.WriteRecords(&out, recs))
	return out.String()
}

// loadAndSnapshot starts a real redis-server on rdbPath and returns its dataset as
// canonical jsonl, after checking the file with redis-check-rdb.
func loadAndSnapshot(t *testing.T, rdbPath string) string {
	t.Helper()
	out, ok := redistest.CheckRDB(t, rdbPath)
	require.True(t, ok, "redis-check-rdb refused %s:\n%s", rdbPath, out)
	srv := redistest.Start(t, redistest.WithRDB(rdbPath))
	recs, err := redistest.Snapshot(context.Background(), srv.Client())
	require.NoError(t, err)
	var b bytes.Buffer
	require.NoError(t, redistest.WriteRecords(&b, recs))
	return canonicalJSONL(t, b.Bytes())
}

func TestRDBDumpMatchesFixtures(t *testing.T) {
	m := fixtures.MustLoad(t)
	for _, fx := range m.RDB {
		t.Run(fx.Name, func(t *testing.T) {
			code, out, errs := run(t, "rdb", "dump", fixtures.Path(fx.File))
			require.Equal(t, 0, code, errs)
			want, err := os.ReadFile(fixtures.Path(fx.Expected))
			require.NoError(t, err)
			require.Equal(t, canonicalJSONL(t, want), canonicalJSONL(t, []byte(out)))
		})
	}
}

// TestRDBConvertInterop: dump → jsonl → convert, and RDB → RDB at every version Redis 7.0
// can load; real redis-server must load each result to the fixture's exact data, and
// redis-check-rdb must accept it.
func TestRDBConvertInterop(t *testing.T) {
	redistest.Require(t, "redis-server")
	m := fixtures.MustLoad(t)
	for _, fx := range m.RDB {
		t.Run(fx.Name, func(t *testing.T) {
			want, err := os.ReadFile(fixtures.Path(fx.Expected))
			require.NoError(t, err)
			wantC := canonicalJSONL(t, want)
			dir := t.TempDir()

			jsonl := filepath.Join(dir, "keys.jsonl")
			code, out, errs := run(t, "rdb", "dump", fixtures.Path(fx.File))
			require.Equal(t, 0, code, errs)
			require.NoError(t, os.WriteFile(jsonl, []byte(out), 0o644))
			rebuilt := filepath.Join(dir, "rebuilt.rdb")
			code, _, errs = run(t, "rdb", "convert", jsonl, rebuilt)
			require.Equal(t, 0, code, errs)
			require.Equal(t, wantC, loadAndSnapshot(t, rebuilt), "jsonl → rdb")

			hasStreams := strings.Contains(wantC, `"type":"stream"`)
			for _, v := range []string{"7", "8", "9", "10"} {
				if fx.Name == "functions" && v != "10" {
					continue // functions need RDB 10
				}
				if hasStreams && (v == "7" || v == "8") {
					code, _, errs := run(t, "rdb", "convert", "--rdb-version", v, fixtures.Path(fx.File), filepath.Join(dir, "x.rdb"))
					require.Equal(t, 1, code, "streams cannot be written to RDB %s: %s", v, errs)
					continue
				}
				dst := filepath.Join(dir, "v"+v+".rdb")
				code, _, errs := run(t, "rdb", "convert", "--rdb-version", v, fixtures.Path(fx.File), dst)
				require.Equal(t, 0, code, errs)
				expect, got := wantC, loadAndSnapshot(t, dst)
				if v != "10" {
					expect, got = olderFormat(t, expect, v), olderFormat(t, got, v)
				}
				require.Equal(t, expect, got, "rdb version %s", v)
			}
		})
	}
}

// TestRDBCorpus: every file of the shared corpus decodes, except the two deliberately
// corrupt ones, which exit 3 with an offset. Files Redis 7.0 can hold round-trip through
// convert into real Redis.
func TestRDBCorpus(t *testing.T) {
	root := filepath.Join(fixtures.Dir(), "..", "..", "shared", "rdb-corpus")
	files, _ := filepath.Glob(filepath.Join(root, "*", "*.rdb"))
	if len(files) == 0 {
		t.Skip("shared/rdb-corpus not found beside the checkout")
	}
	for _, f := range files {
		name := filepath.Base(filepath.Dir(f)) + "/" + filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			code, out, errs := run(t, "rdb", "check", f)
			if strings.HasPrefix(filepath.Base(f), "corrupt_") || name == "hdt3213/zipmap_big_len.rdb" {
				// zipmap_big_len: real Redis 7.0 refuses it too ("Zipmap integrity check failed").
				require.Equal(t, 3, code, "%s\n%s", out, errs)
				require.Contains(t, out, "DAMAGED at offset")
				return
			}
			require.Equal(t, 0, code, "%s\n%s", out, errs)
			code, dump, errs := run(t, "rdb", "dump", f)
			require.Equal(t, 0, code, errs)
			if !redis70CanHold(t, f, dump) {
				return
			}
			// Round trip: our re-encoding (RDB 10) loads into real Redis 7.0 with the same
			// data; keys already expired are dropped by Redis at load, as by any master.
			dst := filepath.Join(t.TempDir(), "converted.rdb")
			code, _, errs = run(t, "rdb", "convert", f, dst)
			require.Equal(t, 0, code, errs)
			require.Equal(t, liveOnly(t, dump), loadAndSnapshot(t, dst))
		})
	}
}

// redis70CanHold reports whether Redis 7.0 can load the data of a file: no module values,
// no hash field expiry, no Valkey-only types, RDB version at most 12.
func redis70CanHold(t *testing.T, path, dump string) bool {
	code, out, _ := run(t, "rdb", "inspect", "--format", "json", path)
	if code != 0 || strings.Contains(out, `"valkey": true`) || strings.Contains(out, `"name": "module"`) ||
		strings.Contains(out, `"name": "listpackex"`) || !strings.Contains(out, `"module_aux": null`) {
		return false
	}
	// Hash field TTLs (RDB 12, Redis 7.4): a field with a TTL is a three-element pair,
	// which Redis 7.0 cannot hold.
	_, err := redistest.ReadRecords(strings.NewReader(dump))
	return err == nil && !strings.Contains(out, `"rdb_version": 12`)
}

// liveOnly drops records whose TTL is already in the past and canonicalizes the rest.
func liveOnly(t *testing.T, dump string) string {
	recs, err := redistest.ReadRecords(strings.NewReader(dump))
	require.NoError(t, err)
	now := time.Now().UnixMilli()
	var keep []redistest.Record
	for _, r := range recs {
		if r.ExpireAtMs != nil && *r.ExpireAtMs <= now {
			continue
		}
		r.Canonicalize()
		keep = append(keep, r)
	}
	redistest.SortRecords(keep)
	var b bytes.Buffer
	require.NoError(t, redistest.WriteRecords(&b, keep))
	return b.String()
}

func TestRDBDiff(t *testing.T) {
	a := fixtures.Path("hashes.rdb")
	code, out, _ := run(t, "rdb", "diff", a, a)
	require.Equal(t, 0, code, out)
	// A file rebuilt through jsonl has the same content with different bytes.
	dir := t.TempDir()
	_, dump, _ := run(t, "rdb", "dump", a)
	lines := strings.Split(strings.TrimSpace(dump), "\n")
	edited := strings.Join(lines[1:], "\n") + "\n" + strings.Replace(lines[0], `"expire_at_ms":null`, `"expire_at_ms":4102444800000`, 1) + "\n"
	edited += `{"db":2,"key":"new","type":"string","encoding":"embstr","expire_at_ms":null,"value":"x"}` + "\n"
	j := filepath.Join(dir, "e.jsonl")
	require.NoError(t, os.WriteFile(j, []byte(edited), 0o644))
	b := filepath.Join(dir, "b.rdb")
	code, _, errs := run(t, "rdb", "convert", j, b)
	require.Equal(t, 0, code, errs)
	code, out, _ = run(t, "rdb", "diff", a, b)
	require.Equal(t, 1, code)
	require.Contains(t, out, "+ db=2 new (string)")
	require.Contains(t, out, "ttl none -> 2100-01-01T00:00:00Z")
	require.Contains(t, out, "1 added, 0 removed, 1 changed")
}

func TestRDBUsageErrors(t *testing.T) {
	code, _, _ := run(t, "rdb", "dump", "--format", "xml", fixtures.Path("empty.rdb"))
	require.Equal(t, 2, code)
	code, _, _ = run(t, "rdb", "dump")
	require.Equal(t, 2, code)
	code, _, _ = run(t, "rdb", "inspect", "/nonexistent.rdb")
	require.Equal(t, 1, code)
}

// olderFormat removes from canonical jsonl what an older RDB version cannot carry, so a
// round trip through it can be compared: RDB 7 stores zset scores as text, which loses the
// sign of -0 (Redis 3.2 writes "0" too); stream type 1 (RDB 9) has no entries_added,
// max_deleted_entry_id, recorded first id or entries_read, which Redis 7.0 recomputes.
func olderFormat(t *testing.T, canon, v string) string {
	t.Helper()
	recs, err := redistest.ReadRecords(strings.NewReader(canon))
	require.NoError(t, err)
	for i := range recs {
		r := &recs[i]
		switch val := r.Value.(type) {
		case []redistest.Pair:
			if r.Type == "zset" && v == "7" {
				for j := range val {
					if val[j][1] == "-0" {
						val[j][1] = "0"
					}
				}
			}
		case *redistest.Stream:
			val.EntriesAdded, val.MaxDeletedEntryID, val.RecordedFirstEntryID = 0, "", ""
			for g := range val.Groups {
				val.Groups[g].EntriesRead = nil
			}
		}
	}
	var b bytes.Buffer
	require.NoError(t, redistest.WriteRecords(&b, recs))
	return b.String()
}
