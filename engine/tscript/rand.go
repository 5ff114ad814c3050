package tscript

import (
	"math"

	lua "github.com/yuin/gopher-lua"
)

// lrand48 is Redis's rand.c: the 48-bit linear congruential generator of lrand48, which
// Redis's Lua uses for math.random so scripts are deterministic. Its state starts at the
// classic lrand48 seed and is shared by every script (and function) until math.randomseed.
type lrand48 struct{ x [3]uint16 }

func (r *lrand48) state() uint64 {
	return uint64(r.x[0]) | uint64(r.x[1])<<16 | uint64(r.x[2])<<32
}

func (r *lrand48) set(v uint64) {
	r.x[0], r.x[1], r.x[2] = uint16(v), uint16(v>>16), uint16(v>>32)
}

// seed is redisSrand48.
func (r *lrand48) seed(v int32) {
	r.x = [3]uint16{0x330E, uint16(uint32(v)), uint16(uint32(v) >> 16)}
}

// next is redisLrand48: a 31-bit value.
func (r *lrand48) next() int32 {
	x := (0x5DEECE66D*r.state() + 0xB) & (1<<48 - 1)
	r.set(x)
	return int32(x >> 17)
}

// mathRandom is Redis's patched math.random.
func (s *Scripting) mathRandom(L *lua.LState) int {
	r := float64(s.rand.next()%math.MaxInt32) / float64(math.MaxInt32)
	switch L.GetTop() {
	case 0:
		L.Push(lua.LNumber(r))
	case 1:
		u := int(int32(L.CheckNumber(1)))
		if u < 1 {
			L.ArgError(1, "interval is empty")
		}
		L.Push(lua.LNumber(math.Floor(r*float64(u)) + 1))
	case 2:
		l := int(int32(L.CheckNumber(1)))
		u := int(int32(L.CheckNumber(2)))
		if l > u {
			L.ArgError(2, "interval is empty")
		}
		L.Push(lua.LNumber(math.Floor(r*float64(u-l+1)) + float64(l)))
	default:
		L.RaiseError("wrong number of arguments")
	}
	return 1
}

func (s *Scripting) mathRandomseed(L *lua.LState) int {
	s.rand.seed(int32(L.CheckNumber(1)))
	return 0
}
