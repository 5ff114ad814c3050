package thll

import "github.com/redisctl/redisctl/engine/tstring"

// An HLL lives in a Redis sds: the sds model (capacity = the alloc Redis records, greedy
// growth) is engine/tstring's. What HLL adds is the terminator byte past the length, which
// a reallocation carries over (see at).

// newSds is sdsnewlen(NULL, n): n zero bytes with the capacity Redis would record.
func newSds(n int) []byte { return tstring.NewSds(n) }

// copySds is sdsnewlen(b, len(b)) (createRawStringObject).
func copySds(b []byte) []byte {
	nb := newSds(len(b))
	copy(nb, b)
	return nb
}

// makeRoom is sdsMakeRoomFor(b, add): realloc/memcpy keep the terminator byte.
func makeRoom(b []byte, add int) []byte {
	nb := tstring.MakeRoom(b, add)
	setTerm(nb, at(b, len(b)))
	return nb
}
