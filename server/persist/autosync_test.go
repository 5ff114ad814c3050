package persist

import (
	"bytes"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

type syncCall struct {
	off, n int64
	flags  int
}

func recordSyncs(w *autoSync, fail error) *[]syncCall {
	calls := &[]syncCall{}
	w.sync = func(fd int, off, n int64, flags int) error {
		*calls = append(*calls, syncCall{off, n, flags})
		return fail
	}
	return calls
}

// TestAutoSyncSequence: the calls are the ones strace shows for redis-server 7.0.15's
// BGSAVE child: start the writeout of each 4 MB chunk, then wait for the one before.
func TestAutoSyncSequence(t *testing.T) {
	const mb = 1 << 20
	wait := syncRangeWaitBefore | syncRangeWrite | syncRangeWaitAfter
	tests := []struct {
		name   string
		writes []int // sizes, in bytes
		want   []syncCall
	}{
		{"under one chunk", []int{mb, mb, mb}, []syncCall{}},
		{"one chunk", []int{4 * mb}, []syncCall{{0, 4 * mb, syncRangeWrite}}},
		{"bufio-sized writes", []int{mb, mb, mb, mb, mb, mb, mb, mb, mb, mb, mb, mb, mb}, []syncCall{
			{0, 4 * mb, syncRangeWrite},
			{4 * mb, 4 * mb, syncRangeWrite}, {0, 4 * mb, wait},
			{8 * mb, 4 * mb, syncRangeWrite}, {4 * mb, 4 * mb, wait},
		}},
		{"uneven writes make uneven chunks", []int{3 * mb, 3 * mb, 5 * mb}, []syncCall{
			{0, 6 * mb, syncRangeWrite},
			{6 * mb, 5 * mb, syncRangeWrite}, {0, 6 * mb, wait},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := os.Create(filepath.Join(t.TempDir(), "f"))
			require.NoError(t, err)
			defer f.Close()
			w := newAutoSync(f)
			calls := recordSyncs(w, nil)
			var all []byte
			for i, size := range tc.writes {
				p := bytes.Repeat([]byte{byte('a' + i)}, size)
				all = append(all, p...)
				n, err := w.Write(p)
				require.NoError(t, err)
				require.Equal(t, size, n)
			}
			require.Equal(t, tc.want, *calls)
			got, err := os.ReadFile(f.Name())
			require.NoError(t, err)
			require.True(t, bytes.Equal(all, got), "file content")
		})
	}
}

// TestAutoSyncErrors: where sync_file_range is missing the writer falls back to
// fdatasync for good; any other failure is the write's error.
func TestAutoSyncErrors(t *testing.T) {
	chunk := make([]byte, autoSyncBytes)
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	require.NoError(t, err)
	defer f.Close()

	w := newAutoSync(f)
	calls := recordSyncs(w, syscall.ENOSYS)
	_, err = w.Write(chunk)
	require.NoError(t, err)
	require.True(t, w.plain)
	_, err = w.Write(chunk)
	require.NoError(t, err)
	require.Len(t, *calls, 1, "after the fallback sync_file_range is not tried again")

	w = newAutoSync(f)
	recordSyncs(w, syscall.EIO)
	n, err := w.Write(chunk)
	require.ErrorIs(t, err, syscall.EIO)
	require.Equal(t, len(chunk), n, "the bytes were written; the sync failed")
}

// TestAutoSyncRealFile runs the real system call on a temporary file.
func TestAutoSyncRealFile(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	require.NoError(t, err)
	defer f.Close()
	w := newAutoSync(f)
	p := bytes.Repeat([]byte("x"), 1<<20)
	for range 9 {
		_, err := w.Write(p)
		require.NoError(t, err)
	}
	require.Equal(t, int64(8<<20), w.chunk)
	fi, err := f.Stat()
	require.NoError(t, err)
	require.Equal(t, int64(9<<20), fi.Size())
}

// TestFileSinkIncrementalFsync: rdb-save-incremental-fsync decides whether the RDB file
// goes to disk in steps while it is written.
func TestFileSinkIncrementalFsync(t *testing.T) {
	for _, incremental := range []bool{true, false} {
		dir := t.TempDir()
		s := newFileSink(dir, "dump.rdb", 1, HeaderOptions{}, incremental)
		require.NoError(t, s.openErr)
		var calls *[]syncCall
		if incremental {
			require.NotNil(t, s.auto)
			calls = recordSyncs(s.auto, nil)
		} else {
			require.Nil(t, s.auto)
		}
		piece := make([]byte, 64<<10) // small writes, as the RDB writer's: bufio hands on 1 MB at a time
		for range 9 << 4 {
			_, err := s.bw.Write(piece)
			require.NoError(t, err)
		}
		require.NoError(t, s.bw.Flush())
		s.f.Close()
		if incremental {
			require.Len(t, *calls, 3, "two chunks pushed, the first waited for")
		}
	}
}
