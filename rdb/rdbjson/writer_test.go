package rdbjson_test

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/redisctl/redisctl/fixtures"
	"github.com/redisctl/redisctl/internal/redistest"
	"github.com/redisctl/redisctl/rdb"
	"github.com/redisctl/redisctl/rdb/rdbjson"
	"github.com/stretchr/testify/require"
)

// dumpFile renders every key of an RDB file as JSON lines.
func dumpFile(t *testing.T, path string, opts *rdbjson.WriterOptions) []byte {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	d := rdb.NewDecoder(f, nil)
	var out bytes.Buffer
	w := rdbjson.NewWriter(&out, opts)
	defer w.Close()
	for d.Next() {
		if d.Kind() == rdb.RecKeyBegin {
			_, err := w.WriteKey(d)
			require.NoError(t, err)
		}
	}
	require.NoError(t, d.Err())
	return out.Bytes()
}

// canonical parses JSON lines and re-renders them in the canonical order of the fixtures.
func canonical(t *testing.T, b []byte) string {
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

// TestFixturesDecodeToExpected: every fixture written by Redis 7.0 renders to exactly the
// records Redis itself reported for it. Small spill thresholds force the spill paths too.
func TestFixturesDecodeToExpected(t *testing.T) {
	m := fixtures.MustLoad(t)
	for _, fx := range m.RDB {
		for _, thr := range []int{0, 64} {
			t.Run(fx.Name, func(t *testing.T) {
				got := dumpFile(t, fixtures.Path(fx.File), &rdbjson.WriterOptions{SpillThreshold: thr, TempDir: t.TempDir()})
				want, err := os.ReadFile(fixtures.Path(fx.Expected))
				require.NoError(t, err)
				g, w := canonical(t, got), canonical(t, want)
				if g != w {
					gl, wl := strings.Split(g, "\n"), strings.Split(w, "\n")
					for i := range wl {
						if i >= len(gl) || gl[i] != wl[i] {
							gi := ""
							if i < len(gl) {
								gi = gl[i]
							}
							t.Fatalf("line %d differs:\n got: %.600s\nwant: %.600s", i+1, gi, wl[i])
						}
					}
					t.Fatalf("extra lines: %d vs %d", len(gl), len(wl))
				}
			})
		}
	}
}
