package thll

import (
	"encoding/binary"
	"errors"
	"math"
	"math/bits"
	"sync/atomic"
)

// Layout constants of hyperloglog.c.
const (
	P          = 14     // HLL_P: index bits
	Q          = 64 - P // HLL_Q: bits left for the run of zeros
	Registers  = 1 << P // HLL_REGISTERS
	pMask      = Registers - 1
	regBits    = 6 // HLL_BITS
	regMax     = 1<<regBits - 1
	HeaderSize = 16                                                   // sizeof(struct hllhdr)
	DenseSize  = HeaderSize + (Registers*regBits+7)/8                 // HLL_DENSE_SIZE: 12304
	EmptySize  = HeaderSize + (Registers+xzeroMaxLen-1)/xzeroMaxLen*2 // createHLLObject: 18

	// Header encodings (hdr->encoding).
	EncDense  = 0
	EncSparse = 1

	seed = 0xadc83b19

	valMaxValue = 32    // HLL_SPARSE_VAL_MAX_VALUE
	valMaxLen   = 4     // HLL_SPARSE_VAL_MAX_LEN
	zeroMaxLen  = 64    // HLL_SPARSE_ZERO_MAX_LEN
	xzeroMaxLen = 16384 // HLL_SPARSE_XZERO_MAX_LEN
)

// ErrCorrupt is a sparse representation whose opcodes do not cover exactly 16384 registers.
var ErrCorrupt = errors.New("thll: corrupted sparse HLL")

var sparseMaxBytes atomic.Int64

func init() { sparseMaxBytes.Store(3000) }

// SetSparseMaxBytes sets hll-sparse-max-bytes (the sparse size, header included, beyond
// which a sparse HLL is promoted to dense). It applies to every engine in the process.
func SetSparseMaxBytes(n int64) { sparseMaxBytes.Store(n) }

// SparseMaxBytes is the current hll-sparse-max-bytes.
func SparseMaxBytes() int64 { return sparseMaxBytes.Load() }

// MurmurHash64A is Redis's endian-neutral MurmurHash2 64-bit variant.
func MurmurHash64A(key []byte, seed uint32) uint64 {
	const m = 0xc6a4a7935bd1e995
	const r = 47
	n := len(key)
	h := uint64(seed) ^ (uint64(int64(int32(n))) * m)
	for len(key) >= 8 {
		k := binary.LittleEndian.Uint64(key)
		k *= m
		k ^= k >> r
		k *= m
		h ^= k
		h *= m
		key = key[8:]
	}
	if len(key) > 0 {
		for i := len(key) - 1; i >= 0; i-- {
			h ^= uint64(key[i]) << (8 * uint(i))
		}
		h *= m
	}
	h ^= h >> r
	h *= m
	h ^= h >> r
	return h
}

// PatLen is hllPatLen: the register an element goes to and the length of its run of
// zeros plus one (1..Q+1).
func PatLen(ele []byte) (index int, count uint8) {
	hash := MurmurHash64A(ele, seed)
	index = int(hash & pMask)
	hash >>= P
	hash |= 1 << Q
	return index, uint8(bits.TrailingZeros64(hash) + 1)
}

// IsHLL reports whether b passes isHLLObjectOrReply's checks: long enough for the header,
// the HYLL magic, a known encoding and, when dense, the exact dense length.
func IsHLL(b []byte) bool {
	if len(b) < HeaderSize || b[0] != 'H' || b[1] != 'Y' || b[2] != 'L' || b[3] != 'L' {
		return false
	}
	switch b[4] {
	case EncDense:
		return len(b) == DenseSize
	case EncSparse:
		return true
	}
	return false
}

// NewEmpty is createHLLObject's string: a sparse HLL of one XZERO:16384, cached
// cardinality 0 (valid).
func NewEmpty() []byte {
	b := make([]byte, EmptySize)
	copy(b, "HYLL")
	b[4] = EncSparse
	b[16] = 0x40 | byte((xzeroMaxLen-1)>>8)
	b[17] = byte((xzeroMaxLen - 1) & 0xff)
	return b
}

