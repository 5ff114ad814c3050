package tsort

import (
	"bytes"
	"slices"
	"strconv"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/thash"
	"github.com/redisctl/redisctl/engine/tlist"
	"github.com/redisctl/redisctl/engine/tset"
	"github.com/redisctl/redisctl/engine/tzset"
)

// Commands are SORT and SORT_RO with Redis 7.0's arity, flags and key positions (the BY,
// GET and STORE keys are not declared: Redis marks them "unknown", movablekeys).
func Commands() []*engine.Command {
	return []*engine.Command{
		{Name: "sort", Arity: -2, Flags: engine.FlagWrite | engine.FlagDenyOOM,
			FirstKey: 1, LastKey: 1, Step: 1, Fn: func(x *engine.Ctx) { sortGeneric(x, false) }},
		{Name: "sort_ro", Arity: -2, Flags: engine.FlagReadOnly,
			FirstKey: 1, LastKey: 1, Step: 1, Fn: func(x *engine.Ctx) { sortGeneric(x, true) }},
	}
}

// ErrScores is the reply when a sort key is not a number.
const ErrScores = "ERR One or more scores can't be converted into double"

// STORE builds its list as 7.0's createQuicklistObject: quicklistCreate's defaults, not
// the configured list-max-listpack-size and list-compress-depth.
const (
	storeFill     = -2
	storeCompress = 0
)

// item is one element of the sorting vector (redisSortObject): the element and, for ALPHA
// with BY, the compared value are offsets into the sorter's arena.
type item struct {
	off, n   int
	score    float64
	coff, cn int // cn < 0: no BY value (NULL cmpobj)
}

// sorter holds one SORT's state. Every byte it keeps is copied into arena, so nothing
// aliases the request or a value that a lookup might change.
type sorter struct {
	x      *engine.Ctx
	arena  []byte
	v      []item
	keybuf []byte
	numbuf [24]byte

	desc, alpha, store, bypattern bool
}

func (s *sorter) elem(it *item) []byte { return s.arena[it.off : it.off+it.n] }
func (s *sorter) cmpv(it *item) []byte { return s.arena[it.coff : it.coff+it.cn] }

// push appends an element to the vector.
func (s *sorter) push(b []byte) {
	off := len(s.arena)
	s.arena = append(s.arena, b...)
	s.v = append(s.v, item{off: off, n: len(b), cn: -1})
}

func (s *sorter) pushInt(n int64) { s.push(strconv.AppendInt(s.numbuf[:0], n, 10)) }

// lookup is lookupKeyByPattern: "#" is the element itself; otherwise the first '*' of the
// pattern is replaced by the element and the key read (lookupKeyRead: stats, keymiss,
// lazy expiry), then "->field" reads a hash field. Patterns are C strings up to a NUL,
// except the parts that Redis copies by length (the rest after '*', the field name). ok
// is false when there is no value (no '*', missing key, wrong type, missing field).
func (s *sorter) lookup(pat, elem []byte) (val []byte, n int64, isInt, ok bool) {
	cp := cstr(pat)
	if len(cp) == 1 && cp[0] == '#' {
		return elem, 0, false, true
	}
	star := bytes.IndexByte(cp, '*')
	if star < 0 {
		return nil, 0, false, false
	}
	var field []byte
	hasField := false
	if f := bytes.Index(cp[star+1:], []byte("->")); f >= 0 {
		f += star + 1
		if f+2 < len(cp) {
			field, hasField = pat[f+2:], true
		}
	}
	postEnd := len(pat)
	if hasField {
		postEnd = len(pat) - len(field) - 2
	}
	key := append(s.keybuf[:0], pat[:star]...)
	key = append(key, elem...)
	key = append(key, pat[star+1:postEnd]...)
	s.keybuf = key
	o := s.x.DB.LookupRead(key)
	if o == nil {
		return nil, 0, false, false
	}
	if hasField {
		if o.Type() != engine.TypeHash {
			return nil, 0, false, false
		}
		v, found := thash.Get(o, field)
		if !found {
			return nil, 0, false, false
		}
		return v.S, v.N, v.IsInt, true
	}
	if o.Type() != engine.TypeString {
		return nil, 0, false, false
	}
	if o.Encoding() == engine.EncInt {
		return nil, o.Int(), true, true
	}
	return o.Bytes(), 0, false, true
}

