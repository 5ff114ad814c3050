package rdb

// TEMPORARY: stand-ins for rdb/ziplist and rdb/zipmap until those packages
// land; to be deleted then.

import (
	"encoding/binary"
	"errors"
)

type stubZLIter struct {
	b     []byte
	off   int
	s     []byte
	n     int64
	isInt bool
	err   error
}

func stubZLNewIter(b []byte) stubZLIter { return stubZLIter{b: b, off: 10} }

func (it *stubZLIter) Next() bool {
	b := it.b
	if it.err != nil || it.off >= len(b) {
		return false
	}
	if b[it.off] == 0xff {
		return false
	}
	p := it.off
	if b[p] == 0xfe {
		p += 5
	} else {
		p++
	}
	if p >= len(b) {
		it.err = errors.New("ziplist entry past end")
		return false
	}
	e := b[p]
	var data, hdr int
	it.isInt = true
	switch {
	case e>>6 == 0:
		hdr, data = 1, int(e&0x3f)
		it.isInt = false
	case e>>6 == 1:
		if p+2 > len(b) {
			it.err = errors.New("ziplist entry past end")
			return false
		}
		hdr, data = 2, int(e&0x3f)<<8|int(b[p+1])
		it.isInt = false
	case e == 0x80:
		if p+5 > len(b) {
			it.err = errors.New("ziplist entry past end")
			return false
		}
		hdr, data = 5, int(binary.BigEndian.Uint32(b[p+1:]))
		it.isInt = false
	case e == 0xc0:
		hdr, data = 1, 2
	case e == 0xd0:
		hdr, data = 1, 4
	case e == 0xe0:
		hdr, data = 1, 8
	case e == 0xf0:
		hdr, data = 1, 3
	case e == 0xfe:
		hdr, data = 1, 1
	case e >= 0xf1 && e <= 0xfd:
		hdr, data = 1, 0
	default:
		it.err = errors.New("bad ziplist encoding")
		return false
	}
	if data < 0 || p+hdr+data >= len(b) {
		it.err = errors.New("ziplist entry past end")
		return false
	}
	v := b[p+hdr : p+hdr+data]
	if it.isInt {
		switch e {
		case 0xc0:
			it.n = int64(int16(binary.LittleEndian.Uint16(v)))
		case 0xd0:
			it.n = int64(int32(binary.LittleEndian.Uint32(v)))
		case 0xe0:
			it.n = int64(binary.LittleEndian.Uint64(v))
		case 0xf0:
			it.n = int64(int32(uint32(v[0])<<8|uint32(v[1])<<16|uint32(v[2])<<24) >> 8)
		case 0xfe:
			it.n = int64(int8(v[0]))
		default:
			it.n = int64(e&0x0f) - 1
		}
	} else {
		it.s = v
	}
	it.off = p + hdr + data
	return true
}

func (it *stubZLIter) Value() ([]byte, int64, bool) { return it.s, it.n, it.isInt }
func (it *stubZLIter) Err() error                   { return it.err }

func stubZLValidate(b []byte) (int, error) {
	it := stubZLNewIter(b)
	n := 0
	for it.Next() {
		n++
	}
	return n, it.err
}

type stubZMIter struct {
	b    []byte
	off  int
	f, v []byte
	err  error
}

func stubZMNewIter(b []byte) stubZMIter { return stubZMIter{b: b, off: 1} }

func (z *stubZMIter) len() (int, bool) {
	if z.off >= len(z.b) {
		return 0, false
	}
	c := z.b[z.off]
	if c < 254 {
		z.off++
		return int(c), true
	}
	if c == 254 && z.off+5 <= len(z.b) {
		n := int(binary.LittleEndian.Uint32(z.b[z.off+1:]))
		z.off += 5
		return n, true
	}
	return 0, false
}

