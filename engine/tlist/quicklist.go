package tlist

import (
	"encoding/binary"
	"math"
	"slices"
	"sync/atomic"
	"unsafe"

	"github.com/redisctl/redisctl/rdb/listpack"
	"github.com/redisctl/redisctl/rdb/lzf"
)

// Limits and tuning constants of Redis 7.0's quicklist.c.
const (
	fillMax              = 1<<15 - 1 // FILL_MAX: QL_FILL_BITS is 16, one bit for the sign
	fillMin              = -5
	compressMax          = 1<<16 - 1 // COMPRESS_MAX: QL_COMP_BITS is 16
	sizeSafetyLimit      = 8192      // SIZE_SAFETY_LIMIT
	sizeEstimateOverhead = 8         // SIZE_ESTIMATE_OVERHEAD
	minCompressBytes     = 48        // MIN_COMPRESS_BYTES
	minCompressImprove   = 8         // MIN_COMPRESS_IMPROVE
	defaultPackedLimit   = 1 << 30
	lpEmptySize          = listpack.HeaderSize + 1
)

// optimizationLevel is the node size limit for fill -1 … -5.
var optimizationLevel = [...]int{4096, 8192, 16384, 32768, 65536}

// packedThreshold is quicklist.c's packed_threshold: elements of at least this many bytes
// live alone in a PLAIN node. Like Redis it is process-wide.
var packedThreshold atomic.Int64

func init() { packedThreshold.Store(defaultPackedLimit) }

// SetPackedThreshold is quicklistisSetPackedThreshold (DEBUG QUICKLIST-PACKED-THRESHOLD):
// 0 restores the 1 GB default; a value above 4 GB - 1 MB is refused (false).
func SetPackedThreshold(sz uint64) bool {
	if sz > 1<<32-1<<20 {
		return false
	}
	if sz == 0 {
		sz = defaultPackedLimit
	}
	packedThreshold.Store(int64(sz))
	return true
}

// PackedThreshold is the current PLAIN-node threshold in bytes.
func PackedThreshold() int64 { return packedThreshold.Load() }

func isLarge(sz int) bool { return int64(sz) >= packedThreshold.Load() }

// Node is a quicklistNode: a listpack of elements (PACKED) or one large element (PLAIN),
// either of them possibly held LZF-compressed.
type Node struct {
	prev, next *Node
	// entry is the listpack, the plain element, or (lzf) their LZF-compressed form.
	entry []byte
	// base and room: the head node's listpack may sit room bytes into the block that base
	// starts, so that a push at the head moves the 6-byte header instead of every entry
	// (prepend). Valid only while entry still starts at base+room; only the head node
	// sets them, and paths that give entry a new block drop them (dropBase).
	base         *byte
	room         int
	sz           int // bytes of the uncompressed entry
	count        int // elements in this node
	plain        bool
	lzf          bool
	recompress   bool
	dontCompress bool
	// ver is the hold stamp (held.go).
	ver uint32
}

// Quicklist is Redis 7.0's quicklist: a doubly linked list of nodes with the fill and
// compression depth fixed when the list was created (quicklistSetOptions).
type Quicklist struct {
	head, tail *Node
	count      int // elements
	len        int // nodes
	fill       int32
	compress   int32
	// hold is the copy-on-write of a reader writing the nodes out in steps (held.go). With
	// it the struct is 48 bytes, a Go size class, as it was without it.
	hold *qlHold
}

// NewQuicklist returns an empty quicklist with Redis's clamping of the options
// (quicklistNew): fill in [-5, 32767], compress depth in [0, 65535].
func NewQuicklist(fill, compress int) *Quicklist {
	if fill > fillMax {
		fill = fillMax
	} else if fill < fillMin {
		fill = fillMin
	}
	if compress > compressMax {
		compress = compressMax
	} else if compress < 0 {
		compress = 0
	}
	return &Quicklist{fill: int32(fill), compress: int32(compress)}
}

// Len is the number of elements.
func (ql *Quicklist) Len() int { return ql.count }

// NodeCount is the number of nodes.
func (ql *Quicklist) NodeCount() int { return ql.len }

// Fill is the list's list-max-listpack-size.
func (ql *Quicklist) Fill() int { return int(ql.fill) }

// CompressDepth is the list's list-compress-depth.
func (ql *Quicklist) CompressDepth() int { return int(ql.compress) }

// ---- compression ------------------------------------------------------------------------

