package tstream

import (
	"encoding/binary"
	"math"
	"slices"
	"sort"
	"strconv"

	"github.com/redisctl/redisctl/engine/memmodel"
	"github.com/redisctl/redisctl/rdb/listpack"
)

// Entry flags inside a node listpack (STREAM_ITEM_FLAG_*).
const (
	flagNone       = 0
	flagDeleted    = 1
	flagSameFields = 2
)

// listpack limits of t_stream.c.
const (
	maxPrealloc = 4096    // STREAM_LISTPACK_MAX_PRE_ALLOCATE
	maxLPSize   = 1 << 30 // STREAM_LISTPACK_MAX_SIZE
)

// node is one radix tree entry: the master ID (rax key) and its listpack, plus the size
// jemalloc would report for the listpack's allocation (zmalloc_size), which MEMORY USAGE
// reads.
type node struct {
	master ID
	lp     []byte
	alloc  int
}

// Stream is a stream value as Redis 7.0 holds it (struct stream): listpack nodes in master
// ID order, the counters and IDs of the stream, and its consumer groups.
type Stream struct {
	nodes        []*node
	length       uint64
	lastID       ID
	firstID      ID
	maxDeletedID ID
	entriesAdded uint64
	groups       []*Group // by name, byte order (the cgroups rax); nil until the first XGROUP CREATE

	raxNodes int // radix tree node count of the node index, kept through appends and head removals; -1: recount

	hot *appendState // nil until the stream has more than one node
}

// appendState is what a stream that is being appended to keeps to make the next append
// cheap. It is allocated when the stream gets its second node, so that small streams stay
// small.
type appendState struct {
	// msText is the decimal text of ms, the milliseconds part of the last formatted ID.
	ms     uint64
	msLen  uint8
	msText [20]byte
}

// New returns an empty stream (streamNew).
func New() *Stream { return &Stream{raxNodes: -1} }

// Len is the number of live entries.
func (s *Stream) Len() uint64 { return s.length }

// LastID is the last ID ever added (or set by XSETID).
func (s *Stream) LastID() ID { return s.lastID }

// FirstID is the recorded first entry ID (0-0 when empty).
func (s *Stream) FirstID() ID { return s.firstID }

// MaxDeletedID is the largest ID ever deleted.
func (s *Stream) MaxDeletedID() ID { return s.maxDeletedID }

// EntriesAdded counts every entry ever added.
func (s *Stream) EntriesAdded() uint64 { return s.entriesAdded }

// NumNodes is the number of listpack nodes (radix-tree-keys).
func (s *Stream) NumNodes() int { return len(s.nodes) }

// changedIndex says the node index changed other than at its ends.
func (s *Stream) changedIndex() { s.raxNodes = -1 }

// appendedNode says a node was appended at the end of the node index: the radix tree
// count follows it (endDelta) instead of being recounted.
func (s *Stream) appendedNode() {
	n := len(s.nodes)
	if s.hot == nil && n >= 2 {
		s.hot = &appendState{}
	}
	if s.raxNodes >= 0 && n >= 3 {
		s.raxNodes += endDelta(n, func(i int) ID { return s.nodes[n-1-i].master })
	} else {
		s.raxNodes = -1
	}
}

// RaxNodes is the node count Redis's radix tree has for the node keys (radix-tree-nodes).
func (s *Stream) RaxNodes() int {
	if s.raxNodes < 0 {
		var c raxCounter
		for _, n := range s.nodes {
			c.add(n.master)
		}
		s.raxNodes = c.finish()
	}
	return s.raxNodes
}

// appendID appends id's text (ID.Append), reusing the milliseconds' text of the previous
// call while they stay the same.
func (s *Stream) appendID(dst []byte, id ID) []byte {
	h := s.hot
	if h == nil {
		return id.Append(dst)
	}
	if h.msLen == 0 || h.ms != id.Ms {
		h.ms, h.msLen = id.Ms, uint8(len(strconv.AppendUint(h.msText[:0], id.Ms, 10)))
	}
	dst = append(dst, h.msText[:h.msLen]...)
	dst = append(dst, '-')
	return strconv.AppendUint(dst, id.Seq, 10)
}

