package tscript

import (
	"math"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// cjsonNull is cjson.null (a light userdata in lua-cjson).
var cjsonNull = &lua.LUserData{}

const cjsonMaxDepth = 1000

// openCjson is lua-cjson 2.1 as Redis bundles it (default configuration).
func openCjson(L *lua.LState) *lua.LTable {
	t := L.NewTable()
	t.RawSetString("null", cjsonNull)
	t.RawSetString("encode", L.NewFunction(cjsonEncode))
	t.RawSetString("decode", L.NewFunction(cjsonDecode))
	t.RawSetString("_NAME", lua.LString("cjson"))
	t.RawSetString("_VERSION", lua.LString("2.1.0"))
	cfg := func(L *lua.LState) int { return L.GetTop() }
	for _, n := range []string{"encode_sparse_array", "encode_max_depth", "decode_max_depth",
		"encode_number_precision", "encode_keep_buffer", "encode_invalid_numbers",
		"decode_invalid_numbers"} {
		t.RawSetString(n, L.NewFunction(cfg))
	}
	return t
}

func cjsonEncode(L *lua.LState) int {
	if L.GetTop() != 1 {
		L.ArgError(1, "expected 1 argument")
	}
	var sb strings.Builder
	if msg := jsonEncode(&sb, L.Get(1), 0, L); msg != "" {
		L.RaiseError("%s", msg)
	}
	L.Push(lua.LString(sb.String()))
	return 1
}

func jsonNumber(sb *strings.Builder, f float64) string {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return "Cannot serialise number: must not be NaN or Inf"
	}
	sb.WriteString(strconv.FormatFloat(f, 'g', 14, 64))
	return ""
}

func jsonString(sb *strings.Builder, s string) {
	sb.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"':
			sb.WriteString(`\"`)
		case '\\':
			sb.WriteString(`\\`)
		case '/':
			sb.WriteString(`\/`)
		case '\b':
			sb.WriteString(`\b`)
		case '\f':
			sb.WriteString(`\f`)
		case '\n':
			sb.WriteString(`\n`)
		case '\r':
			sb.WriteString(`\r`)
		case '\t':
			sb.WriteString(`\t`)
		default:
			if c < 0x20 || c == 0x7f {
				sb.WriteString(`\u00`)
				sb.WriteByte("0123456789abcdef"[c>>4])
				sb.WriteByte("0123456789abcdef"[c&15])
			} else {
				sb.WriteByte(c)
			}
		}
	}
	sb.WriteByte('"')
}

// tableArrayLen is lua_array_length: n > 0 for an array, 0 for an empty table, -1 for an
// object; sparse reports an excessively sparse array.
func tableArrayLen(t *lua.LTable) (n int, sparse bool) {
	max, items := 0, 0
	obj := false
	t.ForEach(func(k, _ lua.LValue) {
		if obj {
			return
		}
		if kn, ok := k.(lua.LNumber); ok {
			f := float64(kn)
			if f == math.Floor(f) && f >= 1 {
				if int(f) > max {
					max = int(f)
				}
				items++
				return
			}
		}
		obj = true
	})
	if obj {
		return -1, false
	}
	// encode_sparse_array defaults: convert=0, ratio=2, safe=10.
	if max > 10 && max > items*2 {
		return max, true
	}
	return max, false
}

