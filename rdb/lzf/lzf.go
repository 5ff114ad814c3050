package lzf

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"sync"
)

// Sentinel errors. Errors returned by Decompress wrap one of them and carry
// the input offset.
var (
	// ErrCorrupt means the compressed data is malformed: a run or
	// back-reference reads past the end of the input, or a back-reference
	// points before the start of the output.
	ErrCorrupt = errors.New("lzf: corrupt input")
	// ErrTooBig means the data decompresses to more than cap(dst) bytes.
	ErrTooBig = errors.New("lzf: output exceeds buffer")
)

// Decompress decodes the LZF data in src into dst[:cap(dst)] and returns
// dst[:n], where n is the number of bytes produced. The output budget is
// cap(dst): pass make([]byte, ulen), or buf[:0:ulen] to reuse a larger
// buffer while still bounding the output to ulen. The caller should check
// that n equals the expected uncompressed length, as Redis does. Empty src
// yields an empty result. Bytes of dst[n:cap(dst)] may be overwritten.
func Decompress(dst, src []byte) ([]byte, error) {
	out := dst[:cap(dst)]
	op, ip := 0, 0
	for ip < len(src) {
		ctrl := int(src[ip])
		ip++
		if ctrl < 32 {
			n := ctrl + 1
			if ip+32 <= len(src) && op+32 <= len(out) {
				// Fast path: copy a whole 32-byte block as four words
				// (no memmove call); the bytes past n are rewritten by what follows
				// (or lie past the result).
				s, d := src[ip:ip+32], out[op:op+32]
				a0 := binary.LittleEndian.Uint64(s)
				a1 := binary.LittleEndian.Uint64(s[8:])
				a2 := binary.LittleEndian.Uint64(s[16:])
				a3 := binary.LittleEndian.Uint64(s[24:])
				binary.LittleEndian.PutUint64(d, a0)
				binary.LittleEndian.PutUint64(d[8:], a1)
				binary.LittleEndian.PutUint64(d[16:], a2)
				binary.LittleEndian.PutUint64(d[24:], a3)
				op += n
				ip += n
				continue
			}
			if op+n > len(out) {
				return dst[:op], fmt.Errorf("%w: literal run of %d at input offset %d, output %d, budget %d",
					ErrTooBig, n, ip-1, op, len(out))
			}
			if ip+n > len(src) {
				return dst[:op], fmt.Errorf("%w: literal run of %d at input offset %d overruns input of %d bytes",
					ErrCorrupt, n, ip-1, len(src))
			}
			copy(out[op:op+n], src[ip:ip+n])
			op += n
			ip += n
			continue
		}
		start := ip - 1
		n := ctrl >> 5
		ref := op - (ctrl&0x1f)<<8 - 1
		if ip >= len(src) {
			return dst[:op], fmt.Errorf("%w: back-reference at input offset %d truncated", ErrCorrupt, start)
		}
		if n == 7 {
			n += int(src[ip])
			ip++
			if ip >= len(src) {
				return dst[:op], fmt.Errorf("%w: back-reference at input offset %d truncated", ErrCorrupt, start)
			}
		}
		ref -= int(src[ip])
		ip++
		n += 2
		if op+n > len(out) {
			return dst[:op], fmt.Errorf("%w: back-reference of %d at input offset %d, output %d, budget %d",
				ErrTooBig, n, start, op, len(out))
		}
		if ref < 0 {
			return dst[:op], fmt.Errorf("%w: back-reference at input offset %d points %d bytes before output start",
				ErrCorrupt, start, -ref)
		}
		if op-ref >= 8 && op+n+8 <= len(out) {
			// Fast path: the reference lies at least 8 bytes back, so
			// 8-byte words can be copied forward; each word reads only
			// bytes already written. The last word may spill up to 7
			// bytes past n, rewritten later (or past the result).
			end := op + n
			for op < end {
				binary.LittleEndian.PutUint64(out[op:], binary.LittleEndian.Uint64(out[ref:]))
				op += 8
				ref += 8
			}
			op = end
			continue
		}
		// When the reference overlaps the output it repeats the last op-ref
		// bytes; copying out[ref:op] repeatedly (doubling each time) keeps
		// that period.
		for end := op + n; op < end; {
			op += copy(out[op:end], out[ref:op])
		}
	}
	return dst[:op], nil
}

const (
	hlog   = 16
	hsize  = 1 << hlog
	maxLit = 1 << 5
	maxOff = 1 << 13
	maxRef = 1<<8 + 1<<3
	// maxInput keeps every table value (base + position) within uint32.
	maxInput = 1<<31 - 1
)

// Compressor holds the hash table LZF uses to find matches so it can be
// reused across calls without allocating. The zero value is ready to use.
// A Compressor is not safe for concurrent use.
type Compressor struct {
	// htab holds base+position of the last occurrence of each 3-byte
	// hash; entries at or below base belong to earlier calls and count as
	// empty, which is what an all-zero table means to liblzf. This avoids
	// clearing 256 KiB per call.
	htab *[hsize]uint32
	base uint32
}

