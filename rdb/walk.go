package rdb

import "io"

// KeyInfo describes the key a Visitor call is about. Key and Meta are valid
// only during the call.
type KeyInfo struct {
	DB       int
	Key      []byte
	Type     Type
	Kind     ValueKind
	Encoding string // on-disk layout (Type.Encoding)
	Expire   int64  // unix ms, -1 none
	Idle     int64  // seconds, -1 none
	Freq     int    // LFU counter, -1 none
	Len      int64  // elements when the file says so, else -1
	Meta     []byte // raw KEY_META body (RDB 13), or nil
}

// Visitor receives a file's records through Walk. Slices are valid only
// during the call. Returning an error stops the walk and Walk returns it.
// Embed NopVisitor to implement only some methods.
type Visitor interface {
	Aux(name, value []byte) error
	SelectDB(db int) error
	ResizeDB(keys, expires uint64) error
	Function(code []byte) error
	ModuleAux(m Module, raw []byte) error
	SlotInfo(slot, keys, expires uint64) error
	BeginKey(k *KeyInfo) error
	String(k *KeyInfo, value []byte) error
	ListElement(k *KeyInfo, elem []byte) error
	SetMember(k *KeyInfo, member []byte) error
	HashField(k *KeyInfo, field, value []byte, expireAt int64) error
	ZSetMember(k *KeyInfo, member []byte, score float64) error
	StreamEntry(k *KeyInfo, id StreamID, deleted bool, numFields int) error
	StreamField(k *KeyInfo, field, value []byte) error
	StreamMeta(k *KeyInfo, m StreamMeta) error
	StreamGroup(k *KeyInfo, g StreamGroup) error
	StreamPending(k *KeyInfo, p StreamPending) error
	StreamConsumer(k *KeyInfo, c StreamConsumer) error
	StreamConsumerPending(k *KeyInfo, id StreamID) error
	Module(k *KeyInfo, m Module, raw []byte) error
	EndKey(k *KeyInfo, elements int64, loadedEncoding string) error
	End(c Checksum) error
	// Other receives the records the methods above do not cover (pre-GA
	// functions, stream nodes, v4 stream idempotency records); read them
	// from d.
	Other(d *Decoder) error
}

// NopVisitor implements Visitor with methods that do nothing.
type NopVisitor struct{}

func (NopVisitor) Aux(name, value []byte) error                            { return nil }
func (NopVisitor) SelectDB(db int) error                                   { return nil }
func (NopVisitor) ResizeDB(keys, expires uint64) error                     { return nil }
func (NopVisitor) Function(code []byte) error                              { return nil }
func (NopVisitor) ModuleAux(m Module, raw []byte) error                    { return nil }
func (NopVisitor) SlotInfo(slot, keys, expires uint64) error               { return nil }
func (NopVisitor) BeginKey(k *KeyInfo) error                               { return nil }
func (NopVisitor) String(k *KeyInfo, value []byte) error                   { return nil }
func (NopVisitor) ListElement(k *KeyInfo, elem []byte) error               { return nil }
func (NopVisitor) SetMember(k *KeyInfo, member []byte) error               { return nil }
func (NopVisitor) HashField(k *KeyInfo, f, v []byte, expireAt int64) error { return nil }
func (NopVisitor) ZSetMember(k *KeyInfo, m []byte, score float64) error    { return nil }
func (NopVisitor) StreamEntry(k *KeyInfo, id StreamID, del bool, n int) error {
	return nil
}
func (NopVisitor) StreamField(k *KeyInfo, field, value []byte) error       { return nil }
func (NopVisitor) StreamMeta(k *KeyInfo, m StreamMeta) error               { return nil }
func (NopVisitor) StreamGroup(k *KeyInfo, g StreamGroup) error             { return nil }
func (NopVisitor) StreamPending(k *KeyInfo, p StreamPending) error         { return nil }
func (NopVisitor) StreamConsumer(k *KeyInfo, c StreamConsumer) error       { return nil }
func (NopVisitor) StreamConsumerPending(k *KeyInfo, id StreamID) error     { return nil }
func (NopVisitor) Module(k *KeyInfo, m Module, raw []byte) error           { return nil }
func (NopVisitor) EndKey(k *KeyInfo, n int64, loadedEncoding string) error { return nil }
func (NopVisitor) End(c Checksum) error                                    { return nil }
func (NopVisitor) Other(d *Decoder) error                                  { return nil }

// Walk decodes r with default options and calls v for every record. It
// returns the decoder's error or the first error v returns.
func Walk(r io.Reader, v Visitor) error {
	return WalkDecoder(NewDecoder(r, nil), v)
}

// WalkDecoder is Walk over an existing decoder: one made with options, or
// DecodeDump's.
func WalkDecoder(d *Decoder, v Visitor) error {
	var k KeyInfo
	for d.Next() {
		var err error
		switch d.Kind() {
		case RecAux:
			err = v.Aux(d.Field(), d.Value())
		case RecSelectDB:
			err = v.SelectDB(d.DB())
		case RecResizeDB:
			err = v.ResizeDB(d.ResizeDB())
		case RecFunction:
			err = v.Function(d.Value())
		case RecModuleAux:
			err = v.ModuleAux(d.Module(), d.Value())
		case RecSlotInfo:
			err = v.SlotInfo(d.SlotInfo())
		case RecKeyBegin:
			k = KeyInfo{DB: d.DB(), Key: d.Key(), Type: d.Type(), Kind: d.ValueKind(), Encoding: d.Encoding(),
				Expire: d.Expire(), Idle: d.Idle(), Freq: d.Freq(), Len: d.Len(), Meta: d.KeyMeta()}
			err = v.BeginKey(&k)
		case RecString:
			err = v.String(&k, d.Value())
		case RecListElement:
			err = v.ListElement(&k, d.Value())
		case RecSetMember:
			err = v.SetMember(&k, d.Value())
		case RecHashField:
			err = v.HashField(&k, d.Field(), d.Value(), d.FieldExpire())
		case RecZSetMember:
			err = v.ZSetMember(&k, d.Value(), d.Score())
		case RecStreamEntry:
			err = v.StreamEntry(&k, d.StreamID(), d.EntryDeleted(), d.NumFields())
		case RecStreamField:
			err = v.StreamField(&k, d.Field(), d.Value())
		case RecStreamMeta:
			err = v.StreamMeta(&k, d.StreamMeta())
		case RecStreamGroup:
			err = v.StreamGroup(&k, d.StreamGroup())
		case RecStreamPending:
			err = v.StreamPending(&k, d.StreamPending())
		case RecStreamConsumer:
			err = v.StreamConsumer(&k, d.StreamConsumer())
		case RecStreamConsumerPending:
			err = v.StreamConsumerPending(&k, d.StreamID())
		case RecModule:
			err = v.Module(&k, d.Module(), d.Value())
		case RecKeyEnd:
			err = v.EndKey(&k, d.Len(), d.LoadedEncoding())
		case RecEOF:
			err = v.End(d.Checksum())
		default:
			err = v.Other(d)
		}
		if err != nil {
			return err
		}
	}
	return d.Err()
}
