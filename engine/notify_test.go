package engine

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestNotifyFlagsRoundTrip(t *testing.T) {
	for _, tc := range []struct{ in, out string }{
		// What redis-server 7.0.15's CONFIG GET answers after CONFIG SET of each.
		{"", ""}, {"KEA", "AKE"}, {"Ag", "A"}, {"gKE", "gKE"}, {"E$", "$E"},
		{"KEAmn", "AKEm"}, {"nm", "nm"}, {"g$lshzxetd", "A"}, {"xeK", "xeK"},
		{"t", "t"}, {"d", "d"}, {"AAA", "A"}, {"ndtg$", "g$tdn"}, {"nKEm", "nKEm"},
		{"KEAn", "AKE"}, {"mnKE$", "$nKEm"}, {"e$n", "$en"},
	} {
		f, ok := ParseNotifyFlags(tc.in)
		assert.True(t, ok, tc.in)
		assert.Equal(t, tc.out, FormatNotifyFlags(f), tc.in)
	}
	for _, bad := range []string{"Q", "KE A", "k", "a"} {
		_, ok := ParseNotifyFlags(bad)
		assert.False(t, ok, bad)
	}
}

// FuzzNotifyFlags: whatever parses formats back to a string that parses to the same
// classes (but 'n', which the string leaves out after 'A', as Redis does).
func FuzzNotifyFlags(f *testing.F) {
	for _, s := range []string{"KEA", "Kg$", "AKEmn", "Ex", "", "Q"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		flags, ok := ParseNotifyFlags(s)
		if !ok {
			return
		}
		again, ok := ParseNotifyFlags(FormatNotifyFlags(flags))
		want := flags
		if flags&NotifyAll == NotifyAll {
			want &^= NotifyNew
		}
		if !ok || again != want {
			t.Fatalf("%q: %b formats to %q, parsed back as %b", s, flags, FormatNotifyFlags(flags), again)
		}
	})
}

// BenchmarkNotifyDisabled is the cost of a write's notification when its class is off.
func BenchmarkNotifyDisabled(b *testing.B) {
	e := New(Settings{}, NewTable())
	key := []byte("key")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		e.notify(NotifyString, "set", key, 0)
	}
}
