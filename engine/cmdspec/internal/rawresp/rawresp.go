// Package rawresp reads RESP2/RESP3 values as trees that keep their exact bytes, writes
// trees back, and converts a RESP3 value to the bytes RESP2 carries for it. It exists for
// cmdspec's data (the captured COMMAND INFO / COMMAND DOCS replies), its generator and its
// differential tests; it is not the server's protocol layer (that is package resp).
//
// It must never panic or allocate from an unchecked length on damaged input: every
// length is checked against the bytes that remain, and nesting is capped.
package rawresp

import (
	"errors"
	"fmt"
	"strconv"
)

// ErrIncomplete means the input ends before the value does; reading more may help.
var ErrIncomplete = errors.New("rawresp: incomplete value")

// ErrSyntax means the bytes are not RESP.
var ErrSyntax = errors.New("rawresp: syntax error")

// MaxDepth caps nesting; the deepest COMMAND DOCS reply nests about 15 levels.
const MaxDepth = 64

// Value is one parsed RESP value.
type Value struct {
	// Type is the first byte: '+', '-', ':', '$', '*', '%', '~', '_', ',', '#', '(', '=', '>', '|', '!'.
	Type byte
	// N is the declared length of a bulk or aggregate; -1 for a RESP2 null. For a map it
	// is the number of pairs (Elems holds 2*N values).
	N int
	// Str is the payload of simple strings, errors, integers, doubles, booleans, big
	// numbers, bulk and verbatim strings (the bytes after the header / between CRLFs).
	Str []byte
	// Elems are the children of an aggregate.
	Elems []Value
	// Raw is the exact bytes of the whole value, a sub-slice of the input.
	Raw []byte
}

// IsAggregate reports whether the type holds children.
func (v *Value) IsAggregate() bool {
	switch v.Type {
	case '*', '%', '~', '>', '|':
		return true
	}
	return false
}

// Text returns the payload as a string (for bulk/simple strings and numbers).
func (v *Value) Text() string { return string(v.Str) }

// Int parses an integer payload.
func (v *Value) Int() (int64, error) {
	n, err := strconv.ParseInt(string(v.Str), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("rawresp: %q is not an integer: %w", v.Str, ErrSyntax)
	}
	return n, nil
}

// Parse reads the first value of b and returns it and the bytes after it.
func Parse(b []byte) (Value, []byte, error) {
	v, n, err := parse(b, 0, 0)
	if err != nil {
		return Value{}, b, err
	}
	return v, b[n:], nil
}

// Len returns the length of the first complete value in b, ErrIncomplete if b ends
// before it does, or ErrSyntax.
func Len(b []byte) (int, error) {
	_, n, err := parse(b, 0, 0)
	return n, err
}

func line(b []byte, off int) (payload []byte, next int, err error) {
	for i := off; i+1 < len(b); i++ {
		if b[i] == '\r' {
			if b[i+1] != '\n' {
				return nil, 0, fmt.Errorf("%w: CR without LF at offset %d", ErrSyntax, i)
			}
			return b[off:i], i + 2, nil
		}
	}
	return nil, 0, ErrIncomplete
}

func atoi(p []byte, off int) (int, error) {
	if len(p) == 0 || len(p) > 18 {
		return 0, fmt.Errorf("%w: bad length %q at offset %d", ErrSyntax, p, off)
	}
	// Strict: an optional '-', then digits without leading zeros, so that writing a
	// parsed value back gives the same bytes.
	q := p
	if q[0] == '-' {
		q = q[1:]
	}
	if len(q) == 0 || (q[0] == '0' && len(q) > 1) || (p[0] == '-' && q[0] == '0') {
		return 0, fmt.Errorf("%w: bad length %q at offset %d", ErrSyntax, p, off)
	}
	n := 0
	for _, c := range q {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%w: bad length %q at offset %d", ErrSyntax, p, off)
		}
		n = n*10 + int(c-'0')
	}
	if p[0] == '-' {
		n = -n
	}
	return n, nil
}