// CachedCard returns the cached cardinality and whether it is valid.
func CachedCard(b []byte) (uint64, bool) {
	if b[15]&0x80 != 0 {
		return 0, false
	}
	return binary.LittleEndian.Uint64(b[8:16]), true
}

func invalidateCache(b []byte) { b[15] |= 0x80 }

func setCachedCard(b []byte, card uint64) { binary.LittleEndian.PutUint64(b[8:16], card) }

// ---- dense ----

// denseGet reads register i of the registers r (r starts after the header).
func denseGet(r []byte, i int) uint8 {
	byt := i * regBits / 8
	fb := uint(i*regBits) & 7
	b0 := uint(r[byt])
	var b1 uint
	if byt+1 < len(r) {
		b1 = uint(r[byt+1])
	}
	return uint8(((b0 >> fb) | (b1 << (8 - fb))) & regMax)
}

// denseSetReg writes register i (HLL_DENSE_SET_REGISTER).
func denseSetReg(r []byte, i int, v uint8) {
	byt := i * regBits / 8
	fb := uint(i*regBits) & 7
	fb8 := 8 - fb
	vv := uint(v)
	r[byt] &^= byte(regMax << fb)
	r[byt] |= byte(vv << fb)
	if byt+1 < len(r) {
		r[byt+1] &^= byte(regMax >> fb8)
		r[byt+1] |= byte(vv >> fb8)
	}
}

// denseSet is hllDenseSet: raise register i to count; 1 if it changed.
func denseSet(r []byte, i int, count uint8) int {
	if count > denseGet(r, i) {
		denseSetReg(r, i, count)
		return 1
	}
	return 0
}

// denseHisto adds the dense registers to the histogram.
func denseHisto(r []byte, h *[64]int) {
	var h1, h2, h3 [64]int
	r = r[:Registers*regBits/8]
	for len(r) >= 3 {
		b0, b1, b2 := r[0], r[1], r[2]
		h[b0&63]++
		h1[(b0>>6|b1<<2)&63]++
		h2[(b1>>4|b2<<4)&63]++
		h3[(b2>>2)&63]++
		r = r[3:]
	}
	for i := range h {
		h[i] += h1[i] + h2[i] + h3[i]
	}
}

// ---- sparse ----

// at is b[i], or the sds terminator's 0 past the end.
//
// The terminator is kept in the backing array when there is room (cap > len): all bytes
// past the length are zero, except that one, which hllSparseSet can overwrite when it
// splits an XZERO opcode cut in half by the end of a corrupted string (its memcpy lands on
// the terminator after sdsIncrLen wrote it). Redis reads that byte back as the second half
// of the opcode, and so do we.
func at(b []byte, i int) byte {
	if i < len(b) {
		return b[i]
	}
	if i == len(b) && i < cap(b) {
		return b[:i+1][i]
	}
	return 0
}

// setTerm writes the byte after the end (see at), when the slice has room for it.
func setTerm(b []byte, v byte) {
	if l := len(b); l < cap(b) {
		b[:l+1][l] = v
	}
}

// clearTail zeroes b[len(b):upto] within the capacity (bytes a shrink left behind).
func clearTail(b []byte, upto int) {
	if upto > cap(b) {
		upto = cap(b)
	}
	if upto > len(b) {
		clear(b[len(b):upto])
	}
}

// sparseOp decodes the opcode at b[p]: its run length, its value (0 for ZERO/XZERO) and
// its size in bytes.
func sparseOp(b []byte, p int) (runlen, val, size int) {
	c := b[p]
	switch {
	case c&0xc0 == 0: // ZERO 00xxxxxx
		return int(c&0x3f) + 1, 0, 1
	case c&0xc0 == 0x40: // XZERO 01xxxxxx yyyyyyyy
		return (int(c&0x3f)<<8 | int(at(b, p+1))) + 1, 0, 2
	}
	return int(c&3) + 1, int(c>>2&0x1f) + 1, 1 // VAL 1vvvvvxx
}

func valOp(val, n int) byte { return byte((val-1)<<2|(n-1)) | 0x80 }

func isVal(c byte) bool { return c&0x80 != 0 }

