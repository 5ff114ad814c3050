package tstream

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"testing"

	"github.com/redisctl/redisctl/rdb/listpack"
)

// seedNodes returns real node listpacks built by Append (several shapes).
func seedNodes() [][]byte {
	s := New()
	lim := Limits{MaxBytes: 4096, MaxEntries: 4}
	fv := [][]byte{[]byte("a"), []byte("1"), []byte("b"), []byte("hello")}
	for i := 0; i < 9; i++ {
		id := ID{uint64(i / 3), uint64(i)}
		f := fv
		if i%4 == 3 {
			f = [][]byte{[]byte("x"), []byte("-12345")}
		}
		s.Append(f, &id, true, 0, lim)
	}
	s.Delete(ID{0, 1})
	var out [][]byte
	s.EachNode(func(_ ID, lp []byte) bool { out = append(out, bytes.Clone(lp)); return true })
	return out
}

// FuzzValidateNode: ValidateNode never panics, and a node it accepts can be walked, read,
// deleted from and trimmed by the trusted code without panicking.
func FuzzValidateNode(f *testing.F) {
	for _, lp := range seedNodes() {
		f.Add(lp)
	}
	f.Add([]byte{})
	f.Add(listpack.New())
	f.Fuzz(func(t *testing.T, lp []byte) {
		if err := ValidateNode(lp, false); err != nil {
			return
		}
		if err := ValidateNode(lp, true); err != nil {
			return
		}
		b := NewBuilder()
		if err := b.AddNode(ID{5, 5}, lp, true); err != nil {
			return
		}
		if err := b.SetMeta(Meta{Length: 3, LastID: MaxID, HasV2: true}); err != nil {
			return
		}
		s, err := b.Finish(true)
		if err != nil {
			t.Fatal(err)
		}
		var ids []ID
		for _, rev := range []bool{false, true} {
			it := s.Iter(nil, nil, rev)
			for n := 0; n < 100000; n++ {
				id, nf, ok := it.Next()
				if !ok {
					break
				}
				for ; nf > 0; nf-- {
					it.Field()
				}
				ids = append(ids, id)
			}
		}
		s.RaxNodes()
		s.edgeID(true, false)
		s.edgeID(false, true)
		for _, id := range ids {
			s.Delete(id)
		}
		s.Trim(&TrimArgs{Strategy: TrimMaxLen, MaxLen: 0})
	})
}

// FuzzParseID: parsing never panics, and what parses prints back to the same ID.
func FuzzParseID(f *testing.F) {
	for _, s := range []string{"1-1", "0", "-", "+", "1-*", "18446744073709551615-18446744073709551615",
		" 1", "+1", "1--0", "00012-3", "1-18446744073709551616", "1\x00x", "(1-2", ""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var given bool
		for _, strict := range []bool{false, true} {
			id, ok := parseID(b, 7, strict, nil)
			if !ok {
				continue
			}
			back, ok := parseID([]byte(id.String()), 0, true, nil)
			if !ok || back != id {
				t.Fatalf("%q parsed as %s, which reparses as %s %v", b, id, back, ok)
			}
		}
		parseID(b, 0, true, &given)
	})
}

// modelEntry is an entry of the reference model.
type modelEntry struct {
	id ID
	fv [][]byte
}

// FuzzStreamOps runs appends, deletions and trims decoded from the input against a slice
// model, with tiny node limits, checking contents, lengths, first ID, node counters and
// node validity after every step.
func FuzzStreamOps(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 0, 0, 0, 1, 5, 1, 9, 2, 3, 0, 4, 4})
	f.Add(bytes.Repeat([]byte{0, 3, 1, 0, 2}, 40))
	f.Fuzz(func(t *testing.T, in []byte) {
		s := New()
		lim := Limits{MaxBytes: 120, MaxEntries: 3}
		var model []modelEntry
		next := ID{1, 0}
		names := [][]byte{[]byte("a"), []byte("b"), []byte("12"), []byte("long-field-name")}
		for len(in) >= 2 {
			op, arg := in[0], in[1]
			in = in[2:]
			switch op % 4 {
			case 0, 1: // append
				n := int(arg%3) + 1
				fv := make([][]byte, 0, 2*n)
				for i := 0; i < n; i++ {
					fv = append(fv, names[(int(arg)+i)%len(names)])
					fv = append(fv, bytes.Repeat([]byte{'v'}, int(arg)%40))
				}
				if arg%5 == 0 {
					next.Ms += uint64(arg)
				}
				id := next
				if _, res := s.Append(fv, &id, true, 0, lim); res != AppendOK {
					t.Fatalf("append %s: %v", id, res)
				}
				model = append(model, modelEntry{id, fv})
				next.Seq++
			case 2: // delete
				if len(model) == 0 {
					continue
				}
				i := int(arg) % len(model)
				if !s.DeleteEntry(model[i].id) {
					t.Fatalf("delete %s: not found", model[i].id)
				}
				model = slices.Delete(model, i, i+1)
			case 3: // exact trim to arg%8 entries
				keep := int(arg % 8)
				n := s.Trim(&TrimArgs{Strategy: TrimMaxLen, MaxLen: int64(keep), Approx: arg&0x80 != 0})
				model = model[n:]
			}
			checkModel(t, s, model)
		}
	})
}

