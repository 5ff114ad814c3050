package tset

import (
	"strconv"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/rdb/intset"
	"github.com/redisctl/redisctl/resp"
)

// Commands returns the set commands with Redis 7.0's arity, flags and key positions.
func Commands() []*engine.Command {
	w, ro, fast, oom := engine.FlagWrite, engine.FlagReadOnly, engine.FlagFast, engine.FlagDenyOOM
	k1 := func(c *engine.Command) *engine.Command { c.FirstKey, c.LastKey, c.Step = 1, 1, 1; return c }
	kall := func(first int, c *engine.Command) *engine.Command {
		c.FirstKey, c.LastKey, c.Step = first, -1, 1
		return c
	}
	return []*engine.Command{
		k1(&engine.Command{Name: "sadd", Arity: -3, Flags: w | oom | fast, Fn: cmdSAdd}),
		k1(&engine.Command{Name: "srem", Arity: -3, Flags: w | fast, Fn: cmdSRem}),
		k1(&engine.Command{Name: "scard", Arity: 2, Flags: ro | fast, Fn: cmdSCard}),
		k1(&engine.Command{Name: "sismember", Arity: 3, Flags: ro | fast, Fn: cmdSIsMember}),
		k1(&engine.Command{Name: "smismember", Arity: -3, Flags: ro | fast, Fn: cmdSMIsMember}),
		k1(&engine.Command{Name: "smembers", Arity: 2, Flags: ro, Fn: func(x *engine.Ctx) {
			sinterGeneric(x, x.Args[1:2], nil, false, 0)
		}}),
		{Name: "smove", Arity: 4, Flags: w | fast, FirstKey: 1, LastKey: 2, Step: 1, Fn: cmdSMove},
		k1(&engine.Command{Name: "spop", Arity: -2, Flags: w | fast, Fn: cmdSPop}),
		k1(&engine.Command{Name: "srandmember", Arity: -2, Flags: ro, Fn: cmdSRandMember}),
		kall(1, &engine.Command{Name: "sinter", Arity: -2, Flags: ro, Fn: func(x *engine.Ctx) {
			sinterGeneric(x, x.Args[1:], nil, false, 0)
		}}),
		{Name: "sintercard", Arity: -3, Flags: ro, Fn: cmdSInterCard},
		kall(1, &engine.Command{Name: "sinterstore", Arity: -3, Flags: w | oom, Fn: func(x *engine.Ctx) {
			sinterGeneric(x, x.Args[2:], x.Args[1], false, 0)
		}}),
		kall(1, &engine.Command{Name: "sunion", Arity: -2, Flags: ro, Fn: func(x *engine.Ctx) {
			sunionDiffGeneric(x, x.Args[1:], nil, opUnion)
		}}),
		kall(1, &engine.Command{Name: "sunionstore", Arity: -3, Flags: w | oom, Fn: func(x *engine.Ctx) {
			sunionDiffGeneric(x, x.Args[2:], x.Args[1], opUnion)
		}}),
		kall(1, &engine.Command{Name: "sdiff", Arity: -2, Flags: ro, Fn: func(x *engine.Ctx) {
			sunionDiffGeneric(x, x.Args[1:], nil, opDiff)
		}}),
		kall(1, &engine.Command{Name: "sdiffstore", Arity: -3, Flags: w | oom, Fn: func(x *engine.Ctx) {
			sunionDiffGeneric(x, x.Args[2:], x.Args[1], opDiff)
		}}),
		k1(&engine.Command{Name: "sscan", Arity: -3, Flags: ro, Fn: cmdSScan}),
	}
}

// Messages of Redis's range-checked integer parsers used by the set commands.
const (
	errMustBePositive = "ERR value is out of range, must be positive"
	errSRandRange     = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"
	errNumkeys        = "ERR numkeys should be greater than 0"
	errNumkeysArgs    = "ERR Number of keys can't be greater than number of args"
	errLimitNegative  = "ERR LIMIT can't be negative"
)

// lookup finds a key and checks it holds a set; ok is false after a WRONGTYPE reply.
func lookup(x *engine.Ctx, key []byte, write bool) (o *engine.Object, ok bool) {
	if write {
		o = x.DB.LookupWrite(key)
	} else {
		o = x.DB.LookupRead(key)
	}
	if o != nil && o.Type() != engine.TypeSet {
		x.WrongType()
		return nil, false
	}
	return o, true
}

