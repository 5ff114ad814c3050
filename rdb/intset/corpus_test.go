package intset

import (
	"path/filepath"
	"testing"

	"github.com/redisctl/redisctl/rdb/internal/corpustest"
)

// TestCorpus reads the intsets in the shared corpus (16, 32 and 64-bit,
// written by old Redis) and checks that rebuilding them with Add gives the
// same bytes.
func TestCorpus(t *testing.T) {
	dir := corpustest.Dir(t)
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*.rdb"))
	encs := map[int]int{}
	for _, f := range files {
		for _, is := range corpustest.Embedded(t, f, func(b []byte) bool {
			n, err := Validate(b)
			return err == nil && n > 1
		}) {
			vals := elements(t, is)
			re := New()
			for _, v := range vals {
				re, _ = Add(re, v)
			}
			// Bytes match unless the set once held a wider value that was
			// removed (the encoding never narrows).
			if Encoding(re) == Encoding(is) {
				if string(re) != string(is) {
					t.Errorf("%s: rebuilt intset differs", f)
				}
			}
			encs[Encoding(is)]++
		}
	}
	t.Logf("corpus intsets by encoding: %v", encs)
	for _, e := range []int{Enc16, Enc32, Enc64} {
		if encs[e] == 0 {
			t.Errorf("no %d-byte intset found in the corpus", e)
		}
	}
}
