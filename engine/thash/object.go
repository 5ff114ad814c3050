package thash

import (
	"errors"
	"fmt"
	"strconv"
	"unsafe"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/dict"
	"github.com/redisctl/redisctl/engine/memmodel"
	"github.com/redisctl/redisctl/rdb/listpack"
)

// table is the hashtable encoding: field → value. A new entry holds the field and value
// bytes in its own allocation (newEntry); its Key and Value are substrings of them.
type table = dict.Dict[string]

type entry = dict.Entry[string]

func init() {
	engine.RegisterType(engine.TypeHash, &engine.TypeOps{
		MemoryUsage: MemoryUsage,
		Dup:         Dup,
		Len:         Len,
	})
}

// ErrDuplicate is returned by Builder.Add and FromListpack when a field appears twice (an
// RDB or DUMP payload Redis would refuse as "Duplicate hash fields detected").
var ErrDuplicate = errors.New("thash: duplicate hash field")

// ErrBadListpack wraps the reasons FromListpack refuses a listpack.
var ErrBadListpack = errors.New("thash: invalid hash listpack")

// New returns an empty listpack-encoded hash (createHashObject).
func New() engine.Object {
	return engine.NewBytesObject(engine.TypeHash, engine.EncListpack, listpack.New())
}

func htOf(o *engine.Object) *table { return (*table)(o.Ptr()) }

// Len is the number of fields (hashTypeLength). On a listpack whose header count is
// "unknown" it walks and caches the count, as Redis's lpLength does.
func Len(o *engine.Object) int {
	if o.Encoding() == engine.EncListpack {
		return listpack.SyncLen(o.Bytes()) / 2
	}
	return htOf(o).Len()
}

// Listpack returns the raw listpack bytes of a listpack-encoded hash (ok is false for a
// hashtable). The bytes alias the object: copy them before the engine lock is released.
func Listpack(o *engine.Object) (lp []byte, ok bool) {
	if o.Type() != engine.TypeHash || o.Encoding() != engine.EncListpack {
		return nil, false
	}
	return o.Bytes(), true
}

// FitsListpackLen reports whether a hash of n pairs may be listpack-encoded
// (n ≤ hash-max-listpack-entries).
func FitsListpackLen(s *engine.Settings, n int) bool { return n <= s.HashMaxListpackEntries }

// FitsListpackValue reports whether a field or value is short enough for the listpack
// encoding (≤ hash-max-listpack-value bytes).
func FitsListpackValue(s *engine.Settings, b []byte) bool { return len(b) <= s.HashMaxListpackValue }

// FitsListpack reports whether a hash made of these field, value, field, value… strings
// would be listpack-encoded when built in one go (as RESTORE of an RDB_TYPE_HASH does).
func FitsListpack(s *engine.Settings, pairs [][]byte) bool {
	if !FitsListpackLen(s, len(pairs)/2) {
		return false
	}
	sum := 0
	for _, p := range pairs {
		if !FitsListpackValue(s, p) {
			return false
		}
		sum += len(p)
	}
	return sum <= maxSafetySize
}

// maxSafetySize is LISTPACK_MAX_SAFETY_SIZE: a listpack never grows past 1 GiB; Redis
// converts to a hashtable rather than cross it (lpSafeToAdd).
const maxSafetySize = 1 << 30

func lpSafeToAdd(lp []byte, add int) bool { return len(lp)+add <= maxSafetySize }

// makePair copies field and value into one allocation and returns the two halves as
// strings, so a hashtable entry costs its dict.Entry plus one block.
func makePair(f, v []byte) (string, string) {
	n := len(f) + len(v)
	if n == 0 {
		return "", ""
	}
	b := make([]byte, n)
	copy(b, f)
	copy(b[len(f):], v)
	s := unsafe.String(&b[0], n)
	return s[:len(f)], s[len(f):]
}

// sbytes views a stored string as bytes; the result must never be modified.
func sbytes(s string) []byte {
	if s == "" {
		return nil
	}
	return unsafe.Slice(unsafe.StringData(s), len(s))
}

// growFor makes room for extra more bytes in lp. It leaves an eighth of slack on larger
// listpacks, so a run of inserts is amortized, and otherwise stays at Go's size class of the
// exact size: slices.Grow would double, which costs a small hash up to twice Redis's memory.
func growFor(lp []byte, extra int) []byte { return grow(lp, extra, true) }

