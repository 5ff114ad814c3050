package rdb

import "strconv"

// Type is the byte that precedes a key in an RDB file (and starts a DUMP
// payload) and says how the value is laid out.
//
// The values are the file format: they are frozen and must never be
// renumbered. When adding one, also update typeNames, Type.ValueKind,
// Type.Encoding, the decoder's value dispatch (decoder_value.go) and the
// encoder if it writes the type.
type Type byte

const (
	TypeString            Type = 0  // RDB 1
	TypeList              Type = 1  // RDB 1, plain linked list
	TypeSet               Type = 2  // RDB 1, plain set
	TypeZSet              Type = 3  // RDB 1, text-encoded scores
	TypeHash              Type = 4  // RDB 1, plain hash
	TypeZSet2             Type = 5  // RDB 8, binary scores
	TypeModulePreGA       Type = 6  // RDB 8 (4.0 RCs); cannot be skipped
	TypeModule2           Type = 7  // RDB 8
	TypeHashZipmap        Type = 9  // RDB 2
	TypeListZiplist       Type = 10 // RDB 2
	TypeSetIntset         Type = 11 // RDB 2
	TypeZSetZiplist       Type = 12 // RDB 2
	TypeHashZiplist       Type = 13 // RDB 4
	TypeListQuicklist     Type = 14 // RDB 7, nodes are ziplists
	TypeStreamListpacks   Type = 15 // RDB 9
	TypeHashListpack      Type = 16 // RDB 10
	TypeZSetListpack      Type = 17 // RDB 10
	TypeListQuicklist2    Type = 18 // RDB 10, nodes are listpacks or plain
	TypeStreamListpacks2  Type = 19 // RDB 10
	TypeSetListpack       Type = 20 // RDB 11
	TypeStreamListpacks3  Type = 21 // RDB 11
	TypeHashMetadataPreGA Type = 22 // RDB 12 (7.4 RCs); Valkey files: TypeValkeyHash2
	TypeHashListpackExPre Type = 23 // RDB 12 (7.4 RCs); Valkey 81: path hash
	TypeHashMetadata      Type = 24 // RDB 12, hash with field expiry
	TypeHashListpackEx    Type = 25 // RDB 12, listpack hash with field expiry
	TypeStreamListpacks4  Type = 26 // RDB 13

	// TypeValkeyHash2 is type byte 22 as Valkey 9 writes it (VALKEY080+
	// magic): a hash with per-field absolute expiry times.
	TypeValkeyHash2 Type = 22
)

var typeNames = [...]string{
	TypeString:            "string",
	TypeList:              "list",
	TypeSet:               "set",
	TypeZSet:              "zset",
	TypeHash:              "hash",
	TypeZSet2:             "zset2",
	TypeModulePreGA:       "module-pre-ga",
	TypeModule2:           "module2",
	8:                     "",
	TypeHashZipmap:        "hash-zipmap",
	TypeListZiplist:       "list-ziplist",
	TypeSetIntset:         "set-intset",
	TypeZSetZiplist:       "zset-ziplist",
	TypeHashZiplist:       "hash-ziplist",
	TypeListQuicklist:     "list-quicklist",
	TypeStreamListpacks:   "stream-listpacks",
	TypeHashListpack:      "hash-listpack",
	TypeZSetListpack:      "zset-listpack",
	TypeListQuicklist2:    "list-quicklist2",
	TypeStreamListpacks2:  "stream-listpacks2",
	TypeSetListpack:       "set-listpack",
	TypeStreamListpacks3:  "stream-listpacks3",
	TypeHashMetadataPreGA: "hash-metadata-pre-ga",
	TypeHashListpackExPre: "hash-listpack-ex-pre-ga",
	TypeHashMetadata:      "hash-metadata",
	TypeHashListpackEx:    "hash-listpack-ex",
	TypeStreamListpacks4:  "stream-listpacks4",
}

// String names the type as in Redis's RDB_TYPE_* constants, lower-cased.
// Type 22 and 23 print their Redis names; the decoder reports Valkey's
// meaning through Decoder.Encoding.
func (t Type) String() string {
	if int(t) < len(typeNames) && typeNames[t] != "" {
		return typeNames[t]
	}
	return "type(" + strconv.Itoa(int(t)) + ")"
}

// Known reports whether t is a type byte some Redis or Valkey writes.
func (t Type) Known() bool {
	return int(t) < len(typeNames) && typeNames[t] != ""
}

// ValueKind is what Redis's TYPE command says about a key.
type ValueKind uint8

const (
	KindNone ValueKind = iota
	KindString
	KindList
	KindSet
	KindZSet
	KindHash
	KindStream
	KindModule
)

var kindNames = [...]string{"none", "string", "list", "set", "zset", "hash", "stream", "module"}

