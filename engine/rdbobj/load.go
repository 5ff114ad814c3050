package rdbobj

import (
	"fmt"
	"math"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/thash"
	"github.com/redisctl/redisctl/engine/tlist"
	"github.com/redisctl/redisctl/engine/tset"
	"github.com/redisctl/redisctl/engine/tstring"
	"github.com/redisctl/redisctl/engine/tzset"
	"github.com/redisctl/redisctl/rdb"
	"github.com/redisctl/redisctl/rdb/intset"
	"github.com/redisctl/redisctl/rdb/listpack"
	"github.com/redisctl/redisctl/rdb/ziplist"
	"github.com/redisctl/redisctl/rdb/zipmap"
)

// LoadConfig is what building a value depends on: the encoding thresholds, the intset
// limit and whether sanitize-dump-payload asks for deep checks.
type LoadConfig struct {
	Set        *engine.Settings
	MaxIntset  int
	Deep       bool
	AllowTypes bool // accept RDB 11 listpack sets (type 20), converting them for 7.0
}

// ConfigFor returns the LoadConfig of an engine's current settings.
func ConfigFor(eng *engine.Engine, deep bool) *LoadConfig {
	return &LoadConfig{Set: &eng.Set, MaxIntset: tset.MaxIntsetEntries(eng), Deep: deep}
}

// DecodeValue builds an engine Object from a serialized value of type t (the bytes after
// the type byte), as Redis 7.0's rdbLoadObject does. It returns the object and the number
// of bytes consumed; trailing bytes are not examined, as RESTORE ignores them. Nothing of
// b is kept by the object.
func DecodeValue(t rdb.Type, b []byte, lc *LoadConfig) (engine.Object, int, error) {
	r := &reader{b: b}
	o, err := loadValue(t, r, lc)
	return o, r.off, err
}

// capCount bounds a declared element count by what the input can still hold (every
// element takes at least one byte), so a lying length never presizes a huge table.
func (r *reader) capCount(n uint64) int {
	left := uint64(len(r.b) - r.off)
	if n > left {
		n = left
	}
	return int(n)
}

// stable returns a string read by str that stays valid: integers formatted into the
// reader's scratch are copied.
func (r *reader) stable(s []byte) []byte {
	if len(s) > 0 && len(s) <= len(r.num) && &s[0] == &r.num[0] {
		return append([]byte(nil), s...)
	}
	return s
}