// grow makes room for extra more bytes; with slack, larger listpacks get an eighth more.
func grow(lp []byte, extra int, slack bool) []byte {
	need := len(lp) + extra
	if need <= cap(lp) {
		return lp
	}
	c := need
	if slack && c > 128 {
		c += c / 8
	}
	nb := append([]byte(nil), make([]byte, c)...) // cap = Go's size class of c
	nb = nb[:len(lp)]
	copy(nb, lp)
	return nb
}

// shrink gives back the slack of a listpack that lost most of its bytes.
func shrink(lp []byte) []byte {
	if cap(lp) > 2*len(lp)+64 {
		nb := append([]byte(nil), lp...)
		return nb
	}
	return lp
}

// lpFind returns the offset of field's entry in a hash listpack, or -1 (lpFind with skip 1).
func lpFind(lp, field []byte) int {
	off := listpack.First(lp)
	if off < 0 {
		return -1
	}
	return listpack.Find(lp, off, field, 1)
}

// lpBytesAt returns the entry at off as bytes, formatting an integer entry into buf.
func lpBytesAt(lp []byte, off int, buf *[20]byte) []byte {
	s, n, isInt := listpack.Get(lp, off)
	if isInt {
		return strconv.AppendInt(buf[:0], n, 10)
	}
	return s
}

// lpSet sets field to value in a hash listpack: the value is replaced in place when the
// field exists, otherwise the pair is appended (hashTypeSet's listpack branch).
func lpSet(lp, field, value []byte) ([]byte, bool) {
	if off := lpFind(lp, field); off >= 0 {
		voff := listpack.Next(lp, off)
		if extra := listpack.EntrySize(value) - listpack.SizeAt(lp, voff); extra > 0 {
			lp = growFor(lp, extra)
		}
		return listpack.Replace(lp, voff, value), true
	}
	lp = growFor(lp, listpack.EntrySize(field)+listpack.EntrySize(value))
	lp = listpack.Append(lp, field)
	return listpack.Append(lp, value), false
}

// htSet sets field to value in a hashtable (hashTypeSet's dictFind, then a replace of the
// value or a dictAdd: two rehash steps for an insert, as in Redis); it reports whether the
// field existed. Every change in place of a hashtable's entry goes through it, after
// BeforeWrite.
func htSet(d *table, field, value []byte) bool {
	if e := d.GetBytes(field); e != nil {
		if e.Value == string(value) {
			// The same value again (an idempotent write): nothing to replace. The bytes
			// are next to the field the probe just compared.
			return true
		}
		// A snapshot job writing this table in steps keeps the old pair first (dict.Hold).
		d.BeforeWrite(e)
		if embedded(e) {
			// The field stays in the entry's block (with the first value, now unused):
			// only the value is new.
			e.Value = string(value)
		} else {
			// A field+value block of its own (makePair): replace it whole, so the old one
			// is freed. Hash and equality depend only on the bytes.
			e.Key, e.Value = makePair(field, value)
		}
		return true
	}
	d.AddEntry(newEntry(field, value, d.BirthVersion()))
	return false
}

// htAdd adds a pair known to be absent (a conversion or copy); it reports false, adding
// nothing, if field is there already.
func htAdd(d *table, field, value []byte) bool {
	return d.AddEntry(newEntry(field, value, d.BirthVersion()))
}

// An entry allocated together with its field and value bytes: a probe that reaches the
// entry compares the field in the same or the adjacent cache line instead of taking one
// more cache miss on a separate block (with 100k fields, the misses are most of what an
// HSET costs). The byte arrays make each type exactly a Go size class (entry 48 bytes +
// 16·k), so the pair costs what the entry and a separate field+value block took together.
type withBytes[A any] struct {
	e entry
	b A
}

func alloc[A any](n int) (*entry, []byte) {
	x := new(withBytes[A])
	return &x.e, unsafe.Slice((*byte)(unsafe.Pointer(&x.b)), n)
}

