//go:build amd64

package crc64

// On amd64 with PCLMULQDQ, long inputs are folded 64 bytes at a time with
// carry-less multiplications (the method of Intel's "Fast CRC Computation
// for Generic Polynomials Using PCLMULQDQ"), then the 16-byte remainder of
// the fold and the tail go through the tables.
//
// Why the result is the same: with initial value 0 and no final XOR, the
// CRC of a message M is M(x)·x^64 mod P, so it depends only on M mod P.
// Folding keeps a 128-bit value congruent to the message read so far: a
// value V = A·x^64 + B followed by d more bits becomes
// A·(x^(d+64) mod P) + B·(x^d mod P), added to the next block. The CRC of
// the 16 bytes of V is then the CRC of everything folded. A running CRC c
// is folded in by adding it to the first 8 bytes, as the tables do.

// clmulMin is the shortest input worth the carry-less path.
const clmulMin = 256

var (
	hasCLMUL = clmulSupported()
	// foldK: [0],[1] fold by 512 bits (four lanes), [2],[3] by 128.
	foldK = [4]uint64{foldConst(512 + 64), foldConst(512), foldConst(128 + 64), foldConst(128)}
)

// foldConst is x^n mod P in the reflected bit order, divided by x: a
// carry-less product of two reflected 64-bit values comes out one bit
// position short of the reflected 128-bit layout, so the constant carries
// x^(n-1) for a product worth x^n.
func foldConst(n int) uint64 {
	const normal = 0xad93d23594c935a9
	v := uint64(1) // x^0 in normal order
	for range n - 1 {
		hi := v >> 63
		v <<= 1
		if hi == 1 {
			v ^= normal
		}
	}
	var r uint64
	for i := range 64 {
		r |= (v >> i & 1) << (63 - i)
	}
	return r
}

func clmulSupported() bool {
	_, _, ecx, _ := cpuid(1, 0)
	return ecx&(1<<1) != 0 // PCLMULQDQ; SSE2 is part of amd64
}

//go:noescape
func cpuid(leaf, sub uint32) (eax, ebx, ecx, edx uint32)

// fold64 folds p (len a multiple of 64, at least 64) with crc added to its
// first 8 bytes, into out (16 bytes congruent to the message mod P).
//
//go:noescape
func fold64(crc uint64, p []byte, k *[4]uint64, out *[16]byte)

func update(crc uint64, p []byte) uint64 {
	if !hasCLMUL || len(p) < clmulMin {
		return updateTable(crc, p)
	}
	n := len(p) &^ 63
	var v [16]byte
	fold64(crc, p[:n], &foldK, &v)
	return updateTable(updateTable(0, v[:]), p[n:])
}