// sparseHisto is hllSparseRegHisto over the opcodes of s (the whole string); ok is false
// when they do not cover exactly 16384 registers.
func sparseHisto(s []byte, h *[64]int) bool {
	idx := 0
	for p := HeaderSize; p < len(s); {
		runlen, val, size := sparseOp(s, p)
		idx += runlen
		h[val] += runlen
		p += size
	}
	return idx == Registers
}

// decodeSparse calls fn for each VAL run (register index, value, run length), in order, as
// hllSparseToDense/hllMerge walk them. It fails as they do: a VAL run past the last
// register (even right after the zeros reached 16384, as the real 7.0.15 answers), or
// opcodes not covering exactly 16384 registers.
func decodeSparse(s []byte, fn func(idx, val, n int)) error {
	idx := 0
	for p := HeaderSize; p < len(s); {
		runlen, val, size := sparseOp(s, p)
		p += size
		if val == 0 {
			idx += runlen
			continue
		}
		if runlen+idx > Registers {
			return ErrCorrupt // Redis 7.0.15 refuses the overflow even when idx is 16384
		}
		fn(idx, val, runlen)
		idx += runlen
	}
	if idx != Registers {
		return ErrCorrupt
	}
	return nil
}

// ToDense is hllSparseToDense: the dense string for a sparse one (header copied, encoding
// changed), as a fresh sds of DenseSize bytes. A dense input is returned as is.
func ToDense(s []byte) ([]byte, error) {
	if s[4] == EncDense {
		return s, nil
	}
	d := newSds(DenseSize)
	copy(d[:HeaderSize], s[:HeaderSize])
	d[4] = EncDense
	r := d[HeaderSize:]
	err := decodeSparse(s, func(idx, val, n int) {
		for j := 0; j < n; j++ {
			denseSetReg(r, idx+j, uint8(val))
		}
	})
	if err != nil {
		return s, err
	}
	return d, nil
}

// sparseSet is hllSparseSet: raise register index to count in the sparse s, promoting to
// dense when the value does not fit a VAL opcode or the string would pass
// hll-sparse-max-bytes. It returns the (possibly reallocated or converted) string and 1 if
// a register changed, 0 if not, -1 for a corrupted representation.
func sparseSet(s []byte, index int, count uint8) ([]byte, int) {
	if count > valMaxValue {
		return promote(s, index, count)
	}
	s = makeRoom(s, 3)
	end := len(s)
	first, span := 0, 0
	prev := -1
	p := HeaderSize
	for p < end {
		var oplen int
		span, _, oplen = sparseOp(s, p)
		if index <= first+span-1 {
			break
		}
		prev = p
		p += oplen
		first += span
	}
	if span == 0 || p >= end {
		return s, -1
	}
	runlen, curval, oplen := sparseOp(s, p)
	next := p + oplen
	if next >= end {
		next = -1
	}
	isVal := curval != 0
	isZero := !isVal && oplen == 1
	if isVal {
		if uint8(curval) >= count {
			return s, 0
		}
		if runlen == 1 {
			s[p] = valOp(int(count), 1)
			return mergeVals(s, prev, end), 1
		}
	}
	if isZero && runlen == 1 {
		s[p] = valOp(int(count), 1)
		return mergeVals(s, prev, end), 1
	}

	var seq [5]byte
	n := 0
	last := first + span - 1
	zeros := func(l int) {
		if l > zeroMaxLen {
			seq[n] = byte((l-1)>>8) | 0x40
			seq[n+1] = byte((l - 1) & 0xff)
			n += 2
		} else {
			seq[n] = byte(l - 1)
			n++
		}
	}
	if !isVal {
		if index != first {
			zeros(index - first)
		}
		seq[n] = valOp(int(count), 1)
		n++
		if index != last {
			zeros(last - index)
		}
	} else {
		if index != first {
			seq[n] = valOp(curval, index-first)
			n++
		}
		seq[n] = valOp(int(count), 1)
		n++
		if index != last {
			seq[n] = valOp(curval, last-index)
			n++
		}
	}
	delta := n - oplen
	if delta > 0 && int64(len(s)+delta) > SparseMaxBytes() {
		return promote(s, index, count)
	}
	newLen := end + delta
	if delta != 0 && next >= 0 {
		if delta > 0 {
			s = s[:newLen]
		}
		copy(s[next+delta:], s[next:end])
	}
	s = s[:newLen]
	clearTail(s, end+1)
	setTerm(s, 0) // sdsIncrLen
	// memcpy(p, seq, seqlen): past the new length only when a half XZERO was split, and
	// then its last byte becomes the terminator.
	for i := 0; i < n; i++ {
		switch q := p + i; {
		case q < newLen:
			s[q] = seq[i]
		case q == newLen:
			setTerm(s, seq[i])
		}
	}
	return mergeVals(s, prev, newLen), 1
}

