package rdb

// Value is a whole value in logical form: what the encoder writes and what
// Collect returns. Exactly one field matching Kind is used.
type Value struct {
	Kind   ValueKind
	String []byte
	List   [][]byte    // elements, head to tail
	Set    [][]byte    // members (no duplicates)
	Hash   []HashField // fields in insertion order
	ZSet   []ZMember   // members (no duplicates), any order
	Stream *Stream
	Module *ModuleValue
	// PackedSource says the hash or zset was read from a packed encoding (zipmap,
	// ziplist, listpack): Redis's loader keeps such a value packed while its entry count
	// fits, whatever its element lengths, and so does the encoder when it is set.
	PackedSource bool
}

// HashField is a hash field with its optional expiry (Redis 7.4 HFE).
type HashField struct {
	Field, Value []byte
	Expire       int64 // absolute unix ms; 0 = no expiry
}

// ZMember is a sorted set member.
type ZMember struct {
	Member []byte
	Score  float64
}

// Stream is a stream value: its live entries and its consumer groups.
type Stream struct {
	Entries      []StreamEntry // live entries in ascending ID order
	Length       uint64        // the stored length; 0 means len(Entries)
	LastID       StreamID
	FirstID      StreamID // v2+ (0-0 for an empty stream)
	MaxDeletedID StreamID // v2+
	EntriesAdded uint64   // v2+; 0 means len(Entries)
	Groups       []StreamGroupValue
}

// StreamEntry is one stream entry: Fields holds field, value, field, value...
type StreamEntry struct {
	ID     StreamID
	Fields [][]byte
}

// StreamGroupValue is a consumer group with its PEL and consumers.
type StreamGroupValue struct {
	Name        []byte
	LastID      StreamID
	EntriesRead int64 // v2+; -1 = unknown
	PEL         []StreamPending
	Consumers   []StreamConsumerValue
}

// StreamConsumerValue is a consumer with its pending IDs.
type StreamConsumerValue struct {
	Name       []byte
	SeenTime   int64
	ActiveTime int64 // v3+; -1 = same as SeenTime
	PEL        []StreamID
}

// ModuleValue is a module value kept raw: the module type id and the
// opcode body after it, up to and including the EOF opcode.
type ModuleValue struct {
	ID  uint64
	Raw []byte
}

// Key names a key and its per-key attributes for the encoder.
type Key struct {
	Name    []byte
	Expire  int64 // absolute unix ms; 0 = no expiry
	Idle    int64 // LRU idle seconds, written when HasIdle
	Freq    uint8 // LFU counter, written when HasFreq
	HasIdle bool
	HasFreq bool
}
