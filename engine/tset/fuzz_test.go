package tset_test

import (
	"slices"
	"strconv"
	"testing"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/tset"
	"github.com/redisctl/redisctl/rdb/intset"
)

// FuzzFromIntset: untrusted intset bytes either fail to load or give a set whose members are
// the ascending integers the bytes hold.
func FuzzFromIntset(f *testing.F) {
	is := intset.New()
	f.Add(is, 512)
	for _, v := range []int64{5, -3, 70000, 1 << 40} {
		is, _ = intset.Add(is, v)
		f.Add(append([]byte(nil), is...), 512)
	}
	f.Add(is, 2)
	f.Add([]byte{2, 0, 0, 0, 2, 0, 0, 0, 1, 0, 1, 0}, 512)
	f.Add([]byte{3, 0, 0, 0, 0, 0, 0, 0}, 512)
	f.Add([]byte{8, 0, 0, 0, 255, 255, 255, 255}, 512)
	f.Fuzz(func(t *testing.T, b []byte, max int) {
		if max < 0 || max > 1<<20 {
			return
		}
		o, err := tset.FromIntset(b, max)
		if err != nil {
			return
		}
		n, _ := intset.Validate(b)
		if tset.Len(&o) != n {
			t.Fatalf("len %d, intset holds %d", tset.Len(&o), n)
		}
		if (o.Encoding() == engine.EncIntset) != (n <= max) {
			t.Fatalf("%d members under a limit of %d: %s", n, max, o.Encoding())
		}
		var got []int64
		tset.ForEachBytes(&o, func(m []byte) bool {
			v, ok := tset.IntsetValue(m)
			if !ok {
				t.Fatalf("member %q is not an integer", m)
			}
			got = append(got, v)
			return true
		})
		if o.Encoding() == engine.EncHashtable {
			slices.Sort(got)
		}
		for i := 1; i < len(got); i++ {
			if got[i] <= got[i-1] {
				t.Fatalf("members not strictly ascending: %v", got)
			}
		}
	})
}

// FuzzSetOps runs a byte-coded sequence of adds and removes against a map model and checks
// membership, size and the encoding rule after every step.
func FuzzSetOps(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, uint8(4))
	f.Add([]byte{0, 200, 1, 201, 130, 0, 0, 3, 255}, uint8(2))
	f.Add([]byte("abcdefghijklmnopqrstuvwxyz0123456789"), uint8(8))
	f.Fuzz(func(t *testing.T, ops []byte, limit uint8) {
		max := int(limit)
		model := map[string]bool{}
		o := tset.NewIntset()
		allInt, everHT := true, false
		for _, op := range ops {
			m := member(op & 0x3f)
			if op&0x80 == 0 {
				added := tset.Add(&o, []byte(m), max)
				if added == model[m] {
					t.Fatalf("Add(%q) = %v with model %v", m, added, model[m])
				}
				model[m] = true
				if _, ok := tset.IntsetValue([]byte(m)); !ok {
					allInt = false
				}
			} else {
				removed := tset.Remove(&o, []byte(m))
				if removed != model[m] {
					t.Fatalf("Remove(%q) = %v with model %v", m, removed, model[m])
				}
				delete(model, m)
			}
			if tset.Len(&o) != len(model) {
				t.Fatalf("len %d, model %d", tset.Len(&o), len(model))
			}
			if !allInt || len(model) > max {
				everHT = true
			}
			if (o.Encoding() == engine.EncHashtable) != everHT {
				t.Fatalf("encoding %s after %d members (all ints: %v)", o.Encoding(), len(model), allInt)
			}
			if op&0x40 != 0 {
				for k := range model {
					if !tset.IsMember(&o, []byte(k)) {
						t.Fatalf("%q missing", k)
					}
				}
				c := tset.Dup(&o)
				if tset.Len(&c) != len(model) || c.Encoding() != o.Encoding() {
					t.Fatalf("Dup differs")
				}
			}
		}
	})
}

// member maps a small code to members of every kind: small and wide integers, and
// strings that look like integers but are not canonical.
func member(c byte) string {
	switch {
	case c < 32:
		return strconv.Itoa(int(c) - 8)
	case c < 40:
		return strconv.FormatInt(int64(c)<<33, 10)
	case c < 44:
		return []string{"01", "-0", "", "+1"}[c-40]
	default:
		return "m" + strconv.Itoa(int(c))
	}
}
