package rdbjson

import (
	"encoding/hex"
	"unicode/utf8"
)

const hexDigits = "0123456789abcdef"

// AppendBytes appends b as a JSON string when it is valid UTF-8 (escaped exactly as
// encoding/json does without HTML escaping) and as {"hex":"…"} otherwise.
func AppendBytes(dst, b []byte) []byte {
	if !utf8.Valid(b) {
		dst = append(dst, `{"hex":"`...)
		dst = hex.AppendEncode(dst, b)
		return append(dst, `"}`...)
	}
	return AppendString(dst, b)
}

// AppendString appends valid UTF-8 b as a JSON string.
func AppendString(dst, b []byte) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, b[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, b[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, b[start:]...)
	return append(dst, '"')
}
