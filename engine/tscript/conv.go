package tscript

import (
	"math"
	"strconv"
	"strings"

	"github.com/redisctl/redisctl/resp"
	lua "github.com/yuin/gopher-lua"
)

// parser turns a command's RESP reply into Lua values as Redis 7.0's
// redisProtocolToLuaType does. A top-level error sets errMsg (without the '-').
type parser struct {
	b      []byte
	i      int
	L      *lua.LState
	errMsg string
	depth  int
}

func (p *parser) line() []byte {
	start := p.i
	for p.i+1 < len(p.b) {
		if p.b[p.i] == '\r' && p.b[p.i+1] == '\n' {
			l := p.b[start:p.i]
			p.i += 2
			return l
		}
		p.i++
	}
	p.i = len(p.b)
	return p.b[start:]
}

func atoi(b []byte) int64 {
	var n int64
	neg := false
	for i, c := range b {
		if i == 0 && c == '-' {
			neg = true
			continue
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		return -n
	}
	return n
}

// smallInts holds the Lua values of the integers 0..len-1 already boxed: an integer reply
// becomes a Lua value without an allocation (as Redis's shared integers).
var smallInts = func() (t [1024]lua.LValue) {
	for i := range t {
		t[i] = lua.LNumber(i)
	}
	return t
}()

// luaInt is n as a Lua number value.
func luaInt(n int64) lua.LValue {
	if uint64(n) < uint64(len(smallInts)) {
		return smallInts[n]
	}
	return lua.LNumber(n)
}

func (p *parser) value() lua.LValue {
	v := p.elem()
	if t, ok := v.(*lua.LTable); ok && p.depth == 0 && len(p.b) > 0 && p.b[0] == '-' {
		p.errMsg = string(t.RawGetString("err").(lua.LString))
	}
	return v
}

func (p *parser) bulk(n int64) []byte {
	if n < 0 || p.i+int(n) > len(p.b) {
		return nil
	}
	s := p.b[p.i : p.i+int(n)]
	p.i += int(n) + 2
	return s
}

func (p *parser) elem() lua.LValue {
	L := p.L
	if p.i >= len(p.b) {
		return lua.LNil
	}
	t := p.b[p.i]
	p.i++
	switch t {
	case '+':
		tb := L.CreateTable(0, 1)
		tb.RawSetString("ok", lua.LString(p.line()))
		return tb
	case '-':
		tb := L.CreateTable(0, 1)
		tb.RawSetString("err", lua.LString(p.line()))
		return tb
	case ':':
		return luaInt(atoi(p.line()))
	case '$':
		n := atoi(p.line())
		if n < 0 {
			return lua.LFalse
		}
		return newLString(p.bulk(n))
	case '*', '~', '%', '>':
		n := atoi(p.line())
		if n < 0 {
			return lua.LFalse
		}
		p.depth++
		defer func() { p.depth-- }()
		switch t {
		case '%':
			m := L.CreateTable(0, int(min(n, 1024)))
			for j := int64(0); j < n; j++ {
				k := p.elem()
				v := p.elem()
				if k != lua.LNil {
					m.RawSet(k, v)
				}
			}
			tb := L.CreateTable(0, 1)
			tb.RawSetString("map", m)
			return tb
		case '~':
			m := L.CreateTable(0, int(min(n, 1024)))
			for j := int64(0); j < n; j++ {
				k := p.elem()
				if k != lua.LNil {
					m.RawSet(k, lua.LTrue)
				}
			}
			tb := L.CreateTable(0, 1)
			tb.RawSetString("set", m)
			return tb
		}
		arr := L.CreateTable(int(min(n, 1024)), 0)
		for j := int64(0); j < n; j++ {
			arr.RawSetInt(int(j+1), p.elem())
		}
		return arr
	case '_':
		p.line()
		return lua.LNil
	case '#':
		l := p.line()
		return lua.LBool(len(l) > 0 && l[0] == 't')
	case ',':
		l := string(p.line())
		var d float64
		switch l {
		case "inf":
			d = inf(1)
		case "-inf":
			d = inf(-1)
		default:
			d, _ = strconv.ParseFloat(l, 64)
		}
		tb := L.CreateTable(0, 1)
		tb.RawSetString("double", lua.LNumber(d))
		return tb
	case '(':
		tb := L.CreateTable(0, 1)
		tb.RawSetString("big_number", lua.LString(p.line()))
		return tb
	case '=':
		n := atoi(p.line())
		s := p.bulk(n)
		tb := L.CreateTable(0, 1)
		in := L.CreateTable(0, 2)
		if len(s) >= 4 {
			in.RawSetString("string", lua.LString(s[4:]))
			in.RawSetString("format", lua.LString(s[:3]))
		} else {
			in.RawSetString("string", lua.LString(s))
			in.RawSetString("format", lua.LString("txt"))
		}
		tb.RawSetString("verbatim_string", in)
		return tb
	case '|':
		n := atoi(p.line())
		for j := int64(0); j < 2*n; j++ {
			p.elem()
		}
		return p.elem()
	}
	p.line()
	return lua.LNil
}

// writeReply converts a Lua value into the reply to the caller (luaReplyToRedisReply).
// scriptProto is the script's own RESP (redis.setresp), which decides booleans.
func writeReply(w *resp.Writer, v lua.LValue, scriptProto int, depth int) {
	switch v := v.(type) {
	case lua.LString:
		w.WriteBulkString(string(v))
	case lua.LBool:
		if scriptProto == 2 {
			if v {
				w.WriteInt(1)
			} else {
				w.WriteNull()
			}
		} else {
			w.WriteBool(bool(v))
		}
	case lua.LNumber:
		w.WriteInt(int64(float64(v)))
	case *lua.LTable:
		if depth > 1000 {
			w.WriteError("ERR reached lua stack limit")
			return
		}
		if e, ok := v.RawGetString("err").(lua.LString); ok {
			w.WriteError(sanitize(string(e)))
			return
		}
		if s, ok := v.RawGetString("ok").(lua.LString); ok {
			w.WriteSimpleString(sanitize(string(s)))
			return
		}
		if d, ok := v.RawGetString("double").(lua.LNumber); ok {
			w.WriteDouble(float64(d))
			return
		}
		if s, ok := v.RawGetString("big_number").(lua.LString); ok {
			w.WriteBigNumber(sanitize(string(s)))
			return
		}
		if vt, ok := v.RawGetString("verbatim_string").(*lua.LTable); ok {
			f, ok1 := vt.RawGetString("format").(lua.LString)
			s, ok2 := vt.RawGetString("string").(lua.LString)
			if ok1 && ok2 {
				w.WriteVerbatim(string(f), []byte(s))
				return
			}
		}
		if m, ok := v.RawGetString("map").(*lua.LTable); ok {
			n := 0
			m.ForEach(func(_, _ lua.LValue) { n++ })
			w.WriteMapLen(n)
			forEach(m, func(k, val lua.LValue) {
				writeReply(w, k, scriptProto, depth+1)
				writeReply(w, val, scriptProto, depth+1)
			})
			return
		}
		if m, ok := v.RawGetString("set").(*lua.LTable); ok {
			n := 0
			m.ForEach(func(_, _ lua.LValue) { n++ })
			w.WriteSetLen(n)
			forEach(m, func(k, _ lua.LValue) {
				writeReply(w, k, scriptProto, depth+1)
			})
			return
		}
		n := 0
		for v.RawGetInt(n+1) != lua.LNil {
			n++
		}
		w.WriteArrayLen(n)
		for j := 1; j <= n; j++ {
			writeReply(w, v.RawGetInt(j), scriptProto, depth+1)
		}
	default:
		w.WriteNull()
	}
}

// sanitize replaces CR and LF with spaces, as Redis does for status and error replies.
func sanitize(s string) string {
	if strings.IndexAny(s, "\r\n") < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' {
			return ' '
		}
		return r
	}, s)
}

func inf(sign int) float64 { return math.Inf(sign) }

// forEach visits a table's pairs in the order pairs() and next() give (gopher-lua keeps
// insertion order there; LTable.ForEach walks Go maps in random order), so replies built
// from tables are the same on every run.
func forEach(t *lua.LTable, fn func(k, v lua.LValue)) {
	k, v := t.Next(lua.LNil)
	for k != lua.LNil {
		fn(k, v)
		k, v = t.Next(k)
	}
}
