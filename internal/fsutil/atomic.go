package fsutil

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// AtomicFile is a file being written under a temporary name next to its target. Nothing is
// visible at the target path until Commit; Abort (or a failed Commit) removes the temporary.
type AtomicFile struct {
	*bufio.Writer
	f      *os.File
	target string
	done   bool
}

// CreateAtomic starts writing path. The temporary lives in the same directory so the final
// rename cannot cross file systems.
func CreateAtomic(path string) (*AtomicFile, error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, err
	}
	return &AtomicFile{Writer: bufio.NewWriterSize(f, 1<<20), f: f, target: path}, nil
}

// TempName is the temporary path being written.
func (a *AtomicFile) TempName() string { return a.f.Name() }

// Commit flushes, fsyncs, renames the temporary over the target and fsyncs the directory.
func (a *AtomicFile) Commit() error {
	if a.done {
		return errors.New("fsutil: commit of a finished file")
	}
	a.done = true
	err := a.Writer.Flush()
	if err == nil {
		err = a.f.Sync()
	}
	if cerr := a.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(a.f.Name(), a.target)
	}
	if err != nil {
		os.Remove(a.f.Name())
		return fmt.Errorf("writing %s: %w", a.target, err)
	}
	return SyncDir(filepath.Dir(a.target))
}

// Abort discards the temporary file. It is safe to call after Commit (it does nothing).
func (a *AtomicFile) Abort() {
	if a.done {
		return
	}
	a.done = true
	a.f.Close()
	os.Remove(a.f.Name())
}

// SyncDir fsyncs a directory so a rename or a new file in it survives a crash.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("fsync %s: %w", dir, err)
	}
	return nil
}

// WriteFileAtomic writes path through fn with the guarantees of AtomicFile.
func WriteFileAtomic(path string, fn func(w *bufio.Writer) error) error {
	a, err := CreateAtomic(path)
	if err != nil {
		return err
	}
	if err := fn(a.Writer); err != nil {
		a.Abort()
		return err
	}
	return a.Commit()
}
