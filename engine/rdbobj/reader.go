package rdbobj

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/redisctl/redisctl/rdb/lzf"
)

// Load errors. ErrEmptyKey is rdbLoadObject's RDB_LOAD_ERR_EMPTY_KEY (a loader skips the
// key, RESTORE answers "Bad data format"); every other failure wraps ErrBadFormat.
var (
	ErrEmptyKey  = errors.New("rdbobj: empty key")
	ErrBadFormat = errors.New("rdbobj: bad data format")
	// ErrUnsupported is a well-formed value this engine cannot hold yet (module values,
	// stream types newer than RDB 11). It also matches ErrBadFormat.
	ErrUnsupported = fmt.Errorf("%w: unsupported type", ErrBadFormat)
)

// reader reads RDB primitives from a byte slice, as rio over a buffer does for RESTORE.
// Strings it returns alias the input when stored raw, or its scratch buffers when they
// were LZF-compressed or int-encoded: callers copy what they keep.
type reader struct {
	b   []byte
	off int
	err error
	num [24]byte
	// fresh reports that the last str() returned newly allocated bytes (an LZF string's
	// output) rather than a view of b: the caller may keep them without a copy.
	fresh bool
}

func (r *reader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: at offset %d: %s", ErrBadFormat, r.off, fmt.Sprintf(format, args...))
	}
}

func (r *reader) need(n int) bool {
	if r.err != nil {
		return false
	}
	if n < 0 || len(r.b)-r.off < n {
		r.fail("need %d bytes, %d left", n, len(r.b)-r.off)
		return false
	}
	return true
}

func (r *reader) byte() byte {
	if !r.need(1) {
		return 0
	}
	c := r.b[r.off]
	r.off++
	return c
}

// length reads rdbLoadLenByRef: a length, or (enc = true) a special string encoding.
func (r *reader) length() (n uint64, enc bool) {
	c := r.byte()
	if r.err != nil {
		return 0, false
	}
	switch c >> 6 {
	case 0:
		return uint64(c & 0x3f), false
	case 1:
		d := r.byte()
		return uint64(c&0x3f)<<8 | uint64(d), false
	case 3:
		return uint64(c & 0x3f), true
	}
	switch c {
	case 0x80:
		if !r.need(4) {
			return 0, false
		}
		v := binary.BigEndian.Uint32(r.b[r.off:])
		r.off += 4
		return uint64(v), false
	case 0x81:
		if !r.need(8) {
			return 0, false
		}
		v := binary.BigEndian.Uint64(r.b[r.off:])
		r.off += 8
		return v, false
	}
	r.fail("unknown length encoding 0x%02x", c)
	return 0, false
}

// plainLen reads a length that must not be a special encoding.
func (r *reader) plainLen() uint64 {
	n, enc := r.length()
	if enc {
		r.fail("encoded length where a length is expected")
	}
	return n
}

// str reads an RDB string (rdbGenericLoadStringObject). Integers come back as decimal
// text in r.num; LZF strings are decompressed into a new slice; raw strings alias input.
func (r *reader) str() []byte {
	r.fresh = false
	n, enc := r.length()
	if r.err != nil {
		return nil
	}
	if enc {
		var v int64
		switch n {
		case encInt8:
			if !r.need(1) {
				return nil
			}
			v = int64(int8(r.b[r.off]))
			r.off++
		case encInt16:
			if !r.need(2) {
				return nil
			}
			v = int64(int16(binary.LittleEndian.Uint16(r.b[r.off:])))
			r.off += 2
		case encInt32:
			if !r.need(4) {
				return nil
			}
			v = int64(int32(binary.LittleEndian.Uint32(r.b[r.off:])))
			r.off += 4
		case encLZF:
			return r.lzfString()
		default:
			r.fail("unknown string encoding %d", n)
			return nil
		}
		return strconv.AppendInt(r.num[:0], v, 10)
	}
	if n > uint64(len(r.b)-r.off) {
		r.fail("string of %d bytes, %d left", n, len(r.b)-r.off)
		return nil
	}
	s := r.b[r.off : r.off+int(n) : r.off+int(n)]
	r.off += int(n)
	return s
}

// maxLZFRatio bounds what LZF can expand to: a 3-byte back reference copies at most 264
// bytes, so a claimed length above this many times the compressed size is a lie and is
// refused before allocating.
const maxLZFRatio = 90

func (r *reader) lzfString() []byte {
	clen := r.plainLen()
	ulen := r.plainLen()
	if r.err != nil {
		return nil
	}
	if clen > uint64(len(r.b)-r.off) {
		r.fail("LZF string of %d bytes, %d left", clen, len(r.b)-r.off)
		return nil
	}
	if ulen > clen*maxLZFRatio+64 {
		r.fail("Invalid LZF compressed string")
		return nil
	}
	src := r.b[r.off : r.off+int(clen)]
	r.off += int(clen)
	out, err := lzf.Decompress(make([]byte, 0, ulen), src)
	if err != nil || uint64(len(out)) != ulen {
		r.fail("Invalid LZF compressed string")
		return nil
	}
	r.fresh = true
	return out
}

// binDouble reads an 8-byte little-endian double (rdbLoadBinaryDoubleValue).
func (r *reader) binDouble() float64 {
	if !r.need(8) {
		return 0
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(r.b[r.off:]))
	r.off += 8
	return v
}

// textDouble reads a type-3 score (rdbLoadDoubleValue): a length byte (253 nan, 254 inf,
// 255 -inf) and that many characters parsed with strtod.
func (r *reader) textDouble() float64 {
	n := r.byte()
	if r.err != nil {
		return 0
	}
	switch n {
	case 253:
		return math.NaN()
	case 254:
		return math.Inf(1)
	case 255:
		return math.Inf(-1)
	}
	if !r.need(int(n)) {
		return 0
	}
	s := string(r.b[r.off : r.off+int(n)])
	r.off += int(n)
	// Redis: sscanf(buf, "%lg", &val) — a leading number; garbage after it is ignored.
	v, ok := scanDouble(s)
	if !ok {
		r.fail("bad double %q", s)
	}
	return v
}

// scanDouble parses the longest prefix of s that is a number, as sscanf("%lg") does.
func scanDouble(s string) (float64, bool) {
	for end := len(s); end > 0; end-- {
		if v, err := strconv.ParseFloat(s[:end], 64); err == nil || errors.Is(err, strconv.ErrRange) {
			return v, true
		}
	}
	return 0, false
}

func fmtInt(dst []byte, v int64) []byte { return strconv.AppendInt(dst, v, 10) }
