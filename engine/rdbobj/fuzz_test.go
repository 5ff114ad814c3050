package rdbobj_test

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/engine/rdbobj"
	"github.com/redisctl/redisctl/engine/tstream"
	"github.com/redisctl/redisctl/fixtures"
	"github.com/redisctl/redisctl/rdb"
	"github.com/redisctl/redisctl/rdb/crc64"
)

// FuzzDecodeValue: any bytes after any type byte either build a value or fail with
// ErrBadFormat/ErrEmptyKey, never panic; a value that builds saves and decodes again to
// the same DUMP payload.
func FuzzDecodeValue(f *testing.F) {
	if m, err := fixtures.Load(); err == nil {
		if pls, err := fixtures.LoadDumpPayloads(m); err == nil {
			for _, pl := range pls {
				if raw, err := hex.DecodeString(pl.PayloadHex); err == nil && len(raw) < 2048 {
					f.Add(raw[0], raw[1:len(raw)-10], false)
				}
			}
		}
	}
	f.Add(byte(rdb.TypeListQuicklist2), []byte{1, 1, 1, 'x'}, true)
	f.Add(byte(rdb.TypeSet), []byte{2, 1, 'a', 0xc0, 1}, false)
	f.Add(byte(rdb.TypeZSet), []byte{1, 1, 'a', 3, '1', 'e', '5'}, true)
	set := engine.DefaultSettings()
	lc := &rdbobj.LoadConfig{Set: &set, MaxIntset: 512}
	f.Fuzz(func(t *testing.T, typ byte, body []byte, deep bool) {
		lc.Deep = deep
		o, _, err := rdbobj.DecodeValue(rdb.Type(typ), body, lc)
		if err != nil {
			return
		}
		s := rdbobj.NewSaver(true)
		p1, err := s.Dump(&o)
		if err != nil {
			t.Fatalf("saving a loaded value: %v", err)
		}
		o2, err := rdbobj.RestorePayload(p1, lc, false)
		if err != nil {
			t.Fatalf("our own payload does not restore: %v (%x)", err, p1)
		}
		p2, err := s.Dump(&o2)
		if err != nil {
			t.Fatal(err)
		}
		if !orderFree(p1) && !bytes.Equal(p1, p2) {
			t.Fatalf("DUMP → RESTORE → DUMP changed the payload:\n%x\n%x", p1, p2)
		}
	})
}

// FuzzStreamLoad: any bytes as a stream value of type 15, 19 or 21 either build a stream or
// fail with ErrBadFormat, never panic nor allocate from a count; a stream that builds can
// be read entirely (entries, groups, PELs), saves, and restores to the same payload.
func FuzzStreamLoad(f *testing.F) {
	if m, err := fixtures.Load(); err == nil {
		if pls, err := fixtures.LoadDumpPayloads(m); err == nil {
			for _, pl := range pls {
				if raw, err := hex.DecodeString(pl.PayloadHex); err == nil && len(raw) < 4096 && raw[0] == byte(rdb.TypeStreamListpacks2) {
					body := raw[1 : len(raw)-10]
					f.Add(byte(rdb.TypeStreamListpacks2), body)
					if p, err := rdbobj.ConvertStreamPayload(raw, 15); err == nil {
						f.Add(byte(rdb.TypeStreamListpacks), p[1:len(p)-10])
					}
					if p, err := rdbobj.ConvertStreamPayload(raw, 21); err == nil {
						f.Add(byte(rdb.TypeStreamListpacks3), p[1:len(p)-10])
					}
				}
			}
		}
	}
	f.Add(byte(rdb.TypeStreamListpacks2), []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Add(byte(rdb.TypeStreamListpacks2), []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 'g', 0, 0, 0x81, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0})
	f.Add(byte(rdb.TypeStreamListpacks), []byte{0, 0, 0, 0, 0x80, 0xff, 0xff, 0xff, 0xff})
	set := engine.DefaultSettings()
	lc := &rdbobj.LoadConfig{Set: &set, MaxIntset: 512, AllowTypes: true}
	f.Fuzz(func(t *testing.T, typ byte, body []byte) {
		switch rdb.Type(typ) {
		case rdb.TypeStreamListpacks, rdb.TypeStreamListpacks2, rdb.TypeStreamListpacks3:
		default:
			typ = byte(rdb.TypeStreamListpacks2)
		}
		o, _, err := rdbobj.DecodeValue(rdb.Type(typ), body, lc)
		if err != nil {
			if !errors.Is(err, rdbobj.ErrBadFormat) {
				t.Fatalf("error outside ErrBadFormat: %v", err)
			}
			return
		}
		s := tstream.FromObject(&o)
		it := s.Iter(nil, nil, false)
		for {
			_, nf, ok := it.Next()
			if !ok {
				break
			}
			for ; nf > 0; nf-- {
				it.Field()
			}
		}
		for _, g := range s.Groups() {
			g.EachPending(func(_ tstream.ID, n *tstream.NACK) bool {
				if n.Consumer == nil {
					t.Fatalf("group %q: a PEL entry without consumer was accepted", g.Name)
				}
				return true
			})
		}
		sv := rdbobj.NewSaver(true)
		p1, err := sv.Dump(&o)
		if err != nil {
			t.Fatalf("saving a loaded stream: %v", err)
		}
		o2, err := rdbobj.RestorePayload(p1, lc, false)
		if err != nil {
			t.Fatalf("our own payload does not restore: %v (%x)", err, p1)
		}
		p2, err := sv.Dump(&o2)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(p1, p2) {
			t.Fatalf("DUMP → RESTORE → DUMP changed the payload:\n%x\n%x", p1, p2)
		}
	})
}

