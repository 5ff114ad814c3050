package tzset

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"unsafe"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/memmodel"
	"github.com/redisctl/redisctl/rdb/listpack"
	"github.com/redisctl/redisctl/resp"
)

func init() {
	engine.RegisterType(engine.TypeZSet, &engine.TypeOps{
		MemoryUsage: memoryUsage,
		Dup:         Dup,
		Len:         Len,
	})
}

// lpSafetySize is LISTPACK_MAX_SAFETY_SIZE: listpacks are kept under 1 GiB.
const lpSafetySize = 1 << 30

func lpSafeToAdd(lp []byte, add int) bool { return len(lp)+add <= lpSafetySize }

func zsOf(o *engine.Object) *zset { return (*zset)(o.Ptr()) }

// NewListpackObject returns an empty listpack-encoded sorted set (createZsetListpackObject).
func NewListpackObject() engine.Object {
	return engine.NewBytesObject(engine.TypeZSet, engine.EncListpack, listpack.New())
}

// newSkiplistObject returns an empty skiplist-encoded sorted set (createZsetObject).
func newSkiplistObject() engine.Object {
	return engine.NewPtrObject(engine.TypeZSet, engine.EncSkiplist, unsafe.Pointer(newZset()))
}

// newTypeObject is zsetTypeCreate: a listpack when the hints fit the thresholds, else a
// skiplist whose dict is pre-sized for sizeHint.
func newTypeObject(set *engine.Settings, sizeHint, lenHint int) engine.Object {
	if sizeHint <= set.ZSetMaxListpackEntries && lenHint <= set.ZSetMaxListpackValue {
		return NewListpackObject()
	}
	o := newSkiplistObject()
	zsOf(&o).dict.Expand(sizeHint)
	return o
}

// Len is the number of members (zsetLength).
func Len(o *engine.Object) int {
	if o.Encoding() == engine.EncListpack {
		return zzlLength(o.Bytes())
	}
	return zsOf(o).zsl.length
}

// convert changes o's encoding (zsetConvert).
func convert(o *engine.Object, enc engine.Encoding) {
	if o.Encoding() == enc {
		return
	}
	if o.Encoding() == engine.EncListpack {
		lp := o.Bytes()
		z := newZset()
		var buf [24]byte
		for off := listpack.First(lp); off >= 0; off = zzlNext(lp, off) {
			m := lpMember(lp, off, buf[:0])
			z.addBytes(lpGetScore(lp, listpack.Next(lp, off)), m)
		}
		o.SetPtr(engine.EncSkiplist, unsafe.Pointer(z))
		return
	}
	z := zsOf(o)
	lp := listpack.New()
	for n := z.zsl.first(); n != nil; n = n.lvl(0).forward {
		lp = zzlInsertAt(lp, -1, unsafeBytes(n.ele()), n.score)
	}
	o.SetEncodingBytes(engine.EncListpack, lp)
}

// convertToListpackIfNeeded is zsetConvertToListpackIfNeeded.
func convertToListpackIfNeeded(set *engine.Settings, o *engine.Object, maxLen, totLen int) {
	if o.Encoding() == engine.EncListpack {
		return
	}
	if zsOf(o).zsl.length <= set.ZSetMaxListpackEntries && maxLen <= set.ZSetMaxListpackValue &&
		lpSafeToAdd(nil, totLen) {
		convert(o, engine.EncListpack)
	}
}

// getScore looks member up (zsetScore).
func getScore(o *engine.Object, m []byte) (float64, bool) {
	if o.Encoding() == engine.EncListpack {
		off, s := zzlFind(o.Bytes(), m)
		return s, off >= 0
	}
	return zsOf(o).score(m)
}

// ZADD input and output flags (ZADD_IN_* / ZADD_OUT_*).
const (
	inIncr = 1 << iota
	inNX
	inXX
	inGT
	inLT
)

const (
	outNaN = 1 << iota
	outAdded
	outUpdated
	outNop
)

