package rdb

import (
	"fmt"
)

// ReadValue consumes the current key's records, from RecKeyBegin through
// RecKeyEnd, and returns the whole value in logical form. It allocates the
// value: use it for small values, tests and tools, not on the streaming
// path. Call it when Kind is RecKeyBegin; afterwards Kind is RecKeyEnd.
// Deleted stream entries are left out.
func (d *Decoder) ReadValue() (*Value, error) {
	if d.kind != RecKeyBegin {
		return nil, fmt.Errorf("rdb: ReadValue at a %v record", d.kind)
	}
	v := &Value{Kind: d.typ.ValueKind()}
	var (
		entry    *StreamEntry
		skip     bool
		group    *StreamGroupValue
		consumer *StreamConsumerValue
	)
	if v.Kind == KindStream {
		v.Stream = &Stream{}
	}
	for d.Next() {
		switch d.kind {
		case RecString:
			v.String = append([]byte{}, d.Value()...)
		case RecListElement:
			v.List = append(v.List, clone(d.Value()))
		case RecSetMember:
			v.Set = append(v.Set, clone(d.Value()))
		case RecHashField:
			exp := d.FieldExpire()
			if exp < 0 {
				exp = 0
			}
			v.Hash = append(v.Hash, HashField{clone(d.Field()), clone(d.Value()), exp})
		case RecZSetMember:
			v.ZSet = append(v.ZSet, ZMember{clone(d.Value()), d.Score()})
		case RecStreamEntry:
			skip = d.EntryDeleted()
			if !skip {
				v.Stream.Entries = append(v.Stream.Entries, StreamEntry{ID: d.StreamID()})
				entry = &v.Stream.Entries[len(v.Stream.Entries)-1]
			}
		case RecStreamField:
			if !skip {
				entry.Fields = append(entry.Fields, clone(d.Field()), clone(d.Value()))
			}
		case RecStreamMeta:
			m := d.StreamMeta()
			v.Stream.Length = m.Length
			v.Stream.LastID = m.LastID
			v.Stream.FirstID = m.FirstID
			v.Stream.MaxDeletedID = m.MaxDeletedID
			v.Stream.EntriesAdded = m.EntriesAdded
		case RecStreamGroup:
			g := d.StreamGroup()
			v.Stream.Groups = append(v.Stream.Groups, StreamGroupValue{Name: clone(g.Name), LastID: g.LastID, EntriesRead: g.EntriesRead})
			group = &v.Stream.Groups[len(v.Stream.Groups)-1]
		case RecStreamPending:
			group.PEL = append(group.PEL, d.StreamPending())
		case RecStreamConsumer:
			c := d.StreamConsumer()
			group.Consumers = append(group.Consumers, StreamConsumerValue{Name: clone(c.Name), SeenTime: c.SeenTime, ActiveTime: c.ActiveTime})
			consumer = &group.Consumers[len(group.Consumers)-1]
		case RecStreamConsumerPending:
			consumer.PEL = append(consumer.PEL, d.StreamID())
		case RecModule:
			v.Module = &ModuleValue{ID: d.module.ID, Raw: clone(d.Value())}
		case RecKeyEnd:
			return v, nil
		}
	}
	if err := d.Err(); err != nil {
		return nil, err
	}
	return nil, fmt.Errorf("%w: value ended without a key end", ErrTruncated)
}

// clone copies b into a new non-nil slice.
func clone(b []byte) []byte { return append([]byte{}, b...) }
