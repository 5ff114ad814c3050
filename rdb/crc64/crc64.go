package crc64

import (
	"encoding/binary"
	"hash"
)

// Poly is the reflected (LSB-first) form of the Jones polynomial
// 0xad93d23594c935a9.
const Poly = 0x95ac9329ac4bc9b5

// Size is the size of the checksum in bytes.
const Size = 8

// tab[k][b] is the CRC of byte b followed by k zero bytes.
var tab [16][256]uint64

func init() {
	for i := range 256 {
		crc := uint64(i)
		for range 8 {
			if crc&1 == 1 {
				crc = crc>>1 ^ Poly
			} else {
				crc >>= 1
			}
		}
		tab[0][i] = crc
	}
	for i := range 256 {
		crc := tab[0][i]
		for k := 1; k < 16; k++ {
			crc = tab[0][crc&0xff] ^ crc>>8
			tab[k][i] = crc
		}
	}
}

// Update returns the CRC of p appended to data whose CRC was crc. Start a
// new checksum with crc = 0.
func Update(crc uint64, p []byte) uint64 { return update(crc, p) }

// updateTable is Update by slicing-by-16.
func updateTable(crc uint64, p []byte) uint64 {
	for len(p) >= 16 {
		a := crc ^ binary.LittleEndian.Uint64(p)
		b := binary.LittleEndian.Uint64(p[8:])
		crc = tab[15][a&0xff] ^ tab[14][a>>8&0xff] ^ tab[13][a>>16&0xff] ^ tab[12][a>>24&0xff] ^
			tab[11][a>>32&0xff] ^ tab[10][a>>40&0xff] ^ tab[9][a>>48&0xff] ^ tab[8][a>>56] ^
			tab[7][b&0xff] ^ tab[6][b>>8&0xff] ^ tab[5][b>>16&0xff] ^ tab[4][b>>24&0xff] ^
			tab[3][b>>32&0xff] ^ tab[2][b>>40&0xff] ^ tab[1][b>>48&0xff] ^ tab[0][b>>56]
		p = p[16:]
	}
	if len(p) >= 8 {
		a := crc ^ binary.LittleEndian.Uint64(p)
		crc = tab[7][a&0xff] ^ tab[6][a>>8&0xff] ^ tab[5][a>>16&0xff] ^ tab[4][a>>24&0xff] ^
			tab[3][a>>32&0xff] ^ tab[2][a>>40&0xff] ^ tab[1][a>>48&0xff] ^ tab[0][a>>56]
		p = p[8:]
	}
	for _, c := range p {
		crc = tab[0][byte(crc)^c] ^ crc>>8
	}
	return crc
}

// Checksum returns the Redis CRC-64 of p.
func Checksum(p []byte) uint64 { return Update(0, p) }

// digest implements hash.Hash64 so the checksum can sit behind an
// io.MultiWriter or a TeeReader.
type digest struct{ crc uint64 }

// New returns a hash.Hash64 computing the Redis CRC-64. Its Sum appends the
// value little-endian, the order an RDB trailer uses.
func New() hash.Hash64 { return &digest{} }

func (d *digest) Write(p []byte) (int, error) { d.crc = Update(d.crc, p); return len(p), nil }
func (d *digest) Sum64() uint64               { return d.crc }
func (d *digest) Reset()                      { d.crc = 0 }
func (d *digest) Size() int                   { return Size }
func (d *digest) BlockSize() int              { return 1 }
func (d *digest) Sum(b []byte) []byte         { return binary.LittleEndian.AppendUint64(b, d.crc) }
