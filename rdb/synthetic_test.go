package rdb

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/redisctl/redisctl/rdb/crc64"
	"github.com/redisctl/redisctl/rdb/listpack"
)

// rdbFile assembles magic + body + EOF + CRC.
func rdbFile(magic string, body ...[]byte) []byte {
	out := []byte(magic)
	for _, b := range body {
		out = append(out, b...)
	}
	out = append(out, byte(OpEOF))
	return binary.LittleEndian.AppendUint64(out, crc64.Update(0, out))
}

func rawStr(s string) []byte { return AppendRawString(nil, []byte(s)) }

func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func records(t *testing.T, data []byte, opts *Options) ([]string, *Decoder) {
	d := NewDecoder(bytes.NewReader(data), opts)
	var out []string
	for d.Next() {
		out = append(out, d.Kind().String())
	}
	return out, d
}

func TestOpcodes(t *testing.T) {
	key := cat([]byte{byte(TypeString)}, rawStr("k"), rawStr("v"))
	data := rdbFile("REDIS0012",
		cat([]byte{byte(OpAux)}, rawStr("a"), rawStr("b")),
		cat([]byte{byte(OpFunction2)}, rawStr("#!lua name=x")),
		cat([]byte{byte(OpFunctionPreGA)}, rawStr("f"), rawStr("LUA"), []byte{1}, rawStr("desc"), rawStr("code")),
		[]byte{byte(OpSelectDB), 3, byte(OpResizeDB), 1, 1},
		[]byte{byte(OpSlotInfo), 0x40, 0x10, 1, 1},
		cat([]byte{byte(OpExpireTime)}, binary.LittleEndian.AppendUint32(nil, 1700000000)),
		[]byte{byte(OpIdle), 0x40, 0x80, byte(OpFreq), 7},
		key,
		cat([]byte{byte(OpExpireTimeMs)}, binary.LittleEndian.AppendUint64(nil, 1700000000123)),
		key,
	)
	recs, d := records(t, data, nil)
	require.NoError(t, d.Err())
	require.Equal(t, []string{"aux", "function", "function-pre-ga", "select-db", "resize-db", "slot-info",
		"key-begin", "string", "key-end", "key-begin", "string", "key-end", "eof"}, recs)

	d = NewDecoder(bytes.NewReader(data), nil)
	var seen int
	for d.Next() {
		switch d.Kind() {
		case RecFunctionPreGA:
			require.Equal(t, "f", string(d.Field()))
			require.Equal(t, "code", string(d.Value()))
		case RecSlotInfo:
			s, k, e := d.SlotInfo()
			require.Equal(t, [3]uint64{16, 1, 1}, [3]uint64{s, k, e})
		case RecKeyBegin:
			require.Equal(t, 3, d.DB())
			if seen == 0 {
				require.Equal(t, int64(1700000000000), d.Expire())
				require.Equal(t, int64(128), d.Idle())
				require.Equal(t, 7, d.Freq())
			} else {
				require.Equal(t, int64(1700000000123), d.Expire())
				require.Equal(t, int64(-1), d.Idle())
				require.Equal(t, -1, d.Freq())
			}
			seen++
		}
	}
	require.NoError(t, d.Err())
}

func TestKeyMeta(t *testing.T) {
	// KEY_META: one class: 4-byte spec, module opcodes (UINT 5, STRING "x"), EOF.
	meta := cat([]byte{byte(OpKeyMeta), 1}, []byte{1, 2, 3, 4}, []byte{moduleOpUInt, 5, moduleOpString}, rawStr("x"), []byte{moduleOpEOF})
	data := rdbFile("REDIS0013", meta, cat([]byte{byte(TypeString)}, rawStr("k"), rawStr("v")))
	d := NewDecoder(bytes.NewReader(data), nil)
	var got []byte
	for d.Next() {
		if d.Kind() == RecKeyBegin {
			got = bytes.Clone(d.KeyMeta())
		}
	}
	require.NoError(t, d.Err())
	require.Equal(t, meta[1:], got)

	_, d = records(t, rdbFile("VALKEY080", meta), nil)
	require.ErrorIs(t, d.Err(), ErrUnsupported)
}

func TestUnsupportedTypes(t *testing.T) {
	for name, c := range map[string]struct {
		magic string
		typ   byte
		want  error
	}{
		"module-6":      {"REDIS0008", byte(TypeModulePreGA), ErrUnsupported},
		"type-8":        {"REDIS0009", 8, ErrUnsupported},
		"type-27":       {"REDIS0013", 27, ErrUnsupported},
		"valkey-23":     {"VALKEY081", 23, ErrUnsupported},
		"valkey-update": {"VALKEY081", 242, ErrUnsupported},
	} {
		t.Run(name, func(t *testing.T) {
			_, d := records(t, rdbFile(c.magic, cat([]byte{c.typ}, rawStr("k"), rawStr("v"))), nil)
			require.ErrorIs(t, d.Err(), c.want)
		})
	}
	for _, magic := range []string{"REDIS0014", "REDIS0000", "VALKEY079", "VALKEY082", "RUBIS0009", "REDIS00x9"} {
		_, d := records(t, rdbFile(magic), nil)
		require.ErrorIs(t, d.Err(), ErrVersion, magic)
	}
}

