package tscript

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
	lua "github.com/yuin/gopher-lua"
)

func TestRetainsNothing(t *testing.T) {
	cases := []struct {
		src  string
		want bool
	}{
		{"redis.call('INCR',KEYS[1]) redis.call('GET',KEYS[1]) return redis.call('EXPIRE',KEYS[1],100)", true},
		{"return {KEYS[1], ARGV[1], cjson.encode(KEYS), #KEYS}", true},
		{"local t = {} t[1] = KEYS return t[1][1]", true},
		{"rawset(_G, 'x', KEYS)", false},
		{"_G.redis = KEYS", false},
		{"table.insert(redis, KEYS)", false},
		{"getmetatable('').x = KEYS", false},
		{"setmetatable(KEYS, {})", false},
		{"local f = loadstring('return 1') return f()", false},
		{"return coroutine.running()", false},
		// In a nested function too.
		{"local function f() rawset(redis, 1, KEYS) end f()", false},
		{"local function f() return function() return table end end return 1", false},
	}
	L := lua.NewState()
	defer L.Close()
	for _, c := range cases {
		fn, err := L.Load(bytes.NewReader([]byte(c.src)), "t")
		require.NoError(t, err, c.src)
		require.Equal(t, c.want, retainsNothing(fn.Proto), c.src)
	}
}

func TestPristine(t *testing.T) {
	require.True(t, ltableLayout.ok, "gopher-lua's LTable layout changed: KEYS/ARGV are never reused")
	L := lua.NewState()
	defer L.Close()
	vals := [][]byte{[]byte("a"), []byte("b")}
	tb, reused := argTable(L, nil, vals)
	require.False(t, reused)
	require.True(t, pristine(tb, 2))
	require.False(t, pristine(tb, 1))
	tb2, reused := argTable(L, tb, [][]byte{[]byte("c"), []byte("d")})
	require.True(t, reused)
	require.Same(t, tb, tb2)
	require.Equal(t, lua.LString("c"), tb.RawGetInt(1))
	require.Equal(t, lua.LString("d"), tb.RawGetInt(2))

	dirty := []func(t *lua.LTable){
		func(t *lua.LTable) { t.RawSetInt(3, lua.LString("x")) },
		func(t *lua.LTable) { t.RawSetString("x", lua.LTrue) },
		func(t *lua.LTable) { t.RawSetString("x", lua.LTrue); t.RawSetString("x", lua.LNil) },
		func(t *lua.LTable) { t.RawSetH(lua.LNumber(100), lua.LTrue) },
		func(t *lua.LTable) { t.RawSetH(lua.LTrue, lua.LTrue) },
		func(t *lua.LTable) { L.SetMetatable(t, L.NewTable()) },
	}
	for i, d := range dirty {
		tb, _ := argTable(L, nil, vals)
		d(tb)
		require.False(t, pristine(tb, 2), "case %d", i)
		tb2, reused := argTable(L, tb, vals)
		require.False(t, reused, "case %d", i)
		require.NotSame(t, tb, tb2)
	}
	empty, _ := argTable(L, nil, nil)
	require.True(t, pristine(empty, 0))
	empty.RawSetInt(1, lua.LNil)
	require.False(t, pristine(empty, 0))
}

func TestSetsGlobals(t *testing.T) {
	cases := []struct {
		src  string
		want bool
	}{
		{"redis.call('INCR',KEYS[1]) return redis.call('GET',KEYS[1])", false},
		{"local x = 1 x = 2 local t = {} t.a = 1 return x", false},
		{"x = 1", true},
		{"function f() end", true},
		{"local function f() y = 2 end", true},
		{"local function f() return function() z = 3 end end", true},
	}
	L := lua.NewState()
	defer L.Close()
	for _, c := range cases {
		fn, err := L.Load(bytes.NewReader([]byte(c.src)), "t")
		require.NoError(t, err, c.src)
		require.Equal(t, c.want, setsGlobals(fn.Proto), c.src)
	}
}
