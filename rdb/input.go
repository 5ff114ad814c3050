package rdb

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"sync"

	"github.com/redisctl/redisctl/rdb/crc64"
	"github.com/redisctl/redisctl/rdb/lzf"
)

// input is the decoder's buffered reader. It differs from bufio.Reader in
// three ways the decoder needs: it knows the input offset of every byte, it
// keeps the CRC-64 of consumed bytes running (computed on whole chunks when
// the buffer is compacted, never per byte), and its errors are sticky.
//
// Invariants:
//  1. buf[r:w] holds unread input; base is the input offset of buf[0].
//  2. crc covers every consumed byte before buf[crcAt]; crcAt <= r.
//  3. Once err is set every read returns zero values and err stays.
type input struct {
	src    io.Reader
	buf    []byte
	r, w   int
	base   int64
	crc    uint64
	crcAt  int
	crcOn  bool
	srcErr error // what src returned (io.EOF or a failure), reported lazily
	err    error // sticky: the first failure of a read

	// The CRC of consumed chunks runs on a worker goroutine while parsing
	// goes on (see compact): alt is the second buffer, busy says a chunk
	// of it is being summed.
	alt      []byte
	worker   *crcWorker
	busy     bool
	onWorker func(*crcWorker) // called when the worker starts
}

// crcAsyncMin is the smallest consumed chunk worth handing to the worker.
const crcAsyncMin = 64 << 10

// crcWorker sums chunks in order on its own goroutine.
type crcWorker struct {
	jobs chan crcJob
	done chan uint64
	once sync.Once
}

type crcJob struct {
	crc uint64
	p   []byte
}

func (w *crcWorker) run() {
	for j := range w.jobs {
		w.done <- crc64.Update(j.crc, j.p)
	}
}

func (w *crcWorker) stop() { w.once.Do(func() { close(w.jobs) }) }

func (in *input) init(src io.Reader, size int) {
	in.src = src
	if cap(in.buf) < size {
		in.buf = make([]byte, size)
	}
	in.buf = in.buf[:size]
	in.r, in.w, in.base, in.crc, in.crcAt, in.crcOn = 0, 0, 0, 0, 0, true
	in.srcErr, in.err = nil, nil
}

// initBytes makes the input read from p without copying it.
func (in *input) initBytes(p []byte) {
	in.src = nil
	in.buf = p
	in.r, in.w, in.base, in.crc, in.crcAt, in.crcOn = 0, len(p), 0, 0, 0, false
	in.srcErr, in.err = io.EOF, nil
}

// off is the input offset of the next unread byte.
func (in *input) off() int64 { return in.base + int64(in.r) }

// sum brings the CRC up to the read position and returns it.
func (in *input) sum() uint64 {
	in.crcWait()
	if in.crcOn && in.crcAt < in.r {
		in.crc = crc64.Update(in.crc, in.buf[in.crcAt:in.r])
	}
	in.crcAt = in.r
	return in.crc
}

// crcWait collects the worker's result for the chunk in flight.
func (in *input) crcWait() {
	if in.busy {
		in.crc = <-in.worker.done
		in.busy = false
	}
}

// stopCRC ends the worker goroutine (at the end of the file or on error;
// a decoder dropped midway is covered by a cleanup).
func (in *input) stopCRC() {
	if in.worker != nil {
		in.crcWait()
		in.worker.stop()
		in.worker = nil
	}
}

// compact makes room at the end of the buffer by moving the unread bytes
// to the front. The consumed bytes not yet in the CRC are summed first:
// inline for small chunks, else on the worker, in which case the unread
// bytes move to the other buffer so the worker can read this one while
// parsing continues (the worker is waited for before a buffer is reused).
func (in *input) compact() {
	if !in.crcOn || in.r-in.crcAt < crcAsyncMin {
		in.sum()
		copy(in.buf, in.buf[in.r:in.w])
	} else {
		in.crcWait()
		if in.worker == nil {
			in.worker = &crcWorker{jobs: make(chan crcJob, 1), done: make(chan uint64, 1)}
			go in.worker.run()
			if in.onWorker != nil {
				in.onWorker(in.worker)
			}
		}
		if len(in.alt) != len(in.buf) {
			in.alt = make([]byte, len(in.buf))
		}
		copy(in.alt, in.buf[in.r:in.w])
		in.worker.jobs <- crcJob{in.crc, in.buf[in.crcAt:in.r]}
		in.busy = true
		in.buf, in.alt = in.alt, in.buf
	}
	in.base += int64(in.r)
	in.w -= in.r
	in.r, in.crcAt = 0, 0
}