// compressRaw is __quicklistCompressNode.
func (n *Node) compressRaw() bool {
	if n.dontCompress {
		return false
	}
	n.recompress = false
	if n.sz < minCompressBytes {
		return false
	}
	n.dropBase()
	buf := make([]byte, n.sz)
	c := lzf.Compress(buf, n.entry)
	if c == 0 || c+minCompressImprove >= n.sz {
		return false
	}
	n.entry = slices.Clone(buf[:c])
	n.lzf = true
	return true
}

// decompressRaw is __quicklistDecompressNode.
func (n *Node) decompressRaw() bool {
	n.recompress = false
	out, err := lzf.Decompress(make([]byte, n.sz), n.entry)
	if err != nil || len(out) != n.sz {
		return false
	}
	n.entry = out
	n.lzf = false
	return true
}

// compressNode is the quicklistCompressNode macro.
func compressNode(n *Node) {
	if n != nil && !n.lzf {
		n.compressRaw()
	}
}

// decompressNode is the quicklistDecompressNode macro.
func decompressNode(n *Node) {
	if n != nil && n.lzf {
		n.decompressRaw()
	}
}

// decompressForUse is quicklistDecompressNodeForUse.
func decompressForUse(n *Node) {
	if n != nil && n.lzf {
		n.decompressRaw()
		n.recompress = true
	}
}

// compressAround is __quicklistCompress: keep the depth nodes at both ends raw, compress
// node if it is inside, and the first node past the depth on each side.
func (ql *Quicklist) compressAround(node *Node) {
	if ql.len == 0 {
		return
	}
	if ql.compress == 0 || ql.len < int(ql.compress)*2 {
		return
	}
	fwd, rev := ql.head, ql.tail
	inDepth := false
	for depth := 0; depth < int(ql.compress); depth++ {
		decompressNode(fwd)
		decompressNode(rev)
		if fwd == node || rev == node {
			inDepth = true
		}
		if fwd == rev || fwd.next == rev {
			return
		}
		fwd, rev = fwd.next, rev.prev
	}
	if !inDepth {
		compressNode(node)
	}
	compressNode(fwd)
	compressNode(rev)
}

// compressNodeOf is the quicklistCompress macro.
func (ql *Quicklist) compressNodeOf(n *Node) {
	if n.recompress {
		compressNode(n)
	} else {
		ql.compressAround(n)
	}
}

// recompressOnly is quicklistRecompressOnly.
func recompressOnly(n *Node) {
	if n.recompress {
		compressNode(n)
	}
}

// ---- node list ----------------------------------------------------------------------------

// insertNode is __quicklistInsertNode.
func (ql *Quicklist) insertNode(old, nn *Node, after bool) {
	if ql.hold != nil {
		nn.ver = ql.hold.token // not the holder's
	}
	if after {
		nn.prev = old
		if old != nil {
			nn.next = old.next
			if old.next != nil {
				old.next.prev = nn
			}
			old.next = nn
		}
		if ql.tail == old {
			ql.tail = nn
		}
	} else {
		nn.next = old
		if old != nil {
			nn.prev = old.prev
			if old.prev != nil {
				old.prev.next = nn
			}
			old.prev = nn
		}
		if ql.head == old {
			ql.head = nn
			if old != nil {
				old.dropBase() // only the head keeps room in front
			}
		}
	}
	if ql.len == 0 {
		ql.head, ql.tail = nn, nn
	}
	ql.len++
	if old != nil {
		ql.compressNodeOf(old)
	}
	ql.compressNodeOf(nn)
}

// delNode is __quicklistDelNode.
func (ql *Quicklist) delNode(n *Node) {
	if ql.hold != nil {
		ql.hold.unlinked(n)
	}
	if n.next != nil {
		n.next.prev = n.prev
	}
	if n.prev != nil {
		n.prev.next = n.next
	}
	if n == ql.tail {
		ql.tail = n.prev
	}
	if n == ql.head {
		ql.head = n.next
	}
	ql.len--
	ql.count -= n.count
	ql.compressAround(nil)
	n.entry = nil
	n.dropBase()
}

func sizeMeetsOptimization(sz, fill int) bool {
	if fill >= 0 {
		return false
	}
	off := -fill - 1
	if off < len(optimizationLevel) {
		return sz <= optimizationLevel[off]
	}
	return false
}

