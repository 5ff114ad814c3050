package tsort

import (
	"bytes"
	"math"
	"math/big"
	"strconv"
	"unsafe"
)

// minNormal is DBL_MIN, the smallest positive normal double.
const minNormal = 2.2250738585072014e-308

// cstr is b as a C function sees it: up to the first NUL byte.
func cstr(b []byte) []byte {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return b[:i]
	}
	return b
}

func isCSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isHex(c byte) bool {
	return isDigit(c) || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
}

func hasPrefixFold(b []byte, p string) bool {
	return len(b) >= len(p) && bytes.EqualFold(b[:len(p)], []byte(p))
}

// ParseScore converts a sort key as SORT does: glibc's strtod over the value as a C string,
// accepted only when strtod consumed everything up to the end (or to an embedded NUL),
// did not set ERANGE (overflow, or an underflow that lost precision) and did not produce
// NaN. A string with nothing to convert at its very start (the empty string) is 0, as
// strtod leaves the end pointer at the start.
func ParseScore(b []byte) (float64, bool) {
	s := cstr(b)
	if len(s) == 0 {
		return 0, true
	}
	i := 0
	for i < len(s) && isCSpace(s[i]) {
		i++
	}
	start := i
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	rest := s[i:]
	switch {
	case hasPrefixFold(rest, "inf"):
		n := 3
		if hasPrefixFold(rest, "infinity") {
			n = 8
		}
		if i+n != len(s) {
			return 0, false
		}
		if s[start] == '-' {
			return math.Inf(-1), true
		}
		return math.Inf(1), true
	case hasPrefixFold(rest, "nan"):
		return 0, false // NaN, or trailing bytes after it: an error either way
	case len(rest) >= 3 && rest[0] == '0' && (rest[1]|0x20) == 'x' &&
		(isHex(rest[2]) || (rest[2] == '.' && len(rest) >= 4 && isHex(rest[3]))):
		return parseHex(s, start, i+2)
	}
	// Decimal: digits, an optional point and digits (at least one digit in all), then an
	// exponent only when digits follow it.
	j := i
	digits, nonzero := 0, false
	for j < len(s) && isDigit(s[j]) {
		nonzero = nonzero || s[j] != '0'
		j++
		digits++
	}
	if j < len(s) && s[j] == '.' {
		j++
		for j < len(s) && isDigit(s[j]) {
			nonzero = nonzero || s[j] != '0'
			j++
			digits++
		}
	}
	if digits == 0 {
		return 0, false // no conversion: the end pointer stays at the start
	}
	if j < len(s) && (s[j]|0x20) == 'e' {
		k := j + 1
		if k < len(s) && (s[k] == '+' || s[k] == '-') {
			k++
		}
		if k < len(s) && isDigit(s[k]) {
			for k < len(s) && isDigit(s[k]) {
				k++
			}
			j = k
		}
	}
	if j != len(s) {
		return 0, false
	}
	return finish(unsafeString(s[start:]), nonzero)
}

// parseHex converts a hexadecimal float whose digits start at s[d] (after "0x").
func parseHex(s []byte, start, d int) (float64, bool) {
	j := d
	nonzero := false
	for j < len(s) && isHex(s[j]) {
		nonzero = nonzero || s[j] != '0'
		j++
	}
	if j < len(s) && s[j] == '.' {
		j++
		for j < len(s) && isHex(s[j]) {
			nonzero = nonzero || s[j] != '0'
			j++
		}
	}
	hasExp := false
	if j < len(s) && (s[j]|0x20) == 'p' {
		k := j + 1
		if k < len(s) && (s[k] == '+' || s[k] == '-') {
			k++
		}
		if k < len(s) && isDigit(s[k]) {
			for k < len(s) && isDigit(s[k]) {
				k++
			}
			j = k
			hasExp = true
		}
	}
	if j != len(s) {
		return 0, false
	}
	tok := string(s[start:])
	if !hasExp {
		tok += "p0" // Go's hexadecimal floats need the exponent; C's do not
	}
	return finish(tok, nonzero)
}

// finish converts a validated token; overflow and inexact underflow are ERANGE for glibc.
func finish(tok string, nonzero bool) (float64, bool) {
	v, err := strconv.ParseFloat(tok, 64)
	if err != nil {
		return 0, false // ErrRange: ±HUGE_VAL
	}
	if a := math.Abs(v); a < minNormal && nonzero {
		if a == 0 {
			return 0, false
		}
		// Subnormal: glibc reports ERANGE only when the result is inexact.
		r, ok := new(big.Rat).SetString(tok)
		if !ok || r.Cmp(new(big.Rat).SetFloat64(v)) != 0 {
			return 0, false
		}
	}
	return v, true
}

// unsafeString views b as a string for parsing without a copy; b must not change while
// the string is in use.
func unsafeString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}
