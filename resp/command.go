package resp

import (
	"bytes"
	"io"
	"strconv"
)

// maxAnnotation bounds an AOF annotation line ("#TS:1700000000\r\n").
// Redis reads them with fgets into a 1024-byte buffer.
const maxAnnotation = 1024

// CommandReader reads a stream of commands in the strict form Redis writes
// to an AOF and to replicas: "*<n>\r\n" then n times "$<len>\r\n<bytes>\r\n",
// with n >= 1, plus Redis 7 annotation lines starting with '#'. It is a pull
// iterator:
//
//	cr := resp.NewCommandReader(f)
//	for cr.Next() {
//		if a := cr.Annotation(); a != nil { ...; continue }
//		use(cr.Args(), cr.Offset())
//	}
//	if errors.Is(cr.Err(), resp.ErrTruncated) { truncate at cr.LastGood() }
//
// Args and Annotation stay valid until the next call to Next. Unlike the
// server's Reader, every "\r\n" is checked.
//
// The stream ending exactly after a command is a clean end (Err() == nil).
// Ending inside a command gives a *TruncatedError whose LastGood is the end
// of the last complete record, where `aof fix` truncates. Bad bytes give a
// *SyntaxError with their offset. Both are sticky.
type CommandReader struct {
	in      inbuf
	maxBulk int64
	err     error

	args       [][]byte
	annotation []byte
	offset     int64 // start of the current record
	lastGood   int64 // end of the last complete record

	// incremental state of the pending command (offsets relative to in.r)
	mb      bool
	mbLeft  int
	bulkLen int64
	cur     int
	spans   []span
	need    int
}

// NewCommandReader returns a reader of AOF commands. Options:
// WithMaxBulkLen (default 512MB), WithBufferSize, WithBaseOffset (the
// offset of rd's first byte in the file, e.g. after an RDB preamble).
func NewCommandReader(rd io.Reader, opts ...Option) *CommandReader {
	o := defaultOptions()
	for _, f := range opts {
		f(&o)
	}
	c := &CommandReader{maxBulk: o.maxBulk, bulkLen: -1}
	c.in.reset(rd, o.bufSize)
	c.in.base = o.base
	c.lastGood, c.offset = o.base, o.base
	return c
}

// Next advances to the next command or annotation. It returns false at the
// end of the stream or on error (see Err).
func (c *CommandReader) Next() bool {
	c.args, c.annotation = c.args[:0], nil
	if c.err != nil {
		return false
	}
	for {
		st := c.parse()
		switch st {
		case stDone:
			return true
		case stFail:
			return false
		}
		err := c.in.fill(c.need)
		if err == nil {
			continue
		}
		switch {
		case err == io.EOF && c.in.r == c.in.w && !c.mb:
			c.err = nil
			c.in.rerr = io.EOF
			return false
		case err == io.EOF:
			c.err = &TruncatedError{LastGood: c.lastGood, Offset: c.in.base + int64(c.in.w)}
		default:
			c.err = err
		}
		return false
	}
}

// Args returns the current command's arguments (nil for an annotation).
func (c *CommandReader) Args() [][]byte {
	if c.annotation != nil {
		return nil
	}
	return c.args
}

// Annotation returns the text after '#' of the current annotation line,
// without its line end, or nil when the current record is a command.
func (c *CommandReader) Annotation() []byte { return c.annotation }

// Offset returns the stream offset of the current record's first byte.
func (c *CommandReader) Offset() int64 { return c.offset }

// LastGood returns the offset just past the last complete record.
func (c *CommandReader) LastGood() int64 { return c.lastGood }

// Err returns the error that stopped Next, or nil at a clean end.
func (c *CommandReader) Err() error { return c.err }

func (c *CommandReader) fail(off int64, doing, msg string) parseState {
	c.err = &SyntaxError{Offset: off, Doing: doing, Msg: msg}
	return stFail
}

