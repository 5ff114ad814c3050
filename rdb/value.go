package rdb

import (
	"encoding/binary"
	"math"
	"strconv"
)

// beginKey reads the key and enough of the value to describe it, and
// returns the RecKeyBegin record.
func (d *Decoder) beginKey(t Type) bool {
	in := &d.in
	switch {
	case t == TypeModulePreGA:
		return d.failf(ErrUnsupported, "reading type", "module type 6 (pre-GA) cannot be skipped")
	case t == 8 || t > TypeStreamListpacks4:
		return d.failf(ErrUnsupported, "reading type", "unknown type %d", t)
	case d.valkey && t == TypeHashListpackExPre:
		return d.failf(ErrUnsupported, "reading type", "Valkey path hash (type 23)")
	}
	d.doing = "reading key"
	if d.dump {
		d.key = d.key[:0]
	} else {
		d.key, _, _ = in.str(d.key, &d.lzfBuf, d.limit)
		if in.err != nil {
			return false
		}
	}
	d.st = stValue
	d.fast = false
	d.typ = t
	d.expire, d.idle, d.freq = d.pExpire, d.pIdle, d.pFreq
	d.pExpire, d.pIdle, d.pFreq = -1, -1, -1
	d.meta = nil
	if d.hasMeta {
		d.meta, d.hasMeta = d.pMeta, false
	}
	d.kind = RecKeyBegin
	d.count = -1
	d.emitted = 0
	d.loaded = ""
	d.stMax, d.stBytes, d.stNodes, d.stAllInt, d.stTTLs = 0, 0, 0, true, false
	d.statSetup(t)
	d.fp, d.vp = &d.fieldS, &d.valueS
	d.fieldTTL = -1
	d.scoreTxt = nil
	d.itemAt = in.off()
	d.doing = "reading value"
	switch t {
	case TypeString:
		// Nothing more is read before the RecString record.
		d.viewSlot(&d.valueS, 0)
		d.count = d.valueS.size()
		d.vm = vmString
	case TypeList:
		d.plainCount(vmPlainList)
		d.elemRec = RecListElement
	case TypeSet:
		d.plainCount(vmPlainSet)
		d.elemRec = RecSetMember
	case TypeHash:
		d.plainCount(vmPlainHash)
	case TypeZSet:
		d.plainCount(vmPlainZSet)
	case TypeZSet2:
		d.plainCount(vmPlainZSet2)
	case TypeHashMetadata:
		d.minExp = int64(in.le64())
		d.plainCount(vmHashMeta)
	case TypeHashMetadataPreGA: // also TypeValkeyHash2
		if d.valkey {
			d.plainCount(vmValkeyHash2)
		} else {
			d.minExp = -1
			d.plainCount(vmHashMeta)
		}
	case TypeHashZipmap:
		if !d.readBlob("reading zipmap") {
			return false
		}
		if !d.startZipmap() {
			return false
		}
	case TypeListZiplist, TypeZSetZiplist, TypeHashZiplist:
		if !d.readBlob("reading ziplist") || !d.startZiplist() {
			return false
		}
	case TypeSetIntset:
		if !d.readBlob("reading intset") || !d.startIntset() {
			return false
		}
	case TypeHashListpack, TypeZSetListpack, TypeSetListpack, TypeHashListpackExPre:
		if !d.readBlob("reading listpack") || !d.startListpack() {
			return false
		}
	case TypeHashListpackEx:
		d.minExp = int64(in.le64())
		if !d.readBlob("reading listpack") || !d.startListpack() {
			return false
		}
	case TypeListQuicklist, TypeListQuicklist2:
		d.nodes = in.plainLen()
		d.ql2 = t == TypeListQuicklist2
		d.inNode, d.plainEl = false, false
		d.vm = vmQuicklist
	case TypeStreamListpacks, TypeStreamListpacks2, TypeStreamListpacks3, TypeStreamListpacks4:
		d.nodes = in.plainLen()
		d.startStream()
	case TypeModule2:
		d.doing = "reading module value"
		id := in.plainLen()
		if in.err != nil {
			return false
		}
		d.setModule(id)
		d.raw = d.walkModule(d.raw[:0])
		d.vm = vmModule
	}
	return in.err == nil
}

