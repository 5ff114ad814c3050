package rdb

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/redisctl/redisctl/rdb/crc64"
	"github.com/redisctl/redisctl/rdb/listpack"
	"github.com/redisctl/redisctl/rdb/ziplist"
)

// EncoderOptions configure an Encoder. The zero value writes what Redis
// 7.0 writes with its default configuration.
type EncoderOptions struct {
	// Version is the RDB version to write, MinWriteVersion..MaxWriteVersion
	// (0: DefaultVersion = 10, Redis 7.0).
	Version int
	// Config holds the encoding thresholds and rdbcompression (nil:
	// DefaultConfig()).
	Config *Config
	// NoChecksum writes a zero CRC-64 trailer, as rdbchecksum no does.
	NoChecksum bool
	// NoDefaultAux leaves out the AUX fields Redis writes (redis-ver,
	// redis-bits, ctime, used-mem, aof-base / aof-preamble).
	NoDefaultAux bool
	// Aux adds fields after the default ones; a field with a default's name
	// replaces that default in place.
	Aux []AuxField
	// RedisVersion is the redis-ver value (default: a release of that RDB
	// version, e.g. "7.0.15" for 10).
	RedisVersion string
	// Ctime is the ctime value in unix seconds (0: now).
	Ctime int64
	// UsedMem is the used-mem value.
	UsedMem int64
	// AOFBase sets aof-base (aof-preamble before RDB 10) to 1.
	AOFBase bool
	// TempDir is where streamed values spill past SpillThreshold (default
	// os.TempDir()).
	TempDir string
	// SpillThreshold is how many body bytes a streamed value keeps in
	// memory before spilling to a temporary file (default 8 MB).
	SpillThreshold int
}

// AuxField is an AUX name/value pair.
type AuxField struct{ Name, Value string }

// Encoder writes an RDB file. Calls go: header fields (WriteAux,
// WriteFunction, WriteModuleAux) first, then per database SelectDB and its
// keys (WriteValue, WriteRaw, or BeginValue for values streamed element by
// element), then Close, which writes EOF and the CRC-64 trailer and flushes.
// The header is written by the first call. Errors are sticky: after the
// first failure every call returns it and writes nothing.
type Encoder struct {
	w       io.Writer
	buf     []byte
	crc     uint64
	err     error
	opts    EncoderOptions
	ver     int
	cfg     Config
	venc    *valueEncoder
	started bool
	closed  bool
	open    *ValueWriter
	dbOpen  bool
}

const encBufSize = 64 << 10

// NewEncoder returns an encoder writing to w. opts may be nil.
func NewEncoder(w io.Writer, opts *EncoderOptions) (*Encoder, error) {
	e := &Encoder{w: w, buf: make([]byte, 0, encBufSize)}
	if opts != nil {
		e.opts = *opts
	}
	e.ver = e.opts.Version
	if e.ver == 0 {
		e.ver = DefaultVersion
	}
	if e.ver < MinWriteVersion || e.ver > MaxWriteVersion {
		return nil, fmt.Errorf("%w: cannot write RDB version %d (supported %d..%d)", ErrVersion, e.ver, MinWriteVersion, MaxWriteVersion)
	}
	if e.opts.Config != nil {
		e.cfg = *e.opts.Config
	} else {
		e.cfg = DefaultConfig()
	}
	if e.opts.SpillThreshold <= 0 {
		e.opts.SpillThreshold = 8 << 20
	}
	e.venc = newValueEncoder(e.ver, e.cfg)
	return e, nil
}

// Version is the RDB version being written.
func (e *Encoder) Version() int { return e.ver }

// Err returns the first error.
func (e *Encoder) Err() error { return e.err }

func (e *Encoder) flush() {
	if e.err != nil || len(e.buf) == 0 {
		e.buf = e.buf[:0]
		return
	}
	e.crc = crc64.Update(e.crc, e.buf)
	_, err := e.w.Write(e.buf)
	if err != nil {
		e.err = fmt.Errorf("rdb: write: %w", err)
	}
	if cap(e.buf) > 4*encBufSize {
		e.buf = make([]byte, 0, encBufSize)
	} else {
		e.buf = e.buf[:0]
	}
}

