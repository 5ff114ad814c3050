package ziplist

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/redisctl/redisctl/rdb/listpack"
)

const (
	// HeaderSize is the size of the zlbytes, zltail and zllen header.
	HeaderSize = 10
	// End is the byte that ends every ziplist.
	End = 0xFF
	// CountUnknown in zllen means "walk the entries to count them".
	CountUnknown = math.MaxUint16
	bigPrevlen   = 0xFE
	emptySize    = HeaderSize + 1
)

// ErrCorrupt is wrapped by every error about malformed ziplist bytes.
var ErrCorrupt = errors.New("ziplist: corrupt")

func corrupt(off int, format string, args ...any) error {
	return fmt.Errorf("%w: offset %d: %s", ErrCorrupt, off, fmt.Sprintf(format, args...))
}

// New returns an empty ziplist: 11 bytes, zltail pointing at the end byte.
func New() []byte {
	return []byte{emptySize, 0, 0, 0, HeaderSize, 0, 0, 0, 0, 0, End}
}

// Bytes returns the zlbytes header field.
func Bytes(zl []byte) int { return int(binary.LittleEndian.Uint32(zl)) }

// Tail returns the zltail header field.
func Tail(zl []byte) int { return int(binary.LittleEndian.Uint32(zl[4:])) }

// HeaderCount returns the raw zllen field (65535 = unknown).
func HeaderCount(zl []byte) int { return int(binary.LittleEndian.Uint16(zl[8:])) }

// entry describes one decoded entry.
type entry struct {
	prevlen  int // value of the prevlen field
	prevSize int // bytes of the prevlen field (1 or 5)
	hdr      int // encoding bytes
	data     int // data bytes
	s        []byte
	n        int64
	isInt    bool
}

func (e *entry) size() int { return e.prevSize + e.hdr + e.data }

// parse decodes the entry at off; end is the offset of the end byte, which
// the entry must not reach into. It checks bounds and the encoding.
func parse(zl []byte, off, end int) (e entry, err error) {
	left := end - off
	if zl[off] == bigPrevlen {
		if left < 5 {
			return e, corrupt(off, "5-byte prevlen runs past the end")
		}
		e.prevSize, e.prevlen = 5, int(binary.LittleEndian.Uint32(zl[off+1:]))
	} else {
		e.prevSize, e.prevlen = 1, int(zl[off])
	}
	p := off + e.prevSize
	left -= e.prevSize
	if left < 1 {
		return e, corrupt(off, "entry has no encoding byte before the end")
	}
	b := zl[p]
	switch b >> 6 {
	case 0:
		e.hdr, e.data = 1, int(b&0x3f)
	case 1:
		if left < 2 {
			return e, corrupt(p, "14-bit string header runs past the end")
		}
		e.hdr, e.data = 2, int(b&0x3f)<<8|int(zl[p+1])
	case 2:
		if left < 5 {
			return e, corrupt(p, "32-bit string header runs past the end")
		}
		l := binary.BigEndian.Uint32(zl[p+1:])
		if uint64(l) > uint64(left-5) {
			return e, corrupt(p, "string of %d bytes runs past the end (%d left)", l, left-5)
		}
		e.hdr, e.data = 5, int(l)
	default:
		e.hdr, e.isInt = 1, true
		switch {
		case b == 0xC0:
			e.data = 2
		case b == 0xD0:
			e.data = 4
		case b == 0xE0:
			e.data = 8
		case b == 0xF0:
			e.data = 3
		case b == 0xFE:
			e.data = 1
		case b >= 0xF1 && b <= 0xFD:
			e.n = int64(b&0x0f) - 1
		default:
			return e, corrupt(p, "invalid encoding byte %#x", b)
		}
	}
	if e.hdr+e.data > left {
		return e, corrupt(off, "entry of %d bytes runs past the end (%d left)", e.prevSize+e.hdr+e.data, left+e.prevSize)
	}
	d := zl[p+e.hdr : p+e.hdr+e.data]
	if !e.isInt {
		e.s = d
		return e, nil
	}
	switch b {
	case 0xC0:
		e.n = int64(int16(binary.LittleEndian.Uint16(d)))
	case 0xD0:
		e.n = int64(int32(binary.LittleEndian.Uint32(d)))
	case 0xE0:
		e.n = int64(binary.LittleEndian.Uint64(d))
	case 0xF0:
		e.n = int64(int32(uint32(d[0])<<8|uint32(d[1])<<16|uint32(d[2])<<24) >> 8)
	case 0xFE:
		e.n = int64(int8(d[0]))
	}
	return e, nil
}

