package tstring

import (
	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/memmodel"
)

func init() {
	engine.RegisterType(engine.TypeString, &engine.TypeOps{
		MemoryUsage: memoryUsage,
		Dup:         dup,
		Len:         func(*engine.Object) int { return 1 },
	})
}

// New makes a string object holding a copy of v, encoded as Redis's tryObjectEncoding
// would encode a freshly received argument: int when v is a canonical integer of at most 20
// characters, embstr up to 44 bytes, raw beyond.
func New(v []byte) engine.Object {
	if enc, n := encodingOf(v); enc == engine.EncInt {
		return engine.NewIntObject(n)
	}
	return NewNoInt(v)
}

// encodingOf is the encoding New gives v, with v's value when that is EncInt.
func encodingOf(v []byte) (engine.Encoding, int64) {
	if len(v) <= 20 {
		if n, ok := engine.ParseInt(v); ok {
			return engine.EncInt, n
		}
	}
	if len(v) <= memmodel.EmbstrMaxLen {
		return engine.EncEmbstr, 0
	}
	return engine.EncRaw, 0
}

// NewNoInt makes an embstr or raw object holding a copy of v (createStringObject).
func NewNoInt(v []byte) engine.Object {
	if len(v) <= memmodel.EmbstrMaxLen {
		return engine.NewBytesObject(engine.TypeString, engine.EncEmbstr, engine.CopyBytes(v))
	}
	return engine.NewBytesObject(engine.TypeString, engine.EncRaw, engine.CopyBytes(v))
}

// NewRaw makes a raw-encoded object that owns b (values built by APPEND, SETRANGE, SETBIT).
func NewRaw(b []byte) engine.Object {
	return engine.NewBytesObject(engine.TypeString, engine.EncRaw, b)
}

// FromInt makes the object INCR and friends store (createStringObjectFromLongLongForValue).
func FromInt(v int64) engine.Object { return engine.NewIntObject(v) }

// Value returns the bytes of a string object, formatting an int into buf.
func Value(o *engine.Object, buf []byte) []byte { return o.StringValue(buf) }

// Unshare makes o raw-encoded with its own buffer, ready for in-place changes
// (dbUnshareStringValue): an int or embstr value becomes a raw sds created by sdsnewlen,
// with the allocator's spare room Redis records; the object's LRU/LFU field is kept.
func Unshare(o *engine.Object) []byte {
	if o.Encoding() == engine.EncRaw {
		return o.Bytes()
	}
	var buf [24]byte
	v := o.StringValue(buf[:0])
	b := NewSds(len(v))
	copy(b, v)
	o.SetEncodingBytes(engine.EncRaw, b)
	return b
}

// Grow returns b extended to n bytes, new bytes zeroed, reallocating with Redis's greedy
// sds growth (sdsMakeRoomFor: double under 1 MB, +1 MB above) only when Redis would.
func Grow(b []byte, n int) []byte { return GrowZero(b, n) }

func dup(o *engine.Object) engine.Object {
	if o.Encoding() == engine.EncInt {
		return *o
	}
	b := o.Bytes()
	return engine.NewBytesObject(engine.TypeString, o.Encoding(), engine.CopyBytes(b))
}

// memoryUsage is objectComputeSize for strings.
func memoryUsage(_ *engine.Engine, o *engine.Object, _ int) int {
	switch o.Encoding() {
	case engine.EncInt:
		return memmodel.RobjSize
	case engine.EncEmbstr:
		return memmodel.EmbstrSize(int(len(o.Bytes())))
	}
	b := o.Bytes()
	alloc := cap(b)
	h := memmodel.SdsHeader(alloc)
	if h < 3 && alloc != len(b) {
		h = 3 // grown strings are never SDS_TYPE_5
	}
	return memmodel.RobjSize + memmodel.Class(h+alloc+1)
}