func (e *Encoder) maybeFlush() {
	if len(e.buf) >= encBufSize {
		e.flush()
	}
}

func (e *Encoder) check() error {
	if e.err != nil {
		return e.err
	}
	if e.closed {
		e.err = errors.New("rdb: encoder is closed")
		return e.err
	}
	if e.open != nil {
		e.err = errors.New("rdb: a streamed value is still open")
		return e.err
	}
	if !e.started {
		e.writeHeader()
	}
	return e.err
}

func defaultRedisVersion(v int) string {
	switch v {
	case 7:
		return "3.2.13"
	case 8:
		return "4.0.14"
	case 9:
		return "6.2.14"
	case 10:
		return "7.0.15"
	case 11:
		return "7.2.4"
	}
	return "7.4.1"
}

// writeHeader writes the magic and the AUX fields Redis writes
// (rdb.c#rdbSaveInfoAuxFields), merged with the caller's.
func (e *Encoder) writeHeader() {
	e.started = true
	e.buf = append(e.buf, "REDIS"...)
	e.buf = append(e.buf, fmt.Sprintf("%04d", e.ver)...)
	var aux []AuxField
	if !e.opts.NoDefaultAux {
		rv := e.opts.RedisVersion
		if rv == "" {
			rv = defaultRedisVersion(e.ver)
		}
		ctime := e.opts.Ctime
		if ctime == 0 {
			ctime = time.Now().Unix()
		}
		aux = append(aux,
			AuxField{"redis-ver", rv},
			AuxField{"redis-bits", "64"},
			AuxField{"ctime", strconv.FormatInt(ctime, 10)},
			AuxField{"used-mem", strconv.FormatInt(e.opts.UsedMem, 10)},
		)
		base := "0"
		if e.opts.AOFBase {
			base = "1"
		}
		switch {
		case e.ver >= 10:
			aux = append(aux, AuxField{"aof-base", base})
		case e.ver >= 8:
			aux = append(aux, AuxField{"aof-preamble", base})
		}
	}
outer:
	for _, a := range e.opts.Aux {
		for i := range aux {
			if aux[i].Name == a.Name {
				aux[i].Value = a.Value
				continue outer
			}
		}
		aux = append(aux, a)
	}
	for _, a := range aux {
		e.appendAux(a.Name, a.Value)
	}
}

func (e *Encoder) appendAux(name, value string) {
	e.buf = append(e.buf, byte(OpAux))
	e.buf = e.venc.sw.appendString(e.buf, []byte(name))
	e.buf = e.venc.sw.appendString(e.buf, []byte(value))
}

// WriteAux writes an AUX field (before the first SelectDB, or Redis-style
// anywhere: loaders accept AUX between keys).
func (e *Encoder) WriteAux(name, value string) error {
	if e.check() != nil {
		return e.err
	}
	e.appendAux(name, value)
	e.maybeFlush()
	return e.err
}

// WriteFunction writes a FUNCTION2 record with a library's source (RDB 10+).
func (e *Encoder) WriteFunction(code []byte) error {
	if e.check() != nil {
		return e.err
	}
	if e.ver < 10 {
		return fmt.Errorf("%w: functions need RDB 10+", ErrUnsupported)
	}
	e.buf = append(e.buf, byte(OpFunction2))
	e.buf = e.venc.sw.appendString(e.buf, code)
	e.maybeFlush()
	return e.err
}

// WriteModuleAux writes a MODULE_AUX record: raw is the opcode body up to
// and including its EOF opcode, as Decoder.Value returns it.
func (e *Encoder) WriteModuleAux(moduleID uint64, when int, raw []byte) error {
	if e.check() != nil {
		return e.err
	}
	if e.ver < 9 {
		return fmt.Errorf("%w: module aux needs RDB 9+", ErrUnsupported)
	}
	e.buf = append(e.buf, byte(OpModuleAux))
	e.buf = AppendLen(e.buf, moduleID)
	e.buf = AppendLen(e.buf, moduleOpUInt)
	e.buf = AppendLen(e.buf, uint64(when))
	e.buf = append(e.buf, raw...)
	e.maybeFlush()
	return e.err
}

