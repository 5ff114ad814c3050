package persist

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/redisctl/redisctl/fixtures"
	"github.com/redisctl/redisctl/internal/redistest"
)

// copyFile copies src to dst.
func copyFile(t testing.TB, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(dst, b, 0o644))
}

// TestInteropFixtures: for every RDB real Redis 7.0 wrote (fixtures/), redisctl serve
// loads it at start to the dataset redis-server loads from it (types, encodings, values,
// TTLs), and the dump.rdb redisctl then SAVEs loads into redis-server to that same
// dataset, and passes redis-check-rdb.
func TestInteropFixtures(t *testing.T) {
	redistest.Require(t, "redis-server")
	files, err := filepath.Glob(fixtures.Path("*.rdb"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	ctx := context.Background()
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".rdb")
		t.Run(name, func(t *testing.T) {
			rs := redistest.Start(t, redistest.WithRDB(f))
			want, err := redistest.Snapshot(ctx, rs.Client())
			require.NoError(t, err)

			dir := t.TempDir()
			copyFile(t, f, filepath.Join(dir, "dump.rdb"))
			if name == "functions" && !scriptingAvailable(t) {
				t.Skip("function libraries need the scripting engine, which server.NewTable does not install yet")
			}
			ts := startServer(t, dir, nil, "--save", "")
			if strings.Contains(ts.log.String(), "Fatal error") {
				t.Fatalf("loading %s: %s", name, ts.log.String())
			}
			got, err := redistest.Snapshot(ctx, ts.client)
			require.NoError(t, err)
			requireSameRecords(t, want, got, "redisctl loaded "+name)
			if len(want) > 0 {
				require.Contains(t, ts.log.String(), "Loading RDB produced by version 7.0.15")
			}

			require.Equal(t, "OK", do(t, ts.client, "save"))
			ours := filepath.Join(dir, "dump.rdb")
			out, ok := redistest.CheckRDB(t, ours)
			require.True(t, ok, out)
			rs2 := redistest.Start(t, redistest.WithRDB(ours))
			back, err := redistest.Snapshot(ctx, rs2.Client())
			require.NoError(t, err)
			requireSameRecords(t, want, back, "redis-server loaded redisctl's save of "+name)
		})
	}
}

// scriptingAvailable reports whether redisctl serve has a function library registry.
func scriptingAvailable(t testing.TB) bool {
	ts := startServer(t, "", nil, "--save", "")
	e := ts.srv.Engine()
	e.Lock()
	defer e.Unlock()
	return e.Functions != nil
}

// requireSameRecords compares two datasets with their encodings.
func requireSameRecords(t testing.TB, want, got []redistest.Record, what string) {
	t.Helper()
	wl, gl := canonEnc(t, want), canonEnc(t, got)
	if !slicesEqual(wl, gl) {
		t.Fatalf("%s: datasets differ:\n%s", what, diffLines(wl, gl))
	}
}

func canonEnc(t testing.TB, rs []redistest.Record) []string {
	t.Helper()
	var sb strings.Builder
	require.NoError(t, redistest.WriteRecords(&sb, rs))
	s := strings.TrimSuffix(sb.String(), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}
