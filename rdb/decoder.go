package rdb

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"runtime"
)

// Decoder reads an RDB file as a stream of records. It is a pull iterator:
//
//	d := rdb.NewDecoder(r, nil)
//	for d.Next() {
//		switch d.Kind() {
//		case rdb.RecKeyBegin:
//			fmt.Printf("%s %s\n", d.Key(), d.Type())
//		case rdb.RecListElement:
//			use(d.Value())
//		}
//	}
//	if err := d.Err(); err != nil { ... }
//
// Records come in file order. The file is a header (aux, function, module
// aux, select-db, resize-db, slot-info records, in any order) and keys.
// Each key is one RecKeyBegin, then its value records (one RecString; one
// record per list element, set member, hash field, zset member; for a
// stream: per node a RecStreamNode, then per entry a RecStreamEntry and its
// RecStreamField pairs, then RecStreamMeta, then per group a RecStreamGroup,
// its RecStreamPending entries, and per consumer a RecStreamConsumer and its
// RecStreamConsumerPending IDs, then for v4 streams the RecStreamProducer /
// RecStreamIID / RecStreamIDMP records; for a module value one RecModule),
// then one RecKeyEnd. The last record is RecEOF.
//
// Lifetime: every []byte an accessor returns is valid only until the next
// call to Next. Copy what you keep. This is what lets the decoder run
// without allocating per element.
//
// Memory: the decoder holds its read buffers (two of Options.BufferSize,
// 1 MB by default), the current key, and the current container blob (one
// listpack, ziplist, intset or quicklist node); a list of any length costs
// the same as one node.
//
// Checksum: the CRC-64 runs over consumed bytes chunk by chunk; past the
// first buffer it runs on a worker goroutine while parsing continues. The
// worker stops at the end of the file, on an error, or when an abandoned
// Decoder is garbage collected.
//
// Errors: when the input is damaged Next returns false and Err returns an
// *Error; every record before the damage has been delivered. A Decoder is
// not safe for concurrent use.
type Decoder struct {
	in    input
	opts  Options
	cfg   Config
	limit uint64

	version int
	valkey  bool
	dump    bool // reading a DUMP payload: one value, no header
	st      dstate
	err     error

	kind   RecordKind
	recOff int64
	doing  string
	itemAt int64

	db int

	// pending attributes for the next key
	pExpire int64
	pIdle   int64
	pFreq   int
	pMeta   []byte
	hasMeta bool

	// current key
	key    []byte
	typ    Type
	expire int64
	idle   int64
	freq   int
	meta   []byte
	count  int64 // elements known at key begin, -1 if not
	loaded string

	// element slots
	fieldS, valueS slot
	fp, vp         *slot
	score          float64
	scoreTxt       []byte
	fieldTTL       int64
	id             StreamID
	n1, n2, n3     uint64
	deleted        bool
	module         Module
	raw            []byte // module value or module aux body
	csum           Checksum

	// value iteration
	vm      vmode
	remain  uint64
	minExp  int64
	blob    []byte // current container blob (may alias the read buffer)
	blobOwn []byte // owned storage for blobs that are not views
	blobAt  int64  // input offset of the current blob's RDB string
	lzfBuf  []byte
	it      elemIter
	intset  []byte
	isIdx   int
	isLen   int
	zm      zipmapIter
	nodes   uint64
	ql2     bool
	inNode  bool
	plainEl bool
	group   int // elements per record in containers: 1, 2 or 3
	elemRec RecordKind
	emitted int64
	stream  streamState
	nodeBuf []byte // master ID staging

	// statistics for LoadedEncoding
	stMax       int64
	stAllInt    bool
	stBytes     int64
	stNodes     int64
	stTTLs      bool
	stMode      uint8
	fast        bool // Next may take the listpack fast path
	stExactInts bool
}

const (
	statFull  = iota // count and lengths
	statCount        // count only
	statSet          // count, lengths and all-integers
)