// writeMember replies with one member as ForEach/RandomMember hand it over.
func writeMember(x *engine.Ctx, s []byte, v int64, isInt bool) {
	if isInt {
		x.W.WriteBulkInt(v)
	} else {
		x.W.WriteBulk(s)
	}
}

func cmdSAdd(x *engine.Ctx) {
	key := x.Args[1]
	o, ok := lookup(x, key, true)
	if !ok {
		return
	}
	if o == nil {
		o = x.DB.Add(key, Create(x.Args[2]))
	}
	max := MaxIntsetEntries(x.E)
	added := int64(0)
	for _, m := range x.Args[2:] {
		if Add(o, m, max) {
			added++
		}
	}
	if added > 0 {
		x.SignalModified(key)
		x.Notify(engine.NotifySet, "sadd", key)
	}
	x.Dirty(added)
	x.Int(added)
}

func cmdSRem(x *engine.Ctx) {
	key := x.Args[1]
	o, ok := lookup(x, key, true)
	if !ok {
		return
	}
	if o == nil {
		x.Int(0)
		return
	}
	deleted := int64(0)
	removed := false
	for _, m := range x.Args[2:] {
		if Remove(o, m) {
			deleted++
			if Len(o) == 0 {
				x.DB.Delete(key)
				removed = true
				break
			}
		}
	}
	if deleted > 0 {
		x.SignalModified(key)
		x.Notify(engine.NotifySet, "srem", key)
		if removed {
			x.Notify(engine.NotifyGeneric, "del", key)
		}
		x.Dirty(deleted)
	}
	x.Int(deleted)
}

func cmdSCard(x *engine.Ctx) {
	o, ok := lookup(x, x.Args[1], false)
	if !ok {
		return
	}
	if o == nil {
		x.Int(0)
		return
	}
	x.Int(int64(Len(o)))
}

func cmdSIsMember(x *engine.Ctx) {
	o, ok := lookup(x, x.Args[1], false)
	if !ok {
		return
	}
	if o != nil && IsMember(o, x.Args[2]) {
		x.Int(1)
	} else {
		x.Int(0)
	}
}

func cmdSMIsMember(x *engine.Ctx) {
	o, ok := lookup(x, x.Args[1], false)
	if !ok {
		return
	}
	x.ArrayLen(len(x.Args) - 2)
	for _, m := range x.Args[2:] {
		if o != nil && IsMember(o, m) {
			x.Int(1)
		} else {
			x.Int(0)
		}
	}
}

func cmdSMove(x *engine.Ctx) {
	srcKey, dstKey, ele := x.Args[1], x.Args[2], x.Args[3]
	src := x.DB.LookupWrite(srcKey)
	dst := x.DB.LookupWrite(dstKey)
	if src == nil {
		x.Int(0)
		return
	}
	if src.Type() != engine.TypeSet || (dst != nil && dst.Type() != engine.TypeSet) {
		x.WrongType()
		return
	}
	if src == dst {
		if IsMember(src, ele) {
			x.Int(1)
		} else {
			x.Int(0)
		}
		return
	}
	if !Remove(src, ele) {
		x.Int(0)
		return
	}
	x.Notify(engine.NotifySet, "srem", srcKey)
	if Len(src) == 0 {
		x.DB.Delete(srcKey)
		x.Notify(engine.NotifyGeneric, "del", srcKey)
	}
	if dst == nil {
		dst = x.DB.Add(dstKey, Create(ele))
	}
	x.SignalModified(srcKey)
	x.Dirty(1)
	if Add(dst, ele, MaxIntsetEntries(x.E)) {
		x.Dirty(1)
		x.SignalModified(dstKey)
		x.Notify(engine.NotifySet, "sadd", dstKey)
	}
	x.Int(1)
}

// spopMoveStrategyMul: SPOP with a count rebuilds the set from the members that stay when
// fewer than count/5 remain (SPOP_MOVE_STRATEGY_MUL).
const spopMoveStrategyMul = 5

var (
	sremName = []byte("SREM")
	delName  = []byte("DEL")
)