func (c *CommandReader) parse() parseState {
	data := c.in.buf[c.in.r:c.in.w]
	base := c.in.offset()
	if len(data) == 0 {
		c.need = 0
		return stNeed
	}
	if !c.mb {
		switch data[0] {
		case '#':
			i := bytes.IndexByte(data, '\n')
			if i < 0 {
				if len(data) > maxAnnotation {
					return c.fail(base, "annotation", "line longer than "+strconv.Itoa(maxAnnotation)+" bytes")
				}
				c.need = 0
				return stNeed
			}
			line := data[1:i]
			if n := len(line); n > 0 && line[n-1] == '\r' {
				line = line[:n-1]
			}
			c.annotation = line
			c.offset = base
			c.in.r += i + 1
			c.lastGood = c.in.offset()
			return stDone
		case '*':
		default:
			return c.fail(base, "command", "expected '*' or '#', got "+strconv.QuoteRune(rune(data[0])))
		}
		n, used, st := c.lengthLine(data, 0, base, "multibulk count", 1, MaxMultibulkLen)
		if st != stDone {
			return st
		}
		c.mb, c.mbLeft, c.bulkLen, c.cur = true, int(n), -1, used
		c.spans = c.spans[:0]
	}
	for c.mbLeft > 0 {
		if c.bulkLen < 0 {
			if c.cur >= len(data) {
				c.need = c.cur + 1
				return stNeed
			}
			if data[c.cur] != '$' {
				return c.fail(base+int64(c.cur), "bulk length", "expected '$', got "+strconv.QuoteRune(rune(data[c.cur])))
			}
			n, used, st := c.lengthLine(data, c.cur, base, "bulk length", 0, c.maxBulk)
			if st != stDone {
				return st
			}
			c.cur += used
			c.bulkLen = n
		}
		rest := data[c.cur:]
		if int64(len(rest)) < c.bulkLen+2 {
			c.need = c.cur + int(c.bulkLen) + 2
			return stNeed
		}
		end := c.cur + int(c.bulkLen)
		if data[end] != '\r' || data[end+1] != '\n' {
			return c.fail(base+int64(end), "bulk", `expected "\r\n" after the bulk bytes`)
		}
		c.spans = append(c.spans, span{c.cur, end})
		c.cur = end + 2
		c.bulkLen = -1
		c.mbLeft--
	}
	for _, s := range c.spans {
		c.args = append(c.args, data[s.start:s.end:s.end])
	}
	c.offset = base
	c.in.r += c.cur
	c.lastGood = c.in.offset()
	c.mb, c.cur, c.need = false, 0, 0
	if cap(c.spans) > 4096 {
		c.spans = nil
	}
	return stDone
}

// lengthLine parses "<type byte><digits>\r\n" at data[at:]: it returns the
// value and the bytes used, stNeed when the line is incomplete but valid so
// far, or stFail.
func (c *CommandReader) lengthLine(data []byte, at int, base int64, doing string, lo, hi int64) (int64, int, parseState) {
	rest := data[at:]
	lim := min(len(rest), maxLenLine)
	i := bytes.IndexByte(rest[:lim], '\n')
	if i < 0 {
		// Incomplete: report corruption as soon as a byte is impossible.
		for j := 1; j < lim; j++ {
			ch := rest[j]
			if !(ch >= '0' && ch <= '9') && !(ch == '-' && j == 1) && !(ch == '\r' && j == lim-1) {
				return 0, 0, c.fail(base+int64(at+j), doing, "invalid byte "+strconv.QuoteRune(rune(ch)))
			}
		}
		if len(rest) >= maxLenLine {
			return 0, 0, c.fail(base+int64(at), doing, "line too long")
		}
		c.need = at + len(rest) + 1
		return 0, 0, stNeed
	}
	if i < 2 || rest[i-1] != '\r' {
		return 0, 0, c.fail(base+int64(at+i), doing, `expected "\r\n"`)
	}
	n, ok := parseInt(rest[1 : i-1])
	if !ok || n < lo || n > hi {
		return 0, 0, c.fail(base+int64(at+1), doing, "invalid length "+strconv.Quote(string(rest[1:i-1])))
	}
	return n, i + 1, stDone
}