type dstate uint8

const (
	stMagic dstate = iota
	stTop
	stValue
	stDone
)

type vmode uint8

const (
	vmEnd vmode = iota
	vmString
	vmPlainList
	vmPlainSet
	vmPlainHash
	vmPlainZSet
	vmPlainZSet2
	vmHashMeta // 24 and 22 (Redis)
	vmValkeyHash2
	vmContainer // ziplist or listpack elements, grouped
	vmIntset
	vmZipmap
	vmQuicklist
	vmStream
	vmModule
)

// slot is one element position (field or value). Integers from listpacks
// and ziplists are kept as numbers and formatted only when asked for.
type slot struct {
	b     []byte
	n     int64
	isInt bool
	fmtd  bool
	own   []byte
}

func (s *slot) setBytes(b []byte) { s.b, s.isInt, s.fmtd = b, false, false }
func (s *slot) setInt(n int64)    { s.n, s.isInt, s.fmtd = n, true, false }

func (s *slot) bytes() []byte {
	if s.isInt && !s.fmtd {
		// Format in place at the end of own: no append, no copy.
		if cap(s.own) < 20 {
			s.own = make([]byte, 20)
		}
		buf := s.own[:20]
		s.b, s.fmtd = buf[formatInt(buf, s.n):], true
	}
	return s.b
}

const digitPairs = "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"

// formatInt writes v in decimal at the end of buf (20 bytes) and returns
// where it starts: two digits per division.
func formatInt(buf []byte, v int64) int {
	_ = buf[19]
	u := uint64(v)
	if v < 0 {
		u = -u
	}
	i := 20
	for u >= 100 {
		q := u / 100
		r := (u - q*100) * 2
		i -= 2
		buf[i], buf[i+1] = digitPairs[r], digitPairs[r+1]
		u = q
	}
	if u >= 10 {
		i -= 2
		buf[i], buf[i+1] = digitPairs[u*2], digitPairs[u*2+1]
	} else {
		i--
		buf[i] = byte('0' + u)
	}
	if v < 0 {
		i--
		buf[i] = '-'
	}
	return i
}

// appendInt is strconv.AppendInt(dst, v, 10).
func appendInt(dst []byte, v int64) []byte {
	var buf [20]byte
	return append(dst, buf[formatInt(buf[:], v):]...)
}

// size is the length of the element as Redis would store it in an sds.
func (s *slot) size() int64 {
	if s.isInt {
		return int64(intLen(s.n))
	}
	return int64(len(s.b))
}

func intLen(v int64) int {
	n := 1
	u := uint64(v)
	if v < 0 {
		n++
		u = uint64(-v)
	}
	for u >= 10 {
		u /= 10
		n++
	}
	return n
}

// NewDecoder returns a decoder reading an RDB file from r. opts may be nil.
func NewDecoder(r io.Reader, opts *Options) *Decoder {
	d := &Decoder{}
	d.setOptions(opts)
	size := d.opts.BufferSize
	if size <= 0 {
		size = DefaultBufferSize
	}
	if size < 64 {
		size = 64
	}
	d.in.init(r, size)
	d.reset()
	// A decoder dropped before the end must not leave its CRC worker
	// running: stop it when the decoder is collected.
	d.in.onWorker = func(w *crcWorker) {
		runtime.AddCleanup(d, func(w *crcWorker) { w.stop() }, w)
	}
	return d
}

func (d *Decoder) setOptions(opts *Options) {
	if opts != nil {
		d.opts = *opts
	}
	if d.opts.Config != nil {
		d.cfg = *d.opts.Config
	} else {
		d.cfg = DefaultConfig()
	}
	d.limit = DefaultMaxLen
	if d.opts.MaxLen > 0 {
		d.limit = uint64(d.opts.MaxLen)
	}
}

