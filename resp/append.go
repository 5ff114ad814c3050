package resp

import (
	"math"
	"strconv"
)

// Type is a RESP type byte: the first byte of every reply on the wire. The
// values are part of the protocol and must never change.
type Type byte

// RESP2 and RESP3 types.
const (
	TypeSimpleString Type = '+'
	TypeError        Type = '-'
	TypeInteger      Type = ':'
	TypeBulk         Type = '$'
	TypeArray        Type = '*'
	TypeNull         Type = '_' // RESP3
	TypeDouble       Type = ',' // RESP3
	TypeBoolean      Type = '#' // RESP3
	TypeBlobError    Type = '!' // RESP3
	TypeVerbatim     Type = '=' // RESP3
	TypeBigNumber    Type = '(' // RESP3
	TypeMap          Type = '%' // RESP3
	TypeSet          Type = '~' // RESP3
	TypeAttribute    Type = '|' // RESP3
	TypePush         Type = '>' // RESP3
)

// String names the type for errors and dumps. When adding a type, also
// update Value.String, Value.Equal and ReplyReader.
func (t Type) String() string {
	switch t {
	case TypeSimpleString:
		return "simple-string"
	case TypeError:
		return "error"
	case TypeInteger:
		return "integer"
	case TypeBulk:
		return "bulk"
	case TypeArray:
		return "array"
	case TypeNull:
		return "null"
	case TypeDouble:
		return "double"
	case TypeBoolean:
		return "boolean"
	case TypeBlobError:
		return "blob-error"
	case TypeVerbatim:
		return "verbatim"
	case TypeBigNumber:
		return "big-number"
	case TypeMap:
		return "map"
	case TypeSet:
		return "set"
	case TypeAttribute:
		return "attribute"
	case TypePush:
		return "push"
	}
	return "type(" + strconv.Quote(string(rune(t))) + ")"
}

// AppendLen appends a length header "<prefix><n>\r\n" (array "*", map "%",
// set "~", push ">", bulk "$", ...).
func AppendLen(dst []byte, prefix Type, n int64) []byte {
	dst = append(dst, byte(prefix))
	dst = strconv.AppendInt(dst, n, 10)
	return append(dst, '\r', '\n')
}

// AppendSimpleString appends "+s\r\n". s must not contain "\r" or "\n".
func AppendSimpleString(dst []byte, s string) []byte {
	dst = append(dst, '+')
	dst = append(dst, s...)
	return append(dst, '\r', '\n')
}

// AppendError appends an error reply. msg is the full message including
// its code ("ERR syntax error", "WRONGTYPE Operation against ..."); as in
// Redis's addReplyError, a message not starting with '-' gets "-", and
// "\r"/"\n" inside it become spaces so the reply stays one line. An empty
// message becomes "-ERR \r\n", as Redis writes it.
func AppendError(dst []byte, msg string) []byte {
	if msg == "" {
		return append(dst, "-ERR \r\n"...)
	}
	if msg[0] != '-' {
		dst = append(dst, '-')
	}
	for i := 0; i < len(msg); i++ {
		c := msg[i]
		if c == '\r' || c == '\n' {
			c = ' '
		}
		dst = append(dst, c)
	}
	return append(dst, '\r', '\n')
}

// AppendInt appends an integer reply ":n\r\n".
func AppendInt(dst []byte, n int64) []byte { return AppendLen(dst, TypeInteger, n) }

// AppendArrayLen appends an array header "*n\r\n".
func AppendArrayLen(dst []byte, n int) []byte { return AppendLen(dst, TypeArray, int64(n)) }

// AppendBulk appends a bulk string "$len\r\n<b>\r\n".
func AppendBulk(dst, b []byte) []byte {
	dst = AppendLen(dst, TypeBulk, int64(len(b)))
	dst = append(dst, b...)
	return append(dst, '\r', '\n')
}

// AppendBulkString appends a bulk string holding s.
func AppendBulkString(dst []byte, s string) []byte {
	dst = AppendLen(dst, TypeBulk, int64(len(s)))
	dst = append(dst, s...)
	return append(dst, '\r', '\n')
}

// AppendBulkInt appends n in decimal as a bulk string (addReplyBulkLongLong).
func AppendBulkInt(dst []byte, n int64) []byte {
	var tmp [20]byte
	return AppendBulk(dst, strconv.AppendInt(tmp[:0], n, 10))
}

// AppendNullBulk appends the RESP2 null bulk "$-1\r\n".
func AppendNullBulk(dst []byte) []byte { return append(dst, "$-1\r\n"...) }

// AppendNullArray appends the RESP2 null array "*-1\r\n".
func AppendNullArray(dst []byte) []byte { return append(dst, "*-1\r\n"...) }

// AppendNull appends the RESP3 null "_\r\n".
func AppendNull(dst []byte) []byte { return append(dst, "_\r\n"...) }

// AppendBool appends the RESP3 boolean "#t\r\n" or "#f\r\n".
func AppendBool(dst []byte, v bool) []byte {
	if v {
		return append(dst, "#t\r\n"...)
	}
	return append(dst, "#f\r\n"...)
}

// AppendDoubleText appends the text of d as Redis 7.0 formats a double
// reply: "%.17g" ("1.1000000000000001", "1e+20", "-0"), "inf"/"-inf" for
// infinities and "nan"/"-nan" for NaN (glibc's rendering).
func AppendDoubleText(dst []byte, d float64) []byte {
	switch {
	case math.IsInf(d, 1):
		return append(dst, "inf"...)
	case math.IsInf(d, -1):
		return append(dst, "-inf"...)
	case math.IsNaN(d):
		if math.Signbit(d) {
			return append(dst, "-nan"...)
		}
		return append(dst, "nan"...)
	}
	return strconv.AppendFloat(dst, d, 'g', 17, 64)
}

// AppendDouble appends a RESP3 double ",<text>\r\n" (addReplyDouble, RESP3).
func AppendDouble(dst []byte, d float64) []byte {
	dst = append(dst, ',')
	dst = AppendDoubleText(dst, d)
	return append(dst, '\r', '\n')
}

// AppendDoubleBulk appends d as a RESP2 bulk string (addReplyDouble, RESP2).
func AppendDoubleBulk(dst []byte, d float64) []byte {
	var tmp [32]byte
	return AppendBulk(dst, AppendDoubleText(tmp[:0], d))
}

// AppendVerbatim appends a RESP3 verbatim string "=<len>\r\n<fmt>:<s>\r\n".
// format is three bytes, "txt" or "mkd".
func AppendVerbatim(dst []byte, format string, s []byte) []byte {
	dst = AppendLen(dst, TypeVerbatim, int64(len(format)+1+len(s)))
	dst = append(dst, format...)
	dst = append(dst, ':')
	dst = append(dst, s...)
	return append(dst, '\r', '\n')
}

// AppendBigNumber appends a RESP3 big number "(<digits>\r\n".
func AppendBigNumber(dst []byte, digits string) []byte {
	dst = append(dst, '(')
	dst = append(dst, digits...)
	return append(dst, '\r', '\n')
}

// AppendCommand appends a request: an array of bulk strings, the form of
// client commands, AOF records and replication streams.
func AppendCommand(dst []byte, args ...[]byte) []byte {
	dst = AppendArrayLen(dst, len(args))
	for _, a := range args {
		dst = AppendBulk(dst, a)
	}
	return dst
}

// AppendCommandString is AppendCommand for string arguments.
func AppendCommandString(dst []byte, args ...string) []byte {
	dst = AppendArrayLen(dst, len(args))
	for _, a := range args {
		dst = AppendBulkString(dst, a)
	}
	return dst
}
