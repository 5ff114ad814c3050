package fsutil

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/pierrec/lz4/v4"
	"github.com/stretchr/testify/require"
)

func TestOpenDetectsContainers(t *testing.T) {
	payload := bytes.Repeat([]byte("REDIS0010 hello world "), 1000)
	dir := t.TempDir()

	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write(payload)
	require.NoError(t, zw.Close())

	var l4 bytes.Buffer
	lw := lz4.NewWriter(&l4)
	_, _ = lw.Write(payload)
	require.NoError(t, lw.Close())

	cases := []struct {
		name string
		data []byte
		want Compression
	}{
		{"plain.rdb", payload, None},
		{"x.rdb.gz", gz.Bytes(), Gzip},
		{"no-extension", l4.Bytes(), LZ4},
		{"empty", nil, None},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(dir, c.name)
			require.NoError(t, os.WriteFile(p, c.data, 0o644))
			in, err := Open(p)
			require.NoError(t, err)
			defer in.Close()
			require.Equal(t, c.want, in.Compression)
			require.Equal(t, int64(len(c.data)), in.Size)
			got, err := io.ReadAll(in)
			require.NoError(t, err)
			if c.data == nil {
				require.Empty(t, got)
			} else {
				require.Equal(t, payload, got)
			}
		})
	}
}

func TestOpenMissing(t *testing.T) {
	_, err := Open(filepath.Join(t.TempDir(), "nope"))
	require.True(t, errors.Is(err, os.ErrNotExist))
}

func TestAtomicWrite(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "out.rdb")
	require.NoError(t, os.WriteFile(p, []byte("old"), 0o644))

	// A failing writer leaves the old file and no temporary behind.
	err := WriteFileAtomic(p, func(w *bufio.Writer) error {
		_, _ = w.WriteString("partial")
		return errors.New("boom")
	})
	require.Error(t, err)
	b, _ := os.ReadFile(p)
	require.Equal(t, "old", string(b))
	ents, _ := os.ReadDir(dir)
	require.Len(t, ents, 1)

	require.NoError(t, WriteFileAtomic(p, func(w *bufio.Writer) error {
		_, err := w.WriteString("new")
		return err
	}))
	b, _ = os.ReadFile(p)
	require.Equal(t, "new", string(b))
	ents, _ = os.ReadDir(dir)
	require.Len(t, ents, 1)
}