// newEntry allocates a detached entry holding copies of field and value, with Version v;
// pairs longer than 208 bytes get a separate block (makePair).
func newEntry(field, value []byte, v uint32) *entry {
	n := len(field) + len(value)
	var e *entry
	var buf []byte
	switch {
	case n == 0:
		return &entry{Version: v}
	case n <= 16:
		e, buf = alloc[[16]byte](n)
	case n <= 32:
		e, buf = alloc[[32]byte](n)
	case n <= 48:
		e, buf = alloc[[48]byte](n)
	case n <= 64:
		e, buf = alloc[[64]byte](n)
	case n <= 80:
		e, buf = alloc[[80]byte](n)
	case n <= 96:
		e, buf = alloc[[96]byte](n)
	case n <= 112:
		e, buf = alloc[[112]byte](n)
	case n <= 128:
		e, buf = alloc[[128]byte](n)
	case n <= 144:
		e, buf = alloc[[144]byte](n)
	case n <= 160:
		e, buf = alloc[[160]byte](n)
	case n <= 176:
		e, buf = alloc[[176]byte](n)
	case n <= 192:
		e, buf = alloc[[192]byte](n)
	case n <= 208:
		e, buf = alloc[[208]byte](n)
	default:
		e = &entry{Version: v}
		e.Key, e.Value = makePair(field, value)
		return e
	}
	copy(buf, field)
	copy(buf[len(field):], value)
	// The bytes are never written again: Key and Value are immutable like any string.
	p := unsafe.String(&buf[0], n)
	e.Key, e.Value, e.Version = p[:len(field)], p[len(field):], v
	return e
}

// embedded reports whether e's field lives in e's own allocation (newEntry). The
// addresses are compared as integers: a pointer just past an entry allocated alone (a
// field of its own, makePair) would point outside any allocation, which checkptr (go test
// -race) refuses.
func embedded(e *entry) bool {
	return uintptr(unsafe.Pointer(unsafe.StringData(e.Key))) == uintptr(unsafe.Pointer(e))+unsafe.Sizeof(*e)
}

// convert turns a listpack hash into a hashtable (hashTypeConvertListpack): the dict is
// presized to the number of pairs, then every pair is added in listpack order.
func convert(o *engine.Object) {
	lp := o.Bytes()
	d := &table{}
	d.Expand(listpack.SyncLen(lp) / 2)
	var fb, vb [20]byte
	for off := listpack.First(lp); off >= 0; {
		f := lpBytesAt(lp, off, &fb)
		off = listpack.Next(lp, off)
		v := lpBytesAt(lp, off, &vb)
		off = listpack.Next(lp, off)
		htAdd(d, f, v)
	}
	o.SetPtr(engine.EncHashtable, unsafe.Pointer(d))
}

// tryConversion converts a listpack hash when one of args is longer than
// hash-max-listpack-value or the listpack would pass 1 GiB (hashTypeTryConversion).
func tryConversion(s *engine.Settings, o *engine.Object, args [][]byte) {
	if o.Encoding() != engine.EncListpack {
		return
	}
	sum := 0
	for _, a := range args {
		if len(a) > s.HashMaxListpackValue {
			convert(o)
			return
		}
		sum += len(a)
	}
	if !lpSafeToAdd(o.Bytes(), sum) {
		convert(o)
	}
}

// set is hashTypeSet: a too long field or value converts a listpack first; after an insert
// into a listpack the pair count is checked against hash-max-listpack-entries. It reports
// whether the field already existed (an update).
func set(s *engine.Settings, o *engine.Object, field, value []byte) bool {
	if o.Encoding() == engine.EncListpack &&
		(len(field) > s.HashMaxListpackValue || len(value) > s.HashMaxListpackValue) {
		convert(o)
	}
	if o.Encoding() == engine.EncListpack {
		lp, update := lpSet(o.Bytes(), field, value)
		o.SetBytes(lp)
		if listpack.SyncLen(lp)/2 > s.HashMaxListpackEntries {
			convert(o)
		}
		return update
	}
	return htSet(htOf(o), field, value)
}

// del removes field (hashTypeDelete) and reports whether it was there.
func del(o *engine.Object, field []byte) bool {
	if o.Encoding() == engine.EncListpack {
		lp := o.Bytes()
		off := lpFind(lp, field)
		if off < 0 {
			return false
		}
		o.SetBytes(shrink(listpack.DeleteRangeAt(lp, off, 2)))
		return true
	}
	// The dict shrinks itself after a delete when under 10% full, as hashTypeDelete's
	// htNeedsResize/dictResize do.
	return htOf(o).DeleteBytes(field) != nil
}

// Value is what a field holds: for a listpack integer entry, isInt is set and n holds it;
// otherwise s holds the bytes (aliasing the hash: valid until it changes).
type Value struct {
	S     []byte
	N     int64
	IsInt bool
}

// Bytes returns the value as bytes, formatting an integer into buf.
func (v Value) Bytes(buf *[20]byte) []byte {
	if v.IsInt {
		return strconv.AppendInt(buf[:0], v.N, 10)
	}
	return v.S
}

