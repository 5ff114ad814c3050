package persist

import (
	"bytes"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// syncCall is one call autoSync made: sync_file_range (flags) or, with flags
// dropCall, POSIX_FADV_DONTNEED on [off, off+n).
type syncCall struct {
	off, n int64
	flags  int
}

const dropCall = -1

func recordSyncs(w *autoSync, fail error) *[]syncCall {
	calls := &[]syncCall{}
	w.sync = func(fd int, off, n int64, flags int) error {
		*calls = append(*calls, syncCall{off, n, flags})
		return fail
	}
	w.advise = func(fd int, off, n int64, advice int) error {
		if advice != unix.FADV_DONTNEED {
			panic("unexpected advice")
		}
		*calls = append(*calls, syncCall{off, n, dropCall})
		return nil
	}
	return calls
}

// TestAutoSyncSequence: the calls are the ones strace shows for redis-server 7.0.15's
// BGSAVE child: start the writeout of each 4 MB chunk, then wait for the one before;
// then, as Redis 7.2 does, drop from the page cache what is on disk.
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
			{4 * mb, 4 * mb, syncRangeWrite}, {0, 4 * mb, wait}, {0, 4 * mb, dropCall},
			{8 * mb, 4 * mb, syncRangeWrite}, {4 * mb, 4 * mb, wait}, {0, 8 * mb, dropCall},
		}},
		{"uneven writes make uneven chunks", []int{3 * mb, 3 * mb, 5 * mb}, []syncCall{
			{0, 6 * mb, syncRangeWrite},
			{6 * mb, 5 * mb, syncRangeWrite}, {0, 6 * mb, wait}, {0, 6 * mb, dropCall},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := createFile(t, t.TempDir())
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
	f := createFile(t, t.TempDir())

	w := newAutoSync(f)
	calls := recordSyncs(w, syscall.ENOSYS)
	_, err := w.Write(chunk)
	require.NoError(t, err)
	require.True(t, w.plain)
	_, err = w.Write(chunk)
	require.NoError(t, err)
	// After the fallback sync_file_range is not tried again; each fdatasync leaves all
	// that was written on disk, and that much is dropped.
	require.Equal(t, []syncCall{{0, autoSyncBytes, syncRangeWrite}, {0, autoSyncBytes, dropCall}, {0, 2 * autoSyncBytes, dropCall}}, *calls)

	w = newAutoSync(f)
	recordSyncs(w, syscall.EIO)
	n, err := w.Write(chunk)
	require.ErrorIs(t, err, syscall.EIO)
	require.Equal(t, len(chunk), n, "the bytes were written; the sync failed")
}

// TestAutoSyncRealFile runs the real system call on a temporary file.
func TestAutoSyncRealFile(t *testing.T) {
	f := createFile(t, t.TempDir())
	w := writeMBs(t, f, 9)
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
			require.Len(t, *calls, 4, "two chunks pushed, the first waited for and dropped")
		}
	}
}

// resident returns the share of the file's pages in [0, end) that are in the page
// cache (mincore on a read-only mapping).
func resident(t *testing.T, f *os.File, end int64) float64 {
	t.Helper()
	m, err := unix.Mmap(int(f.Fd()), 0, int(end), unix.PROT_READ, unix.MAP_SHARED)
	require.NoError(t, err)
	defer unix.Munmap(m)
	page := int64(os.Getpagesize())
	vec := make([]byte, (end+page-1)/page)
	_, _, errno := unix.Syscall(unix.SYS_MINCORE, uintptr(unsafe.Pointer(&m[0])), uintptr(len(m)), uintptr(unsafe.Pointer(&vec[0])))
	require.Zero(t, errno, "mincore")
	in := 0
	for _, v := range vec {
		in += int(v & 1)
	}
	return float64(in) / float64(len(vec))
}

// skipOnTmpfs: fadvise does not drop a memory file system's pages.
func skipOnTmpfs(t *testing.T, dir string) {
	var st unix.Statfs_t
	require.NoError(t, unix.Statfs(dir, &st))
	if st.Type == unix.TMPFS_MAGIC {
		t.Skipf("%s is tmpfs: its pages cannot leave the page cache", dir)
	}
}

// TestAutoSyncReclaimsRealFile: on a real file system, what is on disk leaves the page
// cache while the file is written; the chunk last pushed may stay.
func TestAutoSyncReclaimsRealFile(t *testing.T) {
	dir := t.TempDir()
	skipOnTmpfs(t, dir)
	f := createFile(t, dir)
	w := writeMBs(t, f, 13)
	require.Equal(t, int64(12<<20), w.chunk)
	require.Less(t, resident(t, f, 8<<20), 0.1, "the first two chunks, waited for, are dropped")
	require.Greater(t, resident(t, f, 13<<20), 0.0, "the chunks not yet waited for stay")
}

// TestFileSinkReclaimsSavedFile: after a save the whole file leaves the page cache,
// with rdb-save-incremental-fsync or without.
func TestFileSinkReclaimsSavedFile(t *testing.T) {
	for _, incremental := range []bool{true, false} {
		dir := t.TempDir()
		skipOnTmpfs(t, dir)
		s := newFileSink(dir, "dump.rdb", 1, HeaderOptions{}, incremental)
		require.NoError(t, s.openErr)
		piece := bytes.Repeat([]byte("z"), 64<<10)
		for range 6 << 4 { // 6 MB
			_, err := s.bw.Write(piece)
			require.NoError(t, err)
		}
		require.NoError(t, s.End(nil))
		require.NoError(t, s.reclaimErr)
		f, err := os.Open(filepath.Join(dir, "dump.rdb"))
		require.NoError(t, err)
		require.Less(t, resident(t, f, 6<<20), 0.1, "incremental=%v", incremental)
		f.Close()
	}
}

// createFile creates dir/f, closed when the test ends.
func createFile(t *testing.T, dir string) *os.File {
	t.Helper()
	f, err := os.Create(filepath.Join(dir, "f"))
	require.NoError(t, err)
	t.Cleanup(func() { f.Close() })
	return f
}

// writeMBs writes n MB to f through a real autoSync, 1 MB at a time (bufio's size).
func writeMBs(t *testing.T, f *os.File, n int) *autoSync {
	t.Helper()
	w := newAutoSync(f)
	p := bytes.Repeat([]byte("x"), 1<<20)
	for range n {
		_, err := w.Write(p)
		require.NoError(t, err)
	}
	return w
}
