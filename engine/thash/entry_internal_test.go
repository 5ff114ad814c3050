package thash

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Hashtable entries hold their field and value in their own block up to 208 bytes and in
// a separate one beyond; sets, updates (longer, shorter, empty), deletes and copies keep
// every pair intact across the size classes and both layouts.
func TestHashtableEntryLayouts(t *testing.T) {
	d := &table{}
	want := map[string]string{}
	set := func(f, v string) {
		_, had := want[f]
		require.Equal(t, had, htSet(d, []byte(f), []byte(v)), "field %q", f)
		want[f] = v
	}
	check := func(d *table) {
		t.Helper()
		require.Equal(t, len(want), d.Len())
		for f, v := range want {
			e := d.GetBytes([]byte(f))
			require.NotNil(t, e, "field %q", f)
			require.Equal(t, v, e.Value, "field %q", f)
		}
	}
	for n := 0; n <= 230; n++ {
		f := strings.Repeat("f", n/2) + string(rune('a'+n%26))
		v := strings.Repeat("v", n-len(f)+1)
		set(f, v)
		e := d.GetBytes([]byte(f))
		require.Equal(t, len(f)+len(v) <= 208, embedded(e), "pair of %d bytes", len(f)+len(v))
	}
	set("", "")
	set("", "now a value")
	set("e", "")
	check(d)
	for f := range want {
		set(f, "short")
	}
	check(d)
	for f := range want {
		set(f, strings.Repeat("L", 300))
	}
	check(d)
	for f := range want {
		if len(f)%3 == 0 {
			require.NotNil(t, d.DeleteBytes([]byte(f)))
			delete(want, f)
		}
	}
	check(d)
	o := New()
	convert(&o)
	for f, v := range want {
		htSet(htOf(&o), []byte(f), []byte(v))
	}
	cp := Dup(&o)
	check(htOf(&cp))
}