// compare is sortCompare.
func (s *sorter) compare(a, b *item) int {
	var c int
	switch {
	case !s.alpha:
		switch {
		case a.score > b.score:
			c = 1
		case a.score < b.score:
			c = -1
		default:
			c = bytes.Compare(s.elem(a), s.elem(b)) // compareStringObjects
		}
	case s.bypattern:
		switch {
		case a.cn < 0 || b.cn < 0:
			switch {
			case a.cn < 0 && b.cn < 0:
				c = 0
			case a.cn < 0:
				c = -1
			default:
				c = 1
			}
		case s.store:
			c = bytes.Compare(s.cmpv(a), s.cmpv(b))
		default:
			c = bytes.Compare(cstr(s.cmpv(a)), cstr(s.cmpv(b))) // strcoll, C collation
		}
	case s.store:
		c = bytes.Compare(s.elem(a), s.elem(b))
	default:
		c = bytes.Compare(cstr(s.elem(a)), cstr(s.elem(b))) // collateStringObjects
	}
	if s.desc {
		return -c
	}
	return c
}

// sortGeneric is sortCommandGeneric.
func sortGeneric(x *engine.Ctx, readonly bool) {
	var (
		desc, alpha, dontsort bool
		limitStart            int64
		limitCount            int64 = -1
		sortby, storekey      []byte
		gets                  [][]byte
	)
	args := x.Args
	for j := 2; j < len(args); j++ {
		left := len(args) - j - 1
		a := args[j]
		switch {
		case engine.EqualFold(a, "asc"):
			desc = false
		case engine.EqualFold(a, "desc"):
			desc = true
		case engine.EqualFold(a, "alpha"):
			alpha = true
		case engine.EqualFold(a, "limit") && left >= 2:
			var ok bool
			if limitStart, ok = x.ParseInt(j + 1); !ok {
				return
			}
			if limitCount, ok = x.ParseInt(j + 2); !ok {
				return
			}
			j += 2
		case !readonly && engine.EqualFold(a, "store") && left >= 1:
			storekey = args[j+1]
			j++
		case engine.EqualFold(a, "by") && left >= 1:
			sortby = args[j+1]
			// A constant BY pattern means "do not sort"; once set it stays set.
			if bytes.IndexByte(cstr(sortby), '*') < 0 {
				dontsort = true
			}
			j++
		case engine.EqualFold(a, "get") && left >= 1:
			gets = append(gets, args[j+1])
			j++
		default:
			x.SyntaxError()
			return
		}
	}

	key := args[1]
	o := x.DB.LookupRead(key)
	typ := engine.TypeList // a missing key sorts as an empty list
	if o != nil {
		typ = o.Type()
		if typ != engine.TypeList && typ != engine.TypeSet && typ != engine.TypeZSet {
			x.WrongType()
			return
		}
	}
	// A set has no order of its own: with STORE (replicated) or in a script, sort it.
	if dontsort && typ == engine.TypeSet && (storekey != nil || x.C.Flags&engine.ClientScript != 0) {
		dontsort, alpha, sortby = false, true, nil
	}
	if o != nil && typ == engine.TypeZSet && o.Encoding() == engine.EncListpack {
		o = toSkiplist(x, key, o)
	}

	vlen := 0
	if o != nil {
		switch typ {
		case engine.TypeList:
			vlen = tlist.FromObject(o).Len()
		case engine.TypeSet:
			vlen = tset.Len(o)
		case engine.TypeZSet:
			vlen = tzset.Len(o)
		}
	}
	n64 := int64(vlen)
	start := min(max(limitStart, 0), n64)
	limitCount = min(max(limitCount, -1), n64)
	end := n64 - 1
	if limitCount >= 0 {
		end = start + limitCount - 1
	}
	if start >= n64 {
		start, end = n64-1, n64-2
	}
	if end >= n64 {
		end = n64 - 1
	}
	if (typ == engine.TypeZSet || typ == engine.TypeList) && dontsort && (start != 0 || end != n64-1) {
		vlen = int(end - start + 1)
	}

	s := &sorter{x: x, desc: desc, alpha: alpha, store: storekey != nil, bypattern: sortby != nil}
	s.v = make([]item, 0, vlen)
	if o != nil {
		switch {
		case typ == engine.TypeList && dontsort:
			if end >= start {
				ql := tlist.FromObject(o)
				first := int(start) // index of the first element read, from the head
				if desc {
					first = ql.Len() - int(start) - vlen
				}
				i := 0
				ql.Each(func(b []byte, n int64, isInt bool) bool {
					if i >= first+vlen {
						return false
					}
					if i >= first {
						if isInt {
							s.pushInt(n)
						} else {
							s.push(b)
						}
					}
					i++
					return true
				})
				if desc {
					slices.Reverse(s.v)
				}
				end -= start
				start = 0
			}
		case typ == engine.TypeList:
			tlist.FromObject(o).Each(func(b []byte, n int64, isInt bool) bool {
				if isInt {
					s.pushInt(n)
				} else {
					s.push(b)
				}
				return true
			})
		case typ == engine.TypeSet:
			tset.ForEach(o, func(b []byte, n int64, isInt bool) bool {
				if isInt {
					s.pushInt(n)
				} else {
					s.push(b)
				}
				return true
			})
		case typ == engine.TypeZSet && dontsort:
			skip, i := int(start), 0
			walk := tzset.Ascend
			if desc {
				walk = tzset.Descend
			}
			walk(o, func(m []byte, _ float64) bool {
				if i >= skip+vlen {
					return false
				}
				if i >= skip {
					s.push(m)
				}
				i++
				return true
			})
			end -= start
			start = 0
		default: // a sorted set to sort: Redis reads its dict, in an order of its own
			tzset.Ascend(o, func(m []byte, _ float64) bool {
				s.push(m)
				return true
			})
		}
	}

	convErr := false
	if !dontsort {
		for j := range s.v {
			it := &s.v[j]
			var (
				val   []byte
				n     int64
				isInt bool
			)
			if sortby != nil {
				var ok bool
				if val, n, isInt, ok = s.lookup(sortby, s.elem(it)); !ok {
					continue
				}
			} else {
				val = s.elem(it)
			}
			if alpha {
				if sortby != nil {
					if isInt {
						val = strconv.AppendInt(s.numbuf[:0], n, 10)
					}
					it.coff = len(s.arena)
					s.arena = append(s.arena, val...)
					it.cn = len(val)
				}
				continue
			}
			if isInt {
				it.score = float64(n)
				continue
			}
			var ok bool
			if it.score, ok = ParseScore(val); !ok {
				convErr = true
			}
		}
		if sortby != nil && (start != 0 || end != int64(len(s.v))-1) {
			PartialSort(s.v, s.compare, int(start), int(end))
		} else {
			// glibc's qsort is a merge sort: stable.
			mergeSort(s.v, make([]item, len(s.v)), s.compare)
		}
	}

	rows := end - start + 1
	outputlen := rows
	if len(gets) > 0 {
		outputlen = int64(len(gets)) * rows
	}
	switch {
	case convErr:
		x.Error(ErrScores)
	case storekey == nil:
		x.ArrayLen(int(outputlen))
		for j := start; j <= end; j++ {
			el := s.elem(&s.v[j])
			if len(gets) == 0 {
				x.Bulk(el)
			}
			for _, g := range gets {
				val, n, isInt, ok := s.lookup(g, el)
				switch {
				case !ok:
					x.Null()
				case isInt:
					x.W.WriteBulkInt(n)
				default:
					x.Bulk(val)
				}
			}
		}
	default:
		ql := tlist.NewQuicklist(storeFill, storeCompress)
		for j := start; j <= end; j++ {
			el := s.elem(&s.v[j])
			if len(gets) == 0 {
				ql.PushTail(el)
			}
			for _, g := range gets {
				val, n, isInt, ok := s.lookup(g, el)
				switch {
				case !ok:
					ql.PushTail(nil)
				case isInt:
					ql.PushTail(strconv.AppendInt(s.numbuf[:0], n, 10))
				default:
					ql.PushTail(val)
				}
			}
		}
		if outputlen > 0 {
			x.DB.SetKey(storekey, tlist.NewObject(ql), false) // an expired destination expires first

			x.Notify(engine.NotifyList, "sortstore", storekey)
			x.Dirty(outputlen)
		} else if x.DB.Delete(storekey) {
			x.SignalModified(storekey)
			x.Notify(engine.NotifyGeneric, "del", storekey)
			x.Dirty(1)
		}
		x.Int(outputlen)
	}
}

// toSkiplist converts a listpack sorted set to a skiplist in place, as SORT's
// zsetConvert(sortval, OBJ_ENCODING_SKIPLIST) does. It goes through tzset.FromListpack
// with a zero listpack limit, which converts with tzset's own zsetConvert.
func toSkiplist(x *engine.Ctx, key []byte, o *engine.Object) *engine.Object {
	set := x.E.Set
	set.ZSetMaxListpackEntries = 0
	no, err := tzset.FromListpack(&set, engine.CopyBytes(tzset.ListpackBytes(o)))
	if err != nil {
		return o // a listpack held by the keyspace is valid; keep reading it as it is
	}
	e := x.DB.LookupEntry(key, true)
	if e == nil {
		return o
	}
	x.DB.Overwrite(e, no)
	return &e.Value
}