func loadValue(t rdb.Type, r *reader, lc *LoadConfig) (engine.Object, error) {
	set := lc.Set
	switch t {
	case rdb.TypeString:
		v := r.str()
		if r.err != nil {
			return engine.Object{}, r.err
		}
		return tstring.New(v), nil

	case rdb.TypeList:
		n := r.plainLen()
		if r.err != nil {
			return engine.Object{}, r.err
		}
		if n == 0 {
			return engine.Object{}, ErrEmptyKey
		}
		elems := make([][]byte, 0, r.capCount(n))
		for ; n > 0; n-- {
			e := r.stable(r.str())
			if r.err != nil {
				return engine.Object{}, r.err
			}
			elems = append(elems, e)
		}
		return tlist.NewObject(tlist.FromElements(set, elems)), nil

	case rdb.TypeSet:
		n := r.plainLen()
		if r.err != nil {
			return engine.Object{}, r.err
		}
		if n == 0 {
			return engine.Object{}, ErrEmptyKey
		}
		b := tset.NewBuilder(r.capCount(n), lc.MaxIntset)
		for ; n > 0; n-- {
			m := r.str()
			if r.err != nil {
				return engine.Object{}, r.err
			}
			if !b.Add(m) {
				return engine.Object{}, fmt.Errorf("%w: Duplicate set members detected", ErrBadFormat)
			}
		}
		return b.Object(), nil

	case rdb.TypeZSet, rdb.TypeZSet2:
		n := r.plainLen()
		if r.err != nil {
			return engine.Object{}, r.err
		}
		if n == 0 {
			return engine.Object{}, ErrEmptyKey
		}
		pairs := make([]tzset.Pair, 0, r.capCount(n))
		for ; n > 0; n-- {
			m := r.stable(r.str())
			var score float64
			if t == rdb.TypeZSet2 {
				score = r.binDouble()
			} else {
				score = r.textDouble()
			}
			if r.err != nil {
				return engine.Object{}, r.err
			}
			if math.IsNaN(score) {
				return engine.Object{}, fmt.Errorf("%w: Zset with NAN score detected", ErrBadFormat)
			}
			pairs = append(pairs, tzset.Pair{Member: m, Score: score})
		}
		o, err := tzset.FromPairs(set, pairs)
		if err != nil {
			return engine.Object{}, fmt.Errorf("%w: %w", ErrBadFormat, err)
		}
		return o, nil

	case rdb.TypeHash:
		n := r.plainLen()
		if r.err != nil {
			return engine.Object{}, r.err
		}
		if n == 0 {
			return engine.Object{}, ErrEmptyKey
		}
		b := thash.NewBuilder(set, r.capCount(n))
		for ; n > 0; n-- {
			f := r.stable(r.str())
			v := r.str()
			if r.err != nil {
				return engine.Object{}, r.err
			}
			if err := b.Add(f, v); err != nil {
				return engine.Object{}, fmt.Errorf("%w: %w", ErrBadFormat, err)
			}
		}
		return b.Object(), nil

	case rdb.TypeListQuicklist, rdb.TypeListQuicklist2:
		n := r.plainLen()
		if r.err != nil {
			return engine.Object{}, r.err
		}
		if n == 0 {
			return engine.Object{}, ErrEmptyKey
		}
		nodes := make([]tlist.NodeData, 0, r.capCount(n))
		for ; n > 0; n-- {
			container := uint64(containerPacked)
			if t == rdb.TypeListQuicklist2 {
				container = r.plainLen()
				if r.err == nil && container != containerPlain && container != containerPacked {
					r.fail("Quicklist integrity check failed.")
				}
			}
			data := r.str()
			if r.err != nil {
				return engine.Object{}, r.err
			}
			if len(data) == 0 {
				return engine.Object{}, fmt.Errorf("%w: empty quicklist node", ErrBadFormat)
			}
			nd, err := quicklistNode(t, container, data, r.fresh)
			if err != nil {
				return engine.Object{}, err
			}
			if nd.Data != nil {
				nodes = append(nodes, nd)
			}
		}
		if len(nodes) == 0 {
			return engine.Object{}, ErrEmptyKey
		}
		return tlist.NewObject(tlist.FromNodes(set, nodes)), nil
	}

	// The remaining types hold one container blob.
	switch t {
	case rdb.TypeHashZipmap, rdb.TypeListZiplist, rdb.TypeSetIntset, rdb.TypeZSetZiplist,
		rdb.TypeHashZiplist, rdb.TypeHashListpack, rdb.TypeZSetListpack:
	case rdb.TypeSetListpack:
		if !lc.AllowTypes {
			return engine.Object{}, fmt.Errorf("%w: type %d is not an RDB 10 type", ErrBadFormat, t)
		}
	case rdb.TypeStreamListpacks, rdb.TypeStreamListpacks2:
		return loadStream(t, r)
	case rdb.TypeStreamListpacks3:
		if !lc.AllowTypes {
			return engine.Object{}, fmt.Errorf("%w: type %d is not an RDB 10 type", ErrBadFormat, t)
		}
		return loadStream(t, r)
	case rdb.TypeModule2, rdb.TypeModulePreGA:
		return engine.Object{}, fmt.Errorf("%w: %v", ErrUnsupported, t)
	default:
		return engine.Object{}, fmt.Errorf("%w: unknown type %d", ErrBadFormat, t)
	}
	blob := r.str()
	if r.err != nil {
		return engine.Object{}, r.err
	}
	return loadBlob(t, blob, lc)
}

// quicklistNode turns one quicklist node into what tlist.FromNodes takes: a copy of a
// PLAIN element, a validated copy of a quicklist 2 listpack, or a quicklist 1 ziplist
// converted to a listpack. Data is nil for a node with no elements (skipped, as Redis).
// With owned, data is the caller's freshly decompressed copy and is kept as it is.
func quicklistNode(t rdb.Type, container uint64, data []byte, owned bool) (tlist.NodeData, error) {
	keep := func() []byte {
		if owned {
			return data
		}
		return append([]byte(nil), data...)
	}
	if container == containerPlain {
		return tlist.NodeData{Data: keep(), Plain: true}, nil
	}
	if t == rdb.TypeListQuicklist2 {
		n, err := listpack.Validate(data)
		if err != nil {
			return tlist.NodeData{}, fmt.Errorf("%w: Listpack integrity check failed: %w", ErrBadFormat, err)
		}
		if n == 0 {
			return tlist.NodeData{}, nil
		}
		return tlist.NodeData{Data: keep()}, nil
	}
	lp, n, err := ziplistToListpack(data, false)
	if err != nil {
		return tlist.NodeData{}, err
	}
	if n == 0 {
		return tlist.NodeData{}, nil
	}
	return tlist.NodeData{Data: lp}, nil
}

