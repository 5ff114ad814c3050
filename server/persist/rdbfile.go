package persist

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/rdbobj"
	"github.com/redisctl/redisctl/rdb"
	"github.com/redisctl/redisctl/rdb/crc64"
)

// HeaderOptions are the RDB header fields of a snapshot (rdbSaveInfoAuxFields).
type HeaderOptions struct {
	NoChecksum bool  // rdbchecksum no: a zero CRC-64 trailer
	AOFBase    bool  // aof-base 1: the RDB preamble of an AOF base file
	UsedMem    int64 // used-mem
	Ctime      int64 // ctime (0: the snapshot's T0)
	// NoEOF leaves out the EOF opcode and checksum trailer (never for an RDB file; an
	// AOF preamble is a whole RDB file too, so the AOF does not need it either).
	NoEOF bool
}

// RDBWriter is the engine.SnapshotSink that frames a snapshot as an RDB 10 file, as Redis
// 7.0's rdbSaveRio: REDIS0010, the AUX fields (redis-ver 7.0.15, redis-bits, ctime,
// used-mem, aof-base), one FUNCTION2 record per library, then per database SELECTDB and
// RESIZEDB (the T0 counts) before its first key, and EOF with the CRC-64 trailer. A chunk
// of another database than the previous one gets its own SELECTDB (hook pre-images may
// interleave databases; RDB loaders accept repeated SELECTDB, and RESIZEDB is written once
// per database). The CRC is computed here, on the writer goroutine, off the engine lock.
type RDBWriter struct {
	w    io.Writer
	opts HeaderOptions
	crc  uint64
	n    int64
	cur  int
	dbs  map[int]engine.SnapshotDB
	seen map[int]bool
	buf  []byte
}

// NewRDBWriter returns a sink writing the RDB stream to w (bufio it: chunks arrive in
// 64 KiB pieces).
func NewRDBWriter(w io.Writer, opts HeaderOptions) *RDBWriter {
	return &RDBWriter{w: w, opts: opts, cur: -1, seen: map[int]bool{}}
}

// Written is the number of bytes written so far.
func (r *RDBWriter) Written() int64 { return r.n }

func (r *RDBWriter) write(b []byte) error {
	if !r.opts.NoChecksum {
		r.crc = crc64.Update(r.crc, b)
	}
	n, err := r.w.Write(b)
	r.n += int64(n)
	if err != nil {
		return fmt.Errorf("persist: writing the RDB at offset %d: %w", r.n, err)
	}
	return nil
}

// Begin writes the header, the AUX fields and the function libraries.
func (r *RDBWriter) Begin(st *engine.SnapshotStart) error {
	r.dbs = map[int]engine.SnapshotDB{}
	for _, d := range st.DBs {
		r.dbs[d.ID] = d
	}
	ctime := r.opts.Ctime
	if ctime == 0 {
		ctime = st.TimeMs / 1000
	}
	var hb bytes.Buffer
	enc, err := rdbobj.NewEncoder(&hb, &rdbobj.SaveOptions{NoChecksum: true, AOFBase: r.opts.AOFBase,
		UsedMem: r.opts.UsedMem, Ctime: ctime})
	if err != nil {
		return err
	}
	for _, code := range st.Functions {
		if err := enc.WriteFunction(code); err != nil {
			return err
		}
	}
	if err := enc.Close(); err != nil {
		return err
	}
	// The encoder ends the stream with EOF and an 8-byte trailer: keep what precedes.
	h := hb.Bytes()
	if len(h) < 9+9 {
		return fmt.Errorf("persist: RDB header too short (%d bytes)", len(h))
	}
	return r.write(h[:len(h)-9])
}

