package engine

import (
	"math"
	"strconv"
	"strings"
)

// ParseInt parses b exactly as Redis's string2ll: optional '-', no '+', no leading zeros,
// no spaces, at most 20 characters, within int64.
func ParseInt(b []byte) (int64, bool) {
	n := len(b)
	if n == 0 || n > 20 {
		return 0, false
	}
	if n == 1 && b[0] == '0' {
		return 0, true
	}
	i := 0
	neg := false
	if b[0] == '-' {
		neg = true
		i = 1
		if n == 1 {
			return 0, false
		}
	}
	if b[i] < '1' || b[i] > '9' {
		return 0, false
	}
	var v uint64
	for ; i < n; i++ {
		c := b[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if v > (math.MaxUint64-9)/10 {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return -int64(v), true
	}
	if v > math.MaxInt64 {
		return 0, false
	}
	return int64(v), true
}

// ParseFloat parses b as Redis's getDoubleFromObject does (strtod over the whole string):
// no leading space, nothing trailing, no NaN, no overflow to ±inf and no underflow to 0
// (strtod's ERANGE cases); "inf", "+inf", "-inf", "infinity" and C hexadecimal forms
// ("0x10", "0x1p-3") are accepted.
func ParseFloat(b []byte) (float64, bool) {
	if len(b) == 0 || isSpace(b[0]) {
		return 0, false
	}
	for _, c := range b {
		if c == '_' || c == 0 {
			return 0, false // Go accepts digit separators in some forms; strtod never does
		}
	}
	s := unsafeString(b)
	body := s
	if len(body) > 0 && (body[0] == '+' || body[0] == '-') {
		body = body[1:]
	}
	isHex := len(body) > 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X')
	if isHex && !strings.ContainsAny(body, "pP") {
		s += "p0" // C allows a hexadecimal float without an exponent; Go does not
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) {
		return 0, false
	}
	if v == 0 && hasNonZeroDigit(body, isHex) {
		return 0, false // underflow: strtod sets ERANGE and returns 0, which Redis refuses
	}
	return v, true
}

// hasNonZeroDigit reports whether a number's mantissa has a non-zero digit.
func hasNonZeroDigit(s string, hex bool) bool {
	if hex {
		s = s[2:]
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == 'e' || c == 'E':
			if !hex {
				return false
			}
		case c == 'p' || c == 'P':
			return false
		case c >= '1' && c <= '9':
			return true
		case hex && (c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'):
			return true
		}
	}
	return false
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// FormatFloat17 formats d as Redis's "%.17g" replies do (ZSCORE in RESP2, …).
func FormatFloat17(dst []byte, d float64) []byte {
	switch {
	case math.IsInf(d, 1):
		return append(dst, "inf"...)
	case math.IsInf(d, -1):
		return append(dst, "-inf"...)
	}
	return appendG17(dst, d)
}

// appendG17 reproduces C's printf("%.17g").
func appendG17(dst []byte, d float64) []byte {
	// %g: use %e if exp < -4 or exp >= precision, else %f; trailing zeros removed.
	if d == 0 {
		if math.Signbit(d) {
			return append(dst, "-0"...)
		}
		return append(dst, '0')
	}
	e := strconv.AppendFloat(nil, d, 'e', 16, 64) // d.dddddddddddddddde±XX
	// parse exponent
	ei := len(e) - 1
	for e[ei] != 'e' {
		ei--
	}
	exp, _ := strconv.Atoi(string(e[ei+1:]))
	if exp < -4 || exp >= 17 {
		mant := trimZeros(e[:ei])
		dst = append(dst, mant...)
		dst = append(dst, 'e')
		if exp < 0 {
			dst = append(dst, '-')
			exp = -exp
		} else {
			dst = append(dst, '+')
		}
		if exp < 10 {
			dst = append(dst, '0')
		}
		return strconv.AppendInt(dst, int64(exp), 10)
	}
	f := strconv.AppendFloat(nil, d, 'f', 16-exp, 64)
	return append(dst, trimZeros(f)...)
}

func trimZeros(b []byte) []byte {
	dot := -1
	for i, c := range b {
		if c == '.' {
			dot = i
			break
		}
	}
	if dot < 0 {
		return b
	}
	end := len(b)
	for end > dot+1 && b[end-1] == '0' {
		end--
	}
	if end == dot+1 {
		end = dot
	}
	return b[:end]
}
