package config

import (
	"errors"
	"math"
	"strconv"
	"strings"
)

// isSpace is C's isspace in the C locale.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func hexVal(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// errUnbalanced is returned by SplitArgs for unbalanced quotes.
var errUnbalanced = errors.New("unbalanced quotes")

// SplitArgs splits a line the way Redis's sdssplitargs does: blanks separate
// arguments, "double quotes" understand \n \r \t \b \a \xHH and \<any>, 'single
// quotes' understand \', and a closing quote must be followed by a blank or the end.
// It returns errUnbalanced where sdssplitargs returns NULL. The input ends at its first
// NUL byte, as a C string does.
func SplitArgs(line string) ([]string, error) {
	if i := strings.IndexByte(line, 0); i >= 0 {
		line = line[:i]
	}
	var out []string
	p := 0
	n := len(line)
	at := func(i int) byte {
		if i < n {
			return line[i]
		}
		return 0
	}
	for {
		for p < n && isSpace(line[p]) {
			p++
		}
		if p >= n {
			return out, nil
		}
		var cur []byte
		inq, insq, done := false, false, false
		for !done {
			c := at(p)
			switch {
			case inq:
				if c == '\\' && at(p+1) == 'x' && isHex(at(p+2)) && isHex(at(p+3)) {
					cur = append(cur, hexVal(at(p+2))*16+hexVal(at(p+3)))
					p += 3
				} else if c == '\\' && at(p+1) != 0 {
					p++
					switch e := at(p); e {
					case 'n':
						cur = append(cur, '\n')
					case 'r':
						cur = append(cur, '\r')
					case 't':
						cur = append(cur, '\t')
					case 'b':
						cur = append(cur, '\b')
					case 'a':
						cur = append(cur, '\a')
					default:
						cur = append(cur, e)
					}
				} else if c == '"' {
					if nx := at(p + 1); nx != 0 && !isSpace(nx) {
						return nil, errUnbalanced
					}
					done = true
				} else if c == 0 {
					return nil, errUnbalanced
				} else {
					cur = append(cur, c)
				}
			case insq:
				if c == '\\' && at(p+1) == '\'' {
					p++
					cur = append(cur, '\'')
				} else if c == '\'' {
					if nx := at(p + 1); nx != 0 && !isSpace(nx) {
						return nil, errUnbalanced
					}
					done = true
				} else if c == 0 {
					return nil, errUnbalanced
				} else {
					cur = append(cur, c)
				}
			default:
				switch c {
				case ' ', '\n', '\r', '\t', 0:
					done = true
				case '"':
					inq = true
				case '\'':
					insq = true
				default:
					cur = append(cur, c)
				}
			}
			if p < n {
				p++
			}
		}
		out = append(out, string(cur))
	}
}

// splitLen is sdssplitlen(s, len, sep, 1): an empty input gives no element, otherwise
// every separator splits, empty elements included.
func splitLen(s string, sep string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, sep)
}

// Repr quotes s the way Redis's sdscatrepr does.
func Repr(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\', '"':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\a':
			b.WriteString(`\a`)
		case '\b':
			b.WriteString(`\b`)
		default:
			if c >= 0x20 && c <= 0x7e {
				b.WriteByte(c)
			} else {
				b.WriteString(`\x`)
				const hx = "0123456789abcdef"
				b.WriteByte(hx[c>>4])
				b.WriteByte(hx[c&15])
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// trim is sdstrim(s, cset).
func trim(s, cset string) string {
	return strings.Trim(s, cset)
}

// string2ll is Redis's strict string2ll: no blanks, no '+', no leading zeros, no "-0".
func string2ll(s string) (int64, bool) {
	n := len(s)
	if n == 0 || n >= 21 {
		return 0, false
	}
	if n == 1 && s[0] == '0' {
		return 0, true
	}
	p := 0
	neg := false
	if s[0] == '-' {
		neg = true
		p++
		if p == n {
			return 0, false
		}
	}
	if s[p] < '1' || s[p] > '9' {
		return 0, false
	}
	v := uint64(s[p] - '0')
	p++
	for ; p < n && s[p] >= '0' && s[p] <= '9'; p++ {
		if v > math.MaxUint64/10 {
			return 0, false
		}
		v *= 10
		d := uint64(s[p] - '0')
		if v > math.MaxUint64-d {
			return 0, false
		}
		v += d
	}
	if p < n {
		return 0, false
	}
	if neg {
		if v > uint64(math.MaxInt64)+1 {
			return 0, false
		}
		return -int64(v), true
	}
	if v > math.MaxInt64 {
		return 0, false
	}
	return int64(v), true
}

// strtoll is C's strtoll(s, &end, base) for base 8 or 10: it skips leading blanks,
// takes a sign, saturates on overflow (reporting it), and returns the unparsed rest.
// With no digits the rest is the whole input, as C leaves endptr at the start.
func strtoll(s string, base int) (v int64, rest string, overflow bool) {
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	p := 0
	for p < len(s) && isSpace(s[p]) {
		p++
	}
	neg := false
	if p < len(s) && (s[p] == '+' || s[p] == '-') {
		neg = s[p] == '-'
		p++
	}
	start := p
	var acc uint64
	limit := uint64(math.MaxInt64)
	if neg {
		limit++
	}
	for p < len(s) {
		c := s[p]
		if c < '0' || c > '9' || int(c-'0') >= base {
			break
		}
		d := uint64(c - '0')
		if !overflow {
			if acc > (limit-d)/uint64(base) {
				overflow = true
			} else {
				acc = acc*uint64(base) + d
			}
		}
		p++
	}
	if p == start {
		return 0, s, false
	}
	if overflow {
		if neg {
			return math.MinInt64, s[p:], true
		}
		return math.MaxInt64, s[p:], true
	}
	if neg {
		return -int64(acc), s[p:], false
	}
	return int64(acc), s[p:], false
}

// memtoull is Redis 7.0's memtoull: digits followed by an optional unit among b, k
// (1000), kb (1024), m, mb, g, gb (case-insensitive). Like Redis it saturates an
// overlong number and wraps on multiplication overflow.
func memtoull(s string) (uint64, bool) {
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	if strings.HasPrefix(s, "-") {
		return 0, false
	}
	u := 0
	for u < len(s) && s[u] >= '0' && s[u] <= '9' {
		u++
	}
	var mul uint64
	switch strings.ToLower(s[u:]) {
	case "", "b":
		mul = 1
	case "k":
		mul = 1000
	case "kb":
		mul = 1024
	case "m":
		mul = 1000 * 1000
	case "mb":
		mul = 1024 * 1024
	case "g":
		mul = 1000 * 1000 * 1000
	case "gb":
		mul = 1024 * 1024 * 1024
	default:
		return 0, false
	}
	if u >= 128 {
		return 0, false
	}
	var val uint64
	for i := 0; i < u; i++ {
		d := uint64(s[i] - '0')
		if val > (math.MaxUint64-d)/10 {
			val = math.MaxUint64
			break
		}
		val = val*10 + d
	}
	return val * mul, true
}

// string2d is Redis's string2d over C's strtod: no leading blank, the whole input must
// be consumed, no NaN, no overflow, no underflow to zero.
func string2d(s string) (float64, bool) {
	if s == "" || isSpace(s[0]) || strings.ContainsAny(s, "_\x00") {
		return 0, false
	}
	t := s
	body := strings.TrimLeft(t, "+-")
	if len(body) > 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X') && !strings.ContainsAny(body, "pP") {
		t += "p0"
	}
	if len(body) >= 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X') && len(body) == 2 {
		return 0, false
	}
	d, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsNaN(d) {
		return 0, false
	}
	return d, true
}

