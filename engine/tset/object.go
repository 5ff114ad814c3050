package tset

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"unsafe"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/dict"
	"github.com/redisctl/redisctl/engine/memmodel"
	"github.com/redisctl/redisctl/rdb/intset"
)

func init() {
	engine.RegisterType(engine.TypeSet, &engine.TypeOps{
		MemoryUsage: memoryUsage,
		Dup:         Dup,
		Len:         Len,
	})
}

// hashtable is the hashtable encoding: members are the dict's keys.
type hashtable = dict.Dict[struct{}]

type hashtableEntry = dict.Entry[struct{}]

func ht(o *engine.Object) *hashtable { return (*hashtable)(o.Ptr()) }

// Hashtable returns the dict of a hashtable-encoded set (nil for an intset), for readers
// that need its layout (DEBUG HTSTATS-KEY, the analyzers). Members are its keys; callers must
// not change it: use Add and Remove.
func Hashtable(o *engine.Object) *dict.Dict[struct{}] {
	if o.Encoding() != engine.EncHashtable {
		return nil
	}
	return ht(o)
}

// intsetEntriesCap is Redis 7.0's cap on set-max-intset-entries ("limit to 1G entries due
// to intset internals").
const intsetEntriesCap = 1 << 30

// MaxIntsetEntries is the largest intset Redis keeps before converting to a hashtable:
// set-max-intset-entries, capped at 2^30 as setTypeAdd does.
func MaxIntsetEntries(e *engine.Engine) int {
	n := e.Set.SetMaxIntsetEntries
	if n >= intsetEntriesCap {
		return intsetEntriesCap
	}
	return n
}

// IntsetValue reports whether member can live in an intset (isSdsRepresentableAsLongLong:
// string2ll's canonical integers within int64) and its value.
func IntsetValue(member []byte) (int64, bool) { return engine.ParseInt(member) }

// FitsIntset reports whether a set of n members, all canonical integers, is kept as an
// intset under the limit max (see MaxIntsetEntries).
func FitsIntset(n, max int) bool { return n <= max }

// NewIntset returns an empty intset-encoded set (createIntsetObject).
func NewIntset() engine.Object {
	return engine.NewBytesObject(engine.TypeSet, engine.EncIntset, intset.New())
}

// NewHashtable returns an empty hashtable-encoded set (createSetObject), pre-sized with
// dictExpand(sizeHint) when sizeHint > 0.
func NewHashtable(sizeHint int) engine.Object {
	d := &hashtable{}
	if sizeHint > 0 {
		d.Expand(sizeHint)
	}
	return engine.NewPtrObject(engine.TypeSet, engine.EncHashtable, unsafe.Pointer(d))
}

// Create returns the empty set Redis creates to hold first (setTypeCreate): an intset when
// first is an integer, a hashtable otherwise. The member is not added.
func Create(first []byte) engine.Object {
	if _, ok := IntsetValue(first); ok {
		return NewIntset()
	}
	return NewHashtable(0)
}

// Len is the number of members (setTypeSize).
func Len(o *engine.Object) int {
	if o.Encoding() == engine.EncIntset {
		return intset.Len(o.Bytes())
	}
	return ht(o).Len()
}

// IntsetBytes returns the intset of an intset-encoded set (nil for a hashtable). The bytes
// alias the object.
func IntsetBytes(o *engine.Object) []byte {
	if o.Encoding() != engine.EncIntset {
		return nil
	}
	return o.Bytes()
}

// IsMember reports whether member is in the set (setTypeIsMember).
func IsMember(o *engine.Object, member []byte) bool {
	if o.Encoding() == engine.EncIntset {
		if v, ok := IntsetValue(member); ok {
			return intset.Contains(o.Bytes(), v)
		}
		return false
	}
	return ht(o).GetBytes(member) != nil
}

// isMemberInt is IsMember for an integer member.
func isMemberInt(o *engine.Object, v int64) bool {
	if o.Encoding() == engine.EncIntset {
		return intset.Contains(o.Bytes(), v)
	}
	var buf [24]byte
	return ht(o).GetBytes(strconv.AppendInt(buf[:0], v, 10)) != nil
}