// Len is the value's length in bytes (hashTypeGetValueLength).
func (v Value) Len() int {
	if v.IsInt {
		var buf [20]byte
		return len(strconv.AppendInt(buf[:0], v.N, 10))
	}
	return len(v.S)
}

// Get returns field's value (hashTypeGetValue); ok is false when the field is absent.
func Get(o *engine.Object, field []byte) (v Value, ok bool) {
	if o.Encoding() == engine.EncListpack {
		lp := o.Bytes()
		off := lpFind(lp, field)
		if off < 0 {
			return v, false
		}
		v.S, v.N, v.IsInt = listpack.Get(lp, listpack.Next(lp, off))
		return v, true
	}
	e := htOf(o).GetBytes(field)
	if e == nil {
		return v, false
	}
	return Value{S: sbytes(e.Value)}, true
}

// Range calls fn for every field/value pair in Redis's order (listpack order, or the dict's
// table order as Redis's dict iterator walks it) until fn returns false. The slices are
// valid only during the call (listpack integers are formatted into reused buffers) and must
// not be modified. fn must not change the hash.
func Range(o *engine.Object, fn func(field, value []byte) bool) {
	if o.Encoding() == engine.EncListpack {
		lp := o.Bytes()
		var fb, vb [20]byte
		for off := listpack.First(lp); off >= 0; {
			f := lpBytesAt(lp, off, &fb)
			off = listpack.Next(lp, off)
			v := lpBytesAt(lp, off, &vb)
			off = listpack.Next(lp, off)
			if !fn(f, v) {
				return
			}
		}
		return
	}
	for e := range htOf(o).All() {
		if !fn(sbytes(e.Key), sbytes(e.Value)) {
			return
		}
	}
}

// Fields returns copies of every field and value, alternating, in Range's order.
func Fields(o *engine.Object) [][]byte {
	out := make([][]byte, 0, 2*Len(o))
	Range(o, func(f, v []byte) bool {
		out = append(out, engine.CopyBytes(f), engine.CopyBytes(v))
		return true
	})
	return out
}

// Dup returns a deep copy (COPY): a listpack is copied byte for byte; a hashtable is rebuilt
// into a dict presized to its length, as Redis's dupHashObject.
func Dup(o *engine.Object) engine.Object {
	if o.Encoding() == engine.EncListpack {
		return engine.NewBytesObject(engine.TypeHash, engine.EncListpack, engine.CopyBytes(o.Bytes()))
	}
	src := htOf(o)
	d := &table{}
	d.Expand(src.Len())
	for e := range src.All() {
		htAdd(d, sbytes(e.Key), sbytes(e.Value))
	}
	return engine.NewPtrObject(engine.TypeHash, engine.EncHashtable, unsafe.Pointer(d))
}

// MemoryUsage is Redis 7.0's objectComputeSize for a hash: robj + the listpack's allocation,
// or robj + dict + 8 bytes per bucket + the average over the first samples entries (in
// table order) of sds(field) + sds(value) + dictEntry, times the number of entries.
func MemoryUsage(_ *engine.Engine, o *engine.Object, samples int) int {
	if o.Encoding() == engine.EncListpack {
		return memmodel.RobjSize + memmodel.Class(len(o.Bytes()))
	}
	d := htOf(o)
	asize := memmodel.RobjSize + memmodel.DictOverhead(d.Buckets())
	elesize, n := 0, 0
	for e := range d.All() {
		if n >= samples {
			break
		}
		elesize += memmodel.SdsAlloc(len(e.Key)) + memmodel.SdsAlloc(len(e.Value)) + memmodel.DictEntrySize
		n++
	}
	if n == 0 {
		return asize
	}
	return int(float64(asize) + float64(elesize)/float64(n)*float64(d.Len()))
}

// Builder builds a hash pair by pair as Redis's RDB loader does for RDB_TYPE_HASH: a
// hashtable from the start when the declared length exceeds hash-max-listpack-entries,
// otherwise a listpack that converts at the first field or value longer than
// hash-max-listpack-value (the dict then presized for the pairs still to come).
type Builder struct {
	s    engine.Settings
	obj  engine.Object
	left int
	// seen holds the fields of a large listpack, so the duplicate check stays linear;
	// small ones are searched in place.
	seen map[string]struct{}
}

// builderScanLimit is the listpack size (in pairs) up to which Add looks for a duplicate
// by walking the listpack.
const builderScanLimit = 32