func cmdSPop(x *engine.Ctx) {
	if len(x.Args) == 3 {
		spopWithCount(x)
		return
	}
	if len(x.Args) > 3 {
		x.SyntaxError()
		return
	}
	key := x.Args[1]
	o, ok := lookup(x, key, true)
	if !ok {
		return
	}
	if o == nil {
		x.Null()
		return
	}
	s, v, isInt := RandomMember(o)
	if isInt {
		removeInt(o, v)
		s = strconv.AppendInt(nil, v, 10)
	} else {
		Remove(o, s) // s is the deleted entry's own string: still valid
	}
	x.Notify(engine.NotifySet, "spop", key)
	x.Rewrite(sremName, key, s)
	x.Bulk(s)
	if Len(o) == 0 {
		x.DB.Delete(key)
		x.Notify(engine.NotifyGeneric, "del", key)
	}
	x.SignalModified(key)
	x.Dirty(1)
}

// spopWithCount is spopWithCountCommand: the whole set (then DEL), count random removals
// (each propagated as SREM), or, when few members remain, a new set of the remaining ones.
func spopWithCount(x *engine.Ctx) {
	n, ok := engine.ParseInt(x.Args[2])
	if !ok || n < 0 {
		x.Error(errMustBePositive)
		return
	}
	count := int(n)
	key := x.Args[1]
	o, ok := lookup(x, key, true)
	if !ok {
		return
	}
	if o == nil || count == 0 {
		x.W.WriteSetLen(0)
		return
	}
	size := Len(o)
	x.Notify(engine.NotifySet, "spop", key)
	x.Dirty(int64(min(count, size)))

	if count >= size {
		sunionDiffGeneric(x, x.Args[1:2], nil, opUnion)
		x.DB.Delete(key)
		x.Notify(engine.NotifyGeneric, "del", key)
		x.Rewrite(delName, key)
		x.SignalModified(key)
		return
	}

	x.W.WriteSetLen(count)
	remaining := size - count
	if remaining*spopMoveStrategyMul > count {
		for range count {
			s, v, isInt := RandomMember(o)
			if isInt {
				x.W.WriteBulkInt(v)
				removeInt(o, v)
				s = strconv.AppendInt(nil, v, 10)
			} else {
				x.W.WriteBulk(s)
				Remove(o, s)
			}
			x.AlsoPropagate(sremName, key, s)
		}
	} else {
		max := MaxIntsetEntries(x.E)
		var newset engine.Object
		var buf [24]byte
		for i := range remaining {
			s, v, isInt := RandomMember(o)
			if isInt {
				s = strconv.AppendInt(buf[:0], v, 10)
			}
			if i == 0 {
				newset = Create(s)
			}
			if isInt {
				addInt(&newset, v, max)
				removeInt(o, v)
			} else {
				Add(&newset, s, max)
				Remove(o, s)
			}
		}
		ForEach(o, func(s []byte, v int64, isInt bool) bool {
			if isInt {
				x.W.WriteBulkInt(v)
				s = strconv.AppendInt(nil, v, 10)
			} else {
				x.W.WriteBulk(s)
			}
			x.AlsoPropagate(sremName, key, s)
			return true
		})
		replace(o, newset)
	}
	x.NoPropagate()
	x.SignalModified(key)
}

// replace swaps o's encoding and payload for those of n, keeping o's LRU (dbOverwrite).
func replace(o *engine.Object, n engine.Object) {
	if n.Encoding() == engine.EncIntset {
		o.SetEncodingBytes(engine.EncIntset, n.Bytes())
	} else {
		o.SetPtr(n.Encoding(), n.Ptr())
	}
}

// srandmemberSubStrategyMul: SRANDMEMBER with a count copies the whole set and removes
// random members when count*3 > size (SRANDMEMBER_SUB_STRATEGY_MUL).
const srandmemberSubStrategyMul = 3

func cmdSRandMember(x *engine.Ctx) {
	if len(x.Args) == 3 {
		srandmemberWithCount(x)
		return
	}
	if len(x.Args) > 3 {
		x.SyntaxError()
		return
	}
	o, ok := lookup(x, x.Args[1], false)
	if !ok {
		return
	}
	if o == nil {
		x.Null()
		return
	}
	s, v, isInt := RandomMember(o)
	writeMember(x, s, v, isInt)
}

