package tscript

import (
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	lua "github.com/yuin/gopher-lua"
)

func TestNewLString(t *testing.T) {
	for _, s := range []string{"", "a", "\x00", "\xff", "ab", "key:123456", strings.Repeat("x", 1000)} {
		v := newLString([]byte(s))
		ls, ok := v.(lua.LString)
		require.True(t, ok, "%q", s)
		require.Equal(t, s, string(ls))
		require.Equal(t, lua.LTString, v.Type())
		require.Equal(t, lua.LValue(lua.LString(s)), v)
		require.Equal(t, s, lua.LVAsString(v))
	}
	// Many of them through collections, kept only by the interface or by the string.
	vals := make([]lua.LValue, 2000)
	strs := make([]string, 2000)
	for i := range vals {
		b := []byte("value:" + strconv.Itoa(i))
		vals[i] = newLString(b)
		strs[i] = string(newLString(b).(lua.LString))
		for j := range b {
			b[j] = 0 // the copy is its own
		}
		if i%100 == 0 {
			runtime.GC()
		}
	}
	runtime.GC()
	for i := range vals {
		want := "value:" + strconv.Itoa(i)
		require.Equal(t, lua.LString(want), vals[i])
		require.Equal(t, want, strs[i])
	}
}

func BenchmarkNewLString(b *testing.B) {
	key := []byte("bench:counter:000012345")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		lstringSink = newLString(key)
	}
}

var lstringSink lua.LValue

func BenchmarkLStringBoxed(b *testing.B) {
	key := []byte("bench:counter:000012345")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		lstringSink = lua.LString(key)
	}
}
