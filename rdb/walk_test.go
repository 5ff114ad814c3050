package rdb

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

type countingVisitor struct {
	NopVisitor
	keys, fields int
	dbs          map[int]bool
	stop         bool
}

func (c *countingVisitor) BeginKey(k *KeyInfo) error {
	c.keys++
	c.dbs[k.DB] = true
	if c.stop {
		return errors.New("stop")
	}
	return nil
}

func (c *countingVisitor) HashField(k *KeyInfo, f, v []byte, exp int64) error {
	c.fields++
	return nil
}

func TestWalk(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(corpusDir(t), "rdbtools", "multiple_databases.rdb"))
	require.NoError(t, err)
	v := &countingVisitor{dbs: map[int]bool{}}
	require.NoError(t, Walk(bytes.NewReader(data), v))
	require.Equal(t, 2, v.keys)
	require.Equal(t, map[int]bool{0: true, 2: true}, v.dbs)

	v = &countingVisitor{dbs: map[int]bool{}, stop: true}
	require.EqualError(t, Walk(bytes.NewReader(data), v), "stop")
}