func srandmemberWithCount(x *engine.Ctx) {
	l, ok := engine.ParseInt(x.Args[2])
	if !ok {
		x.Error(engine.ErrNotInteger)
		return
	}
	if l == -1<<63 {
		x.Error(errSRandRange)
		return
	}
	uniq := true
	count := l
	if l < 0 {
		count = -l
		uniq = false
	}
	o, ok := lookup(x, x.Args[1], false)
	if !ok {
		return
	}
	if o == nil || count == 0 {
		x.ArrayLen(0)
		return
	}
	size := int64(Len(o))

	// CASE 1: negative count (repeats allowed) or a single member.
	if !uniq || count == 1 {
		x.ArrayLen(int(count))
		for range count {
			s, v, isInt := RandomMember(o)
			writeMember(x, s, v, isInt)
			if x.W.Err() != nil {
				break
			}
		}
		return
	}
	// CASE 2: the whole set.
	if count >= size {
		x.ArrayLen(int(size))
		ForEach(o, func(s []byte, v int64, isInt bool) bool {
			writeMember(x, s, v, isInt)
			return true
		})
		return
	}
	x.ArrayLen(int(count))
	// CASE 3: count is close to the size: a random subset by partial shuffle of all members.
	if count*srandmemberSubStrategyMul > size {
		if o.Encoding() == engine.EncIntset {
			is := o.Bytes()
			idx := make([]int32, size)
			for i := range idx {
				idx[i] = int32(i)
			}
			for i := range int(count) {
				j := i + engine.RandIntn(int(size)-i)
				idx[i], idx[j] = idx[j], idx[i]
				x.W.WriteBulkInt(intset.Get(is, int(idx[i])))
			}
			return
		}
		all := make([]string, 0, size)
		for e := range ht(o).All() {
			all = append(all, e.Key)
		}
		for i := range int(count) {
			j := i + engine.RandIntn(int(size)-i)
			all[i], all[j] = all[j], all[i]
			x.W.WriteBulk(strBytes(all[i]))
		}
		return
	}
	// CASE 4: count is small compared to the size: random picks until count distinct.
	if o.Encoding() == engine.EncIntset {
		seen := make(map[int64]struct{}, count)
		for int64(len(seen)) < count {
			_, v, _ := RandomMember(o)
			if _, dup := seen[v]; !dup {
				seen[v] = struct{}{}
				x.W.WriteBulkInt(v)
			}
		}
		return
	}
	seen := make(map[string]struct{}, count)
	d := ht(o)
	for int64(len(seen)) < count {
		k := d.FairRandom().Key
		if _, dup := seen[k]; !dup {
			seen[k] = struct{}{}
			x.W.WriteBulk(strBytes(k))
		}
	}
}

// collectSets looks up the keys for SINTER/SUNION/SDIFF (lookupKeyRead each). A missing key
// is a nil entry. ok is false after a WRONGTYPE reply.
func collectSets(x *engine.Ctx, keys [][]byte, sets []*engine.Object) ([]*engine.Object, bool) {
	for _, k := range keys {
		o := x.DB.LookupRead(k)
		if o != nil && o.Type() != engine.TypeSet {
			x.WrongType()
			return nil, false
		}
		sets = append(sets, o)
	}
	return sets, true
}

// sortByLen orders sets by ascending cardinality, stably (insertion sort: few keys).
func sortByLen(sets []*engine.Object, desc bool) {
	for i := 1; i < len(sets); i++ {
		for j := i; j > 0; j-- {
			a, b := setLen(sets[j-1]), setLen(sets[j])
			if (!desc && a <= b) || (desc && a >= b) {
				break
			}
			sets[j-1], sets[j] = sets[j], sets[j-1]
		}
	}
}

func setLen(o *engine.Object) int {
	if o == nil {
		return 0
	}
	return Len(o)
}