func (z *stubZMIter) Next() bool {
	if z.err != nil || z.off >= len(z.b) || z.b[z.off] == 255 {
		return false
	}
	kl, ok := z.len()
	if !ok || z.off+kl > len(z.b) {
		z.err = errors.New("bad zipmap")
		return false
	}
	z.f = z.b[z.off : z.off+kl]
	z.off += kl
	vl, ok := z.len()
	if !ok || z.off >= len(z.b) {
		z.err = errors.New("bad zipmap")
		return false
	}
	free := int(z.b[z.off])
	z.off++
	if z.off+vl+free > len(z.b) {
		z.err = errors.New("bad zipmap")
		return false
	}
	z.v = z.b[z.off : z.off+vl]
	z.off += vl + free
	return true
}

func (z *stubZMIter) Pair() ([]byte, []byte) { return z.f, z.v }
func (z *stubZMIter) Err() error             { return z.err }

func stubZMValidate(b []byte) error {
	z := stubZMNewIter(b)
	for z.Next() {
	}
	return z.err
}

func ziplistNew(dst []byte) []byte {
	return append(dst, 11, 0, 0, 0, 10, 0, 0, 0, 0, 0, 0xff)
}

// ziplistEntrySize is the size of el as a ziplist entry after an entry of
// prevSize bytes.
func ziplistEntrySize(el []byte, prevSize int) int {
	p := 1
	if prevSize >= 254 {
		p = 5
	}
	if v, ok := parseCanonicalInt(el); ok {
		switch {
		case v >= 0 && v <= 12:
			return p + 1
		case v >= -128 && v <= 127:
			return p + 2
		case v >= -32768 && v <= 32767:
			return p + 3
		case v >= -(1<<23) && v < 1<<23:
			return p + 4
		case v >= -(1<<31) && v < 1<<31:
			return p + 5
		}
		return p + 9
	}
	switch {
	case len(el) < 64:
		return p + 1 + len(el)
	case len(el) < 16384:
		return p + 2 + len(el)
	}
	return p + 5 + len(el)
}

func ziplistAppend(zl []byte, el []byte) []byte {
	tail := int(binary.LittleEndian.Uint32(zl[4:]))
	n := int(binary.LittleEndian.Uint16(zl[8:]))
	prev := 0
	if n > 0 {
		prev = len(zl) - 1 - tail
	}
	off := len(zl) - 1
	zl = zl[:off]
	if prev >= 254 {
		zl = append(zl, 0xfe)
		zl = binary.LittleEndian.AppendUint32(zl, uint32(prev))
	} else {
		zl = append(zl, byte(prev))
	}
	if v, ok := parseCanonicalInt(el); ok {
		switch {
		case v >= 0 && v <= 12:
			zl = append(zl, 0xf1+byte(v))
		case v >= -128 && v <= 127:
			zl = append(zl, 0xfe, byte(v))
		case v >= -32768 && v <= 32767:
			zl = append(zl, 0xc0, byte(v), byte(v>>8))
		case v >= -(1<<23) && v < 1<<23:
			zl = append(zl, 0xf0, byte(v), byte(v>>8), byte(v>>16))
		case v >= -(1<<31) && v < 1<<31:
			zl = append(zl, 0xd0)
			zl = binary.LittleEndian.AppendUint32(zl, uint32(v))
		default:
			zl = append(zl, 0xe0)
			zl = binary.LittleEndian.AppendUint64(zl, uint64(v))
		}
	} else {
		switch {
		case len(el) < 64:
			zl = append(zl, byte(len(el)))
		case len(el) < 16384:
			zl = append(zl, 0x40|byte(len(el)>>8), byte(len(el)))
		default:
			zl = append(zl, 0x80)
			zl = binary.BigEndian.AppendUint32(zl, uint32(len(el)))
		}
		zl = append(zl, el...)
	}
	zl = append(zl, 0xff)
	binary.LittleEndian.PutUint32(zl, uint32(len(zl)))
	binary.LittleEndian.PutUint32(zl[4:], uint32(off))
	if n < 65535 {
		binary.LittleEndian.PutUint16(zl[8:], uint16(n+1))
	}
	return zl
}