func jsonEncode(sb *strings.Builder, v lua.LValue, depth int, L *lua.LState) string {
	switch v := v.(type) {
	case lua.LString:
		jsonString(sb, string(v))
	case lua.LNumber:
		return jsonNumber(sb, float64(v))
	case lua.LBool:
		if v {
			sb.WriteString("true")
		} else {
			sb.WriteString("false")
		}
	case *lua.LNilType:
		sb.WriteString("null")
	case *lua.LUserData:
		if v == cjsonNull {
			sb.WriteString("null")
			return ""
		}
		return "Cannot serialise userdata: type not supported"
	case *lua.LTable:
		depth++
		if depth > cjsonMaxDepth {
			return "Cannot serialise, excessive nesting (" + strconv.Itoa(depth) + ")"
		}
		n, sparse := tableArrayLen(v)
		if sparse {
			return "Cannot serialise table: excessively sparse array"
		}
		if n > 0 {
			sb.WriteByte('[')
			for i := 1; i <= n; i++ {
				if i > 1 {
					sb.WriteByte(',')
				}
				if msg := jsonEncode(sb, v.RawGetInt(i), depth, L); msg != "" {
					return msg
				}
			}
			sb.WriteByte(']')
			return ""
		}
		sb.WriteByte('{')
		first := true
		var msg string
		forEach(v, func(k, val lua.LValue) {
			if msg != "" {
				return
			}
			if !first {
				sb.WriteByte(',')
			}
			first = false
			switch k := k.(type) {
			case lua.LString:
				jsonString(sb, string(k))
			case lua.LNumber:
				sb.WriteByte('"')
				if m := jsonNumber(sb, float64(k)); m != "" {
					msg = m
					return
				}
				sb.WriteByte('"')
			default:
				msg = "Cannot serialise " + k.Type().String() + ": table key must be a number or string"
				return
			}
			sb.WriteByte(':')
			msg = jsonEncode(sb, val, depth, L)
		})
		if msg != "" {
			return msg
		}
		sb.WriteByte('}')
	default:
		return "Cannot serialise " + v.Type().String() + ": type not supported"
	}
	return ""
}

type jsonDecoder struct {
	s     string
	i     int
	L     *lua.LState
	depth int
}

func cjsonDecode(L *lua.LState) int {
	if L.GetTop() != 1 {
		L.ArgError(1, "expected 1 argument")
	}
	s := L.CheckString(1)
	d := &jsonDecoder{s: s, L: L}
	v := d.value()
	d.ws()
	if d.i < len(d.s) {
		d.fail("the end", d.tokenName())
	}
	L.Push(v)
	return 1
}

