package rdb

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// corpusDir is the shared read-only corpus beside the checkout.
func corpusDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("module root not found")
		}
		dir = parent
	}
	c := filepath.Join(dir, "..", "shared", "rdb-corpus")
	if _, err := os.Stat(c); err != nil {
		t.Skipf("corpus not found at %s", c)
	}
	return c
}

func corpusFiles(t testing.TB) []string {
	dir := corpusDir(t)
	var out []string
	for _, sub := range []string{"redis", "rdbtools", "hdt3213"} {
		m, err := filepath.Glob(filepath.Join(dir, sub, "*.rdb"))
		require.NoError(t, err)
		out = append(out, m...)
	}
	require.NotEmpty(t, out)
	return out
}

func isCorruptFixture(path string) bool {
	return strings.HasPrefix(filepath.Base(path), "corrupt_")
}

// deepRejected lists corpus files that decode, but that deep validation
// rejects exactly as Redis 7.0.15 (redis-check-rdb) does.
var deepRejected = map[string]string{
	"hdt3213/zipmap_big_len.rdb": "zmlen 255", // "Zipmap integrity check failed"
}

func corpusName(path string) string {
	return filepath.Base(filepath.Dir(path)) + "/" + filepath.Base(path)
}

func TestCorpusDecodes(t *testing.T) {
	for _, path := range corpusFiles(t) {
		name := filepath.Base(filepath.Dir(path)) + "/" + filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(path)
			require.NoError(t, err)
			for _, deep := range []bool{false, true} {
				d := NewDecoder(bytes.NewReader(data), &Options{Deep: deep})
				n := 0
				var last RecordKind
				for d.Next() {
					n++
					last = d.Kind()
				}
				err = d.Err()
				if why, ok := deepRejected[corpusName(path)]; ok && deep {
					require.ErrorIs(t, err, ErrCorrupt)
					require.ErrorContains(t, err, why)
					continue
				}
				if isCorruptFixture(path) {
					var e *Error
					require.Error(t, err)
					require.True(t, errors.As(err, &e), "%v", err)
					require.Greater(t, e.Offset, int64(0))
					t.Logf("deep=%v: %v", deep, err)
					continue
				}
				require.NoError(t, err, "after %d records", n)
				require.Equal(t, RecEOF, last)
			}
		})
	}
}