// mergeVals is step 4 of hllSparseSet: merge adjacent VAL opcodes of equal value, scanning
// up to 5 opcodes from prev (or the first opcode).
func mergeVals(s []byte, prev, end int) []byte {
	p := prev
	if p < 0 {
		p = HeaderSize
	}
	for scan := 5; p < end && scan > 0; scan-- {
		c := s[p]
		if c&0xc0 == 0x40 {
			p += 2
			continue
		} else if c&0xc0 == 0 {
			p++
			continue
		}
		if p+1 < end && isVal(s[p+1]) {
			v1 := int(c>>2&0x1f) + 1
			v2 := int(s[p+1]>>2&0x1f) + 1
			if v1 == v2 {
				l := int(c&3) + 1 + int(s[p+1]&3) + 1
				if l <= valMaxLen {
					s[p+1] = valOp(v1, l)
					copy(s[p:], s[p+1:end])
					end--
					s = s[:end]
					clearTail(s, end+2)
					continue // try the merged opcode again with its right neighbour
				}
			}
		}
		p++
	}
	invalidateCache(s)
	return s
}

// promote converts s to dense and sets the register there (always a change).
func promote(s []byte, index int, count uint8) ([]byte, int) {
	d, err := ToDense(s)
	if err != nil {
		return s, -1
	}
	denseSet(d[HeaderSize:], index, count)
	return d, 1
}

// Add is hllAdd: add one element to the HLL s, returning the new string and 1 if a
// register changed, 0 if not, -1 for a corrupted (or unknown-encoding) HLL. The cached
// cardinality is not touched for dense HLLs (PFADD invalidates it once).
func Add(s []byte, ele []byte) ([]byte, int) {
	index, count := PatLen(ele)
	return Set(s, index, count)
}

// Set raises register index to count in s (dense or sparse).
func Set(s []byte, index int, count uint8) ([]byte, int) {
	switch s[4] {
	case EncDense:
		return s, denseSet(s[HeaderSize:], index, count)
	case EncSparse:
		return sparseSet(s, index, count)
	}
	return s, -1
}

// MergeInto is hllMerge: raise max[i] to each register of the HLL s.
func MergeInto(max *[Registers]uint8, s []byte) error {
	if s[4] == EncDense {
		r := s[HeaderSize : HeaderSize+Registers*regBits/8]
		m := max[:]
		for len(r) >= 6 && len(m) >= 8 {
			a := unpack8(r)
			binary.LittleEndian.PutUint64(m, maxBytes(a, binary.LittleEndian.Uint64(m)))
			r, m = r[6:], m[8:]
		}
		return nil
	}
	return decodeSparse(s, func(idx, val, n int) {
		for j := idx; j < idx+n; j++ {
			if uint8(val) > max[j] {
				max[j] = uint8(val)
			}
		}
	})
}

func maxU8(a, b uint8) uint8 {
	if b > a {
		return b
	}
	return a
}

// DenseMergeMax raises every register of the dense registers r to max[i] (the loop of
// hllDenseSet calls PFMERGE makes on a dense target), four registers at a time.
func denseMergeMax(r []byte, max *[Registers]uint8) {
	r = r[:Registers*regBits/8]
	m := max[:]
	for len(r) >= 6 && len(m) >= 8 {
		v := maxBytes(unpack8(r), binary.LittleEndian.Uint64(m))
		var x uint64
		for j := 0; j < 8; j++ {
			x |= (v >> (8 * j) & 63) << (6 * j)
		}
		r[0], r[1], r[2] = byte(x), byte(x>>8), byte(x>>16)
		r[3], r[4], r[5] = byte(x>>24), byte(x>>32), byte(x>>40)
		r, m = r[6:], m[8:]
	}
}

