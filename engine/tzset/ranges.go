package tzset

import (
	"bytes"
	"math"
	"strconv"
	"unsafe"
)

// scoreRange is zrangespec: [min, max] with either end optionally exclusive.
type scoreRange struct {
	min, max     float64
	minex, maxex bool
}

func (r *scoreRange) gteMin(v float64) bool {
	if r.minex {
		return v > r.min
	}
	return v >= r.min
}

func (r *scoreRange) lteMax(v float64) bool {
	if r.maxex {
		return v < r.max
	}
	return v <= r.max
}

// empty reports a range that can never match.
func (r *scoreRange) empty() bool {
	return r.min > r.max || (r.min == r.max && (r.minex || r.maxex))
}

// parseScoreRange is zslParseRange: "(" marks an exclusive end, the rest goes through
// strtod, which must consume everything; NaN is refused.
func parseScoreRange(min, max []byte) (scoreRange, bool) {
	var r scoreRange
	var ok bool
	if r.min, r.minex, ok = parseRangeItem(min); !ok {
		return r, false
	}
	if r.max, r.maxex, ok = parseRangeItem(max); !ok {
		return r, false
	}
	return r, true
}

func parseRangeItem(b []byte) (v float64, ex bool, ok bool) {
	b = cString(b)
	if len(b) > 0 && b[0] == '(' {
		ex = true
		b = b[1:]
	}
	v, ok, _ = strtod(b)
	if !ok || math.IsNaN(v) {
		return 0, false, false
	}
	return v, ex, true
}

// cString cuts b at its first NUL, as C code reading the argument as a C string does.
func cString(b []byte) []byte {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return b[:i]
	}
	return b
}

// strtod is glibc's strtod(s, &end) followed by a check that *end is the terminator:
// leading white space is skipped, an empty conversion leaves end at the start (so "" is 0
// but "  " is an error), hexadecimal floats and inf/infinity/nan are recognized. rangeErr
// is strtod's ERANGE: overflow to ±Inf or underflow to 0 from a finite, non-zero text.
func strtod(b []byte) (v float64, ok, rangeErr bool) {
	if len(b) == 0 {
		return 0, true, false
	}
	i := 0
	for i < len(b) && isCSpace(b[i]) {
		i++
	}
	s := b[i:]
	if len(s) == 0 {
		return 0, false, false
	}
	j := 0
	neg := false
	if s[0] == '+' || s[0] == '-' {
		neg = s[0] == '-'
		j = 1
	}
	w := s[j:]
	if len(w) > 0 && (w[0]|0x20 == 'i' || w[0]|0x20 == 'n') {
		switch {
		case foldEq(w, "inf"), foldEq(w, "infinity"):
			if neg {
				return math.Inf(-1), true, false
			}
			return math.Inf(1), true, false
		case foldEq(w, "nan"):
			return math.NaN(), true, false
		case len(w) > 4 && foldEq(w[:4], "nan(") && w[len(w)-1] == ')':
			for _, c := range w[4 : len(w)-1] {
				if !isAlnum(c) && c != '_' {
					return 0, false, false
				}
			}
			return math.NaN(), true, false
		}
		return 0, false, false
	}
	if len(w) > 1 && w[0] == '0' && w[1]|0x20 == 'x' {
		return parseHexFloat(w[2:], neg)
	}
	// Decimal: digits [. digits] [e[sign]digits]; the whole rest must match.
	k := 0
	digits := 0
	nonzero := false
	for k < len(w) && isDigit(w[k]) {
		nonzero = nonzero || w[k] != '0'
		k++
		digits++
	}
	intDigits := digits
	if k < len(w) && w[k] == '.' {
		k++
		for k < len(w) && isDigit(w[k]) {
			nonzero = nonzero || w[k] != '0'
			k++
			digits++
		}
	}
	if digits == 0 {
		return 0, false, false
	}
	if intDigits == len(w) && digits <= 15 {
		// Plain digits below 10^15 < 2^53: the integer is exactly the double strtod
		// returns ("-0" is -0.0 as there), without the general conversion.
		var n int64
		for _, c := range w {
			n = n*10 + int64(c-'0')
		}
		v = float64(n)
		if neg {
			v = -v
		}
		return v, true, false
	}
	if k < len(w) && w[k]|0x20 == 'e' {
		e := k + 1
		if e < len(w) && (w[e] == '+' || w[e] == '-') {
			e++
		}
		if e < len(w) && isDigit(w[e]) {
			for e < len(w) && isDigit(w[e]) {
				e++
			}
			k = e
		}
	}
	if k != len(w) {
		return 0, false, false
	}
	v, err := strconv.ParseFloat(unsafeString(s), 64)
	if err != nil {
		if ne, isNum := err.(*strconv.NumError); !isNum || ne.Err != strconv.ErrRange {
			return 0, false, false
		}
	}
	rangeErr = math.IsInf(v, 0) || (v == 0 && nonzero)
	return v, true, rangeErr
}

