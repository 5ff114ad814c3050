package rdbobj

import (
	"encoding/binary"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/rdb"
	"github.com/redisctl/redisctl/rdb/crc64"
)

// Commands are DUMP and RESTORE with Redis 7.0's arity, flags and key positions.
func Commands() []*engine.Command {
	return []*engine.Command{
		{Name: "dump", Arity: 2, Flags: engine.FlagReadOnly, FirstKey: 1, LastKey: 1, Step: 1, Fn: cmdDump},
		{Name: "restore", Arity: -4, Flags: engine.FlagWrite | engine.FlagDenyOOM, FirstKey: 1, LastKey: 1, Step: 1, Fn: cmdRestore},
	}
}

var (
	noCompression atomic.Bool // rdbcompression no
	skipChecksum  atomic.Bool // DEBUG SET-SKIP-CHECKSUM-VALIDATION 1
)

// SetRDBCompression is CONFIG SET rdbcompression: whether DUMP (and saves that do not say
// otherwise) LZF-compress strings. Redis's default is yes.
func SetRDBCompression(on bool) { noCompression.Store(!on) }

// RDBCompression reports the rdbcompression setting.
func RDBCompression() bool { return !noCompression.Load() }

// SetSkipChecksumValidation is DEBUG SET-SKIP-CHECKSUM-VALIDATION: RESTORE stops checking
// the payload's CRC-64.
func SetSkipChecksumValidation(on bool) { skipChecksum.Store(on) }

// Redis's error replies of DUMP/RESTORE.
const (
	errDumpPayload = "ERR " + rdb.DumpErrorText
	errBadFormat   = "ERR " + rdb.DumpBadFormatText
	errTTL         = "ERR Invalid TTL value, must be >= 0"
	errIdle        = "ERR Invalid IDLETIME value, must be >= 0"
	errFreq        = "ERR Invalid FREQ value, must be >= 0 and <= 255"
)

func cmdDump(x *engine.Ctx) {
	o := x.DB.LookupRead(x.Args[1])
	if o == nil {
		x.Null()
		return
	}
	s := saverPool.Get().(*Saver)
	defer saverPool.Put(s)
	s.Compress = RDBCompression()
	payload, err := s.AppendDump(s.buf[:0], o)
	if err != nil {
		x.Error("ERR " + err.Error())
		return
	}
	x.Bulk(payload)
	s.buf = payload[:0]
	if cap(s.buf) > 1<<20 {
		s.buf = nil
	}
}

// saverPool holds DUMP's Savers (LZF state and payload buffer) between calls.
var saverPool = sync.Pool{New: func() any { return new(Saver) }}

// VerifyPayload is Redis 7.0's verifyDumpPayload: at least 10 bytes, a version no newer
// than RDB 10, and a CRC-64 matching (unless skipChecksum).
func VerifyPayload(p []byte, skipCRC bool) bool {
	if len(p) < 10 {
		return false
	}
	footer := p[len(p)-10:]
	if binary.LittleEndian.Uint16(footer) > RDBVersion {
		return false
	}
	if skipCRC {
		return true
	}
	return crc64.Update(0, p[:len(p)-8]) == binary.LittleEndian.Uint64(footer[2:])
}

// RestorePayload verifies a DUMP payload and builds its value (what RESTORE does before
// touching the keyspace). The error's text is Redis's reply without the "ERR " prefix.
func RestorePayload(p []byte, lc *LoadConfig, skipCRC bool) (engine.Object, error) {
	if !VerifyPayload(p, skipCRC) {
		return engine.Object{}, errors.New(rdb.DumpErrorText)
	}
	t := rdb.Type(p[0])
	if !isObjectType70(t) {
		return engine.Object{}, ErrBadFormat
	}
	o, _, err := DecodeValue(t, p[1:], lc)
	return o, err
}

// isObjectType70 is Redis 7.0's rdbIsObjectType: 0..7 and 9..19.
func isObjectType70(t rdb.Type) bool { return t <= 7 || (t >= 9 && t <= 19) }

// deepSanitize is sanitize-dump-payload for a RESTORE from this client: yes always, clients
// for every client but the ones replaying persistence (Redis skips it while loading and for
// its master).
func deepSanitize(x *engine.Ctx) bool {
	switch x.E.Set.SanitizeDumpPayload {
	case "yes":
		return true
	case "clients":
		return x.C == nil || x.C.Flags&engine.ClientAOF == 0
	}
	return false
}