func TestHashFieldExpiryTypes(t *testing.T) {
	lp := listpack.New()
	for _, s := range []string{"f1", "v1"} {
		lp = listpack.Append(lp, []byte(s))
	}
	lp = listpack.AppendInt(lp, 1800000000000)
	lp = listpack.Append(lp, []byte("f2"))
	lp = listpack.Append(lp, []byte("v2"))
	lp = listpack.AppendInt(lp, 0)
	cases := map[string]struct {
		magic string
		body  []byte
	}{
		// 22 pre-GA: n x (absolute ttl, field, value).
		"22-pre-ga": {"REDIS0012", cat([]byte{22}, rawStr("h"), []byte{2}, AppendLen(nil, 1800000000000), rawStr("f1"), rawStr("v1"), []byte{0}, rawStr("f2"), rawStr("v2"))},
		// 24: minExpire, n x (relative ttl, field, value).
		"24": {"REDIS0012", cat([]byte{24}, rawStr("h"), binary.LittleEndian.AppendUint64(nil, 1800000000000), []byte{2}, []byte{1}, rawStr("f1"), rawStr("v1"), []byte{0}, rawStr("f2"), rawStr("v2"))},
		// 23 pre-GA: listpack triples without minExpire.
		"23-pre-ga": {"REDIS0012", cat([]byte{23}, rawStr("h"), AppendRawString(nil, lp))},
		// 25: minExpire + listpack triples.
		"25": {"REDIS0012", cat([]byte{25}, rawStr("h"), binary.LittleEndian.AppendUint64(nil, 1800000000000), AppendRawString(nil, lp))},
		// Valkey 22: n x (field, value, absolute expiry or -1).
		"valkey-22": {"VALKEY080", cat([]byte{22}, rawStr("h"), []byte{2}, rawStr("f1"), rawStr("v1"), binary.LittleEndian.AppendUint64(nil, 1800000000000), rawStr("f2"), rawStr("v2"), binary.LittleEndian.AppendUint64(nil, ^uint64(0)))},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			m, err := readModel(rdbFile(c.magic, c.body), &Options{Deep: true})
			require.NoError(t, err)
			require.Len(t, m.Keys, 1)
			require.Equal(t, []HashField{
				{Field: []byte("f1"), Value: []byte("v1"), Expire: 1800000000000},
				{Field: []byte("f2"), Value: []byte("v2")},
			}, m.Keys[0].Value.Hash)
		})
	}
}

func TestStreamV4(t *testing.T) {
	s := &Stream{Entries: []StreamEntry{{ID: StreamID{5, 1}, Fields: [][]byte{[]byte("f"), []byte("v")}}}, LastID: StreamID{5, 1}, FirstID: StreamID{5, 1}, EntriesAdded: 1}
	e := newValueEncoder(12, DefaultConfig())
	typ, payload, err := e.appendStream(nil, s)
	require.NoError(t, err)
	require.Equal(t, TypeStreamListpacks3, typ)
	// v4 appends the idempotency metadata: duration, max entries, one
	// producer with one iid, then iids added and duplicates.
	payload = cat(payload, []byte{60, 10, 1}, rawStr("prod"), []byte{1}, rawStr("iid-1"), []byte{5, 1}, []byte{7, 2})
	p := EncodeDumpRaw(TypeStreamListpacks4, payload, 13)
	d, err := DecodeDump(p, &Options{Deep: true})
	require.NoError(t, err)
	var kinds []string
	var idmp StreamIDMP
	for d.Next() {
		kinds = append(kinds, d.Kind().String())
		switch d.Kind() {
		case RecStreamIID:
			require.Equal(t, "iid-1", string(d.Field()))
			require.Equal(t, StreamID{5, 1}, d.StreamID())
		case RecStreamProducer:
			require.Equal(t, "prod", string(d.Field()))
			require.Equal(t, int64(1), d.Len())
		case RecStreamIDMP:
			idmp = d.StreamIDMP()
		}
	}
	require.NoError(t, d.Err())
	require.Equal(t, StreamIDMP{Duration: 60, MaxEntries: 10, Producers: 1, IIDsAdded: 7, IIDsDuplicates: 2}, idmp)
	require.Equal(t, []string{"key-begin", "stream-node", "stream-entry", "stream-field", "stream-meta", "stream-producer", "stream-iid", "stream-idmp", "key-end"}, kinds)
}

func TestErrorMessage(t *testing.T) {
	e := &Error{Offset: 1234, DB: 0, Key: []byte("foo"), Doing: "reading ziplist entry", Err: errors.New("boom")}
	require.Equal(t, `rdb: offset 1234 db 0 key "foo": reading ziplist entry: boom`, e.Error())
	// A damaged ziplist inside a real file names all of it.
	data := rdbFile("REDIS0009", cat([]byte{byte(TypeListZiplist)}, rawStr("foo"), AppendRawString(nil, []byte{13, 0, 0, 0, 10, 0, 0, 0, 1, 0, 0, 0x80, 0xff})))
	_, d := records(t, data, nil)
	var de *Error
	require.True(t, errors.As(d.Err(), &de))
	require.Equal(t, "foo", string(de.Key))
	require.Equal(t, 0, de.DB)
	require.ErrorIs(t, d.Err(), ErrCorrupt)
	require.Contains(t, d.Err().Error(), `rdb: offset 14 db 0 key "foo": reading ziplist entry: corrupt data: ziplist: corrupt: offset 11:`)
}
