package tscript

import (
	"strconv"

	lua "github.com/yuin/gopher-lua"
)

// openBit is LuaBitOp 1.0.2 as Redis bundles it: 32-bit operations on numbers, results
// as signed 32-bit integers.
func openBit(L *lua.LState) *lua.LTable {
	t := L.NewTable()
	tobit := func(L *lua.LState, i int) int32 {
		n := float64(L.CheckNumber(i))
		// LuaBitOp's conversion: add 2^52+2^51 and take the low 32 bits.
		return int32(int64(n + 6755399441055744.0))
	}
	un := func(f func(int32) int32) lua.LGFunction {
		return func(L *lua.LState) int {
			L.Push(lua.LNumber(f(tobit(L, 1))))
			return 1
		}
	}
	nary := func(f func(a, b int32) int32) lua.LGFunction {
		return func(L *lua.LState) int {
			r := tobit(L, 1)
			for i := 2; i <= L.GetTop(); i++ {
				r = f(r, tobit(L, i))
			}
			L.Push(lua.LNumber(r))
			return 1
		}
	}
	shift := func(f func(a int32, n uint) int32) lua.LGFunction {
		return func(L *lua.LState) int {
			a := tobit(L, 1)
			n := uint(tobit(L, 2)) & 31
			L.Push(lua.LNumber(f(a, n)))
			return 1
		}
	}
	fns := map[string]lua.LGFunction{
		"tobit": un(func(a int32) int32 { return a }),
		"bnot":  un(func(a int32) int32 { return ^a }),
		"bswap": un(func(a int32) int32 {
			u := uint32(a)
			return int32(u>>24 | (u>>8)&0xff00 | (u&0xff00)<<8 | u<<24)
		}),
		"band":    nary(func(a, b int32) int32 { return a & b }),
		"bor":     nary(func(a, b int32) int32 { return a | b }),
		"bxor":    nary(func(a, b int32) int32 { return a ^ b }),
		"lshift":  shift(func(a int32, n uint) int32 { return int32(uint32(a) << n) }),
		"rshift":  shift(func(a int32, n uint) int32 { return int32(uint32(a) >> n) }),
		"arshift": shift(func(a int32, n uint) int32 { return a >> n }),
		"rol":     shift(func(a int32, n uint) int32 { u := uint32(a); return int32(u<<n | u>>(32-n)) }),
		"ror":     shift(func(a int32, n uint) int32 { u := uint32(a); return int32(u>>n | u<<(32-n)) }),
		"tohex": func(L *lua.LState) int {
			b := tobit(L, 1)
			n := int32(8)
			if L.GetTop() >= 2 && L.Get(2) != lua.LNil {
				n = tobit(L, 2)
			}
			upper := false
			if n < 0 {
				n = -n
				upper = true
			}
			if n > 8 {
				n = 8
			}
			digits := "0123456789abcdef"
			if upper {
				digits = "0123456789ABCDEF"
			}
			buf := make([]byte, n)
			u := uint32(b)
			for i := int(n) - 1; i >= 0; i-- {
				buf[i] = digits[u&15]
				u >>= 4
			}
			L.Push(lua.LString(buf))
			return 1
		},
	}
	for k, f := range fns {
		t.RawSetString(k, L.NewFunction(f))
	}
	_ = strconv.Itoa
	return t
}
