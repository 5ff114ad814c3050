package listpack

import (
	"bytes"
	"fmt"
	"slices"
)

// The functions in this file work on trusted listpacks (see the package
// comment). Offsets are byte positions of an entry's first byte; -1 means
// "none". The terminator's offset is len(lp)-1.

// First returns the offset of the first entry, or -1 if lp is empty.
func First(lp []byte) int {
	if lp[HeaderSize] == Terminator {
		return -1
	}
	return HeaderSize
}

// Last returns the offset of the last entry, or -1 if lp is empty.
func Last(lp []byte) int { return Prev(lp, len(lp)-1) }

// Next returns the offset of the entry after the one at off, or -1 if off
// is the last entry.
func Next(lp []byte, off int) int {
	off += entrySize(lp, off)
	if lp[off] == Terminator {
		return -1
	}
	return off
}

// Prev returns the offset of the entry before the one at off (off may be
// the terminator's offset), or -1 if off is the first entry.
func Prev(lp []byte, off int) int {
	if off <= HeaderSize {
		return -1
	}
	// As lpPrev: decode the previous entry's backlen, then step over it and
	// its encoding+data.
	v, _ := readBacklen(lp, off-1)
	n := int(v)
	return off - n - backlenSize(n)
}

// Seek returns the offset of the entry at index; a negative index counts
// from the end (-1 is the last entry). ok is false when out of range. Like
// lpSeek, it walks from whichever end is nearer when the count is known.
func Seek(lp []byte, index int) (off int, ok bool) {
	n := HeaderCount(lp)
	forward := index >= 0
	if n != CountUnknown {
		if index < 0 {
			index += n
		}
		if index < 0 || index >= n {
			return -1, false
		}
		forward = index <= n/2
		if !forward {
			index -= n // back to negative form
		}
	}
	if forward {
		off = First(lp)
		for ; index > 0 && off >= 0; index-- {
			off = Next(lp, off)
		}
		return off, off >= 0
	}
	off = Last(lp)
	for index++; index < 0 && off >= 0; index++ {
		off = Prev(lp, off)
	}
	return off, off >= 0
}

// Get returns the value of the entry at off. s aliases lp when !isInt.
func Get(lp []byte, off int) (s []byte, n int64, isInt bool) { return decode(lp, off) }

// Find returns the offset of the first entry at or after off equal to v,
// comparing one entry and then skipping skip entries (skip=1 looks only at
// the keys of a field/value listpack), or -1. As lpFind, an integer entry
// equals v when v parses as that integer; a string entry equals v when the
// bytes are equal.
func Find(lp []byte, off int, v []byte, skip int) int {
	vi, vIsInt := ParseInt(v)
	for skipped := 0; off >= 0 && lp[off] != Terminator; {
		if skipped == 0 {
			s, n, isInt := decode(lp, off)
			if isInt {
				if vIsInt && n == vi {
					return off
				}
			} else if bytes.Equal(s, v) {
				return off
			}
			skipped = skip
		} else {
			skipped--
		}
		off += entrySize(lp, off)
	}
	return -1
}

// encoded is an entry ready to be written: encoding header (and integer
// data) in hdr[:hn], then str, then a backlen of the encoded size.
type encoded struct {
	hdr [9]byte
	hn  int
	str []byte
}

func encodeValue(v []byte) encoded {
	var e encoded
	if iv, ok := ParseInt(v); ok {
		e.hn = intEncoding(&e.hdr, iv)
	} else {
		e.hn = strHeader(&e.hdr, len(v))
		e.str = v
	}
	return e
}

func encodeInt(v int64) encoded {
	var e encoded
	e.hn = intEncoding(&e.hdr, v)
	return e
}

func (e *encoded) encSize() int { return e.hn + len(e.str) }
func (e *encoded) size() int    { n := e.encSize(); return n + backlenSize(n) }

func (e *encoded) write(dst []byte) {
	n := copy(dst, e.hdr[:e.hn])
	n += copy(dst[n:], e.str)
	enc := n
	putBacklen(dst[n:n+backlenSize(enc)], enc)
}

func checkSize(n int) {
	if n > MaxBytes {
		panic(fmt.Sprintf("listpack: %d bytes exceeds the format limit of %d", n, MaxBytes))
	}
}

// insertAt writes e as a new entry at off (an entry or the terminator), so
// that the new entry ends up at off.
func insertAt(lp []byte, off int, e *encoded) []byte {
	size := e.size()
	old := len(lp)
	checkSize(old + size)
	lp = slices.Grow(lp, size)[:old+size]
	copy(lp[off+size:], lp[off:old])
	e.write(lp[off:])
	setTotal(lp, old+size)
	addCount(lp, 1)
	return lp
}