// storeResult stores a STORE command's result under dst, or deletes dst when the result is
// empty, replying with the result's size (the tail of sinterGenericCommand and
// sunionDiffGenericCommand).
func storeResult(x *engine.Ctx, dst []byte, res engine.Object, event string) {
	if n := Len(&res); n > 0 {
		x.DB.SetKey(dst, res, false)
		x.Int(int64(n))
		x.Notify(engine.NotifySet, event, dst)
		x.Dirty(1)
		return
	}
	x.Int(0)
	deleteDst(x, dst)
}

func deleteDst(x *engine.Ctx, dst []byte) {
	if x.DB.Delete(dst) {
		x.Dirty(1)
		x.SignalModified(dst)
		x.Notify(engine.NotifyGeneric, "del", dst)
	}
}

// sinterGeneric is sinterGenericCommand: SINTER, SMEMBERS, SINTERSTORE (dst != nil) and
// SINTERCARD (cardOnly, stopping at limit when limit > 0).
func sinterGeneric(x *engine.Ctx, keys [][]byte, dst []byte, cardOnly bool, limit int64) {
	var buf [8]*engine.Object
	sets, ok := collectSets(x, keys, buf[:0])
	if !ok {
		return
	}
	for _, s := range sets {
		if s == nil {
			// An empty set makes the intersection empty.
			switch {
			case dst != nil:
				deleteDst(x, dst)
				x.Int(0)
			case cardOnly:
				x.Int(0)
			default:
				x.W.WriteSetLen(0)
			}
			return
		}
	}
	sortByLen(sets, false)

	var dstset engine.Object
	max := MaxIntsetEntries(x.E)
	if dst != nil {
		dstset = NewIntset()
	}
	first := sets[0]
	if dst == nil && !cardOnly && len(sets) == 1 {
		// SMEMBERS, SINTER of one key: the size is known.
		x.W.WriteSetLen(Len(first))
		ForEach(first, func(s []byte, v int64, isInt bool) bool {
			writeMember(x, s, v, isInt)
			return true
		})
		return
	}
	var d resp.Deferred
	if dst == nil && !cardOnly {
		d = x.W.WriteDeferredLen()
	}
	var card int64
	ForEach(first, func(s []byte, v int64, isInt bool) bool {
		for _, other := range sets[1:] {
			if other == first {
				continue
			}
			if isInt {
				if !isMemberInt(other, v) {
					return true
				}
			} else if !IsMember(other, s) {
				return true
			}
		}
		switch {
		case cardOnly:
			card++
			if limit > 0 && card >= limit {
				return false
			}
		case dst == nil:
			writeMember(x, s, v, isInt)
			card++
		case isInt:
			addInt(&dstset, v, max)
		default:
			Add(&dstset, s, max)
		}
		return true
	})
	switch {
	case cardOnly:
		x.Int(card)
	case dst != nil:
		storeResult(x, dst, dstset, "sinterstore")
	default:
		x.W.SetSetLen(d, int(card))
	}
}

func cmdSInterCard(x *engine.Ctx) {
	numkeys, ok := engine.ParseInt(x.Args[1])
	if !ok || numkeys < 1 {
		x.Error(errNumkeys)
		return
	}
	if numkeys > int64(len(x.Args)-2) {
		x.Error(errNumkeysArgs)
		return
	}
	var limit int64
	for j := 2 + int(numkeys); j < len(x.Args); j++ {
		if engine.EqualFold(x.Args[j], "limit") && j+1 < len(x.Args) {
			j++
			l, ok := engine.ParseInt(x.Args[j])
			if !ok || l < 0 {
				x.Error(errLimitNegative)
				return
			}
			limit = l
		} else {
			x.SyntaxError()
			return
		}
	}
	sinterGeneric(x, x.Args[2:2+numkeys], nil, true, limit)
}

const (
	opUnion = iota
	opDiff
)

