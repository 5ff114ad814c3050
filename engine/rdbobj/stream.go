package rdbobj

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/tstream"
	"github.com/redisctl/redisctl/rdb"
)

// appendStream appends a stream as Redis 7.0's rdbSaveObject writes
// RDB_TYPE_STREAM_LISTPACKS_2: the node count, every node's 16-byte master ID and its
// listpack (both through rdbSaveRawString, so a listpack may be LZF-compressed), length,
// last ID, first ID, max deleted ID, entries added, then the groups in name order: name,
// last ID, entries_read, the group PEL (raw ID, delivery time as 8 bytes little-endian,
// delivery count) and the consumers in name order (name, seen time, PEL IDs).
func (s *Saver) appendStream(dst []byte, st *tstream.Stream) []byte {
	dst = rdb.AppendLen(dst, uint64(st.NumNodes()))
	st.EachNode(func(master tstream.ID, lp []byte) bool {
		k := master.Key()
		dst = s.appendString(dst, k[:])
		dst = s.appendString(dst, lp)
		return true
	})
	return s.AppendStreamTail(dst, st)
}

// AppendStreamTail appends what follows a stream's nodes in its record: the metadata and
// the groups (appendStream). persist writes a big stream's nodes in steps, then this.
func (s *Saver) AppendStreamTail(dst []byte, st *tstream.Stream) []byte {
	m := st.Meta()
	for _, v := range [...]uint64{m.Length, m.LastID.Ms, m.LastID.Seq, m.FirstID.Ms, m.FirstID.Seq,
		m.MaxDeletedID.Ms, m.MaxDeletedID.Seq, m.EntriesAdded} {
		dst = rdb.AppendLen(dst, v)
	}
	groups := st.Groups()
	dst = rdb.AppendLen(dst, uint64(len(groups)))
	for _, g := range groups {
		dst = s.appendString(dst, g.Name)
		dst = rdb.AppendLen(dst, g.LastID.Ms)
		dst = rdb.AppendLen(dst, g.LastID.Seq)
		// entries_read is a long long saved with rdbSaveLen: -1 (unknown) becomes 2^64-1.
		dst = rdb.AppendLen(dst, uint64(g.EntriesRead))
		dst = rdb.AppendLen(dst, uint64(g.PELLen()))
		g.EachPending(func(id tstream.ID, n *tstream.NACK) bool {
			k := id.Key()
			dst = append(dst, k[:]...)
			dst = binary.LittleEndian.AppendUint64(dst, uint64(n.DeliveryTime))
			dst = rdb.AppendLen(dst, n.DeliveryCount)
			return true
		})
		cons := g.Consumers()
		dst = rdb.AppendLen(dst, uint64(len(cons)))
		for _, c := range cons {
			dst = s.appendString(dst, c.Name)
			dst = binary.LittleEndian.AppendUint64(dst, uint64(c.SeenTime))
			dst = rdb.AppendLen(dst, uint64(c.PELLen()))
			c.EachPending(func(id tstream.ID, _ *tstream.NACK) bool {
				k := id.Key()
				dst = append(dst, k[:]...)
				return true
			})
		}
	}
	return dst
}

// streamVersion is the layout generation of a stream type byte: 1 (type 15), 2 (19) or
// 3 (21, Redis 7.2: consumers also carry an active time). 0 for other types.
func streamVersion(t rdb.Type) int {
	switch t {
	case rdb.TypeStreamListpacks:
		return 1
	case rdb.TypeStreamListpacks2:
		return 2
	case rdb.TypeStreamListpacks3:
		return 3
	}
	return 0
}

func tid(id rdb.StreamID) tstream.ID { return tstream.ID{Ms: id.Ms, Seq: id.Seq} }

// streamErr wraps a builder error as rdbLoadObject's corrupt-RDB report.
func streamErr(err error) error {
	if err == nil || errors.Is(err, ErrBadFormat) {
		return err
	}
	return fmt.Errorf("%w: stream: %w", ErrBadFormat, err)
}