// Add adds member (copied) and reports whether it was new (setTypeAdd). An intset converts
// to a hashtable when member is not an integer or when it grows past max.
func Add(o *engine.Object, member []byte, max int) bool {
	if o.Encoding() == engine.EncHashtable {
		_, existed := ht(o).UpsertBytes(member)
		return !existed
	}
	if v, ok := IntsetValue(member); ok {
		return addIntToIntset(o, v, max)
	}
	convert(o)
	ht(o).UpsertBytes(member)
	return true
}

// addInt adds an integer member: what setTypeAdd does with sdsfromlonglong(v).
func addInt(o *engine.Object, v int64, max int) bool {
	if o.Encoding() == engine.EncHashtable {
		var buf [24]byte
		_, existed := ht(o).UpsertBytes(strconv.AppendInt(buf[:0], v, 10))
		return !existed
	}
	return addIntToIntset(o, v, max)
}

func addIntToIntset(o *engine.Object, v int64, max int) bool {
	is, added := intset.Add(o.Bytes(), v)
	if !added {
		return false
	}
	o.SetBytes(is)
	if intset.Len(is) > max {
		convert(o)
	}
	return true
}

// convert turns an intset into a hashtable pre-sized for its members (setTypeConvert).
func convert(o *engine.Object) {
	is := o.Bytes()
	n := intset.Len(is)
	d := &hashtable{}
	d.Expand(n)
	var buf [24]byte
	for i := 0; i < n; i++ {
		d.UpsertBytes(strconv.AppendInt(buf[:0], intset.Get(is, i), 10))
	}
	o.SetPtr(engine.EncHashtable, unsafe.Pointer(d))
}

// Remove removes member and reports whether it was there (setTypeRemove). A hashtable
// shrinks when under-filled (htNeedsResize + dictResize, done by the dict on delete).
func Remove(o *engine.Object, member []byte) bool {
	if o.Encoding() == engine.EncHashtable {
		return ht(o).DeleteBytes(member) != nil
	}
	if v, ok := IntsetValue(member); ok {
		return removeInt(o, v)
	}
	return false
}

func removeInt(o *engine.Object, v int64) bool {
	is, ok := intset.Remove(o.Bytes(), v)
	if ok {
		o.SetBytes(is)
	}
	return ok
}

// ForEach calls fn for every member in Redis's iteration order (setTypeNext) until fn
// returns false: for an intset, isInt is true and v holds the member (s is nil); for a
// hashtable s is the member, valid until the set changes. fn must not change the set.
func ForEach(o *engine.Object, fn func(s []byte, v int64, isInt bool) bool) {
	if o.Encoding() == engine.EncIntset {
		forEachInt(o.Bytes(), func(v int64) bool { return fn(nil, v, true) })
		return
	}
	for e := range ht(o).All() {
		if !fn(strBytes(e.Key), 0, false) {
			return
		}
	}
}

// forEachInt walks a valid intset in order with one loop per element width.
func forEachInt(is []byte, fn func(v int64) bool) {
	data := is[intset.HeaderSize : intset.HeaderSize+intset.Len(is)*intset.Encoding(is)]
	switch intset.Encoding(is) {
	case intset.Enc16:
		for ; len(data) >= 2; data = data[2:] {
			if !fn(int64(int16(binary.LittleEndian.Uint16(data)))) {
				return
			}
		}
	case intset.Enc32:
		for ; len(data) >= 4; data = data[4:] {
			if !fn(int64(int32(binary.LittleEndian.Uint32(data)))) {
				return
			}
		}
	default:
		for ; len(data) >= 8; data = data[8:] {
			if !fn(int64(binary.LittleEndian.Uint64(data))) {
				return
			}
		}
	}
}

// ForEachBytes is ForEach with every member as bytes: integers are formatted into a buffer
// that is reused for the next member.
func ForEachBytes(o *engine.Object, fn func(member []byte) bool) {
	var buf [24]byte
	ForEach(o, func(s []byte, v int64, isInt bool) bool {
		if isInt {
			s = strconv.AppendInt(buf[:0], v, 10)
		}
		return fn(s)
	})
}

// RandomMember returns a random member (setTypeRandomElement): a uniform pick for an
// intset, dictGetFairRandomKey for a hashtable. The set must not be empty. For a hashtable
// s is the member (valid even after it is removed); for an intset isInt is true and v holds
// it.
func RandomMember(o *engine.Object) (s []byte, v int64, isInt bool) {
	if o.Encoding() == engine.EncIntset {
		is := o.Bytes()
		return nil, intset.Get(is, engine.RandIntn(intset.Len(is))), true
	}
	return strBytes(ht(o).FairRandom().Key), 0, false
}

