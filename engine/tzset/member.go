package tzset

import (
	"strings"
	"unsafe"
)

// zmember is the single allocation behind one member of a skiplist-encoded set: the dict
// entry, the member's bytes (K, a byte array; members longer than the largest array get a
// string of their own) and the skiplist node with its levels (the levels past lv[0] are
// L, directly after the node). Redis allocates the node, the dict entry and the sds apart;
// here a lookup that finds the entry finds the member and the node's score a few bytes
// away, and the garbage collector has one object per member to mark instead of two.
//
// The block lives as long as the dict entry or the node is referenced; the entry's Key and
// the node's member point into it. A node that moves (a score update) stays in its block.
type zmember[K, L any] struct {
	e    dictEntry
	key  K
	n    znode
	more L
}

// newMember allocates the block of a new member of the given level: the entry (Key = the
// copy of ele, Version = birth, Value = the node) is not linked yet, the node is not in a
// skiplist yet but has its level and member set.
func newMember(level int, ele string, birth uint32) (*dictEntry, *znode) {
	switch {
	case level == 1:
		return newMemberL[[0]zlevel](level, ele, birth)
	case level == 2:
		return newMemberL[[1]zlevel](level, ele, birth)
	case level == 3:
		return newMemberL[[2]zlevel](level, ele, birth)
	case level == 4:
		return newMemberL[[3]zlevel](level, ele, birth)
	case level <= 8:
		return newMemberL[[7]zlevel](level, ele, birth)
	default:
		return newMemberL[[maxLevel - 1]zlevel](level, ele, birth)
	}
}

// The key sizes put a level-1 block of a member of up to 8, 24, 40 or 56 bytes in Go's
// 96, 112, 128 or 144-byte size class (entry 40 + key + node 48).
func newMemberL[L any](level int, ele string, birth uint32) (*dictEntry, *znode) {
	switch n := len(ele); {
	case n <= 8:
		return newMemberKL[[8]byte, L](level, ele, birth)
	case n <= 24:
		return newMemberKL[[24]byte, L](level, ele, birth)
	case n <= 40:
		return newMemberKL[[40]byte, L](level, ele, birth)
	case n <= 56:
		return newMemberKL[[56]byte, L](level, ele, birth)
	default:
		return newMemberKL[[0]byte, L](level, ele, birth)
	}
}

func newMemberKL[K, L any](level int, ele string, birth uint32) (*dictEntry, *znode) {
	x := new(zmember[K, L])
	var key string
	if size := int(unsafe.Sizeof(x.key)); size == 0 || len(ele) == 0 {
		key = strings.Clone(ele) // ele may alias a request buffer
	} else {
		buf := unsafe.Slice((*byte)(unsafe.Pointer(&x.key)), size)[:len(ele)]
		copy(buf, ele)
		key = unsafe.String(&buf[0], len(buf))
	}
	e, n := &x.e, &x.n
	n.ncap = uint8(1 + unsafe.Sizeof(x.more)/unsafe.Sizeof(zlevel{}))
	n.nlev = uint8(level)
	n.setEle(key)
	e.Key, e.Value, e.Version = key, n, birth
	return e, n
}
