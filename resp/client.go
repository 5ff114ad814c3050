package resp

import (
	"bytes"
	"io"
	"strconv"
)

const (
	defaultMaxDepth = 512
	// maxLenLine bounds a length or number line ("*123\r\n"): 20 digits, a
	// sign and slack.
	maxLenLine = 32
	// bulkChunk is the most a bulk's storage grows ahead of its bytes.
	bulkChunk = 64 * 1024
)

// ReplyReader reads replies (the client side of RESP2 and RESP3) into
// Value trees, for tests, the restore tool and differential checks against
// real Redis. Every length is checked against a limit and against what
// arrives: storage for a bulk or an aggregate grows with the bytes actually
// read, never ahead of them by more than 64KB, whatever the length field
// claims. Nesting is capped (WithMaxDepth).
//
// Errors are sticky. io.EOF means the stream ended cleanly between
// replies; a *TruncatedError (errors.Is ErrTruncated) means it ended inside
// one; a *SyntaxError (errors.Is ErrCorrupt) names the offset of a bad byte.
type ReplyReader struct {
	in       inbuf
	maxBulk  int64
	maxDepth int
	err      error
	start    int64 // offset of the reply being read
}

// NewReplyReader returns a reply reader over rd. Options: WithMaxBulkLen,
// WithMaxDepth, WithBufferSize, WithBaseOffset.
func NewReplyReader(rd io.Reader, opts ...Option) *ReplyReader {
	o := defaultOptions()
	for _, f := range opts {
		f(&o)
	}
	r := &ReplyReader{maxBulk: o.maxBulk, maxDepth: o.maxDepth}
	r.in.reset(rd, o.bufSize)
	r.in.base = o.base
	return r
}

// Offset returns the stream offset of the next unread byte.
func (r *ReplyReader) Offset() int64 { return r.in.offset() }

// Buffered returns the bytes read from the underlying reader but not yet
// parsed.
func (r *ReplyReader) Buffered() int { return r.in.w - r.in.r }

// ReadValue reads the next complete reply.
func (r *ReplyReader) ReadValue() (Value, error) {
	if r.err != nil {
		return Value{}, r.err
	}
	r.start = r.in.offset()
	if r.in.r == r.in.w {
		if err := r.in.fill(0); err != nil {
			if err == io.EOF && r.in.r == r.in.w {
				r.err = io.EOF
			} else {
				r.err = r.ioErr(err)
			}
			return Value{}, r.err
		}
	}
	v, err := r.value(0)
	if err != nil {
		r.err = err
		return Value{}, err
	}
	return v, nil
}

func (r *ReplyReader) ioErr(err error) error {
	if err == io.EOF {
		return &TruncatedError{LastGood: r.start, Offset: r.in.base + int64(r.in.w)}
	}
	return err
}

func (r *ReplyReader) syntax(off int64, doing, msg string) error {
	return &SyntaxError{Offset: off, Doing: doing, Msg: msg}
}

// line returns the next line without its "\r\n", valid until the next
// read, and its offset. max bounds its length.
func (r *ReplyReader) line(doing string, max int64) ([]byte, int64, error) {
	scanned := 0
	for {
		data := r.in.buf[r.in.r:r.in.w]
		if i := bytes.IndexByte(data[scanned:], '\n'); i >= 0 {
			i += scanned
			off := r.in.offset()
			if i == 0 || data[i-1] != '\r' {
				return nil, 0, r.syntax(off+int64(i), doing, `"\n" without "\r" before it`)
			}
			if bytes.IndexByte(data[:i-1], '\r') >= 0 {
				return nil, 0, r.syntax(off+int64(bytes.IndexByte(data, '\r')), doing, `"\r" inside a line`)
			}
			r.in.r += i + 1
			return data[:i-1], off, nil
		}
		if int64(len(data)) > max+1 {
			return nil, 0, r.syntax(r.in.offset(), doing, "line longer than "+strconv.FormatInt(max, 10)+" bytes")
		}
		scanned = len(data)
		if err := r.in.fill(0); err != nil {
			return nil, 0, r.ioErr(err)
		}
	}
}

// length reads a length line ("*3", "$-1") after the type byte and returns
// it; min is the smallest legal value.
func (r *ReplyReader) length(doing string, min, max int64) (int64, error) {
	l, off, err := r.line(doing, maxLenLine)
	if err != nil {
		return 0, err
	}
	n, ok := parseInt(l)
	if !ok || n < min || n > max {
		return 0, r.syntax(off, doing, "invalid length "+strconv.Quote(string(l)))
	}
	return n, nil
}

