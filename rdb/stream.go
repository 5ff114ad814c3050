package rdb

import (
	"encoding/binary"
	"math"
)

// streamState walks a stream value (FORMATS §1.8) one record at a time.
type streamState struct {
	phase     sphase
	ver       int
	master    StreamID
	fields    []slot // master entry fields of the current node
	nf        int    // fields of the current entry
	fi        int
	same      bool
	meta      StreamMeta
	groups    uint64
	group     StreamGroup
	pelLeft   uint64
	consLeft  uint64
	consumer  StreamConsumer
	cpelLeft  uint64
	pel       StreamPending
	idmp      StreamIDMP
	prodLeft  uint64
	iidLeft   uint64
	scratch   slot
	nodeCount int64
}

type sphase uint8

const (
	spNodes sphase = iota
	spEntries
	spFields
	spMeta
	spGroups
	spPEL
	spConsumers
	spCPEL
	spIDMP
	spProducers
	spIIDs
	spDone
)

const (
	streamFlagDeleted    = 1
	streamFlagSameFields = 2
)

func (d *Decoder) startStream() {
	s := &d.stream
	s.phase = spNodes
	switch d.typ {
	case TypeStreamListpacks:
		s.ver = 1
	case TypeStreamListpacks2:
		s.ver = 2
	case TypeStreamListpacks3:
		s.ver = 3
	default:
		s.ver = 4
	}
	d.vm = vmStream
}

// lpInt reads the next listpack element as an integer.
func (d *Decoder) lpInt(what string) (int64, bool) {
	s := &d.stream.scratch
	if !d.it.next(s) {
		if err := d.it.err(); err != nil {
			return 0, d.failf(ErrCorrupt, d.doing, "%v", err)
		}
		return 0, d.failf(ErrCorrupt, d.doing, "stream listpack ended before %s", what)
	}
	if s.isInt {
		return s.n, true
	}
	if v, ok := parseCanonicalInt(s.b); ok {
		return v, true
	}
	return 0, d.failf(ErrCorrupt, d.doing, "stream %s is not an integer", what)
}

func (d *Decoder) readID() StreamID {
	p := d.in.next(16)
	if p == nil {
		return StreamID{}
	}
	return StreamID{binary.BigEndian.Uint64(p), binary.BigEndian.Uint64(p[8:])}
}

func (d *Decoder) lenID() StreamID {
	ms := d.in.plainLen()
	return StreamID{ms, d.in.plainLen()}
}

