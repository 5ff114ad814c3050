package persist

import (
	"errors"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// autoSyncBytes is REDIS_AUTOSYNC_BYTES (Redis 7.0: 4 MB). With rdb-save-incremental-fsync
// or aof-rewrite-incremental-fsync, a snapshot file being written is pushed to disk in
// steps of this size, so the page cache never holds the whole file dirty and no single
// flush at the end (or the kernel's own writeback, 30 s later) hits the disk with
// hundreds of megabytes at once.
const autoSyncBytes = 4 << 20

// sync_file_range(2) flags (linux/fs.h).
const (
	syncRangeWaitBefore = 1
	syncRangeWrite      = 2
	syncRangeWaitAfter  = 4
)

// autoSync is rio's autosync as Redis 7.0 runs it on Linux (rioFileWrite): each time
// another autoSyncBytes have been written, start the writeout of that chunk without
// waiting (SYNC_FILE_RANGE_WRITE), then wait until the chunk before it is on disk
// (WAIT_BEFORE|WRITE|WAIT_AFTER). The writer runs at most two chunks ahead of the disk,
// and its own pace is the disk's. strace of redis-server 7.0.15's BGSAVE child shows
// exactly this sequence. The final fsync stays the caller's.
//
// After each step the part of the file known to be on disk, [0, start of the chunk just
// pushed), leaves the page cache (POSIX_FADV_DONTNEED): rio's reclaim_cache, which Redis
// 7.2 turned on beside autosync. Redis advises the whole file; the chunk still under
// writeout cannot be dropped yet, and asking for it too makes the kernel drain every
// CPU's page lists each time, so we leave it out. The page cache a save fills then stays
// at two chunks instead of the file's size: a snapshot neither pushes other files' pages
// out nor takes hundreds of megabytes of fresh memory from the machine, and the previous
// dump, unlinked by the rename at the end, frees almost nothing.
type autoSync struct {
	f  *os.File
	fd int
	// written counts the bytes written; chunk is where the chunk not yet pushed starts;
	// prev is where the chunk pushed last starts (it ends at chunk), not yet waited for.
	written, chunk, prev int64
	// plain: sync_file_range is not available here; fdatasync each chunk instead.
	plain bool
	// sync is syscall.SyncFileRange and advise unix.Fadvise; tests replace them to see
	// the calls. advise's errors are ignored, as Redis ignores them here: the page cache
	// not dropped is no damage to the file.
	sync   func(fd int, off, n int64, flags int) error
	advise func(fd int, off, n int64, advice int) error
}

func newAutoSync(f *os.File) *autoSync {
	return &autoSync{f: f, fd: int(f.Fd()), sync: syscall.SyncFileRange, advise: unix.Fadvise}
}

func (w *autoSync) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	w.written += int64(n)
	if err != nil {
		return n, err
	}
	if pending := w.written - w.chunk; pending >= autoSyncBytes {
		if err := w.push(w.chunk, pending); err != nil {
			return n, err
		}
		w.chunk = w.written
	}
	return n, nil
}

// push starts the writeout of [off, off+n) and waits for the chunk before it,
// [prev, off); the first chunk (off 0) has none. Then [0, off) is on disk and leaves
// the page cache.
func (w *autoSync) push(off, n int64) error {
	if w.plain {
		return w.datasync(off + n)
	}
	if err := w.sync(w.fd, off, n, syncRangeWrite); err != nil {
		return w.fallback(err, off+n)
	}
	if off > 0 {
		if err := w.sync(w.fd, w.prev, off-w.prev, syncRangeWaitBefore|syncRangeWrite|syncRangeWaitAfter); err != nil {
			return w.fallback(err, off+n)
		}
		w.reclaim(off)
	}
	w.prev = off
	return nil
}

// datasync is the step without sync_file_range: all written so far, [0, end), goes to
// disk and then leaves the page cache.
func (w *autoSync) datasync(end int64) error {
	if err := syscall.Fdatasync(w.fd); err != nil {
		return err
	}
	w.reclaim(end)
	return nil
}

// reclaim drops [0, end) of the file from the page cache.
func (w *autoSync) reclaim(end int64) {
	_ = w.advise(w.fd, 0, end, unix.FADV_DONTNEED)
}

// fallback is for a kernel or file system without sync_file_range (ENOSYS under some
// sandboxes, EINVAL or EOPNOTSUPP on special files): Redis built without
// HAVE_SYNC_FILE_RANGE calls fdatasync at the same points. Any other error is a write
// error, as rioFileWrite reports it. end is where the data written so far ends.
func (w *autoSync) fallback(err error, end int64) error {
	if errors.Is(err, syscall.ENOSYS) || errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.EOPNOTSUPP) || errors.Is(err, syscall.ESPIPE) {
		w.plain = true
		return w.datasync(end)
	}
	return err
}

// reclaimFile drops a whole file, just fsynced, from the page cache
// (reclaimFilePageCache(fd, 0, 0) after a save or a rewrite).
func reclaimFile(f *os.File) error {
	return unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED)
}