// allowInsert is _quicklistNodeAllowInsert.
func allowInsert(n *Node, fill, sz int) bool {
	if n == nil {
		return false
	}
	if n.plain || isLarge(sz) {
		return false
	}
	newSz := n.sz + sz + sizeEstimateOverhead
	if sizeMeetsOptimization(newSz, fill) {
		return true
	}
	if newSz > sizeSafetyLimit {
		return false
	}
	return n.count < fill
}

// allowMerge is _quicklistNodeAllowMerge.
func allowMerge(a, b *Node, fill int) bool {
	if a == nil || b == nil {
		return false
	}
	if a.plain || b.plain {
		return false
	}
	mergeSz := a.sz + b.sz - 11
	if sizeMeetsOptimization(mergeSz, fill) {
		return true
	}
	if mergeSz > sizeSafetyLimit {
		return false
	}
	return a.count+b.count <= fill
}

// fit gives back the spare capacity of a listpack that shrank a lot, so a drained node
// does not pin its peak size (Redis reallocs on every shrink).
func fit(lp []byte) []byte {
	if c := cap(lp); c > 256 && c > 4*len(lp) {
		return slices.Clone(lp)
	}
	return lp
}

// hasRoom reports whether base and room still describe entry's block.
func (n *Node) hasRoom() bool {
	return n.base != nil && len(n.entry) > 0 &&
		unsafe.SliceData(n.entry) == (*byte)(unsafe.Add(unsafe.Pointer(n.base), n.room))
}

func (n *Node) dropBase() { n.base, n.room = nil, 0 }

// lpInteger reports whether a listpack stores v as an integer (a canonical int64).
func lpInteger(v []byte) bool {
	if len(v) == 0 || (v[0] != '-' && (v[0] < '0' || v[0] > '9')) {
		return false
	}
	_, ok := listpack.ParseInt(v)
	return ok
}

// prepend is lpPrepend for the head node. Redis moves every entry back to make room at
// the front; here the listpack sits at the end of its block with free room before it,
// so only the 6-byte header moves, and a block is reallocated (with room in front, sized
// as append grows a slice) only when the room runs out. The bytes are
// exactly those lpPrepend gives. Elements too long for the stack scratch take the plain
// path.
func (n *Node) prepend(v []byte) []byte {
	if size := 2 + len(v); len(v) < 64 && n.hasRoom() && n.room >= size && !lpInteger(v) {
		// The common case, written in place: a string of under 64 bytes (6-bit length
		// encoding 0b10LLLLLL, the bytes, a one-byte backlen: the entry's length without it)
		// into the room in front, the header moved before it.
		lp := n.entry
		start := n.room - size
		full := unsafe.Slice(n.base, n.room+cap(lp))
		out := full[start : n.room+len(lp)]
		copy(out[:listpack.HeaderSize], lp[:listpack.HeaderSize])
		e := out[listpack.HeaderSize : listpack.HeaderSize+size]
		e[0] = 0x80 | byte(len(v))
		copy(e[1:], v)
		e[size-1] = byte(1 + len(v))
		binary.LittleEndian.PutUint32(out, uint32(len(out)))
		if c := listpack.HeaderCount(out); c != listpack.CountUnknown {
			binary.LittleEndian.PutUint16(out[4:], uint16(c+1)) // 65535 reads as unknown, as in Redis
		}
		n.room = start
		return out
	}
	var scratch [64]byte
	var enc []byte
	if len(v) < 64 && !lpInteger(v) {
		// A string of under 64 bytes: 6-bit length encoding (0b10LLLLLL), the bytes, and a
		// one-byte backlen (the entry's length without it).
		enc = append(scratch[:0], 0x80|byte(len(v)))
		enc = append(enc, v...)
		enc = append(enc, byte(1+len(v)))
	} else {
		size := listpack.EntrySize(v)
		if size > len(scratch)-lpEmptySize {
			n.dropBase()
			return listpack.Prepend(n.entry, v)
		}
		// The entry's bytes as a one-entry listpack encodes them (integers, mostly).
		one := scratch[:lpEmptySize]
		binary.LittleEndian.PutUint32(one, lpEmptySize)
		binary.LittleEndian.PutUint16(one[4:], 0)
		one[listpack.HeaderSize] = 0xFF
		one = listpack.Append(one, v)
		enc = one[listpack.HeaderSize : listpack.HeaderSize+size]
	}
	size := len(enc)

	lp := n.entry
	if !n.hasRoom() || n.room < size {
		// A new block: the listpack at its end, room in front.
		need := len(lp) + size
		grow := need // append's growth: double small blocks, then a quarter more
		if need > 256 {
			grow = (need + 3*256) / 4
		}
		full := make([]byte, need+grow)
		room := len(full) - len(lp)
		copy(full[room:], lp)
		n.base, n.room = &full[0], room
		lp = full[room:]
	}
	full := unsafe.Slice(n.base, n.room+cap(lp))
	start := n.room - size
	copy(full[start:start+listpack.HeaderSize], lp[:listpack.HeaderSize])
	copy(full[start+listpack.HeaderSize:], enc)
	total := len(lp) + size
	out := full[start : start+total]
	binary.LittleEndian.PutUint32(out, uint32(total))
	if c := listpack.HeaderCount(out); c != listpack.CountUnknown {
		binary.LittleEndian.PutUint16(out[4:], uint16(c+1)) // 65535 reads as unknown, as in Redis
	}
	n.room = start
	return out
}

