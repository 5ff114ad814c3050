package tlist

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strconv"
	"testing"

	"github.com/redisctl/redisctl/rdb/listpack"
)

// check verifies the quicklist's invariants: links, counts, sizes, no empty node, ends
// never compressed, every listpack valid.
func (ql *Quicklist) check() error {
	count, nodes := 0, 0
	var prev *Node
	for n := ql.head; n != nil; n = n.next {
		if n.prev != prev {
			return fmt.Errorf("node %d: broken prev link", nodes)
		}
		if n.count == 0 {
			return fmt.Errorf("node %d: empty", nodes)
		}
		if n.base != nil && n != ql.head {
			return fmt.Errorf("node %d: room in front on a node that is not the head", nodes)
		}
		raw := n.entry
		if n.lzf {
			if n == ql.head || n == ql.tail {
				return fmt.Errorf("node %d: an end node is compressed", nodes)
			}
			var ok bool
			cp := *n
			cp.entry = append([]byte(nil), n.entry...)
			if ok = cp.decompressRaw(); !ok {
				return fmt.Errorf("node %d: does not decompress", nodes)
			}
			raw = cp.entry
		}
		if len(raw) != n.sz {
			return fmt.Errorf("node %d: sz %d, entry %d bytes", nodes, n.sz, len(raw))
		}
		if n.plain {
			if n.count != 1 {
				return fmt.Errorf("node %d: plain with count %d", nodes, n.count)
			}
		} else {
			c, err := listpack.Validate(raw)
			if err != nil {
				return fmt.Errorf("node %d: %w", nodes, err)
			}
			if c != n.count {
				return fmt.Errorf("node %d: count %d, listpack holds %d", nodes, n.count, c)
			}
		}
		count += n.count
		nodes++
		prev = n
	}
	if prev != ql.tail {
		return fmt.Errorf("tail does not match the last node")
	}
	if count != ql.count || nodes != ql.len {
		return fmt.Errorf("count %d/%d, nodes %d/%d", ql.count, count, ql.len, nodes)
	}
	return nil
}

func (ql *Quicklist) strings() []string {
	var out []string
	ql.Each(func(s []byte, n int64, isInt bool) bool {
		if isInt {
			out = append(out, strconv.FormatInt(n, 10))
		} else {
			out = append(out, string(s))
		}
		return true
	})
	return out
}

// FuzzQuicklist applies a byte-coded sequence of operations to a quicklist and to a
// slice model, and checks the elements and the invariants after each step.
func FuzzQuicklist(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15})
	f.Add(bytes.Repeat([]byte{0, 200, 1, 17, 2, 30, 3, 40}, 40))
	f.Add(bytes.Repeat([]byte{1, 250, 1, 251, 4, 3, 5, 9, 6, 1}, 30))
	f.Add(append([]byte{3, 2}, bytes.Repeat([]byte{0, 99, 5, 7, 2, 120}, 50)...))
	f.Fuzz(func(t *testing.T, ops []byte) {
		if len(ops) < 2 {
			return
		}
		ql := fuzzList(t, ops[0], ops[1])
		var model []string
		for i := 2; i+1 < len(ops); i += 2 {
			op, arg := ops[i]%8, ops[i+1]
			model = fuzzOp(t, ql, model, op, arg)
			if err := ql.check(); err != nil {
				t.Fatalf("after op %d (%d %d): %v", i/2, op, arg, err)
			}
			got := ql.strings()
			if len(got) != len(model) {
				t.Fatalf("after op %d (%d %d): %d elements, model has %d", i/2, op, arg, len(got), len(model))
			}
			for j := range got {
				if got[j] != model[j] {
					t.Fatalf("after op %d (%d %d): element %d is %q, model has %q", i/2, op, arg, j, got[j], model[j])
				}
			}
		}
	})
}

// fuzzList is an empty list with the fill and compression depth two bytes of a fuzz input
// pick (and a low PLAIN threshold when b's high bit is set, until the test ends).
func fuzzList(t *testing.T, a, b byte) *Quicklist {
	fills := []int{-2, -1, 1, 2, 3, 0, 5, -5}
	ql := NewQuicklist(fills[a%8], int(b%4))
	if b&0x80 != 0 {
		SetPackedThreshold(150)
		t.Cleanup(func() { SetPackedThreshold(0) })
	}
	return ql
}

// fuzzVal is the element an operation's argument stands for.
func fuzzVal(b byte) string {
	switch b % 5 {
	case 0:
		return strconv.Itoa(int(b) - 100)
	case 1:
		return "s" + strconv.Itoa(int(b))
	case 2:
		return string(bytes.Repeat([]byte{'a' + b%7}, int(b)))
	case 3:
		return string(bytes.Repeat([]byte{'q'}, 40+int(b)*3))
	}
	return ""
}

