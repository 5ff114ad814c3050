package listpack

import "encoding/binary"

// Iter walks the entries of an untrusted listpack front to back, checking
// each entry (encoding, lengths, bounds, backlen) before exposing it. It
// never allocates. Usage:
//
//	it, err := listpack.NewIter(lp)
//	if err != nil { ... }
//	for it.Next() {
//		s, n, isInt := it.Value()
//	}
//	if err := it.Err(); err != nil { ... }
type Iter struct {
	lp    []byte
	off   int // current entry, or -1 before the first
	next  int // offset of the next entry
	s     []byte
	n     int64
	isInt bool
	err   error
	done  bool
}

// NewIter checks the header (size, total bytes equal to len(lp), final
// terminator) and returns an iterator positioned before the first entry.
func NewIter(lp []byte) (Iter, error) {
	if err := checkHeader(lp); err != nil {
		return Iter{}, err
	}
	return Iter{lp: lp, off: -1, next: HeaderSize}, nil
}

func checkHeader(lp []byte) error {
	if len(lp) < emptySize {
		return corrupt(0, "listpack of %d bytes is shorter than the minimum %d", len(lp), emptySize)
	}
	if total := binary.LittleEndian.Uint32(lp); uint64(total) != uint64(len(lp)) {
		return corrupt(0, "header total bytes %d, but the blob is %d bytes", total, len(lp))
	}
	if lp[len(lp)-1] != Terminator {
		return corrupt(len(lp)-1, "last byte is %#x, expected terminator 0xff", lp[len(lp)-1])
	}
	return nil
}

// Next advances to the next entry and reports whether there is one. It
// returns false at the terminator or on damage (see Err).
func (it *Iter) Next() bool {
	if it.done || it.err != nil || it.lp == nil {
		return false
	}
	off := it.next
	end := len(it.lp) - 1 // the terminator
	if it.lp[off] == Terminator {
		if off != end {
			it.err = corrupt(off, "terminator found %d bytes before the end", end-off)
		}
		it.done = true
		return false
	}
	// Fast path: 7-bit integers and strings under 64 bytes with their
	// one-byte backlen; anything else (or anything odd) takes the full
	// check, which also produces the error.
	if b := it.lp[off]; b < 0xC0 {
		enc := 1
		if b >= 0x80 {
			enc += int(b & 0x3f)
		}
		if enc < end-off && it.lp[off+enc] == byte(enc) {
			if b < 0x80 {
				it.s, it.n, it.isInt = nil, int64(b), true
			} else {
				it.s, it.n, it.isInt = it.lp[off+1:off+enc], 0, false
			}
			it.off = off
			it.next = off + enc + 1
			return true
		}
	}
	size, s, n, isInt, err := checkEntry(it.lp, off, end)
	if err != nil {
		it.err = err
		return false
	}
	it.s, it.n, it.isInt = s, n, isInt
	it.off = off
	it.next = off + size
	return true
}

// Value returns the current entry: a string (s aliases the listpack) or an
// integer (isInt).
func (it *Iter) Value() (s []byte, n int64, isInt bool) { return it.s, it.n, it.isInt }

// Err returns the first damage found, or nil.
func (it *Iter) Err() error { return it.err }

// Offset returns the byte offset of the current entry.
func (it *Iter) Offset() int { return it.off }

// checkEntry validates the entry at off, which must end at or before end
// (the terminator's offset), and returns its full size and value. It is
// the only place that decides whether entry bytes are sound.
func checkEntry(lp []byte, off, end int) (size int, s []byte, n int64, isInt bool, err error) {
	b := lp[off]
	left := end - off // bytes available for the whole entry
	var enc int
	switch {
	case b < 0x80:
		enc, n, isInt = 1, int64(b), true
	case b < 0xC0:
		enc = 1 + int(b&0x3f)
		if enc > left {
			return 0, nil, 0, false, corrupt(off, "6-bit string of %d bytes runs past the end (%d left)", enc-1, left-1)
		}
		s = lp[off+1 : off+enc]
	case b < 0xE0:
		if left < 2 {
			return 0, nil, 0, false, corrupt(off, "13-bit integer runs past the end")
		}
		u := uint64(b&0x1f)<<8 | uint64(lp[off+1])
		enc, n, isInt = 2, int64(u<<51)>>51, true
	case b < 0xF0:
		if left < 2 {
			return 0, nil, 0, false, corrupt(off, "12-bit string header runs past the end")
		}
		enc = 2 + (int(b&0x0f)<<8 | int(lp[off+1]))
		if enc > left {
			return 0, nil, 0, false, corrupt(off, "12-bit string of %d bytes runs past the end (%d left)", enc-2, left-2)
		}
		s = lp[off+2 : off+enc]
	case b == 0xF0:
		if left < 5 {
			return 0, nil, 0, false, corrupt(off, "32-bit string header runs past the end")
		}
		l := binary.LittleEndian.Uint32(lp[off+1:])
		if uint64(l) > uint64(left-5) {
			return 0, nil, 0, false, corrupt(off, "32-bit string of %d bytes runs past the end (%d left)", l, left-5)
		}
		enc = 5 + int(l)
		s = lp[off+5 : off+enc]
	case b >= 0xF1 && b <= 0xF4:
		enc = [...]int{3, 4, 5, 9}[b-0xF1]
		if enc > left {
			return 0, nil, 0, false, corrupt(off, "integer (encoding %#x) runs past the end", b)
		}
		_, n, isInt = decode(lp, off)
	default:
		return 0, nil, 0, false, corrupt(off, "invalid encoding byte %#x", b)
	}
	bl := backlenSize(enc)
	if enc+bl > left {
		return 0, nil, 0, false, corrupt(off, "backlen of entry (%d+%d bytes) runs past the end (%d left)", enc, bl, left)
	}
	if got, ok := readBacklen(lp, off+enc+bl-1); !ok || got != uint64(enc) {
		return 0, nil, 0, false, corrupt(off+enc, "backlen encodes %d, entry is %d bytes", got, enc)
	}
	return enc + bl, s, n, isInt, nil
}

// readBacklen decodes the backlen whose last byte is at p, walking back at
// most five bytes and never below offset 0; ok is false otherwise. Like
// Redis's lpDecodeBacklen it stops at the first byte without the
// continuation bit, so a check that compares the value (not the number of
// bytes walked) accepts exactly what Redis accepts.
func readBacklen(lp []byte, p int) (uint64, bool) {
	var v uint64
	for shift := 0; shift <= 28; shift += 7 {
		if p < 0 {
			return v, false
		}
		c := lp[p]
		v |= uint64(c&127) << shift
		if c&128 == 0 {
			return v, true
		}
		p--
	}
	return v, false
}

// Validate deeply checks an untrusted listpack: header, every entry's
// encoding, lengths, bounds and backlen, the terminator, and that the count
// header matches the number of entries (unless it is 65535). It returns the
// number of entries. It never reads out of range.
func Validate(lp []byte) (count int, err error) {
	it, err := NewIter(lp)
	if err != nil {
		return 0, err
	}
	for it.Next() {
		count++
	}
	if err := it.Err(); err != nil {
		return count, err
	}
	if h := HeaderCount(lp); h != CountUnknown && h != count {
		return count, corrupt(4, "header count %d, but %d entries", h, count)
	}
	return count, nil
}
