package rdbconv

import (
	"fmt"

	"github.com/redisctl/redisctl/rdb"
)

// Stats counts what a conversion did.
type Stats struct {
	Keys             int64
	Functions        int64
	DroppedFunctions int64 // functions the target RDB version cannot hold
	DroppedAux       int64
}

// defaultAux are the AUX fields the encoder writes itself.
var defaultAux = map[string]bool{"redis-ver": true, "redis-bits": true, "ctime": true,
	"used-mem": true, "aof-base": true, "aof-preamble": true}

// keyOf builds the encoder's key description from the decoder's RecKeyBegin record.
func keyOf(d *rdb.Decoder) rdb.Key {
	k := rdb.Key{Name: d.Key()}
	if exp := d.Expire(); exp >= 0 {
		k.Expire = exp
		if k.Expire == 0 {
			k.Expire = 1 // 0 means "none" to the encoder; the epoch itself is long expired
		}
	}
	if idle := d.Idle(); idle >= 0 {
		k.Idle, k.HasIdle = idle, true
	}
	if f := d.Freq(); f >= 0 {
		k.Freq, k.HasFreq = uint8(f), true
	}
	return k
}

// Transcode copies every record of d into e (RDB to RDB), then closes e.
func Transcode(d *rdb.Decoder, e *rdb.Encoder) (Stats, error) {
	var st Stats
	curDB, openDB := -1, -1
	for d.Next() {
		switch d.Kind() {
		case rdb.RecAux:
			if !defaultAux[string(d.Field())] {
				if err := e.WriteAux(string(d.Field()), string(d.Value())); err != nil {
					return st, err
				}
			} else {
				st.DroppedAux++
			}
		case rdb.RecFunction:
			if e.Version() < 10 {
				st.DroppedFunctions++
				continue
			}
			if err := e.WriteFunction(d.Value()); err != nil {
				return st, err
			}
			st.Functions++
		case rdb.RecModuleAux:
			m := d.Module()
			if err := e.WriteModuleAux(m.ID, m.When, d.Value()); err != nil {
				return st, err
			}
		case rdb.RecSelectDB:
			curDB = d.DB()
		case rdb.RecResizeDB:
			k, x := d.ResizeDB()
			if err := e.SelectDB(d.DB(), k, x); err != nil {
				return st, err
			}
			openDB = d.DB()
		case rdb.RecKeyBegin:
			if db := d.DB(); db != openDB {
				if err := e.SelectDB(db, 0, 0); err != nil {
					return st, err
				}
				openDB = db
			}
			_ = curDB
			if err := copyKey(d, e); err != nil {
				return st, err
			}
			st.Keys++
		}
	}
	if err := d.Err(); err != nil {
		return st, err
	}
	return st, e.Close()
}

// copyKey copies one key; d is at RecKeyBegin and is left at RecKeyEnd.
func copyKey(d *rdb.Decoder, e *rdb.Encoder) error {
	k := keyOf(d)
	kind := d.ValueKind()
	switch kind {
	case rdb.KindStream, rdb.KindModule:
		k.Name = append([]byte(nil), k.Name...)
		v1 := d.Type() == rdb.TypeStreamListpacks
		v, err := d.ReadValue()
		if err != nil {
			return err
		}
		if v1 && v.Stream != nil {
			upgradeV1Stream(v.Stream)
		}
		return e.WriteValue(&k, v)
	case rdb.KindString:
		k.Name = append([]byte(nil), k.Name...)
		var v rdb.Value
		v.Kind = rdb.KindString
		for d.Next() {
			switch d.Kind() {
			case rdb.RecString:
				v.String = append([]byte(nil), d.Value()...)
			case rdb.RecKeyEnd:
				return e.WriteValue(&k, &v)
			}
		}
		return endErr(d)
	}
	packed := d.Type()
	vw, err := e.BeginValue(&k, kind)
	if err != nil {
		return err
	}
	switch packed {
	case rdb.TypeHashZipmap, rdb.TypeHashZiplist, rdb.TypeHashListpack, rdb.TypeZSetZiplist, rdb.TypeZSetListpack:
		vw.KeepPacked()
	}
	for d.Next() {
		switch d.Kind() {
		case rdb.RecListElement, rdb.RecSetMember:
			err = vw.Add(d.Value())
		case rdb.RecHashField:
			exp := d.FieldExpire()
			if exp < 0 {
				exp = 0
			}
			err = vw.AddField(d.Field(), d.Value(), exp)
		case rdb.RecZSetMember:
			err = vw.AddMember(d.Value(), d.Score())
		case rdb.RecKeyEnd:
			return vw.Close()
		}
		if err != nil {
			vw.Abort()
			return err
		}
	}
	vw.Abort()
	return endErr(d)
}

func endErr(d *rdb.Decoder) error {
	if err := d.Err(); err != nil {
		return err
	}
	return fmt.Errorf("rdbconv: input ended inside key %q", d.Key())
}

// upgradeV1Stream fills in what a stream of the first format (RDB 9) lacks, as Redis 7.0
// computes it when loading one: the first entry's ID, entries added = length, and each
// group's entries_read estimated with streamEstimateDistanceFromFirstEverEntry.
func upgradeV1Stream(s *rdb.Stream) {
	if len(s.Entries) > 0 {
		s.FirstID = s.Entries[0].ID
	}
	s.MaxDeletedID = rdb.StreamID{}
	length := s.Length // Redis trusts the stored length, even against the live entries
	if length == 0 {
		length = uint64(len(s.Entries))
	}
	s.EntriesAdded = length
	for i := range s.Groups {
		g := &s.Groups[i]
		if g.EntriesRead >= 0 {
			continue
		}
		g.EntriesRead = estimateEntriesRead(s, length, g.LastID)
	}
}

func cmpID(a, b rdb.StreamID) int {
	switch {
	case a.Less(b):
		return -1
	case b.Less(a):
		return 1
	}
	return 0
}

// estimateEntriesRead is Redis's streamEstimateDistanceFromFirstEverEntry for a stream
// without tombstone history (max deleted ID 0-0).
func estimateEntriesRead(s *rdb.Stream, length uint64, id rdb.StreamID) int64 {
	added := int64(s.EntriesAdded)
	if added == 0 {
		return 0
	}
	if length == 0 && cmpID(id, s.LastID) < 1 {
		return added
	}
	switch c := cmpID(id, s.LastID); {
	case c == 0:
		return added
	case c > 0:
		return -1
	}
	switch cmpID(id, s.FirstID) {
	case -1:
		return added - int64(length)
	case 0:
		return added - int64(length) + 1
	}
	return -1
}
