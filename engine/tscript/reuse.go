package tscript

import (
	"reflect"
	"unsafe"

	lua "github.com/yuin/gopher-lua"
)

// EVAL's KEYS and ARGV tables are reused from one run of a script to the next when that
// cannot be told apart from fresh tables (Redis builds new ones every run; two tables per
// EVALSHA were most of the bytes scripting allocated). It takes both of:
//
//   - the script cannot keep a reference past its run. In Redis 7.0 the globals and the
//     library tables are read-only, so nothing a script creates survives it; here the
//     sandbox has raw ways around the proxies (rawset, table.insert on a library proxy,
//     _G's existing keys, metatables), so a script that names any of them, or anything
//     that compiles code, gets fresh tables as before (retainsNothing). Function
//     libraries can keep state in upvalues: FCALL always gets fresh tables.
//   - the table is exactly as built: no metatable, no hash part ever used, the same
//     number of array slots (pristine). Its slots are then all overwritten.
//
// While a reused table is cached (luaEnv.keys/argv), the globals KEYS and ARGV hold it:
// only a script that names _G could change them, and such a script drops the cache.

// unsafeNames are the globals through which a script could store a value somewhere that
// outlives its run, or build code that could (conservatively, coroutine too).
var unsafeNames = map[string]bool{
	"_G": true, "rawset": true, "setmetatable": true, "getmetatable": true, "table": true,
	"loadstring": true, "load": true, "dofile": true, "loadfile": true, "require": true,
	"module": true, "setfenv": true, "getfenv": true, "debug": true, "package": true,
	"newproxy": true, "coroutine": true,
}

// retainsNothing reports whether no function of the compiled chunk mentions any of
// unsafeNames: every global a Lua 5.1 function reads is one of its string constants, so
// a chunk without those strings cannot reach a raw write into a table that outlives the
// run. String literals count too (conservative).
func retainsNothing(p *lua.FunctionProto) bool {
	for _, c := range p.Constants {
		if s, ok := c.(lua.LString); ok && unsafeNames[string(s)] {
			return false
		}
	}
	for _, sub := range p.FunctionPrototypes {
		if !retainsNothing(sub) {
			return false
		}
	}
	return true
}

// setsGlobals reports whether any function of the chunk may assign a global (has a
// SETGLOBAL instruction; a word that only looks like one counts too). A chunk that
// retainsNothing and never assigns a global cannot tell the write-protected proxy of the
// globals from the globals table itself: compile gives it the real table as its
// environment, which saves a metatable hop on every global read (reads of a missing
// global still end in the same error, from the globals' own metatable).
func setsGlobals(p *lua.FunctionProto) bool {
	for _, inst := range p.Code {
		if int(inst>>26) == lua.OP_SETGLOBAL {
			return true
		}
	}
	for _, sub := range p.FunctionPrototypes {
		if setsGlobals(sub) {
			return true
		}
	}
	return false
}

// ltableLayout locates LTable's unexported fields, so that pristine can read them. When
// gopher-lua's layout is not the expected one, tables are never reused.
var ltableLayout = func() (l struct {
	ok                         bool
	array, dict, strdict, keys uintptr
}) {
	t := reflect.TypeOf(lua.LTable{})
	field := func(name string, want reflect.Type) (uintptr, bool) {
		f, ok := t.FieldByName(name)
		if !ok || f.Type != want {
			return 0, false
		}
		return f.Offset, true
	}
	var ok [4]bool
	l.array, ok[0] = field("array", reflect.TypeOf([]lua.LValue(nil)))
	l.dict, ok[1] = field("dict", reflect.TypeOf(map[lua.LValue]lua.LValue(nil)))
	l.strdict, ok[2] = field("strdict", reflect.TypeOf(map[string]lua.LValue(nil)))
	l.keys, ok[3] = field("keys", reflect.TypeOf([]lua.LValue(nil)))
	l.ok = ok[0] && ok[1] && ok[2] && ok[3]
	return l
}()

// pristine reports whether t is as newArgTable built it for n values: no metatable, no
// hash part (not even emptied again), exactly n array slots.
func pristine(t *lua.LTable, n int) bool {
	l := &ltableLayout
	if !l.ok || t.Metatable != lua.LNil {
		return false
	}
	p := unsafe.Pointer(t)
	return len(*(*[]lua.LValue)(unsafe.Add(p, l.array))) == n &&
		*(*map[lua.LValue]lua.LValue)(unsafe.Add(p, l.dict)) == nil &&
		*(*map[string]lua.LValue)(unsafe.Add(p, l.strdict)) == nil &&
		*(*[]lua.LValue)(unsafe.Add(p, l.keys)) == nil
}

// argTable returns the KEYS or ARGV table for vals: cached (the previous run's, when it
// may be reused; its slots are overwritten) or new.
func argTable(L *lua.LState, cached *lua.LTable, vals [][]byte) (t *lua.LTable, reused bool) {
	if cached != nil && pristine(cached, len(vals)) {
		for i, v := range vals {
			cached.RawSetInt(i+1, newLString(v))
		}
		return cached, true
	}
	t = L.CreateTable(len(vals), 0)
	for i, v := range vals {
		t.RawSetInt(i+1, newLString(v))
	}
	return t, false
}