// Append adds v as the last entry, as an integer when it is a canonical
// int64 string (lpAppend).
func Append(lp, v []byte) []byte {
	e := encodeValue(v)
	return insertAt(lp, len(lp)-1, &e)
}

// AppendInt adds integer v as the last entry (lpAppendInteger).
func AppendInt(lp []byte, v int64) []byte {
	e := encodeInt(v)
	return insertAt(lp, len(lp)-1, &e)
}

// Prepend adds v as the first entry (lpPrepend).
func Prepend(lp, v []byte) []byte {
	e := encodeValue(v)
	return insertAt(lp, HeaderSize, &e)
}

// PrependInt adds integer v as the first entry.
func PrependInt(lp []byte, v int64) []byte {
	e := encodeInt(v)
	return insertAt(lp, HeaderSize, &e)
}

// InsertAt inserts v so that it becomes the entry at off; off may be the
// terminator's offset (len(lp)-1) to append. Entries from off on move back
// by EntrySize(v) bytes.
func InsertAt(lp []byte, off int, v []byte) []byte {
	e := encodeValue(v)
	return insertAt(lp, off, &e)
}

// Insert inserts v before (after=false) or after (after=true) the entry at
// off (lpInsertString with LP_BEFORE/LP_AFTER). The new entry is at off
// when inserting before, and at off+SizeAt(lp, off) (computed before the
// call) when inserting after.
func Insert(lp []byte, off int, v []byte, after bool) []byte {
	if after {
		off += entrySize(lp, off)
	}
	return InsertAt(lp, off, v)
}

// InsertInt is Insert for an integer value.
func InsertInt(lp []byte, off int, v int64, after bool) []byte {
	if after {
		off += entrySize(lp, off)
	}
	e := encodeInt(v)
	return insertAt(lp, off, &e)
}

func replace(lp []byte, off int, e *encoded) []byte {
	oldSize := entrySize(lp, off)
	newSize := e.size()
	old := len(lp)
	switch {
	case newSize > oldSize:
		d := newSize - oldSize
		checkSize(old + d)
		lp = slices.Grow(lp, d)[:old+d]
		copy(lp[off+newSize:], lp[off+oldSize:old])
	case newSize < oldSize:
		copy(lp[off+newSize:], lp[off+oldSize:])
		lp = lp[:old-(oldSize-newSize)]
	}
	e.write(lp[off:])
	setTotal(lp, len(lp))
	return lp
}

// Replace overwrites the entry at off with v (lpReplace); the count is
// unchanged and the entry stays at off.
func Replace(lp []byte, off int, v []byte) []byte {
	e := encodeValue(v)
	return replace(lp, off, &e)
}

// ReplaceInt overwrites the entry at off with integer v.
func ReplaceInt(lp []byte, off int, v int64) []byte {
	e := encodeInt(v)
	return replace(lp, off, &e)
}

// Delete removes the entry at off (lpDelete). The entry that followed it,
// if any, is now at off.
func Delete(lp []byte, off int) []byte {
	size := entrySize(lp, off)
	copy(lp[off:], lp[off+size:])
	lp = lp[:len(lp)-size]
	setTotal(lp, len(lp))
	addCount(lp, -1)
	return lp
}

// DeleteRange removes up to count entries starting at index (negative
// counts from the end), as lpDeleteRange. An out-of-range index or a
// non-positive count leaves lp unchanged.
func DeleteRange(lp []byte, index, count int) []byte {
	if count <= 0 {
		return lp
	}
	off, ok := Seek(lp, index)
	if !ok {
		return lp
	}
	n := HeaderCount(lp)
	if n != CountUnknown {
		if index < 0 {
			index += n
		}
		if n-index <= count {
			// Everything from off to the end goes: move the terminator.
			lp[off] = Terminator
			lp = lp[:off+1]
			setTotal(lp, len(lp))
			setCount(lp, index)
			return lp
		}
	}
	return DeleteRangeAt(lp, off, count)
}

// DeleteRangeAt removes up to count entries starting at the entry at off
// (lpDeleteRangeWithEntry).
func DeleteRangeAt(lp []byte, off, count int) []byte {
	end := off
	deleted := 0
	for ; deleted < count && lp[end] != Terminator; deleted++ {
		end += entrySize(lp, end)
	}
	copy(lp[off:], lp[end:])
	lp = lp[:len(lp)-(end-off)]
	setTotal(lp, len(lp))
	addCount(lp, -deleted)
	return lp
}