// streamDeep is whether stream values get sanitize-dump-payload's deep checks. They always
// do, whatever LoadConfig.Deep says: Redis 7.0 without deep checks accepts a node whose
// entries are damaged, or a group PEL entry no consumer owns, and then crashes on the
// first read of it (an assertion in the listpack iterator, a NULL consumer in XPENDING or
// XINFO); in a Go process that would take the whole daemon down. So a payload Redis takes
// and later dies on is refused here with "Bad data format". The checks are linear in the
// value's size.
const streamDeep = true

// loadStream reads a stream value of type 15, 19 or 21 as Redis 7.0's rdbLoadObject does
// (type 21 as 7.2 writes it: the consumers' active time is read and dropped, as 7.0 has
// none), with the deep checks of sanitize-dump-payload (see streamDeep): every node
// listpack is validated by tstream.ValidateNode, and every group PEL entry must end up
// owned by a consumer. Counts (nodes, PEL sizes, consumers) are never used to allocate:
// they only drive loops that stop at the first short read.
func loadStream(t rdb.Type, r *reader) (engine.Object, error) {
	ver := streamVersion(t)
	b := tstream.NewBuilder()
	nodes := r.plainLen()
	if r.err != nil {
		return engine.Object{}, fmt.Errorf("%w (stream node count)", r.err)
	}
	for ; nodes > 0; nodes-- {
		key := r.str()
		if r.err != nil {
			return engine.Object{}, fmt.Errorf("%w (stream master ID)", r.err)
		}
		if len(key) != 16 {
			return engine.Object{}, fmt.Errorf("%w: at offset %d: Stream node key entry is not the size of a stream ID (%d bytes)", ErrBadFormat, r.off, len(key))
		}
		master := tstream.IDFromKey(key)
		lp := r.str()
		if r.err != nil {
			return engine.Object{}, fmt.Errorf("%w (stream listpack of node %s)", r.err, master)
		}
		if err := b.AddNode(master, bytes.Clone(lp), streamDeep); err != nil {
			return engine.Object{}, fmt.Errorf("%w: at offset %d: Stream listpack integrity check failed: %w", ErrBadFormat, r.off, err)
		}
	}
	var m tstream.Meta
	m.Length = r.plainLen()
	m.LastID = r.lenID()
	if ver >= 2 {
		m.FirstID = r.lenID()
		m.MaxDeletedID = r.lenID()
		m.EntriesAdded = r.plainLen()
		m.HasV2 = true
	}
	if r.err != nil {
		return engine.Object{}, fmt.Errorf("%w (stream metadata)", r.err)
	}
	if err := b.SetMeta(m); err != nil {
		return engine.Object{}, streamErr(err)
	}
	groups := r.plainLen()
	if r.err != nil {
		return engine.Object{}, fmt.Errorf("%w (stream group count)", r.err)
	}
	for ; groups > 0; groups-- {
		name := r.stable(r.str())
		last := r.lenID()
		var entriesRead uint64
		if ver >= 2 {
			entriesRead = r.plainLen()
		}
		if r.err != nil {
			return engine.Object{}, fmt.Errorf("%w (stream group header)", r.err)
		}
		g, err := b.AddGroup(name, last, int64(entriesRead), ver >= 2)
		if err != nil {
			return engine.Object{}, streamErr(err)
		}
		pel := r.plainLen()
		for ; pel > 0 && r.err == nil; pel-- {
			id := r.rawID()
			dt := r.le64()
			dc := r.plainLen()
			if r.err != nil {
				break
			}
			if err := g.AddPending(id, int64(dt), dc); err != nil {
				return engine.Object{}, streamErr(err)
			}
		}
		if r.err != nil {
			return engine.Object{}, fmt.Errorf("%w (stream group %q PEL)", r.err, name)
		}
		cons := r.plainLen()
		for ; cons > 0 && r.err == nil; cons-- {
			cname := r.str()
			seen := r.le64()
			if ver >= 3 {
				r.le64() // active time (7.2); 7.0 keeps only the seen time
			}
			if r.err != nil {
				break
			}
			c, err := g.AddConsumer(cname, int64(seen))
			if err != nil {
				return engine.Object{}, streamErr(err)
			}
			cpel := r.plainLen()
			for ; cpel > 0 && r.err == nil; cpel-- {
				id := r.rawID()
				if r.err != nil {
					break
				}
				if err := c.AddPending(g, id); err != nil {
					return engine.Object{}, streamErr(err)
				}
			}
		}
		if r.err != nil {
			return engine.Object{}, fmt.Errorf("%w (stream group %q consumers)", r.err, name)
		}
	}
	st, err := b.Finish(streamDeep)
	if err != nil {
		return engine.Object{}, streamErr(err)
	}
	return tstream.NewObject(st), nil
}

