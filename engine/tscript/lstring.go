package tscript

import (
	"unsafe"

	lua "github.com/yuin/gopher-lua"
)

// Lua strings made from bytes (KEYS, ARGV, the bulk replies of redis.call) are the
// scripting path's most frequent allocation. lua.LValue(lua.LString(string(b))) costs two:
// the string's bytes and the 16-byte cell the interface points at. newLString makes one
// block holding both, the string header first and its bytes after it, and points the
// interface at the header; strings of 0 or 1 byte come from a table built once.
//
// The block is allocated as bytes (the collector does not scan it): the only pointer in
// it, the header's, points into the block itself, which stays alive as long as anything
// points into it (the interface's data word, or the string once copied out).

// lstringHdr is the size of a string header: where the bytes start in a block.
const lstringHdr = int(unsafe.Sizeof(""))

// lstringItab is the type word of an lua.LValue holding an lua.LString.
var lstringItab = func() unsafe.Pointer {
	var v lua.LValue = lua.LString("x")
	return (*[2]unsafe.Pointer)(unsafe.Pointer(&v))[0]
}()

// shortLStrings holds "" and the 256 one-byte strings as Lua values.
var shortLStrings = func() (t [257]lua.LValue) {
	t[0] = lua.LString("")
	for i := 0; i < 256; i++ {
		t[i+1] = lua.LString(string([]byte{byte(i)}))
	}
	return t
}()

// newLString is lua.LString(b) as a Lua value, with at most one allocation.
func newLString(b []byte) lua.LValue {
	if len(b) <= 1 {
		if len(b) == 0 {
			return shortLStrings[0]
		}
		return shortLStrings[int(b[0])+1]
	}
	blk := make([]byte, lstringHdr+len(b))
	copy(blk[lstringHdr:], b)
	*(*string)(unsafe.Pointer(&blk[0])) = unsafe.String(&blk[lstringHdr], len(b))
	var v lua.LValue
	w := (*[2]unsafe.Pointer)(unsafe.Pointer(&v))
	w[0] = lstringItab
	w[1] = unsafe.Pointer(&blk[0])
	return v
}
