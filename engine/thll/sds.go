package thll

import "github.com/redisctl/redisctl/engine/memmodel"

// Redis keeps an HLL in an sds whose "alloc" is the allocator's usable size minus the header
// and the NUL (capped to what the header type can hold); strings under 32 bytes created
// exactly (SDS_TYPE_5) have no spare room. We keep the same number as the slice capacity,
// so sdsMakeRoomFor reallocates exactly when Redis's does and tstring's MEMORY USAGE
// (Class(header+cap+1)) stays right. Same model as engine/tbits.

const sdsMaxPrealloc = 1 << 20

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

// sdsAlloc is Redis's alloc for a raw string held in b: a capacity beyond the length is a
// grown sds; an exact one is a string created exactly (SDS_TYPE_5 under 32 bytes, else
// the usable size unless tryObjectEncoding trimmed it).
func sdsAlloc(b []byte) int {
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

// newSds is sdsnewlen(NULL, n): n zero bytes with the capacity Redis would record.
func newSds(n int) []byte {
	h := memmodel.SdsHeader(n)
	if h == 1 {
		return make([]byte, n)
	}
	return make([]byte, n, usableAlloc(h, n))
}

// copySds is sdsnewlen(b, len(b)) (createRawStringObject).
func copySds(b []byte) []byte {
	nb := newSds(len(b))
	copy(nb, b)
	return nb
}

// makeRoom is sdsMakeRoomFor(b, add) with the greedy policy: the same bytes with at least
// add spare bytes of capacity.
func makeRoom(b []byte, add int) []byte {
	l := len(b)
	if a := sdsAlloc(b); a-l >= add {
		if cap(b)-l >= add {
			return b
		}
		nb := make([]byte, l, a) // Redis already has the room (allocator slack)
		copy(nb, b)
		setTerm(nb, at(b, l))
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
	setTerm(nb, at(b, l)) // realloc/memcpy keep the terminator byte
	return nb
}