// FuzzLoadStreamRDB: a stream value of any bytes inside an RDB file (checksum disabled)
// goes through the decoder's records into LoadInto and Load: never a panic; a stream that
// loads has every PEL entry owned and saves again.
func FuzzLoadStreamRDB(f *testing.F) {
	if m, err := fixtures.Load(); err == nil {
		if pls, err := fixtures.LoadDumpPayloads(m); err == nil {
			for _, pl := range pls {
				if raw, err := hex.DecodeString(pl.PayloadHex); err == nil && len(raw) < 4096 && raw[0] == byte(rdb.TypeStreamListpacks2) {
					f.Add(raw[0], raw[1:len(raw)-10])
					if p, err := rdbobj.ConvertStreamPayload(raw, 21); err == nil {
						f.Add(p[0], p[1:len(p)-10])
					}
				}
			}
		}
	}
	f.Add(byte(rdb.TypeStreamListpacks), []byte{0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, typ byte, body []byte) {
		switch rdb.Type(typ) {
		case rdb.TypeStreamListpacks, rdb.TypeStreamListpacks2, rdb.TypeStreamListpacks3:
		default:
			typ = byte(rdb.TypeStreamListpacks2)
		}
		file := append([]byte("REDIS0011"), 0xFE, 0, typ, 1, 'k')
		file = append(file, body...)
		file = append(file, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0)
		for _, mode := range []string{"Load", "LoadInto"} {
			set := engine.DefaultSettings()
			eng := engine.New(set, engine.NewTable())
			var err error
			if mode == "Load" {
				_, err = rdbobj.Load(eng, bytes.NewReader(file), nil, nil)
			} else {
				_, err = rdbobj.LoadInto(eng, rdb.NewDecoder(bytes.NewReader(file), &rdb.Options{AllowEmptyKeys: true}), nil)
			}
			if err != nil {
				continue
			}
			e := eng.DB(0).Keys().Get("k")
			if e == nil {
				continue
			}
			s := tstream.FromObject(&e.Value)
			for _, g := range s.Groups() {
				g.EachPending(func(_ tstream.ID, n *tstream.NACK) bool {
					if n.Consumer == nil {
						t.Fatalf("%s: group %q: a PEL entry without consumer was accepted", mode, g.Name)
					}
					return true
				})
			}
			if _, err := rdbobj.NewSaver(true).Dump(&e.Value); err != nil {
				t.Fatalf("%s: saving a loaded stream: %v", mode, err)
			}
		}
	})
}

// FuzzRestoredStreamCommands: a stream payload RESTORE accepts, however odd its metadata
// (last ID below its entries, lengths that lie, groups ahead of the stream), never makes a
// later stream command panic: reads, XADD, XDEL, XTRIM, XSETID, group reads and claims,
// DUMP and COPY.
func FuzzRestoredStreamCommands(f *testing.F) {
	if m, err := fixtures.Load(); err == nil {
		if pls, err := fixtures.LoadDumpPayloads(m); err == nil {
			for _, pl := range pls {
				if raw, err := hex.DecodeString(pl.PayloadHex); err == nil && len(raw) < 4096 && raw[0] == byte(rdb.TypeStreamListpacks2) {
					f.Add(raw[1 : len(raw)-10])
				}
			}
		}
	}
	cmds := [][]string{
		{"XRANGE", "s", "-", "+"}, {"XREVRANGE", "s", "+", "-"}, {"XINFO", "STREAM", "s", "FULL"}, {"XINFO", "STREAM", "s"},
		{"XINFO", "GROUPS", "s"}, {"MEMORY", "USAGE", "s"}, {"XLEN", "s"},
		{"XPENDING", "s", "g"}, {"XPENDING", "s", "g", "-", "+", "10"},
		{"XAUTOCLAIM", "s", "g", "c", "0", "0"}, {"XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"},
		{"XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "0"},
		{"XADD", "s", "*", "a", "b"}, {"XADD", "s", "MAXLEN", "2", "*", "a", "b"}, {"XDEL", "s", "0-1", "1-1"},
		{"XTRIM", "s", "MINID", "5"}, {"XSETID", "s", "99999999999999-0"}, {"DUMP", "s"},
		{"XINFO", "STREAM", "s", "FULL"}, {"XRANGE", "s", "-", "+"}, {"COPY", "s", "s2", "REPLACE"},
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		h := enginetest.New(t, families()...)
		p := append([]byte{byte(rdb.TypeStreamListpacks2)}, body...)
		p = append(p, rdbobj.RDBVersion, 0)
		p = binary.LittleEndian.AppendUint64(p, crc64.Update(0, p))
		if v := h.Do("RESTORE", "s", "0", string(p), "REPLACE"); v.String() != "OK" {
			return
		}
		for _, c := range cmds {
			h.Do(c...)
		}
	})
}
