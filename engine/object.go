package engine

import (
	"strconv"
	"unsafe"
)

// Type is a value's type, numbered as Redis's OBJ_* constants.
type Type uint8

// The value types. The numbers match Redis's OBJ_STRING … OBJ_STREAM.
const (
	TypeString Type = 0
	TypeList   Type = 1
	TypeSet    Type = 2
	TypeZSet   Type = 3
	TypeHash   Type = 4
	TypeModule Type = 5
	TypeStream Type = 6
)

var typeNames = [...]string{"string", "list", "set", "zset", "hash", "module", "stream"}

// String is what TYPE replies.
func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return "unknown"
}

// ParseType maps a TYPE name (as SCAN's TYPE option takes it) to a Type.
func ParseType(name []byte) (Type, bool) {
	for i, n := range typeNames {
		if equalFold(name, n) && Type(i) != TypeModule {
			return Type(i), true
		}
	}
	return 0, false
}

// Encoding is a value's in-memory representation, numbered as Redis's OBJ_ENCODING_*.
type Encoding uint8

// The encodings, numbered as Redis's OBJ_ENCODING_* constants.
const (
	EncRaw        Encoding = 0
	EncInt        Encoding = 1
	EncHashtable  Encoding = 2
	EncZipmap     Encoding = 3
	EncLinkedList Encoding = 4
	EncZiplist    Encoding = 5
	EncIntset     Encoding = 6
	EncSkiplist   Encoding = 7
	EncEmbstr     Encoding = 8
	EncQuicklist  Encoding = 9
	EncStream     Encoding = 10
	EncListpack   Encoding = 11
	numEncodings           = 12
)

var encodingNames = [numEncodings]string{"raw", "int", "hashtable", "zipmap", "linkedlist",
	"ziplist", "intset", "skiplist", "embstr", "quicklist", "stream", "listpack"}

// String is what OBJECT ENCODING replies.
func (e Encoding) String() string {
	if int(e) < len(encodingNames) {
		return encodingNames[e]
	}
	return "unknown"
}

// Object is a value in the keyspace: Redis's robj without the refcount.
//
// The payload depends on the encoding:
//   - EncInt: the integer, in n.
//   - EncEmbstr, EncRaw, EncListpack, EncIntset: a byte slice (the string, or the exact
//     listpack/intset bytes Redis would hold), as p/n/c = data/len/cap.
//   - every other encoding: p points at the family's own structure (a quicklist, a
//     hashtable, a skiplist, a stream); only the family that owns the encoding casts it.
//
// Objects are stored by value inside dict entries, so one key costs one entry allocation
// plus its payload. 32 bytes.
type Object struct {
	p   unsafe.Pointer
	n   int64
	c   int64
	typ Type
	enc Encoding
	// msize is the key's counted memory (memory.go: quantized, 0 = not counted yet). It
	// lives in what was padding, so an Object stays 32 bytes.
	msize uint16
	lru   uint32 // LRU clock or LFU (16-bit minutes, 8-bit counter), as Redis's 24-bit field
}

// Type is the object's type.
func (o *Object) Type() Type { return o.typ }

// Encoding is the object's encoding.
func (o *Object) Encoding() Encoding { return o.enc }

// LRU is the raw 24-bit LRU/LFU field.
func (o *Object) LRU() uint32 { return o.lru }

// SetLRU sets the raw LRU/LFU field.
func (o *Object) SetLRU(v uint32) { o.lru = v & lruMask }

// NewBytesObject makes an object whose payload is b (owned by the object from now on).
func NewBytesObject(t Type, e Encoding, b []byte) Object {
	o := Object{typ: t, enc: e}
	o.SetBytes(b)
	return o
}

// NewIntObject makes an int-encoded string.
func NewIntObject(v int64) Object { return Object{typ: TypeString, enc: EncInt, n: v} }

// NewPtrObject makes an object whose payload is a family structure.
func NewPtrObject(t Type, e Encoding, p unsafe.Pointer) Object {
	return Object{typ: t, enc: e, p: p}
}

// Bytes is the payload of a byte-encoded object (embstr, raw, listpack, intset). The slice
// aliases the object: callers that keep it past the command must copy it.
func (o *Object) Bytes() []byte {
	if o.p == nil {
		return nil
	}
	return unsafe.Slice((*byte)(o.p), o.c)[:o.n:o.c]
}

// SetBytes replaces the payload with b and keeps the encoding.
func (o *Object) SetBytes(b []byte) {
	o.p = unsafe.Pointer(unsafe.SliceData(b))
	o.n = int64(len(b))
	o.c = int64(cap(b))
}

// SetEncodingBytes changes the encoding and payload together.
func (o *Object) SetEncodingBytes(e Encoding, b []byte) {
	o.enc = e
	o.SetBytes(b)
}

// Int is the value of an int-encoded string.
func (o *Object) Int() int64 { return o.n }

// SetInt makes the object an int-encoded string holding v.
func (o *Object) SetInt(v int64) {
	o.typ, o.enc, o.p, o.n, o.c = TypeString, EncInt, nil, v, 0
}

// Ptr is the family structure of a pointer-encoded object.
func (o *Object) Ptr() unsafe.Pointer { return o.p }

// SetPtr changes the encoding and the family structure together.
func (o *Object) SetPtr(e Encoding, p unsafe.Pointer) {
	o.enc, o.p, o.n, o.c = e, p, 0, 0
}

// IsBytes reports whether the payload is a byte slice.
func (o *Object) IsBytes() bool {
	switch o.enc {
	case EncRaw, EncEmbstr, EncListpack, EncIntset:
		return true
	}
	return false
}

// StringValue returns a string object's value, formatting an int-encoded one into buf.
func (o *Object) StringValue(buf []byte) []byte {
	if o.enc == EncInt {
		return strconv.AppendInt(buf[:0], o.n, 10)
	}
	return o.Bytes()
}

// StringLen is the length of a string object's value.
func (o *Object) StringLen() int {
	if o.enc == EncInt {
		var buf [24]byte
		return len(strconv.AppendInt(buf[:0], o.n, 10))
	}
	return int(o.n)
}

func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		d := s[i]
		if 'A' <= d && d <= 'Z' {
			d += 'a' - 'A'
		}
		if c != d {
			return false
		}
	}
	return true
}

// EqualFold reports whether b equals s ignoring ASCII case, without allocating. Option
// parsing in every command uses it.
func EqualFold(b []byte, s string) bool { return equalFold(b, s) }
