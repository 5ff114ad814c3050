package listpack

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

const (
	// HeaderSize is the size of the total-bytes and count header.
	HeaderSize = 6
	// Terminator is the byte that ends every listpack.
	Terminator = 0xFF
	// CountUnknown in the header means "walk the entries to count them".
	CountUnknown = math.MaxUint16
	// MaxBytes is the largest listpack the format can describe.
	MaxBytes = math.MaxUint32
	// emptySize is the size of an empty listpack.
	emptySize = HeaderSize + 1
)

// ErrCorrupt is wrapped by every error about malformed listpack bytes.
var ErrCorrupt = errors.New("listpack: corrupt")

func corrupt(off int, format string, args ...any) error {
	return fmt.Errorf("%w: offset %d: %s", ErrCorrupt, off, fmt.Sprintf(format, args...))
}

// New returns an empty listpack: 7 bytes.
func New() []byte {
	return []byte{emptySize, 0, 0, 0, 0, 0, Terminator}
}

// Bytes returns the total-bytes header field.
func Bytes(lp []byte) int { return int(binary.LittleEndian.Uint32(lp)) }

// HeaderCount returns the raw count header field (CountUnknown = 65535
// means unknown).
func HeaderCount(lp []byte) int { return int(binary.LittleEndian.Uint16(lp[4:])) }

// Len returns the number of entries: the header count, or a walk when the
// header says unknown. It never modifies lp.
func Len(lp []byte) int {
	if n := HeaderCount(lp); n != CountUnknown {
		return n
	}
	return walkCount(lp)
}

// SyncLen is Len as Redis's lpLength does it: when the header is unknown
// and the walk finds fewer than 65535 entries, it writes the count back
// into the header. Use it wherever Redis calls lpLength, so the bytes stay
// identical to Redis's.
func SyncLen(lp []byte) int {
	n := HeaderCount(lp)
	if n != CountUnknown {
		return n
	}
	n = walkCount(lp)
	if n < CountUnknown {
		setCount(lp, n)
	}
	return n
}

func walkCount(lp []byte) int {
	n := 0
	for off := HeaderSize; lp[off] != Terminator; off += entrySize(lp, off) {
		n++
	}
	return n
}

func setTotal(lp []byte, n int) { binary.LittleEndian.PutUint32(lp, uint32(n)) }
func setCount(lp []byte, n int) { binary.LittleEndian.PutUint16(lp[4:], uint16(n)) }

// addCount adjusts the count header by d unless it is unknown; reaching
// 65535 makes it unknown, as in Redis.
func addCount(lp []byte, d int) {
	if n := HeaderCount(lp); n != CountUnknown {
		setCount(lp, n+d)
	}
}

// backlenSize is the number of bytes lpEncodeBacklen uses for l.
func backlenSize(l int) int {
	switch {
	case l <= 127:
		return 1
	case l < 16383:
		return 2
	case l < 2097151:
		return 3
	case l < 268435455:
		return 4
	default:
		return 5
	}
}

// putBacklen writes the backlen of l into b (len(b) == backlenSize(l)):
// 7-bit groups, most significant first, continuation bit on all but the
// first byte.
func putBacklen(b []byte, l int) {
	for i := len(b) - 1; i >= 0; i-- {
		b[i] = byte(l & 127)
		if i > 0 {
			b[i] |= 128
		}
		l >>= 7
	}
}

// encodedSize returns the size of encoding+data of the entry at off, for a
// trusted listpack.
func encodedSize(lp []byte, off int) int {
	b := lp[off]
	switch {
	case b < 0x80:
		return 1
	case b < 0xC0:
		return 1 + int(b&0x3f)
	case b < 0xE0:
		return 2
	case b < 0xF0:
		return 2 + (int(b&0x0f)<<8 | int(lp[off+1]))
	}
	switch b {
	case 0xF0:
		return 5 + int(binary.LittleEndian.Uint32(lp[off+1:]))
	case 0xF1:
		return 3
	case 0xF2:
		return 4
	case 0xF3:
		return 5
	case 0xF4:
		return 9
	}
	panic(fmt.Sprintf("listpack: invalid encoding byte %#x at offset %d", b, off))
}

// entrySize returns the full size (encoding, data, backlen) of the entry at
// off in a trusted listpack.
func entrySize(lp []byte, off int) int {
	n := encodedSize(lp, off)
	return n + backlenSize(n)
}

