package analyze

import "github.com/redisctl/redisctl/rdb"

// CheckRep is what Check read.
type CheckRep struct {
	Magic     string `json:"magic"`
	Version   int    `json:"rdb_version"`
	Keys      int64  `json:"keys"`
	DBs       int    `json:"dbs"`
	Aux       int    `json:"aux_fields"`
	Functions int    `json:"functions"`
	Bytes     int64  `json:"bytes_read"`
	Checksum  string `json:"checksum"`
}

// Check walks every record of d (which should be created with Options.Deep) and calls
// onKey for each complete key. It returns what it read and the decoder's error, if any:
// everything read before the damage is reported.
func Check(d *rdb.Decoder, onKey func(KeyStat)) (*CheckRep, error) {
	r := &CheckRep{Checksum: "not reached"}
	dbs := map[int]bool{}
	var cur KeyStat
	var start int64
	for d.Next() {
		switch d.Kind() {
		case rdb.RecAux:
			r.Aux++
		case rdb.RecFunction:
			r.Functions++
		case rdb.RecKeyBegin:
			start = d.Offset()
			cur = KeyStat{DB: d.DB(), Key: append(cur.Key[:0], d.Key()...), Type: d.ValueKind().String(),
				Encoding: d.Encoding(), ExpireMs: d.Expire()}
		case rdb.RecKeyEnd:
			r.Keys++
			dbs[cur.DB] = true
			cur.Bytes = d.Offset() - start
			cur.Elements = d.Len()
			if onKey != nil {
				k := cur
				k.Key = append(Bytes(nil), cur.Key...)
				onKey(k)
			}
		case rdb.RecEOF:
			r.Checksum = d.Checksum().Status.String()
		}
	}
	r.Version = d.Version()
	r.Magic = magicOf(r.Version, d.Valkey())
	r.DBs = len(dbs)
	r.Bytes = d.InputOffset()
	return r, d.Err()
}