func newPackedNode(v []byte) *Node {
	lp := make([]byte, lpEmptySize, lpEmptySize+listpack.EntrySize(v))
	copy(lp, listpack.New())
	lp = listpack.Append(lp, v)
	return &Node{entry: lp, sz: len(lp), count: 1}
}

func newPlainNode(v []byte) *Node {
	return &Node{entry: slices.Clone(v), sz: len(v), count: 1, plain: true}
}

// insertPlainNode is __quicklistInsertPlainNode.
func (ql *Quicklist) insertPlainNode(old *Node, v []byte, after bool) {
	ql.insertNode(old, newPlainNode(v), after)
	ql.count++
}

// PushHead is quicklistPushHead: it reports whether a new head node was created.
func (ql *Quicklist) PushHead(v []byte) bool {
	orig := ql.head
	if isLarge(len(v)) {
		ql.insertPlainNode(ql.head, v, false)
		return true
	}
	if allowInsert(ql.head, int(ql.fill), len(v)) {
		h := ql.head
		ql.beforeChange(h)
		h.entry = h.prepend(v)
		h.sz = len(h.entry)
		h.count++
	} else {
		n := newPackedNode(v)
		if h := ql.head; h != nil && ql.len >= presizeMinNodes && !h.plain {
			n.reserveFront(ql.headBlockSize(h))
		}
		ql.insertNode(ql.head, n, false)
	}
	ql.count++
	return orig != ql.head
}

// presizeMinNodes is how many nodes a list needs before a new head node gets a block sized
// for a full node at once (reserveFront): a list that big is being filled from the head,
// and its data dwarfs the one block not yet full.
const presizeMinNodes = 4

// headBlockSize is the block a new head node gets when the list's head is full: the node
// size limit of a size-based fill (the node fills to just under it), otherwise the size the
// full head h reached.
func (ql *Quicklist) headBlockSize(h *Node) int {
	if f := int(ql.fill); f < 0 && -f-1 < len(optimizationLevel) {
		return optimizationLevel[-f-1]
	}
	return h.sz
}

// reserveFront moves the node's listpack to the end of a new block of size bytes, the rest
// being room in front for prepend, so that a head node filled one LPUSH at a time is not
// reallocated and copied as it grows (about five bytes copied per byte pushed, with
// append's growth), and keeps little spare room once full. Nothing happens when size leaves
// no room.
func (n *Node) reserveFront(size int) {
	lp := n.entry
	if size <= len(lp) {
		return
	}
	full := make([]byte, size)
	room := size - len(lp)
	copy(full[room:], lp)
	n.base, n.room = &full[0], room
	n.entry = full[room:]
}

// PushTail is quicklistPushTail: it reports whether a new tail node was created.
func (ql *Quicklist) PushTail(v []byte) bool {
	orig := ql.tail
	if isLarge(len(v)) {
		ql.insertPlainNode(ql.tail, v, true)
		return true
	}
	if allowInsert(ql.tail, int(ql.fill), len(v)) {
		t := ql.tail
		ql.beforeChange(t)
		if t.base != nil {
			t.dropBase() // Append may move the bytes to a new block
		}
		t.entry = listpack.Append(t.entry, v)
		t.sz = len(t.entry)
		t.count++
	} else {
		ql.insertNode(ql.tail, newPackedNode(v), true)
	}
	ql.count++
	return orig != ql.tail
}

// Push adds v at the head (LEFT) or the tail (RIGHT).
func (ql *Quicklist) Push(v []byte, where End) {
	if where == Left {
		ql.PushHead(v)
	} else {
		ql.PushTail(v)
	}
}