func (d *Decoder) reset() {
	d.st = stMagic
	d.db = 0
	d.pExpire, d.pIdle, d.pFreq = -1, -1, -1
	d.fp, d.vp = &d.fieldS, &d.valueS
	d.fieldTTL = -1
}

// Next advances to the next record. It returns false at the end of the file
// or on an error (see Err).
func (d *Decoder) Next() bool {
	if d.fast {
		// Fast path: the next element of a listpack of single elements
		// (quicklist node, listpack set), without the step dispatch.
		if d.it.lp.Next() {
			b, n, isInt := d.it.lp.Value()
			if isInt {
				d.valueS.setInt(n)
			} else {
				d.valueS.setBytes(b)
			}
			d.vp = &d.valueS
			d.recOff = d.in.off()
			d.stat(&d.valueS)
			d.kind = d.elemRec
			return true
		}
		d.fast = false // end or damage: the step below sorts it out
	}
	if d.err != nil || d.st == stDone {
		return false
	}
	d.recOff = d.in.off()
	d.itemAt = d.recOff
	var ok bool
	switch d.st {
	case stValue:
		ok = d.valueStep()
	case stTop:
		ok = d.top()
	case stMagic:
		ok = d.magic() && d.top()
	}
	if !ok {
		if d.err == nil {
			d.fail()
		}
		return false
	}
	return true
}

// fail turns the input's error into an *Error at the current item.
func (d *Decoder) fail() {
	d.in.stopCRC()
	err := d.in.err
	if err == nil {
		err = fmt.Errorf("%w: decoder stopped without a cause", ErrCorrupt)
	}
	e := &Error{Offset: d.itemAt, DB: d.db, Doing: d.doing, Err: err}
	if d.st == stValue {
		e.Key = bytes.Clone(d.key)
		if e.Key == nil {
			e.Key = []byte{}
		}
	}
	if d.st == stMagic {
		e.DB = -1
	}
	d.err = e
	d.st = stDone
}

// failf records a format error at the current item.
func (d *Decoder) failf(class error, doing, format string, args ...any) bool {
	if d.in.err == nil {
		d.in.err = fmt.Errorf("%w: "+format, append([]any{class}, args...)...)
	}
	d.doing = doing
	d.fail()
	return false
}

// Err returns the error that stopped Next, or nil at a clean end.
func (d *Decoder) Err() error { return d.err }

func (d *Decoder) magic() bool {
	d.doing = "reading magic"
	p := d.in.next(9)
	if p == nil {
		return false
	}
	var digits []byte
	switch {
	case bytes.HasPrefix(p, []byte("REDIS")):
		digits = p[5:]
	case bytes.HasPrefix(p, []byte("VALKEY")):
		digits = p[6:]
		d.valkey = true
	default:
		return d.failf(ErrVersion, "reading magic", "not an RDB file (magic %q)", p)
	}
	v := 0
	for _, c := range digits {
		if c < '0' || c > '9' {
			return d.failf(ErrVersion, "reading magic", "bad version in magic %q", p)
		}
		v = v*10 + int(c-'0')
	}
	d.version = v
	if d.valkey && (v < MinValkeyVersion || v > MaxValkeyVersion) ||
		!d.valkey && (v < MinVersion || v > MaxVersion) {
		return d.failf(ErrVersion, "reading magic", "rdb version %d (magic %q) is not supported", v, p)
	}
	d.st = stTop
	return true
}

// Version is the RDB version from the magic (Valkey: 80, 81).
func (d *Decoder) Version() int { return d.version }

// Valkey reports a VALKEY magic.
func (d *Decoder) Valkey() bool { return d.valkey }