func (d *Decoder) plainCount(vm vmode) {
	d.remain = d.in.plainLen()
	d.count = int64(d.remain)
	if d.count < 0 {
		d.count = -1
	}
	d.vm = vm
}

// readBlob reads a container blob (an RDB string). d.blob is a view of the
// read buffer when the blob is raw and buffered (no copy), else d.blobOwn.
// Safe because a container is iterated without reading the input: the
// next read from the input comes after its last element.
func (d *Decoder) readBlob(doing string) bool {
	d.doing = doing
	d.blobAt = d.in.off()
	d.blob = d.in.strView(&d.blobOwn, &d.lzfBuf, d.limit)
	return d.in.err == nil
}

// valueStep produces the next record of the current value.
func (d *Decoder) valueStep() bool {
	in := &d.in
	switch d.vm {
	case vmPlainList, vmPlainSet:
		if d.remain == 0 {
			return d.keyEnd()
		}
		d.remain--
		d.doing = "reading element"
		d.viewSlot(&d.valueS, 0)
		d.vp = &d.valueS
		d.stat(&d.valueS)
		d.kind = d.elemRec
	case vmPlainHash, vmHashMeta, vmValkeyHash2:
		if d.remain == 0 {
			return d.keyEnd()
		}
		d.remain--
		d.doing = "reading hash field"
		d.fieldTTL = -1
		if d.vm == vmHashMeta {
			ttl := in.plainLen()
			if ttl != 0 {
				d.stTTLs = true
				if d.minExp >= 0 {
					d.fieldTTL = int64(ttl) + d.minExp - 1
				} else {
					d.fieldTTL = int64(ttl)
				}
			}
		}
		if d.vm == vmValkeyHash2 {
			// An expiry follows the value: no views.
			d.readSlot(&d.fieldS)
			d.readSlot(&d.valueS)
		} else {
			d.viewPair(&d.fieldS, &d.valueS)
		}
		if d.vm == vmValkeyHash2 {
			if exp := int64(in.le64()); exp != -1 {
				d.fieldTTL = exp
				d.stTTLs = true
			}
		}
		d.fp, d.vp = &d.fieldS, &d.valueS
		d.stat(&d.fieldS)
		d.statMax(&d.valueS)
		d.kind = RecHashField
	case vmPlainZSet, vmPlainZSet2:
		if d.remain == 0 {
			return d.keyEnd()
		}
		d.remain--
		d.doing = "reading zset member"
		d.viewSlot(&d.valueS, 256) // the score: 8 bytes, or a length and up to 255
		d.vp = &d.valueS
		if d.vm == vmPlainZSet {
			d.score, d.fieldS.own = in.textDouble(d.fieldS.own)
			d.scoreTxt = d.fieldS.own
		} else {
			d.score = in.binDouble()
		}
		if in.err == nil && math.IsNaN(d.score) {
			in.corrupt("zset score is NaN")
		}
		d.stat(&d.valueS)
		d.kind = RecZSetMember
	case vmContainer:
		return d.containerStep()
	case vmIntset:
		if d.isIdx >= d.isLen {
			return d.keyEnd()
		}
		d.valueS.setInt(intsetGet(d.intset, d.isIdx))
		d.isIdx++
		d.vp = &d.valueS
		d.stat(&d.valueS)
		d.kind = RecSetMember
	case vmZipmap:
		return d.zipmapStep()
	case vmQuicklist:
		return d.quicklistStep()
	case vmStream:
		return d.streamStep()
	case vmString:
		d.vp = &d.valueS
		d.kind = RecString
		d.vm = vmEnd
		d.emitted = 1
	case vmModule:
		d.valueS.setBytes(d.raw)
		d.vp = &d.valueS
		d.kind = RecModule
		d.vm = vmEnd
		d.emitted = 1
	case vmEnd:
		return d.keyEnd()
	}
	return in.err == nil
}

// stat accounts one element for LoadedEncoding. Only what the answer
// depends on is measured: lengths are skipped for lists unless the target
// has listpack lists, integers count as their decimal length only when a
// threshold is small enough for it to matter, and the all-integers test
// runs for sets only.
func (d *Decoder) stat(s *slot) {
	d.emitted++
	if d.stMode == statCount {
		return
	}
	d.statMax(s)
	if d.stMode == statSet && d.stAllInt && !s.isInt {
		if _, ok := parseCanonicalInt(s.b); !ok {
			d.stAllInt = false
		}
	}
}

