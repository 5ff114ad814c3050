package engine

import (
	"sync"
	"unsafe"
)

// String buffers recycled from the values a snapshot wrote after they were replaced.
//
// A SET over a key the walker has not reached cannot rewrite the old value in place: the
// old bytes go to the walker (dropRec), which writes them off the lock later. The new
// value then needs a buffer of its own, and the old one becomes garbage once written: a
// 70 s BGSAVE under a SET load of 64-byte values left 200-300 MB of it, enough to bring
// a GC cycle, whose mark stalls the clients, into one walk in two or three. The walker
// puts each such buffer, once written, in a pool by its capacity; a SET that cannot
// write in place takes one of the exact size from there. Nothing else refers to a
// dropped value, so its bytes are free once its record is written.

// poolMaxCap is the largest buffer pooled: values of the size a cache keeps by the
// million; bigger ones are few, and written in steps besides.
const poolMaxCap = 256

var strPools [poolMaxCap + 1]sync.Pool // by capacity; each holds *byte of that capacity

// StringBytes returns a copy of v in a buffer of capacity len(v): a recycled one when
// there is one, else a new one (CopyBytes).
func StringBytes(v []byte) []byte {
	n := len(v)
	if n == 0 || n > poolMaxCap {
		return CopyBytes(v)
	}
	p, _ := strPools[n].Get().(*byte)
	if p == nil {
		return CopyBytes(v)
	}
	b := unsafe.Slice(p, n)
	copy(b, v)
	return b
}

// recycleString puts the buffer of a string value nothing refers to any more in the pool.
func recycleString(o *Object) {
	if o.typ != TypeString || (o.enc != EncRaw && o.enc != EncEmbstr) || o.p == nil {
		return
	}
	if c := o.c; c > 0 && c <= poolMaxCap {
		strPools[c].Put((*byte)(o.p))
	}
}