// top reads opcodes until it has a record to return.
func (d *Decoder) top() bool {
	in := &d.in
	for {
		d.recOff = in.off()
		d.itemAt = d.recOff
		d.doing = "reading type"
		b := in.u8()
		if in.err != nil {
			return false
		}
		if b < byte(OpKeyMeta) {
			return d.beginKey(Type(b))
		}
		if d.dump {
			return d.failf(ErrCorrupt, d.doing, "opcode %d in a DUMP payload", b)
		}
		switch Opcode(b) {
		case OpEOF:
			return d.eof()
		case OpSelectDB:
			d.doing = "reading SELECTDB"
			n := in.plainLen()
			if in.err != nil {
				return false
			}
			if n > math.MaxInt32 {
				return d.failf(ErrCorrupt, d.doing, "db number %d", n)
			}
			d.db = int(n)
			d.kind = RecSelectDB
			return true
		case OpResizeDB:
			d.doing = "reading RESIZEDB"
			d.n1 = in.plainLen()
			d.n2 = in.plainLen()
			d.kind = RecResizeDB
			return in.err == nil
		case OpAux:
			d.doing = "reading AUX"
			d.readSlot(&d.fieldS)
			d.readSlot(&d.valueS)
			d.fp, d.vp = &d.fieldS, &d.valueS
			d.kind = RecAux
			return in.err == nil
		case OpExpireTimeMs:
			d.doing = "reading EXPIRETIME_MS"
			d.pExpire = int64(in.le64())
		case OpExpireTime:
			d.doing = "reading EXPIRETIME"
			d.pExpire = int64(int32(in.le32())) * 1000
		case OpIdle:
			d.doing = "reading IDLE"
			d.pIdle = int64(in.plainLen())
		case OpFreq:
			d.doing = "reading FREQ"
			d.pFreq = int(in.u8())
		case OpModuleAux:
			return d.moduleAux()
		case OpFunction2:
			d.doing = "reading FUNCTION2"
			d.readSlot(&d.valueS)
			d.vp = &d.valueS
			d.kind = RecFunction
			return in.err == nil
		case OpFunctionPreGA:
			// 7.0 RC layout: name, engine, has-desc, [desc], code.
			d.doing = "reading FUNCTION_PRE_GA"
			d.readSlot(&d.fieldS)
			in.skipStr(d.limit)
			if in.plainLen() != 0 {
				in.skipStr(d.limit)
			}
			d.readSlot(&d.valueS)
			d.fp, d.vp = &d.fieldS, &d.valueS
			d.kind = RecFunctionPreGA
			return in.err == nil
		case OpSlotInfo:
			d.doing = "reading SLOT_INFO"
			d.n1 = in.plainLen()
			d.n2 = in.plainLen()
			d.n3 = in.plainLen()
			d.kind = RecSlotInfo
			return in.err == nil
		case OpKeyMeta:
			if d.valkey {
				return d.failf(ErrUnsupported, "reading opcode", "Valkey SLOT_IMPORT opcode 243")
			}
			if !d.keyMeta() {
				return false
			}
		default:
			return d.failf(ErrUnsupported, "reading type", "unknown type or opcode %d", b)
		}
		if in.err != nil {
			return false
		}
	}
}

// readSlot reads an RDB string into a slot's own buffer.
func (d *Decoder) readSlot(s *slot) {
	var isInt bool
	s.own, s.n, isInt = d.in.strInt(s.own, &d.lzfBuf, d.limit)
	s.b, s.isInt, s.fmtd = s.own, isInt, false
}

// viewSlot reads an RDB string into a slot without copying it when it is
// raw and buffered: the slot then holds a view of the read buffer, valid
// until the next read from the input, so the caller reads nothing more
// from the input for this record after it; more is the number of bytes
// the caller still reads (at most): when they are not all buffered the
// view is copied to the slot's own buffer first.
func (d *Decoder) viewSlot(s *slot, more int) {
	p, ok := d.in.rawView(d.limit)
	if !ok {
		d.readSlot(s)
		return
	}
	if more > 0 && d.in.w-d.in.r < more {
		s.own = append(s.own[:0], p...)
		p = s.own
	}
	s.setBytes(p)
}

