package resp

import (
	"bytes"
	"math"
	"strconv"
)

// Value is one reply read by ReplyReader: a tree of RESP2/RESP3 values.
type Value struct {
	Type Type
	// Null marks the RESP2 null bulk ($-1, Type TypeBulk) and null array
	// (*-1, Type TypeArray). RESP3's null is Type TypeNull. IsNull covers all.
	Null bool
	// Str holds the bytes of simple strings, errors, bulks, blob errors,
	// verbatim strings (without the "fmt:" prefix), and the text of doubles
	// and big numbers as received.
	Str []byte
	// Format is a verbatim string's three-letter format ("txt", "mkd").
	Format string
	Int    int64   // TypeInteger
	Float  float64 // TypeDouble
	Bool   bool    // TypeBoolean
	// Elems holds the children of arrays, sets and pushes, and of maps as
	// key, value, key, value...
	Elems []Value
	// Attrs holds the RESP3 attribute (key, value, ...) sent before this value.
	Attrs []Value
}

// IsNull reports whether v is any kind of null ($-1, *-1, _).
func (v Value) IsNull() bool { return v.Null || v.Type == TypeNull }

// IsError reports whether v is a simple or blob error.
func (v Value) IsError() bool { return v.Type == TypeError || v.Type == TypeBlobError }

// Equal reports whether v and o are the same reply: same types, nulls,
// bytes, numbers and children in order. Doubles compare by their text.
func (v Value) Equal(o Value) bool {
	if v.Type != o.Type || v.Null != o.Null || v.Format != o.Format ||
		v.Int != o.Int || v.Bool != o.Bool || !bytes.Equal(v.Str, o.Str) ||
		len(v.Elems) != len(o.Elems) || len(v.Attrs) != len(o.Attrs) {
		return false
	}
	if v.Float != o.Float && !(math.IsNaN(v.Float) && math.IsNaN(o.Float)) {
		return false
	}
	for i := range v.Elems {
		if !v.Elems[i].Equal(o.Elems[i]) {
			return false
		}
	}
	for i := range v.Attrs {
		if !v.Attrs[i].Equal(o.Attrs[i]) {
			return false
		}
	}
	return true
}

// String renders v as redis-cli does on a terminal (cliFormatReplyTTY),
// without the final newline: `OK`, `(integer) 1`, `"a\x00b"`, `(nil)`,
// `1) "a"` with nested indentation, `1# "k" => "v"` for maps, `1~ ...` for
// sets, `(empty array)`, `(error) ERR ...`, `(double) 1.5`, `(true)`.
func (v Value) String() string {
	b := v.appendCLI(nil, "")
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
	}
	return string(b)
}

// AppendCLI appends redis-cli's terminal rendering of v, with its final
// newline, to dst.
func (v Value) AppendCLI(dst []byte) []byte { return v.appendCLI(dst, "") }

func (v Value) appendCLI(out []byte, prefix string) []byte {
	if v.IsNull() {
		return append(out, "(nil)\n"...)
	}
	switch v.Type {
	case TypeError, TypeBlobError:
		out = append(out, "(error) "...)
		out = append(out, v.Str...)
	case TypeSimpleString, TypeVerbatim:
		out = append(out, v.Str...)
	case TypeInteger:
		out = append(out, "(integer) "...)
		out = strconv.AppendInt(out, v.Int, 10)
	case TypeDouble:
		out = append(out, "(double) "...)
		out = append(out, v.Str...)
	case TypeBigNumber:
		out = append(out, "(big number) "...)
		out = append(out, v.Str...)
	case TypeBulk:
		out = AppendRepr(out, v.Str)
	case TypeBoolean:
		if v.Bool {
			out = append(out, "(true)"...)
		} else {
			out = append(out, "(false)"...)
		}
	case TypeArray, TypeSet, TypePush, TypeMap, TypeAttribute:
		return v.appendAggregate(out, prefix)
	default:
		out = append(out, "(unknown reply type "...)
		out = append(out, v.Type.String()...)
		out = append(out, ')')
	}
	return append(out, '\n')
}

