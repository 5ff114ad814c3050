package tzset

import (
	"strings"
	"unsafe"
)

// A member of a skiplist-encoded set is two allocations: its key block (the dict entry and
// the member's bytes, K a byte array; members longer than the largest array get a string of
// their own) and its node block (the skiplist node with its levels, the levels past lv[0]
// being L, directly after the node). Redis allocates the node, the dict entry and the sds
// apart; here the entry and the member's bytes share one block, and the node, which the
// skiplist searches read, is alone in its own: nodes of one level share a size class (48
// bytes for level 1, 64 for level 2, …), so the cache lines a search misses on hold nodes
// only, and the working set of a search over a big set is less than half of what it is
// with the entry and the member bytes interleaved with the nodes. The two blocks together
// fall in the same size classes as one block holding both would (64 + 48 = 112 for a level-1
// member of up to 24 bytes).
//
// The node's member points into the key block, so the node keeps it alive; the entry's
// Value is the node. A node that moves (a score update) stays in its block.
type zmember[K any] struct {
	e   dictEntry
	key K
}

type znodeBlock[L any] struct {
	n    znode
	more L
}

// znodeBlock1 is the block of a level-1 node: the node alone.
type znodeBlock1 struct{ n znode }

// newMember allocates the blocks of a new member of the given level: the entry (Key = the
// copy of ele, Version = birth, Value = the node) is not linked yet, the node is not in a
// skiplist yet but has its level and member set.
func newMember(level int, ele string, birth uint32) (*dictEntry, *znode) {
	e := newKeyBlock(ele, birth)
	var n *znode
	switch {
	case level == 1:
		n = &new(znodeBlock1).n // not znodeBlock[[0]zlevel]: a trailing zero-size field is padded
		n.ncap = 1
	case level == 2:
		n = newNodeBlock[[1]zlevel]()
	case level == 3:
		n = newNodeBlock[[2]zlevel]()
	case level == 4:
		n = newNodeBlock[[3]zlevel]()
	case level <= 8:
		n = newNodeBlock[[7]zlevel]()
	default:
		n = newNodeBlock[[maxLevel - 1]zlevel]()
	}
	n.nlev = uint8(level)
	n.setEle(e.Key)
	e.Value = n
	return e, n
}

// newNodeBlock allocates a node with room for 1+len(L) levels (len(L) ≥ 1): 64, 80, 96,
// 160 or 544 bytes, each a Go size class.
func newNodeBlock[L any]() *znode {
	y := new(znodeBlock[L])
	y.n.ncap = uint8(1 + unsafe.Sizeof(y.more)/unsafe.Sizeof(zlevel{}))
	return &y.n
}

// newKeyBlock allocates the dict entry with a copy of ele. The key sizes put the block of a
// member of up to 8, 24, 40 or 56 bytes in Go's 48, 64, 80 or 96-byte size class (entry 40
// + key).
func newKeyBlock(ele string, birth uint32) *dictEntry {
	switch n := len(ele); {
	case n <= 8:
		return newKeyBlockK[[8]byte](ele, birth)
	case n <= 24:
		return newKeyBlockK[[24]byte](ele, birth)
	case n <= 40:
		return newKeyBlockK[[40]byte](ele, birth)
	case n <= 56:
		return newKeyBlockK[[56]byte](ele, birth)
	default:
		return newKeyBlockK[[0]byte](ele, birth)
	}
}

func newKeyBlockK[K any](ele string, birth uint32) *dictEntry {
	x := new(zmember[K])
	var key string
	if size := int(unsafe.Sizeof(x.key)); size == 0 || len(ele) == 0 {
		key = strings.Clone(ele) // ele may alias a request buffer
	} else {
		buf := unsafe.Slice((*byte)(unsafe.Pointer(&x.key)), size)[:len(ele)]
		copy(buf, ele)
		key = unsafe.String(&buf[0], len(buf))
	}
	x.e.Key, x.e.Version = key, birth
	return &x.e
}
