package rdb

// loadedEncoding answers OBJECT ENCODING for the key just finished, as the
// target Redis would after loading it with d.cfg (rdb.c#rdbLoadObject and
// the conversions it calls). It uses the statistics gathered while the
// elements were delivered: count, longest element, all-integers, bytes.
func (d *Decoder) loadedEncoding() string {
	c := &d.cfg
	n := d.emitted
	switch d.typ.ValueKind() {
	case KindString:
		return stringEncoding(d.valueS.bytes())
	case KindList:
		if d.opts.Target >= Redis72 && d.listFitsListpack() {
			return "listpack"
		}
		return "quicklist"
	case KindSet:
		if d.stAllInt && n <= c.SetMaxIntsetEntries {
			return "intset"
		}
		if d.opts.Target >= Redis72 && n <= c.SetMaxListpackEntries && d.stMax <= c.SetMaxListpackValue {
			return "listpack"
		}
		return "hashtable"
	case KindZSet:
		// A ziplist or listpack is kept as loaded unless it has too many
		// entries: element lengths are only checked when Redis builds
		// the listpack itself (checked against Redis 7.0.15).
		packed := d.typ == TypeZSetZiplist || d.typ == TypeZSetListpack
		if n <= c.ZSetMaxListpackEntries && (packed || d.stMax <= c.ZSetMaxListpackValue) {
			return "listpack"
		}
		return "skiplist"
	case KindHash:
		// Same for hash ziplists and listpacks; zipmaps are rebuilt and
		// checked for both.
		packed := d.typ == TypeHashZiplist || d.typ == TypeHashListpack ||
			d.typ == TypeHashListpackEx || d.typ == TypeHashListpackExPre && !d.valkey
		if n <= c.HashMaxListpackEntries && (packed || d.stMax <= c.HashMaxListpackValue) {
			if d.stTTLs && d.opts.Target >= Redis74 || d.typ == TypeHashListpackEx || d.typ == TypeHashMetadata && d.stTTLs {
				return "listpackex"
			}
			return "listpack"
		}
		return "hashtable"
	case KindStream:
		return "stream"
	case KindModule:
		return "raw"
	}
	return ""
}

// listFitsListpack: Redis 7.2+ keeps a list as a listpack when it would be
// a single packed quicklist node within list-max-listpack-size.
func (d *Decoder) listFitsListpack() bool {
	limBytes, limCount := d.cfg.listNodeLimit()
	if d.emitted == 0 {
		return true
	}
	if limCount > 0 {
		return d.emitted <= int64(limCount)
	}
	// Estimate the listpack size: header, per entry encoding + backlen.
	est := 7 + d.stBytes + 3*d.emitted
	if d.typ == TypeListQuicklist2 || d.typ == TypeListQuicklist {
		if d.stNodes != 1 {
			return false
		}
	}
	return est <= int64(limBytes)
}

// stringEncoding is tryObjectEncoding: "int" for a canonical integer of at
// most 20 characters, "embstr" up to 44 bytes, else "raw".
func stringEncoding(v []byte) string {
	if len(v) <= 20 {
		if _, ok := parseCanonicalInt(v); ok {
			return "int"
		}
	}
	if len(v) <= 44 {
		return "embstr"
	}
	return "raw"
}