// SelectDB starts database db: SELECTDB, then RESIZEDB with the number of
// keys and of keys with an expiry that follow (hints for the loader).
func (e *Encoder) SelectDB(db int, keys, expires uint64) error {
	if e.check() != nil {
		return e.err
	}
	if db < 0 {
		return fmt.Errorf("rdb: bad db %d", db)
	}
	e.buf = append(e.buf, byte(OpSelectDB))
	e.buf = AppendLen(e.buf, uint64(db))
	e.buf = append(e.buf, byte(OpResizeDB))
	e.buf = AppendLen(e.buf, keys)
	e.buf = AppendLen(e.buf, expires)
	e.dbOpen = true
	return e.err
}

// WriteSlotInfo writes a SLOT_INFO record (RDB 12+, cluster mode).
func (e *Encoder) WriteSlotInfo(slot, keys, expires uint64) error {
	if e.check() != nil {
		return e.err
	}
	if e.ver < 12 {
		return fmt.Errorf("%w: slot info needs RDB 12+", ErrUnsupported)
	}
	e.buf = append(e.buf, byte(OpSlotInfo))
	e.buf = AppendLen(e.buf, slot)
	e.buf = AppendLen(e.buf, keys)
	e.buf = AppendLen(e.buf, expires)
	return e.err
}

// appendKeyHead appends the per-key opcodes, the type byte and the key
// (rdb.c#rdbSaveKeyValuePair).
func (e *Encoder) appendKeyHead(dst []byte, k *Key, t Type) []byte {
	dst, _ = e.appendKeyHeadPos(dst, k, t)
	return dst
}

// appendKeyHeadPos is appendKeyHead that also returns where the type byte is.
func (e *Encoder) appendKeyHeadPos(dst []byte, k *Key, t Type) ([]byte, int) {
	if k.Expire != 0 {
		dst = append(dst, byte(OpExpireTimeMs))
		dst = binary.LittleEndian.AppendUint64(dst, uint64(k.Expire))
	}
	if k.HasIdle && e.ver >= 9 {
		dst = append(dst, byte(OpIdle))
		dst = AppendLen(dst, uint64(k.Idle))
	}
	if k.HasFreq && e.ver >= 9 {
		dst = append(dst, byte(OpFreq), k.Freq)
	}
	pos := len(dst)
	dst = append(dst, byte(t))
	return e.venc.sw.appendString(dst, k.Name), pos
}

func (e *Encoder) keyCheck(k *Key) error {
	if e.check() != nil {
		return e.err
	}
	if !e.dbOpen {
		if err := e.SelectDB(0, 0, 0); err != nil {
			return err
		}
	}
	if k == nil {
		return errors.New("rdb: nil key")
	}
	return nil
}

// WriteValue writes a key and its whole value, encoded as Redis of the
// target version would.
func (e *Encoder) WriteValue(k *Key, v *Value) error {
	if err := e.keyCheck(k); err != nil {
		return err
	}
	mark := len(e.buf)
	var tpos int
	e.buf, tpos = e.appendKeyHeadPos(e.buf, k, 0)
	e.venc.keepPacked = v.PackedSource
	t, out, err := e.venc.appendValue(e.buf, v)
	e.venc.keepPacked = false
	if err != nil {
		e.buf = e.buf[:mark]
		return err
	}
	e.buf = out
	e.buf[tpos] = byte(t)
	e.maybeFlush()
	return e.err
}

// WriteRaw writes a key whose value payload is already encoded for type t
// (for instance a listpack copied out of the engine, or a value decoded
// raw). The payload must be valid for the target version.
func (e *Encoder) WriteRaw(k *Key, t Type, payload []byte) error {
	if err := e.keyCheck(k); err != nil {
		return err
	}
	e.buf = e.appendKeyHead(e.buf, k, t)
	e.buf = append(e.buf, payload...)
	e.maybeFlush()
	return e.err
}