// AppendListpack is quicklistAppendListpack: lp (a valid listpack, now owned by the list)
// becomes a new tail node as is, for RDB loading.
func (ql *Quicklist) AppendListpack(lp []byte) {
	n := &Node{entry: lp, sz: len(lp), count: listpack.SyncLen(lp)}
	ql.insertNode(ql.tail, n, true)
	ql.count += n.count
}

// AppendPlain is quicklistAppendPlainNode: one element (now owned by the list) as a PLAIN
// tail node, for RDB loading.
func (ql *Quicklist) AppendPlain(v []byte) {
	n := &Node{entry: v, sz: len(v), count: 1, plain: true}
	ql.insertNode(ql.tail, n, true)
	ql.count++
}

// delIndex is quicklistDelIndex for the entry at byte offset off; it reports whether the
// whole node went away.
func (ql *Quicklist) delIndex(n *Node, off int) bool {
	if n.plain {
		ql.delNode(n)
		return true
	}
	ql.beforeChange(n)
	n.entry = listpack.Delete(n.entry, off)
	n.count--
	gone := false
	if n.count == 0 {
		gone = true
		ql.delNode(n)
	} else {
		n.entry = fit(n.entry)
		n.sz = len(n.entry)
		if n.base != nil && !n.hasRoom() {
			n.dropBase() // fit moved the bytes: let the old block go
		}
	}
	ql.count--
	return gone
}

// Peek returns the first (Left) or last (Right) element without removing it. s aliases
// the list when !isInt. The end nodes are never compressed.
func (ql *Quicklist) Peek(where End) (s []byte, n int64, isInt bool, ok bool) {
	node := ql.head
	if where == Right {
		node = ql.tail
	}
	if node == nil {
		return nil, 0, false, false
	}
	if node.lzf {
		decompressNode(node) // never happens: Redis asserts the ends are raw
	}
	if node.plain {
		return node.entry, 0, false, true
	}
	var off int
	if where == Left {
		off = listpack.First(node.entry)
	} else {
		off = listpack.Last(node.entry)
	}
	s, n, isInt = listpack.Get(node.entry, off)
	return s, n, isInt, true
}

// Pop removes the first (Left) or last (Right) element (quicklistPopCustom without the
// saver: read it with Peek first). It reports whether there was one.
func (ql *Quicklist) Pop(where End) bool {
	if ql.count == 0 {
		return false
	}
	node := ql.head
	if where == Right {
		node = ql.tail
	}
	if node == nil {
		return false
	}
	decompressNode(node)
	if node.plain {
		ql.delIndex(node, 0)
		return true
	}
	off := listpack.First(node.entry)
	if where == Right {
		off = listpack.Last(node.entry)
	}
	ql.delIndex(node, off)
	return true
}

// ---- merge and split ----------------------------------------------------------------------

// mergeListpacks is lpMerge's result: a's entries then b's, with lpMerge's count header.
func mergeListpacks(a, b []byte) []byte {
	na, nb := listpack.SyncLen(a), listpack.SyncLen(b)
	out := make([]byte, 0, len(a)+len(b)-lpEmptySize)
	out = append(out, a[:len(a)-1]...)
	out = append(out, b[listpack.HeaderSize:]...)
	binary.LittleEndian.PutUint32(out, uint32(len(out)))
	cnt := na + nb
	if cnt > listpack.CountUnknown {
		cnt = listpack.CountUnknown
	}
	binary.LittleEndian.PutUint16(out[4:], uint16(cnt))
	return out
}

// listpackMerge is _quicklistListpackMerge (a is left of b). lpMerge keeps the larger
// listpack, so the node that survives is the larger one (the first on a tie).
func (ql *Quicklist) listpackMerge(a, b *Node) *Node {
	decompressNode(a)
	decompressNode(b)
	merged := mergeListpacks(a.entry, b.entry)
	keep, nokeep := a, b
	if a.sz < b.sz {
		keep, nokeep = b, a
	}
	ql.beforeChange(keep)
	ql.beforeChange(nokeep) // its copy is taken with its count, before the count goes
	keep.entry = merged
	keep.count = listpack.SyncLen(merged)
	keep.sz = len(merged)
	nokeep.count = 0
	ql.delNode(nokeep)
	ql.compressNodeOf(keep)
	return keep
}