func (d *Decoder) statMax(s *slot) {
	var n int64
	if s.isInt {
		if !d.stExactInts {
			d.stBytes += 8
			return
		}
		n = int64(intLen(s.n))
	} else {
		n = int64(len(s.b))
	}
	d.stBytes += n
	if n > d.stMax {
		d.stMax = n
	}
}

// statSetup chooses what stat measures for a key of type t.
func (d *Decoder) statSetup(t Type) {
	c := &d.cfg
	d.stMode = statFull
	lim := int64(21)
	switch t.ValueKind() {
	case KindList:
		if d.opts.Target < Redis72 {
			d.stMode = statCount
		}
		lim = 0
	case KindSet:
		d.stMode = statSet
		lim = c.SetMaxListpackValue
	case KindHash:
		lim = c.HashMaxListpackValue
	case KindZSet:
		lim = c.ZSetMaxListpackValue
	}
	// An integer is at most 20 characters: it can only cross a threshold
	// below 21, and only then is its exact length needed.
	d.stExactInts = lim < 21
}

func (d *Decoder) keyEnd() bool {
	if d.emitted == 0 && !d.opts.AllowEmptyKeys {
		switch d.typ.ValueKind() {
		case KindList, KindSet, KindZSet, KindHash:
			d.itemAt = d.recOff
			return d.failf(ErrCorrupt, "reading value", "empty %s (Redis skips such keys when loading)", d.typ.ValueKind())
		}
	}
	d.kind = RecKeyEnd
	d.st = stTop
	if d.dump {
		d.st = stDone
	}
	d.loaded = d.loadedEncoding()
	return true
}

