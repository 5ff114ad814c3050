package rdbobj

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/thash"
	"github.com/redisctl/redisctl/engine/tlist"
	"github.com/redisctl/redisctl/engine/tset"
	"github.com/redisctl/redisctl/engine/tstream"
	"github.com/redisctl/redisctl/engine/tzset"
	"github.com/redisctl/redisctl/rdb"
	"github.com/redisctl/redisctl/rdb/crc64"
	"github.com/redisctl/redisctl/rdb/lzf"
)

// RDBVersion is the RDB version Redis 7.0 writes and the highest it accepts in a DUMP
// payload (RDB_VERSION).
const RDBVersion = 10

// Saver serializes engine Objects as Redis 7.0's rdbSaveObject does. It keeps the LZF
// state and scratch buffers between values, so saving many keys allocates nothing per key
// beyond the output. The zero value does not compress strings; use NewSaver. A Saver is
// not safe for concurrent use.
type Saver struct {
	// Compress is rdbcompression: try LZF on strings longer than 20 bytes.
	Compress bool

	comp lzf.Compressor
	tmp  []byte
	buf  []byte
	num  [24]byte
}

// NewSaver returns a Saver with rdbcompression set as given (Redis's default is yes).
func NewSaver(compress bool) *Saver { return &Saver{Compress: compress} }

// TypeOf is the RDB type byte Redis 7.0 writes for o (rdbSaveObjectType).
func TypeOf(o *engine.Object) (rdb.Type, error) {
	switch o.Type() {
	case engine.TypeString:
		return rdb.TypeString, nil
	case engine.TypeList:
		if o.Encoding() == engine.EncQuicklist {
			return rdb.TypeListQuicklist2, nil
		}
	case engine.TypeSet:
		switch o.Encoding() {
		case engine.EncIntset:
			return rdb.TypeSetIntset, nil
		case engine.EncHashtable:
			return rdb.TypeSet, nil
		}
	case engine.TypeZSet:
		switch o.Encoding() {
		case engine.EncListpack:
			return rdb.TypeZSetListpack, nil
		case engine.EncSkiplist:
			return rdb.TypeZSet2, nil
		}
	case engine.TypeStream:
		return rdb.TypeStreamListpacks2, nil
	case engine.TypeHash:
		switch o.Encoding() {
		case engine.EncListpack:
			return rdb.TypeHashListpack, nil
		case engine.EncHashtable:
			return rdb.TypeHash, nil
		}
	}
	return 0, fmt.Errorf("rdbobj: cannot save a %s encoded as %s", o.Type(), o.Encoding())
}

// AppendValue appends o's value as rdbSaveObject writes it (without the type byte) and
// returns the type byte to write before it.
func (s *Saver) AppendValue(dst []byte, o *engine.Object) (rdb.Type, []byte, error) {
	t, err := TypeOf(o)
	if err != nil {
		return 0, dst, err
	}
	switch t {
	case rdb.TypeString:
		if o.Encoding() == engine.EncInt {
			dst = appendIntString(dst, o.Int())
		} else {
			dst = s.appendString(dst, o.Bytes())
		}
	case rdb.TypeListQuicklist2:
		ql := tlist.FromObject(o)
		dst = rdb.AppendLen(dst, uint64(ql.NodeCount()))
		ql.Nodes(func(n tlist.NodeView) bool {
			if n.Plain {
				dst = rdb.AppendLen(dst, containerPlain)
			} else {
				dst = rdb.AppendLen(dst, containerPacked)
			}
			if n.Compressed {
				dst = appendLZFBlob(dst, n.Data, n.RawLen)
			} else {
				dst = s.appendString(dst, n.Data)
			}
			return true
		})
	case rdb.TypeSetIntset:
		dst = s.appendString(dst, tset.IntsetBytes(o))
	case rdb.TypeSet:
		dst = rdb.AppendLen(dst, uint64(tset.Len(o)))
		tset.ForEachBytes(o, func(m []byte) bool {
			dst = s.appendString(dst, m)
			return true
		})
	case rdb.TypeZSetListpack:
		dst = s.appendString(dst, tzset.ListpackBytes(o))
	case rdb.TypeZSet2:
		dst = rdb.AppendLen(dst, uint64(tzset.Len(o)))
		tzset.Descend(o, func(m []byte, score float64) bool {
			dst = s.appendString(dst, m)
			dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(score))
			return true
		})
	case rdb.TypeHashListpack:
		lp, _ := thash.Listpack(o)
		dst = s.appendString(dst, lp)
	case rdb.TypeStreamListpacks2:
		dst = s.appendStream(dst, tstream.FromObject(o))
	case rdb.TypeHash:
		dst = rdb.AppendLen(dst, uint64(thash.Len(o)))
		thash.Range(o, func(f, v []byte) bool {
			dst = s.appendString(dst, f)
			dst = s.appendString(dst, v)
			return true
		})
	}
	return t, dst, nil
}

// Dump returns o's DUMP payload (createDumpPayload): the type byte, the value, the RDB
// version as 2 bytes little-endian and the CRC-64 of all that, little-endian.
func (s *Saver) Dump(o *engine.Object) ([]byte, error) {
	return s.AppendDump(nil, o)
}

// AppendDump appends o's DUMP payload to dst.
func (s *Saver) AppendDump(dst []byte, o *engine.Object) ([]byte, error) {
	start := len(dst)
	dst = append(dst, 0)
	t, out, err := s.AppendValue(dst, o)
	if err != nil {
		return dst[:start], err
	}
	out[start] = byte(t)
	out = binary.LittleEndian.AppendUint16(out, RDBVersion)
	return binary.LittleEndian.AppendUint64(out, crc64.Update(0, out[start:])), nil
}