func (v Value) appendAggregate(out []byte, prefix string) []byte {
	if len(v.Elems) == 0 {
		switch v.Type {
		case TypeArray:
			return append(out, "(empty array)\n"...)
		case TypeMap:
			return append(out, "(empty hash)\n"...)
		case TypeSet:
			return append(out, "(empty set)\n"...)
		case TypePush:
			return append(out, "(empty push)\n"...)
		}
		return append(out, "(empty aggregate type)\n"...)
	}
	isMap := v.Type == TypeMap || v.Type == TypeAttribute
	count := len(v.Elems)
	if isMap {
		count /= 2
	}
	idxlen := len(strconv.Itoa(count))
	sub := prefix + spaces(idxlen+2)
	sep := byte(')')
	switch {
	case v.Type == TypeSet:
		sep = '~'
	case isMap:
		sep = '#'
	}
	for i := 0; i < len(v.Elems); i++ {
		human := i + 1
		if isMap {
			human = i/2 + 1
		}
		if i != 0 {
			out = append(out, prefix...)
		}
		num := strconv.Itoa(human)
		out = append(out, spaces(idxlen-len(num))...)
		out = append(out, num...)
		out = append(out, sep, ' ')
		out = v.Elems[i].appendCLI(out, sub)
		if isMap && i+1 < len(v.Elems) {
			i++
			out = out[:len(out)-1]
			out = append(out, " => "...)
			out = v.Elems[i].appendCLI(out, sub)
		}
	}
	return out
}

func spaces(n int) string {
	const s = "                                "
	if n <= 0 {
		return ""
	}
	if n <= len(s) {
		return s[:n]
	}
	return string(bytes.Repeat([]byte{' '}, n))
}

// AppendRepr appends b quoted as Redis's sdscatrepr does (redis-cli, MONITOR,
// CLIENT LIST): "\"" + escapes for \\ \" \n \r \t \a \b, printable ASCII as
// is, other bytes as \xhh + "\"".
func AppendRepr(dst, b []byte) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for _, c := range b {
		switch c {
		case '\\', '"':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		case '\a':
			dst = append(dst, '\\', 'a')
		case '\b':
			dst = append(dst, '\\', 'b')
		default:
			if c >= 0x20 && c <= 0x7e {
				dst = append(dst, c)
			} else {
				dst = append(dst, '\\', 'x', hex[c>>4], hex[c&15])
			}
		}
	}
	return append(dst, '"')
}

// AppendValue appends v in RESP wire form (RESP3 types as such; use it to
// build test replies and to round-trip what ReplyReader read).
func AppendValue(dst []byte, v Value) []byte {
	if len(v.Attrs) > 0 {
		dst = AppendLen(dst, TypeAttribute, int64(len(v.Attrs)/2))
		for _, a := range v.Attrs {
			dst = AppendValue(dst, a)
		}
	}
	switch v.Type {
	case TypeSimpleString, TypeError:
		dst = append(dst, byte(v.Type))
		dst = append(dst, v.Str...)
		return append(dst, '\r', '\n')
	case TypeInteger:
		return AppendInt(dst, v.Int)
	case TypeBulk:
		if v.Null {
			return AppendNullBulk(dst)
		}
		return AppendBulk(dst, v.Str)
	case TypeBlobError:
		dst = AppendLen(dst, TypeBlobError, int64(len(v.Str)))
		dst = append(dst, v.Str...)
		return append(dst, '\r', '\n')
	case TypeNull:
		return AppendNull(dst)
	case TypeDouble:
		dst = append(dst, ',')
		if len(v.Str) > 0 {
			dst = append(dst, v.Str...)
		} else {
			dst = AppendDoubleText(dst, v.Float)
		}
		return append(dst, '\r', '\n')
	case TypeBoolean:
		return AppendBool(dst, v.Bool)
	case TypeBigNumber:
		dst = append(dst, '(')
		dst = append(dst, v.Str...)
		return append(dst, '\r', '\n')
	case TypeVerbatim:
		f := v.Format
		if len(f) != 3 {
			f = "txt"
		}
		return AppendVerbatim(dst, f, v.Str)
	case TypeArray:
		if v.Null {
			return AppendNullArray(dst)
		}
	case TypeMap, TypeAttribute:
		dst = AppendLen(dst, v.Type, int64(len(v.Elems)/2))
		for _, e := range v.Elems {
			dst = AppendValue(dst, e)
		}
		return dst
	}
	// arrays, sets, pushes (and unknown types rendered as arrays)
	t := v.Type
	if t != TypeSet && t != TypePush {
		t = TypeArray
	}
	dst = AppendLen(dst, t, int64(len(v.Elems)))
	for _, e := range v.Elems {
		dst = AppendValue(dst, e)
	}
	return dst
}
