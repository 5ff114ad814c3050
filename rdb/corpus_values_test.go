package rdb

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

func corpusModel(t *testing.T, rel string) (*fileModel, []byte) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(corpusDir(t), rel))
	require.NoError(t, err)
	_, rejected := deepRejected[rel]
	m, err := readModel(data, &Options{Deep: !rejected})
	require.NoError(t, err)
	return m, data
}

func keyByName(t *testing.T, m *fileModel, name string) fileKey {
	t.Helper()
	for _, k := range m.Keys {
		if string(k.Key) == name {
			return k
		}
	}
	t.Fatalf("key %q not found", name)
	return fileKey{}
}

func TestCorpusIntsets(t *testing.T) {
	for _, c := range []struct {
		file  string
		width int
		min   int64
	}{{"intset_16", 2, 1 << 14}, {"intset_32", 4, 1 << 30}, {"intset_64", 8, 1 << 62}} {
		m, _ := corpusModel(t, "rdbtools/"+c.file+".rdb")
		k := keyByName(t, m, c.file)
		require.Equal(t, TypeSetIntset, k.Type)
		require.Len(t, k.Value.Set, 3)
		for _, s := range k.Value.Set {
			v, err := strconv.ParseInt(string(s), 10, 64)
			require.NoError(t, err)
			require.Greater(t, v, c.min, "%s holds values needing %d bytes", c.file, c.width)
		}
	}
}

func TestCorpusExpiryAndDatabases(t *testing.T) {
	m, _ := corpusModel(t, "rdbtools/keys_with_expiry.rdb")
	k := keyByName(t, m, "expires_ms_precision")
	require.Equal(t, int64(1671963072573), k.Expire)
	require.Equal(t, "2022-12-25 10:11:12.573 UTC", string(k.Value.String))

	m, _ = corpusModel(t, "rdbtools/multiple_databases.rdb")
	require.Equal(t, 0, keyByName(t, m, "key_in_zeroth_database").DB)
	require.Equal(t, 2, keyByName(t, m, "key_in_second_database").DB)
}

func TestCorpusSizes(t *testing.T) {
	m, _ := corpusModel(t, "rdbtools/linkedlist.rdb")
	require.Len(t, keyByName(t, m, "force_linkedlist").Value.List, 1000)
	m, _ = corpusModel(t, "rdbtools/dictionary.rdb")
	require.Len(t, keyByName(t, m, "force_dictionary").Value.Hash, 1000)
	m, _ = corpusModel(t, "rdbtools/regular_sorted_set.rdb")
	require.Len(t, keyByName(t, m, "force_sorted_set").Value.ZSet, 500)
	m, _ = corpusModel(t, "rdbtools/rdb_version_8_with_64b_length_and_scores.rdb")
	z := keyByName(t, m, "bigset")
	require.Equal(t, TypeZSet2, z.Type)
	require.Len(t, z.Value.ZSet, 1000)
	require.InDelta(t, 1.618, z.Value.ZSet[0].Score, 1e-12)
	m, _ = corpusModel(t, "rdbtools/easily_compressible_string_key.rdb")
	require.Equal(t, bytes.Repeat([]byte("a"), 200), m.Keys[0].Key)
	m, _ = corpusModel(t, "rdbtools/zipmap_with_big_values.rdb")
	var long int
	for _, f := range keyByName(t, m, "zipmap_with_big_values").Value.Hash {
		long = max(long, len(f.Value))
	}
	require.GreaterOrEqual(t, long, 254, "a value needing the 5-byte zipmap length")
	m, _ = corpusModel(t, "hdt3213/zipmap_big_len.rdb")
	require.Equal(t, TypeHashZipmap, m.Keys[0].Type)
	require.Len(t, m.Keys[0].Value.Hash, 2)
}

func TestCorpusModulesFunctionsHFE(t *testing.T) {
	_, data := corpusModel(t, "rdbtools/redis_40_with_module.rdb")
	d := NewDecoder(bytes.NewReader(data), nil)
	var mod Module
	for d.Next() {
		if d.Kind() == RecModule {
			mod = d.Module()
		}
	}
	require.NoError(t, d.Err())
	require.Equal(t, "ReJSON-RL", mod.Name)

	_, data = corpusModel(t, "rdbtools/redis_60_with_module_aux.rdb")
	d = NewDecoder(bytes.NewReader(data), nil)
	mod = Module{}
	for d.Next() {
		if d.Kind() == RecModuleAux {
			mod = d.Module()
		}
	}
	require.NoError(t, d.Err())
	require.Equal(t, "test__rdb", mod.Name)
	require.Equal(t, 2, mod.When)
	id, ok := ModuleID("test__rdb", mod.EncVer)
	require.True(t, ok)
	require.Equal(t, mod.ID, id)

	m, _ := corpusModel(t, "hdt3213/function.rdb")
	require.Len(t, m.Functions, 1)
	require.Contains(t, string(m.Functions[0]), "#!lua name=mylib")

	m, _ = corpusModel(t, "hdt3213/hash_with_hfe.rdb")
	h := keyByName(t, m, "hash-hfe")
	require.Equal(t, TypeHashMetadata, h.Type)
	ttls := 0
	for _, f := range h.Value.Hash {
		if f.Expire != 0 {
			ttls++
			require.Greater(t, f.Expire, int64(1700000000000))
		}
	}
	require.Equal(t, 3, ttls)

	m, _ = corpusModel(t, "hdt3213/valkey_hash2_with_hfe.rdb")
	require.Equal(t, 80, m.Version)
	h = keyByName(t, m, "hash2-hfe")
	require.Equal(t, TypeValkeyHash2, h.Type)
	require.Len(t, h.Value.Hash, 3)

	m, _ = corpusModel(t, "rdbtools/redis_50_with_streams.rdb")
	var st *Stream
	for _, k := range m.Keys {
		if k.Value.Kind == KindStream {
			st = k.Value.Stream
		}
	}
	require.NotNil(t, st)
	require.NotEmpty(t, st.Entries)
	require.NotEmpty(t, st.Groups)
}
