package zipmap

import (
	"encoding/binary"
	"errors"
	"fmt"
)

const (
	// End marks the end of the zipmap where a field length would be.
	End = 0xFF
	// BigLen as a length byte means a 4-byte length follows; as zmlen it
	// means the count is unknown.
	BigLen = 254
)

// ErrCorrupt is wrapped by every error about malformed zipmap bytes.
var ErrCorrupt = errors.New("zipmap: corrupt")

func corrupt(off int, format string, args ...any) error {
	return fmt.Errorf("%w: offset %d: %s", ErrCorrupt, off, fmt.Sprintf(format, args...))
}

// Iter walks the field/value pairs of an untrusted zipmap. It never
// allocates.
type Iter struct {
	zm           []byte
	p            int // next byte to read
	field, value []byte
	off          int // offset of the current pair
	count        int
	err          error
	done         bool
}

// NewIter checks that zm has a count byte and ends with the end marker, and
// returns an iterator before the first pair.
func NewIter(zm []byte) (Iter, error) {
	if len(zm) < 2 {
		return Iter{}, corrupt(0, "zipmap of %d bytes is shorter than the minimum 2", len(zm))
	}
	if zm[len(zm)-1] != End {
		return Iter{}, corrupt(len(zm)-1, "last byte is %#x, expected end marker 0xff", zm[len(zm)-1])
	}
	return Iter{zm: zm, p: 1, off: -1}, nil
}

// readLen decodes a length at p; last is the offset of the final byte
// (the end marker), which neither the length nor what it describes may
// reach past. It returns the length and the offset after the encoding.
func (it *Iter) readLen(p int, what string) (int, int, bool) {
	last := len(it.zm) - 1
	if it.zm[p] < BigLen {
		if p+1 > last {
			it.err = corrupt(p, "%s length runs past the end", what)
			return 0, 0, false
		}
		return int(it.zm[p]), p + 1, true
	}
	if p+5 > last {
		it.err = corrupt(p, "5-byte %s length runs past the end", what)
		return 0, 0, false
	}
	return int(binary.LittleEndian.Uint32(it.zm[p+1:])), p + 5, true
}

// Next advances to the next pair; false at the end marker or on damage.
func (it *Iter) Next() bool {
	if it.done || it.err != nil || it.zm == nil {
		return false
	}
	zm, p, last := it.zm, it.p, len(it.zm)-1
	if zm[p] == End {
		it.done = true
		return false
	}
	start := p
	l, p, ok := it.readLen(p, "field")
	if !ok {
		return false
	}
	if l > last-p {
		it.err = corrupt(start, "field of %d bytes runs past the end (%d left)", l, last-p)
		return false
	}
	field := zm[p : p+l]
	p += l
	vstart := p
	l, p, ok = it.readLen(p, "value")
	if !ok {
		return false
	}
	free := int(zm[p]) // in range: readLen left p <= last
	p++
	if l+free > last-p {
		it.err = corrupt(vstart, "value of %d bytes plus %d free runs past the end (%d left)", l, free, last-p)
		return false
	}
	it.field, it.value = field, zm[p:p+l]
	it.p = p + l + free
	it.off = start
	it.count++
	return true
}

// Pair returns the current field and value; both alias the zipmap.
func (it *Iter) Pair() (field, value []byte) { return it.field, it.value }

// Offset returns the byte offset of the current pair.
func (it *Iter) Offset() int { return it.off }

// Err returns the damage found, or nil.
func (it *Iter) Err() error { return it.err }

// Validate deeply checks an untrusted zipmap: every length and the bytes it
// covers stay before the final end marker, and zmlen equals the number of
// pairs unless it is 254. It returns the number of pairs.
func Validate(zm []byte) (count int, err error) {
	it, err := NewIter(zm)
	if err != nil {
		return 0, err
	}
	for it.Next() {
	}
	if it.err != nil {
		return it.count, it.err
	}
	if zm[0] != BigLen && int(zm[0]) != it.count {
		return it.count, corrupt(0, "zmlen %d, but %d pairs", zm[0], it.count)
	}
	return it.count, nil
}
