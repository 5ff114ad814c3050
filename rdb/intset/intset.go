package intset

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
)

// HeaderSize is the size of the encoding and length header.
const HeaderSize = 8

// Element widths.
const (
	Enc16 = 2
	Enc32 = 4
	Enc64 = 8
)

// ErrCorrupt is wrapped by every error about malformed intset bytes.
var ErrCorrupt = errors.New("intset: corrupt")

func corrupt(off int, format string, args ...any) error {
	return fmt.Errorf("%w: offset %d: %s", ErrCorrupt, off, fmt.Sprintf(format, args...))
}

// New returns an empty intset with 16-bit encoding: 8 bytes.
func New() []byte { return []byte{Enc16, 0, 0, 0, 0, 0, 0, 0} }

// Encoding returns the element width in bytes (2, 4 or 8).
func Encoding(is []byte) int { return int(binary.LittleEndian.Uint32(is)) }

// Len returns the number of elements.
func Len(is []byte) int { return int(binary.LittleEndian.Uint32(is[4:])) }

func setLen(is []byte, n int) { binary.LittleEndian.PutUint32(is[4:], uint32(n)) }

// valueEncoding is the smallest width that holds v.
func valueEncoding(v int64) int {
	switch {
	case v < math.MinInt32 || v > math.MaxInt32:
		return Enc64
	case v < math.MinInt16 || v > math.MaxInt16:
		return Enc32
	default:
		return Enc16
	}
}

func get(is []byte, enc, i int) int64 {
	p := HeaderSize + i*enc
	switch enc {
	case Enc16:
		return int64(int16(binary.LittleEndian.Uint16(is[p:])))
	case Enc32:
		return int64(int32(binary.LittleEndian.Uint32(is[p:])))
	default:
		return int64(binary.LittleEndian.Uint64(is[p:]))
	}
}

func set(is []byte, enc, i int, v int64) {
	p := HeaderSize + i*enc
	switch enc {
	case Enc16:
		binary.LittleEndian.PutUint16(is[p:], uint16(v))
	case Enc32:
		binary.LittleEndian.PutUint32(is[p:], uint32(v))
	default:
		binary.LittleEndian.PutUint64(is[p:], uint64(v))
	}
}

// Get returns element i (0 <= i < Len).
func Get(is []byte, i int) int64 { return get(is, Encoding(is), i) }

// Search reports whether v is in the set and, if not, the position where
// it would be inserted to keep the order.
func Search(is []byte, v int64) (pos int, found bool) {
	enc, n := Encoding(is), Len(is)
	if n == 0 {
		return 0, false
	}
	// Fast paths for values outside the range, as intsetSearch.
	if v > get(is, enc, n-1) {
		return n, false
	}
	if v < get(is, enc, 0) {
		return 0, false
	}
	lo, hi := 0, n-1
	for lo <= hi {
		mid := int(uint(lo+hi) >> 1)
		cur := get(is, enc, mid)
		switch {
		case v > cur:
			lo = mid + 1
		case v < cur:
			hi = mid - 1
		default:
			return mid, true
		}
	}
	return lo, false
}

// Contains reports whether v is in the set.
func Contains(is []byte, v int64) bool {
	if valueEncoding(v) > Encoding(is) {
		return false
	}
	_, ok := Search(is, v)
	return ok
}

// Add inserts v, widening the encoding first if v needs it (intsetAdd and
// intsetUpgradeAndAdd). It returns the (possibly reallocated) intset and
// whether v was added (false if already present).
func Add(is []byte, v int64) ([]byte, bool) {
	enc, n := Encoding(is), Len(is)
	venc := valueEncoding(v)
	if venc > enc {
		// v is out of the current range, so it goes first (negative) or last.
		is = slices.Grow(is, HeaderSize+(n+1)*venc-len(is))[:HeaderSize+(n+1)*venc]
		prepend := 0
		if v < 0 {
			prepend = 1
		}
		for i := n - 1; i >= 0; i-- {
			set(is, venc, i+prepend, get(is, enc, i))
		}
		if prepend == 1 {
			set(is, venc, 0, v)
		} else {
			set(is, venc, n, v)
		}
		binary.LittleEndian.PutUint32(is, uint32(venc))
		setLen(is, n+1)
		return is, true
	}
	pos, found := Search(is, v)
	if found {
		return is, false
	}
	old := len(is)
	is = slices.Grow(is, enc)[:old+enc]
	p := HeaderSize + pos*enc
	copy(is[p+enc:], is[p:old])
	set(is, enc, pos, v)
	setLen(is, n+1)
	return is, true
}

// Remove deletes v and reports whether it was present. The encoding is
// never narrowed.
func Remove(is []byte, v int64) ([]byte, bool) {
	enc := Encoding(is)
	if valueEncoding(v) > enc {
		return is, false
	}
	pos, found := Search(is, v)
	if !found {
		return is, false
	}
	p := HeaderSize + pos*enc
	copy(is[p:], is[p+enc:])
	is = is[:len(is)-enc]
	setLen(is, Len(is)-1)
	return is, true
}

// Min returns the smallest element; the set must not be empty.
func Min(is []byte) int64 { return Get(is, 0) }

// Max returns the largest element; the set must not be empty.
func Max(is []byte) int64 { return Get(is, Len(is)-1) }

// Iter walks an untrusted intset in order, checking that every element is
// larger than the one before. It never allocates.
type Iter struct {
	is     []byte
	enc, n int
	i      int
	v      int64
	err    error
}

// NewIter checks the header (encoding 2, 4 or 8; length*encoding equal to
// the bytes after the header) and returns an iterator before the first
// element.
func NewIter(is []byte) (Iter, error) {
	if len(is) < HeaderSize {
		return Iter{}, corrupt(0, "intset of %d bytes is shorter than the %d-byte header", len(is), HeaderSize)
	}
	enc := binary.LittleEndian.Uint32(is)
	if enc != Enc16 && enc != Enc32 && enc != Enc64 {
		return Iter{}, corrupt(0, "encoding %d, expected 2, 4 or 8", enc)
	}
	n := uint64(binary.LittleEndian.Uint32(is[4:]))
	if n*uint64(enc) != uint64(len(is)-HeaderSize) {
		return Iter{}, corrupt(4, "length %d at %d bytes each needs %d bytes, have %d",
			n, enc, n*uint64(enc), len(is)-HeaderSize)
	}
	return Iter{is: is, enc: int(enc), n: int(n), i: -1}, nil
}

// Next advances to the next element; false at the end or on damage.
func (it *Iter) Next() bool {
	if it.err != nil || it.i+1 >= it.n {
		return false
	}
	it.i++
	v := get(it.is, it.enc, it.i)
	if it.i > 0 && v <= it.v {
		it.err = corrupt(HeaderSize+it.i*it.enc, "element %d (%d) is not greater than element %d (%d)",
			it.i, v, it.i-1, it.v)
		return false
	}
	it.v = v
	return true
}

// Value returns the current element.
func (it *Iter) Value() int64 { return it.v }

// Index returns the position of the current element.
func (it *Iter) Index() int { return it.i }

// Err returns the damage found, or nil.
func (it *Iter) Err() error { return it.err }

// Validate deeply checks an untrusted intset (header, size, strictly
// ascending order) and returns the number of elements.
func Validate(is []byte) (count int, err error) {
	it, err := NewIter(is)
	if err != nil {
		return 0, err
	}
	for it.Next() {
	}
	if it.err != nil {
		return it.i, it.err
	}
	return it.n, nil
}
