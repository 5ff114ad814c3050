package engine

import (
	"sync"
	"sync/atomic"
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
// write in place takes its bytes from there (StringBytes). Nothing else refers to a
// dropped value, so its bytes are free once its record is written.

// poolMaxCap is the largest buffer pooled: values of the size a cache keeps by the
// million; bigger ones are few, and written in steps besides.
const poolMaxCap = 256

// poolClass is the width of a pool's capacities: pool k holds buffers of capacity 16k to
// 16k+15, so one of them has room for any value of up to 16k bytes.
const poolClass = 16

var strPools [poolMaxCap/poolClass + 1]sync.Pool // by capacity class; each holds *byte

// pooled counts the buffers put and not taken since: a hint that spares a SET the search
// of empty pools when no snapshot recycled anything (a GC cycle may empty them too; a
// search that finds nothing sets it to 0).
var pooled atomic.Int64

// StringBytes returns a copy of v in a buffer of capacity len(v): the front of a recycled
// one when there is one, else a new one (CopyBytes). A recycled buffer is taken from the
// smallest class whose buffers all have room; what this value leaves of it, a class's
// worth or more, goes back to its pool for another. So the old values of every size serve
// the new ones (a SET load of 64-byte values over a dataset of 16-250-byte strings left
// the old buffers unused in pools of other sizes: the first walk grew the heap by their
// replacements, 180-210 MB; now 54 MB). The price: a value carved from a buffer keeps all
// of it alive (Go frees an allocation whole), at most poolMaxCap bytes, until the value
// is replaced during a walk and its part goes back to a pool.
func StringBytes(v []byte) []byte {
	n := len(v)
	if n == 0 || n > poolMaxCap || pooled.Load() <= 0 {
		return CopyBytes(v)
	}
	for k := (n + poolClass - 1) / poolClass; k < len(strPools); k++ {
		p, _ := strPools[k].Get().(*byte)
		if p == nil {
			continue
		}
		pooled.Add(-1)
		if rest := k*poolClass - n; rest >= poolClass {
			putBuffer(unsafe.Add(unsafe.Pointer(p), n), rest)
		}
		b := unsafe.Slice(p, n) // capacity n: nothing writes past it into the rest
		copy(b, v)
		return b
	}
	pooled.Store(0)
	return CopyBytes(v)
}

// putBuffer pools c bytes at p (part of a buffer nothing else uses), by capacity class.
func putBuffer(p unsafe.Pointer, c int) {
	if c < poolClass || c > poolMaxCap {
		return // too small to serve a value of the smallest class searched
	}
	strPools[c/poolClass].Put((*byte)(p))
	pooled.Add(1)
}

// recycleString puts the buffer of a string value nothing refers to any more in the pool.
func recycleString(o *Object) {
	if o.typ != TypeString || (o.enc != EncRaw && o.enc != EncEmbstr) || o.p == nil {
		return
	}
	putBuffer(o.p, int(o.c))
}