func (d *jsonDecoder) ws() {
	for d.i < len(d.s) {
		switch d.s[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *jsonDecoder) tokenName() string {
	if d.i >= len(d.s) {
		return "T_END"
	}
	switch c := d.s[d.i]; {
	case c == '{':
		return "T_OBJ_BEGIN"
	case c == '}':
		return "T_OBJ_END"
	case c == '[':
		return "T_ARR_BEGIN"
	case c == ']':
		return "T_ARR_END"
	case c == ',':
		return "T_COMMA"
	case c == ':':
		return "T_COLON"
	case c == '"':
		return "T_STRING"
	case c == '-' || c >= '0' && c <= '9':
		return "T_NUMBER"
	case strings.HasPrefix(d.s[d.i:], "true"), strings.HasPrefix(d.s[d.i:], "false"):
		return "T_BOOLEAN"
	case strings.HasPrefix(d.s[d.i:], "null"):
		return "T_NULL"
	}
	return "invalid token"
}

func (d *jsonDecoder) fail(expected, found string) {
	d.L.RaiseError("Expected %s but found %s at character %d", expected, found, d.i+1)
}

func (d *jsonDecoder) value() lua.LValue {
	L := d.L
	d.ws()
	if d.i >= len(d.s) {
		d.fail("value", "T_END")
	}
	c := d.s[d.i]
	switch {
	case c == '{':
		d.depth++
		if d.depth > cjsonMaxDepth {
			L.RaiseError("Found too many nested data structures (%d) at character %d", d.depth, d.i+1)
		}
		d.i++
		t := L.NewTable()
		d.ws()
		if d.i < len(d.s) && d.s[d.i] == '}' {
			d.i++
			d.depth--
			return t
		}
		for {
			d.ws()
			if d.i >= len(d.s) || d.s[d.i] != '"' {
				d.fail("object key string", d.tokenName())
			}
			k := d.str()
			d.ws()
			if d.i >= len(d.s) || d.s[d.i] != ':' {
				d.fail("colon", d.tokenName())
			}
			d.i++
			v := d.value()
			t.RawSetString(k, v)
			d.ws()
			if d.i < len(d.s) && d.s[d.i] == '}' {
				d.i++
				d.depth--
				return t
			}
			if d.i >= len(d.s) || d.s[d.i] != ',' {
				d.fail("comma or object end", d.tokenName())
			}
			d.i++
		}
	case c == '[':
		d.depth++
		if d.depth > cjsonMaxDepth {
			L.RaiseError("Found too many nested data structures (%d) at character %d", d.depth, d.i+1)
		}
		d.i++
		t := L.NewTable()
		d.ws()
		if d.i < len(d.s) && d.s[d.i] == ']' {
			d.i++
			d.depth--
			return t
		}
		for n := 1; ; n++ {
			t.RawSetInt(n, d.value())
			d.ws()
			if d.i < len(d.s) && d.s[d.i] == ']' {
				d.i++
				d.depth--
				return t
			}
			if d.i >= len(d.s) || d.s[d.i] != ',' {
				d.fail("comma or array end", d.tokenName())
			}
			d.i++
		}
	case c == '"':
		return lua.LString(d.str())
	case c == '-' || c >= '0' && c <= '9':
		j := d.i
		for j < len(d.s) && strings.IndexByte("+-0123456789.eE", d.s[j]) >= 0 {
			j++
		}
		f, err := strconv.ParseFloat(d.s[d.i:j], 64)
		if err != nil && !strings.Contains(err.Error(), "range") {
			d.fail("value", "invalid number")
		}
		d.i = j
		return lua.LNumber(f)
	case strings.HasPrefix(d.s[d.i:], "true"):
		d.i += 4
		return lua.LTrue
	case strings.HasPrefix(d.s[d.i:], "false"):
		d.i += 5
		return lua.LFalse
	case strings.HasPrefix(d.s[d.i:], "null"):
		d.i += 4
		return cjsonNull
	}
	d.fail("value", d.tokenName())
	return lua.LNil
}

func (d *jsonDecoder) str() string {
	d.i++ // opening quote
	var sb strings.Builder
	for {
		if d.i >= len(d.s) {
			d.L.RaiseError("Expected value but found unexpected end of string at character %d", d.i+1)
		}
		c := d.s[d.i]
		if c == '"' {
			d.i++
			return sb.String()
		}
		if c != '\\' {
			sb.WriteByte(c)
			d.i++
			continue
		}
		if d.i+1 >= len(d.s) {
			d.L.RaiseError("Expected value but found invalid escape code at character %d", d.i+1)
		}
		e := d.s[d.i+1]
		switch e {
		case '"', '\\', '/':
			sb.WriteByte(e)
		case 'b':
			sb.WriteByte('\b')
		case 'f':
			sb.WriteByte('\f')
		case 'n':
			sb.WriteByte('\n')
		case 'r':
			sb.WriteByte('\r')
		case 't':
			sb.WriteByte('\t')
		case 'u':
			if d.i+6 > len(d.s) {
				d.L.RaiseError("Expected value but found invalid unicode escape code at character %d", d.i+1)
			}
			r, err := strconv.ParseUint(d.s[d.i+2:d.i+6], 16, 16)
			if err != nil {
				d.L.RaiseError("Expected value but found invalid unicode escape code at character %d", d.i+1)
			}
			adv := 6
			if r >= 0xD800 && r <= 0xDBFF && d.i+12 <= len(d.s) && d.s[d.i+6] == '\\' && d.s[d.i+7] == 'u' {
				lo, err := strconv.ParseUint(d.s[d.i+8:d.i+12], 16, 16)
				if err == nil && lo >= 0xDC00 && lo <= 0xDFFF {
					r = 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00)
					adv = 12
				}
			}
			sb.WriteRune(rune(r))
			d.i += adv
			continue
		default:
			d.L.RaiseError("Expected value but found invalid escape code at character %d", d.i+1)
		}
		d.i += 2
	}
}