func cmdRestore(x *engine.Ctx) {
	key := x.Args[1]
	var lfuFreq, lruIdle int64 = -1, -1
	replace, absTTL := false, false
	for j := 4; j < len(x.Args); j++ {
		a := x.Args[j]
		additional := len(x.Args) - j - 1
		switch {
		case engine.EqualFold(a, "replace"):
			replace = true
		case engine.EqualFold(a, "absttl"):
			absTTL = true
		case engine.EqualFold(a, "idletime") && additional >= 1 && lfuFreq == -1:
			v, ok := x.ParseInt(j + 1)
			if !ok {
				return
			}
			if v < 0 {
				x.Error(errIdle)
				return
			}
			lruIdle = v
			j++
		case engine.EqualFold(a, "freq") && additional >= 1 && lruIdle == -1:
			v, ok := x.ParseInt(j + 1)
			if !ok {
				return
			}
			if v < 0 || v > 255 {
				x.Error(errFreq)
				return
			}
			lfuFreq = v
			j++
		default:
			x.SyntaxError()
			return
		}
	}
	if !replace && x.DB.LookupWrite(key) != nil {
		x.Error(engine.ErrBusyKey)
		return
	}
	ttl, ok := x.ParseInt(2)
	if !ok {
		return
	}
	if ttl < 0 {
		x.Error(errTTL)
		return
	}
	obj, err := RestorePayload(x.Args[3], ConfigFor(x.E, deepSanitize(x)), skipChecksum.Load())
	if err != nil {
		if err.Error() == rdb.DumpErrorText {
			x.Error(errDumpPayload)
		} else {
			x.Error(errBadFormat)
		}
		return
	}
	deleted := false
	if replace {
		deleted = x.DB.Delete(key)
	}
	if ttl != 0 && !absTTL {
		ttl += x.Now()
	}
	if ttl != 0 && ttl <= x.Now() {
		if deleted {
			x.Rewrite([]byte("DEL"), key)
			x.SignalModified(key)
			x.Notify(engine.NotifyGeneric, "del", key)
			x.Dirty(1)
		}
		x.OK()
		return
	}
	o := x.DB.Add(key, obj)
	if ttl != 0 {
		x.DB.SetExpire(key, ttl)
		if !absTTL {
			args := make([][]byte, 0, len(x.Args)+1)
			args = append(args, x.Args...)
			args[2] = strconv.AppendInt(nil, ttl, 10)
			args = append(args, []byte("ABSTTL"))
			x.Rewrite(args...)
		}
	}
	setLRUOrLFU(x.E, o, lfuFreq, lruIdle)
	x.SignalModified(key)
	x.Notify(engine.NotifyGeneric, "restore", key)
	x.Dirty(1)
	x.OK()
}

// LRU clock constants (server.h).
const (
	lruClockMax        = 1<<24 - 1
	lruClockResolution = 1000
)

// setLRUOrLFU is objectSetLRUOrLFU with Redis's 1000 ms multiplier: under an LFU policy a
// given FREQ becomes the counter; otherwise a given IDLETIME (seconds) moves the access
// time back.
func setLRUOrLFU(eng *engine.Engine, o *engine.Object, lfuFreq, lruIdle int64) {
	now := eng.NowMs()
	if eng.Set.LFU() {
		if lfuFreq >= 0 {
			minutes := uint32(now/1000/60) & 0xffff
			o.SetLRU(minutes<<8 | uint32(lfuFreq))
		}
		return
	}
	if lruIdle >= 0 {
		clock := (now / lruClockResolution) & lruClockMax
		idle := lruIdle * 1000 / lruClockResolution
		// As objectSetLRUOrLFU: a time before the clock's origin wraps once by
		// LRU_CLOCK_MAX, and the 24-bit field keeps the low bits of whatever is left (an
		// idle time beyond 2^24 s reads back modulo the clock). The multiplication wraps as
		// C's does for an idle time beyond 2^63/1000.
		abs := clock - idle
		if abs < 0 {
			abs += lruClockMax
		}
		o.SetLRU(uint32(abs))
	}
}