func checkModel(t *testing.T, s *Stream, model []modelEntry) {
	t.Helper()
	if s.length != uint64(len(model)) {
		t.Fatalf("length %d, model %d", s.length, len(model))
	}
	if len(model) > 0 && s.firstID != model[0].id {
		t.Fatalf("first id %s, model %s", s.firstID, model[0].id)
	}
	it := s.Iter(nil, nil, false)
	for i := 0; ; i++ {
		id, nf, ok := it.Next()
		if !ok {
			if i != len(model) {
				t.Fatalf("iterated %d entries, model %d", i, len(model))
			}
			break
		}
		if i >= len(model) || id != model[i].id || int(nf)*2 != len(model[i].fv) {
			t.Fatalf("entry %d: %s with %d fields", i, id, nf)
		}
		for j := 0; j < int(nf); j++ {
			fe, ve := it.Field()
			if !bytes.Equal(fe.Append(nil), model[i].fv[2*j]) || !bytes.Equal(ve.Append(nil), model[i].fv[2*j+1]) {
				t.Fatalf("entry %s field %d differs", id, j)
			}
		}
	}
	var rc raxCounter
	for _, n := range s.nodes {
		rc.add(n.master)
	}
	if want := rc.finish(); s.RaxNodes() != want {
		t.Fatalf("radix tree nodes %d, recount %d", s.RaxNodes(), want)
	}
	for _, n := range s.nodes {
		if err := ValidateNode(n.lp, true); err != nil {
			t.Fatalf("node %s invalid: %v", n.master, err)
		}
		count, deleted := n.counts()
		var live, dead int64
		lp := n.lp
		nf, _ := masterFields(lp)
		for off := firstEntry(lp); off >= 0; {
			flags := lpInt(lp, off)
			off = listpack.Next(lp, off)
			off = listpack.Next(lp, off)
			off = listpack.Next(lp, off)
			skip := nf
			if flags&flagSameFields == 0 {
				skip = lpInt(lp, off)*2 + 1
			}
			for ; skip > 0; skip-- {
				off = listpack.Next(lp, off)
			}
			off = listpack.Next(lp, off)
			if flags&flagDeleted != 0 {
				dead++
			} else {
				live++
			}
		}
		if live != count || dead != deleted {
			t.Fatalf("node %s: header %d/%d, entries %d/%d", n.master, count, deleted, live, dead)
		}
	}
	if got, want := s.RaxNodes(), bruteRaxNodes(s); got != want {
		t.Fatalf("rax nodes %d, brute force %d", got, want)
	}
}

// bruteRaxNodes counts rax nodes from the definition over every prefix of the keys.
func bruteRaxNodes(s *Stream) int {
	if len(s.nodes) == 0 {
		return 1
	}
	children := map[string]map[byte]bool{}
	for _, n := range s.nodes {
		k := n.master.Key()
		for d := 0; d < 16; d++ {
			p := string(k[:d])
			if children[p] == nil {
				children[p] = map[byte]bool{}
			}
			children[p][k[d]] = true
		}
		children[string(k[:])] = map[byte]bool{}
	}
	count := 0
	for p, ch := range children {
		d := len(p)
		branching := len(ch) >= 2
		parentBranching := d > 0 && len(children[p[:d-1]]) >= 2
		if d == 0 || d == 16 || branching || parentBranching {
			count++
		}
	}
	return count
}

// TestRaxCounterBruteForce compares the lcp-stack count with the definition on random
// key sets.
func TestRaxCounterBruteForce(t *testing.T) {
	seed := uint64(1)
	rnd := func() uint64 {
		seed ^= seed << 13
		seed ^= seed >> 7
		seed ^= seed << 17
		return seed
	}
	for round := 0; round < 300; round++ {
		s := New()
		n := int(rnd() % 60)
		var keys []ID
		for i := 0; i < n; i++ {
			var k [16]byte
			binary.BigEndian.PutUint64(k[:], rnd()>>(rnd()%64))
			binary.BigEndian.PutUint64(k[8:], rnd()>>(rnd()%64))
			if rnd()%3 == 0 && len(keys) > 0 {
				k = keys[len(keys)-1].Key()
				k[15-rnd()%16] ^= byte(1 + rnd()%255)
			}
			keys = append(keys, IDFromKey(k[:]))
		}
		slices.SortFunc(keys, func(a, b ID) int { return a.Compare(b) })
		keys = slices.Compact(keys)
		for _, k := range keys {
			s.nodes = append(s.nodes, &node{master: k})
		}
		s.changedIndex()
		if got, want := s.RaxNodes(), bruteRaxNodes(s); got != want {
			t.Fatalf("round %d (%d keys): %d, brute force %d", round, len(keys), got, want)
		}
	}
	_ = fmt.Sprint
}
