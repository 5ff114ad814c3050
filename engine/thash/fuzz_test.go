package thash_test

import (
	"fmt"
	"maps"
	"strconv"
	"testing"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/engine/thash"
	"github.com/redisctl/redisctl/rdb/listpack"
)

// FuzzFromListpack feeds arbitrary bytes as a hash listpack (an RDB or RESTORE payload):
// FromListpack must refuse or accept without panicking, and an accepted hash must be fully
// usable: walk it, look fields up, change it.
func FuzzFromListpack(f *testing.F) {
	lp := listpack.New()
	for _, e := range []string{"a", "1", "field", "value", "-7", "x"} {
		lp = listpack.Append(lp, []byte(e))
	}
	f.Add(lp, false)
	f.Add(lp, true)
	f.Add(listpack.New(), false)
	f.Add([]byte{7, 0, 0, 0, 1, 0, 0xff}, false)
	f.Add(append(append([]byte(nil), lp[:len(lp)-1]...), 0x81, 'a', 2, 0xff), true)
	f.Fuzz(func(t *testing.T, data []byte, deep bool) {
		s := engine.DefaultSettings()
		s.HashMaxListpackEntries = 2
		o, err := thash.FromListpack(&s, append([]byte(nil), data...), deep)
		if err != nil {
			return
		}
		n := 0
		thash.Range(&o, func(f, v []byte) bool {
			if _, ok := thash.Get(&o, f); !ok {
				t.Fatalf("field %q from Range not found", f)
			}
			n++
			return true
		})
		if n != thash.Len(&o) {
			t.Fatalf("Range gave %d pairs, Len %d", n, thash.Len(&o))
		}
		_ = thash.MemoryUsage(nil, &o, 5)
		c := thash.Dup(&o)
		if thash.Len(&c) != n {
			t.Fatal("Dup changed the length")
		}
	})
}

// FuzzHashOps applies a sequence of HSET/HDEL/HINCRBY decoded from the input to a hash
// and to a map model, checking after every step that the contents agree and that a
// listpack-encoded hash is a valid listpack with an even count.
func FuzzHashOps(f *testing.F) {
	f.Add([]byte{0, 1, 2, 1, 1, 3, 2, 1, 9, 0, 200, 17})
	f.Add([]byte("the quick brown fox jumps over the lazy dog, twice: the quick brown fox"))
	f.Fuzz(func(t *testing.T, ops []byte) {
		h := newHarness(t)
		h.E.Set.HashMaxListpackEntries = 6
		h.E.Set.HashMaxListpackValue = 8
		model := map[string]string{}
		for i := 0; i+2 < len(ops) && i < 600; i += 3 {
			field := fieldName(ops[i+1])
			switch ops[i] % 4 {
			case 0, 1:
				val := valueName(ops[i+2])
				h.Do("HSET", "k", field, val)
				model[field] = val
			case 2:
				h.Do("HDEL", "k", field)
				delete(model, field)
			case 3:
				incr := int64(int8(ops[i+2]))
				v := h.Do("HINCRBY", "k", field, strconv.FormatInt(incr, 10))
				if v.IsError() {
					break
				}
				model[field] = strconv.FormatInt(v.Int, 10)
			}
			checkModel(t, h, model)
		}
	})
}

func fieldName(b byte) string {
	if b%16 == 15 {
		return fmt.Sprintf("long-field-%d", b) // over hash-max-listpack-value
	}
	if b%5 == 0 {
		return strconv.Itoa(int(b%16) - 5) // integer-encoded fields
	}
	return "f" + strconv.Itoa(int(b%16))
}

func valueName(b byte) string {
	switch b % 7 {
	case 0:
		return strconv.Itoa(int(b))
	case 1:
		return "value-long-" + strconv.Itoa(int(b))
	case 2:
		return ""
	}
	return "v" + strconv.Itoa(int(b))
}

func checkModel(t *testing.T, h *enginetest.Harness, model map[string]string) {
	t.Helper()
	e := h.E.DB(0).Keys().Get("k")
	if len(model) == 0 {
		if e != nil {
			t.Fatal("an empty hash was left in the keyspace")
		}
		return
	}
	if e == nil {
		t.Fatal("hash missing")
	}
	o := &e.Value
	got := map[string]string{}
	thash.Range(o, func(f, v []byte) bool { got[string(f)] = string(v); return true })
	if !maps.Equal(got, model) {
		t.Fatalf("hash %v, model %v", got, model)
	}
	if lp, ok := thash.Listpack(o); ok {
		n, err := listpack.Validate(lp)
		if err != nil || n != 2*len(model) {
			t.Fatalf("listpack: %d entries, %v", n, err)
		}
	}
}
