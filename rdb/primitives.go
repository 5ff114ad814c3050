package rdb

import (
	"encoding/binary"
	"math"
	"strconv"

	"github.com/redisctl/redisctl/rdb/lzf"
)

// AppendLen appends an RDB length (FORMATS §1.5) to dst.
func AppendLen(dst []byte, n uint64) []byte {
	switch {
	case n < 1<<6:
		return append(dst, byte(n))
	case n < 1<<14:
		return append(dst, byte(n>>8)|0x40, byte(n))
	case n <= math.MaxUint32:
		return append(dst, 0x80, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	dst = append(dst, 0x81)
	return binary.BigEndian.AppendUint64(dst, n)
}

// lenSize is the encoded size of AppendLen(n).
func lenSize(n uint64) int {
	switch {
	case n < 1<<6:
		return 1
	case n < 1<<14:
		return 2
	case n <= math.MaxUint32:
		return 5
	}
	return 9
}

// AppendRawString appends s as an RDB string without trying integer or LZF
// encoding.
func AppendRawString(dst, s []byte) []byte {
	dst = AppendLen(dst, uint64(len(s)))
	return append(dst, s...)
}

// appendIntEncoded appends s int-encoded when it is the canonical decimal
// form of an int32 of at most 11 characters (rdbTryIntegerEncoding).
func appendIntEncoded(dst, s []byte) ([]byte, bool) {
	if len(s) == 0 || len(s) > 11 {
		return dst, false
	}
	v, ok := parseCanonicalInt(s)
	if !ok {
		return dst, false
	}
	return appendIntString(dst, v)
}

func appendIntString(dst []byte, v int64) ([]byte, bool) {
	switch {
	case v >= math.MinInt8 && v <= math.MaxInt8:
		return append(dst, 0xC0|encInt8, byte(v)), true
	case v >= math.MinInt16 && v <= math.MaxInt16:
		return append(dst, 0xC0|encInt16, byte(v), byte(v>>8)), true
	case v >= math.MinInt32 && v <= math.MaxInt32:
		return append(dst, 0xC0|encInt32, byte(v), byte(v>>8), byte(v>>16), byte(v>>24)), true
	}
	return dst, false
}

// stringWriter appends RDB strings the way rdbSaveRawString does: integer
// encoding, then LZF (when compress is set, the string is over 20 bytes and
// LZF fits in len-4 bytes), else raw.
type stringWriter struct {
	compress bool
	comp     lzf.Compressor
	tmp      []byte
}

func (w *stringWriter) appendString(dst, s []byte) []byte {
	if len(s) <= 11 {
		if out, ok := appendIntEncoded(dst, s); ok {
			return out
		}
	}
	if w.compress && len(s) > 20 {
		budget := len(s) - 4
		if cap(w.tmp) < budget {
			w.tmp = make([]byte, budget)
		}
		if n := w.comp.Compress(w.tmp[:budget], s); n > 0 {
			dst = append(dst, 0xC0|encLZF)
			dst = AppendLen(dst, uint64(n))
			dst = AppendLen(dst, uint64(len(s)))
			return append(dst, w.tmp[:n]...)
		}
	}
	return AppendRawString(dst, s)
}

// appendInt appends the RDB string for an integer (rdbSaveLongLongAsStringObject).
func (w *stringWriter) appendInt(dst []byte, v int64) []byte {
	if out, ok := appendIntString(dst, v); ok {
		return out
	}
	var b [20]byte
	return AppendRawString(dst, strconv.AppendInt(b[:0], v, 10))
}

// appendTextDouble appends a type-3 score (rdbSaveDoubleValue): 253/254/255
// for NaN/+inf/-inf, else a length byte and the text, integral values
// printed as integers and others with 17 significant digits.
func appendTextDouble(dst []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, 253)
	case math.IsInf(f, 1):
		return append(dst, 254)
	case math.IsInf(f, -1):
		return append(dst, 255)
	}
	var b [40]byte
	var t []byte
	if f > -4503599627370495 && f < 4503599627370496 && f == math.Trunc(f) {
		t = strconv.AppendInt(b[:0], int64(f), 10)
	} else {
		t = strconv.AppendFloat(b[:0], f, 'g', 17, 64)
	}
	dst = append(dst, byte(len(t)))
	return append(dst, t...)
}

func appendBinDouble(dst []byte, f float64) []byte {
	return binary.LittleEndian.AppendUint64(dst, math.Float64bits(f))
}

// appendScoreText formats a zset score as Redis stores it in a ziplist or
// listpack (d2string): integral values within 2^52 as integers, else %.17g
// (Redis 7.0 and older, version <= 10) or the shortest round-trip form
// (7.2+, fpconv_dtoa).
func appendScoreText(dst []byte, f float64, version int) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "nan"...)
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	case f == 0:
		if math.Signbit(f) {
			return append(dst, "-0"...)
		}
		return append(dst, '0')
	}
	if f > -4503599627370495 && f < 4503599627370496 && f == math.Trunc(f) {
		return strconv.AppendInt(dst, int64(f), 10)
	}
	if version <= 10 {
		return strconv.AppendFloat(dst, f, 'g', 17, 64)
	}
	return strconv.AppendFloat(dst, f, 'g', -1, 64)
}