// sunionDiffGeneric is sunionDiffGenericCommand: the result is built as a new set (an
// intset converting as members come) and then either replied in its iteration order or
// stored under dst.
func sunionDiffGeneric(x *engine.Ctx, keys [][]byte, dst []byte, op int) {
	var buf [8]*engine.Object
	sets, ok := collectSets(x, keys, buf[:0])
	if !ok {
		return
	}
	sameset := false
	for j := 1; j < len(sets); j++ {
		if sets[j] != nil && sets[j] == sets[0] {
			sameset = true
		}
	}
	algo := 1
	if op == opDiff && sets[0] != nil && !sameset {
		var one, two int64
		for _, s := range sets {
			if s == nil {
				continue
			}
			one += int64(Len(sets[0]))
			two += int64(Len(s))
		}
		one /= 2
		if one > two {
			algo = 2
		}
		if algo == 1 && len(sets) > 1 {
			sortByLen(sets[1:], true)
		}
	}

	max := MaxIntsetEntries(x.E)
	res := NewIntset()
	card := 0
	switch {
	case op == opUnion:
		for _, s := range sets {
			if s == nil {
				continue
			}
			ForEach(s, func(m []byte, v int64, isInt bool) bool {
				if isInt {
					if addInt(&res, v, max) {
						card++
					}
				} else if Add(&res, m, max) {
					card++
				}
				return true
			})
		}
	case sameset || sets[0] == nil:
		// The first set is empty, or subtracted from itself.
	case algo == 1:
		ForEach(sets[0], func(m []byte, v int64, isInt bool) bool {
			for _, s := range sets[1:] {
				if s == nil {
					continue
				}
				if s == sets[0] {
					return true
				}
				if isInt {
					if isMemberInt(s, v) {
						return true
					}
				} else if IsMember(s, m) {
					return true
				}
			}
			if isInt {
				addInt(&res, v, max)
			} else {
				Add(&res, m, max)
			}
			card++
			return true
		})
	default:
		var nbuf [24]byte
		for j, s := range sets {
			if s == nil {
				continue
			}
			ForEach(s, func(m []byte, v int64, isInt bool) bool {
				if j == 0 {
					if isInt {
						if addInt(&res, v, max) {
							card++
						}
					} else if Add(&res, m, max) {
						card++
					}
					return true
				}
				if isInt {
					if res.Encoding() == engine.EncIntset {
						if removeInt(&res, v) {
							card--
						}
						return true
					}
					m = strconv.AppendInt(nbuf[:0], v, 10)
				}
				if Remove(&res, m) {
					card--
				}
				return true
			})
			if card == 0 {
				break
			}
		}
	}

	if dst == nil {
		x.W.WriteSetLen(card)
		ForEach(&res, func(s []byte, v int64, isInt bool) bool {
			writeMember(x, s, v, isInt)
			return true
		})
		return
	}
	event := "sunionstore"
	if op == opDiff {
		event = "sdiffstore"
	}
	storeResult(x, dst, res, event)
}

func cmdSScan(x *engine.Ctx) {
	if _, ok := engine.ParseCursor(x.Args[2]); !ok {
		x.Error("ERR invalid cursor")
		return
	}
	o, ok := lookup(x, x.Args[1], false)
	if !ok {
		return
	}
	if o == nil {
		x.ArrayLen(2)
		x.W.WriteBulkString("0")
		x.ArrayLen(0)
		return
	}
	opts, ok := x.ParseScanOpts(2, false)
	if !ok {
		return
	}
	var elems [][]byte
	cursor := uint64(0)
	if o.Encoding() == engine.EncIntset {
		is := o.Bytes()
		n := intset.Len(is)
		text := make([]byte, 0, n*8)
		offs := make([]int, 0, n+1)
		for i := range n {
			offs = append(offs, len(text))
			text = strconv.AppendInt(text, intset.Get(is, i), 10)
		}
		offs = append(offs, len(text))
		elems = make([][]byte, n)
		for i := range elems {
			elems[i] = text[offs[i]:offs[i+1]]
		}
	} else {
		d := ht(o)
		elems = make([][]byte, 0, min(opts.Count, d.Len()))
		cursor = opts.Cursor
		maxIter := opts.Count * 10
		for {
			cursor = d.Scan(cursor, func(e *hashtableEntry) {
				elems = append(elems, strBytes(e.Key))
			})
			// Redis: while (cursor && maxiterations-- && len < count).
			if cursor == 0 || maxIter == 0 {
				break
			}
			maxIter--
			if len(elems) >= opts.Count {
				break
			}
		}
	}
	if opts.Match != nil {
		out := elems[:0]
		for _, e := range elems {
			if engine.Match(opts.Match, e, false) {
				out = append(out, e)
			}
		}
		elems = out
	}
	x.WriteScanReply(cursor, elems)
}
