package engine

import (
	"math/big"
	"strings"
)

// Redis does INCRBYFLOAT and HINCRBYFLOAT in C's long double: x87 80-bit extended precision
// with a 64-bit mantissa, printed with "%.17Lf" and trailing zeros removed. float64 gives
// different digits ("0.1" + 0 prints as 0.10000000000000001 instead of 0.1), so these
// helpers compute with math/big at 64 bits of mantissa and round-to-nearest-even, which is
// what the FPU does, and format exactly as glibc's printf does.

const (
	longDoublePrec    = 64
	maxLongDoubleChar = 5 * 1024
)

// maxLongDouble is LDBL_MAX, the largest finite x87 extended value: (2 - 2^-63) * 2^16383.
var maxLongDouble = func() *big.Float {
	m := new(big.Float).SetPrec(longDoublePrec).SetMantExp(big.NewFloat(1), 16384)
	ulp := new(big.Float).SetPrec(longDoublePrec).SetMantExp(big.NewFloat(1), 16384-64)
	return m.Sub(m, ulp)
}()

// ParseLongDouble parses b as strtold does for Redis's string2ld: the whole string, no
// leading space, not NaN, not out of range.
func ParseLongDouble(b []byte) (*big.Float, bool) {
	if len(b) == 0 || len(b) >= maxLongDoubleChar || isSpace(b[0]) {
		return nil, false
	}
	s := string(b)
	ls := strings.ToLower(s)
	switch strings.TrimLeft(ls, "+-") {
	case "inf", "infinity":
		f := new(big.Float).SetPrec(longDoublePrec).SetInf(strings.HasPrefix(ls, "-"))
		return f, true
	case "nan":
		return nil, false
	}
	if strings.ContainsAny(s, "_ \t\r\n") {
		return nil, false
	}
	f, _, err := big.ParseFloat(s, 10, longDoublePrec, big.ToNearestEven)
	if err != nil {
		// Hexadecimal floats ("0x1p3") are accepted by strtold.
		if strings.HasPrefix(strings.TrimLeft(ls, "+-"), "0x") {
			f, _, err = big.ParseFloat(s, 0, longDoublePrec, big.ToNearestEven)
		}
		if err != nil {
			return nil, false
		}
	}
	if f.IsInf() {
		return f, true
	}
	abs := new(big.Float).Abs(f)
	if abs.Cmp(maxLongDouble) > 0 {
		return nil, false // ERANGE overflow
	}
	if f.Sign() != 0 && abs.Cmp(minLongDoubleHalf) <= 0 {
		return nil, false // ERANGE underflow to zero: strtold returns 0, Redis refuses it
	}
	return f, true
}

// minLongDoubleHalf is half the smallest positive x87 denormal (2^-16445): anything at or
// below it rounds to zero.
var minLongDoubleHalf = new(big.Float).SetMantExp(big.NewFloat(1), -16446)

// AddLongDouble returns a+b rounded to long double; ok is false when the result is not
// finite (Redis: "increment would produce NaN or Infinity").
func AddLongDouble(a, b *big.Float) (*big.Float, bool) {
	if a.IsInf() || b.IsInf() {
		return nil, false // inf+x is inf, inf-inf is NaN: both refused
	}
	r := new(big.Float).SetPrec(longDoublePrec).SetMode(big.ToNearestEven)
	r.Add(a, b)
	if new(big.Float).Abs(r).Cmp(maxLongDouble) > 0 {
		return nil, false
	}
	return r, true
}

// FormatLongDoubleHuman formats f as Redis's ld2string(LD_STR_HUMAN): "%.17Lf" with trailing
// zeros (and a trailing dot) removed, and "-0" turned into "0".
func FormatLongDoubleHuman(f *big.Float) []byte {
	if f.IsInf() {
		if f.Sign() < 0 {
			return []byte("-inf")
		}
		return []byte("inf")
	}
	s := f.Text('f', 17)
	if strings.IndexByte(s, '.') >= 0 {
		s = strings.TrimRight(s, "0")
		s = strings.TrimSuffix(s, ".")
	}
	if s == "-0" {
		s = "0"
	}
	return []byte(s)
}

// LongDoubleFromInt converts an int64 exactly.
func LongDoubleFromInt(v int64) *big.Float {
	return new(big.Float).SetPrec(longDoublePrec).SetInt64(v)
}