// bulk reads n bytes and the "\r\n" after them into fresh storage that
// grows as the bytes arrive.
func (r *ReplyReader) bulk(n int64) ([]byte, error) {
	out := make([]byte, 0, min(n, bulkChunk))
	for int64(len(out)) < n {
		if r.in.r == r.in.w {
			if err := r.in.fill(0); err != nil {
				return nil, r.ioErr(err)
			}
		}
		take := min(int64(r.in.w-r.in.r), n-int64(len(out)))
		out = append(out, r.in.buf[r.in.r:r.in.r+int(take)]...)
		r.in.r += int(take)
	}
	for r.in.w-r.in.r < 2 {
		if err := r.in.fill(2); err != nil {
			return nil, r.ioErr(err)
		}
	}
	if r.in.buf[r.in.r] != '\r' || r.in.buf[r.in.r+1] != '\n' {
		return nil, r.syntax(r.in.offset(), "bulk", `expected "\r\n" after the bulk bytes`)
	}
	r.in.r += 2
	return out, nil
}

func (r *ReplyReader) value(depth int) (Value, error) {
	if depth > r.maxDepth {
		return Value{}, r.syntax(r.in.offset(), "reply", "nesting deeper than "+strconv.Itoa(r.maxDepth))
	}
	for r.in.r == r.in.w {
		if err := r.in.fill(0); err != nil {
			return Value{}, r.ioErr(err)
		}
	}
	off := r.in.offset()
	t := Type(r.in.buf[r.in.r])
	r.in.r++
	v := Value{Type: t}
	switch t {
	case TypeSimpleString, TypeError:
		l, _, err := r.line(t.String(), r.maxBulk)
		if err != nil {
			return v, err
		}
		v.Str = append([]byte{}, l...)
	case TypeInteger:
		l, loff, err := r.line("integer", maxLenLine)
		if err != nil {
			return v, err
		}
		n, ok := parseInt(l)
		if !ok {
			return v, r.syntax(loff, "integer", "invalid integer "+strconv.Quote(string(l)))
		}
		v.Int = n
	case TypeBulk, TypeBlobError, TypeVerbatim:
		n, err := r.length(t.String()+" length", -1, r.maxBulk)
		if err != nil {
			return v, err
		}
		if n == -1 {
			if t != TypeBulk {
				return v, r.syntax(off, t.String(), "null length")
			}
			v.Null = true
			return v, nil
		}
		b, err := r.bulk(n)
		if err != nil {
			return v, err
		}
		if t == TypeVerbatim {
			if len(b) < 4 || b[3] != ':' {
				return v, r.syntax(off, "verbatim", `missing "fmt:" prefix`)
			}
			v.Format, b = string(b[:3]), b[4:]
		}
		v.Str = b
	case TypeNull:
		l, loff, err := r.line("null", maxLenLine)
		if err != nil {
			return v, err
		}
		if len(l) != 0 {
			return v, r.syntax(loff, "null", "bytes after '_'")
		}
	case TypeBoolean:
		l, loff, err := r.line("boolean", maxLenLine)
		if err != nil {
			return v, err
		}
		if len(l) != 1 || (l[0] != 't' && l[0] != 'f') {
			return v, r.syntax(loff, "boolean", "expected t or f")
		}
		v.Bool = l[0] == 't'
	case TypeDouble:
		l, loff, err := r.line("double", 512)
		if err != nil {
			return v, err
		}
		f, perr := strconv.ParseFloat(string(l), 64)
		if perr != nil && !isRangeErr(perr) {
			return v, r.syntax(loff, "double", "invalid double "+strconv.Quote(string(l)))
		}
		v.Float, v.Str = f, append([]byte{}, l...)
	case TypeBigNumber:
		l, loff, err := r.line("big number", r.maxBulk)
		if err != nil {
			return v, err
		}
		if !isBigNumber(l) {
			return v, r.syntax(loff, "big number", "invalid digits")
		}
		v.Str = append([]byte{}, l...)
	case TypeArray, TypeSet, TypePush, TypeMap, TypeAttribute:
		minLen := int64(0)
		if t == TypeArray {
			minLen = -1
		}
		n, err := r.length(t.String()+" length", minLen, MaxMultibulkLen)
		if err != nil {
			return v, err
		}
		if n == -1 {
			v.Null = true
			return v, nil
		}
		if t == TypeMap || t == TypeAttribute {
			n *= 2
		}
		v.Elems = make([]Value, 0, min(n, 1024))
		for i := int64(0); i < n; i++ {
			e, err := r.value(depth + 1)
			if err != nil {
				return v, err
			}
			v.Elems = append(v.Elems, e)
		}
		if t == TypeAttribute {
			next, err := r.value(depth + 1)
			if err != nil {
				return v, err
			}
			next.Attrs = v.Elems
			return next, nil
		}
	default:
		return v, r.syntax(off, "reply", "unknown type byte "+strconv.QuoteRune(rune(t)))
	}
	return v, nil
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

func isBigNumber(b []byte) bool {
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		b = b[1:]
	}
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