// add is zsetAdd: add or update member m. It returns the output flags and the resulting
// score; ok is false when the result would be NaN.
func add(set *engine.Settings, o *engine.Object, score float64, m []byte, in int) (out int, newScore float64, ok bool) {
	incr := in&inIncr != 0
	nx := in&inNX != 0
	xx := in&inXX != 0
	gt := in&inGT != 0
	lt := in&inLT != 0
	if math.IsNaN(score) {
		return outNaN, 0, false
	}
	if o.Encoding() == engine.EncListpack {
		lp := o.Bytes()
		if off, cur := zzlFind(lp, m); off >= 0 {
			if nx {
				return outNop, 0, true
			}
			if incr {
				score += cur
				if math.IsNaN(score) {
					return outNaN, 0, false
				}
			}
			if (lt && score >= cur) || (gt && score <= cur) {
				return outNop, 0, true
			}
			if score != cur {
				lp = zzlDelete(lp, off)
				lp = zzlInsert(lp, m, score)
				o.SetBytes(lp)
				out |= outUpdated
			}
			return out, score, true
		} else if !xx {
			if zzlLength(lp)+1 > set.ZSetMaxListpackEntries || len(m) > set.ZSetMaxListpackValue ||
				!lpSafeToAdd(lp, len(m)) {
				convert(o, engine.EncSkiplist)
			} else {
				o.SetBytes(zzlInsert(lp, m, score))
				return outAdded, score, true
			}
		} else {
			return outNop, 0, true
		}
	}
	z := zsOf(o)
	if e := z.dict.GetBytes(m); e != nil {
		if nx {
			return outNop, 0, true
		}
		n := e.Value
		cur := n.score
		if incr {
			score += cur
			if math.IsNaN(score) {
				return outNaN, 0, false
			}
		}
		if (lt && score >= cur) || (gt && score <= cur) {
			return outNop, 0, true
		}
		if score != cur {
			z.dict.BeforeWrite(e) // a snapshot job holding the set keeps the old score (Held)
			e.Value = z.zsl.updateScore(n, score)
			out |= outUpdated
		}
		return out, score, true
	} else if !xx {
		z.addBytes(score, m)
		return outAdded, score, true
	}
	return outNop, 0, true
}

// del removes member m (zsetDel) and reports whether it was there.
func del(o *engine.Object, m []byte) bool {
	if o.Encoding() == engine.EncListpack {
		lp := o.Bytes()
		off, _ := zzlFind(lp, m)
		if off < 0 {
			return false
		}
		o.SetBytes(zzlDelete(lp, off))
		return true
	}
	// The dict shrinks on delete when under-filled, as zsetDel's dictResize.
	return zsOf(o).remove(m)
}

// rank is zsetRank: the 0-based rank of m, or -1.
func rank(o *engine.Object, m []byte, reverse bool) int {
	n := Len(o)
	if o.Encoding() == engine.EncListpack {
		lp := o.Bytes()
		r := 1
		for off := listpack.First(lp); off >= 0; off = zzlNext(lp, off) {
			if lpMemberEqual(lp, off, m) {
				if reverse {
					return n - r
				}
				return r - 1
			}
			r++
		}
		return -1
	}
	z := zsOf(o)
	e := z.dict.GetBytes(m)
	if e == nil {
		return -1
	}
	r := int(z.zsl.rank(e.Value.score, e.Value.ele()))
	if reverse {
		return n - r
	}
	return r - 1
}

// Dup returns a deep copy with the same encoding (zsetDup).
func Dup(o *engine.Object) engine.Object {
	if o.Encoding() == engine.EncListpack {
		return engine.NewBytesObject(engine.TypeZSet, engine.EncListpack, engine.CopyBytes(o.Bytes()))
	}
	src := zsOf(o)
	no := newSkiplistObject()
	z := zsOf(&no)
	z.dict.Expand(src.dict.Len())
	for n := src.zsl.tail; n != nil; n = n.backward {
		z.add(n.score, n.ele())
	}
	return no
}