// fill makes at least n bytes available in buf[r:w] (n <= len(buf)). It
// returns false, with in.err set, when the input ends or fails first.
func (in *input) fill(n int) bool {
	if in.w-in.r >= n {
		return true
	}
	if in.err != nil {
		return false
	}
	if in.src == nil || n > len(in.buf) {
		return in.fail(in.srcErr)
	}
	if in.r+n > len(in.buf) || in.r == in.w {
		in.compact()
	}
	empty := 0
	for in.w-in.r < n {
		if in.srcErr != nil {
			return in.fail(in.srcErr)
		}
		m, err := in.src.Read(in.buf[in.w:])
		if m < 0 || m > len(in.buf)-in.w {
			return in.fail(errors.New("invalid read count from source"))
		}
		in.w += m
		if err != nil {
			in.srcErr = err
		} else if m == 0 {
			if empty++; empty > 100 {
				in.srcErr = io.ErrNoProgress
			}
		}
	}
	return true
}

// fail records the first error: io.EOF becomes ErrTruncated.
func (in *input) fail(err error) bool {
	if in.err == nil {
		if err == nil || err == io.EOF || err == io.ErrUnexpectedEOF {
			err = ErrTruncated
		}
		in.err = err
	}
	return false
}

func (in *input) corrupt(format string, args ...any) {
	if in.err == nil {
		in.err = fmt.Errorf("%w: "+format, append([]any{ErrCorrupt}, args...)...)
	}
}

func (in *input) u8() byte {
	if in.r < in.w {
		b := in.buf[in.r]
		in.r++
		return b
	}
	if !in.fill(1) {
		return 0
	}
	b := in.buf[in.r]
	in.r++
	return b
}

// peek returns the next byte without consuming it; ok is false at the end
// of the input (without setting an error).
func (in *input) peek() (byte, bool) {
	if in.r < in.w {
		return in.buf[in.r], true
	}
	if in.err != nil {
		return 0, false
	}
	if !in.fill(1) {
		if errors.Is(in.err, ErrTruncated) {
			in.err = nil
		}
		return 0, false
	}
	return in.buf[in.r], true
}

// next returns the next n bytes (n <= len(buf)) as a slice of the buffer,
// valid until the next read; nil on failure.
func (in *input) next(n int) []byte {
	if in.w-in.r < n && !in.fill(n) {
		return nil
	}
	p := in.buf[in.r : in.r+n : in.r+n]
	in.r += n
	return p
}

func (in *input) le32() uint32 {
	if p := in.next(4); p != nil {
		return binary.LittleEndian.Uint32(p)
	}
	return 0
}

func (in *input) le64() uint64 {
	if p := in.next(8); p != nil {
		return binary.LittleEndian.Uint64(p)
	}
	return 0
}

// length reads an RDB length (FORMATS §1.5). enc is true for the special
// string encodings 11xxxxxx, whose kind is returned as n.
func (in *input) length() (n uint64, enc bool) {
	if in.w-in.r >= 9 {
		b := in.buf[in.r]
		switch b >> 6 {
		case 0:
			in.r++
			return uint64(b), false
		case 1:
			n = uint64(b&0x3f)<<8 | uint64(in.buf[in.r+1])
			in.r += 2
			return n, false
		case 3:
			in.r++
			return uint64(b & 0x3f), true
		}
		switch b {
		case 0x80:
			n = uint64(binary.BigEndian.Uint32(in.buf[in.r+1:]))
			in.r += 5
			return n, false
		case 0x81:
			n = binary.BigEndian.Uint64(in.buf[in.r+1:])
			in.r += 9
			return n, false
		}
		in.corrupt("unknown length encoding 0x%02x", b)
		return 0, false
	}
	return in.lengthSlow()
}