// WriteListpack writes a hash, zset, set or list value whose in-memory
// form is a listpack, as one blob: hash and zset listpacks become types 16
// and 17, set listpacks type 20 (RDB 11+), and a list listpack a quicklist
// with one packed node. This is the engine's copy path.
func (e *Encoder) WriteListpack(k *Key, kind ValueKind, lp []byte) error {
	if err := e.keyCheck(k); err != nil {
		return err
	}
	var t Type
	switch kind {
	case KindHash:
		t = TypeHashListpack
	case KindZSet:
		t = TypeZSetListpack
	case KindSet:
		if e.ver < 11 {
			return fmt.Errorf("%w: listpack sets need RDB 11+", ErrUnsupported)
		}
		t = TypeSetListpack
	case KindList:
		t = TypeListQuicklist2
	default:
		return fmt.Errorf("rdb: no listpack form for %v", kind)
	}
	if e.ver < 10 {
		return fmt.Errorf("%w: listpacks need RDB 10+", ErrUnsupported)
	}
	e.buf = e.appendKeyHead(e.buf, k, t)
	if t == TypeListQuicklist2 {
		e.buf = AppendLen(e.buf, 1)
		e.buf = AppendLen(e.buf, containerPacked)
	}
	e.buf = e.venc.sw.appendString(e.buf, lp)
	e.maybeFlush()
	return e.err
}

// Close writes EOF and the CRC-64 trailer (zero with NoChecksum) and
// flushes. It does not close the underlying writer.
func (e *Encoder) Close() error {
	if e.closed {
		return e.err
	}
	if e.check() != nil {
		return e.err
	}
	e.buf = append(e.buf, byte(OpEOF))
	e.flush()
	if e.err != nil {
		return e.err
	}
	sum := e.crc
	if e.opts.NoChecksum {
		sum = 0
	}
	e.buf = binary.LittleEndian.AppendUint64(e.buf, sum)
	e.flush()
	e.closed = true
	return e.err
}

// ---- streamed values -----------------------------------------------------------

// ValueWriter receives a big value element by element with bounded memory
// (see Encoder.BeginValue). Call the Add method matching its kind, then
// Close, which writes the key. Abort drops it.
type ValueWriter struct {
	e     *Encoder
	key   Key
	kind  ValueKind
	err   error
	small Value  // buffered while the value may still get a compact encoding
	plain bool   // writing the plain body to body/spill
	count uint64 // elements (lists: nodes) in the body
	body  []byte
	spill *os.File
	// lists
	lp      []byte
	lpCount int
	lpSize  int
	prev    int
	elems   uint64
}

// BeginValue starts a streamed list, set, hash or zset for key k. Until
// Close, no other Encoder call may be made. Elements are buffered while the
// value could still use a compact encoding (at most the listpack/intset
// thresholds), then written to a body buffer that spills to a temporary
// file past EncoderOptions.SpillThreshold; Close writes the count and the
// body. Lists are written node by node as they fill. Sorted sets too big
// for a listpack are written in the order given (Redis writes greatest
// score first); hashes with field expiry must fit a listpack.
func (e *Encoder) BeginValue(k *Key, kind ValueKind) (*ValueWriter, error) {
	if err := e.keyCheck(k); err != nil {
		return nil, err
	}
	switch kind {
	case KindList, KindSet, KindHash, KindZSet:
	default:
		return nil, fmt.Errorf("rdb: cannot stream a %v", kind)
	}
	vw := &ValueWriter{e: e, kind: kind}
	vw.key = *k
	vw.key.Name = append([]byte(nil), k.Name...)
	vw.small.Kind = kind
	if kind == KindList {
		vw.plain = true
	}
	e.open = vw
	return vw, nil
}

// KeepPacked marks the value as read from a packed encoding (zipmap, ziplist,
// listpack): like Redis's loader, it stays a listpack while its entry count fits,
// whatever its element lengths. Call it before adding elements.
func (vw *ValueWriter) KeepPacked() { vw.small.PackedSource = true }

// Add appends a list element or a set member.
func (vw *ValueWriter) Add(elem []byte) error {
	if vw.err != nil {
		return vw.err
	}
	switch vw.kind {
	case KindList:
		vw.addListElem(elem)
	case KindSet:
		if !vw.plain {
			vw.small.Set = append(vw.small.Set, append([]byte(nil), elem...))
			if int64(len(vw.small.Set)) > max(vw.e.cfg.SetMaxIntsetEntries, vw.setListpackEntries()) {
				vw.goPlain()
			}
			return vw.err
		}
		vw.count++
		vw.bodyAppend(func(b []byte) []byte { return vw.e.venc.sw.appendString(b, elem) })
	default:
		vw.err = fmt.Errorf("rdb: Add on a %v value", vw.kind)
	}
	return vw.err
}