// mergeNodes is _quicklistMergeNodes.
func (ql *Quicklist) mergeNodes(center *Node) {
	fill := int(ql.fill)
	var prev, prevPrev, next, nextNext *Node
	if center.prev != nil {
		prev = center.prev
		prevPrev = center.prev.prev
	}
	if center.next != nil {
		next = center.next
		nextNext = center.next.next
	}
	if allowMerge(prev, prevPrev, fill) {
		ql.listpackMerge(prevPrev, prev)
	}
	if allowMerge(next, nextNext, fill) {
		ql.listpackMerge(next, nextNext)
	}
	var target *Node
	if allowMerge(center, center.prev, fill) {
		target = ql.listpackMerge(center.prev, center)
	} else {
		target = center
	}
	if allowMerge(target, target.next, fill) {
		ql.listpackMerge(target, target.next)
	}
}

// extent converts quicklist.c's "-1 = to the end" range lengths (unsigned long) for
// DeleteRange.
func extent(n int) int {
	if n < 0 {
		return math.MaxInt
	}
	return n
}

// splitNode is _quicklistSplitNode. offset may be negative (counting from the node's end),
// as iterators positioned by a negative index produce; it is made positive first.
func (ql *Quicklist) splitNode(node *Node, offset int, after bool) *Node {
	nn := &Node{entry: slices.Clone(node.entry)}
	if offset < 0 {
		offset += node.count // a positive offset for the extents below
	}
	var origStart, origExtent, newStart, newExtent int
	if after {
		origStart, origExtent, newStart, newExtent = offset+1, -1, 0, offset+1
	} else {
		origStart, origExtent, newStart, newExtent = 0, offset, offset, -1
	}
	ql.beforeChange(node) // nn is new: linked in later, and stamped then
	node.entry = fit(listpack.DeleteRange(node.entry, origStart, extent(origExtent)))
	node.count = listpack.SyncLen(node.entry)
	node.sz = len(node.entry)
	nn.entry = fit(listpack.DeleteRange(nn.entry, newStart, extent(newExtent)))
	nn.count = listpack.SyncLen(nn.entry)
	nn.sz = len(nn.entry)
	return nn
}

// ---- iterators ------------------------------------------------------------------------------

// Iteration directions (AL_START_HEAD, AL_START_TAIL).
const (
	fromHead = 0 // head to tail
	fromTail = 1 // tail to head
)

// iter is quicklistIter. zi is the byte offset of the current entry in the node's
// listpack (0 for a plain node), -1 for none.
type iter struct {
	ql      *Quicklist
	current *Node
	zi      int
	offset  int
	dir     int
}

// entry is quicklistEntry with the value decoded.
type entry struct {
	node   *Node
	zi     int
	offset int
	s      []byte
	n      int64
	isInt  bool
}

func (ql *Quicklist) iterator(dir int) iter {
	it := iter{ql: ql, zi: -1, dir: dir}
	if dir == fromHead {
		it.current, it.offset = ql.head, 0
	} else {
		it.current, it.offset = ql.tail, -1
	}
	return it
}

// iteratorAtIdx is quicklistGetIteratorAtIdx: positioned at element idx (negative from
// the tail), walking from the nearer end.
func (ql *Quicklist) iteratorAtIdx(dir int, idx int64) (iter, bool) {
	forward := idx >= 0
	var index uint64
	if forward {
		index = uint64(idx)
	} else {
		index = uint64(-idx - 1)
	}
	count := uint64(ql.count)
	if index >= count {
		return iter{}, false
	}
	seekForward, seekIndex := forward, index
	if index > (count-1)/2 {
		seekForward = !forward
		seekIndex = count - 1 - index
	}
	n := ql.head
	if !seekForward {
		n = ql.tail
	}
	var accum uint64
	for n != nil {
		if accum+uint64(n.count) > seekIndex {
			break
		}
		accum += uint64(n.count)
		if seekForward {
			n = n.next
		} else {
			n = n.prev
		}
	}
	if n == nil {
		return iter{}, false
	}
	if seekForward != forward {
		accum = count - uint64(n.count) - accum
	}
	it := ql.iterator(dir)
	it.current = n
	if forward {
		it.offset = int(index - accum)
	} else {
		it.offset = int(-index - 1 + accum)
	}
	return it, true
}

// release is quicklistReleaseIterator.
func (it *iter) release() {
	if it.current != nil {
		it.ql.compressNodeOf(it.current)
	}
}

// reset is resetIterator.
func (it *iter) reset() {
	it.current = nil
	it.zi = -1
}

