package rdbobj_test

import (
	"bytes"
	"encoding/hex"
	"testing"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/rdbobj"
	"github.com/redisctl/redisctl/fixtures"
	"github.com/redisctl/redisctl/rdb"
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