func (vw *ValueWriter) setListpackEntries() int64 {
	if vw.e.ver >= 11 {
		return vw.e.cfg.SetMaxListpackEntries
	}
	return 0
}

// AddField appends a hash field; expire is its absolute unix ms expiry or 0.
func (vw *ValueWriter) AddField(field, value []byte, expire int64) error {
	if vw.err != nil {
		return vw.err
	}
	if vw.kind != KindHash {
		vw.err = fmt.Errorf("rdb: AddField on a %v value", vw.kind)
		return vw.err
	}
	if !vw.plain {
		vw.small.Hash = append(vw.small.Hash, HashField{append([]byte(nil), field...), append([]byte(nil), value...), expire})
		c := &vw.e.cfg
		if int64(len(vw.small.Hash)) > c.HashMaxListpackEntries || !vw.small.PackedSource && (int64(len(field)) > c.HashMaxListpackValue || int64(len(value)) > c.HashMaxListpackValue) {
			vw.goPlain()
		}
		return vw.err
	}
	if expire != 0 {
		vw.err = fmt.Errorf("%w: streamed hashes too big for a listpack cannot carry field expiry", ErrUnsupported)
		return vw.err
	}
	vw.count++
	vw.bodyAppend(func(b []byte) []byte {
		b = vw.e.venc.sw.appendString(b, field)
		return vw.e.venc.sw.appendString(b, value)
	})
	return vw.err
}

// AddMember appends a sorted set member.
func (vw *ValueWriter) AddMember(member []byte, score float64) error {
	if vw.err != nil {
		return vw.err
	}
	if vw.kind != KindZSet {
		vw.err = fmt.Errorf("rdb: AddMember on a %v value", vw.kind)
		return vw.err
	}
	if score != score {
		vw.err = errors.New("rdb: zset score is NaN")
		return vw.err
	}
	if !vw.plain {
		vw.small.ZSet = append(vw.small.ZSet, ZMember{append([]byte(nil), member...), score})
		c := &vw.e.cfg
		if int64(len(vw.small.ZSet)) > c.ZSetMaxListpackEntries || !vw.small.PackedSource && int64(len(member)) > c.ZSetMaxListpackValue {
			vw.goPlain()
		}
		return vw.err
	}
	vw.count++
	vw.bodyAppend(func(b []byte) []byte { return vw.appendMember(b, member, score) })
	return vw.err
}

func (vw *ValueWriter) appendMember(b, member []byte, score float64) []byte {
	b = vw.e.venc.sw.appendString(b, member)
	if vw.e.ver >= 8 {
		return appendBinDouble(b, score)
	}
	return appendTextDouble(b, score)
}

// goPlain moves the buffered small form into the plain body.
func (vw *ValueWriter) goPlain() {
	vw.plain = true
	switch vw.kind {
	case KindSet:
		for _, m := range vw.small.Set {
			vw.count++
			vw.bodyAppend(func(b []byte) []byte { return vw.e.venc.sw.appendString(b, m) })
		}
	case KindHash:
		for _, f := range vw.small.Hash {
			if f.Expire != 0 {
				vw.err = fmt.Errorf("%w: streamed hashes too big for a listpack cannot carry field expiry", ErrUnsupported)
				return
			}
			vw.count++
			vw.bodyAppend(func(b []byte) []byte {
				b = vw.e.venc.sw.appendString(b, f.Field)
				return vw.e.venc.sw.appendString(b, f.Value)
			})
		}
	case KindZSet:
		for _, m := range vw.small.ZSet {
			vw.count++
			vw.bodyAppend(func(b []byte) []byte { return vw.appendMember(b, m.Member, m.Score) })
		}
	}
	vw.small = Value{Kind: vw.kind}
}

// bodyAppend appends to the body, spilling to a temporary file.
func (vw *ValueWriter) bodyAppend(f func([]byte) []byte) {
	if vw.err != nil {
		return
	}
	vw.body = f(vw.body)
	if len(vw.body) >= vw.e.opts.SpillThreshold || vw.spill != nil && len(vw.body) >= encBufSize {
		vw.spillBody()
	}
}

