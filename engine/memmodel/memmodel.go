package memmodel

import "math/bits"

// Struct sizes of Redis 7.0 on x86-64, in bytes.
const (
	RobjSize          = 16 // struct redisObject
	DictEntrySize     = 24 // dictEntry: key, value union, next
	DictSize          = 56 // dict: type, two table pointers, two used counters, rehashidx, pauserehash, exps
	QuicklistSize     = 40 // struct quicklist
	QuicklistNodeSize = 40 // struct quicklistNode (prev, next, entry, sz, count/encoding/... bitfields)
	ZsetSize          = 16 // struct zset: dict pointer + zskiplist pointer
	SkiplistSize      = 32 // struct zskiplist
	SkiplistMaxLevel  = 32 // ZSKIPLIST_MAXLEVEL
	StreamSize        = 80 // struct stream
	StreamCGSize      = 40 // streamCG
	StreamConsumerSz  = 32 // streamConsumer
	StreamNACKSize    = 24 // streamNACK
	RaxSize           = 24 // rax
	EmbstrMaxLen      = 44 // OBJ_ENCODING_EMBSTR_SIZE_LIMIT
	SharedIntegers    = 10000
	sdshdr8           = 3
)

// SkiplistNodeSize is the allocation request of a skiplist node of the given level.
func SkiplistNodeSize(level int) int { return 24 + 16*level }

// Class rounds a request of n bytes up to jemalloc's size class, i.e. what zmalloc_size
// reports for it. Small classes: 8, then multiples of 16 up to 128; from there four classes
// per doubling (160, 192, 224, 256, 320, …). Large classes continue the same pattern.
func Class(n int) int {
	switch {
	case n <= 0:
		return 0
	case n <= 8:
		return 8
	case n <= 128:
		return (n + 15) &^ 15
	}
	// For n in (2^k, 2^(k+1)], the spacing is 2^(k-2).
	k := bits.Len(uint(n-1)) - 1 // 2^k < n <= 2^(k+1)
	step := 1 << (k - 2)
	return (n + step - 1) &^ (step - 1)
}

// SdsHeader is the header size sdsnewlen picks for a string of length n (SDS_TYPE_5 for
// lengths under 32, then 8/16/32/64-bit headers). Empty strings use SDS_TYPE_8, as
// sdsnewlen upgrades type 5 for them.
func SdsHeader(n int) int {
	switch {
	case n == 0:
		return sdshdr8
	case n < 1<<5:
		return 1
	case n < 1<<8:
		return 3
	case n < 1<<16:
		return 5
	case n < 1<<32:
		return 9
	}
	return 17
}

// SdsAlloc is the allocation (size class) of an sds holding exactly n bytes, as created by
// sdsnewlen: header + n + terminating NUL, rounded to a jemalloc class.
func SdsAlloc(n int) int { return Class(SdsHeader(n) + n + 1) }

// SdsAllocAtLeast8 is the allocation of an sds created with a type-8 header at minimum:
// sdsnewlen with SDS_TYPE_5 is never used for strings that are expected to grow (values
// built by APPEND or from RDB strings go through sdsnewlen too, so this is only for the
// few paths that force hdr8).
func SdsAllocAtLeast8(n int) int {
	h := SdsHeader(n)
	if h < sdshdr8 {
		h = sdshdr8
	}
	return Class(h + n + 1)
}

// EmbstrSize is the single allocation of an EMBSTR object: robj + sdshdr8 + n + NUL.
func EmbstrSize(n int) int { return Class(RobjSize + sdshdr8 + n + 1) }

// KeyOverhead is what MEMORY USAGE adds for the key itself in a standalone Redis 7.0: the
// key's sds and its dictEntry (dictMetadataSize is 0 outside cluster mode).
func KeyOverhead(keyLen int) int { return SdsAlloc(keyLen) + DictEntrySize }

// DictOverhead is the memory of a dict's struct and bucket arrays for the given total
// number of buckets (both tables during a rehash).
func DictOverhead(buckets int) int { return DictSize + 8*buckets }

// NextPow2 is the bucket count dictExpand picks for n entries (at least 4).
func NextPow2(n int) int {
	if n <= 4 {
		return 4
	}
	return 1 << bits.Len(uint(n-1))
}

// SkiplistHeaderAlloc is the allocation of the skiplist header node (ZSKIPLIST_MAXLEVEL levels).
func SkiplistHeaderAlloc() int { return Class(SkiplistNodeSize(SkiplistMaxLevel)) }

// RadixTreeSize is Redis 7.0's streamRadixTreeMemoryUsage estimate for a rax with the given
// number of elements and nodes.
func RadixTreeSize(elements, nodes int) int { return elements*16 + nodes*(4+240) }
