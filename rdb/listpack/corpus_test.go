package listpack

import (
	"path/filepath"
	"testing"

	"github.com/redisctl/redisctl/rdb/internal/corpustest"
	"github.com/stretchr/testify/require"
)

// TestCorpus validates every listpack embedded in the shared corpus
// (Redis 7.x and Valkey hashes, sets, zsets, quicklist nodes and streams)
// and checks that re-encoding the values gives the same bytes.
func TestCorpus(t *testing.T) {
	dir := corpustest.Dir(t)
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*.rdb"))
	found, identical := 0, 0
	for _, f := range files {
		for _, lp := range corpustest.Embedded(t, f, func(b []byte) bool {
			_, err := Validate(b)
			return err == nil && len(b) > emptySize
		}) {
			found++
			n, _ := Validate(lp)
			vals := values(t, lp)
			if len(vals) != n {
				t.Errorf("%s: %d values, Validate says %d", f, len(vals), n)
			}
			if string(build(vals)) == string(lp) {
				identical++
			} else {
				t.Errorf("%s: re-encoded listpack differs", filepath.Base(f))
			}
		}
	}
	t.Logf("corpus: %d listpacks, %d re-encode byte-identically", found, identical)
	require.Greater(t, found, 10)
}