// memoryUsage is objectComputeSize for sorted sets.
func memoryUsage(_ *engine.Engine, o *engine.Object, samples int) int {
	if o.Encoding() == engine.EncListpack {
		return memmodel.RobjSize + memmodel.Class(len(o.Bytes()))
	}
	z := zsOf(o)
	asize := memmodel.RobjSize + memmodel.ZsetSize + memmodel.SkiplistSize +
		memmodel.DictOverhead(z.dict.Buckets()) + memmodel.SkiplistHeaderAlloc()
	elesize, n := 0, 0
	for node := z.zsl.first(); node != nil && n < samples; node = node.lvl(0).forward {
		elesize += memmodel.SdsAlloc(len(node.ele())) + memmodel.DictEntrySize +
			memmodel.Class(memmodel.SkiplistNodeSize(node.levels()))
		n++
	}
	if n == 0 {
		return asize
	}
	return int(float64(asize) + float64(elesize)/float64(n)*float64(z.dict.Len()))
}

// Pair is one member of a sorted set with its score.
type Pair struct {
	Member []byte
	Score  float64
}

// Ascend calls fn for every member in ascending (score, member) order until fn returns
// false. The member slice is only valid during the call (integers stored in a listpack
// are formatted into a scratch buffer).
func Ascend(o *engine.Object, fn func(member []byte, score float64) bool) {
	if o.Encoding() == engine.EncListpack {
		lp := o.Bytes()
		var buf [24]byte
		for off := listpack.First(lp); off >= 0; off = zzlNext(lp, off) {
			if !fn(lpMember(lp, off, buf[:0]), lpGetScore(lp, listpack.Next(lp, off))) {
				return
			}
		}
		return
	}
	for n := zsOf(o).zsl.first(); n != nil; n = n.lvl(0).forward {
		if !fn(unsafeBytes(n.ele()), n.score) {
			return
		}
	}
}

// Descend is Ascend in descending order: the order Redis writes a skiplist-encoded sorted
// set to an RDB file (from the tail), so that loading it inserts at the head.
func Descend(o *engine.Object, fn func(member []byte, score float64) bool) {
	if o.Encoding() == engine.EncListpack {
		lp := o.Bytes()
		var buf [24]byte
		for off := zzlLastMember(lp); off >= 0; off = zzlPrev(lp, off) {
			if !fn(lpMember(lp, off, buf[:0]), lpGetScore(lp, listpack.Next(lp, off))) {
				return
			}
		}
		return
	}
	for n := zsOf(o).zsl.tail; n != nil; n = n.backward {
		if !fn(unsafeBytes(n.ele()), n.score) {
			return
		}
	}
}

// ListpackBytes returns the listpack of a listpack-encoded sorted set (nil otherwise),
// exactly the bytes Redis holds and writes to RDB files. The slice aliases the object.
func ListpackBytes(o *engine.Object) []byte {
	if o.Encoding() != engine.EncListpack {
		return nil
	}
	return o.Bytes()
}

// ErrDuplicate is returned when a member appears twice in loaded data.
var ErrDuplicate = errors.New("tzset: duplicate member")

// ErrBadListpack wraps problems of listpack bytes given to FromListpack.
var ErrBadListpack = errors.New("tzset: bad sorted set listpack")

// FromPairs builds a sorted set as Redis 7.0's RDB loader does for RDB_TYPE_ZSET(_2): a
// skiplist with its dict pre-sized, converted to a listpack afterwards when the member
// count, the longest member and the total size fit set's thresholds. Members are copied.
// A NaN score or a duplicate member is an error (the loader refuses both).
func FromPairs(set *engine.Settings, pairs []Pair) (engine.Object, error) {
	o := newSkiplistObject()
	z := zsOf(&o)
	if len(pairs) > 4 {
		z.dict.Expand(len(pairs))
	}
	maxLen, totLen := 0, 0
	for i, p := range pairs {
		if math.IsNaN(p.Score) {
			return engine.Object{}, fmt.Errorf("tzset: pair %d: score is NaN", i)
		}
		if z.dict.GetBytes(p.Member) != nil {
			return engine.Object{}, fmt.Errorf("%w at pair %d (%q)", ErrDuplicate, i, p.Member)
		}
		z.addBytes(p.Score, p.Member)
		maxLen = max(maxLen, len(p.Member))
		totLen += len(p.Member)
	}
	convertToListpackIfNeeded(set, &o, maxLen, totLen)
	return o, nil
}

