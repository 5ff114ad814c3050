package persist

import (
	"encoding/binary"
	"math"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/rdbobj"
	"github.com/redisctl/redisctl/rdb"
	"github.com/redisctl/redisctl/rdb/lzf"
)

// RDBEncoder is the engine.SnapshotEncoder that writes RDB 10 key records exactly as Redis
// 7.0's rdbSaveKeyValuePair: EXPIRETIME_MS when the key has a TTL, IDLE (seconds) under an
// LRU maxmemory policy or FREQ under an LFU one, the type byte, the key as
// rdbSaveRawString writes it (int-encoded, LZF when rdbcompression is on, or raw), then
// the value as rdbobj writes it. The AOF rewrite uses it for its RDB preamble.
type RDBEncoder struct {
	eng      *engine.Engine
	saver    *rdbobj.Saver
	compress bool
	lru, lfu bool
	comp     lzf.Compressor
	tmp      []byte
}

// NewRDBEncoder returns an encoder for eng's current maxmemory policy (lock held).
func NewRDBEncoder(eng *engine.Engine, compress bool) *RDBEncoder {
	r := &RDBEncoder{eng: eng, saver: rdbobj.NewSaver(compress), compress: compress}
	switch eng.Set.MaxmemoryPolicy {
	case "allkeys-lru", "volatile-lru":
		r.lru = true
	case "allkeys-lfu", "volatile-lfu":
		r.lfu = true
	}
	return r
}

// AppendEntry implements engine.SnapshotEncoder.
func (r *RDBEncoder) AppendEntry(dst []byte, _ int, key string, o *engine.Object, expireMs int64) ([]byte, error) {
	mark := len(dst)
	if expireMs != -1 {
		dst = append(dst, byte(rdb.OpExpireTimeMs))
		dst = binary.LittleEndian.AppendUint64(dst, uint64(expireMs))
	}
	if r.lru {
		dst = append(dst, byte(rdb.OpIdle))
		dst = rdb.AppendLen(dst, uint64(r.eng.IdleMs(o)/1000))
	}
	if r.lfu {
		dst = append(dst, byte(rdb.OpFreq), uint8(r.eng.LFUCounter(o)))
	}
	tpos := len(dst)
	dst = append(dst, 0)
	dst = r.appendString(dst, key)
	t, out, err := r.saver.AppendValue(dst, o)
	if err != nil {
		return dst[:mark], err
	}
	out[tpos] = byte(t)
	return out, nil
}

// appendString is rdbSaveRawString for a key.
func (r *RDBEncoder) appendString(dst []byte, s string) []byte {
	if n := len(s); n > 0 && n <= 11 {
		if v, ok := engine.ParseInt([]byte(s)); ok && v >= math.MinInt32 && v <= math.MaxInt32 {
			switch {
			case v >= math.MinInt8 && v <= math.MaxInt8:
				return append(dst, 0xC0, byte(v))
			case v >= math.MinInt16 && v <= math.MaxInt16:
				return append(dst, 0xC1, byte(v), byte(v>>8))
			default:
				return append(dst, 0xC2, byte(v), byte(v>>8), byte(v>>16), byte(v>>24))
			}
		}
	}
	if r.compress && len(s) > 20 {
		budget := len(s) - 4
		if cap(r.tmp) < budget {
			r.tmp = make([]byte, budget)
		}
		if n := r.comp.Compress(r.tmp[:budget], []byte(s)); n > 0 {
			dst = append(dst, 0xC3)
			dst = rdb.AppendLen(dst, uint64(n))
			dst = rdb.AppendLen(dst, uint64(len(s)))
			return append(dst, r.tmp[:n]...)
		}
	}
	dst = rdb.AppendLen(dst, uint64(len(s)))
	return append(dst, s...)
}
