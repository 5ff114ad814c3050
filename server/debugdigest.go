package server

import (
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
	"strconv"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/thash"
	"github.com/redisctl/redisctl/engine/tlist"
	"github.com/redisctl/redisctl/engine/tset"
	"github.com/redisctl/redisctl/engine/tstream"
	"github.com/redisctl/redisctl/engine/tzset"
)

// DEBUG DIGEST and DEBUG DIGEST-VALUE (debug.c): a SHA1-based digest of the dataset that
// does not depend on the order of keys, set members, hash fields or sorted set members
// (their digests are XORed together), while ordered things (list elements, stream
// entries) are mixed in order.

// digest is the 20-byte state of xorDigest/mixDigest.
type digest [sha1.Size]byte

// xor is xorDigest: the state XORed with SHA1(p).
func (d *digest) xor(p []byte) {
	h := sha1.Sum(p)
	for i := range d {
		d[i] ^= h[i]
	}
}

// mix is mixDigest: xorDigest, then the state replaced by SHA1(state).
func (d *digest) mix(p []byte) {
	d.xor(p)
	*d = sha1.Sum(d[:])
}

func (d *digest) hex() string { return hex.EncodeToString(d[:]) }

// redisTypeNumber is the OBJ_* number Redis hashes for each type.
func redisTypeNumber(t engine.Type) uint32 {
	switch t {
	case engine.TypeString:
		return 0
	case engine.TypeList:
		return 1
	case engine.TypeSet:
		return 2
	case engine.TypeZSet:
		return 3
	case engine.TypeHash:
		return 4
	case engine.TypeStream:
		return 6
	}
	return 5 // OBJ_MODULE: never stored here
}

// xorObjectDigest mixes the value o of a key (with expiry time expire, -1 for none) into
// d as debug.c's xorObjectDigest does.
func xorObjectDigest(d *digest, o *engine.Object, expire int64) {
	var aux [4]byte
	binary.BigEndian.PutUint32(aux[:], redisTypeNumber(o.Type()))
	d.mix(aux[:])
	var buf []byte
	switch o.Type() {
	case engine.TypeString:
		if o.Encoding() == engine.EncInt {
			buf = strconv.AppendInt(buf[:0], o.Int(), 10)
			d.mix(buf)
		} else {
			d.mix(o.Bytes())
		}
	case engine.TypeList:
		tlist.FromObject(o).Each(func(b []byte, n int64, isInt bool) bool {
			if isInt {
				buf = strconv.AppendInt(buf[:0], n, 10)
				b = buf
			}
			d.mix(b)
			return true
		})
	case engine.TypeSet:
		tset.ForEachBytes(o, func(m []byte) bool {
			d.xor(m)
			return true
		})
	case engine.TypeZSet:
		tzset.Ascend(o, func(m []byte, score float64) bool {
			var ele digest
			ele.mix(m)
			buf = engine.FormatFloat17(buf[:0], score)
			ele.mix(buf)
			d.xor(ele[:])
			return true
		})
	case engine.TypeHash:
		thash.Range(o, func(f, v []byte) bool {
			var ele digest
			ele.mix(f)
			ele.mix(v)
			d.xor(ele[:])
			return true
		})
	case engine.TypeStream:
		it := tstream.FromObject(o).Iter(nil, nil, false)
		for {
			id, nf, ok := it.Next()
			if !ok {
				break
			}
			buf = strconv.AppendUint(buf[:0], id.Ms, 10)
			buf = append(buf, '.')
			buf = strconv.AppendUint(buf, id.Seq, 10)
			d.mix(buf)
			for ; nf > 0; nf-- {
				f, v := it.Field()
				buf = f.Append(buf[:0])
				d.mix(buf)
				buf = v.Append(buf[:0])
				d.mix(buf)
			}
		}
	}
	if expire != -1 {
		d.xor([]byte("!!expire!!"))
	}
}

// datasetDigest is computeDatasetDigest: per non-empty database its number is mixed into
// the result, then each key's digest (key mixed, then its value) is XORed into it.
func datasetDigest(e *engine.Engine) digest {
	var final digest
	var kb []byte // the key's bytes, reused
	for j := 0; j < e.NumDBs(); j++ {
		db := e.DB(j)
		if db.Keys().Len() == 0 {
			continue
		}
		var aux [4]byte
		binary.BigEndian.PutUint32(aux[:], uint32(j))
		final.mix(aux[:])
		for ent := range db.Keys().All() {
			var d digest
			kb = append(kb[:0], ent.Key...)
			d.mix(kb)
			xorObjectDigest(&d, &ent.Value, db.ExpireAt(ent.Key))
			final.xor(d[:])
		}
	}
	return final
}

// debugDigest is DEBUG DIGEST.
func debugDigest(x *engine.Ctx) {
	d := datasetDigest(x.E)
	x.W.WriteSimpleString(d.hex())
}

// debugDigestValue is DEBUG DIGEST-VALUE key...: each key's value digest, 40 zeros for a
// missing key. The keys are found as dictFind does: a logically expired key still counts.
func debugDigestValue(x *engine.Ctx) {
	x.ArrayLen(len(x.Args) - 2)
	for _, k := range x.Args[2:] {
		var d digest
		if ent := x.DB.Keys().GetBytes(k); ent != nil {
			xorObjectDigest(&d, &ent.Value, x.DB.ExpireAt(ent.Key))
		}
		x.W.WriteSimpleString(d.hex())
	}
}

// debugEncodingRepr is DEBUG LISTPACK key and DEBUG QUICKLIST key [full]: Redis prints
// the structure on its standard output and answers a status; redisctl prints nothing
// and answers the same.
func debugEncodingRepr(x *engine.Ctx, enc engine.Encoding, what string) {
	o := x.DB.LookupReadNoTouch(x.Args[2])
	if o == nil {
		x.Error(engine.ErrNoSuchKey)
		return
	}
	if o.Encoding() != enc {
		x.Error("ERR Not a " + what + " encoded object.")
		return
	}
	x.W.WriteSimpleString(string(what[0]-'a'+'A') + what[1:] + " structure printed on stdout")
}
