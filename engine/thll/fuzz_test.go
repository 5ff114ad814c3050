package thll

import (
	"encoding/binary"
	"testing"
)

var sparseHeader = []byte("HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80")

// FuzzSparseDecoders feeds arbitrary bodies to every reader of the sparse format (count,
// conversion, merge, decode) and to the writer: nothing may panic, the readers must agree
// on validity, and a valid body must give the same registers whichever way it is read.
func FuzzSparseDecoders(f *testing.F) {
	f.Add([]byte("\x7f\xff"), uint16(0), uint8(1))
	f.Add([]byte("\x7f\xfe\x80"), uint16(16383), uint8(33))
	f.Add([]byte("\x7f\xff\x80"), uint16(5), uint8(2))
	f.Add([]byte("\x7f"), uint16(100), uint8(5))
	f.Add([]byte("\x40\x00\x7f\xfd\x8c"), uint16(1), uint8(4))
	f.Add([]byte{}, uint16(0), uint8(1))
	f.Fuzz(func(t *testing.T, body []byte, index uint16, count uint8) {
		s := append(append([]byte{}, sparseHeader...), body...)
		var h [64]int
		histOK := sparseHisto(s, &h)
		d, convErr := ToDense(s)
		var max [Registers]uint8
		mergeErr := MergeInto(&max, s)
		_ = Decode(nil, s)
		if (convErr == nil) != (mergeErr == nil) {
			t.Fatalf("ToDense %v, MergeInto %v", convErr, mergeErr)
		}
		if convErr == nil {
			if !histOK {
				t.Fatal("valid for conversion, invalid for the histogram")
			}
			var regs [Registers]uint8
			if err := DenseRegisters(d, &regs); err != nil || regs != max {
				t.Fatal("dense registers differ from the merge")
			}
			c1, _ := Count(s)
			c2, _ := Count(d)
			if c1 != c2 || c1 != CountRaw(&max) {
				t.Fatalf("counts differ: sparse %d dense %d raw %d", c1, c2, CountRaw(&max))
			}
		}
		// The writer on arbitrary input: never panics; on a valid body the result
		// holds the model's registers.
		idx := int(index) & pMask
		c := count%(Q+1) + 1
		out, r := sparseSet(append([]byte{}, s...), idx, c)
		// A body ending in half an XZERO (its second byte read from the terminator) is
		// valid to the readers but not to the writer: Redis's own memcpy then lands on the
		// terminator and the result may be corrupt, as it is here.
		half := false
		for p := HeaderSize; p < len(s); {
			_, _, size := sparseOp(s, p)
			p += size
			half = p > len(s)
		}
		if convErr == nil && r >= 0 && !half {
			want := max
			if c > want[idx] {
				want[idx] = c
			}
			var got [Registers]uint8
			if err := DenseRegisters(out, &got); err != nil {
				t.Fatalf("valid input, corrupt output: %v (r=%d)", err, r)
			}
			if got != want {
				t.Fatal("registers differ from the model after set")
			}
			if (r == 1) != (c > max[idx]) {
				t.Fatalf("result %d, old %d new %d", r, max[idx], c)
			}
		}
	})
}

// FuzzSetModel applies a sequence of (register, value) writes to a sparse and a dense HLL
// and to a plain array: all three must agree after every write, and the sparse one must
// be promoted exactly when a value passes 32 or its size passes the limit.
func FuzzSetModel(f *testing.F) {
	f.Add([]byte("\x00\x00\x05\x10\x00\x05\xff\x3f\x21"), uint16(3000))
	f.Add([]byte("\x01\x00\x01\x02\x00\x01\x03\x00\x01\x04\x00\x02"), uint16(20))
	f.Fuzz(func(t *testing.T, ops []byte, limit uint16) {
		old := SparseMaxBytes()
		SetSparseMaxBytes(int64(limit))
		defer SetSparseMaxBytes(old)
		sparse := NewEmpty()
		dense, _ := ToDense(NewEmpty())
		var model [Registers]uint8
		for len(ops) >= 3 {
			idx := int(binary.LittleEndian.Uint16(ops)) & pMask
			c := ops[2]%(Q+1) + 1
			ops = ops[3:]
			wasSparse := sparse[4] == EncSparse
			var r1, r2 int
			sparse, r1 = Set(sparse, idx, c)
			dense, r2 = Set(dense, idx, c)
			changed := c > model[idx]
			if changed {
				model[idx] = c
			}
			if r1 != r2 || (r1 == 1) != changed {
				t.Fatalf("results sparse %d dense %d, changed %v", r1, r2, changed)
			}
			if wasSparse && sparse[4] == EncSparse && c > valMaxValue {
				t.Fatal("value over 32 kept sparse")
			}
			if sparse[4] == EncSparse && len(sparse) > max(int(limit), EmptySize) {
				t.Fatalf("sparse of %d bytes over the limit %d", len(sparse), limit)
			}
		}
		var a, b [Registers]uint8
		if err := DenseRegisters(sparse, &a); err != nil {
			t.Fatal(err)
		}
		if err := DenseRegisters(dense, &b); err != nil {
			t.Fatal(err)
		}
		if a != model || b != model {
			t.Fatal("registers differ from the model")
		}
		c1, _ := Count(sparse)
		c2, _ := Count(dense)
		if c1 != c2 || c1 != CountRaw(&model) {
			t.Fatal("counts differ")
		}
	})
}