// formatPercentile is sprintf("%f") followed by Redis's trimDoubleString.
func formatPercentile(f float64) string {
	s := strconv.FormatFloat(f, 'f', 6, 64)
	if strings.IndexByte(s, '.') >= 0 {
		s = strings.TrimRight(s, "0")
		s = strings.TrimSuffix(s, ".")
	}
	return s
}

// formatMemory is rewriteConfigFormatMemory.
func formatMemory(bytes int64) string {
	const gb, mb, kb = 1024 * 1024 * 1024, 1024 * 1024, 1024
	switch {
	case bytes != 0 && bytes%gb == 0:
		return strconv.FormatInt(bytes/gb, 10) + "gb"
	case bytes != 0 && bytes%mb == 0:
		return strconv.FormatInt(bytes/mb, 10) + "mb"
	case bytes != 0 && bytes%kb == 0:
		return strconv.FormatInt(bytes/kb, 10) + "kb"
	default:
		return strconv.FormatInt(bytes, 10)
	}
}

// StringMatch is Redis's stringmatchlen (glob: * ? [...] [^...] ranges, \ escapes),
// case-insensitive when nocase is set.
func StringMatch(pattern, s string, nocase bool) bool {
	return stringMatch(pattern, s, nocase, 0)
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 32
	}
	return c
}

func stringMatch(p, s string, nocase bool, depth int) bool {
	if depth > 1000 {
		return false
	}
	for len(p) > 0 && len(s) > 0 {
		switch p[0] {
		case '*':
			for len(p) > 1 && p[1] == '*' {
				p = p[1:]
			}
			if len(p) == 1 {
				return true
			}
			for len(s) > 0 {
				if stringMatch(p[1:], s, nocase, depth+1) {
					return true
				}
				s = s[1:]
			}
			return false
		case '?':
			s = s[1:]
		case '[':
			p = p[1:]
			not := len(p) > 0 && p[0] == '^'
			if not {
				p = p[1:]
			}
			match := false
			for {
				if len(p) == 0 {
					break
				}
				if p[0] == '\\' && len(p) >= 2 {
					p = p[1:]
					if p[0] == s[0] {
						match = true
					}
				} else if p[0] == ']' {
					break
				} else if len(p) >= 3 && p[1] == '-' {
					start, end := p[0], p[2]
					c := s[0]
					if start > end {
						start, end = end, start
					}
					if nocase {
						start, end, c = lower(start), lower(end), lower(c)
					}
					p = p[2:]
					if c >= start && c <= end {
						match = true
					}
				} else {
					if !nocase {
						if p[0] == s[0] {
							match = true
						}
					} else if lower(p[0]) == lower(s[0]) {
						match = true
					}
				}
				p = p[1:]
			}
			if not {
				match = !match
			}
			if !match {
				return false
			}
			s = s[1:]
			if len(p) == 0 {
				// Redis steps back onto the end of the pattern here.
				return len(s) == 0
			}
		case '\\':
			if len(p) >= 2 {
				p = p[1:]
			}
			fallthrough
		default:
			if !nocase {
				if p[0] != s[0] {
					return false
				}
			} else if lower(p[0]) != lower(s[0]) {
				return false
			}
			s = s[1:]
		}
		p = p[1:]
		if len(s) == 0 {
			for len(p) > 0 && p[0] == '*' {
				p = p[1:]
			}
			break
		}
	}
	return len(p) == 0 && len(s) == 0
}