func (vw *ValueWriter) spillBody() {
	if vw.spill == nil {
		f, err := os.CreateTemp(vw.e.opts.TempDir, "redisctl-rdb-value-*")
		if err != nil {
			vw.err = fmt.Errorf("rdb: spill: %w", err)
			return
		}
		os.Remove(f.Name())
		vw.spill = f
	}
	if _, err := vw.spill.Write(vw.body); err != nil {
		vw.err = fmt.Errorf("rdb: spill: %w", err)
	}
	vw.body = vw.body[:0]
}

func (vw *ValueWriter) addListElem(el []byte) {
	e := vw.e.venc
	vw.elems++
	if e.ver >= 10 && len(el) >= packedThreshold {
		vw.flushNode()
		vw.count++
		vw.bodyAppend(func(b []byte) []byte {
			b = AppendLen(b, containerPlain)
			return e.sw.appendString(b, el)
		})
		return
	}
	if vw.lpCount > 0 && !e.nodeAllows(vw.lpSize, vw.lpCount, len(el)) {
		vw.flushNode()
	}
	if vw.lpCount == 0 {
		if e.ver >= 10 {
			vw.lp = append(vw.lp[:0], listpack.New()...)
		} else {
			vw.lp = append(vw.lp[:0], ziplist.New()...)
		}
		vw.prev = 0
	}
	if e.ver >= 10 {
		vw.lp = listpack.Append(vw.lp, el)
	} else {
		vw.lp = ziplist.Append(vw.lp, el)
	}
	vw.lpSize = len(vw.lp)
	vw.lpCount++
}

func (vw *ValueWriter) flushNode() {
	if vw.lpCount == 0 {
		return
	}
	e := vw.e.venc
	vw.count++
	vw.bodyAppend(func(b []byte) []byte {
		if e.ver >= 10 {
			b = AppendLen(b, containerPacked)
		}
		return e.sw.appendString(b, vw.lp)
	})
	vw.lpCount, vw.lpSize = 0, 0
}

// Abort drops the value without writing it.
func (vw *ValueWriter) Abort() {
	if vw.spill != nil {
		vw.spill.Close()
		vw.spill = nil
	}
	if vw.e.open == vw {
		vw.e.open = nil
	}
	if vw.err == nil {
		vw.err = errors.New("rdb: value aborted")
	}
}

// Close writes the key and its value.
func (vw *ValueWriter) Close() error {
	e := vw.e
	if e.open != vw {
		return errors.New("rdb: value writer is not open")
	}
	defer vw.Abort()
	if vw.err != nil {
		e.open = nil
		return vw.err
	}
	e.open = nil
	if !vw.plain {
		return e.WriteValue(&vw.key, &vw.small)
	}
	var t Type
	switch vw.kind {
	case KindList:
		vw.flushNode()
		t = TypeListQuicklist2
		if e.ver < 10 {
			t = TypeListQuicklist
		}
	case KindSet:
		t = TypeSet
	case KindHash:
		t = TypeHash
	case KindZSet:
		t = TypeZSet2
		if e.ver < 8 {
			t = TypeZSet
		}
	}
	if vw.err != nil {
		return vw.err
	}
	if vw.count == 0 {
		return fmt.Errorf("rdb: empty %v", vw.kind)
	}
	if e.check() != nil {
		return e.err
	}
	e.buf = e.appendKeyHead(e.buf, &vw.key, t)
	e.buf = AppendLen(e.buf, vw.count)
	if vw.spill != nil {
		vw.spillBody()
		if vw.err != nil {
			return vw.err
		}
		if _, err := vw.spill.Seek(0, io.SeekStart); err != nil {
			return fmt.Errorf("rdb: spill: %w", err)
		}
		for {
			if len(e.buf) == cap(e.buf) {
				e.flush()
			}
			n, err := vw.spill.Read(e.buf[len(e.buf):cap(e.buf)])
			e.buf = e.buf[:len(e.buf)+n]
			if err == io.EOF {
				break
			}
			if err != nil {
				return fmt.Errorf("rdb: spill: %w", err)
			}
		}
	} else {
		e.buf = append(e.buf, vw.body...)
	}
	e.maybeFlush()
	return e.err
}