// String returns the TYPE reply: "string", "list", "set", "zset", "hash",
// "stream", or "module" ("none" for KindNone).
func (k ValueKind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// ValueKind returns the Redis data type stored with type byte t, or
// KindNone for an unknown byte.
func (t Type) ValueKind() ValueKind {
	switch t {
	case TypeString:
		return KindString
	case TypeList, TypeListZiplist, TypeListQuicklist, TypeListQuicklist2:
		return KindList
	case TypeSet, TypeSetIntset, TypeSetListpack:
		return KindSet
	case TypeZSet, TypeZSet2, TypeZSetZiplist, TypeZSetListpack:
		return KindZSet
	case TypeHash, TypeHashZipmap, TypeHashZiplist, TypeHashListpack,
		TypeHashMetadataPreGA, TypeHashListpackExPre, TypeHashMetadata, TypeHashListpackEx:
		return KindHash
	case TypeStreamListpacks, TypeStreamListpacks2, TypeStreamListpacks3, TypeStreamListpacks4:
		return KindStream
	case TypeModulePreGA, TypeModule2:
		return KindModule
	}
	return KindNone
}

// Encoding names how the value is laid out on disk: "string", "linkedlist",
// "hashtable", "skiplist", "zipmap", "ziplist", "intset", "listpack",
// "quicklist", "listpackex", "stream", "module". It is not what OBJECT
// ENCODING says after loading; see Decoder.LoadedEncoding for that.
func (t Type) Encoding() string {
	switch t {
	case TypeString:
		return "string"
	case TypeList:
		return "linkedlist"
	case TypeSet, TypeHash, TypeHashMetadataPreGA, TypeHashMetadata:
		return "hashtable"
	case TypeZSet, TypeZSet2:
		return "skiplist"
	case TypeHashZipmap:
		return "zipmap"
	case TypeListZiplist, TypeZSetZiplist, TypeHashZiplist:
		return "ziplist"
	case TypeSetIntset:
		return "intset"
	case TypeHashListpack, TypeZSetListpack, TypeSetListpack:
		return "listpack"
	case TypeHashListpackExPre, TypeHashListpackEx:
		return "listpackex"
	case TypeListQuicklist, TypeListQuicklist2:
		return "quicklist"
	case TypeStreamListpacks, TypeStreamListpacks2, TypeStreamListpacks3, TypeStreamListpacks4:
		return "stream"
	case TypeModulePreGA, TypeModule2:
		return "module"
	}
	return "unknown"
}

// Opcode is a byte found where a type byte is expected that is not a value
// type: the file-level records of an RDB.
//
// The values are the file format: they are frozen and must never be
// renumbered. When adding one, also update opcodeNames and the decoder's
// opcode switch (decoder.go).
type Opcode byte

const (
	OpKeyMeta       Opcode = 243 // Redis RDB 13: per-key metadata before the type byte (Valkey 80: slot import)
	OpSlotInfo      Opcode = 244 // RDB 12: slot, keys, expires
	OpFunction2     Opcode = 245 // RDB 10: a function library's source
	OpFunctionPreGA Opcode = 246 // RDB 10 (7.0 RCs); real Redis refuses it
	OpModuleAux     Opcode = 247 // RDB 9: module auxiliary data
	OpIdle          Opcode = 248 // RDB 9: LRU idle seconds of the next key
	OpFreq          Opcode = 249 // RDB 9: LFU counter of the next key
	OpAux           Opcode = 250 // RDB 7: name/value header field
	OpResizeDB      Opcode = 251 // RDB 7: hash table size hints
	OpExpireTimeMs  Opcode = 252 // RDB 3: 8-byte LE ms expiry of the next key
	OpExpireTime    Opcode = 253 // RDB 1: 4-byte s expiry of the next key
	OpSelectDB      Opcode = 254 // RDB 1: switch database
	OpEOF           Opcode = 255 // RDB 1: end of file, then the CRC-64 (RDB 5+)
)

var opcodeNames = [...]string{
	OpKeyMeta - OpKeyMeta:       "KEY_META",
	OpSlotInfo - OpKeyMeta:      "SLOT_INFO",
	OpFunction2 - OpKeyMeta:     "FUNCTION2",
	OpFunctionPreGA - OpKeyMeta: "FUNCTION_PRE_GA",
	OpModuleAux - OpKeyMeta:     "MODULE_AUX",
	OpIdle - OpKeyMeta:          "IDLE",
	OpFreq - OpKeyMeta:          "FREQ",
	OpAux - OpKeyMeta:           "AUX",
	OpResizeDB - OpKeyMeta:      "RESIZEDB",
	OpExpireTimeMs - OpKeyMeta:  "EXPIRETIME_MS",
	OpExpireTime - OpKeyMeta:    "EXPIRETIME",
	OpSelectDB - OpKeyMeta:      "SELECTDB",
	OpEOF - OpKeyMeta:           "EOF",
}

// String returns the RDB_OPCODE_* name.
func (o Opcode) String() string {
	if o >= OpKeyMeta {
		return opcodeNames[o-OpKeyMeta]
	}
	return "opcode(" + strconv.Itoa(int(o)) + ")"
}

// Version limits of what this package reads and writes.
const (
	MinVersion       = 1  // oldest RDB version read
	MaxVersion       = 13 // newest Redis RDB version read (Redis 8.6)
	MinValkeyVersion = 80 // VALKEY080 (Valkey 9.0)
	MaxValkeyVersion = 81 // VALKEY081
	DefaultVersion   = 10 // what the encoder writes by default: Redis 7.0
	MinWriteVersion  = 7  // oldest version the encoder writes (Redis 3.2)
	MaxWriteVersion  = 12 // newest version the encoder writes (Redis 7.4)
)

// Module opcodes inside module values and MODULE_AUX bodies (module.c).
const (
	moduleOpEOF    = 0
	moduleOpSInt   = 1
	moduleOpUInt   = 2
	moduleOpFloat  = 3
	moduleOpDouble = 4
	moduleOpString = 5
)

// Special string encodings: a length byte 11xxxxxx; kind in the low bits.
const (
	encInt8  = 0
	encInt16 = 1
	encInt32 = 2
	encLZF   = 3
)

// Quicklist 2 node containers.
const (
	containerPlain  = 1
	containerPacked = 2
)