// lenID reads an ID stored as two lengths (ms, seq).
func (r *reader) lenID() tstream.ID {
	ms := r.plainLen()
	return tstream.ID{Ms: ms, Seq: r.plainLen()}
}

// rawID reads a 16-byte big-endian ID (a PEL key).
func (r *reader) rawID() tstream.ID {
	if !r.need(16) {
		return tstream.ID{}
	}
	id := tstream.IDFromKey(r.b[r.off:])
	r.off += 16
	return id
}

// le64 reads rdbLoadMillisecondTime's 8 little-endian bytes.
func (r *reader) le64() uint64 {
	if !r.need(8) {
		return 0
	}
	v := binary.LittleEndian.Uint64(r.b[r.off:])
	r.off += 8
	return v
}

// stream builds a stream key from the decoder's records (LoadInto), with the same checks
// as loadStream. The decoder walks every entry of every node; those records are skipped.
func (l *loader) stream(t rdb.Type) (engine.Object, error) {
	d := l.d
	ver := streamVersion(t)
	deep := streamDeep
	b := tstream.NewBuilder()
	var g *tstream.Group
	var c *tstream.Consumer
	fail := func(err error) (engine.Object, error) {
		for l.next() {
		}
		if derr := d.Err(); derr != nil {
			return engine.Object{}, derr
		}
		return engine.Object{}, streamErr(err)
	}
	for l.next() {
		switch d.Kind() {
		case rdb.RecStreamNode:
			master := tid(d.StreamID())
			if err := b.AddNode(master, bytes.Clone(d.Value()), deep); err != nil {
				return fail(fmt.Errorf("Stream listpack integrity check failed: %w", err))
			}
		case rdb.RecStreamMeta:
			sm := d.StreamMeta()
			m := tstream.Meta{Length: sm.Length, LastID: tid(sm.LastID), FirstID: tid(sm.FirstID),
				MaxDeletedID: tid(sm.MaxDeletedID), EntriesAdded: sm.EntriesAdded, HasV2: ver >= 2}
			if err := b.SetMeta(m); err != nil {
				return fail(err)
			}
		case rdb.RecStreamGroup:
			sg := d.StreamGroup()
			var err error
			if g, err = b.AddGroup(d.Field(), tid(sg.LastID), sg.EntriesRead, ver >= 2); err != nil {
				return fail(err)
			}
			c = nil
		case rdb.RecStreamPending:
			if g == nil {
				return fail(errors.New("PEL entry outside a group"))
			}
			sp := d.StreamPending()
			if err := g.AddPending(tid(sp.ID), sp.DeliveryTime, sp.DeliveryCount); err != nil {
				return fail(err)
			}
		case rdb.RecStreamConsumer:
			if g == nil {
				return fail(errors.New("consumer outside a group"))
			}
			var err error
			if c, err = g.AddConsumer(d.Field(), d.StreamConsumer().SeenTime); err != nil {
				return fail(err)
			}
		case rdb.RecStreamConsumerPending:
			if c == nil {
				return fail(errors.New("consumer PEL entry outside a consumer"))
			}
			if err := c.AddPending(g, tid(d.StreamID())); err != nil {
				return fail(err)
			}
		case rdb.RecStreamEntry, rdb.RecStreamField:
		default:
			return fail(fmt.Errorf("unexpected %v record in a stream", d.Kind()))
		}
	}
	if err := l.finish(); err != nil {
		return engine.Object{}, err
	}
	st, err := b.Finish(deep)
	if err != nil {
		return engine.Object{}, streamErr(err)
	}
	return tstream.NewObject(st), nil
}
