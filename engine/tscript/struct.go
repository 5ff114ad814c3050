package tscript

import (
	"math"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// openStruct is Roberto Ierusalimschy's struct library (0.2) as Redis bundles it.
func openStruct(L *lua.LState) *lua.LTable {
	t := L.NewTable()
	t.RawSetString("pack", L.NewFunction(structPack))
	t.RawSetString("unpack", L.NewFunction(structUnpack))
	t.RawSetString("size", L.NewFunction(structSize))
	return t
}

const structMaxIntSize = 32

type structHeader struct {
	little bool
	align  int
}

type structFmt struct {
	s string
	i int
}

func (f *structFmt) num(L *lua.LState, def int) int {
	if f.i >= len(f.s) || f.s[f.i] < '0' || f.s[f.i] > '9' {
		return def
	}
	a := 0
	for f.i < len(f.s) && f.s[f.i] >= '0' && f.s[f.i] <= '9' {
		if a > (math.MaxInt32-9)/10 {
			L.RaiseError("integral size overflow")
		}
		a = a*10 + int(f.s[f.i]-'0')
		f.i++
	}
	return a
}

// optsize returns the size of option opt (reading its count).
func (f *structFmt) optsize(L *lua.LState, opt byte) int {
	switch opt {
	case 'B', 'b':
		return 1
	case 'H', 'h':
		return 2
	case 'L', 'l', 'T':
		return 8
	case 'f':
		return 4
	case 'd':
		return 8
	case 'x':
		return 1
	case 'c':
		return f.num(L, 1)
	case 'i', 'I':
		sz := f.num(L, 4)
		if sz > structMaxIntSize {
			L.RaiseError("integral size %d is larger than limit of %d", sz, structMaxIntSize)
		}
		return sz
	}
	return 0
}

func gettoalign(len, align, size int) int {
	if size == 0 || align == 1 {
		return 0
	}
	if size > align {
		size = align
	}
	return (size - (len & (size - 1))) & (size - 1)
}

func (f *structFmt) controloptions(L *lua.LState, opt byte, h *structHeader) {
	switch opt {
	case ' ':
	case '>':
		h.little = false
	case '<':
		h.little = true
	case '!':
		a := f.num(L, 8)
		if a&(a-1) != 0 {
			L.ArgError(1, "alignment "+itoa(a)+" is not a power of 2")
		}
		h.align = a
	default:
		L.ArgError(1, "invalid format option '"+string(opt)+"'")
	}
}

func itoa(n int) string { return string(appendInt(nil, int64(n))) }

func putInt(b []byte, v uint64, little bool, size int) []byte {
	buf := make([]byte, size)
	for i := 0; i < size; i++ {
		var byt byte
		if i < 8 {
			byt = byte(v >> (8 * i))
		} else if int64(v) < 0 {
			byt = 0xff
		}
		if little {
			buf[i] = byt
		} else {
			buf[size-1-i] = byt
		}
	}
	return append(b, buf...)
}

func structPack(L *lua.LState) int {
	f := &structFmt{s: L.CheckString(1)}
	h := structHeader{little: true, align: 1}
	arg := 2
	var b []byte
	for f.i < len(f.s) {
		opt := f.s[f.i]
		f.i++
		size := f.optsize(L, opt)
		toalign := gettoalign(len(b), h.align, size)
		for ; toalign > 0; toalign-- {
			b = append(b, 0)
		}
		switch opt {
		case 'b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I':
			n := float64(L.CheckNumber(arg))
			arg++
			var v uint64
			if n < 0 {
				v = uint64(int64(n))
			} else {
				v = uint64(n)
			}
			b = putInt(b, v, h.little, size)
		case 'x':
			b = append(b, 0)
		case 'f':
			n := float32(L.CheckNumber(arg))
			arg++
			b = putInt(b, uint64(math.Float32bits(n)), h.little, 4)
		case 'd':
			n := float64(L.CheckNumber(arg))
			arg++
			b = putInt(b, math.Float64bits(n), h.little, 8)
		case 'c', 's':
			s := L.CheckString(arg)
			arg++
			l := len(s)
			if size == 0 {
				size = l
			}
			if l < size {
				L.ArgError(arg-1, "string too short")
			}
			b = append(b, s[:size]...)
			if opt == 's' {
				b = append(b, 0)
				size++
			}
		default:
			f.controloptions(L, opt, &h)
		}
	}
	L.Push(lua.LString(b))
	return 1
}

func getInt(s string, little, issigned bool, size int) float64 {
	var v uint64
	for i := 0; i < size; i++ {
		var byt byte
		if little {
			byt = s[size-1-i]
		} else {
			byt = s[i]
		}
		v = v<<8 | uint64(byt)
	}
	if issigned && size < 8 {
		mask := uint64(1) << (size*8 - 1)
		v = (v ^ mask) - mask
		return float64(int64(v))
	}
	if issigned {
		return float64(int64(v))
	}
	return float64(v)
}

func structUnpack(L *lua.LState) int {
	f := &structFmt{s: L.CheckString(1)}
	data := L.CheckString(2)
	ld := len(data)
	pos := L.OptInt(3, 1) - 1
	if pos < 0 || pos > ld {
		L.ArgError(3, "offset must be 1 or greater")
	}
	h := structHeader{little: true, align: 1}
	n := 0
	for f.i < len(f.s) {
		opt := f.s[f.i]
		f.i++
		size := f.optsize(L, opt)
		pos += gettoalign(pos, h.align, size)
		if size > ld-pos && opt != 'c' && opt != 's' {
			L.ArgError(2, "data string too short")
		}
		switch opt {
		case 'b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I':
			signed := opt >= 'a' && opt <= 'z'
			if size > 8 {
				L.Push(lua.LNumber(getInt(data[pos:pos+8], h.little, signed, 8)))
			} else {
				L.Push(lua.LNumber(getInt(data[pos:pos+size], h.little, signed, size)))
			}
			n++
		case 'x':
		case 'f':
			L.Push(lua.LNumber(math.Float32frombits(uint32(getInt(data[pos:pos+4], h.little, false, 4)))))
			n++
		case 'd':
			var v uint64
			for i := 0; i < 8; i++ {
				var byt byte
				if h.little {
					byt = data[pos+7-i]
				} else {
					byt = data[pos+i]
				}
				v = v<<8 | uint64(byt)
			}
			L.Push(lua.LNumber(math.Float64frombits(v)))
			n++
		case 'c':
			if size == 0 {
				if n == 0 || L.Get(-1).Type() != lua.LTNumber {
					L.RaiseError("format 'c0' needs a previous size")
				}
				size = int(L.ToNumber(-1))
				L.Pop(1)
				n--
				if size > ld-pos {
					L.ArgError(2, "data string too short")
				}
			}
			if size > ld-pos {
				L.ArgError(2, "data string too short")
			}
			L.Push(lua.LString(data[pos : pos+size]))
			n++
		case 's':
			e := strings.IndexByte(data[pos:], 0)
			if e < 0 {
				L.RaiseError("unfinished string in data")
			}
			L.Push(lua.LString(data[pos : pos+e]))
			n++
			size = e + 1
		default:
			f.controloptions(L, opt, &h)
		}
		pos += size
	}
	L.Push(lua.LNumber(pos + 1))
	return n + 1
}

func structSize(L *lua.LState) int {
	f := &structFmt{s: L.CheckString(1)}
	h := structHeader{little: true, align: 1}
	pos := 0
	for f.i < len(f.s) {
		opt := f.s[f.i]
		f.i++
		size := f.optsize(L, opt)
		pos += gettoalign(pos, h.align, size)
		if opt == 's' {
			L.ArgError(1, "options 's' has no fixed size")
		} else if opt == 'c' && size == 0 {
			L.ArgError(1, "options 'c0' has no fixed size")
		}
		if !strings.ContainsRune("bBhHlLTiIxfdc", rune(opt)) {
			f.controloptions(L, opt, &h)
		}
		pos += size
	}
	L.Push(lua.LNumber(pos))
	return 1
}