// lpInt reads the integer at off (lpGetInteger: integers stored as text are parsed).
func lpInt(lp []byte, off int) int64 {
	if c := lp[off]; c < 0x80 { // 7-bit unsigned: flags, small deltas, lp-count
		return int64(c)
	}
	s, n, isInt := listpack.Get(lp, off)
	if isInt {
		return n
	}
	v, _ := parseIntLoose(s)
	return v
}

func parseIntLoose(s []byte) (int64, bool) {
	var v int64
	neg := false
	for i, c := range s {
		if i == 0 && c == '-' {
			neg = true
			continue
		}
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	if neg {
		v = -v
	}
	return v, true
}

// Allocation model: lpInsert reallocates to the exact new size when it grows past the
// allocation, and after any shrink; jemalloc then reports the size class.
func (n *node) resized(old int) {
	nb := len(n.lp)
	if (nb > old && nb > n.alloc) || nb < old {
		n.alloc = memmodel.Class(nb)
	}
}

func (n *node) replaceInt(off int, v int64) {
	old := len(n.lp)
	n.lp = listpack.ReplaceInt(n.lp, off, v)
	n.resized(old)
}

func (n *node) appendInt(v int64) {
	old := len(n.lp)
	n.lp = lpAppendInt(n.lp, v)
	n.resized(old)
}

func (n *node) appendStr(v []byte) {
	old := len(n.lp)
	n.lp = lpAppendValue(n.lp, v)
	n.resized(old)
}

// lpAppendInt is listpack.AppendInt (lpAppendInteger) with the encodings of a stream
// entry's usual elements written in place: 7-bit unsigned (flags, small ID deltas,
// lp-count) and 13-bit signed integers, each with its 1-byte backlen. The other encodings
// go through the listpack package.
func lpAppendInt(lp []byte, v int64) []byte {
	switch {
	case v >= 0 && v <= 127:
		lp = append(lp[:len(lp)-1], byte(v), 1, listpack.Terminator)
	case v >= -4096 && v <= 4095:
		u := uint64(v) & 0x1fff
		lp = append(lp[:len(lp)-1], byte(u>>8)|0xC0, byte(u), 2, listpack.Terminator)
	default:
		return listpack.AppendInt(lp, v)
	}
	lpAddedOne(lp)
	return lp
}

// lpAppendValue is listpack.Append (lpAppend): a canonical integer string is stored as an
// integer; a string shorter than 64 bytes (6-bit length header, backlen of one byte) is
// written in place, longer ones go through the listpack package.
func lpAppendValue(lp, v []byte) []byte {
	if iv, ok := listpack.ParseInt(v); ok {
		return lpAppendInt(lp, iv)
	}
	if len(v) >= 64 {
		return listpack.Append(lp, v)
	}
	lp = append(lp[:len(lp)-1], 0x80|byte(len(v)))
	lp = append(lp, v...)
	lp = append(lp, byte(1+len(v)), listpack.Terminator)
	lpAddedOne(lp)
	return lp
}

// lpAddedOne updates the header after one entry was appended: total bytes, and the count
// unless it is unknown (reaching 65535 makes it unknown, as listpack's insert does).
func lpAddedOne(lp []byte) {
	binary.LittleEndian.PutUint32(lp, uint32(len(lp)))
	if c := binary.LittleEndian.Uint16(lp[4:]); c != listpack.CountUnknown {
		binary.LittleEndian.PutUint16(lp[4:], c+1)
	}
}

// shrinkToFit is lpShrinkToFit: the allocation becomes the exact size.
func (n *node) shrinkToFit() {
	if n.alloc > len(n.lp) {
		n.alloc = memmodel.Class(len(n.lp))
	}
	if cap(n.lp)-len(n.lp) > 64+len(n.lp)/8 {
		n.lp = slices.Clone(n.lp)
	}
}

// counts returns the master entry's live and deleted counters.
func (n *node) counts() (count, deleted int64) {
	off := listpack.First(n.lp)
	count = lpInt(n.lp, off)
	deleted = lpInt(n.lp, listpack.Next(n.lp, off))
	return
}

// firstEntry returns the offset of the first entry's flags (after the master entry), or -1.
func firstEntry(lp []byte) int {
	off := listpack.First(lp)
	off = listpack.Next(lp, off) // deleted
	off = listpack.Next(lp, off) // num fields
	nf := lpInt(lp, off)
	for i := int64(0); i < nf; i++ {
		off = listpack.Next(lp, off)
	}
	off = listpack.Next(lp, off) // master terminator
	return listpack.Next(lp, off)
}

// masterFields returns the master entry's field count and the offset of its first field.
func masterFields(lp []byte) (nf int64, first int) {
	off := listpack.First(lp)
	off = listpack.Next(lp, off)
	off = listpack.Next(lp, off)
	nf = lpInt(lp, off)
	return nf, listpack.Next(lp, off)
}

// edgeID is lpGetEdgeStreamID: the ID of the first or last entry of a node (deleted ones
// included); ok is false when the node has no entries.
func (n *node) edgeID(first bool) (ID, bool) {
	lp := n.lp
	var off int
	if first {
		off = firstEntry(lp)
		if off < 0 {
			return ID{}, false
		}
	} else {
		off = listpack.Last(lp)
		c := lpInt(lp, off)
		if c == 0 {
			return ID{}, false
		}
		for ; c > 0; c-- {
			off = listpack.Prev(lp, off)
		}
	}
	off = listpack.Next(lp, off)
	id := n.master
	id.Ms += uint64(lpInt(lp, off))
	off = listpack.Next(lp, off)
	id.Seq += uint64(lpInt(lp, off))
	return id, true
}

// nodeFor returns the index of the last node whose master is <= id, or -1 (raxSeek "<=").
func (s *Stream) nodeFor(id ID) int {
	i := sort.Search(len(s.nodes), func(i int) bool { return id.Less(s.nodes[i].master) })
	return i - 1
}

// Fields is the argument list of an entry: field, value, field, value...
type Fields = [][]byte

// AppendError says why Append refused an entry.
type AppendError int

// Append failures (the errno of streamAppendItem).
const (
	AppendOK       AppendError = iota
	AppendIDTooLow             // EDOM: the ID is not greater than the last ID
	AppendTooLarge             // ERANGE: elements too large
)

// Limits are the node size settings (stream-node-max-bytes, stream-node-max-entries).
type Limits struct {
	MaxBytes   int
	MaxEntries int
}

// Append adds an entry (streamAppendItem). fv holds field/value pairs (copied). useID nil
// generates an ID from nowMs; otherwise *useID is used, with its sequence generated when
// seqGiven is false. It returns the new ID.
func (s *Stream) Append(fv [][]byte, useID *ID, seqGiven bool, nowMs int64, lim Limits) (ID, AppendError) {
	var id ID
	if useID != nil {
		if seqGiven {
			id = *useID
		} else if s.lastID.Ms == useID.Ms {
			if s.lastID.Seq == math.MaxUint64 {
				return ID{}, AppendIDTooLow
			}
			id = ID{s.lastID.Ms, s.lastID.Seq + 1}
		} else {
			id = *useID
		}
	} else {
		ms := uint64(nowMs)
		if ms > s.lastID.Ms {
			id = ID{ms, 0}
		} else {
			id, _ = s.lastID.Incr()
		}
	}
	if id.Compare(s.lastID) <= 0 {
		return ID{}, AppendIDTooLow
	}
	totelelen := 0
	for _, e := range fv {
		totelelen += len(e)
	}
	if totelelen > maxLPSize {
		return ID{}, AppendTooLarge
	}
	numfields := int64(len(fv) / 2)

	var n *node
	capHint := 0 // a new node's listpack capacity: the closed tail node's size
	if len(s.nodes) > 0 {
		n = s.nodes[len(s.nodes)-1]
		maxBytes := lim.MaxBytes
		if maxBytes <= 0 || maxBytes > maxLPSize {
			maxBytes = maxLPSize
		}
		newNode := false
		if len(n.lp)+totelelen >= maxBytes {
			newNode = true
		} else if lim.MaxEntries > 0 {
			c, d := n.counts()
			if c+d >= int64(lim.MaxEntries) {
				newNode = true
			}
		}
		if newNode {
			capHint = len(n.lp) + len(n.lp)/8
			n.shrinkToFit()
			n = nil
		}
	}

	flags := int64(flagNone)
	if n == nil {
		prealloc := maxPrealloc
		if lim.MaxBytes > 0 && lim.MaxBytes < prealloc {
			prealloc = lim.MaxBytes
		}
		lp := listpack.New()
		if capHint > len(lp) && capHint <= maxPrealloc {
			// The stream is being appended to: size the Go slice as the node will
			// likely end up, instead of growing it step by step (the modelled
			// allocation, alloc, is what Redis preallocates either way).
			lp = append(make([]byte, 0, capHint), lp...)
		}
		n = &node{master: id, lp: lp, alloc: memmodel.Class(max(prealloc, listpack.HeaderSize+1))}
		n.appendInt(1)
		n.appendInt(0)
		n.appendInt(numfields)
		for i := 0; i < len(fv); i += 2 {
			n.appendStr(fv[i])
		}
		n.appendInt(0)
		s.nodes = append(s.nodes, n)
		s.appendedNode()
		flags |= flagSameFields
	} else {
		// The master entry's count: a 7-bit integer (one byte, backlen 1) is bumped in
		// place while it stays one; otherwise lpReplaceInteger.
		if off := listpack.First(n.lp); n.lp[off] < 127 {
			n.lp[off]++
		} else {
			n.replaceInt(off, lpInt(n.lp, off)+1)
		}
		nf, f := masterFields(n.lp)
		if nf == numfields {
			i := int64(0)
			for ; i < nf; i++ {
				fs, fn, fint := listpack.Get(n.lp, f)
				if !equalElem(fs, fn, fint, fv[i*2]) {
					break
				}
				f = listpack.Next(n.lp, f)
			}
			if i == nf {
				flags |= flagSameFields
			}
		}
	}
	n.appendInt(flags)
	n.appendInt(int64(id.Ms - n.master.Ms))
	n.appendInt(int64(id.Seq - n.master.Seq))
	if flags&flagSameFields == 0 {
		n.appendInt(numfields)
	}
	for i := 0; i < len(fv); i += 2 {
		if flags&flagSameFields == 0 {
			n.appendStr(fv[i])
		}
		n.appendStr(fv[i+1])
	}
	lpCount := numfields + 3
	if flags&flagSameFields == 0 {
		lpCount += numfields + 1
	}
	n.appendInt(lpCount)

	s.length++
	s.entriesAdded++
	s.lastID = id
	if s.length == 1 {
		s.firstID = id
	}
	return id, AppendOK
}

// equalElem compares a listpack element with b as lpGet's string form would.
func equalElem(s []byte, n int64, isInt bool, b []byte) bool {
	if !isInt {
		return string(s) == string(b)
	}
	var buf [24]byte
	return string(appendInt(buf[:0], n)) == string(b)
}

// removeNode drops node i from the index.
func (s *Stream) removeNode(i int) {
	n := len(s.nodes)
	if s.raxNodes >= 0 && n >= 3 && (i == 0 || i == n-1) {
		// An end node (trimming removes the head): the radix tree count follows.
		if i == 0 {
			s.raxNodes -= endDelta(n, func(j int) ID { return s.nodes[j].master })
		} else {
			s.raxNodes -= endDelta(n, func(j int) ID { return s.nodes[n-1-j].master })
		}
	} else {
		s.changedIndex()
	}
	if i == 0 {
		s.nodes[0] = nil
		s.nodes = s.nodes[1:]
	} else {
		s.nodes = slices.Delete(s.nodes, i, i+1)
	}
}

// edgeID is streamGetEdgeID: the first or last entry ID, tombstones included unless
// skipTombstones. An empty stream gives MaxID (first) or 0-0 (last).
func (s *Stream) edgeID(first, skipTombstones bool) ID {
	var it Iterator
	it.init(s, nil, nil, !first)
	it.skipTombstones = skipTombstones
	id, _, ok := it.Next()
	if !ok {
		if first {
			return MaxID
		}
		return ID{}
	}
	return id
}

// lastValidID is streamLastValidID: the last live entry's ID (0-0 when empty).
func (s *Stream) lastValidID() ID {
	var it Iterator
	it.init(s, nil, nil, true)
	id, _, _ := it.Next()
	return id
}

// Delete removes the live entry with the given ID (streamDeleteItem), reporting whether it
// existed. It does not update first_id or max_deleted_entry_id (XDEL does).
func (s *Stream) Delete(id ID) bool {
	ni := s.nodeFor(id)
	if ni < 0 {
		ni = 0
	}
	for ; ni < len(s.nodes); ni++ {
		n := s.nodes[ni]
		lp := n.lp
		nf, _ := masterFields(lp)
		for off := firstEntry(lp); off >= 0; {
			flagsOff := off
			flags := lpInt(lp, off)
			off = listpack.Next(lp, off)
			eid := n.master
			eid.Ms += uint64(lpInt(lp, off))
			off = listpack.Next(lp, off)
			eid.Seq += uint64(lpInt(lp, off))
			off = listpack.Next(lp, off)
			c := eid.Compare(id)
			if c > 0 {
				return false
			}
			if c == 0 && flags&flagDeleted == 0 {
				s.markDeleted(ni, flagsOff, flags)
				return true
			}
			// Skip the rest of the entry and its lp-count.
			skip := nf
			if flags&flagSameFields == 0 {
				skip = lpInt(lp, off) * 2
				off = listpack.Next(lp, off)
			}
			for ; skip > 0; skip-- {
				off = listpack.Next(lp, off)
			}
			off = listpack.Next(lp, off)
		}
	}
	return false
}

// DeleteEntry is one ID of XDEL: it deletes the entry, raises max_deleted_entry_id and
// keeps first_id on the first live entry.
func (s *Stream) DeleteEntry(id ID) bool {
	if !s.Delete(id) {
		return false
	}
	if id.Compare(s.maxDeletedID) > 0 {
		s.maxDeletedID = id
	}
	if s.length == 0 {
		s.firstID = ID{}
	} else if id == s.firstID {
		s.firstID = s.edgeID(true, true)
	}
	return true
}

// markDeleted is streamIteratorRemoveEntry on the entry whose flags are at flagsOff in
// node ni.
func (s *Stream) markDeleted(ni, flagsOff int, flags int64) {
	n := s.nodes[ni]
	n.replaceInt(flagsOff, flags|flagDeleted)
	p := listpack.First(n.lp)
	aux := lpInt(n.lp, p)
	if aux == 1 {
		s.removeNode(ni)
	} else {
		n.replaceInt(p, aux-1)
		p = listpack.Next(n.lp, p)
		aux = lpInt(n.lp, p)
		n.replaceInt(p, aux+1)
	}
	s.length--
}

// Trim strategies (TRIM_STRATEGY_*).
const (
	TrimNone = iota
	TrimMaxLen
	TrimMinID
)

// TrimArgs are the trimming part of XADD and XTRIM (streamAddTrimArgs).
type TrimArgs struct {
	Strategy int
	Approx   bool
	Limit    int64 // 0: no limit
	MaxLen   int64
	MinID    ID
}

// Trim is streamTrim: it removes entries from the head and returns how many.
func (s *Stream) Trim(a *TrimArgs) int64 {
	if a.Strategy == TrimNone {
		return 0
	}
	maxlen := uint64(a.MaxLen)
	var deleted int64
	for len(s.nodes) > 0 {
		if a.Strategy == TrimMaxLen && s.length <= maxlen {
			break
		}
		n := s.nodes[0]
		p := listpack.First(n.lp)
		entries := lpInt(n.lp, p)
		if a.Limit != 0 && deleted+entries > a.Limit {
			break
		}
		var remove bool
		if a.Strategy == TrimMaxLen {
			remove = s.length-uint64(entries) >= maxlen
		} else {
			last, _ := n.edgeID(false)
			remove = last.Less(a.MinID)
		}
		if remove {
			s.removeNode(0)
			s.length -= uint64(entries)
			deleted += entries
			continue
		}
		if a.Approx {
			break
		}
		// Mark entries deleted within the head node.
		var fromLP int64
		nf, _ := masterFields(n.lp)
		for off := firstEntry(n.lp); off >= 0; {
			lp := n.lp
			flagsOff := off
			flags := lpInt(lp, off)
			off = listpack.Next(lp, off)
			msd := lpInt(lp, off)
			off = listpack.Next(lp, off)
			seqd := lpInt(lp, off)
			off = listpack.Next(lp, off)
			var stop bool
			if a.Strategy == TrimMaxLen {
				stop = s.length <= maxlen
			} else {
				cur := ID{n.master.Ms + uint64(msd), n.master.Seq + uint64(seqd)}
				stop = cur.Compare(a.MinID) >= 0
			}
			if stop {
				break
			}
			skip := nf
			if flags&flagSameFields == 0 {
				skip = lpInt(lp, off) * 2
				off = listpack.Next(lp, off)
			}
			for ; skip > 0; skip-- {
				off = listpack.Next(lp, off)
			}
			off = listpack.Next(lp, off) // lp-count
			if flags&flagDeleted == 0 {
				old := len(n.lp)
				n.replaceInt(flagsOff, flags|flagDeleted)
				if off >= 0 {
					off += len(n.lp) - old
				}
				fromLP++
				s.length--
			}
		}
		deleted += fromLP
		p = listpack.First(n.lp)
		n.replaceInt(p, entries-fromLP)
		p = listpack.Next(n.lp, p)
		marked := lpInt(n.lp, p)
		n.replaceInt(p, marked+fromLP)
		break
	}
	if s.length == 0 {
		s.firstID = ID{}
	} else if deleted > 0 {
		s.firstID = s.edgeID(true, true)
	}
	return deleted
}

// rangeHasTombstones is streamRangeHasTombstones (end nil: up to MaxID).
func (s *Stream) rangeHasTombstones(start ID, end *ID) bool {
	if s.length == 0 || s.maxDeletedID.IsZero() {
		return false
	}
	if s.firstID.Compare(s.maxDeletedID) > 0 {
		// Redis 7.0: the latest tombstone is before the first entry.
		return false
	}
	e := MaxID
	if end != nil {
		e = *end
	}
	return start.Compare(s.maxDeletedID) <= 0 && s.maxDeletedID.Compare(e) <= 0
}

// InvalidEntriesRead is SCG_INVALID_ENTRIES_READ.
const InvalidEntriesRead = -1

// estimateDistance is streamEstimateDistanceFromFirstEverEntry.
func (s *Stream) estimateDistance(id ID) int64 {
	if s.entriesAdded == 0 {
		return 0
	}
	if s.length == 0 && id.Compare(s.lastID) < 1 {
		return int64(s.entriesAdded)
	}
	cmpLast := id.Compare(s.lastID)
	if cmpLast == 0 {
		return int64(s.entriesAdded)
	} else if cmpLast > 0 {
		return InvalidEntriesRead
	}
	cmpFirst := id.Compare(s.firstID)
	if s.maxDeletedID.IsZero() || s.maxDeletedID.Less(s.firstID) {
		if cmpFirst < 0 {
			return int64(s.entriesAdded - s.length)
		} else if cmpFirst == 0 {
			return int64(s.entriesAdded - s.length + 1)
		}
	}
	return InvalidEntriesRead
}

// Lag is streamReplyWithCGLag's value; ok is false when it cannot be computed (null).
func (s *Stream) Lag(g *Group) (int64, bool) {
	switch {
	case s.entriesAdded == 0:
		return 0, true
	case g.EntriesRead != InvalidEntriesRead && !s.rangeHasTombstones(g.LastID, nil):
		return int64(s.entriesAdded) - g.EntriesRead, true
	}
	if er := s.estimateDistance(g.LastID); er != InvalidEntriesRead {
		return int64(s.entriesAdded) - er, true
	}
	return 0, false
}