var pool = sync.Pool{New: func() any { return new(Compressor) }}

// Compress compresses src into dst and returns the compressed length, or 0
// when the output would not fit in len(dst) (or src is empty). Redis calls
// it with a budget of len(src)-4 and stores the string raw on 0. It uses a
// pooled Compressor.
func Compress(dst, src []byte) int {
	c := pool.Get().(*Compressor)
	n := c.Compress(dst, src)
	pool.Put(c)
	return n
}

func idx(h uint32) uint32 { return (h>>(3*8-hlog) - h*5) & (hsize - 1) }

// Compress compresses src into dst and returns the compressed length, or 0
// when the output would not fit in len(dst), src is empty, or src is larger
// than 2 GiB-1 bytes.
func (c *Compressor) Compress(dst, src []byte) int {
	inLen, outEnd := len(src), len(dst)
	if inLen == 0 || outEnd == 0 || inLen > maxInput {
		return 0
	}
	if c.htab == nil {
		c.htab = new([hsize]uint32)
	}
	if uint64(c.base)+uint64(inLen)+1 > 1<<32-1 {
		clear(c.htab[:])
		c.base = 0
	}
	base := c.base
	c.base += uint32(inLen) + 1
	htab := c.htab

	// Positions are stored as base+ip+1 so that 0 (and anything <= base)
	// means "no entry". ref is then entry-base-1.
	ip, op := 0, 1 // op starts past the first run's control byte
	lit := 0
	var hval uint32
	if inLen >= 2 {
		hval = uint32(src[0])<<8 | uint32(src[1])
	}
	for ip < inLen-2 {
		hval = hval<<8 | uint32(src[ip+2])
		slot := &htab[idx(hval)]
		e := *slot
		*slot = base + uint32(ip) + 1
		ref := -1
		if e > base {
			ref = int(e-base) - 1
		}
		// liblzf requires ref > in_data, so position 0 never matches.
		if ref > 0 && ip-ref-1 < maxOff &&
			src[ref+2] == src[ip+2] && src[ref] == src[ip] && src[ref+1] == src[ip+1] {
			off := ip - ref - 1
			n := 2
			maxlen := min(inLen-ip-n, maxRef)
			if op+3+1 >= outEnd {
				if op-b2i(lit == 0)+3+1 >= outEnd {
					return 0
				}
			}
			dst[op-lit-1] = byte(lit - 1) // stop run
			op -= b2i(lit == 0)           // undo run if length is zero
			n = matchLen(src, ref, ip, maxlen)
			n -= 2 // now #octets - 1
			ip++
			if n < 7 {
				dst[op] = byte(off>>8 + n<<5)
				op++
			} else {
				dst[op] = byte(off>>8 + 7<<5)
				dst[op+1] = byte(n - 7)
				op += 2
			}
			dst[op] = byte(off)
			op++
			lit = 0
			op++ // start run
			ip += n + 1
			if ip >= inLen-2 {
				break
			}
			ip -= 2
			hval = uint32(src[ip])<<8 | uint32(src[ip+1])
			hval = hval<<8 | uint32(src[ip+2])
			htab[idx(hval)] = base + uint32(ip) + 1
			ip++
			hval = hval<<8 | uint32(src[ip+2])
			htab[idx(hval)] = base + uint32(ip) + 1
			ip++
			continue
		}
		// One more literal byte.
		if op >= outEnd {
			return 0
		}
		lit++
		dst[op] = src[ip]
		op++
		ip++
		if lit == maxLit {
			dst[op-lit-1] = byte(lit - 1)
			lit = 0
			op++
		}
	}
	if op+3 > outEnd { // at most 3 bytes can be missing here
		return 0
	}
	for ip < inLen {
		lit++
		dst[op] = src[ip]
		op++
		ip++
		if lit == maxLit {
			dst[op-lit-1] = byte(lit - 1)
			lit = 0
			op++
		}
	}
	dst[op-lit-1] = byte(lit - 1) // end run
	op -= b2i(lit == 0)
	return op
}

// matchLen returns the length of the match at ip against ref, given that
// the first 3 bytes match, exactly as liblzf measures it: when maxlen > 16
// it first compares bytes 3..18 without looking at maxlen (so a match may
// run to the very end of the input), otherwise it stops at maxlen.
func matchLen(src []byte, ref, ip, maxlen int) int {
	n := 2
	if maxlen > 16 {
		for n < 18 {
			n++
			if src[ref+n] != src[ip+n] {
				return n
			}
		}
	}
	n++
	for n+8 <= maxlen {
		x := binary.LittleEndian.Uint64(src[ref+n:]) ^ binary.LittleEndian.Uint64(src[ip+n:])
		if x != 0 {
			return n + bits.TrailingZeros64(x)>>3
		}
		n += 8
	}
	for n < maxlen && src[ref+n] == src[ip+n] {
		n++
	}
	return n
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