// Iter walks an untrusted ziplist front to back, checking each entry's
// bounds, encoding and prevlen (against the entry before it). It never
// allocates.
type Iter struct {
	zl       []byte
	off      int // current entry, -1 before the first
	next     int
	prevSize int // size of the previous entry, 0 before the first
	e        entry
	count    int
	err      error
	done     bool
}

// NewIter checks the header (zlbytes equal to len(zl), zltail in range, end
// byte) and returns an iterator before the first entry.
func NewIter(zl []byte) (Iter, error) {
	if len(zl) < emptySize {
		return Iter{}, corrupt(0, "ziplist of %d bytes is shorter than the minimum %d", len(zl), emptySize)
	}
	if n := binary.LittleEndian.Uint32(zl); uint64(n) != uint64(len(zl)) {
		return Iter{}, corrupt(0, "zlbytes %d, but the blob is %d bytes", n, len(zl))
	}
	if zl[len(zl)-1] != End {
		return Iter{}, corrupt(len(zl)-1, "last byte is %#x, expected end byte 0xff", zl[len(zl)-1])
	}
	if t := binary.LittleEndian.Uint32(zl[4:]); uint64(t) > uint64(len(zl)-1) {
		return Iter{}, corrupt(4, "zltail %d is past the end byte at %d", t, len(zl)-1)
	}
	return Iter{zl: zl, off: -1, next: HeaderSize}, nil
}

// Next advances to the next entry; false at the end or on damage.
func (it *Iter) Next() bool {
	if it.done || it.err != nil || it.zl == nil {
		return false
	}
	off, end := it.next, len(it.zl)-1
	if it.zl[off] == End {
		if off != end {
			it.err = corrupt(off, "end byte found %d bytes before the end", end-off)
		}
		it.done = true
		return false
	}
	e, err := parse(it.zl, off, end)
	if err != nil {
		it.err = err
		return false
	}
	if e.prevlen != it.prevSize {
		it.err = corrupt(off, "prevlen %d, but the previous entry is %d bytes", e.prevlen, it.prevSize)
		return false
	}
	it.e = e
	it.off = off
	it.next = off + e.size()
	it.prevSize = e.size()
	it.count++
	return true
}

// Value returns the current entry: a string (s aliases the ziplist) or an
// integer.
func (it *Iter) Value() (s []byte, n int64, isInt bool) { return it.e.s, it.e.n, it.e.isInt }

// Offset returns the byte offset of the current entry.
func (it *Iter) Offset() int { return it.off }

// Err returns the damage found, or nil.
func (it *Iter) Err() error { return it.err }

// Validate deeply checks an untrusted ziplist: header, every entry's
// bounds, encoding and prevlen, the end byte, zltail pointing at the last
// entry, and zllen matching the count (unless 65535). It returns the
// number of entries.
func Validate(zl []byte) (count int, err error) {
	it, err := NewIter(zl)
	if err != nil {
		return 0, err
	}
	for it.Next() {
	}
	if it.err != nil {
		return it.count, it.err
	}
	// As Redis, zltail is only checked when there is a last entry.
	if it.count > 0 && Tail(zl) != it.off {
		return it.count, corrupt(4, "zltail %d, but the last entry is at %d", Tail(zl), it.off)
	}
	if h := HeaderCount(zl); h != CountUnknown && h != it.count {
		return it.count, corrupt(8, "zllen %d, but %d entries", h, it.count)
	}
	return it.count, nil
}

// Len returns the number of entries of a valid ziplist: zllen, or a walk
// when it is 65535.
func Len(zl []byte) int {
	if n := HeaderCount(zl); n != CountUnknown {
		return n
	}
	n := 0
	for off := HeaderSize; zl[off] != End; n++ {
		e, err := parse(zl, off, len(zl)-1)
		if err != nil {
			panic(err)
		}
		off += e.size()
	}
	return n
}