// viewPair reads two consecutive RDB strings (a hash field and its value),
// as views of the read buffer when both are raw and buffered. When only
// the first is, it is copied before the second is read (which may move
// the buffer).
func (d *Decoder) viewPair(f, v *slot) {
	p, ok := d.in.rawView(d.limit)
	if !ok {
		d.readSlot(f)
		d.readSlot(v)
		return
	}
	if q, ok := d.in.rawView(d.limit); ok {
		f.setBytes(p)
		v.setBytes(q)
		return
	}
	f.own = append(f.own[:0], p...)
	f.setBytes(f.own)
	d.readSlot(v)
}

func (d *Decoder) eof() bool {
	d.doing = "reading checksum"
	d.kind = RecEOF
	d.st = stDone
	computed := d.in.sum()
	d.in.stopCRC()
	d.in.crcOn = false
	if d.version < 5 && !d.valkey {
		d.csum = Checksum{Status: ChecksumAbsent}
		return true
	}
	stored := d.in.le64()
	if d.in.err != nil {
		d.st = stTop
		return false
	}
	d.csum = Checksum{Stored: stored, Computed: computed}
	switch {
	case stored == 0:
		d.csum.Status = ChecksumDisabled
	case stored == computed && d.opts.SkipChecksum:
		d.csum.Status = ChecksumSkipped
	case stored == computed:
		d.csum.Status = ChecksumVerified
	case d.opts.SkipChecksum:
		d.csum.Status = ChecksumMismatch
	default:
		d.st = stTop
		d.itemAt = d.in.off() - 8
		return d.failf(ErrChecksum, d.doing, "stored %016x, computed %016x", stored, computed)
	}
	return true
}

// moduleAux reads a MODULE_AUX record: module id, when-opcode (UINT), when,
// then an opcode body up to EOF, kept raw.
func (d *Decoder) moduleAux() bool {
	in := &d.in
	d.doing = "reading MODULE_AUX"
	id := in.plainLen()
	op := in.plainLen()
	if in.err != nil {
		return false
	}
	if op != moduleOpUInt {
		return d.failf(ErrCorrupt, d.doing, "module aux 'when' opcode %d, want %d", op, moduleOpUInt)
	}
	when := in.plainLen()
	d.setModule(id)
	d.module.When = int(when)
	d.raw = d.walkModule(d.raw[:0])
	d.vp = &d.valueS
	d.valueS.setBytes(d.raw)
	d.kind = RecModuleAux
	return in.err == nil
}

func (d *Decoder) setModule(id uint64) {
	if d.module.ID != id || d.module.Name == "" {
		d.module.Name = ModuleName(id)
	}
	d.module.ID = id
	d.module.EncVer = int(id & 1023)
	d.module.When = 0
}

// walkModule walks module opcodes up to and including EOF, appending the
// raw bytes to dst (FORMATS §1.9: how redis-check-rdb skips module values).
func (d *Decoder) walkModule(dst []byte) []byte {
	in := &d.in
	start := len(dst)
	for in.err == nil {
		if uint64(len(dst)-start) > d.limit {
			in.err = fmt.Errorf("%w: module value over %d bytes", ErrTooLarge, d.limit)
			return dst
		}
		op := d.capLen(&dst)
		if in.err != nil {
			return dst
		}
		switch op {
		case moduleOpEOF:
			return dst
		case moduleOpSInt, moduleOpUInt:
			d.capLen(&dst)
		case moduleOpFloat:
			dst = append(dst, in.next(4)...)
		case moduleOpDouble:
			dst = append(dst, in.next(8)...)
		case moduleOpString:
			d.capStr(&dst)
		default:
			in.corrupt("unknown module opcode %d", op)
		}
	}
	return dst
}

