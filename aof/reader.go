package aof

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/redisctl/redisctl/resp"
)

// RDBMagic is what an RDB preamble (or an RDB base file) starts with.
const RDBMagic = "REDIS"

// HasRDBPreamble reports whether br starts with "REDIS" (loadSingleAppendOnlyFile's test).
func HasRDBPreamble(br *bufio.Reader) bool {
	b, err := br.Peek(len(RDBMagic))
	return err == nil && string(b) == RDBMagic
}

// FormatError is a file Redis refuses to load ("Bad file format reading the append only
// file"): bad bytes at Offset, or an unknown command there.
type FormatError struct {
	File   string
	Offset int64
	Msg    string
	Err    error
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("aof: %s at offset %d: %s", e.File, e.Offset, e.Msg)
}

func (e *FormatError) Unwrap() error { return e.Err }

// TruncatedError is a file ending inside a command (a short read): LastGood is the offset
// just past the last complete command, where Redis truncates the file.
type TruncatedError struct {
	File     string
	LastGood int64
	Size     int64
	InMulti  bool // the file ended inside MULTI without EXEC
}

func (e *TruncatedError) Error() string {
	if e.InMulti {
		return fmt.Sprintf("aof: %s ends inside MULTI without EXEC; the last complete transaction ends at offset %d", e.File, e.LastGood)
	}
	return fmt.Sprintf("aof: %s is truncated: short read at offset %d, the last complete command ends at offset %d", e.File, e.Size, e.LastGood)
}

// ErrTruncated matches a *TruncatedError with errors.Is.
var ErrTruncated = resp.ErrTruncated

// Is makes errors.Is(err, ErrTruncated) true.
func (e *TruncatedError) Is(target error) bool { return target == ErrTruncated }

// Scanner reads the RESP part of an AOF file: commands and '#' annotations, with Redis's
// loader's view of where the last good command ends (annotations do not move it).
type Scanner struct {
	name     string
	cr       *resp.CommandReader
	lastCmd  int64 // end of the last complete command (valid_up_to)
	err      error
	tailPeek func(off int64) []byte
}

// NewScanner reads commands from r, whose first byte is at offset base of file name.
// Options are resp's (WithMaxBulkLen, WithBufferSize).
func NewScanner(name string, r io.Reader, base int64, opts ...resp.Option) *Scanner {
	opts = append(opts, resp.WithBaseOffset(base))
	return &Scanner{name: name, cr: resp.NewCommandReader(r, opts...), lastCmd: base}
}

// Next advances to the next command or annotation.
func (s *Scanner) Next() bool {
	if s.err != nil {
		return false
	}
	if s.cr.Next() {
		if s.cr.Annotation() == nil {
			s.lastCmd = s.cr.LastGood()
		}
		return true
	}
	err := s.cr.Err()
	if err == nil {
		return false
	}
	var te *resp.TruncatedError
	var se *resp.SyntaxError
	switch {
	case errors.As(err, &te):
		s.err = &TruncatedError{File: s.name, LastGood: s.lastCmd, Size: te.Offset}
	case errors.As(err, &se):
		s.err = &FormatError{File: s.name, Offset: se.Offset, Msg: se.Doing + ": " + se.Msg, Err: err}
	default:
		s.err = fmt.Errorf("aof: reading %s: %w", s.name, err)
	}
	return false
}

// Args is the current command (nil for an annotation); valid until Next.
func (s *Scanner) Args() [][]byte { return s.cr.Args() }

// Annotation is the current annotation's text after '#', or nil.
func (s *Scanner) Annotation() []byte { return s.cr.Annotation() }

// Offset is the current record's first byte.
func (s *Scanner) Offset() int64 { return s.cr.Offset() }

// End is the offset just past the current record.
func (s *Scanner) End() int64 { return s.cr.LastGood() }

// LastCommandEnd is the offset just past the last complete command.
func (s *Scanner) LastCommandEnd() int64 { return s.lastCmd }

// Err is nil at a clean end, else a *TruncatedError, a *FormatError or an I/O error.
func (s *Scanner) Err() error { return s.err }

// ParseTimestamp returns the unix time of a "TS:<unix>" annotation.
func ParseTimestamp(annotation []byte) (int64, bool) {
	rest, ok := bytes.CutPrefix(annotation, []byte("TS:"))
	if !ok || len(rest) == 0 {
		return 0, false
	}
	return atoll(rest), true
}
