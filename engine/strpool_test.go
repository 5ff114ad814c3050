package engine

import (
	"bytes"
	"runtime/debug"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A recycled 200-byte buffer serves three 64-byte values, each in its own part of it
// (capacity 64, so none can write into the next), then the pools are empty.
func TestStringBytesCarvesRecycledBuffers(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(-1)) // a GC cycle empties sync.Pools
	val := func(c byte) []byte { return bytes.Repeat([]byte{c}, 64) }
	for try := 0; ; try++ {
		require.Less(t, try, 100, "the recycled buffer never came back (another P's pool each time?)")
		for StringBytes(val('x')) != nil && pooled.Load() > 0 { // drain what earlier tries left
		}
		big := make([]byte, 200)
		o := NewBytesObject(TypeString, EncRaw, big)
		recycleString(&o)
		lo, hi := uintptr(unsafe.Pointer(&big[0])), uintptr(unsafe.Pointer(&big[0]))+200
		in := func(b []byte) bool {
			a := uintptr(unsafe.Pointer(&b[0]))
			return a >= lo && a+uintptr(cap(b)) <= hi
		}
		a := StringBytes(val('a'))
		if !in(a) {
			continue
		}
		b, c := StringBytes(val('b')), StringBytes(val('c'))
		if !in(b) || !in(c) {
			continue
		}
		for _, s := range [][]byte{a, b, c} {
			assert.Equal(t, 64, len(s))
			assert.Equal(t, 64, cap(s))
		}
		pa, pb, pc := uintptr(unsafe.Pointer(&a[0])), uintptr(unsafe.Pointer(&b[0])), uintptr(unsafe.Pointer(&c[0]))
		assert.NotEqual(t, pa, pb)
		assert.NotEqual(t, pb, pc)
		assert.NotEqual(t, pa, pc)
		assert.Equal(t, val('a'), a)
		assert.Equal(t, val('b'), b)
		assert.Equal(t, val('c'), c)
		assert.Zero(t, pooled.Load(), "192 usable bytes hold three 64-byte values, nothing left")
		d := StringBytes(val('d'))
		assert.False(t, in(d), "the pools are empty: a new buffer")
		return
	}
}

// Small leftovers and values bigger than the pooled sizes are not pooled.
func TestStringBytesLimits(t *testing.T) {
	pooled.Store(0)
	o := NewBytesObject(TypeString, EncRaw, make([]byte, 15))
	recycleString(&o)
	assert.Zero(t, pooled.Load())
	o = NewBytesObject(TypeString, EncRaw, make([]byte, poolMaxCap+1))
	recycleString(&o)
	assert.Zero(t, pooled.Load())
	big := bytes.Repeat([]byte{'z'}, poolMaxCap+1)
	assert.Equal(t, big, StringBytes(big))
}

// A SET that finds no recycled buffer with room while smaller ones wait in the pools
// (a snapshot recycled a dataset of short values): it must not pay a search per call.
func BenchmarkStringBytesNoRoom(b *testing.B) {
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	for i := 0; i < 1000; i++ {
		o := NewBytesObject(TypeString, EncRaw, make([]byte, 20))
		recycleString(&o)
	}
	v := bytes.Repeat([]byte{'v'}, 64)
	b.ReportAllocs()
	for b.Loop() {
		StringBytes(v)
	}
}