// Write writes one chunk of key records.
func (r *RDBWriter) Write(c *engine.SnapshotChunk) error {
	if c.DB != r.cur {
		b := r.buf[:0]
		b = append(b, byte(rdb.OpSelectDB))
		b = rdb.AppendLen(b, uint64(c.DB))
		if !r.seen[c.DB] {
			r.seen[c.DB] = true
			d := r.dbs[c.DB]
			b = append(b, byte(rdb.OpResizeDB))
			b = rdb.AppendLen(b, uint64(d.Keys))
			b = rdb.AppendLen(b, uint64(d.Expires))
		}
		r.buf = b
		r.cur = c.DB
		if err := r.write(b); err != nil {
			return err
		}
	}
	return r.write(c.Data)
}

// End writes EOF and the checksum (when err is nil).
func (r *RDBWriter) End(err error) error {
	if err != nil || r.opts.NoEOF {
		return err
	}
	if err := r.write([]byte{byte(rdb.OpEOF)}); err != nil {
		return err
	}
	var t [8]byte
	binary.LittleEndian.PutUint64(t[:], r.crc)
	n, werr := r.w.Write(t[:])
	r.n += int64(n)
	if werr != nil {
		return fmt.Errorf("persist: writing the RDB checksum: %w", werr)
	}
	return nil
}

// fileSink writes an RDB file atomically: temp-<id>.rdb in the target's directory, bufio,
// fsync, rename over the target, fsync of the directory (rdbSave). On failure the temp
// file is removed. With incremental (rdb-save-incremental-fsync) the file goes to disk
// in 4 MB steps as it is written (autoSync), as Redis's rdbSave sets rio's autosync.
// After the fsync the whole file leaves the page cache, as Redis 7.2's rdbSaveInternal
// does (reclaimFilePageCache); Redis keeps it only for a replica's full sync, which we
// do not serve.
type fileSink struct {
	*RDBWriter
	path, tmp string
	f         *os.File
	bw        *bufio.Writer
	auto      *autoSync // with rdb-save-incremental-fsync
	openErr   error
	// OnOpenErr/OnWriteErr texts are logged by the caller; keep the stage that failed.
	stage string
	// reclaimErr: dropping the saved file from the page cache failed (logged, no failure).
	reclaimErr error
}

func newFileSink(dir, name string, id int, opts HeaderOptions, incremental bool) *fileSink {
	s := &fileSink{path: filepath.Join(dir, name), tmp: filepath.Join(dir, fmt.Sprintf("temp-%d.rdb", id))}
	f, err := os.Create(s.tmp)
	if err != nil {
		s.openErr = err
		s.stage = "open"
		s.RDBWriter = NewRDBWriter(io.Discard, opts)
		return s
	}
	s.f = f
	var w io.Writer = f
	if incremental {
		s.auto = newAutoSync(f)
		w = s.auto
	}
	s.bw = bufio.NewWriterSize(w, 1<<20)
	s.RDBWriter = NewRDBWriter(s.bw, opts)
	return s
}

func (s *fileSink) Begin(st *engine.SnapshotStart) error {
	if s.openErr != nil {
		return s.openErr
	}
	return s.RDBWriter.Begin(st)
}

func (s *fileSink) End(err error) error {
	if s.openErr != nil {
		return s.openErr
	}
	fail := func(stage string, err error) error {
		s.stage = stage
		s.f.Close()
		os.Remove(s.tmp)
		return err
	}
	if err := s.RDBWriter.End(err); err != nil {
		return fail("write", err)
	}
	if err := s.bw.Flush(); err != nil {
		return fail("write", err)
	}
	if err := s.f.Sync(); err != nil {
		return fail("write", err)
	}
	s.reclaimErr = reclaimFile(s.f)
	if err := s.f.Close(); err != nil {
		os.Remove(s.tmp)
		s.stage = "write"
		return err
	}
	// rename(2) itself: os.Rename reports an existing directory as EEXIST where Redis
	// (and the system call) report EISDIR.
	if err := syscall.Rename(s.tmp, s.path); err != nil {
		os.Remove(s.tmp)
		s.stage = "rename"
		return err
	}
	if d, err := os.Open(filepath.Dir(s.path)); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