func (in *input) lengthSlow() (uint64, bool) {
	b := in.u8()
	if in.err != nil {
		return 0, false
	}
	switch b >> 6 {
	case 0:
		return uint64(b), false
	case 1:
		return uint64(b&0x3f)<<8 | uint64(in.u8()), false
	case 3:
		return uint64(b & 0x3f), true
	}
	switch b {
	case 0x80:
		if p := in.next(4); p != nil {
			return uint64(binary.BigEndian.Uint32(p)), false
		}
		return 0, false
	case 0x81:
		if p := in.next(8); p != nil {
			return binary.BigEndian.Uint64(p), false
		}
		return 0, false
	}
	in.corrupt("unknown length encoding 0x%02x", b)
	return 0, false
}

// plainLen reads a length that must not be a special encoding.
func (in *input) plainLen() uint64 {
	n, enc := in.length()
	if enc {
		in.corrupt("string encoding %d where a length was expected", n)
		return 0
	}
	return n
}

// appendN appends the next n bytes to dst. dst grows only as bytes arrive,
// so a lying length on a short input fails as truncation without a large
// allocation.
func (in *input) appendN(dst []byte, n uint64) []byte {
	for n > 0 {
		if in.r == in.w && !in.fill(1) {
			return dst
		}
		k := in.w - in.r
		if uint64(k) > n {
			k = int(n)
		}
		dst = append(dst, in.buf[in.r:in.r+k]...)
		in.r += k
		n -= uint64(k)
	}
	return dst
}

// skipN discards n bytes.
func (in *input) skipN(n uint64) {
	for n > 0 {
		if in.r == in.w && !in.fill(1) {
			return
		}
		k := in.w - in.r
		if uint64(k) > n {
			k = int(n)
		}
		in.r += k
		n -= uint64(k)
	}
}

// lzfMaxRatio bounds how much LZF can expand: a 3-byte back-reference
// produces at most 264 bytes, so no valid stream grows more than 88 times.
const lzfMaxRatio = 88

// str reads an RDB string (FORMATS §1.5) into dst[:0] and returns it.
// Integer encodings come back as decimal text and isInt is set with the
// value. LZF strings are decompressed with scratch as the compressed
// staging buffer (returned for reuse). limit bounds every length.
func (in *input) str(dst []byte, scratch *[]byte, limit uint64) (out []byte, v int64, isInt bool) {
	out, v, isInt = in.strInt(dst, scratch, limit)
	if isInt {
		out = appendInt(out[:0], v)
	}
	return out, v, isInt
}

// strInt is str that leaves integer encodings unformatted: with isInt set,
// out is empty and v holds the value.
func (in *input) strInt(dst []byte, scratch *[]byte, limit uint64) (out []byte, v int64, isInt bool) {
	n, enc := in.length()
	if in.err != nil {
		return dst[:0], 0, false
	}
	if !enc {
		if n > limit {
			in.err = fmt.Errorf("%w: string of %d bytes (limit %d)", ErrTooLarge, n, limit)
			return dst[:0], 0, false
		}
		if in.w-in.r >= int(n) && n <= uint64(len(in.buf)) {
			dst = append(dst[:0], in.buf[in.r:in.r+int(n)]...)
			in.r += int(n)
			return dst, 0, false
		}
		return in.appendN(dst[:0], n), 0, false
	}
	switch n {
	case encInt8:
		v = int64(int8(in.u8()))
	case encInt16:
		if p := in.next(2); p != nil {
			v = int64(int16(binary.LittleEndian.Uint16(p)))
		}
	case encInt32:
		if p := in.next(4); p != nil {
			v = int64(int32(binary.LittleEndian.Uint32(p)))
		}
	case encLZF:
		return in.lzfStr(dst, scratch, limit), 0, false
	default:
		in.corrupt("unknown string encoding %d", n)
	}
	if in.err != nil {
		return dst[:0], 0, false
	}
	return dst[:0], v, true
}

// strView is str without the copy when it can be avoided: a raw string
// that is already buffered comes back as a slice of the read buffer, valid
// until the next read from the input. Other strings are read into *own.
func (in *input) strView(own, scratch *[]byte, limit uint64) []byte {
	if p, ok := in.rawView(limit); ok {
		return p
	}
	*own, _, _ = in.str(*own, scratch, limit)
	return *own
}