func parse(b []byte, off, depth int) (Value, int, error) {
	if depth > MaxDepth {
		return Value{}, 0, fmt.Errorf("%w: nesting deeper than %d at offset %d", ErrSyntax, MaxDepth, off)
	}
	if off >= len(b) {
		return Value{}, 0, ErrIncomplete
	}
	t := b[off]
	p, next, err := line(b, off+1)
	if err != nil {
		return Value{}, 0, err
	}
	v := Value{Type: t}
	switch t {
	case '+', '-', ':', ',', '#', '(', '_':
		v.Str = p
		if t == '_' && len(p) != 0 {
			return Value{}, 0, fmt.Errorf("%w: null with payload at offset %d", ErrSyntax, off)
		}
	case '$', '=', '!':
		n, err := atoi(p, off)
		if err != nil {
			return Value{}, 0, err
		}
		v.N = n
		if n == -1 && t == '$' {
			break
		}
		if n < 0 {
			return Value{}, 0, fmt.Errorf("%w: negative length %d at offset %d", ErrSyntax, n, off)
		}
		if n > len(b)-next-2 {
			return Value{}, 0, ErrIncomplete
		}
		if b[next+n] != '\r' || b[next+n+1] != '\n' {
			return Value{}, 0, fmt.Errorf("%w: bulk not followed by CRLF at offset %d", ErrSyntax, next+n)
		}
		v.Str = b[next : next+n]
		next += n + 2
	case '*', '%', '~', '>', '|':
		n, err := atoi(p, off)
		if err != nil {
			return Value{}, 0, err
		}
		v.N = n
		if n == -1 && t == '*' {
			break
		}
		if n < 0 {
			return Value{}, 0, fmt.Errorf("%w: negative length %d at offset %d", ErrSyntax, n, off)
		}
		count := n
		if t == '%' || t == '|' {
			count = 2 * n
		}
		// Every element takes at least 3 bytes, so a count beyond that is a lie or
		// an incomplete input; do not allocate for it.
		if count > (len(b)-next)/3 {
			return Value{}, 0, ErrIncomplete
		}
		v.Elems = make([]Value, 0, count)
		for i := 0; i < count; i++ {
			e, nn, err := parse(b, next, depth+1)
			if err != nil {
				return Value{}, 0, err
			}
			v.Elems = append(v.Elems, e)
			next = nn
		}
		if t == '|' {
			// An attribute is followed by the value it annotates; keep both.
			e, nn, err := parse(b, next, depth+1)
			if err != nil {
				return Value{}, 0, err
			}
			v.Elems = append(v.Elems, e)
			next = nn
		}
	default:
		return Value{}, 0, fmt.Errorf("%w: unknown type byte %q at offset %d", ErrSyntax, t, off)
	}
	v.Raw = b[off:next]
	return v, next, nil
}

// AppendHeader appends an aggregate or bulk header such as "*3\r\n".
func AppendHeader(dst []byte, t byte, n int) []byte {
	dst = append(dst, t)
	dst = strconv.AppendInt(dst, int64(n), 10)
	return append(dst, '\r', '\n')
}

// Append writes v back. Aggregates are rebuilt from their Elems (so a caller may reorder
// or drop children); leaves are copied from Raw.
func Append(dst []byte, v *Value) []byte {
	if !v.IsAggregate() || v.N < 0 {
		return append(dst, v.Raw...)
	}
	n := len(v.Elems)
	if v.Type == '%' || v.Type == '|' {
		n /= 2
	}
	dst = AppendHeader(dst, v.Type, n)
	for i := range v.Elems {
		dst = Append(dst, &v.Elems[i])
	}
	return dst
}

// ToRESP2 appends the RESP2 form of a RESP3 value: maps become flat arrays of 2n,
// sets and pushes become arrays, null becomes the null bulk string, a double becomes a
// bulk string, a boolean an integer 1/0, a big number a bulk string and a verbatim
// string a bulk string without its 3-letter format. This is what Redis's reply
// functions emit for the same calls in RESP2, except addReplyNullArray (which RESP3
// also writes as "_"); the COMMAND replies never use it inside an entry.
func ToRESP2(dst []byte, v *Value) []byte {
	switch v.Type {
	case '%', '|':
		if v.Type == '|' {
			// RESP2 has no attributes: drop them, keep the value.
			return ToRESP2(dst, &v.Elems[len(v.Elems)-1])
		}
		dst = AppendHeader(dst, '*', len(v.Elems))
		for i := range v.Elems {
			dst = ToRESP2(dst, &v.Elems[i])
		}
		return dst
	case '*', '~', '>':
		if v.N < 0 {
			return append(dst, v.Raw...)
		}
		dst = AppendHeader(dst, '*', len(v.Elems))
		for i := range v.Elems {
			dst = ToRESP2(dst, &v.Elems[i])
		}
		return dst
	case '_':
		return append(dst, "$-1\r\n"...)
	case ',', '(':
		dst = AppendHeader(dst, '$', len(v.Str))
		dst = append(dst, v.Str...)
		return append(dst, '\r', '\n')
	case '#':
		if len(v.Str) == 1 && v.Str[0] == 't' {
			return append(dst, ":1\r\n"...)
		}
		return append(dst, ":0\r\n"...)
	case '=':
		s := v.Str
		if len(s) >= 4 && s[3] == ':' {
			s = s[4:]
		}
		dst = AppendHeader(dst, '$', len(s))
		dst = append(dst, s...)
		return append(dst, '\r', '\n')
	}
	return append(dst, v.Raw...)
}

// MapGet returns the value of key in a RESP3 map (or a RESP2 flat key/value array), or nil.
func (v *Value) MapGet(key string) *Value {
	for i := 0; i+1 < len(v.Elems); i += 2 {
		if string(v.Elems[i].Str) == key {
			return &v.Elems[i+1]
		}
	}
	return nil
}
