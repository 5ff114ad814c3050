package tscript

import (
	"encoding/binary"
	"math"

	lua "github.com/yuin/gopher-lua"
)

const cmsgpackMaxNesting = 16

// openCmsgpack is lua-cmsgpack 0.4.0 as Redis bundles it.
func openCmsgpack(L *lua.LState) *lua.LTable {
	t := L.NewTable()
	t.RawSetString("pack", L.NewFunction(mpPack))
	t.RawSetString("unpack", L.NewFunction(func(L *lua.LState) int { return mpUnpackFull(L, 0, 0) }))
	t.RawSetString("unpack_one", L.NewFunction(func(L *lua.LState) int {
		off := L.OptInt(2, 0)
		return mpUnpackFull(L, 1, off)
	}))
	t.RawSetString("unpack_limit", L.NewFunction(func(L *lua.LState) int {
		limit := L.OptInt(2, 0)
		off := L.OptInt(3, 0)
		return mpUnpackFull(L, limit, off)
	}))
	t.RawSetString("_NAME", lua.LString("cmsgpack"))
	t.RawSetString("_VERSION", lua.LString("lua-cmsgpack 0.4.0"))
	t.RawSetString("_COPYRIGHT", lua.LString("Copyright (C) 2012, Salvatore Sanfilippo"))
	t.RawSetString("_DESCRIPTION", lua.LString("MessagePack C implementation for Lua"))
	return t
}

func mpPack(L *lua.LState) int {
	n := L.GetTop()
	if n == 0 {
		L.ArgError(0, "MessagePack pack needs input.")
	}
	var buf []byte
	for i := 1; i <= n; i++ {
		buf = mpEncode(buf, L.Get(i), 0)
	}
	L.Push(lua.LString(buf))
	return 1
}

func mpEncodeBytes(b []byte, s string) []byte {
	l := len(s)
	switch {
	case l < 32:
		b = append(b, 0xa0|byte(l))
	case l <= 0xff:
		b = append(b, 0xd9, byte(l))
	case l <= 0xffff:
		b = append(b, 0xda, byte(l>>8), byte(l))
	default:
		b = append(b, 0xdb)
		b = binary.BigEndian.AppendUint32(b, uint32(l))
	}
	return append(b, s...)
}

func mpEncodeInt(b []byte, n int64) []byte {
	if n >= 0 {
		switch {
		case n <= 127:
			return append(b, byte(n))
		case n <= 0xff:
			return append(b, 0xcc, byte(n))
		case n <= 0xffff:
			return append(b, 0xcd, byte(n>>8), byte(n))
		case n <= 0xffffffff:
			b = append(b, 0xce)
			return binary.BigEndian.AppendUint32(b, uint32(n))
		}
		b = append(b, 0xcf)
		return binary.BigEndian.AppendUint64(b, uint64(n))
	}
	switch {
	case n >= -32:
		return append(b, byte(int8(n)))
	case n >= -128:
		return append(b, 0xd0, byte(n))
	case n >= -32768:
		return append(b, 0xd1, byte(n>>8), byte(n))
	case n >= -2147483648:
		b = append(b, 0xd2)
		return binary.BigEndian.AppendUint32(b, uint32(n))
	}
	b = append(b, 0xd3)
	return binary.BigEndian.AppendUint64(b, uint64(n))
}

func mpEncodeArrayLen(b []byte, n int) []byte {
	switch {
	case n <= 15:
		return append(b, 0x90|byte(n))
	case n <= 0xffff:
		return append(b, 0xdc, byte(n>>8), byte(n))
	}
	b = append(b, 0xdd)
	return binary.BigEndian.AppendUint32(b, uint32(n))
}

func mpEncodeMapLen(b []byte, n int) []byte {
	switch {
	case n <= 15:
		return append(b, 0x80|byte(n))
	case n <= 0xffff:
		return append(b, 0xde, byte(n>>8), byte(n))
	}
	b = append(b, 0xdf)
	return binary.BigEndian.AppendUint32(b, uint32(n))
}

// mpIsArray is table_is_an_array: only positive integer keys, 1..n without holes.
func mpIsArray(t *lua.LTable) (int, bool) {
	count, max := 0, 0
	ok := true
	t.ForEach(func(k, _ lua.LValue) {
		if !ok {
			return
		}
		kn, isNum := k.(lua.LNumber)
		f := float64(kn)
		if !isNum || f < 0 || f != math.Floor(f) {
			ok = false
			return
		}
		count++
		if int(f) > max {
			max = int(f)
		}
	})
	if !ok {
		return 0, false
	}
	return max, max == count
}

