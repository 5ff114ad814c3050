// Package corpustest finds container blobs (listpacks, ziplists, intsets, zipmaps) inside
// the RDB files of the shared corpus, for the container packages' tests. It is a test-only
// sniffer, not a parser, and must never be imported by non-test code.
package corpustest

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/redisctl/redisctl/rdb/lzf"
)

// Dir is ../shared/rdb-corpus beside the module root (read in
// place, never copied).
func Dir(t testing.TB) string {
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "..", "..", "..", "shared", "rdb-corpus")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("rdb corpus not found at %s", dir)
	}
	return dir
}

// rdbString decodes an RDB string (raw or LZF) starting at b[i], or
// returns ok=false. It is a test-only sniffer, not a parser.
func rdbString(b []byte, i int) ([]byte, bool) {
	readLen := func(i int) (n uint64, next int, special bool, ok bool) {
		if i >= len(b) {
			return 0, 0, false, false
		}
		switch c := b[i]; {
		case c>>6 == 0:
			return uint64(c & 0x3f), i + 1, false, true
		case c>>6 == 1:
			if i+2 > len(b) {
				return 0, 0, false, false
			}
			return uint64(c&0x3f)<<8 | uint64(b[i+1]), i + 2, false, true
		case c == 0x80:
			if i+5 > len(b) {
				return 0, 0, false, false
			}
			return uint64(binary.BigEndian.Uint32(b[i+1:])), i + 5, false, true
		case c>>6 == 3:
			return uint64(c & 0x3f), i + 1, true, true
		}
		return 0, 0, false, false
	}
	n, i, special, ok := readLen(i)
	if !ok {
		return nil, false
	}
	if !special {
		if n > uint64(len(b)-i) {
			return nil, false
		}
		return b[i : i+int(n)], true
	}
	if n != 3 {
		return nil, false
	}
	clen, i, _, ok := readLen(i)
	if !ok {
		return nil, false
	}
	ulen, i, _, ok := readLen(i)
	if !ok || clen > uint64(len(b)-i) || ulen > 1<<20 || ulen == 0 {
		return nil, false
	}
	out, err := lzf.Decompress(make([]byte, 0, ulen), b[i:i+int(clen)])
	if err != nil || uint64(len(out)) != ulen {
		return nil, false
	}
	return out, true
}

// Embedded returns every RDB string in file that looks like a container
// blob accepted by keep.
func Embedded(t testing.TB, file string, keep func([]byte) bool) [][]byte {
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for i := range b {
		if s, ok := rdbString(b, i); ok && keep(s) {
			out = append(out, s)
		}
	}
	return out
}
