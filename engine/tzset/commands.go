package tzset

import (
	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/rdb/listpack"
)

// Commands returns the sorted set commands of Redis 7.0, the blocking BZPOPMIN, BZPOPMAX
// and BZMPOP included (blocking.go).
func Commands() []*engine.Command {
	w, ro, fast, oom := engine.FlagWrite, engine.FlagReadOnly, engine.FlagFast, engine.FlagDenyOOM
	k1 := func(c *engine.Command) *engine.Command { c.FirstKey, c.LastKey, c.Step = 1, 1, 1; return c }
	return append([]*engine.Command{
		k1(&engine.Command{Name: "zadd", Arity: -4, Flags: w | oom | fast, Fn: cmdZAdd}),
		k1(&engine.Command{Name: "zincrby", Arity: 4, Flags: w | oom | fast, Fn: cmdZIncrBy}),
		k1(&engine.Command{Name: "zrem", Arity: -3, Flags: w | fast, Fn: cmdZRem}),
		k1(&engine.Command{Name: "zcard", Arity: 2, Flags: ro | fast, Fn: cmdZCard}),
		k1(&engine.Command{Name: "zscore", Arity: 3, Flags: ro | fast, Fn: cmdZScore}),
		k1(&engine.Command{Name: "zmscore", Arity: -3, Flags: ro | fast, Fn: cmdZMScore}),
		k1(&engine.Command{Name: "zrank", Arity: 3, Flags: ro | fast, Fn: func(x *engine.Ctx) { zrankGeneric(x, false) }}),
		k1(&engine.Command{Name: "zrevrank", Arity: 3, Flags: ro | fast, Fn: func(x *engine.Ctx) { zrankGeneric(x, true) }}),
		k1(&engine.Command{Name: "zcount", Arity: 4, Flags: ro | fast, Fn: cmdZCount}),
		k1(&engine.Command{Name: "zlexcount", Arity: 4, Flags: ro | fast, Fn: cmdZLexCount}),
		k1(&engine.Command{Name: "zremrangebyrank", Arity: 4, Flags: w, Fn: func(x *engine.Ctx) { zremrangeGeneric(x, rangeRank) }}),
		k1(&engine.Command{Name: "zremrangebyscore", Arity: 4, Flags: w, Fn: func(x *engine.Ctx) { zremrangeGeneric(x, rangeScore) }}),
		k1(&engine.Command{Name: "zremrangebylex", Arity: 4, Flags: w, Fn: func(x *engine.Ctx) { zremrangeGeneric(x, rangeLex) }}),
		k1(&engine.Command{Name: "zrange", Arity: -4, Flags: ro, Fn: func(x *engine.Ctx) { zrangeGeneric(x, 1, false, rangeAuto, dirAuto) }}),
		{Name: "zrangestore", Arity: -5, Flags: w | oom, FirstKey: 1, LastKey: 2, Step: 1, Fn: func(x *engine.Ctx) { zrangeGeneric(x, 2, true, rangeAuto, dirAuto) }},
		k1(&engine.Command{Name: "zrevrange", Arity: -4, Flags: ro, Fn: func(x *engine.Ctx) { zrangeGeneric(x, 1, false, rangeRank, dirReverse) }}),
		k1(&engine.Command{Name: "zrangebyscore", Arity: -4, Flags: ro, Fn: func(x *engine.Ctx) { zrangeGeneric(x, 1, false, rangeScore, dirForward) }}),
		k1(&engine.Command{Name: "zrevrangebyscore", Arity: -4, Flags: ro, Fn: func(x *engine.Ctx) { zrangeGeneric(x, 1, false, rangeScore, dirReverse) }}),
		k1(&engine.Command{Name: "zrangebylex", Arity: -4, Flags: ro, Fn: func(x *engine.Ctx) { zrangeGeneric(x, 1, false, rangeLex, dirForward) }}),
		k1(&engine.Command{Name: "zrevrangebylex", Arity: -4, Flags: ro, Fn: func(x *engine.Ctx) { zrangeGeneric(x, 1, false, rangeLex, dirReverse) }}),
		k1(&engine.Command{Name: "zpopmin", Arity: -2, Flags: w | fast, Fn: func(x *engine.Ctx) { zpopMinMax(x, popMin) }}),
		k1(&engine.Command{Name: "zpopmax", Arity: -2, Flags: w | fast, Fn: func(x *engine.Ctx) { zpopMinMax(x, popMax) }}),
		{Name: "zmpop", Arity: -4, Flags: w, Fn: cmdZMPop},
		k1(&engine.Command{Name: "zrandmember", Arity: -2, Flags: ro, Fn: cmdZRandMember}),
		{Name: "zunion", Arity: -3, Flags: ro, Fn: func(x *engine.Ctx) { setOpGeneric(x, nil, 1, opUnion, false) }},
		{Name: "zinter", Arity: -3, Flags: ro, Fn: func(x *engine.Ctx) { setOpGeneric(x, nil, 1, opInter, false) }},
		{Name: "zdiff", Arity: -3, Flags: ro, Fn: func(x *engine.Ctx) { setOpGeneric(x, nil, 1, opDiff, false) }},
		{Name: "zintercard", Arity: -3, Flags: ro, Fn: func(x *engine.Ctx) { setOpGeneric(x, nil, 1, opInter, true) }},
		k1(&engine.Command{Name: "zunionstore", Arity: -4, Flags: w | oom, Fn: func(x *engine.Ctx) { setOpGeneric(x, x.Args[1], 2, opUnion, false) }}),
		k1(&engine.Command{Name: "zinterstore", Arity: -4, Flags: w | oom, Fn: func(x *engine.Ctx) { setOpGeneric(x, x.Args[1], 2, opInter, false) }}),
		k1(&engine.Command{Name: "zdiffstore", Arity: -4, Flags: w | oom, Fn: func(x *engine.Ctx) { setOpGeneric(x, x.Args[1], 2, opDiff, false) }}),
		k1(&engine.Command{Name: "zscan", Arity: -3, Flags: ro, Fn: cmdZScan}),
	}, blockingCommands()...)
}

