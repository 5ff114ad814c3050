// Package crc64 computes the CRC-64 variant Redis uses to checksum RDB files
// and DUMP payloads.
//
// The algorithm is CRC-64 "Jones": polynomial 0xad93d23594c935a9 (normal
// form), processed reflected (LSB first, so the table polynomial is
// 0x95ac9329ac4bc9b5), initial value 0 and no final XOR. The check value of
// "123456789" is 0xe9c6d914c4b8d9ca. In an RDB file the checksum covers every
// byte from the "REDIS" magic through the EOF opcode and is stored after it as
// 8 bytes, little-endian. A stored value of zero means the writer had
// checksums disabled.
//
// Note that the standard library's hash/crc64 with the same table gives a
// different answer unless the running value is complemented on the way in
// and out, because it applies an initial and final XOR of all ones; this
// package needs no such dance:
//
//	sum := crc64.Checksum(data)             // whole buffer
//	crc = crc64.Update(crc, chunk)          // streaming, start from 0
//
// Implementation: slicing-by-16 over tables built once at init; on amd64
// with PCLMULQDQ, inputs of 256 bytes or more are first folded 64 bytes at
// a time by carry-less multiplication (about ten times faster), and the
// folded 16 bytes and the tail go through the tables. No allocation per
// call. This package must never allocate per call, never
// depend on anything outside the standard library, and must never change
// its result for a given input: the value is part of the file format.
package crc64
