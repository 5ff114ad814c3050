package tstring

import (
	"github.com/redisctl/redisctl/engine/memmodel"
)

// Redis keeps a raw string in an sds whose "alloc" is the allocator's usable size minus
// the header and the NUL (capped to what the header type can hold); strings under 32
// bytes created exactly (SDS_TYPE_5) have no spare room at all. We keep the same number
// as the slice capacity, so the next growth happens exactly when Redis's does and
// tstring's MEMORY USAGE (Class(header+cap+1)) stays right.

const sdsMaxPrealloc = 1 << 20

// sdsTypeMax is the largest alloc a header of h bytes can describe.
func sdsTypeMax(h int) int {
	switch h {
	case 3:
		return 1<<8 - 1
	case 5:
		return 1<<16 - 1
	case 9:
		return 1<<32 - 1
	}
	return int(^uint(0) >> 1)
}

// usableAlloc is the alloc Redis records for a request of n bytes with header h.
func usableAlloc(h, n int) int {
	a := memmodel.Class(h+n+1) - h - 1
	if m := sdsTypeMax(h); a > m {
		a = m
	}
	return a
}

// SdsAlloc is Redis's alloc for a raw string held in b. A capacity beyond the length is
// a grown sds (never SDS_TYPE_5) whose alloc is the usable size of that request. A
// capacity equal to the length is an exactly created string: under 32 bytes SDS_TYPE_5,
// which has no spare room; otherwise a value that went through tryObjectEncoding (SET,
// APPEND to a new key, RDB load), whose spare room was trimmed away when it exceeded a
// tenth of the length (trimStringObjectIfNeeded), and kept otherwise.
func SdsAlloc(b []byte) int {
	c, l := cap(b), len(b)
	if c > l || l == 0 {
		h := memmodel.SdsHeader(c)
		if h < 3 {
			h = 3
		}
		return usableAlloc(h, c)
	}
	if l < 32 {
		return l
	}
	a := usableAlloc(memmodel.SdsHeader(l), l)
	if a-l > l/10 {
		return l
	}
	return a
}

// NewSds is sdsnewlen(NULL, n): n zero bytes with the capacity Redis would record.
func NewSds(n int) []byte {
	h := memmodel.SdsHeader(n)
	if h == 1 {
		return make([]byte, n)
	}
	return make([]byte, n, usableAlloc(h, n))
}

// MakeRoom is sdsMakeRoomFor(b, add) with the greedy policy: the same bytes with at least
// add spare bytes of capacity. b itself is returned when its capacity already has the
// room; a new slice (length len(b)) otherwise: with the capacity Redis records when its
// alloc already has the room (allocator slack we did not reserve), else grown greedily
// (doubled under 1 MB, +1 MB above) to the usable size of that request.
func MakeRoom(b []byte, add int) []byte {
	l := len(b)
	if a := SdsAlloc(b); a-l >= add {
		if cap(b)-l >= add {
			return b
		}
		nb := make([]byte, l, a)
		copy(nb, b)
		return nb
	}
	want := l + add
	if want < sdsMaxPrealloc {
		want *= 2
	} else {
		want += sdsMaxPrealloc
	}
	h := memmodel.SdsHeader(want)
	if h < 3 {
		h = 3
	}
	nb := make([]byte, l, usableAlloc(h, want))
	copy(nb, b)
	return nb
}

// GrowZero is sdsgrowzero(b, n): b extended to n bytes with zeros, reallocating with
// sdsMakeRoomFor's greedy policy only when Redis's alloc is too small.
func GrowZero(b []byte, n int) []byte {
	old := len(b)
	if n <= old {
		return b
	}
	b = MakeRoom(b, n-old)[:n]
	clear(b[old:])
	return b
}