// parseCanonicalInt parses b when it is the canonical decimal form of an
// int64 (no sign on zero, no leading zeros, no spaces): Redis's string2ll.
func parseCanonicalInt(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	if len(b) == 1 && b[0] == '0' {
		return 0, true
	}
	neg := false
	i := 0
	if b[0] == '-' {
		neg = true
		i = 1
		if len(b) == 1 {
			return 0, false
		}
	}
	if b[i] < '1' || b[i] > '9' {
		return 0, false
	}
	var u uint64
	for ; i < len(b); i++ {
		c := b[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if u > (math.MaxUint64-9)/10 {
			return 0, false
		}
		u = u*10 + uint64(c-'0')
	}
	if neg {
		if u > 1<<63 {
			return 0, false
		}
		return -int64(u), true
	}
	if u > math.MaxInt64 {
		return 0, false
	}
	return int64(u), true
}

// ---- intset (FORMATS §1.7) -------------------------------------------------

func (d *Decoder) startIntset() bool {
	b := d.blob
	if len(b) < 8 {
		return d.failf(ErrCorrupt, "reading intset", "intset of %d bytes", len(b))
	}
	enc := binary.LittleEndian.Uint32(b)
	n := binary.LittleEndian.Uint32(b[4:])
	if enc != 2 && enc != 4 && enc != 8 || uint64(n)*uint64(enc)+8 != uint64(len(b)) {
		return d.failf(ErrCorrupt, "reading intset", "intset header (encoding %d, length %d) does not match %d bytes", enc, n, len(b))
	}
	if d.opts.Deep {
		if err := validateIntset(b); err != nil {
			return d.failf(ErrCorrupt, "validating intset", "%v", err)
		}
	}
	d.intset = b
	d.isIdx, d.isLen = 0, int(n)
	d.count = int64(n)
	d.vm = vmIntset
	return true
}

func intsetGet(b []byte, i int) int64 {
	switch binary.LittleEndian.Uint32(b) {
	case 2:
		return int64(int16(binary.LittleEndian.Uint16(b[8+2*i:])))
	case 4:
		return int64(int32(binary.LittleEndian.Uint32(b[8+4*i:])))
	}
	return int64(binary.LittleEndian.Uint64(b[8+8*i:]))
}

// ---- ziplist and listpack containers ---------------------------------------

func (d *Decoder) groupFor(t Type) (int, RecordKind) {
	switch t.ValueKind() {
	case KindList:
		return 1, RecListElement
	case KindSet:
		return 1, RecSetMember
	case KindZSet:
		return 2, RecZSetMember
	}
	if t == TypeHashListpackEx || t == TypeHashListpackExPre {
		return 3, RecHashField
	}
	return 2, RecHashField
}

func (d *Decoder) startZiplist() bool {
	if d.opts.Deep {
		n, err := validateZiplist(d.blob)
		if err != nil {
			return d.failf(ErrCorrupt, "validating ziplist", "%v", err)
		}
		d.group, _ = d.groupFor(d.typ)
		if n%d.group != 0 {
			return d.failf(ErrCorrupt, "validating ziplist", "%d entries is not a multiple of %d", n, d.group)
		}
	}
	if !d.it.initZiplist(d.blob) {
		return d.failf(ErrCorrupt, "reading ziplist", "bad ziplist header")
	}
	d.group, d.elemRec = d.groupFor(d.typ)
	if n := d.it.count(); n >= 0 {
		d.count = int64(n / d.group)
	}
	d.doing = d.it.doing()
	d.vm = vmContainer
	return true
}

func (d *Decoder) startListpack() bool {
	if d.opts.Deep {
		n, err := validateListpack(d.blob)
		if err != nil {
			return d.failf(ErrCorrupt, "validating listpack", "%v", err)
		}
		d.group, _ = d.groupFor(d.typ)
		if n%d.group != 0 {
			return d.failf(ErrCorrupt, "validating listpack", "%d entries is not a multiple of %d", n, d.group)
		}
	}
	if !d.it.initListpack(d.blob) {
		return d.failf(ErrCorrupt, "reading listpack", "bad listpack header")
	}
	d.group, d.elemRec = d.groupFor(d.typ)
	if n := d.it.count(); n >= 0 {
		d.count = int64(n / d.group)
	}
	d.doing = d.it.doing()
	d.vm = vmContainer
	d.fast = d.group == 1
	return true
}

// containerStep emits the next element (or group) of a ziplist/listpack.
func (d *Decoder) containerStep() bool {
	it := &d.it
	d.itemAt = d.blobAt // damage inside a blob is reported at the blob
	switch d.group {
	case 1:
		if !it.next(&d.valueS) {
			return d.containerDone()
		}
		d.vp = &d.valueS
		d.stat(&d.valueS)
	case 2:
		if d.elemRec == RecZSetMember {
			if !it.next(&d.valueS) {
				return d.containerDone()
			}
			if !it.next(&d.fieldS) {
				return d.containerShort()
			}
			d.vp = &d.valueS
			if !d.slotScore(&d.fieldS) {
				return false
			}
			d.stat(&d.valueS)
		} else {
			if !it.next(&d.fieldS) {
				return d.containerDone()
			}
			if !it.next(&d.valueS) {
				return d.containerShort()
			}
			d.fp, d.vp = &d.fieldS, &d.valueS
			d.stat(&d.fieldS)
			d.statMax(&d.valueS)
		}
	case 3:
		if !it.next(&d.fieldS) {
			return d.containerDone()
		}
		var ttl slot
		if !it.next(&d.valueS) || !it.next(&ttl) {
			return d.containerShort()
		}
		d.fp, d.vp = &d.fieldS, &d.valueS
		d.fieldTTL = -1
		if !ttl.isInt {
			return d.failf(ErrCorrupt, d.doing, "hash field ttl is not an integer")
		}
		if ttl.n != 0 {
			d.fieldTTL = ttl.n
			d.stTTLs = true
		}
		d.stat(&d.fieldS)
		d.statMax(&d.valueS)
	}
	d.kind = d.elemRec
	return true
}

func (d *Decoder) containerDone() bool {
	if err := d.it.err(); err != nil {
		return d.failf(ErrCorrupt, d.doing, "%v", err)
	}
	return d.keyEnd()
}

func (d *Decoder) containerShort() bool {
	if err := d.it.err(); err != nil {
		return d.failf(ErrCorrupt, d.doing, "%v", err)
	}
	return d.failf(ErrCorrupt, d.doing, "odd number of entries")
}

// slotScore sets d.score from a zset score element.
func (d *Decoder) slotScore(s *slot) bool {
	if s.isInt {
		d.score = float64(s.n)
		d.scoreTxt = nil
		return true
	}
	f, err := strconv.ParseFloat(string(s.b), 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); !ok || ne.Err != strconv.ErrRange {
			return d.failf(ErrCorrupt, d.doing, "bad zset score %q", s.b)
		}
	}
	if math.IsNaN(f) {
		return d.failf(ErrCorrupt, d.doing, "zset score is NaN")
	}
	d.score = f
	d.scoreTxt = s.b
	return true
}

