package tbits

import (
	"encoding/binary"
	"math/bits"
)

// Popcount is the number of set bits in b (redisPopcount), counted 32 bytes at a time
// with math/bits.OnesCount64.
func Popcount(b []byte) int64 {
	var n0, n1, n2, n3 int
	for len(b) >= 32 {
		n0 += bits.OnesCount64(binary.LittleEndian.Uint64(b))
		n1 += bits.OnesCount64(binary.LittleEndian.Uint64(b[8:]))
		n2 += bits.OnesCount64(binary.LittleEndian.Uint64(b[16:]))
		n3 += bits.OnesCount64(binary.LittleEndian.Uint64(b[24:]))
		b = b[32:]
	}
	for len(b) >= 8 {
		n0 += bits.OnesCount64(binary.LittleEndian.Uint64(b))
		b = b[8:]
	}
	for _, c := range b {
		n0 += bits.OnesCount8(c)
	}
	return int64(n0 + n1 + n2 + n3)
}

// FirstBit returns the position of the first bit equal to bit (0 or 1) in the bit range
// [from, to] of b (bit 0 is the most significant bit of b[0]), or -1 when there is none.
// The range must lie inside b.
func FirstBit(b []byte, from, to int64, bit int) int64 {
	if from > to {
		return -1
	}
	var flip byte // XOR mask that turns the wanted bit into a 1
	if bit == 0 {
		flip = 0xff
	}
	first, last := from>>3, to>>3
	// First (possibly partial) byte.
	c := (b[first] ^ flip) & (0xff >> (from & 7))
	if first == last {
		c &= 0xff << (7 - to&7)
		if c == 0 {
			return -1
		}
		return first<<3 + int64(bits.LeadingZeros8(c))
	}
	if c != 0 {
		return first<<3 + int64(bits.LeadingZeros8(c))
	}
	// Whole bytes in between, a word at a time.
	i := first + 1
	var fw uint64
	if bit == 0 {
		fw = ^uint64(0)
	}
	for ; i+8 <= last; i += 8 {
		if w := binary.BigEndian.Uint64(b[i:]) ^ fw; w != 0 {
			return i<<3 + int64(bits.LeadingZeros64(w))
		}
	}
	for ; i < last; i++ {
		if c := b[i] ^ flip; c != 0 {
			return i<<3 + int64(bits.LeadingZeros8(c))
		}
	}
	// Last (possibly partial) byte.
	c = (b[last] ^ flip) & (0xff << (7 - to&7))
	if c != 0 {
		return last<<3 + int64(bits.LeadingZeros8(c))
	}
	return -1
}

// GetBit is bit number off of b (bit 0 is the most significant bit of b[0]); bits past
// the end are 0.
func GetBit(b []byte, off uint64) int {
	i := off >> 3
	if i >= uint64(len(b)) {
		return 0
	}
	return int(b[i]>>(7-off&7)) & 1
}

// window reads the 72 bits starting at byte i of b, zero-padded past the end, as a
// 64-bit high part and the 8 bits that follow.
func window(b []byte, i uint64) (hi uint64, lo byte) {
	if i+9 <= uint64(len(b)) {
		return binary.BigEndian.Uint64(b[i:]), b[i+8]
	}
	var buf [9]byte
	if i < uint64(len(b)) {
		copy(buf[:], b[i:])
	}
	return binary.BigEndian.Uint64(buf[:]), buf[8]
}

// BitfieldGet reads an unsigned field of width bits (1..64) at bit offset off of b
// (getUnsignedBitfield over a zero-padded string).
func BitfieldGet(b []byte, off uint64, width int) uint64 {
	hi, lo := window(b, off>>3)
	s := off & 7
	v := hi<<s | uint64(lo)>>(8-s)
	return v >> (64 - width)
}

// BitfieldGetSigned reads a two's complement field of width bits (getSignedBitfield).
func BitfieldGetSigned(b []byte, off uint64, width int) int64 {
	v := BitfieldGet(b, off, width)
	if width < 64 && v&(1<<(width-1)) != 0 {
		v |= ^uint64(0) << width
	}
	return int64(v)
}

