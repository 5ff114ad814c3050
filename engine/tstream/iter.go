package tstream

import (
	"strconv"

	"github.com/redisctl/redisctl/rdb/listpack"
)

// Iterator walks entries in ID order (or reversed) between two bounds, as Redis's
// streamIterator: forward from the node holding start, backward from the node holding
// end, skipping tombstones unless told otherwise. The stream must not change while an
// iterator is in use.
type Iterator struct {
	s              *Stream
	start, end     ID
	rev            bool
	skipTombstones bool

	ni          int // node index of the current node
	n           *node
	lp          []byte
	ele         int // current offset; -1: need the next node
	masterCount int64
	masterStart int
	masterPtr   int
	entryFlags  int64
	numFields   int64
	remaining   int64 // fields of the emitted entry not read yet
}

// Iter returns an iterator over [start, end] (nil bounds: the whole stream); rev walks
// from end to start. Tombstones are skipped.
func (s *Stream) Iter(start, end *ID, rev bool) *Iterator {
	it := &Iterator{}
	it.init(s, start, end, rev)
	return it
}

func (it *Iterator) init(s *Stream, start, end *ID, rev bool) {
	*it = Iterator{s: s, rev: rev, skipTombstones: true, ele: -1, end: MaxID}
	if start != nil {
		it.start = *start
	}
	if end != nil {
		it.end = *end
	}
	if !rev {
		it.ni = 0
		if start != nil && !start.IsZero() {
			if i := s.nodeFor(*start); i >= 0 {
				it.ni = i
			}
		}
		it.ni-- // Next moves to ni+1
	} else {
		it.ni = len(s.nodes) - 1
		if end != nil && !end.IsZero() {
			if i := s.nodeFor(*end); i >= 0 {
				it.ni = i
			}
		}
		it.ni++
	}
}

// Next returns the next entry's ID and field count; ok is false at the end.
func (it *Iterator) Next() (id ID, numFields int64, ok bool) {
	for ; it.remaining > 0; it.remaining-- {
		if it.entryFlags&flagSameFields == 0 {
			it.ele = listpack.Next(it.lp, it.ele)
		}
		it.ele = listpack.Next(it.lp, it.ele)
	}
	for {
		if it.n == nil || it.ele < 0 {
			if !it.rev {
				it.ni++
				if it.ni >= len(it.s.nodes) {
					return ID{}, 0, false
				}
			} else {
				it.ni--
				if it.ni < 0 {
					return ID{}, 0, false
				}
			}
			it.n = it.s.nodes[it.ni]
			it.lp = it.n.lp
			lp := it.lp
			it.ele = listpack.First(lp)
			it.ele = listpack.Next(lp, it.ele)
			it.ele = listpack.Next(lp, it.ele)
			it.masterCount = lpInt(lp, it.ele)
			it.ele = listpack.Next(lp, it.ele)
			it.masterStart = it.ele
			if !it.rev {
				for i := int64(0); i < it.masterCount; i++ {
					it.ele = listpack.Next(lp, it.ele)
				}
			} else {
				it.ele = listpack.Last(lp)
			}
		} else if it.rev {
			c := lpInt(it.lp, it.ele)
			for ; c > 0; c-- {
				it.ele = listpack.Prev(it.lp, it.ele)
			}
			it.ele = listpack.Prev(it.lp, it.ele)
		}
		lp := it.lp
		for {
			if !it.rev {
				it.ele = listpack.Next(lp, it.ele)
				if it.ele < 0 {
					break
				}
			} else {
				c := lpInt(lp, it.ele)
				if c == 0 {
					it.n, it.ele = nil, -1
					break
				}
				for ; c > 0; c-- {
					it.ele = listpack.Prev(lp, it.ele)
				}
			}
			flags := lpInt(lp, it.ele)
			it.ele = listpack.Next(lp, it.ele)
			id = it.n.master
			id.Ms += uint64(lpInt(lp, it.ele))
			it.ele = listpack.Next(lp, it.ele)
			id.Seq += uint64(lpInt(lp, it.ele))
			it.ele = listpack.Next(lp, it.ele)
			if flags&flagSameFields != 0 {
				numFields = it.masterCount
			} else {
				numFields = lpInt(lp, it.ele)
				it.ele = listpack.Next(lp, it.ele)
			}
			live := !it.skipTombstones || flags&flagDeleted == 0
			if !it.rev {
				if id.Compare(it.start) >= 0 && live {
					if id.Compare(it.end) > 0 {
						return ID{}, 0, false
					}
					it.emit(flags, numFields)
					return id, numFields, true
				}
			} else {
				if id.Compare(it.end) <= 0 && live {
					if id.Less(it.start) {
						return ID{}, 0, false
					}
					it.emit(flags, numFields)
					return id, numFields, true
				}
			}
			// Not emitted: skip forward, or go back to the previous entry's lp-count.
			if !it.rev {
				skip := numFields * 2
				if flags&flagSameFields != 0 {
					skip = numFields
				}
				for ; skip > 0; skip-- {
					it.ele = listpack.Next(lp, it.ele)
				}
			} else {
				back := 4
				if flags&flagSameFields == 0 {
					back++
				}
				for ; back > 0; back-- {
					it.ele = listpack.Prev(lp, it.ele)
				}
			}
		}
	}
}

func (it *Iterator) emit(flags, numFields int64) {
	it.entryFlags = flags
	it.numFields = numFields
	it.remaining = numFields
	if flags&flagSameFields != 0 {
		it.masterPtr = it.masterStart
	}
}

// Elem is one listpack element: a string (S) or an integer (N, when IsInt).
type Elem struct {
	S     []byte
	N     int64
	IsInt bool
}

// Append appends the element's string form.
func (e Elem) Append(dst []byte) []byte {
	if e.IsInt {
		return strconv.AppendInt(dst, e.N, 10)
	}
	return append(dst, e.S...)
}

// Field returns the next field and value of the entry Next returned; call it numFields
// times. The strings alias the listpack.
func (it *Iterator) Field() (f, v Elem) {
	lp := it.lp
	it.remaining--
	if it.entryFlags&flagSameFields != 0 {
		f.S, f.N, f.IsInt = listpack.Get(lp, it.masterPtr)
		it.masterPtr = listpack.Next(lp, it.masterPtr)
	} else {
		f.S, f.N, f.IsInt = listpack.Get(lp, it.ele)
		it.ele = listpack.Next(lp, it.ele)
	}
	v.S, v.N, v.IsInt = listpack.Get(lp, it.ele)
	it.ele = listpack.Next(lp, it.ele)
	return f, v
}

// Deleted reports whether the entry Next returned is a tombstone (only with tombstones
// included).
func (it *Iterator) Deleted() bool { return it.entryFlags&flagDeleted != 0 }

func appendInt(dst []byte, n int64) []byte { return strconv.AppendInt(dst, n, 10) }