// plainInteger converts an optional '-' and 1 to 15 digits, the common form of a score, to
// the double strtod gives for it (exact: below 2^53; "-0" is -0.0); ok is false for any
// other text, which takes the general path.
func plainInteger(b []byte) (float64, bool) {
	d := b
	if len(d) > 0 && d[0] == '-' {
		d = d[1:]
	}
	if len(d) == 0 || len(d) > 15 {
		return 0, false
	}
	var n int64
	for _, c := range d {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	v := float64(n)
	if len(d) != len(b) {
		v = -v
	}
	return v, true
}

// parseDouble is Redis's string2d (getDoubleFromObject): the whole argument must be a
// strtod number, with no leading space, no NaN, and no ERANGE overflow or underflow to 0.
func parseDouble(b []byte) (float64, bool) {
	if v, ok := plainInteger(b); ok {
		return v, true
	}
	if len(b) == 0 || isCSpace(b[0]) || bytes.IndexByte(b, 0) >= 0 {
		return 0, false
	}
	v, ok, rangeErr := strtod(b)
	if !ok || rangeErr || math.IsNaN(v) {
		return 0, false
	}
	return v, true
}

// parseHexFloat parses the part after "0x" of a C hexadecimal float: hex digits with an
// optional point, then an optional binary exponent.
func parseHexFloat(w []byte, neg bool) (float64, bool, bool) {
	k := 0
	var mant float64
	exp := 0
	digits := 0
	for k < len(w) && isHex(w[k]) {
		mant = mant*16 + float64(hexVal(w[k]))
		k++
		digits++
	}
	if k < len(w) && w[k] == '.' {
		k++
		for k < len(w) && isHex(w[k]) {
			mant = mant*16 + float64(hexVal(w[k]))
			exp -= 4
			k++
			digits++
		}
	}
	if digits == 0 {
		return 0, false, false
	}
	if k < len(w) && w[k]|0x20 == 'p' {
		e := k + 1
		sign := 1
		if e < len(w) && (w[e] == '+' || w[e] == '-') {
			if w[e] == '-' {
				sign = -1
			}
			e++
		}
		if e < len(w) && isDigit(w[e]) {
			n := 0
			for e < len(w) && isDigit(w[e]) {
				if n < 100000 {
					n = n*10 + int(w[e]-'0')
				}
				e++
			}
			exp += sign * n
			k = e
		}
	}
	if k != len(w) {
		return 0, false, false
	}
	v := math.Ldexp(mant, exp)
	if neg {
		v = -v
	}
	return v, true, math.IsInf(v, 0) || (v == 0 && mant != 0)
}

func isCSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}
func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isHex(c byte) bool   { return isDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'f') }
func isAlnum(c byte) bool { return isDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'z') }
func hexVal(c byte) int {
	if isDigit(c) {
		return int(c - '0')
	}
	return int(c|0x20-'a') + 10
}

func foldEq(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		if b[i]|0x20 != s[i] {
			return false
		}
	}
	return true
}

// lexRange is zlexrangespec. The bounds alias the request arguments; minInf/maxInf stand
// for "-"/"+" (shared.minstring/maxstring).
type lexRange struct {
	min, max         string
	minex, maxex     bool
	minKind, maxKind int8 // lexValue, lexMinusInf, lexPlusInf
}

const (
	lexValue    = 0
	lexMinusInf = 1
	lexPlusInf  = 2
)

func parseLexItem(b []byte) (s string, ex bool, kind int8, ok bool) {
	if len(b) == 0 {
		return "", false, 0, false
	}
	switch b[0] {
	case '+':
		if len(b) != 1 {
			return "", false, 0, false
		}
		return "", true, lexPlusInf, true
	case '-':
		if len(b) != 1 {
			return "", false, 0, false
		}
		return "", true, lexMinusInf, true
	case '(':
		return unsafeString(b[1:]), true, lexValue, true
	case '[':
		return unsafeString(b[1:]), false, lexValue, true
	}
	return "", false, 0, false
}

// parseLexRange is zslParseLexRange.
func parseLexRange(min, max []byte) (lexRange, bool) {
	var r lexRange
	var ok bool
	if r.min, r.minex, r.minKind, ok = parseLexItem(min); !ok {
		return r, false
	}
	if r.max, r.maxex, r.maxKind, ok = parseLexItem(max); !ok {
		return r, false
	}
	return r, true
}

// cmpLex is sdscmplex for a value against a bound.
func cmpLexBound(v string, bound string, kind int8) int {
	switch kind {
	case lexMinusInf:
		return 1
	case lexPlusInf:
		return -1
	}
	return compareLex(v, bound)
}

func (r *lexRange) gteMin(v string) bool {
	c := cmpLexBound(v, r.min, r.minKind)
	if r.minex {
		return c > 0
	}
	return c >= 0
}

func (r *lexRange) lteMax(v string) bool {
	c := cmpLexBound(v, r.max, r.maxKind)
	if r.maxex {
		return c < 0
	}
	return c <= 0
}

// empty is the "always empty" test of zslIsInLexRange: sdscmplex(min, max).
func (r *lexRange) empty() bool {
	var c int
	switch {
	case r.minKind == r.maxKind && r.minKind != lexValue:
		c = 0
	case r.minKind == lexMinusInf || r.maxKind == lexPlusInf:
		c = -1
	case r.minKind == lexPlusInf || r.maxKind == lexMinusInf:
		c = 1
	default:
		c = compareLex(r.min, r.max)
	}
	return c > 0 || (c == 0 && (r.minex || r.maxex))
}

func unsafeString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(unsafe.SliceData(b), len(b))
}
