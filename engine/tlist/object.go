package tlist

import (
	"unsafe"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/memmodel"
	"github.com/redisctl/redisctl/rdb/listpack"
	"github.com/redisctl/redisctl/rdb/lzf"
)

func init() {
	engine.RegisterType(engine.TypeList, &engine.TypeOps{
		MemoryUsage: memoryUsage,
		Dup:         dup,
		Len:         func(o *engine.Object) int { return FromObject(o).count },
	})
}

// End is a side of a list: Left (head) or Right (tail), Redis's LIST_HEAD / LIST_TAIL.
type End uint8

// The two ends.
const (
	Left  End = 0
	Right End = 1
)

// String is the word LMOVE and BLMOVE use for the end.
func (e End) String() string {
	if e == Left {
		return "LEFT"
	}
	return "RIGHT"
}

// New returns an empty list with the engine's current list-max-listpack-size and
// list-compress-depth, as createQuicklistObject + quicklistSetOptions do when a list key
// is created.
func New(set *engine.Settings) *Quicklist {
	return NewQuicklist(set.ListMaxListpackSize, set.ListCompressDepth)
}

// NewObject wraps a quicklist as a list value (encoding quicklist).
func NewObject(ql *Quicklist) engine.Object {
	return engine.NewPtrObject(engine.TypeList, engine.EncQuicklist, unsafe.Pointer(ql))
}

// FromObject returns the quicklist of a list value.
func FromObject(o *engine.Object) *Quicklist { return (*Quicklist)(o.Ptr()) }

// FromElements builds a list by pushing each element at the tail, as RESTORE and RDB load
// of the old list encodings do (quicklistPushTail for each). Elements are copied.
func FromElements(set *engine.Settings, elems [][]byte) *Quicklist {
	ql := New(set)
	for _, v := range elems {
		ql.PushTail(v)
	}
	return ql
}

// NodeData is one node as RDB quicklist 2 stores it: a listpack (Plain false) or one
// element (Plain true).
type NodeData struct {
	Data  []byte
	Plain bool
}

// FromNodes builds a list from RDB quicklist 2 nodes, taking ownership of their bytes
// (quicklistAppendListpack / quicklistAppendPlainNode). Listpacks must be valid (checked
// by the caller, as rdbLoadObject does); empty listpacks are skipped as Redis does.
func FromNodes(set *engine.Settings, nodes []NodeData) *Quicklist {
	ql := New(set)
	for _, n := range nodes {
		if n.Plain {
			ql.AppendPlain(n.Data)
			continue
		}
		if listpack.Len(n.Data) == 0 {
			continue
		}
		ql.AppendListpack(n.Data)
	}
	return ql
}

// Each calls fn for every element from head to tail and stops when fn returns false.
// s aliases the list (or a temporary buffer for a compressed node) and is valid only
// during the call. Each never changes the list, compression state included.
func (ql *Quicklist) Each(fn func(s []byte, n int64, isInt bool) bool) {
	for node := ql.head; node != nil; node = node.next {
		data := node.entry
		if node.lzf {
			out, err := lzf.Decompress(make([]byte, node.sz), node.entry)
			if err != nil {
				return
			}
			data = out
		}
		if node.plain {
			if !fn(data, 0, false) {
				return
			}
			continue
		}
		for off := listpack.First(data); off >= 0; off = listpack.Next(data, off) {
			s, n, isInt := listpack.Get(data, off)
			if !fn(s, n, isInt) {
				return
			}
		}
	}
}

// NodeView is one node as RDB save writes it (rdbSaveObject, quicklist 2): Data is the
// listpack or the plain element, or its LZF form when Compressed (then RawLen is the
// uncompressed length, as rdbSaveLzfBlob needs).
type NodeView struct {
	Data       []byte
	RawLen     int
	Count      int
	Plain      bool
	Compressed bool
	Copy       bool // a hold's copy of a node changed or unlinked since (NextHeld)
}

// Nodes calls fn for every node from head to tail; Data aliases the list and must not be
// changed or kept.
func (ql *Quicklist) Nodes(fn func(n NodeView) bool) {
	for node := ql.head; node != nil; node = node.next {
		if !fn(NodeView{Data: node.entry, RawLen: node.sz, Count: node.count,
			Plain: node.plain, Compressed: node.lzf}) {
			return
		}
	}
}

// allocSize is zmalloc_size(node->entry): listpacks and plain elements are allocated at
// their exact size, an LZF node as a quicklistLZF (size_t length + data, 7.0's 8+N bytes).
func (n *Node) allocSize() int {
	if n.lzf {
		return memmodel.Class(8 + len(n.entry))
	}
	return memmodel.Class(n.sz)
}

// memoryUsage is objectComputeSize for OBJ_ENCODING_QUICKLIST: the average of the first
// samples nodes (node struct + entry allocation) times the node count.
func memoryUsage(_ *engine.Engine, o *engine.Object, samples int) int {
	ql := FromObject(o)
	asize := memmodel.RobjSize + memmodel.QuicklistSize
	node := ql.head
	if node == nil {
		return asize
	}
	elesize, n := 0, 0
	for {
		elesize += memmodel.QuicklistNodeSize + node.allocSize()
		n++
		node = node.next
		if node == nil || n >= samples {
			break
		}
	}
	return int(float64(asize) + float64(elesize)/float64(n)*float64(ql.len))
}

func dup(o *engine.Object) engine.Object { return NewObject(FromObject(o).Dup()) }
