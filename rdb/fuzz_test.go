package rdb

import (
	"bytes"
	"errors"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

const fuzzMaxInput = 1 << 20

func addCorpusSeeds(f *testing.F) {
	for _, path := range corpusFiles(f) {
		data, err := os.ReadFile(path)
		require.NoError(f, err)
		if len(data) <= fuzzMaxInput {
			f.Add(data)
		}
	}
}

// FuzzDecode: any input either decodes or fails with an *Error; never a
// panic, never an allocation past the limit.
func FuzzDecode(f *testing.F) {
	addCorpusSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > fuzzMaxInput {
			return
		}
		for _, deep := range []bool{false, true} {
			_, err := drain(bytes.NewReader(data), &Options{Deep: deep, BufferSize: 4096, MaxLen: 4 << 20, SkipChecksum: true})
			if err != nil {
				var e *Error
				if !errors.As(err, &e) {
					t.Fatalf("error is not an *Error: %T %v", err, err)
				}
			}
		}
	})
}

// FuzzDumpDecode: DUMP payloads, with and without the checksum check.
func FuzzDumpDecode(f *testing.F) {
	for _, v := range sampleValues() {
		p, err := EncodeDump(v, nil)
		require.NoError(f, err)
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		for _, skip := range []bool{false, true} {
			d, err := DecodeDump(payload, &Options{SkipChecksum: skip, Deep: true, MaxLen: 4 << 20})
			if err != nil {
				var de *DumpError
				require.True(t, errors.As(err, &de))
				continue
			}
			for d.Next() {
				_ = d.Value()
			}
			if err := d.Err(); err != nil {
				var e *Error
				require.True(t, errors.As(err, &e), "%T %v", err, err)
			}
		}
	})
}

// FuzzRoundtrip: whatever decodes cleanly re-encodes (at RDB 10 and 12) to
// a file that decodes to the same values.
func FuzzRoundtrip(f *testing.F) {
	addCorpusSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > fuzzMaxInput {
			return
		}
		src, err := readModel(data, &Options{Deep: true, MaxLen: 4 << 20, SkipChecksum: true})
		if err != nil {
			return
		}
		// Keep values Redis could hold: no duplicate members or fields.
		var keys []fileKey
		for _, k := range src.Keys {
			if valid(k.Value) {
				keys = append(keys, k)
			}
		}
		src.Keys = keys
		for _, ver := range []int{10, 12} {
			out, kept := writeModel(t, src, ver)
			got, err := readModel(out, &Options{Deep: true})
			require.NoError(t, err)
			require.Equal(t, len(kept), len(got.Keys))
			for i, k := range kept {
				require.Equal(t, canon(k.Value, src.Version, ver), canon(got.Keys[i].Value, src.Version, ver))
			}
		}
	})
}

func valid(v *Value) bool {
	seen := map[string]bool{}
	dup := func(b []byte) bool {
		if seen[string(b)] {
			return true
		}
		seen[string(b)] = true
		return false
	}
	switch v.Kind {
	case KindSet:
		for _, m := range v.Set {
			if dup(m) {
				return false
			}
		}
	case KindHash:
		for _, h := range v.Hash {
			if dup(h.Field) || h.Expire < 0 || h.Expire > hashExpireMax {
				return false
			}
		}
	case KindZSet:
		for _, m := range v.ZSet {
			if dup(m.Member) {
				return false
			}
		}
	case KindStream:
		for i, e := range v.Stream.Entries {
			if len(e.Fields) == 0 || i > 0 && !v.Stream.Entries[i-1].ID.Less(e.ID) {
				return false
			}
		}
	case KindList, KindString, KindModule:
	}
	return true
}