func (d *Decoder) streamStep() bool {
	in := &d.in
	s := &d.stream
	for {
		switch s.phase {
		case spNodes:
			if d.nodes == 0 {
				s.phase = spMeta
				continue
			}
			d.nodes--
			d.itemAt = in.off()
			d.doing = "reading stream node"
			d.nodeBuf, _, _ = in.str(d.nodeBuf, &d.lzfBuf, d.limit)
			if in.err != nil {
				return false
			}
			if len(d.nodeBuf) != 16 {
				return d.failf(ErrCorrupt, d.doing, "stream node key of %d bytes, want 16", len(d.nodeBuf))
			}
			s.master = StreamID{binary.BigEndian.Uint64(d.nodeBuf), binary.BigEndian.Uint64(d.nodeBuf[8:])}
			if !d.readBlob("reading stream listpack") {
				return false
			}
			if d.opts.Deep {
				if _, err := validateListpack(d.blob); err != nil {
					return d.failf(ErrCorrupt, "validating stream listpack", "%v", err)
				}
			}
			if !d.it.initListpack(d.blob) {
				return d.failf(ErrCorrupt, d.doing, "bad listpack header")
			}
			d.doing = "reading stream master entry"
			count, ok := d.lpInt("master count")
			if !ok {
				return false
			}
			deleted, ok := d.lpInt("master deleted count")
			if !ok {
				return false
			}
			nf, ok := d.lpInt("master field count")
			if !ok {
				return false
			}
			if nf < 0 || nf > int64(len(d.blob)) || count < 0 || deleted < 0 {
				return d.failf(ErrCorrupt, d.doing, "bad master entry (count %d, deleted %d, fields %d)", count, deleted, nf)
			}
			// Grow with the entries actually read, never from nf.
			s.fields = s.fields[:0]
			for i := int64(0); i < nf; i++ {
				if len(s.fields) < cap(s.fields) {
					s.fields = s.fields[:len(s.fields)+1]
				} else {
					s.fields = append(s.fields, slot{})
				}
				if !d.it.next(&s.fields[len(s.fields)-1]) {
					return d.failf(ErrCorrupt, d.doing, "stream master entry ended early")
				}
			}
			if z, ok := d.lpInt("master terminator"); !ok {
				return false
			} else if z != 0 {
				return d.failf(ErrCorrupt, d.doing, "master entry terminator %d", z)
			}
			d.n1 = uint64(count + deleted)
			d.id = s.master
			d.valueS.setBytes(d.blob)
			d.vp = &d.valueS
			d.kind = RecStreamNode
			s.phase = spEntries
			return true
		case spEntries:
			d.itemAt = d.blobAt
			d.doing = "reading stream entry"
			if !d.it.next(&s.scratch) {
				if err := d.it.err(); err != nil {
					return d.failf(ErrCorrupt, d.doing, "%v", err)
				}
				s.phase = spNodes
				continue
			}
			var flags int64
			if s.scratch.isInt {
				flags = s.scratch.n
			} else {
				return d.failf(ErrCorrupt, d.doing, "entry flags are not an integer")
			}
			msd, ok := d.lpInt("ms delta")
			if !ok {
				return false
			}
			seqd, ok := d.lpInt("seq delta")
			if !ok {
				return false
			}
			s.same = flags&streamFlagSameFields != 0
			if s.same {
				s.nf = len(s.fields)
			} else {
				nf, ok := d.lpInt("field count")
				if !ok {
					return false
				}
				if nf < 0 || nf > int64(len(d.blob)) {
					return d.failf(ErrCorrupt, d.doing, "entry field count %d", nf)
				}
				s.nf = int(nf)
			}
			s.fi = 0
			d.id = StreamID{s.master.Ms + uint64(msd), s.master.Seq + uint64(seqd)}
			d.deleted = flags&streamFlagDeleted != 0
			d.n1 = uint64(s.nf)
			if !d.deleted {
				d.emitted++
			}
			d.kind = RecStreamEntry
			s.phase = spFields
			return true
		case spFields:
			d.itemAt = d.blobAt
			d.doing = "reading stream entry field"
			if s.fi == s.nf {
				if _, ok := d.lpInt("lp-count"); !ok {
					return false
				}
				s.phase = spEntries
				continue
			}
			if s.same {
				d.fp = &s.fields[s.fi]
			} else {
				if !d.it.next(&d.fieldS) {
					return d.failf(ErrCorrupt, d.doing, "stream entry ended early")
				}
				d.fp = &d.fieldS
			}
			if !d.it.next(&d.valueS) {
				return d.failf(ErrCorrupt, d.doing, "stream entry ended early")
			}
			d.vp = &d.valueS
			s.fi++
			d.kind = RecStreamField
			return true
		case spMeta:
			d.doing = "reading stream metadata"
			m := &s.meta
			*m = StreamMeta{}
			m.Length = in.plainLen()
			m.LastID = d.lenID()
			if s.ver >= 2 {
				m.FirstID = d.lenID()
				m.MaxDeletedID = d.lenID()
				m.EntriesAdded = in.plainLen()
				m.HasV2 = true
			} else {
				m.EntriesAdded = m.Length
			}
			m.Groups = in.plainLen()
			s.groups = m.Groups
			d.kind = RecStreamMeta
			s.phase = spGroups
			return in.err == nil
		case spGroups:
			if s.groups == 0 {
				if s.ver >= 4 {
					s.phase = spIDMP
					continue
				}
				s.phase = spDone
				continue
			}
			s.groups--
			d.doing = "reading stream group"
			d.readSlot(&d.fieldS)
			d.fp = &d.fieldS
			g := &s.group
			g.LastID = d.lenID()
			g.EntriesRead = -1
			if s.ver >= 2 {
				g.EntriesRead = int64(in.plainLen())
			}
			g.Pending = in.plainLen()
			s.pelLeft = g.Pending
			d.kind = RecStreamGroup
			s.phase = spPEL
			return in.err == nil
		case spPEL:
			if s.pelLeft == 0 {
				d.doing = "reading stream consumers"
				s.consLeft = in.plainLen()
				if in.err != nil {
					return false
				}
				s.phase = spConsumers
				continue
			}
			s.pelLeft--
			d.doing = "reading stream PEL entry"
			s.pel.ID = d.readID()
			s.pel.DeliveryTime = int64(in.le64())
			s.pel.DeliveryCount = in.plainLen()
			d.id = s.pel.ID
			d.kind = RecStreamPending
			return in.err == nil
		case spConsumers:
			if s.consLeft == 0 {
				s.phase = spGroups
				continue
			}
			s.consLeft--
			d.doing = "reading stream consumer"
			d.readSlot(&d.fieldS)
			d.fp = &d.fieldS
			c := &s.consumer
			c.SeenTime = int64(in.le64())
			c.ActiveTime = -1
			if s.ver >= 3 {
				c.ActiveTime = int64(in.le64())
			}
			c.Pending = in.plainLen()
			s.cpelLeft = c.Pending
			d.kind = RecStreamConsumer
			s.phase = spCPEL
			return in.err == nil
		case spCPEL:
			if s.cpelLeft == 0 {
				s.phase = spConsumers
				continue
			}
			s.cpelLeft--
			d.doing = "reading stream consumer PEL entry"
			d.id = d.readID()
			d.kind = RecStreamConsumerPending
			return in.err == nil
		case spIDMP:
			d.doing = "reading stream idempotency metadata"
			s.idmp = StreamIDMP{}
			s.idmp.Duration = in.plainLen()
			s.idmp.MaxEntries = in.plainLen()
			s.idmp.Producers = in.plainLen()
			s.prodLeft = s.idmp.Producers
			if in.err != nil {
				return false
			}
			s.phase = spProducers
		case spProducers:
			if s.prodLeft == 0 {
				d.doing = "reading stream idempotency metadata"
				s.idmp.IIDsAdded = in.plainLen()
				s.idmp.IIDsDuplicates = in.plainLen()
				d.kind = RecStreamIDMP
				s.phase = spDone
				return in.err == nil
			}
			s.prodLeft--
			d.doing = "reading stream producer"
			d.readSlot(&d.fieldS)
			d.fp = &d.fieldS
			s.iidLeft = in.plainLen()
			d.n1 = s.iidLeft
			d.kind = RecStreamProducer
			s.phase = spIIDs
			return in.err == nil
		case spIIDs:
			if s.iidLeft == 0 {
				s.phase = spProducers
				continue
			}
			s.iidLeft--
			d.doing = "reading stream idempotency id"
			d.readSlot(&d.fieldS)
			d.fp = &d.fieldS
			d.id = d.lenID()
			d.kind = RecStreamIID
			return in.err == nil
		case spDone:
			return d.keyEnd()
		default:
			return d.failf(ErrCorrupt, "reading stream", "bad state")
		}
		if in.err != nil {
			return false
		}
		_ = math.MaxInt64
	}
}
