package dict

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzOps drives random operation sequences against a Go map model, checking results, the
// table invariants after every operation, and the SCAN guarantee for a scan that advances
// one step whenever the input asks.
//
// Input: byte 0 picks the hash shift (normal, 1024 distinct hashes, 64 distinct hashes);
// then each operation takes three bytes: op, a, b.
func FuzzOps(f *testing.F) {
	f.Add([]byte{0, 0, 1, 2, 2, 1, 0, 4, 1, 0})
	f.Add([]byte{2, 16, 200, 0, 11, 0, 0, 16, 200, 1, 11, 0, 0, 4, 3, 0, 11, 0, 0, 11, 0, 0})
	f.Add([]byte{1, 16, 255, 0, 7, 40, 0, 11, 0, 0, 8, 3, 0, 11, 0, 0, 9, 0, 0, 16, 100, 7, 11, 0, 0, 10, 0, 0, 11, 0, 0})
	f.Add([]byte{0, 16, 50, 0, 15, 3, 0, 12, 5, 0, 14, 0, 0, 13, 9, 9, 6, 9, 0, 5, 1, 0, 3, 1, 0})
	f.Fuzz(fuzzBody)
}

func fuzzBody(t *testing.T, data []byte) {
	if len(data) == 0 || len(data) > 600 {
		return
	}
	d := New[int]()
	d.hashShift = []uint8{0, 54, 58}[int(data[0])%3]
	data = data[1:]
	model := map[string]int{}
	bulk := 0

	// The scan in progress: keys that must be seen (present since the scan started
	// and not deleted since), and keys seen.
	var cursor uint64
	scanning := false
	mustSee := map[string]bool{}
	seen := map[string]bool{}
	forget := func(k string) { delete(mustSee, k) }

	for len(data) >= 3 {
		op, a, b := data[0]%17, data[1], data[2]
		data = data[3:]
		k := "k" + strconv.Itoa(int(a)%128)
		v := int(a)<<8 | int(b)
		switch op {
		case 0:
			d.Set(k, v)
			model[k] = v
		case 1:
			e, existed := d.UpsertBytes([]byte(k))
			_, inModel := model[k]
			require.Equal(t, inModel, existed)
			e.Value = v
			model[k] = v
		case 2, 3:
			var e *Entry[int]
			if op == 2 {
				e = d.Get(k)
			} else {
				e = d.GetBytes([]byte(k))
			}
			mv, ok := model[k]
			require.Equal(t, ok, e != nil, k)
			if ok {
				require.Equal(t, mv, e.Value)
				require.Equal(t, k, e.Key)
			}
		case 4, 5:
			var e *Entry[int]
			if op == 4 {
				e = d.Delete(k)
			} else {
				e = d.DeleteBytes([]byte(k))
			}
			mv, ok := model[k]
			require.Equal(t, ok, e != nil, k)
			if ok {
				require.Equal(t, mv, e.Value)
			}
			delete(model, k)
			forget(k)
		case 6:
			e := d.Get(k)
			_, ok := model[k]
			require.Equal(t, ok, d.DeleteEntry(e))
			delete(model, k)
			forget(k)
		case 7:
			d.Expand(int(a) * int(b%64))
		case 8:
			d.RehashSteps(int(a) % 16)
		case 9:
			d.SetResizeAllowed(a&1 == 0)
		case 10:
			d.ResizeIfNeeded()
		case 11:
			if !scanning {
				scanning, cursor = true, 0
				clear(mustSee)
				clear(seen)
				for mk := range model {
					mustSee[mk] = true
				}
			}
			cursor = d.Scan(cursor, func(e *Entry[int]) {
				mv, ok := model[e.Key]
				require.True(t, ok, "scan returned absent key %q", e.Key)
				require.Equal(t, mv, e.Value)
				seen[e.Key] = true
			})
			if cursor == 0 {
				for mk := range mustSee {
					require.True(t, seen[mk], "scan missed %q", mk)
				}
				scanning = false
			}
		case 12:
			for _, e := range []*Entry[int]{d.Random(), d.FairRandom()} {
				require.Equal(t, len(model) == 0, e == nil)
				if e != nil {
					require.Equal(t, model[e.Key], e.Value)
				}
			}
			for _, e := range d.SomeKeys(nil, int(a)%20) {
				require.Equal(t, model[e.Key], e.Value)
			}
		case 13:
			_, added := d.Add(k, v)
			_, ok := model[k]
			require.Equal(t, !ok, added)
			if added {
				model[k] = v
			}
		case 14:
			if a%8 == 0 { // rare: Clear
				d.Clear()
				clear(model)
				clear(mustSee)
			}
		case 15: // a full walk deleting some entries as it goes
			n := 0
			for e := range d.All() {
				n++
				require.Equal(t, model[e.Key], e.Value)
				if e.Value%int(a|1) == 0 {
					require.True(t, d.DeleteEntry(e))
					delete(model, e.Key)
					forget(e.Key)
				}
			}
		case 16: // bulk insert of fresh keys: drives growth
			for range min(int(a), 1000-len(model)) {
				bk := "b" + strconv.Itoa(bulk)
				bulk++
				d.Set(bk, bulk)
				model[bk] = bulk
			}
			if b&1 == 1 { // and bulk delete: drives shrink
				for mk := range model {
					if mk[0] == 'b' {
						d.Delete(mk)
						delete(model, mk)
						forget(mk)
					}
				}
			}
		}
		require.Equal(t, len(model), d.Len())
		checkInvariants(t, d)
	}
	for mk, mv := range model {
		e := d.Get(mk)
		require.NotNil(t, e, mk)
		require.Equal(t, mv, e.Value)
	}
}