// KeyAttrs are the per-key attributes written before a key (rdbSaveKeyValuePair).
type KeyAttrs struct {
	Expire int64 // absolute unix ms, -1 or 0 for none
	// Idle (seconds) is written when HasIdle: the LRU policies' RDB_OPCODE_IDLE.
	Idle    int64
	HasIdle bool
	// Freq is written when HasFreq: the LFU policies' RDB_OPCODE_FREQ.
	Freq    uint8
	HasFreq bool
}

// streamMin is the element count from which hashtable sets and hashes and skiplist sorted
// sets are streamed through the encoder's ValueWriter (bounded memory, spilling to a
// temporary file) instead of being serialized whole first. It is far above any compact
// encoding threshold, so the ValueWriter always writes them plain, as Redis does.
const streamMin = 1 << 16

// WriteKey writes one key, its attributes and its value to enc. Large hashtable sets and
// hashes and skiplist sorted sets are streamed element by element; other values are
// serialized into the Saver's reusable buffer and handed to enc.WriteRaw (the encoder has
// no raw streaming API yet, so a huge list is held once more while it is written).
// Streamed elements follow the encoder's own rdbcompression setting.
func (s *Saver) WriteKey(enc *rdb.Encoder, key []byte, o *engine.Object, a KeyAttrs) error {
	k := rdb.Key{Name: key, Idle: a.Idle, HasIdle: a.HasIdle, Freq: a.Freq, HasFreq: a.HasFreq}
	if a.Expire > 0 {
		k.Expire = a.Expire
	}
	if t, err := TypeOf(o); err == nil && (t == rdb.TypeSet || t == rdb.TypeHash || t == rdb.TypeZSet2) {
		if ops := engine.OpsFor(o.Type()); ops != nil && ops.Len != nil && ops.Len(o) >= streamMin {
			return streamKey(enc, &k, t, o)
		}
	}
	t, out, err := s.AppendValue(s.buf[:0], o)
	if err != nil {
		return err
	}
	s.buf = out
	err = enc.WriteRaw(&k, t, out)
	if cap(s.buf) > 4<<20 {
		s.buf = nil // do not keep a huge value's buffer for the next keys
	}
	return err
}

// appendString appends s as rdbSaveRawString writes it.
func (s *Saver) appendString(dst, b []byte) []byte {
	if len(b) <= 11 && len(b) > 0 {
		if v, ok := parseCanonical(b); ok && v >= math.MinInt32 && v <= math.MaxInt32 {
			return appendIntString(dst, v)
		}
	}
	if s.Compress && len(b) > 20 {
		budget := len(b) - 4
		if cap(s.tmp) < budget {
			s.tmp = make([]byte, budget)
		}
		if n := s.comp.Compress(s.tmp[:budget], b); n > 0 {
			dst = append(dst, 0xC0|encLZF)
			dst = rdb.AppendLen(dst, uint64(n))
			dst = rdb.AppendLen(dst, uint64(len(b)))
			return append(dst, s.tmp[:n]...)
		}
	}
	return rdb.AppendRawString(dst, b)
}

// appendIntString appends v as rdbSaveLongLongAsStringObject: int-encoded when it fits
// 32 bits, else its decimal text.
func appendIntString(dst []byte, v int64) []byte {
	switch {
	case v >= math.MinInt8 && v <= math.MaxInt8:
		return append(dst, 0xC0|encInt8, byte(v))
	case v >= math.MinInt16 && v <= math.MaxInt16:
		return append(dst, 0xC0|encInt16, byte(v), byte(v>>8))
	case v >= math.MinInt32 && v <= math.MaxInt32:
		return append(dst, 0xC0|encInt32, byte(v), byte(v>>8), byte(v>>16), byte(v>>24))
	}
	var b [20]byte
	return rdb.AppendRawString(dst, strconv.AppendInt(b[:0], v, 10))
}

// appendLZFBlob appends already compressed bytes as an LZF string (rdbSaveLzfBlob).
func appendLZFBlob(dst, data []byte, rawLen int) []byte {
	dst = append(dst, 0xC0|encLZF)
	dst = rdb.AppendLen(dst, uint64(len(data)))
	dst = rdb.AppendLen(dst, uint64(rawLen))
	return append(dst, data...)
}

// parseCanonical is string2ll: the canonical decimal form of an int64 only.
func parseCanonical(b []byte) (int64, bool) { return engine.ParseInt(b) }

// RDB string special encodings and quicklist containers (rdb.h, quicklist.h).
const (
	encInt8  = 0
	encInt16 = 1
	encInt32 = 2
	encLZF   = 3

	containerPlain  = 1
	containerPacked = 2
)

// streamKey writes a big hashtable set or hash or skiplist sorted set through the
// encoder's ValueWriter, in the same order AppendValue uses.
func streamKey(enc *rdb.Encoder, k *rdb.Key, t rdb.Type, o *engine.Object) error {
	var kind rdb.ValueKind
	switch t {
	case rdb.TypeSet:
		kind = rdb.KindSet
	case rdb.TypeHash:
		kind = rdb.KindHash
	default:
		kind = rdb.KindZSet
	}
	vw, err := enc.BeginValue(k, kind)
	if err != nil {
		return err
	}
	switch t {
	case rdb.TypeSet:
		tset.ForEachBytes(o, func(m []byte) bool { return vw.Add(m) == nil })
	case rdb.TypeHash:
		thash.Range(o, func(f, v []byte) bool { return vw.AddField(f, v, 0) == nil })
	default:
		tzset.Descend(o, func(m []byte, score float64) bool { return vw.AddMember(m, score) == nil })
	}
	return vw.Close()
}