// loadBlob builds a value held in one container blob (zipmap, ziplist, intset, listpack).
func loadBlob(t rdb.Type, blob []byte, lc *LoadConfig) (engine.Object, error) {
	set := lc.Set
	switch t {
	case rdb.TypeSetIntset:
		if lc.Deep {
			if _, err := intset.Validate(blob); err != nil {
				return engine.Object{}, fmt.Errorf("%w: Intset integrity check failed: %w", ErrBadFormat, err)
			}
		} else if !intsetHeaderOK(blob) {
			return engine.Object{}, fmt.Errorf("%w: Intset integrity check failed", ErrBadFormat)
		}
		if intset.Len(blob) == 0 {
			return engine.Object{}, ErrEmptyKey
		}
		o, err := tset.FromIntset(blob, lc.MaxIntset)
		if err != nil {
			return engine.Object{}, fmt.Errorf("%w: %w", ErrBadFormat, err)
		}
		return o, nil

	case rdb.TypeHashListpack:
		n, err := listpack.Validate(blob)
		if err != nil {
			return engine.Object{}, fmt.Errorf("%w: Hash listpack integrity check failed: %w", ErrBadFormat, err)
		}
		if n == 0 {
			return engine.Object{}, ErrEmptyKey
		}
		o, err := thash.FromListpack(set, append([]byte(nil), blob...), lc.Deep)
		if err != nil {
			return engine.Object{}, fmt.Errorf("%w: %w", ErrBadFormat, err)
		}
		return o, nil

	case rdb.TypeZSetListpack:
		n, err := listpack.Validate(blob)
		if err != nil {
			return engine.Object{}, fmt.Errorf("%w: Zset listpack integrity check failed: %w", ErrBadFormat, err)
		}
		if n == 0 {
			return engine.Object{}, ErrEmptyKey
		}
		o, err := tzset.FromListpack(set, append([]byte(nil), blob...))
		if err != nil {
			return engine.Object{}, fmt.Errorf("%w: %w", ErrBadFormat, err)
		}
		return o, nil

	case rdb.TypeListZiplist:
		if _, err := ziplist.Validate(blob); err != nil {
			return engine.Object{}, fmt.Errorf("%w: List ziplist integrity check failed: %w", ErrBadFormat, err)
		}
		var elems [][]byte
		it, err := ziplist.NewIter(blob)
		if err != nil {
			return engine.Object{}, fmt.Errorf("%w: %w", ErrBadFormat, err)
		}
		for it.Next() {
			s, v, isInt := it.Value()
			if isInt {
				s = formatInt(v)
			}
			elems = append(elems, s)
		}
		if err := it.Err(); err != nil {
			return engine.Object{}, fmt.Errorf("%w: %w", ErrBadFormat, err)
		}
		if len(elems) == 0 {
			return engine.Object{}, ErrEmptyKey
		}
		return tlist.NewObject(tlist.FromElements(set, elems)), nil

	case rdb.TypeZSetZiplist, rdb.TypeHashZiplist:
		lp, n, err := ziplistToListpack(blob, true)
		if err != nil {
			return engine.Object{}, err
		}
		if n == 0 {
			return engine.Object{}, ErrEmptyKey
		}
		var o engine.Object
		if t == rdb.TypeHashZiplist {
			o, err = thash.FromListpack(set, lp, false)
		} else {
			o, err = tzset.FromListpack(set, lp)
		}
		if err != nil {
			return engine.Object{}, fmt.Errorf("%w: %w", ErrBadFormat, err)
		}
		return o, nil

	case rdb.TypeHashZipmap:
		return zipmapToHash(blob, set)

	case rdb.TypeSetListpack:
		return listpackSet(blob, lc)
	}
	return engine.Object{}, fmt.Errorf("%w: unknown type %d", ErrBadFormat, t)
}

// intsetHeaderOK is intsetValidateIntegrity without deep: a known encoding and a length
// that matches the blob's size.
func intsetHeaderOK(is []byte) bool {
	if len(is) < 8 {
		return false
	}
	enc := uint64(is[0]) | uint64(is[1])<<8 | uint64(is[2])<<16 | uint64(is[3])<<24
	n := uint64(is[4]) | uint64(is[5])<<8 | uint64(is[6])<<16 | uint64(is[7])<<24
	if enc != 2 && enc != 4 && enc != 8 {
		return false
	}
	return 8+n*enc == uint64(len(is))
}

func formatInt(v int64) []byte {
	var b [20]byte
	return append([]byte(nil), fmtInt(b[:0], v)...)
}