// decode returns the value of the entry at off whose encoding byte has
// already been classified as valid and in range.
func decode(lp []byte, off int) (s []byte, n int64, isInt bool) {
	b := lp[off]
	switch {
	case b < 0x80:
		return nil, int64(b), true
	case b < 0xC0:
		l := int(b & 0x3f)
		return lp[off+1 : off+1+l], 0, false
	case b < 0xE0:
		u := uint64(b&0x1f)<<8 | uint64(lp[off+1])
		return nil, int64(u<<51) >> 51, true
	case b < 0xF0:
		l := int(b&0x0f)<<8 | int(lp[off+1])
		return lp[off+2 : off+2+l], 0, false
	}
	switch b {
	case 0xF0:
		l := int(binary.LittleEndian.Uint32(lp[off+1:]))
		return lp[off+5 : off+5+l], 0, false
	case 0xF1:
		return nil, int64(int16(binary.LittleEndian.Uint16(lp[off+1:]))), true
	case 0xF2:
		u := uint32(lp[off+1]) | uint32(lp[off+2])<<8 | uint32(lp[off+3])<<16
		return nil, int64(int32(u<<8) >> 8), true
	case 0xF3:
		return nil, int64(int32(binary.LittleEndian.Uint32(lp[off+1:]))), true
	case 0xF4:
		return nil, int64(binary.LittleEndian.Uint64(lp[off+1:])), true
	}
	panic(fmt.Sprintf("listpack: invalid encoding byte %#x at offset %d", b, off))
}

// ParseInt reports whether s is a canonical decimal int64 as Redis's
// lpStringToInt64/string2ll accept it (no leading '+', spaces or zeros,
// "-0" rejected, at most 20 bytes), and returns its value. Such strings are
// stored as integers.
func ParseInt(s []byte) (int64, bool) {
	if len(s) == 0 || len(s) > 20 {
		return 0, false
	}
	if len(s) == 1 && s[0] == '0' {
		return 0, true
	}
	neg := false
	i := 0
	if s[0] == '-' {
		neg = true
		i = 1
		if len(s) == 1 {
			return 0, false
		}
	}
	if s[i] < '1' || s[i] > '9' {
		return 0, false
	}
	var v uint64
	for ; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if v > math.MaxUint64/10 {
			return 0, false
		}
		v *= 10
		d := uint64(c - '0')
		if v > math.MaxUint64-d {
			return 0, false
		}
		v += d
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return -int64(v), true // wraps correctly for 1<<63
	}
	if v > math.MaxInt64 {
		return 0, false
	}
	return int64(v), true
}

// intEncoding writes the encoding+data of integer v into b and returns its
// size, as lpEncodeIntegerGetType picks it: the smallest that fits.
func intEncoding(b *[9]byte, v int64) int {
	switch {
	case v >= 0 && v <= 127:
		b[0] = byte(v)
		return 1
	case v >= -4096 && v <= 4095:
		u := uint64(v) & 0x1fff
		b[0] = byte(u>>8) | 0xC0
		b[1] = byte(u)
		return 2
	case v >= math.MinInt16 && v <= math.MaxInt16:
		b[0] = 0xF1
		binary.LittleEndian.PutUint16(b[1:], uint16(v))
		return 3
	case v >= -1<<23 && v < 1<<23:
		b[0] = 0xF2
		b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16)
		return 4
	case v >= math.MinInt32 && v <= math.MaxInt32:
		b[0] = 0xF3
		binary.LittleEndian.PutUint32(b[1:], uint32(v))
		return 5
	default:
		b[0] = 0xF4
		binary.LittleEndian.PutUint64(b[1:], uint64(v))
		return 9
	}
}

// strHeader writes the encoding header of a string of length l into b and
// returns its size.
func strHeader(b *[9]byte, l int) int {
	switch {
	case l < 64:
		b[0] = 0x80 | byte(l)
		return 1
	case l < 4096:
		b[0] = 0xE0 | byte(l>>8)
		b[1] = byte(l)
		return 2
	default:
		b[0] = 0xF0
		binary.LittleEndian.PutUint32(b[1:], uint32(l))
		return 5
	}
}

func strHeaderSize(l int) int {
	switch {
	case l < 64:
		return 1
	case l < 4096:
		return 2
	default:
		return 5
	}
}

func intEncodedSize(v int64) int {
	var b [9]byte
	return intEncoding(&b, v)
}

// EntrySize returns how many bytes an entry holding v would occupy (encoding,
// data and backlen): the amount Append or Insert grows the listpack by.
func EntrySize(v []byte) int {
	var n int
	if iv, ok := ParseInt(v); ok {
		n = intEncodedSize(iv)
	} else {
		n = strHeaderSize(len(v)) + len(v)
	}
	return n + backlenSize(n)
}

// EntrySizeInt returns how many bytes an entry holding integer v occupies.
func EntrySizeInt(v int64) int {
	n := intEncodedSize(v)
	return n + backlenSize(n)
}

// SizeAt returns the full size of the entry at off (encoding, data and
// backlen) in a trusted listpack.
func SizeAt(lp []byte, off int) int { return entrySize(lp, off) }