// capLen reads a plain length and appends its encoding to *dst.
func (d *Decoder) capLen(dst *[]byte) uint64 {
	in := &d.in
	b := in.u8()
	if in.err != nil {
		return 0
	}
	*dst = append(*dst, b)
	switch b >> 6 {
	case 0:
		return uint64(b)
	case 1:
		c := in.u8()
		*dst = append(*dst, c)
		return uint64(b&0x3f)<<8 | uint64(c)
	case 3:
		in.corrupt("string encoding where a length was expected")
		return 0
	}
	switch b {
	case 0x80:
		p := in.next(4)
		*dst = append(*dst, p...)
		if p != nil {
			return uint64(binary.BigEndian.Uint32(p))
		}
	case 0x81:
		p := in.next(8)
		*dst = append(*dst, p...)
		if p != nil {
			return binary.BigEndian.Uint64(p)
		}
	default:
		in.corrupt("unknown length encoding 0x%02x", b)
	}
	return 0
}

// capStr reads an RDB string, appending its raw encoding to *dst.
func (d *Decoder) capStr(dst *[]byte) {
	in := &d.in
	b, ok := in.peek()
	if !ok {
		in.fail(nil)
		return
	}
	if b>>6 != 3 {
		n := d.capLen(dst)
		if n > d.limit {
			in.err = fmt.Errorf("%w: string of %d bytes", ErrTooLarge, n)
			return
		}
		*dst = in.appendN(*dst, n)
		return
	}
	in.u8()
	*dst = append(*dst, b)
	switch b & 0x3f {
	case encInt8:
		*dst = append(*dst, in.next(1)...)
	case encInt16:
		*dst = append(*dst, in.next(2)...)
	case encInt32:
		*dst = append(*dst, in.next(4)...)
	case encLZF:
		clen := d.capLen(dst)
		d.capLen(dst)
		if clen > d.limit {
			in.err = fmt.Errorf("%w: lzf string of %d bytes", ErrTooLarge, clen)
			return
		}
		*dst = in.appendN(*dst, clen)
	default:
		in.corrupt("unknown string encoding %d", b&0x3f)
	}
}

// keyMeta reads a KEY_META opcode (Redis RDB 13): a count of classes, then
// per class a 4-byte spec and a module-style opcode body. The raw bytes are
// kept for the next key.
func (d *Decoder) keyMeta() bool {
	in := &d.in
	d.doing = "reading KEY_META"
	d.pMeta = d.pMeta[:0]
	n := d.capLen(&d.pMeta)
	for i := uint64(0); i < n && in.err == nil; i++ {
		d.pMeta = append(d.pMeta, in.next(4)...)
		d.pMeta = d.walkModule(d.pMeta)
	}
	d.hasMeta = true
	return in.err == nil
}

// Kind is the current record's kind.
func (d *Decoder) Kind() RecordKind { return d.kind }

// Offset is the input offset where the current record starts.
func (d *Decoder) Offset() int64 { return d.recOff }

// InputOffset is the number of input bytes consumed so far.
func (d *Decoder) InputOffset() int64 { return d.in.off() }

// Buffered returns input read from the source but not consumed: after
// RecEOF, the bytes that follow the RDB (an AOF tail after a preamble).
func (d *Decoder) Buffered() []byte { return d.in.buf[d.in.r:d.in.w] }

// DB is the current database (RecSelectDB and every key record).
func (d *Decoder) DB() int { return d.db }

// Key is the current key (key records).
func (d *Decoder) Key() []byte { return d.key }

// Type is the current key's type byte.
func (d *Decoder) Type() Type { return d.typ }

// ValueKind is what TYPE says about the current key.
func (d *Decoder) ValueKind() ValueKind { return d.typ.ValueKind() }

// Encoding names the current key's on-disk layout (Type.Encoding; Valkey's
// type 22 reads "hashtable").
func (d *Decoder) Encoding() string { return d.typ.Encoding() }

// Expire is the current key's absolute expiry in unix ms, or -1.
func (d *Decoder) Expire() int64 { return d.expire }

// Idle is the current key's LRU idle time in seconds, or -1.
func (d *Decoder) Idle() int64 { return d.idle }

