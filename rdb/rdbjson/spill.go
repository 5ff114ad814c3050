package rdbjson

import (
	"bufio"
	"errors"
	"io"
	"os"
)

// spillBuf collects bytes in memory up to a threshold and in a temporary file beyond it,
// so one huge value never costs more than the threshold in memory.
type spillBuf struct {
	mem       []byte
	f         *os.File
	fw        *bufio.Writer
	threshold int
	dir       string
	size      int64
}

func (s *spillBuf) Write(p []byte) {
	s.size += int64(len(p))
	if s.f == nil {
		if len(s.mem)+len(p) <= s.threshold {
			s.mem = append(s.mem, p...)
			return
		}
		if err := s.openFile(); err != nil {
			// Out of temp space: keep going in memory rather than lose data.
			s.mem = append(s.mem, p...)
			return
		}
	}
	s.fw.Write(p)
}

func (s *spillBuf) openFile() error {
	f, err := os.CreateTemp(s.dir, "redisctl-spill-*")
	if err != nil {
		return err
	}
	os.Remove(f.Name()) // unlinked: vanishes when closed, even on a crash
	s.f = f
	s.fw = bufio.NewWriterSize(f, 1<<20)
	s.fw.Write(s.mem)
	s.mem = s.mem[:0]
	return nil
}

// WriteTo copies everything collected to w.
func (s *spillBuf) WriteTo(w io.Writer) (int64, error) {
	if s.f == nil {
		n, err := w.Write(s.mem)
		return int64(n), err
	}
	if err := s.fw.Flush(); err != nil {
		return 0, err
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return 0, err
	}
	return io.Copy(w, s.f)
}

func (s *spillBuf) Reset() {
	if s.f != nil {
		s.f.Close()
		s.f, s.fw = nil, nil
	}
	if cap(s.mem) > 4*s.threshold+(1<<16) {
		s.mem = nil
	}
	s.mem = s.mem[:0]
	s.size = 0
}

func (s *spillBuf) Close() { s.Reset() }

// backwardRecords stores variable-size records so they can be read back last to first:
// each record is written as its bytes followed by a 4-byte length.
type backwardRecords struct {
	buf spillBuf
	n   int
}

func (b *backwardRecords) Add(rec []byte) {
	var l [4]byte
	putU32(l[:], uint32(len(rec)))
	b.buf.Write(rec)
	b.buf.Write(l[:])
	b.n++
}

func putU32(p []byte, v uint32) {
	p[0], p[1], p[2], p[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
}
func getU32(p []byte) uint32 {
	return uint32(p[0]) | uint32(p[1])<<8 | uint32(p[2])<<16 | uint32(p[3])<<24
}

var errBadSpill = errors.New("rdbjson: spill file damaged")

// Reverse calls fn for each record, last added first.
func (b *backwardRecords) Reverse(fn func(rec []byte) error) error {
	if b.buf.f == nil {
		m := b.buf.mem
		for end := len(m); end > 0; {
			if end < 4 {
				return errBadSpill
			}
			l := int(getU32(m[end-4:]))
			start := end - 4 - l
			if start < 0 {
				return errBadSpill
			}
			if err := fn(m[start : end-4]); err != nil {
				return err
			}
			end = start
		}
		return nil
	}
	if err := b.buf.fw.Flush(); err != nil {
		return err
	}
	f := b.buf.f
	end := b.buf.size
	var lb [4]byte
	var rec []byte
	for end > 0 {
		if end < 4 {
			return errBadSpill
		}
		if _, err := f.ReadAt(lb[:], end-4); err != nil {
			return err
		}
		l := int64(getU32(lb[:]))
		start := end - 4 - l
		if start < 0 {
			return errBadSpill
		}
		if int64(cap(rec)) < l {
			rec = make([]byte, l)
		}
		rec = rec[:l]
		if _, err := f.ReadAt(rec, start); err != nil {
			return err
		}
		if err := fn(rec); err != nil {
			return err
		}
		end = start
	}
	return nil
}

func (b *backwardRecords) Reset() { b.buf.Reset(); b.n = 0 }