// next is quicklistNext.
func (it *iter) next(e *entry) bool {
	for {
		*e = entry{node: it.current, zi: -1}
		cur := it.current
		if cur == nil {
			return false
		}
		plain := cur.plain
		switch {
		case it.zi < 0:
			decompressForUse(cur)
			if plain {
				it.zi = 0
			} else {
				it.zi, _ = listpack.Seek(cur.entry, it.offset)
			}
		case plain:
			it.zi = -1
		case it.dir == fromHead:
			it.zi = listpack.Next(cur.entry, it.zi)
			it.offset++
		default:
			it.zi = listpack.Prev(cur.entry, it.zi)
			it.offset--
		}
		e.zi, e.offset = it.zi, it.offset
		if it.zi >= 0 {
			if plain {
				e.s = cur.entry
			} else {
				e.s, e.n, e.isInt = listpack.Get(cur.entry, it.zi)
			}
			return true
		}
		it.ql.compressNodeOf(cur)
		if it.dir == fromHead {
			it.current, it.offset = cur.next, 0
		} else {
			it.current, it.offset = cur.prev, -1
		}
		it.zi = -1
	}
}

// delEntry is quicklistDelEntry.
func (it *iter) delEntry(e *entry) {
	prev, next := e.node.prev, e.node.next
	deleted := it.ql.delIndex(e.node, e.zi)
	it.zi = -1
	if deleted {
		if it.dir == fromHead {
			it.current, it.offset = next, 0
		} else {
			it.current, it.offset = prev, -1
		}
	}
}

// equal is quicklistCompare: a plain element compares bytes; a packed one compares as
// lpCompare (an integer entry equals v when v parses to the same integer).
func (e *entry) equal(v []byte, vi int64, vIsInt bool) bool {
	if e.node.plain {
		return string(e.s) == string(v)
	}
	if e.isInt {
		return vIsInt && vi == e.n
	}
	return string(e.s) == string(v)
}

// ---- insert, replace, delete range -------------------------------------------------------

// insert is _quicklistInsert: v goes after (or before) the entry e found by it.
func (ql *Quicklist) insert(it *iter, e *entry, v []byte, after bool) {
	sz := len(v)
	fill := int(ql.fill)
	node := e.node
	if node == nil {
		if isLarge(sz) {
			ql.insertPlainNode(ql.tail, v, after)
			return
		}
		nn := newPackedNode(v)
		ql.insertNode(nil, nn, after)
		ql.count++
		return
	}
	full, atTail, atHead, availNext, availPrev := false, false, false, false, false
	if !allowInsert(node, fill, sz) {
		full = true
	}
	if after && (e.offset == node.count-1 || e.offset == -1) {
		atTail = true
		if allowInsert(node.next, fill, sz) {
			availNext = true
		}
	}
	if !after && (e.offset == 0 || e.offset == -node.count) {
		atHead = true
		if allowInsert(node.prev, fill, sz) {
			availPrev = true
		}
	}
	if isLarge(sz) {
		if node.plain || (atTail && after) || (atHead && !after) {
			ql.insertPlainNode(node, v, after)
		} else {
			decompressForUse(node)
			nn := ql.splitNode(node, e.offset, after)
			en := newPlainNode(v)
			ql.insertNode(node, en, after)
			ql.insertNode(en, nn, after)
			ql.count++
		}
		return
	}
	switch {
	case !full:
		decompressForUse(node)
		ql.beforeChange(node)
		node.entry = listpack.Insert(node.entry, e.zi, v, after)
		node.count++
		node.sz = len(node.entry)
		recompressOnly(node)
	case atTail && availNext && after:
		nn := node.next
		decompressForUse(nn)
		ql.beforeChange(nn)
		nn.entry = listpack.Prepend(nn.entry, v)
		nn.count++
		nn.sz = len(nn.entry)
		recompressOnly(nn)
		recompressOnly(node)
	case atHead && availPrev && !after:
		nn := node.prev
		decompressForUse(nn)
		ql.beforeChange(nn)
		nn.entry = listpack.Append(nn.entry, v)
		nn.count++
		nn.sz = len(nn.entry)
		recompressOnly(nn)
		recompressOnly(node)
	case (atTail && !availNext && after) || (atHead && !availPrev && !after):
		ql.insertNode(node, newPackedNode(v), after)
	default:
		decompressForUse(node)
		nn := ql.splitNode(node, e.offset, after)
		if after {
			nn.entry = listpack.Prepend(nn.entry, v)
		} else {
			nn.entry = listpack.Append(nn.entry, v)
		}
		nn.count++
		nn.sz = len(nn.entry)
		ql.insertNode(node, nn, after)
		ql.mergeNodes(node)
	}
	ql.count++
	it.reset()
}