// Freq is the current key's LFU counter, or -1.
func (d *Decoder) Freq() int { return d.freq }

// KeyMeta is the raw KEY_META body that preceded the current key (RDB 13),
// or nil.
func (d *Decoder) KeyMeta() []byte { return d.meta }

// Len is the element count: at RecKeyBegin when the file says it (plain
// encodings, ziplist and listpack headers, intsets; strings give their
// length), else -1; at RecKeyEnd the number of elements delivered; at
// RecStreamNode the entries in the node; at RecStreamProducer its IIDs.
func (d *Decoder) Len() int64 {
	switch d.kind {
	case RecKeyEnd:
		return d.emitted
	case RecStreamNode, RecStreamProducer:
		return int64(d.n1)
	}
	return d.count
}

// Field is the hash field, stream field, aux name, pre-GA function name, or
// v4 stream producer / idempotency id of the current record.
func (d *Decoder) Field() []byte { return d.fp.bytes() }

// Value is the string value, list element, set or zset member, hash or
// stream value, aux value, function source, or raw module bytes.
func (d *Decoder) Value() []byte { return d.vp.bytes() }

// ValueInt returns the value as an integer when it was stored as one
// (listpack, ziplist, intset entries, int-encoded strings), without
// formatting it.
func (d *Decoder) ValueInt() (int64, bool) { return d.vp.n, d.vp.isInt }

// Score is the zset member's score.
func (d *Decoder) Score() float64 { return d.score }

// ScoreText is the score as stored when it was stored as text (type 3 and
// ziplist/listpack string scores), else nil.
func (d *Decoder) ScoreText() []byte { return d.scoreTxt }

// FieldExpire is the hash field's absolute expiry in unix ms, or -1.
func (d *Decoder) FieldExpire() int64 { return d.fieldTTL }

// StreamID is the ID of the stream entry, node master, PEL entry, consumer
// PEL entry, or idempotency id.
func (d *Decoder) StreamID() StreamID { return d.id }

// NumFields is the number of RecStreamField records after a RecStreamEntry.
func (d *Decoder) NumFields() int { return int(d.n1) }

// EntryDeleted reports a stream entry flagged deleted (still in its node).
func (d *Decoder) EntryDeleted() bool { return d.deleted }

// ResizeDB returns the RESIZEDB hints.
func (d *Decoder) ResizeDB() (keys, expires uint64) { return d.n1, d.n2 }

// SlotInfo returns the SLOT_INFO fields.
func (d *Decoder) SlotInfo() (slot, keys, expires uint64) { return d.n1, d.n2, d.n3 }

// Module returns the module of a RecModule or RecModuleAux record.
func (d *Decoder) Module() Module { return d.module }

// Checksum returns the RecEOF checksum status.
func (d *Decoder) Checksum() Checksum { return d.csum }

// LoadedEncoding is, at RecKeyEnd, what OBJECT ENCODING would say after
// Redis (Options.Target, default 7.0) loads this key with Options.Config.
func (d *Decoder) LoadedEncoding() string { return d.loaded }

// StreamMeta returns the RecStreamMeta payload.
func (d *Decoder) StreamMeta() StreamMeta { return d.stream.meta }

// StreamGroup returns the RecStreamGroup payload (Name valid until Next).
func (d *Decoder) StreamGroup() StreamGroup {
	g := d.stream.group
	g.Name = d.fp.bytes()
	return g
}

// StreamPending returns the RecStreamPending payload.
func (d *Decoder) StreamPending() StreamPending { return d.stream.pel }

// StreamConsumer returns the RecStreamConsumer payload.
func (d *Decoder) StreamConsumer() StreamConsumer {
	c := d.stream.consumer
	c.Name = d.fp.bytes()
	return c
}

// StreamIDMP returns the RecStreamIDMP payload.
func (d *Decoder) StreamIDMP() StreamIDMP { return d.stream.idmp }