// BitfieldSet writes the low width bits of v at bit offset off (setUnsignedBitfield). b
// must hold every bit of the field.
func BitfieldSet(b []byte, off uint64, width int, v uint64) {
	i := off >> 3
	s := off & 7
	var buf [9]byte
	n := copy(buf[:], b[i:])
	hi := binary.BigEndian.Uint64(buf[:])
	lo := buf[8]
	// The field covers bits [s, s+width) of the 72-bit window hi:lo.
	end := s + uint64(width) // ≤ 71
	var mHi uint64
	var mLo byte
	if end <= 64 {
		mHi = (^uint64(0) >> (64 - width)) << (64 - end)
		hi = hi&^mHi | (v<<(64-end))&mHi
	} else {
		mHi = ^uint64(0) >> s
		hi = hi&^mHi | (v>>(end-64))&mHi
		mLo = byte(0xff << (72 - end))
		lo = lo&^mLo | byte(v<<(72-end))&mLo
	}
	binary.BigEndian.PutUint64(buf[:], hi)
	buf[8] = lo
	copy(b[i:i+uint64(n)], buf[:n])
}

// andInto, orInto, xorInto combine src into dst (len(dst) >= len(src) for or/xor); andInto
// clears what lies past the end of src, as BITOP pads shorter strings with zeros.
func andInto(dst, src []byte) {
	n := min(len(dst), len(src))
	d, s := dst[:n], src[:n]
	for len(d) >= 8 {
		binary.LittleEndian.PutUint64(d, binary.LittleEndian.Uint64(d)&binary.LittleEndian.Uint64(s))
		d, s = d[8:], s[8:]
	}
	for i := range d {
		d[i] &= s[i]
	}
	clear(dst[n:])
}

func orInto(dst, src []byte) {
	d := dst[:len(src)]
	for len(d) >= 8 {
		binary.LittleEndian.PutUint64(d, binary.LittleEndian.Uint64(d)|binary.LittleEndian.Uint64(src))
		d, src = d[8:], src[8:]
	}
	for i := range d {
		d[i] |= src[i]
	}
}

func xorInto(dst, src []byte) {
	d := dst[:len(src)]
	for len(d) >= 8 {
		binary.LittleEndian.PutUint64(d, binary.LittleEndian.Uint64(d)^binary.LittleEndian.Uint64(src))
		d, src = d[8:], src[8:]
	}
	for i := range d {
		d[i] ^= src[i]
	}
}

func notInPlace(d []byte) {
	for len(d) >= 8 {
		binary.LittleEndian.PutUint64(d, ^binary.LittleEndian.Uint64(d))
		d = d[8:]
	}
	for i := range d {
		d[i] = ^d[i]
	}
}

// combine2 writes a op b into dst (len(dst) >= both), zero-padding the shorter source:
// the first step of a BITOP with two or more sources, fused to read each source once.
func combine2(op int, dst, a, b []byte) {
	if len(a) < len(b) {
		a, b = b, a
	}
	n := len(b)
	d, x, y := dst[:n], a[:n], b[:n]
	le := binary.LittleEndian
	switch op {
	case opAnd:
		for len(d) >= 8 {
			le.PutUint64(d, le.Uint64(x)&le.Uint64(y))
			d, x, y = d[8:], x[8:], y[8:]
		}
		for i := range d {
			d[i] = x[i] & y[i]
		}
		return // the rest of dst stays zero
	case opOr:
		for len(d) >= 8 {
			le.PutUint64(d, le.Uint64(x)|le.Uint64(y))
			d, x, y = d[8:], x[8:], y[8:]
		}
		for i := range d {
			d[i] = x[i] | y[i]
		}
	case opXor:
		for len(d) >= 8 {
			le.PutUint64(d, le.Uint64(x)^le.Uint64(y))
			d, x, y = d[8:], x[8:], y[8:]
		}
		for i := range d {
			d[i] = x[i] ^ y[i]
		}
	}
	copy(dst[n:], a[n:])
}