// replaceEntry is quicklistReplaceEntry (7.0.15, with the dont_compress guard).
func (ql *Quicklist) replaceEntry(it *iter, e *entry, v []byte) {
	node := e.node
	switch {
	case !node.plain && !isLarge(len(v)):
		ql.beforeChange(node)
		node.entry = listpack.Replace(node.entry, e.zi, v)
		node.entry = fit(node.entry)
		node.sz = len(node.entry)
		ql.compressNodeOf(node)
	case node.plain:
		if isLarge(len(v)) {
			ql.beforeChange(node)
			node.entry = slices.Clone(v)
			node.sz = len(v)
			ql.compressNodeOf(node)
		} else {
			ql.insert(it, e, v, true)
			ql.delNode(node)
		}
	default:
		node.dontCompress = true
		ql.insert(it, e, v, true)
		if node.count == 1 {
			ql.delNode(node)
		} else {
			ql.delIndex(node, listpack.Last(node.entry))
			node.dontCompress = false
			ql.compressNodeOf(node)
			if node.next != nil {
				ql.compressNodeOf(node.next)
			}
		}
	}
	it.reset()
}

// ReplaceAt is quicklistReplaceAtIndex (LSET): false when idx is out of range.
func (ql *Quicklist) ReplaceAt(idx int64, v []byte) bool {
	it, ok := ql.iteratorAtIdx(fromTail, idx)
	if !ok {
		return false
	}
	var e entry
	it.next(&e)
	ql.replaceEntry(&it, &e, v)
	it.release()
	return true
}

// Index returns the element at idx (negative from the tail) as LINDEX reads it
// (quicklistGetIteratorEntryAtIdx). s aliases the list when !isInt and is valid until the
// list changes.
func (ql *Quicklist) Index(idx int64) (s []byte, n int64, isInt bool, ok bool) {
	it, ok := ql.iteratorAtIdx(fromTail, idx)
	if !ok {
		return nil, 0, false, false
	}
	var e entry
	it.next(&e)
	it.release()
	return e.s, e.n, e.isInt, true
}

// DelRange is quicklistDelRange: remove count elements starting at start (negative from
// the tail). It reports whether anything was removed.
func (ql *Quicklist) DelRange(start, count int64) bool {
	if count <= 0 {
		return false
	}
	ext := uint64(count)
	if start >= 0 && ext > uint64(ql.count)-uint64(start) {
		ext = uint64(ql.count) - uint64(start)
	} else if start < 0 && ext > uint64(-start) {
		ext = uint64(-start)
	}
	it, ok := ql.iteratorAtIdx(fromTail, start)
	if !ok {
		return false
	}
	node := it.current
	offset := it.offset
	it.release()
	for ext > 0 {
		next := node.next
		var del uint64
		entire := false
		switch {
		case offset == 0 && ext >= uint64(node.count):
			entire = true
			del = uint64(node.count)
		case offset >= 0 && ext+uint64(offset) >= uint64(node.count):
			del = uint64(node.count - offset)
		case offset < 0:
			del = uint64(-offset)
			if del > ext {
				del = ext
			}
		default:
			del = ext
		}
		if entire || node.plain {
			ql.delNode(node)
		} else {
			decompressForUse(node)
			ql.beforeChange(node)
			node.entry = fit(listpack.DeleteRange(node.entry, offset, int(del)))
			node.sz = len(node.entry)
			node.count -= int(del)
			ql.count -= int(del)
			if node.count == 0 {
				ql.delNode(node)
			} else {
				recompressOnly(node)
			}
		}
		ext -= del
		node = next
		offset = 0
	}
	return true
}

// Dup is quicklistDup: a deep copy, compressed nodes copied compressed.
func (ql *Quicklist) Dup() *Quicklist {
	cp := &Quicklist{fill: ql.fill, compress: ql.compress}
	for cur := ql.head; cur != nil; cur = cur.next {
		n := &Node{entry: slices.Clone(cur.entry), sz: cur.sz, count: cur.count,
			plain: cur.plain, lzf: cur.lzf}
		cp.count += n.count
		cp.insertNode(cp.tail, n, true)
	}
	return cp
}