// lookup finds key and checks it holds a sorted set; ok is false after a WRONGTYPE reply.
func lookup(x *engine.Ctx, key []byte, write bool) (*engine.Object, bool) {
	var o *engine.Object
	if write {
		o = x.DB.LookupWrite(key)
	} else {
		o = x.DB.LookupRead(key)
	}
	if o != nil && o.Type() != engine.TypeZSet {
		x.WrongType()
		return nil, false
	}
	return o, true
}

// deleteIfEmpty removes key when o became empty and fires "del"; it reports whether it did.
func deleteIfEmpty(x *engine.Ctx, key []byte, o *engine.Object) bool {
	if Len(o) != 0 {
		return false
	}
	x.DB.Delete(key)
	return true
}

const nanErr = "ERR resulting score is not a number (NaN)"

func cmdZAdd(x *engine.Ctx)    { zaddGeneric(x, 0) }
func cmdZIncrBy(x *engine.Ctx) { zaddGeneric(x, inIncr) }

// zaddGeneric is zaddGenericCommand (ZADD and ZINCRBY).
func zaddGeneric(x *engine.Ctx, flags int) {
	args := x.Args
	key := args[1]
	ch := false
	idx := 2
	for ; idx < len(args); idx++ {
		a := args[idx]
		switch {
		case engine.EqualFold(a, "nx"):
			flags |= inNX
		case engine.EqualFold(a, "xx"):
			flags |= inXX
		case engine.EqualFold(a, "ch"):
			ch = true
		case engine.EqualFold(a, "incr"):
			flags |= inIncr
		case engine.EqualFold(a, "gt"):
			flags |= inGT
		case engine.EqualFold(a, "lt"):
			flags |= inLT
		default:
			goto parsed
		}
	}
parsed:
	incr := flags&inIncr != 0
	nx, xx, gt, lt := flags&inNX != 0, flags&inXX != 0, flags&inGT != 0, flags&inLT != 0
	elements := len(args) - idx
	if elements%2 != 0 || elements == 0 {
		x.SyntaxError()
		return
	}
	elements /= 2
	if nx && xx {
		x.Error("ERR XX and NX options at the same time are not compatible")
		return
	}
	if (gt && nx) || (lt && nx) || (gt && lt) {
		x.Error("ERR GT, LT, and/or NX options at the same time are not compatible")
		return
	}
	if incr && elements > 1 {
		x.Error("ERR INCR option supports a single increment-element pair")
		return
	}
	// Parse every score before touching the key: the command runs fully or not at all.
	var small [8]float64
	scores := small[:0]
	if elements > len(small) {
		scores = make([]float64, 0, elements)
	}
	for j := 0; j < elements; j++ {
		v, ok := parseDouble(args[idx+2*j])
		if !ok {
			x.Error(engine.ErrNotFloat)
			return
		}
		scores = append(scores, v)
	}
	o, ok := lookup(x, key, true)
	if !ok {
		return
	}
	added, updated, processed := 0, 0, 0
	var score float64
	set := &x.E.Set
	if o == nil {
		if xx {
			goto reply
		}
		var no engine.Object
		if set.ZSetMaxListpackEntries == 0 || set.ZSetMaxListpackValue < len(args[idx+1]) {
			no = newSkiplistObject()
		} else {
			no = NewListpackObject()
		}
		o = x.DB.Add(key, no)
	}
	for j := 0; j < elements; j++ {
		out, ns, ok := add(set, o, scores[j], args[idx+1+2*j], flags)
		if !ok {
			x.Error(nanErr)
			goto done
		}
		if out&outAdded != 0 {
			added++
		}
		if out&outUpdated != 0 {
			updated++
		}
		if out&outNop == 0 {
			processed++
		}
		score = ns
	}
	x.Dirty(int64(added + updated))
reply:
	if incr {
		if processed > 0 {
			writeScore(x.W, score)
		} else {
			x.Null()
		}
	} else if ch {
		x.Int(int64(added + updated))
	} else {
		x.Int(int64(added))
	}
done:
	if added > 0 || updated > 0 {
		x.SignalModified(key)
		ev := "zadd"
		if incr {
			ev = "zincr"
		}
		x.Notify(engine.NotifyZSet, ev, key)
	}
}