// ---- zipmap ------------------------------------------------------------------

func (d *Decoder) startZipmap() bool {
	if d.opts.Deep {
		if err := validateZipmap(d.blob); err != nil {
			return d.failf(ErrCorrupt, "validating zipmap", "%v", err)
		}
	}
	if len(d.blob) < 2 {
		return d.failf(ErrCorrupt, "reading zipmap", "zipmap of %d bytes", len(d.blob))
	}
	if d.blob[0] < 254 {
		d.count = int64(d.blob[0])
	}
	if err := d.zm.init(d.blob); err != nil {
		return d.failf(ErrCorrupt, "reading zipmap", "%v", err)
	}
	d.vm = vmZipmap
	return true
}

func (d *Decoder) zipmapStep() bool {
	d.doing = "reading zipmap entry"
	d.itemAt = d.blobAt
	f, v, ok := d.zm.next()
	if !ok {
		if err := d.zm.err(); err != nil {
			return d.failf(ErrCorrupt, d.doing, "%v", err)
		}
		return d.keyEnd()
	}
	d.fieldS.setBytes(f)
	d.valueS.setBytes(v)
	d.fp, d.vp = &d.fieldS, &d.valueS
	d.stat(&d.fieldS)
	d.statMax(&d.valueS)
	d.kind = RecHashField
	return true
}

// ---- quicklist -----------------------------------------------------------------

func (d *Decoder) quicklistStep() bool {
	in := &d.in
	for {
		if d.inNode {
			if d.plainEl {
				d.plainEl, d.inNode = false, false
				d.vp = &d.valueS
				d.stat(&d.valueS)
				d.kind = RecListElement
				return true
			}
			d.itemAt = d.blobAt
			if d.it.next(&d.valueS) {
				d.vp = &d.valueS
				d.stat(&d.valueS)
				d.kind = RecListElement
				return true
			}
			if err := d.it.err(); err != nil {
				return d.failf(ErrCorrupt, d.doing, "%v", err)
			}
			d.inNode = false
		}
		if d.nodes == 0 {
			return d.keyEnd()
		}
		d.nodes--
		d.stNodes++
		d.itemAt = in.off()
		d.doing = "reading quicklist node"
		container := uint64(containerPacked)
		if d.ql2 {
			container = in.plainLen()
			if in.err != nil {
				return false
			}
			if container != containerPlain && container != containerPacked {
				return d.failf(ErrCorrupt, d.doing, "quicklist container %d", container)
			}
		}
		if !d.readBlob(d.doing) {
			return false
		}
		d.inNode = true
		d.doing = "reading listpack entry"
		if !d.ql2 {
			d.doing = "reading ziplist entry"
		}
		switch {
		case container == containerPlain:
			d.valueS.setBytes(d.blob)
			d.plainEl = true
		case d.ql2:
			if d.opts.Deep {
				if _, err := validateListpack(d.blob); err != nil {
					return d.failf(ErrCorrupt, "validating listpack", "%v", err)
				}
			}
			if !d.it.initListpack(d.blob) {
				return d.failf(ErrCorrupt, "reading listpack", "bad listpack header")
			}
			d.elemRec = RecListElement
			d.fast = true
		default:
			if d.opts.Deep {
				if _, err := validateZiplist(d.blob); err != nil {
					return d.failf(ErrCorrupt, "validating ziplist", "%v", err)
				}
			}
			if !d.it.initZiplist(d.blob) {
				return d.failf(ErrCorrupt, "reading ziplist", "bad ziplist header")
			}
		}
	}
}