// intEncoding writes the encoding byte and data of v as zipTryEncoding and
// zipSaveInteger choose them (smallest of immediate 0..12, int8, int16,
// int24, int32, int64) and returns the size.
func intEncoding(b *[9]byte, v int64) int {
	switch {
	case v >= 0 && v <= 12:
		b[0] = 0xF1 + byte(v)
		return 1
	case v >= math.MinInt8 && v <= math.MaxInt8:
		b[0], b[1] = 0xFE, byte(v)
		return 2
	case v >= math.MinInt16 && v <= math.MaxInt16:
		b[0] = 0xC0
		binary.LittleEndian.PutUint16(b[1:], uint16(v))
		return 3
	case v >= -1<<23 && v < 1<<23:
		b[0], b[1], b[2], b[3] = 0xF0, byte(v), byte(v>>8), byte(v>>16)
		return 4
	case v >= math.MinInt32 && v <= math.MaxInt32:
		b[0] = 0xD0
		binary.LittleEndian.PutUint32(b[1:], uint32(v))
		return 5
	default:
		b[0] = 0xE0
		binary.LittleEndian.PutUint64(b[1:], uint64(v))
		return 9
	}
}

func strHeader(b *[9]byte, l int) int {
	switch {
	case l <= 0x3f:
		b[0] = byte(l)
		return 1
	case l <= 0x3fff:
		b[0], b[1] = 0x40|byte(l>>8), byte(l)
		return 2
	default:
		b[0] = 0x80
		binary.BigEndian.PutUint32(b[1:], uint32(l))
		return 5
	}
}

// tailSize is the size of the last entry of a valid ziplist, 0 if empty.
func tailSize(zl []byte) int {
	// An empty ziplist's zltail is not checked by Validate (nor by Redis),
	// so do not trust it.
	if zl[HeaderSize] == End {
		return 0
	}
	t := Tail(zl)
	e, err := parse(zl, t, len(zl)-1)
	if err != nil {
		panic(err)
	}
	return e.size()
}

// Append adds v at the tail as ziplistPush(zl, v, ZIPLIST_TAIL) does: as an
// integer when v is a canonical int64 string shorter than 32 bytes,
// otherwise as a string. zl must be valid.
func Append(zl, v []byte) []byte {
	var enc [9]byte
	var hn int
	var str []byte
	if iv, ok := listpack.ParseInt(v); ok && len(v) < 32 {
		hn = intEncoding(&enc, iv)
	} else {
		hn = strHeader(&enc, len(v))
		str = v
	}
	return appendEntry(zl, enc[:hn], str)
}

// AppendInt adds integer v at the tail.
func AppendInt(zl []byte, v int64) []byte {
	var enc [9]byte
	hn := intEncoding(&enc, v)
	return appendEntry(zl, enc[:hn], nil)
}

func appendEntry(zl, enc, str []byte) []byte {
	prev := tailSize(zl)
	prevSize := 1
	if prev >= bigPrevlen {
		prevSize = 5
	}
	size := prevSize + len(enc) + len(str)
	off := len(zl) - 1
	if uint64(len(zl))+uint64(size) > math.MaxUint32 {
		panic(fmt.Sprintf("ziplist: %d bytes exceeds the format limit", uint64(len(zl))+uint64(size)))
	}
	zl = slices.Grow(zl, size)[:len(zl)+size]
	p := off
	if prevSize == 1 {
		zl[p] = byte(prev)
	} else {
		zl[p] = bigPrevlen
		binary.LittleEndian.PutUint32(zl[p+1:], uint32(prev))
	}
	p += prevSize
	p += copy(zl[p:], enc)
	p += copy(zl[p:], str)
	zl[p] = End
	binary.LittleEndian.PutUint32(zl, uint32(len(zl)))
	binary.LittleEndian.PutUint32(zl[4:], uint32(off))
	if n := HeaderCount(zl); n < CountUnknown {
		binary.LittleEndian.PutUint16(zl[8:], uint16(n+1))
	}
	return zl
}