// fuzzOp applies one operation (op 0-7) to ql and to its slice model, and returns the
// model.
func fuzzOp(t *testing.T, ql *Quicklist, model []string, op, arg byte) []string {
	switch op {
	case 0:
		v := fuzzVal(arg)
		ql.PushHead([]byte(v))
		model = append([]string{v}, model...)
	case 1:
		v := fuzzVal(arg)
		ql.PushTail([]byte(v))
		model = append(model, v)
	case 2:
		if len(model) > 0 {
			where := End(arg & 1)
			ql.Pop(where)
			if where == Left {
				model = model[1:]
			} else {
				model = model[:len(model)-1]
			}
		}
	case 3:
		if len(model) > 0 {
			idx := int64(arg) % int64(len(model))
			if arg&1 != 0 {
				idx = -idx - 1
			}
			v := fuzzVal(arg / 2)
			if !ql.ReplaceAt(idx, []byte(v)) {
				t.Fatalf("ReplaceAt(%d) failed on %d elements", idx, len(model))
			}
			j := idx
			if j < 0 {
				j += int64(len(model))
			}
			model[j] = v
		}
	case 4, 5:
		if len(model) > 0 {
			idx := int64(arg) % int64(len(model))
			after := op == 5
			it, ok := ql.iteratorAtIdx(fromHead, idx)
			if !ok {
				t.Fatalf("iterator at %d", idx)
			}
			var e entry
			it.next(&e)
			v := fuzzVal(arg / 3)
			ql.insert(&it, &e, []byte(v), after)
			it.release()
			pos := int(idx)
			if after {
				pos++
			}
			model = append(model[:pos], append([]string{v}, model[pos:]...)...)
		}
	case 6:
		if len(model) > 0 {
			start := int64(arg%16) - 8
			cnt := int64(arg / 16)
			ql.DelRange(start, cnt)
			s := start
			if s < 0 {
				s += int64(len(model))
			}
			if s >= 0 && s < int64(len(model)) && cnt > 0 {
				end := min(s+cnt, int64(len(model)))
				if start < 0 {
					end = min(s+cnt, int64(len(model)))
				}
				model = append(model[:s], model[end:]...)
			}
		}
	case 7:
		// LREM-style deletion of every element equal to fuzzVal(arg).
		v := []byte(fuzzVal(arg))
		vi, vIsInt := listpack.ParseInt(v)
		it, ok := ql.iteratorAtIdx(fromHead, 0)
		if ok {
			var e entry
			for it.next(&e) {
				if e.equal(v, vi, vIsInt) {
					it.delEntry(&e)
				}
			}
			it.release()
		}
		kept := model[:0]
		for _, m := range model {
			if m != string(v) {
				kept = append(kept, m)
			}
		}
		model = kept
	}
	return model
}

// Node.prepend gives exactly the bytes of listpack.Prepend, through block reallocations,
// the plain path for long elements, integers and the count header turning unknown.
func TestNodePrependBytes(t *testing.T) {
	vals := [][]byte{[]byte("xxx"), []byte("12"), []byte("-7"), []byte(""),
		bytes.Repeat([]byte("a"), 57), bytes.Repeat([]byte("b"), 58), bytes.Repeat([]byte("c"), 300),
		[]byte("9223372036854775807"), []byte("element:000000012345"), bytes.Repeat([]byte("d"), 63),
		bytes.Repeat([]byte("e"), 64), []byte("-"), []byte("007"), []byte("-0"), []byte("0"),
		[]byte("9223372036854775808"), []byte("12345678901234567890123"), []byte("1.5")}
	n := newPackedNode([]byte("first"))
	ref := append([]byte(nil), n.entry...)
	for i := range 3000 {
		v := vals[i%len(vals)]
		if i%500 == 499 {
			// What other paths do to the head: an append may move the bytes.
			n.dropBase()
			n.entry = listpack.Append(n.entry, v)
			ref = listpack.Append(ref, v)
		} else {
			n.entry = n.prepend(v)
			ref = listpack.Prepend(ref, v)
		}
		if !bytes.Equal(n.entry, ref) {
			t.Fatalf("push %d (%q): bytes differ from listpack.Prepend", i, v)
		}
	}
	if c, err := listpack.Validate(n.entry); err != nil || c != 3001 {
		t.Fatalf("Validate: %d, %v", c, err)
	}
	// The count header: 65533 + 1, + 1 reaches 65535, which means unknown from then on.
	n.entry = append([]byte(nil), n.entry...)
	n.dropBase()
	binary.LittleEndian.PutUint16(n.entry[4:], 65533)
	ref = append([]byte(nil), n.entry...)
	for i := range 3 {
		n.entry = n.prepend([]byte("xxx"))
		ref = listpack.Prepend(ref, []byte("xxx"))
		if !bytes.Equal(n.entry, ref) {
			t.Fatalf("count push %d: bytes differ from listpack.Prepend", i)
		}
	}
	if listpack.HeaderCount(n.entry) != listpack.CountUnknown {
		t.Fatalf("count header %d, want unknown", listpack.HeaderCount(n.entry))
	}
}
