package rdb

import "strconv"

// RecordKind says what the decoder's current record is. Records come in file
// order; see Decoder for the grammar and the accessors each kind fills.
type RecordKind uint8

const (
	RecNone RecordKind = iota
	// Header and file-level records.
	RecAux           // Field = name, Value = value
	RecSelectDB      // DB
	RecResizeDB      // ResizeDB
	RecFunction      // Value = library source (FUNCTION2)
	RecFunctionPreGA // Field = name, Value = code; 7.0 RC format Redis refuses
	RecModuleAux     // Module, Value = raw opcode body, ModuleWhen
	RecSlotInfo      // SlotInfo
	// Key records: RecKeyBegin, value records, RecKeyEnd.
	RecKeyBegin      // Key, Type, Expire, Idle, Freq, Len (when known), KeyMeta
	RecString        // Value
	RecListElement   // Value
	RecSetMember     // Value
	RecHashField     // Field, Value, FieldExpire
	RecZSetMember    // Value (member), Score, ScoreText
	RecStreamNode    // StreamID (master ID), Len (entries incl. deleted), Value = listpack
	RecStreamEntry   // StreamID, NumFields, EntryDeleted
	RecStreamField   // Field, Value: one pair of the preceding entry
	RecStreamMeta    // StreamMeta
	RecStreamGroup   // StreamGroup
	RecStreamPending // StreamPending: an entry of the group's PEL
	RecStreamConsumer
	RecStreamConsumerPending // StreamID: an entry of the consumer's PEL
	RecStreamProducer        // Field = producer id, Len = its idempotency ids (v4)
	RecStreamIID             // Field = idempotency id, StreamID (v4)
	RecStreamIDMP            // StreamIDMP (v4, after the producers)
	RecModule                // Module, Value = raw value bytes after the module id
	RecKeyEnd                // Len (elements emitted), LoadedEncoding
	RecEOF                   // Checksum
)

var recordNames = [...]string{
	"none", "aux", "select-db", "resize-db", "function", "function-pre-ga", "module-aux",
	"slot-info", "key-begin", "string", "list-element", "set-member", "hash-field",
	"zset-member", "stream-node", "stream-entry", "stream-field", "stream-meta",
	"stream-group", "stream-pending", "stream-consumer", "stream-consumer-pending",
	"stream-producer", "stream-iid", "stream-idmp", "module", "key-end", "eof",
}

func (k RecordKind) String() string {
	if int(k) < len(recordNames) {
		return recordNames[k]
	}
	return "record(" + strconv.Itoa(int(k)) + ")"
}

// StreamID is a stream entry ID.
type StreamID struct{ Ms, Seq uint64 }

func (id StreamID) String() string {
	return strconv.FormatUint(id.Ms, 10) + "-" + strconv.FormatUint(id.Seq, 10)
}

// Less orders IDs.
func (id StreamID) Less(o StreamID) bool {
	return id.Ms < o.Ms || id.Ms == o.Ms && id.Seq < o.Seq
}

// StreamMeta is a stream's metadata, read after its nodes.
type StreamMeta struct {
	Length       uint64   // live entries
	LastID       StreamID // last ID ever added
	FirstID      StreamID // v2+; zero before
	MaxDeletedID StreamID // v2+
	EntriesAdded uint64   // v2+; Length before
	Groups       uint64   // number of consumer groups that follow
	HasV2        bool     // FirstID, MaxDeletedID and EntriesAdded were stored
}

// StreamGroup is a consumer group header; its PEL and consumers follow.
type StreamGroup struct {
	Name        []byte
	LastID      StreamID
	EntriesRead int64 // -1 when not stored (v1)
	Pending     uint64
}

// StreamPending is an entry of a group's pending entries list.
type StreamPending struct {
	ID            StreamID
	DeliveryTime  int64 // unix ms
	DeliveryCount uint64
}

// StreamConsumer is a consumer header; its PEL IDs follow.
type StreamConsumer struct {
	Name       []byte
	SeenTime   int64 // unix ms
	ActiveTime int64 // unix ms; -1 when not stored (before v3)
	Pending    uint64
}

// StreamIDMP is the idempotency metadata of a v4 stream.
type StreamIDMP struct {
	Duration, MaxEntries, Producers, IIDsAdded, IIDsDuplicates uint64
}

// ChecksumStatus says what became of the CRC-64 trailer.
type ChecksumStatus uint8

const (
	ChecksumVerified ChecksumStatus = iota // trailer matched
	ChecksumDisabled                       // trailer is zero: written with rdbchecksum no
	ChecksumAbsent                         // RDB version before 5: no trailer
	ChecksumMismatch                       // differs (only with Options.SkipChecksum; else an error)
	ChecksumSkipped                        // not compared (Options.SkipChecksum) but matched
)

func (s ChecksumStatus) String() string {
	switch s {
	case ChecksumVerified:
		return "verified"
	case ChecksumDisabled:
		return "disabled"
	case ChecksumAbsent:
		return "absent"
	case ChecksumMismatch:
		return "mismatch"
	case ChecksumSkipped:
		return "skipped"
	}
	return "status(" + strconv.Itoa(int(s)) + ")"
}

// Checksum is the EOF record's payload.
type Checksum struct {
	Status   ChecksumStatus
	Stored   uint64 // the trailer
	Computed uint64 // CRC-64 of the bytes before the trailer
}

// Module names a module type from its 64-bit id (FORMATS §1.9).
type Module struct {
	ID     uint64
	Name   string // 9 characters of A-Z a-z 0-9 - _
	EncVer int    // the low 10 bits
	When   int    // MODULE_AUX only: 1 before keys, 2 after
}

const moduleCharset = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

// ModuleName decodes the 9-character name from a module type id.
func ModuleName(id uint64) string {
	var b [9]byte
	for i := range b {
		b[i] = moduleCharset[(id>>(10+6*(8-uint(i))))&63]
	}
	return string(b[:])
}

// ModuleID encodes a 9-character name and a 10-bit encoding version into a
// module type id; ok is false for a bad name.
func ModuleID(name string, encver int) (id uint64, ok bool) {
	if len(name) != 9 || encver < 0 || encver > 1023 {
		return 0, false
	}
	for i := 0; i < 9; i++ {
		j := -1
		for k := 0; k < len(moduleCharset); k++ {
			if moduleCharset[k] == name[i] {
				j = k
				break
			}
		}
		if j < 0 {
			return 0, false
		}
		id = id<<6 | uint64(j)
	}
	return id<<10 | uint64(encver), true
}