func mpEncode(b []byte, v lua.LValue, level int) []byte {
	switch v := v.(type) {
	case lua.LString:
		return mpEncodeBytes(b, string(v))
	case lua.LBool:
		if v {
			return append(b, 0xc3)
		}
		return append(b, 0xc2)
	case lua.LNumber:
		f := float64(v)
		if f == math.Trunc(f) && f >= -9.2233720368547758e18 && f < 9.2233720368547758e18 && !math.IsInf(f, 0) {
			return mpEncodeInt(b, int64(f))
		}
		if float64(float32(f)) == f {
			b = append(b, 0xca)
			return binary.BigEndian.AppendUint32(b, math.Float32bits(float32(f)))
		}
		b = append(b, 0xcb)
		return binary.BigEndian.AppendUint64(b, math.Float64bits(f))
	case *lua.LTable:
		if level == cmsgpackMaxNesting {
			return append(b, 0xc0)
		}
		if n, ok := mpIsArray(v); ok {
			b = mpEncodeArrayLen(b, n)
			for i := 1; i <= n; i++ {
				b = mpEncode(b, v.RawGetInt(i), level+1)
			}
			return b
		}
		n := 0
		v.ForEach(func(_, _ lua.LValue) { n++ })
		b = mpEncodeMapLen(b, n)
		forEach(v, func(k, val lua.LValue) {
			b = mpEncode(b, k, level+1)
			b = mpEncode(b, val, level+1)
		})
		return b
	}
	return append(b, 0xc0)
}

type mpDecoder struct {
	s   string
	i   int
	err bool
	L   *lua.LState
}

func (d *mpDecoder) need(n int) bool {
	if d.i+n > len(d.s) {
		d.err = true
		return false
	}
	return true
}

func (d *mpDecoder) u8() uint64 {
	if !d.need(1) {
		return 0
	}
	v := d.s[d.i]
	d.i++
	return uint64(v)
}

func (d *mpDecoder) be(n int) uint64 {
	if !d.need(n) {
		return 0
	}
	var v uint64
	for j := 0; j < n; j++ {
		v = v<<8 | uint64(d.s[d.i+j])
	}
	d.i += n
	return v
}

func (d *mpDecoder) str(n int) lua.LValue {
	if n < 0 || !d.need(n) {
		d.err = true
		return lua.LNil
	}
	s := d.s[d.i : d.i+n]
	d.i += n
	return lua.LString(s)
}

func (d *mpDecoder) array(n int) lua.LValue {
	t := d.L.CreateTable(min(n, 1024), 0)
	for j := 1; j <= n && !d.err; j++ {
		t.RawSetInt(j, d.value())
	}
	return t
}

func (d *mpDecoder) mapv(n int) lua.LValue {
	t := d.L.NewTable()
	for j := 0; j < n && !d.err; j++ {
		k := d.value()
		v := d.value()
		if k != lua.LNil {
			t.RawSet(k, v)
		}
	}
	return t
}

func (d *mpDecoder) value() lua.LValue {
	c := d.u8()
	if d.err {
		return lua.LNil
	}
	switch {
	case c <= 0x7f:
		return lua.LNumber(c)
	case c >= 0xe0:
		return lua.LNumber(int8(c))
	case c&0xe0 == 0xa0:
		return d.str(int(c & 0x1f))
	case c&0xf0 == 0x90:
		return d.array(int(c & 0x0f))
	case c&0xf0 == 0x80:
		return d.mapv(int(c & 0x0f))
	}
	switch c {
	case 0xc0:
		return lua.LNil
	case 0xc2:
		return lua.LFalse
	case 0xc3:
		return lua.LTrue
	case 0xcc:
		return lua.LNumber(d.be(1))
	case 0xcd:
		return lua.LNumber(d.be(2))
	case 0xce:
		return lua.LNumber(d.be(4))
	case 0xcf:
		return lua.LNumber(float64(d.be(8)))
	case 0xd0:
		return lua.LNumber(int8(d.be(1)))
	case 0xd1:
		return lua.LNumber(int16(d.be(2)))
	case 0xd2:
		return lua.LNumber(int32(d.be(4)))
	case 0xd3:
		return lua.LNumber(float64(int64(d.be(8))))
	case 0xca:
		return lua.LNumber(math.Float32frombits(uint32(d.be(4))))
	case 0xcb:
		return lua.LNumber(math.Float64frombits(d.be(8)))
	case 0xd9, 0xc4:
		return d.str(int(d.be(1)))
	case 0xda, 0xc5:
		return d.str(int(d.be(2)))
	case 0xdb, 0xc6:
		return d.str(int(d.be(4)))
	case 0xdc:
		return d.array(int(d.be(2)))
	case 0xdd:
		return d.array(int(d.be(4)))
	case 0xde:
		return d.mapv(int(d.be(2)))
	case 0xdf:
		return d.mapv(int(d.be(4)))
	}
	d.err = true
	return lua.LNil
}

// mpUnpackFull is mp_unpack_full: decode up to limit objects (0: all) from offset; with a
// limit it returns the next offset (-1 at the end) first.
func mpUnpackFull(L *lua.LState, limit, offset int) int {
	s := L.CheckString(1)
	if offset < 0 || limit < 0 {
		L.RaiseError("Invalid request to unpack with offset of %d and limit of %d.", offset, limit)
	} else if offset > len(s) {
		L.RaiseError("Start offset %d greater than input length %d.", offset, len(s))
	}
	d := &mpDecoder{s: s, i: offset, L: L}
	var vals []lua.LValue
	for d.i < len(s) && (limit == 0 || len(vals) < limit) {
		v := d.value()
		if d.err {
			L.RaiseError("Missing bytes in input.")
		}
		vals = append(vals, v)
	}
	if limit > 0 {
		next := d.i
		if next >= len(s) {
			next = -1
		}
		L.Push(lua.LNumber(next))
		for _, v := range vals {
			L.Push(v)
		}
		return len(vals) + 1
	}
	for _, v := range vals {
		L.Push(v)
	}
	return len(vals)
}
