package rdb

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// fileKey is one key of a decoded file in logical form.
type fileKey struct {
	DB     int
	Key    []byte
	Expire int64
	Type   Type
	Value  *Value
}

type fileModel struct {
	Version   int
	Functions [][]byte
	Keys      []fileKey
}

func readModel(data []byte, opts *Options) (*fileModel, error) {
	d := NewDecoder(bytes.NewReader(data), opts)
	m := &fileModel{}
	for d.Next() {
		m.Version = d.Version()
		switch d.Kind() {
		case RecFunction:
			m.Functions = append(m.Functions, bytes.Clone(d.Value()))
		case RecKeyBegin:
			k := fileKey{DB: d.DB(), Key: bytes.Clone(d.Key()), Expire: d.Expire(), Type: d.Type()}
			v, err := d.ReadValue()
			if err != nil {
				return m, err
			}
			k.Value = v
			m.Keys = append(m.Keys, k)
		}
	}
	return m, d.Err()
}

// writeModel encodes m at version ver, skipping what that version cannot
// hold; skipped says which keys were left out.
func writeModel(t testing.TB, m *fileModel, ver int) (out []byte, kept []fileKey) {
	var buf bytes.Buffer
	e, err := NewEncoder(&buf, &EncoderOptions{Version: ver, Ctime: 1700000000})
	require.NoError(t, err)
	if ver >= 10 {
		for _, f := range m.Functions {
			require.NoError(t, e.WriteFunction(f))
		}
	}
	db := -1
	for _, k := range m.Keys {
		if k.DB != db {
			db = k.DB
			require.NoError(t, e.SelectDB(db, 0, 0))
		}
		key := &Key{Name: k.Key}
		if k.Expire >= 0 {
			key.Expire = k.Expire
		}
		err := e.WriteValue(key, k.Value)
		if errors.Is(err, ErrUnsupported) {
			continue
		}
		require.NoError(t, err, "key %q", k.Key)
		kept = append(kept, k)
	}
	require.NoError(t, e.Close())
	return buf.Bytes(), kept
}

// canon puts a value in a comparable form: unordered collections sorted,
// and stream fields the versions may not both carry dropped.
func canon(v *Value, srcVer, dstVer int) *Value {
	c := *v
	c.Set = slices.Clone(v.Set)
	slices.SortFunc(c.Set, bytes.Compare)
	c.Hash = slices.Clone(v.Hash)
	slices.SortFunc(c.Hash, func(a, b HashField) int { return bytes.Compare(a.Field, b.Field) })
	c.ZSet = slices.Clone(v.ZSet)
	slices.SortFunc(c.ZSet, zcmp)
	if v.Stream != nil {
		s := *v.Stream
		if s.Length == 0 {
			s.Length = uint64(len(s.Entries))
		}
		s.Groups = slices.Clone(s.Groups)
		slices.SortFunc(s.Groups, func(a, b StreamGroupValue) int { return bytes.Compare(a.Name, b.Name) })
		minVer := min(srcVer, dstVer)
		if minVer < 10 {
			s.FirstID, s.MaxDeletedID, s.EntriesAdded = StreamID{}, StreamID{}, 0
		}
		for i := range s.Groups {
			g := s.Groups[i]
			if minVer < 10 {
				g.EntriesRead = 0
			}
			g.PEL = slices.Clone(g.PEL)
			slices.SortFunc(g.PEL, func(a, b StreamPending) int { return cmpID(a.ID, b.ID) })
			g.Consumers = slices.Clone(g.Consumers)
			slices.SortFunc(g.Consumers, func(a, b StreamConsumerValue) int { return bytes.Compare(a.Name, b.Name) })
			for j := range g.Consumers {
				if minVer < 11 {
					g.Consumers[j].ActiveTime = 0
				}
			}
			s.Groups[i] = g
		}
		c.Stream = &s
	}
	return &c
}

func TestRoundTripCorpus(t *testing.T) {
	for _, path := range corpusFiles(t) {
		if isCorruptFixture(path) {
			continue
		}
		name := filepath.Base(filepath.Dir(path)) + "/" + filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(path)
			require.NoError(t, err)
			src, err := readModel(data, nil)
			require.NoError(t, err)
			for ver := MinWriteVersion; ver <= MaxWriteVersion; ver++ {
				t.Run(fmt.Sprint(ver), func(t *testing.T) {
					out, kept := writeModel(t, src, ver)
					got, err := readModel(out, &Options{Deep: true})
					require.NoError(t, err)
					require.Equal(t, len(kept), len(got.Keys))
					for i, k := range kept {
						g := got.Keys[i]
						require.Equal(t, k.DB, g.DB)
						require.Equal(t, string(k.Key), string(g.Key))
						require.Equal(t, k.Expire, g.Expire, "key %q", k.Key)
						require.Equal(t, canon(k.Value, src.Version, ver), canon(g.Value, src.Version, ver), "key %q type %v -> %v", k.Key, k.Type, g.Type)
					}
				})
			}
		})
	}
}