// NewBuilder starts a hash that will hold n pairs (the RDB length; Add tolerates more).
func NewBuilder(s *engine.Settings, n int) *Builder {
	b := &Builder{s: *s, obj: New(), left: n}
	if n > s.HashMaxListpackEntries {
		convert(&b.obj)
		htOf(&b.obj).Expand(n)
	}
	return b
}

// Add appends a pair (copied). A field already present gives ErrDuplicate.
func (b *Builder) Add(field, value []byte) error {
	b.left--
	o := &b.obj
	if o.Encoding() == engine.EncListpack {
		lp := o.Bytes()
		if len(field) > b.s.HashMaxListpackValue || len(value) > b.s.HashMaxListpackValue ||
			!lpSafeToAdd(lp, len(field)+len(value)) {
			convert(o)
			b.seen = nil
			if err := b.addHT(field, value); err != nil {
				return err
			}
			if b.left > 0 {
				htOf(o).Expand(b.left)
			}
			return nil
		}
		if b.seen != nil {
			if _, dup := b.seen[string(field)]; dup {
				return fmt.Errorf("%w: %q", ErrDuplicate, field)
			}
		} else if lpFind(lp, field) >= 0 {
			return fmt.Errorf("%w: %q", ErrDuplicate, field)
		}
		lp = growFor(lp, listpack.EntrySize(field)+listpack.EntrySize(value))
		lp = listpack.Append(lp, field)
		lp = listpack.Append(lp, value)
		o.SetBytes(lp)
		n := listpack.SyncLen(lp) / 2
		if n > b.s.HashMaxListpackEntries {
			// More pairs than the declared length allowed for: convert as HSET would.
			convert(o)
			b.seen = nil
			return nil
		}
		if b.seen != nil {
			b.seen[string(field)] = struct{}{}
		} else if n > builderScanLimit {
			b.seen = make(map[string]struct{}, 2*n)
			var fb [20]byte
			for off := listpack.First(lp); off >= 0; off = listpack.Next(lp, listpack.Next(lp, off)) {
				b.seen[string(lpBytesAt(lp, off, &fb))] = struct{}{}
			}
		}
		return nil
	}
	return b.addHT(field, value)
}

func (b *Builder) addHT(field, value []byte) error {
	if !htAdd(htOf(&b.obj), field, value) {
		return fmt.Errorf("%w: %q", ErrDuplicate, field)
	}
	return nil
}

// Object returns the hash built so far. The Builder must not be used afterwards.
func (b *Builder) Object() engine.Object {
	if b.obj.Encoding() == engine.EncListpack {
		// Give back growth slack: a loaded hash holds exactly its bytes.
		lp := b.obj.Bytes()
		if cap(lp) != len(lp) {
			b.obj.SetBytes(append([]byte(nil), lp...))
		}
	}
	return b.obj
}

// FromListpack adopts raw listpack bytes as a hash (RDB_TYPE_HASH_LISTPACK, RESTORE). The
// bytes are validated entry by entry (a corrupt listpack is refused, never trusted) and must
// hold an even number of entries; with deep set, duplicate fields are refused too, as
// sanitize-dump-payload does. Like Redis 7.0.15's loader it converts to a hashtable only
// when the pair count exceeds hash-max-listpack-entries (long values stay in the listpack).
// lp is owned by the object from now on. An empty listpack gives an empty hash: callers
// skip it as Redis skips empty keys.
func FromListpack(s *engine.Settings, lp []byte, deep bool) (engine.Object, error) {
	n, err := listpack.Validate(lp)
	if err != nil {
		return engine.Object{}, fmt.Errorf("%w: %w", ErrBadListpack, err)
	}
	if n%2 != 0 {
		return engine.Object{}, fmt.Errorf("%w: odd number of entries (%d)", ErrBadListpack, n)
	}
	if deep {
		seen := make(map[string]struct{}, n/2)
		var fb [20]byte
		for off := listpack.First(lp); off >= 0; off = listpack.Next(lp, listpack.Next(lp, off)) {
			f := lpBytesAt(lp, off, &fb)
			if _, dup := seen[string(f)]; dup {
				return engine.Object{}, fmt.Errorf("%w: %q", ErrDuplicate, f)
			}
			seen[string(f)] = struct{}{}
		}
	}
	o := engine.NewBytesObject(engine.TypeHash, engine.EncListpack, lp)
	if listpack.SyncLen(lp)/2 > s.HashMaxListpackEntries {
		convert(&o)
	}
	return o, nil
}