// unpack8 spreads the eight 6-bit registers packed in r[0:6] into the bytes of a word.
func unpack8(r []byte) uint64 {
	x := uint64(r[0]) | uint64(r[1])<<8 | uint64(r[2])<<16 | uint64(r[3])<<24 |
		uint64(r[4])<<32 | uint64(r[5])<<40
	return x&63 | (x>>6&63)<<8 | (x>>12&63)<<16 | (x>>18&63)<<24 |
		(x>>24&63)<<32 | (x>>30&63)<<40 | (x>>36&63)<<48 | (x>>42&63)<<56
}

// maxBytes is the byte-wise maximum of two words whose bytes are all under 128.
func maxBytes(a, b uint64) uint64 {
	const hi = 0x8080808080808080
	ge := ((a | hi) - b) & hi // high bit of each byte set where a >= b
	mask := (ge >> 7) * 0xff
	return a&mask | b&^mask
}

// Count is hllCount for a validated HLL string: the estimated cardinality, or ErrCorrupt
// for a sparse representation that does not cover 16384 registers. The cache is ignored.
func Count(s []byte) (uint64, error) {
	var h [64]int
	if s[4] == EncDense {
		denseHisto(s[HeaderSize:], &h)
	} else if !sparseHisto(s, &h) {
		return 0, ErrCorrupt
	}
	return estimate(&h), nil
}

// CountRaw is hllCount over one byte per register (HLL_RAW: multi-key PFCOUNT).
func CountRaw(max *[Registers]uint8) uint64 {
	var h [64]int
	var h1, h2, h3 [64]int // separate counters break the increment dependency chains
	m := max[:]
	for len(m) >= 8 {
		w := binary.LittleEndian.Uint64(m)
		m = m[8:]
		if w == 0 {
			h[0] += 8
			continue
		}
		h[w&63]++
		h1[w>>8&63]++
		h2[w>>16&63]++
		h3[w>>24&63]++
		h[w>>32&63]++
		h1[w>>40&63]++
		h2[w>>48&63]++
		h3[w>>56&63]++
	}
	for i := range h {
		h[i] += h1[i] + h2[i] + h3[i]
	}
	return estimate(&h)
}

const alphaInf = 0.721347520444481703680 // HLL_ALPHA_INF: 0.5/ln(2)

// estimate is the estimator of Otmar Ertl ("New cardinality estimation algorithms for
// HyperLogLog sketches") as hllCount computes it, operation for operation in float64.
func estimate(h *[64]int) uint64 {
	const m = float64(Registers)
	z := m * tau((m-float64(h[Q+1]))/m)
	for j := Q; j >= 1; j-- {
		z += float64(h[j])
		z *= 0.5
	}
	z += float64(m * sigma(float64(h[0])/m))
	e := math.Round(float64(alphaInf*m*m) / z)
	return uint64(int64(e))
}

func sigma(x float64) float64 {
	if x == 1 {
		return math.Inf(1)
	}
	y := 1.0
	z := x
	for {
		x = float64(x * x)
		zPrime := z
		z += float64(x * y)
		y += y
		if zPrime == z {
			return z
		}
	}
}

func tau(x float64) float64 {
	if x == 0 || x == 1 {
		return 0
	}
	y := 1.0
	z := 1 - x
	for {
		x = math.Sqrt(x)
		zPrime := z
		y *= 0.5
		d := 1 - x
		z -= float64(float64(d*d) * y)
		if zPrime == z {
			return z / 3
		}
	}
}

// DenseRegisters fills regs with the registers of the HLL s (decoding a sparse one).
func DenseRegisters(s []byte, regs *[Registers]uint8) error {
	*regs = [Registers]uint8{}
	return MergeInto(regs, s)
}