// Dup returns a deep copy with the same encoding (setTypeDup): an intset's bytes are copied,
// a hashtable is rebuilt pre-sized to its length.
func Dup(o *engine.Object) engine.Object {
	if o.Encoding() == engine.EncIntset {
		return engine.NewBytesObject(engine.TypeSet, engine.EncIntset, engine.CopyBytes(o.Bytes()))
	}
	src := ht(o)
	n := NewHashtable(src.Len())
	d := ht(&n)
	for e := range src.All() {
		d.Upsert(e.Key) // strings are immutable: sharing is a copy
	}
	return n
}

// FromIntset returns a set holding a copy of the intset is (RDB_TYPE_SET_INTSET, RESTORE):
// the bytes are validated deeply, and the set becomes a hashtable when it has more than max
// members, as rdbLoadObject does. An empty intset is accepted; refusing it is the loader's
// decision.
func FromIntset(is []byte, max int) (engine.Object, error) {
	if _, err := intset.Validate(is); err != nil {
		return engine.Object{}, fmt.Errorf("tset: %w", err)
	}
	o := engine.NewBytesObject(engine.TypeSet, engine.EncIntset, engine.CopyBytes(is))
	if intset.Len(is) > max {
		convert(&o)
	}
	return o, nil
}

// Builder builds a set from a counted sequence of members the way rdbLoadObject builds an
// RDB_TYPE_SET: an intset when the announced count fits the limit, else a hashtable
// pre-sized to the count; an intset meeting a non-integer converts and is expanded to the
// count.
type Builder struct {
	o     engine.Object
	count int
}

// NewBuilder starts a set that will receive count members, with max the intset limit
// (rdbLoadObject compares with set-max-intset-entries as configured, uncapped). The caller must have checked count against what its input can hold:
// a hashtable is pre-sized to it.
func NewBuilder(count, max int) *Builder {
	b := &Builder{count: count}
	if count <= max {
		b.o = NewIntset()
	} else {
		b.o = NewHashtable(count)
	}
	return b
}

// Add adds a member (copied); it reports false for a duplicate, which a loader treats as
// corruption ("Duplicate set members detected").
func (b *Builder) Add(member []byte) bool {
	o := &b.o
	if o.Encoding() == engine.EncIntset {
		if v, ok := IntsetValue(member); ok {
			is, added := intset.Add(o.Bytes(), v)
			o.SetBytes(is)
			return added
		}
		convert(o)
		ht(o).Expand(b.count)
	}
	_, existed := ht(o).UpsertBytes(member)
	return !existed
}

// Object returns the set built so far.
func (b *Builder) Object() engine.Object { return b.o }

// FromMembers builds a set from members as a sequence of SADDs into a new key would
// (setTypeCreate of the first member, then setTypeAdd of each). Duplicates are ignored.
func FromMembers(members [][]byte, max int) engine.Object {
	if len(members) == 0 {
		return NewIntset()
	}
	o := Create(members[0])
	for _, m := range members {
		Add(&o, m, max)
	}
	return o
}

// memoryUsage is objectComputeSize for sets: 16 + class(intset bytes) for an intset; for a
// hashtable 16 + 56 + 8 × buckets plus the average of (dictEntry + member sds) over the
// first samples members (dict order) times the size, computed in double as Redis does.
func memoryUsage(_ *engine.Engine, o *engine.Object, samples int) int {
	if o.Encoding() == engine.EncIntset {
		return memmodel.RobjSize + memmodel.Class(len(o.Bytes()))
	}
	d := ht(o)
	asize := memmodel.RobjSize + memmodel.DictOverhead(d.Buckets())
	elesize, n := 0, 0
	for e := range d.All() {
		if n >= samples {
			break
		}
		elesize += memmodel.DictEntrySize + memmodel.SdsAlloc(len(e.Key))
		n++
	}
	if n > 0 {
		asize = int(float64(asize) + float64(elesize)/float64(n)*float64(d.Len()))
	}
	return asize
}

// strBytes views a member string as bytes without copying; the bytes must not be changed.
func strBytes(s string) []byte {
	if s == "" {
		return nil
	}
	return unsafe.Slice(unsafe.StringData(s), len(s))
}