// ziplistToListpack converts a ziplist to a listpack entry by entry, validating it deeply
// (ziplistValidateIntegrity with a conversion callback). With pairs, the entry count must
// be even and the keys (entries 0, 2, 4…) unique, as ziplistPairsConvertAndValidateIntegrity
// requires. It returns the listpack and its entry count.
func ziplistToListpack(zl []byte, pairs bool) ([]byte, int, error) {
	if _, err := ziplist.Validate(zl); err != nil {
		return nil, 0, fmt.Errorf("%w: ziplist integrity check failed: %w", ErrBadFormat, err)
	}
	it, err := ziplist.NewIter(zl)
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %w", ErrBadFormat, err)
	}
	lp := listpack.New()
	var seen map[string]struct{}
	if pairs {
		seen = map[string]struct{}{}
	}
	n := 0
	var nb [20]byte
	for it.Next() {
		s, v, isInt := it.Value()
		if isInt {
			lp = listpack.AppendInt(lp, v)
			s = fmtInt(nb[:0], v)
		} else {
			lp = listpack.Append(lp, s)
		}
		if pairs && n%2 == 0 {
			if _, dup := seen[string(s)]; dup {
				return nil, 0, fmt.Errorf("%w: ziplist with duplicate records", ErrBadFormat)
			}
			seen[string(s)] = struct{}{}
		}
		n++
	}
	if err := it.Err(); err != nil {
		return nil, 0, fmt.Errorf("%w: %w", ErrBadFormat, err)
	}
	if pairs && n%2 != 0 {
		return nil, 0, fmt.Errorf("%w: ziplist with an odd number of entries", ErrBadFormat)
	}
	return lp, n, nil
}

// zipmapToHash converts a zipmap hash as Redis 7.0 does: to a listpack (duplicates
// refused), then to a hashtable when it has too many pairs or a field or value longer than
// hash-max-listpack-value.
func zipmapToHash(zm []byte, set *engine.Settings) (engine.Object, error) {
	if _, err := zipmap.Validate(zm); err != nil {
		return engine.Object{}, fmt.Errorf("%w: Zipmap integrity check failed: %w", ErrBadFormat, err)
	}
	it, err := zipmap.NewIter(zm)
	if err != nil {
		return engine.Object{}, fmt.Errorf("%w: %w", ErrBadFormat, err)
	}
	lp := listpack.New()
	seen := map[string]struct{}{}
	maxLen, n := 0, 0
	for it.Next() {
		f, v := it.Pair()
		if _, dup := seen[string(f)]; dup {
			return engine.Object{}, fmt.Errorf("%w: Hash zipmap with dup elements, or big length", ErrBadFormat)
		}
		seen[string(f)] = struct{}{}
		maxLen = max(maxLen, len(f), len(v))
		lp = listpack.Append(lp, f)
		lp = listpack.Append(lp, v)
		n++
	}
	if err := it.Err(); err != nil {
		return engine.Object{}, fmt.Errorf("%w: %w", ErrBadFormat, err)
	}
	if n == 0 {
		return engine.Object{}, ErrEmptyKey
	}
	if n > set.HashMaxListpackEntries || maxLen > set.HashMaxListpackValue {
		// hashTypeConvert: every pair into a dict presized for them, in listpack order.
		b := thash.NewBuilder(set, max(n, set.HashMaxListpackEntries+1))
		var fb, vb [20]byte
		for off := listpack.First(lp); off >= 0; off = listpack.Next(lp, off) {
			f := lpString(lp, off, &fb)
			off = listpack.Next(lp, off)
			v := lpString(lp, off, &vb)
			if err := b.Add(f, v); err != nil {
				return engine.Object{}, fmt.Errorf("%w: %w", ErrBadFormat, err)
			}
		}
		return b.Object(), nil
	}
	o, err := thash.FromListpack(set, lp, false)
	if err != nil {
		return engine.Object{}, fmt.Errorf("%w: %w", ErrBadFormat, err)
	}
	return o, nil
}

// listpackSet loads an RDB 11 listpack set (type 20) with Redis 7.0's set encodings: an
// intset when every member is an integer and they fit set-max-intset-entries, else a
// hashtable.
func listpackSet(lp []byte, lc *LoadConfig) (engine.Object, error) {
	n, err := listpack.Validate(lp)
	if err != nil {
		return engine.Object{}, fmt.Errorf("%w: Set listpack integrity check failed: %w", ErrBadFormat, err)
	}
	if n == 0 {
		return engine.Object{}, ErrEmptyKey
	}
	b := tset.NewBuilder(n, lc.MaxIntset)
	var sb [20]byte
	for off := listpack.First(lp); off >= 0; off = listpack.Next(lp, off) {
		if !b.Add(lpString(lp, off, &sb)) {
			return engine.Object{}, fmt.Errorf("%w: Duplicate set members detected", ErrBadFormat)
		}
	}
	return b.Object(), nil
}

// lpString returns the listpack entry at off as bytes (integers formatted into buf).
func lpString(lp []byte, off int, buf *[20]byte) []byte {
	s, v, isInt := listpack.Get(lp, off)
	if isInt {
		return fmtInt(buf[:0], v)
	}
	return s
}
