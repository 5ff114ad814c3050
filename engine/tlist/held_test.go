package tlist

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"unsafe"

	"github.com/redisctl/redisctl/rdb/listpack"
	"github.com/redisctl/redisctl/rdb/lzf"
)

// viewElements decodes a node as NextHeld hands it out.
func viewElements(t testing.TB, v NodeView) []string {
	data := v.Data
	if v.Compressed {
		out, err := lzf.Decompress(make([]byte, v.RawLen), v.Data)
		if err != nil {
			t.Fatalf("a compressed node does not decompress: %v", err)
		}
		data = out
	}
	if v.Plain {
		return []string{string(data)}
	}
	var out []string
	for off := listpack.First(data); off >= 0; off = listpack.Next(data, off) {
		s, n, isInt := listpack.Get(data, off)
		if isInt {
			out = append(out, strconv.FormatInt(n, 10))
		} else {
			out = append(out, string(s))
		}
	}
	if len(out) != v.Count {
		t.Fatalf("a node of %d elements says it has %d", len(out), v.Count)
	}
	return out
}

// nodeElements is the list's elements node by node.
func nodeElements(t testing.TB, ql *Quicklist) [][]string {
	var out [][]string
	ql.Nodes(func(v NodeView) bool {
		out = append(out, viewElements(t, v))
		return true
	})
	return out
}

// FuzzQuicklistHold builds a list with the first half of the operations, holds it for a
// reader that wrote some of its nodes, then applies the rest (pushes and pops at both
// ends, LSET, inserts that split and merge nodes, range deletes, LREM) while the reader
// takes nodes with NextHeld between them. The reader must get the nodes the list had and
// it had not written, in order, each once: the list as it was, from where it stood.
func FuzzQuicklistHold(f *testing.F) {
	f.Add([]byte{0, 1, 3, 0, 1, 1, 2, 0, 3, 1, 4, 0, 5, 1, 6, 2, 7, 3, 0, 9, 4, 2, 5, 1, 6, 7, 7, 8})
	f.Add(bytes.Repeat([]byte{0, 200, 1, 17, 2, 30, 3, 40}, 40))
	f.Add(bytes.Repeat([]byte{1, 250, 1, 251, 4, 3, 5, 9, 6, 1}, 30))
	f.Add(append([]byte{3, 130, 9}, bytes.Repeat([]byte{0, 99, 5, 7, 2, 120, 6, 33}, 50)...))
	f.Fuzz(holdCase)
}

// holdCase is FuzzQuicklistHold's body.
func holdCase(t *testing.T, ops []byte) {
	if len(ops) < 3 {
		return
	}
	ql := fuzzList(t, ops[0], ops[1])
	var model []string
	body := ops[3:]
	half := len(body) / 2 &^ 1
	for i := 0; i+1 < half; i += 2 {
		model = fuzzOp(t, ql, model, body[i]%8, body[i+1])
	}
	nodes := nodeElements(t, ql)
	done := int(ops[2]) % (len(nodes) + 1)
	var want []string
	for _, n := range nodes[done:] {
		want = append(want, n...)
	}
	if !ql.Hold(done) {
		t.Fatal("Hold refused")
	}
	if ql.Hold(done) {
		t.Fatal("a second hold")
	}
	var got []string
	take := func(k int) {
		for range k {
			v, ok := ql.NextHeld()
			if !ok {
				return
			}
			got = append(got, viewElements(t, v)...)
		}
	}
	for i := half; i+1 < len(body); i += 2 {
		op, arg := body[i]%8, body[i+1]
		model = fuzzOp(t, ql, model, op, arg)
		if err := ql.check(); err != nil {
			t.Fatalf("after op %d (%d %d): %v", i/2, op, arg, err)
		}
		take(int(arg % 3))
	}
	take(1 << 30)
	ql.Release()
	if !slices.Equal(want, got) {
		t.Fatalf("the reader got %d elements, the list had %d left:\n got %q\nwant %q", len(got), len(want), got, want)
	}
	if !slices.Equal(model, ql.strings()) {
		t.Fatal("the list differs from its model")
	}
}

// TestQuicklistHoldRandom runs FuzzQuicklistHold's body on random operation sequences
// (the fuzz seeds alone are few).
func TestQuicklistHoldRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 1))
	for range 3000 {
		ops := make([]byte, 3+rng.IntN(400))
		for i := range ops {
			ops[i] = byte(rng.Uint32())
			// The first half builds the list: mostly pushes.
			if i >= 3 && i < 3+(len(ops)-3)/2 && (i-3)%2 == 0 && rng.IntN(5) > 0 {
				ops[i] = byte(rng.IntN(2))
			}
		}
		holdCase(t, ops)
	}
}

// TestQuicklistSize: the hold's pointer did not move the Quicklist out of its Go size
// class (every list is a quicklist), nor a node out of its own.
func TestQuicklistSize(t *testing.T) {
	if q, n := unsafe.Sizeof(Quicklist{}), unsafe.Sizeof(Node{}); q != 48 || n != 80 {
		t.Fatalf("Quicklist %d bytes, Node %d: want 48 and 80", q, n)
	}
}