func cmdZRem(x *engine.Ctx) {
	key := x.Args[1]
	o, ok := lookup(x, key, true)
	if !ok {
		return
	}
	if o == nil {
		x.Int(0)
		return
	}
	deleted := 0
	removed := false
	for _, m := range x.Args[2:] {
		if del(o, m) {
			deleted++
		}
		if deleteIfEmpty(x, key, o) {
			removed = true
			break
		}
	}
	if deleted > 0 {
		x.Notify(engine.NotifyZSet, "zrem", key)
		if removed {
			x.Notify(engine.NotifyGeneric, "del", key)
		}
		x.SignalModified(key)
		x.Dirty(int64(deleted))
	}
	x.Int(int64(deleted))
}

func cmdZCard(x *engine.Ctx) {
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

func cmdZScore(x *engine.Ctx) {
	o, ok := lookup(x, x.Args[1], false)
	if !ok {
		return
	}
	if o == nil {
		x.Null()
		return
	}
	if s, found := getScore(o, x.Args[2]); found {
		writeScore(x.W, s)
	} else {
		x.Null()
	}
}

func cmdZMScore(x *engine.Ctx) {
	o, ok := lookup(x, x.Args[1], false)
	if !ok {
		return
	}
	x.ArrayLen(len(x.Args) - 2)
	for _, m := range x.Args[2:] {
		if o == nil {
			x.Null()
			continue
		}
		if s, found := getScore(o, m); found {
			writeScore(x.W, s)
		} else {
			x.Null()
		}
	}
}

func zrankGeneric(x *engine.Ctx, reverse bool) {
	o, ok := lookup(x, x.Args[1], false)
	if !ok {
		return
	}
	if o == nil {
		x.Null()
		return
	}
	if r := rank(o, x.Args[2], reverse); r >= 0 {
		x.Int(int64(r))
	} else {
		x.Null()
	}
}

const (
	errMinMaxFloat = "ERR min or max is not a float"
	errMinMaxLex   = "ERR min or max not valid string range item"
)

func cmdZCount(x *engine.Ctx) {
	r, ok := parseScoreRange(x.Args[2], x.Args[3])
	if !ok {
		x.Error(errMinMaxFloat)
		return
	}
	o, ok := lookup(x, x.Args[1], false)
	if !ok {
		return
	}
	if o == nil {
		x.Int(0)
		return
	}
	count := 0
	if o.Encoding() == engine.EncListpack {
		lp := o.Bytes()
		for off := zzlFirstInRange(lp, &r); off >= 0; off = zzlNext(lp, off) {
			if !r.lteMax(lpGetScore(lp, listpack.Next(lp, off))) {
				break
			}
			count++
		}
	} else {
		zsl := &zsOf(o).zsl
		if n := zsl.firstInRange(&r); n != nil {
			rk := zsl.rank(n.score, n.ele())
			count = zsl.length - int(rk-1)
			if n = zsl.lastInRange(&r); n != nil {
				rk = zsl.rank(n.score, n.ele())
				count -= zsl.length - int(rk)
			}
		}
	}
	x.Int(int64(count))
}

func cmdZLexCount(x *engine.Ctx) {
	r, ok := parseLexRange(x.Args[2], x.Args[3])
	if !ok {
		x.Error(errMinMaxLex)
		return
	}
	o, ok := lookup(x, x.Args[1], false)
	if !ok {
		return
	}
	if o == nil {
		x.Int(0)
		return
	}
	count := 0
	if o.Encoding() == engine.EncListpack {
		lp := o.Bytes()
		for off := zzlFirstInLexRange(lp, &r); off >= 0; off = zzlNext(lp, off) {
			if !lpLexLteMax(lp, off, &r) {
				break
			}
			count++
		}
	} else {
		zsl := &zsOf(o).zsl
		if n := zsl.firstInLexRange(&r); n != nil {
			rk := zsl.rank(n.score, n.ele())
			count = zsl.length - int(rk-1)
			if n = zsl.lastInLexRange(&r); n != nil {
				rk = zsl.rank(n.score, n.ele())
				count -= zsl.length - int(rk)
			}
		}
	}
	x.Int(int64(count))
}

// Range kinds and directions of the ZRANGE family (zrange_type, zrange_direction).
const (
	rangeAuto = iota
	rangeRank
	rangeScore
	rangeLex
)

const (
	dirAuto = iota
	dirForward
	dirReverse
)

// zremrangeGeneric implements ZREMRANGEBYRANK, ZREMRANGEBYSCORE and ZREMRANGEBYLEX.
func zremrangeGeneric(x *engine.Ctx, kind int) {
	key := x.Args[1]
	var (
		start, end int64
		sr         scoreRange
		lr         lexRange
		event      string
		ok         bool
	)
	switch kind {
	case rangeRank:
		event = "zremrangebyrank"
		if start, ok = x.ParseInt(2); !ok {
			return
		}
		if end, ok = x.ParseInt(3); !ok {
			return
		}
	case rangeScore:
		event = "zremrangebyscore"
		if sr, ok = parseScoreRange(x.Args[2], x.Args[3]); !ok {
			x.Error(errMinMaxFloat)
			return
		}
	case rangeLex:
		event = "zremrangebylex"
		if lr, ok = parseLexRange(x.Args[2], x.Args[3]); !ok {
			x.Error(errMinMaxLex)
			return
		}
	}
	o, ok := lookup(x, key, true)
	if !ok {
		return
	}
	if o == nil {
		x.Int(0)
		return
	}
	if kind == rangeRank {
		n := int64(Len(o))
		if start < 0 {
			start += n
		}
		if end < 0 {
			end += n
		}
		if start < 0 {
			start = 0
		}
		if start > end || start >= n {
			x.Int(0)
			return
		}
		if end >= n {
			end = n - 1
		}
	}
	deleted := 0
	if o.Encoding() == engine.EncListpack {
		lp := o.Bytes()
		switch kind {
		case rangeRank:
			lp = listpack.DeleteRange(lp, int(2*start), int(2*(end-start+1)))
			deleted = int(end - start + 1)
		case rangeScore:
			lp, deleted = zzlDeleteRangeByScore(lp, &sr)
		case rangeLex:
			lp, deleted = zzlDeleteRangeByLex(lp, &lr)
		}
		o.SetBytes(lp)
	} else {
		z := zsOf(o)
		switch kind {
		case rangeRank:
			deleted = z.deleteRangeByRank(uint64(start+1), uint64(end+1))
		case rangeScore:
			deleted = z.deleteRangeByScore(&sr)
		case rangeLex:
			deleted = z.deleteRangeByLex(&lr)
		}
	}
	removed := deleteIfEmpty(x, key, o)
	if deleted > 0 {
		x.SignalModified(key)
		x.Notify(engine.NotifyZSet, event, key)
		if removed {
			x.Notify(engine.NotifyGeneric, "del", key)
		}
	}
	x.Dirty(int64(deleted))
	x.Int(int64(deleted))
}