// FromListpack builds a sorted set from listpack bytes as Redis 7.0's RDB loader does for
// RDB_TYPE_ZSET_LISTPACK: the bytes are validated (structure, an even number of entries,
// every score a number, no duplicate member), kept as they are, and converted to a
// skiplist when there are more members than zset-max-listpack-entries. lp is owned by the
// result from now on. An empty listpack is an error: Redis drops such keys.
func FromListpack(set *engine.Settings, lp []byte) (engine.Object, error) {
	count, err := listpack.Validate(lp)
	if err != nil {
		return engine.Object{}, fmt.Errorf("%w: %w", ErrBadListpack, err)
	}
	if count == 0 {
		return engine.Object{}, fmt.Errorf("%w: empty", ErrBadListpack)
	}
	if count%2 != 0 {
		return engine.Object{}, fmt.Errorf("%w: odd number of entries (%d)", ErrBadListpack, count)
	}
	seen := make(map[string]struct{}, count/2)
	var buf [24]byte
	i := 0
	for off := listpack.First(lp); off >= 0; off = zzlNext(lp, off) {
		m := lpMember(lp, off, buf[:0])
		if _, dup := seen[string(m)]; dup {
			return engine.Object{}, fmt.Errorf("%w at pair %d (%q)", ErrDuplicate, i, m)
		}
		seen[string(m)] = struct{}{}
		soff := listpack.Next(lp, off)
		if s, _, isInt := listpack.Get(lp, soff); !isInt {
			if v, ok, _ := strtod(s); !ok || len(s) == 0 || math.IsNaN(v) {
				return engine.Object{}, fmt.Errorf("%w: pair %d: score %q is not a number", ErrBadListpack, i, s)
			}
		}
		i++
	}
	o := engine.NewBytesObject(engine.TypeZSet, engine.EncListpack, lp)
	if count/2 > set.ZSetMaxListpackEntries {
		convert(&o, engine.EncSkiplist)
	}
	return o, nil
}

// ListpackScore reports how a score is stored in a listpack (zzlInsertAt): as an integer
// entry (isInt) when double2ll accepts it, otherwise as text appended to dst ("%.17g").
func ListpackScore(dst []byte, score float64) (text []byte, n int64, isInt bool) {
	if n, ok := double2ll(score); ok {
		return dst, n, true
	}
	return resp.AppendDoubleText(dst, score), 0, false
}

// FitsListpack reports whether a sorted set of n members whose longest member has maxLen
// bytes is listpack-encoded under set's thresholds (the rule of zsetConvertToListpackIfNeeded
// and of the RDB loader).
func FitsListpack(set *engine.Settings, n, maxLen int) bool {
	return n <= set.ZSetMaxListpackEntries && maxLen <= set.ZSetMaxListpackValue
}

func unsafeBytes(s string) []byte {
	if s == "" {
		return nil
	}
	return unsafe.Slice(unsafe.StringData(s), len(s))
}

// writeScore replies with a score as addReplyDouble does ("%.17g" bulk in RESP2, a double
// in RESP3), with a fast path for integral scores below 2^53, whose "%.17g" is their
// decimal digits.
func writeScore(w *resp.Writer, d float64) {
	if d == math.Trunc(d) && d > -1<<53 && d < 1<<53 && (d != 0 || !math.Signbit(d)) {
		var buf [24]byte
		text := strconv.AppendInt(buf[:0], int64(d), 10)
		w.WriteDoubleText(text)
		return
	}
	w.WriteDouble(d)
}