// rawView consumes the next string and returns it as a slice of the read
// buffer (valid until the next read from the input) when it is a raw
// string within limit that is buffered whole; else it consumes nothing
// and ok is false.
func (in *input) rawView(limit uint64) (p []byte, ok bool) {
	if in.w-in.r < 9 || in.err != nil {
		return nil, false
	}
	b := in.buf[in.r]
	var n, hdr int
	switch b >> 6 {
	case 0:
		n, hdr = int(b), 1
	case 1:
		n, hdr = int(b&0x3f)<<8|int(in.buf[in.r+1]), 2
	case 2:
		if b != 0x80 {
			return nil, false
		}
		n, hdr = int(binary.BigEndian.Uint32(in.buf[in.r+1:])), 5
	default:
		return nil, false
	}
	if uint64(n) > limit || in.w-in.r-hdr < n {
		return nil, false
	}
	p = in.buf[in.r+hdr : in.r+hdr+n : in.r+hdr+n]
	in.r += hdr + n
	return p, true
}

func (in *input) lzfStr(dst []byte, scratch *[]byte, limit uint64) []byte {
	clen := in.plainLen()
	ulen := in.plainLen()
	if in.err != nil {
		return dst[:0]
	}
	if clen > limit || ulen > limit {
		in.err = fmt.Errorf("%w: lzf string of %d bytes (%d compressed; limit %d)", ErrTooLarge, ulen, clen, limit)
		return dst[:0]
	}
	if clen == 0 || ulen/lzfMaxRatio > clen {
		in.corrupt("lzf string of %d bytes cannot come from %d compressed bytes", ulen, clen)
		return dst[:0]
	}
	var comp []byte
	if in.w-in.r >= int(clen) && clen <= uint64(len(in.buf)) {
		comp = in.buf[in.r : in.r+int(clen)]
		in.r += int(clen)
	} else {
		*scratch = in.appendN((*scratch)[:0], clen)
		if in.err != nil {
			return dst[:0]
		}
		comp = *scratch
	}
	if uint64(cap(dst)) < ulen {
		dst = make([]byte, 0, ulen)
	}
	out, err := lzf.Decompress(dst[:0:ulen], comp)
	if err != nil {
		in.err = fmt.Errorf("%w: lzf: %w", ErrCorrupt, err)
		return dst[:0]
	}
	if uint64(len(out)) != ulen {
		in.corrupt("lzf string decompressed to %d bytes, header says %d", len(out), ulen)
		return dst[:0]
	}
	return dst[:len(out)] // keep dst's capacity for reuse
}

// skipStr discards an RDB string.
func (in *input) skipStr(limit uint64) {
	n, enc := in.length()
	if in.err != nil {
		return
	}
	if !enc {
		if n > limit {
			in.err = fmt.Errorf("%w: string of %d bytes (limit %d)", ErrTooLarge, n, limit)
			return
		}
		in.skipN(n)
		return
	}
	switch n {
	case encInt8:
		in.skipN(1)
	case encInt16:
		in.skipN(2)
	case encInt32:
		in.skipN(4)
	case encLZF:
		clen := in.plainLen()
		in.plainLen()
		if clen > limit {
			in.err = fmt.Errorf("%w: lzf string of %d bytes (limit %d)", ErrTooLarge, clen, limit)
			return
		}
		in.skipN(clen)
	default:
		in.corrupt("unknown string encoding %d", n)
	}
}

// textDouble reads a type-3 score: a length byte then ASCII, or 253/254/255
// for NaN/+inf/-inf. The text is appended to dst[:0].
func (in *input) textDouble(dst []byte) (float64, []byte) {
	n := in.u8()
	if in.err != nil {
		return 0, dst[:0]
	}
	switch n {
	case 253:
		return math.NaN(), append(dst[:0], "nan"...)
	case 254:
		return math.Inf(1), append(dst[:0], "inf"...)
	case 255:
		return math.Inf(-1), append(dst[:0], "-inf"...)
	}
	p := in.next(int(n))
	if p == nil {
		return 0, dst[:0]
	}
	dst = append(dst[:0], p...)
	f, err := strconv.ParseFloat(string(dst), 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); !ok || ne.Err != strconv.ErrRange {
			in.corrupt("bad text double %q", dst)
			return 0, dst
		}
	}
	return f, dst
}

func (in *input) binDouble() float64 {
	return math.Float64frombits(in.le64())
}
