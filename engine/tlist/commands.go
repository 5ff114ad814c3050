package tlist

import (
	"strconv"
	"sync"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/rdb/listpack"
	"github.com/redisctl/redisctl/resp"
)

// Commands returns the list commands of Redis 7.0, the blocking ones included
// (bcommands.go).
func Commands() []*engine.Command {
	w, ro, fast, oom := engine.FlagWrite, engine.FlagReadOnly, engine.FlagFast, engine.FlagDenyOOM
	k1 := func(c *engine.Command) *engine.Command { c.FirstKey, c.LastKey, c.Step = 1, 1, 1; return c }
	return append([]*engine.Command{
		k1(&engine.Command{Name: "lpush", Arity: -3, Flags: w | oom | fast, Fn: func(x *engine.Ctx) { pushGeneric(x, Left, false) }}),
		k1(&engine.Command{Name: "rpush", Arity: -3, Flags: w | oom | fast, Fn: func(x *engine.Ctx) { pushGeneric(x, Right, false) }}),
		k1(&engine.Command{Name: "lpushx", Arity: -3, Flags: w | oom | fast, Fn: func(x *engine.Ctx) { pushGeneric(x, Left, true) }}),
		k1(&engine.Command{Name: "rpushx", Arity: -3, Flags: w | oom | fast, Fn: func(x *engine.Ctx) { pushGeneric(x, Right, true) }}),
		k1(&engine.Command{Name: "lpop", Arity: -2, Flags: w | fast, Fn: func(x *engine.Ctx) { popGeneric(x, Left) }}),
		k1(&engine.Command{Name: "rpop", Arity: -2, Flags: w | fast, Fn: func(x *engine.Ctx) { popGeneric(x, Right) }}),
		k1(&engine.Command{Name: "llen", Arity: 2, Flags: ro | fast, Fn: cmdLLen}),
		k1(&engine.Command{Name: "lindex", Arity: 3, Flags: ro, Fn: cmdLIndex}),
		k1(&engine.Command{Name: "lset", Arity: 4, Flags: w | oom, Fn: cmdLSet}),
		k1(&engine.Command{Name: "lrange", Arity: 4, Flags: ro, Fn: cmdLRange}),
		k1(&engine.Command{Name: "ltrim", Arity: 4, Flags: w, Fn: cmdLTrim}),
		k1(&engine.Command{Name: "linsert", Arity: 5, Flags: w | oom, Fn: cmdLInsert}),
		k1(&engine.Command{Name: "lrem", Arity: 4, Flags: w, Fn: cmdLRem}),
		k1(&engine.Command{Name: "lpos", Arity: -3, Flags: ro, Fn: cmdLPos}),
		{Name: "rpoplpush", Arity: 3, Flags: w | oom, FirstKey: 1, LastKey: 2, Step: 1, Fn: func(x *engine.Ctx) { Move(x, x.Args[1], x.Args[2], Right, Left) }},
		{Name: "lmove", Arity: 5, Flags: w | oom, FirstKey: 1, LastKey: 2, Step: 1, Fn: cmdLMove},
		{Name: "lmpop", Arity: -4, Flags: w, Fn: cmdLMPop},
	}, blockingCommands()...)
}

// Lookup finds key and checks that it holds a list: o is nil for a missing key; ok is
// false after a WRONGTYPE reply.
func Lookup(x *engine.Ctx, key []byte, write bool) (o *engine.Object, ok bool) {
	if write {
		o = x.DB.LookupWrite(key)
	} else {
		o = x.DB.LookupRead(key)
	}
	if o != nil && o.Type() != engine.TypeList {
		x.WrongType()
		return nil, false
	}
	return o, true
}

// writeElem replies with one element.
func writeElem(x *engine.Ctx, s []byte, n int64, isInt bool) {
	if isInt {
		x.W.WriteBulkInt(n)
	} else {
		x.W.WriteBulk(s)
	}
}

// popEvent is the notification of a pop from where.
func popEvent(where End) string {
	if where == Left {
		return "lpop"
	}
	return "rpop"
}

func pushEvent(where End) string {
	if where == Left {
		return "lpush"
	}
	return "rpush"
}

// pushGeneric is pushGenericCommand (LPUSH, RPUSH, LPUSHX, RPUSHX).
func pushGeneric(x *engine.Ctx, where End, xx bool) {
	key := x.Args[1]
	o, ok := Lookup(x, key, true)
	if !ok {
		return
	}
	if o == nil {
		if xx {
			x.Int(0)
			return
		}
		o = x.DB.Add(key, NewObject(New(&x.E.Set)))
	}
	ql := FromObject(o)
	for _, v := range x.Args[2:] {
		ql.Push(v, where)
		x.Dirty(1)
	}
	x.Int(int64(ql.count))
	x.SignalModified(key)
	x.Notify(engine.NotifyList, pushEvent(where), key)
}

func cmdLLen(x *engine.Ctx) {
	o, ok := Lookup(x, x.Args[1], false)
	if !ok {
		return
	}
	if o == nil {
		x.Int(0)
		return
	}
	x.Int(int64(FromObject(o).count))
}

func cmdLIndex(x *engine.Ctx) {
	o, ok := Lookup(x, x.Args[1], false)
	if !ok {
		return
	}
	if o == nil {
		x.Null()
		return
	}
	index, ok := x.ParseInt(2)
	if !ok {
		return
	}
	s, n, isInt, found := FromObject(o).Index(index)
	if !found {
		x.Null()
		return
	}
	writeElem(x, s, n, isInt)
}

func cmdLSet(x *engine.Ctx) {
	key := x.Args[1]
	o, ok := Lookup(x, key, true)
	if !ok {
		return
	}
	if o == nil {
		x.Error(engine.ErrNoSuchKey)
		return
	}
	index, ok := x.ParseInt(2)
	if !ok {
		return
	}
	if !FromObject(o).ReplaceAt(index, x.Args[3]) {
		x.Error(engine.ErrIndexRange)
		return
	}
	x.OK()
	x.SignalModified(key)
	x.Notify(engine.NotifyList, "lset", key)
	x.Dirty(1)
}

// WriteRange replies with the elements from start to end (inclusive, negative from the
// tail, clamped as addListRangeReply does), from end to start when reverse.
func WriteRange(x *engine.Ctx, ql *Quicklist, start, end int64, reverse bool) {
	llen := int64(ql.count)
	if start < 0 {
		start += llen
	}
	if end < 0 {
		end += llen
	}
	if start < 0 {
		start = 0
	}
	if start > end || start >= llen {
		x.ArrayLen(0)
		return
	}
	if end >= llen {
		end = llen - 1
	}
	rangelen := end - start + 1
	x.ArrayLen(int(rangelen))
	from, dir := start, fromHead
	if reverse {
		from, dir = end, fromTail
	}
	it, ok := ql.iteratorAtIdx(dir, from)
	if !ok {
		return
	}
	var e entry
	for ; rangelen > 0 && it.next(&e); rangelen-- {
		writeElem(x, e.s, e.n, e.isInt)
	}
	it.release()
}

func cmdLRange(x *engine.Ctx) {
	start, ok := x.ParseInt(2)
	if !ok {
		return
	}
	end, ok := x.ParseInt(3)
	if !ok {
		return
	}
	o, ok := Lookup(x, x.Args[1], false)
	if !ok {
		return
	}
	if o == nil {
		x.ArrayLen(0)
		return
	}
	WriteRange(x, FromObject(o), start, end, false)
}

func cmdLTrim(x *engine.Ctx) {
	key := x.Args[1]
	start, ok := x.ParseInt(2)
	if !ok {
		return
	}
	end, ok := x.ParseInt(3)
	if !ok {
		return
	}
	o, ok := Lookup(x, key, true)
	if !ok {
		return
	}
	if o == nil {
		x.OK()
		return
	}
	ql := FromObject(o)
	llen := int64(ql.count)
	if start < 0 {
		start += llen
	}
	if end < 0 {
		end += llen
	}
	if start < 0 {
		start = 0
	}
	var ltrim, rtrim int64
	if start > end || start >= llen {
		ltrim, rtrim = llen, 0
	} else {
		if end >= llen {
			end = llen - 1
		}
		ltrim, rtrim = start, llen-end-1
	}
	ql.DelRange(0, ltrim)
	ql.DelRange(-rtrim, rtrim)
	x.Notify(engine.NotifyList, "ltrim", key)
	if ql.count == 0 {
		x.DB.Delete(key)
		x.Notify(engine.NotifyGeneric, "del", key)
	}
	x.SignalModified(key)
	x.Dirty(ltrim + rtrim)
	x.OK()
}

func cmdLInsert(x *engine.Ctx) {
	key := x.Args[1]
	var after bool
	switch {
	case engine.EqualFold(x.Args[2], "after"):
		after = true
	case engine.EqualFold(x.Args[2], "before"):
	default:
		x.SyntaxError()
		return
	}
	o, ok := Lookup(x, key, true)
	if !ok {
		return
	}
	if o == nil {
		x.Int(0)
		return
	}
	ql := FromObject(o)
	pivot := x.Args[3]
	pi, pIsInt := listpack.ParseInt(pivot)
	it, _ := ql.iteratorAtIdx(fromHead, 0)
	inserted := false
	var e entry
	for it.next(&e) {
		if e.equal(pivot, pi, pIsInt) {
			ql.insert(&it, &e, x.Args[4], after)
			inserted = true
			break
		}
	}
	it.release()
	if !inserted {
		x.Int(-1)
		return
	}
	x.SignalModified(key)
	x.Notify(engine.NotifyList, "linsert", key)
	x.Dirty(1)
	x.Int(int64(ql.count))
}

func cmdLRem(x *engine.Ctx) {
	key := x.Args[1]
	toremove, ok := x.ParseInt(2)
	if !ok {
		return
	}
	o, ok := Lookup(x, key, true)
	if !ok {
		return
	}
	if o == nil {
		x.Int(0)
		return
	}
	ql := FromObject(o)
	v := x.Args[3]
	vi, vIsInt := listpack.ParseInt(v)
	var it iter
	if toremove < 0 {
		toremove = -toremove
		it, _ = ql.iteratorAtIdx(fromTail, -1)
	} else {
		it, _ = ql.iteratorAtIdx(fromHead, 0)
	}
	var removed int64
	var e entry
	for it.next(&e) {
		if e.equal(v, vi, vIsInt) {
			it.delEntry(&e)
			x.Dirty(1)
			removed++
			if toremove != 0 && removed == toremove {
				break
			}
		}
	}
	it.release()
	if removed > 0 {
		x.SignalModified(key)
		x.Notify(engine.NotifyList, "lrem", key)
	}
	if ql.count == 0 {
		x.DB.Delete(key)
		x.Notify(engine.NotifyGeneric, "del", key)
	}
	x.Int(removed)
}

// positiveLong is getPositiveLongFromObjectOrReply with its custom message (used for
// both a non-integer and a negative value).
func positiveLong(x *engine.Ctx, i int, msg string) (int64, bool) {
	v, ok := engine.ParseInt(x.Args[i])
	if !ok || v < 0 {
		x.Error(msg)
		return 0, false
	}
	return v, true
}

// rangeLong is getRangeLongFromObjectOrReply with a custom message.
func rangeLong(x *engine.Ctx, i int, lo, hi int64, msg string) (int64, bool) {
	v, ok := engine.ParseInt(x.Args[i])
	if !ok || v < lo || v > hi {
		x.Error(msg)
		return 0, false
	}
	return v, true
}

func cmdLPos(x *engine.Ctx) {
	ele := x.Args[2]
	dir := fromHead
	rank, count, maxlen := int64(1), int64(-1), int64(0)
	for j := 3; j < len(x.Args); j++ {
		opt := x.Args[j]
		more := len(x.Args) - 1 - j
		switch {
		case engine.EqualFold(opt, "rank") && more > 0:
			j++
			v, ok := x.ParseInt(j)
			if !ok {
				return
			}
			if v == 0 {
				x.Error("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list")
				return
			}
			rank = v
		case engine.EqualFold(opt, "count") && more > 0:
			j++
			v, ok := positiveLong(x, j, "ERR COUNT can't be negative")
			if !ok {
				return
			}
			count = v
		case engine.EqualFold(opt, "maxlen") && more > 0:
			j++
			v, ok := positiveLong(x, j, "ERR MAXLEN can't be negative")
			if !ok {
				return
			}
			maxlen = v
		default:
			x.SyntaxError()
			return
		}
	}
	if rank < 0 {
		rank = -rank // LONG_MIN stays negative, as in Redis
		dir = fromTail
	}
	o, ok := Lookup(x, x.Args[1], false)
	if !ok {
		return
	}
	if o == nil {
		if count != -1 {
			x.ArrayLen(0)
		} else {
			x.Null()
		}
		return
	}
	ql := FromObject(o)
	withCount := count != -1
	var arrayLen int
	var deferred resp.Deferred
	if withCount {
		deferred = x.W.WriteDeferredLen()
	}
	var it iter
	if dir == fromTail {
		it, _ = ql.iteratorAtIdx(fromTail, -1)
	} else {
		it, _ = ql.iteratorAtIdx(fromHead, 0)
	}
	llen := int64(ql.count)
	ei, eIsInt := listpack.ParseInt(ele)
	var index, matches int64
	matchIndex := int64(-1)
	var e entry
	for it.next(&e) && (maxlen == 0 || index < maxlen) {
		if e.equal(ele, ei, eIsInt) {
			matches++
			if dir == fromHead {
				matchIndex = index
			} else {
				matchIndex = llen - index - 1
			}
			if matches >= rank {
				if withCount {
					arrayLen++
					x.Int(matchIndex)
					if count != 0 && matches-rank+1 >= count {
						break
					}
				} else {
					break
				}
			}
		}
		index++
		matchIndex = -1
	}
	it.release()
	if withCount {
		x.W.SetArrayLen(deferred, arrayLen)
		return
	}
	if matchIndex != -1 {
		x.Int(matchIndex)
	} else {
		x.Null()
	}
}

// elementsRemoved is listElementsRemoved: notify, delete an emptied key, signal, count.
// It reports whether the key was deleted.
func elementsRemoved(x *engine.Ctx, key []byte, where End, ql *Quicklist, count int64) bool {
	x.Notify(engine.NotifyList, popEvent(where), key)
	deleted := false
	if ql.count == 0 {
		deleted = true
		x.DB.Delete(key)
		x.Notify(engine.NotifyGeneric, "del", key)
	}
	x.SignalModified(key)
	x.Dirty(count)
	return deleted
}

// popRange pops up to count elements from where, replying with them (addListRangeReply +
// listTypeDelRange). It returns how many were popped.
func popRange(x *engine.Ctx, ql *Quicklist, where End, count int64) int64 {
	llen := int64(ql.count)
	rangelen := min(count, llen)
	if where == Left {
		WriteRange(x, ql, 0, rangelen-1, false)
		ql.DelRange(0, rangelen)
	} else {
		WriteRange(x, ql, -rangelen, -1, true)
		ql.DelRange(-rangelen, rangelen)
	}
	return rangelen
}

// PopOne pops one element from a non-empty list and replies with it as a bulk string,
// then does listElementsRemoved. It reports whether the key was deleted. BLPOP/BRPOP
// reply [key, element] themselves: see ServeBlockedPop.
func PopOne(x *engine.Ctx, key []byte, o *engine.Object, where End) bool {
	ql := FromObject(o)
	s, n, isInt, _ := ql.Peek(where)
	writeElem(x, s, n, isInt)
	ql.Pop(where)
	return elementsRemoved(x, key, where, ql, 1)
}

// PopRangeWithKey is listPopRangeAndReplyWithKey: it replies [key, [elements…]] with up
// to count elements popped from where, and does listElementsRemoved. It returns the
// number popped and whether the key was deleted. LMPOP and BLMPOP use it.
func PopRangeWithKey(x *engine.Ctx, key []byte, o *engine.Object, where End, count int64) (popped int64, deleted bool) {
	ql := FromObject(o)
	x.ArrayLen(2)
	x.Bulk(key)
	popped = popRange(x, ql, where, count)
	return popped, elementsRemoved(x, key, where, ql, popped)
}

// popGeneric is popGenericCommand (LPOP, RPOP with an optional count).
func popGeneric(x *engine.Ctx, where End) {
	hasCount := len(x.Args) == 3
	var count int64
	if len(x.Args) > 3 {
		x.Error("ERR wrong number of arguments for '" + x.Cmd.Name + "' command")
		return
	} else if hasCount {
		v, ok := positiveLong(x, 2, "ERR value is out of range, must be positive")
		if !ok {
			return
		}
		count = v
	}
	key := x.Args[1]
	o, ok := Lookup(x, key, true)
	if !ok {
		return
	}
	if o == nil {
		if hasCount {
			x.NullArray()
		} else {
			x.Null()
		}
		return
	}
	if hasCount && count == 0 {
		x.ArrayLen(0)
		return
	}
	if !hasCount {
		PopOne(x, key, o, where)
		return
	}
	ql := FromObject(o)
	n := popRange(x, ql, where, count)
	elementsRemoved(x, key, where, ql, n)
}

// parseEnd is getListPositionFromObjectOrReply.
func parseEnd(x *engine.Ctx, i int) (End, bool) {
	switch {
	case engine.EqualFold(x.Args[i], "right"):
		return Right, true
	case engine.EqualFold(x.Args[i], "left"):
		return Left, true
	}
	x.SyntaxError()
	return 0, false
}

func cmdLMove(x *engine.Ctx) {
	from, ok := parseEnd(x, 3)
	if !ok {
		return
	}
	to, ok := parseEnd(x, 4)
	if !ok {
		return
	}
	Move(x, x.Args[1], x.Args[2], from, to)
}

// valuePool holds the buffers a popped element is copied into before it is pushed on
// another (or the same) list.
var valuePool = sync.Pool{New: func() any { b := make([]byte, 0, 64); return &b }}

// moveHandlePush is lmoveHandlePush: create the destination if needed, push, notify and
// reply with the element.
func moveHandlePush(x *engine.Ctx, dstKey []byte, dst *engine.Object, v []byte, where End) {
	if dst == nil {
		dst = x.DB.Add(dstKey, NewObject(New(&x.E.Set)))
	}
	x.SignalModified(dstKey)
	FromObject(dst).Push(v, where)
	x.Notify(engine.NotifyList, pushEvent(where), dstKey)
	x.Bulk(v)
}

// popValue pops one element from a non-empty list into a pooled buffer (the caller puts
// it back).
func popValue(ql *Quicklist, where End) *[]byte {
	bp := valuePool.Get().(*[]byte)
	s, n, isInt, _ := ql.Peek(where)
	if isInt {
		*bp = strconv.AppendInt((*bp)[:0], n, 10)
	} else {
		*bp = append((*bp)[:0], s...)
	}
	ql.Pop(where)
	return bp
}

func putValue(bp *[]byte) {
	if cap(*bp) > 64<<10 {
		return
	}
	valuePool.Put(bp)
}

// Move is lmoveGenericCommand (LMOVE, RPOPLPUSH, and BLMOVE/BRPOPLPUSH when the source
// is not empty): pop from src's from end, push on dst's to end, reply with the element
// (null when src is missing).
func Move(x *engine.Ctx, srcKey, dstKey []byte, from, to End) {
	src, ok := Lookup(x, srcKey, true)
	if !ok {
		return
	}
	if src == nil {
		x.Null()
		return
	}
	sql := FromObject(src)
	if sql.count == 0 {
		x.Null()
		return
	}
	dst, ok := Lookup(x, dstKey, true)
	if !ok {
		return
	}
	bp := popValue(sql, from)
	moveHandlePush(x, dstKey, dst, *bp, to)
	putValue(bp)
	x.Notify(engine.NotifyList, popEvent(from), srcKey)
	if sql.count == 0 {
		x.DB.Delete(srcKey)
		x.Notify(engine.NotifyGeneric, "del", srcKey)
	}
	x.SignalModified(srcKey)
	x.Dirty(1)
}

var (
	argLPop = []byte("LPOP")
	argRPop = []byte("RPOP")
)

func popCommandName(where End) []byte {
	if where == Left {
		return argLPop
	}
	return argRPop
}

func cmdLMPop(x *engine.Ctx) {
	if keys, where, count, ok := parseMPop(x, 1); ok {
		MPop(x, keys, where, count)
	}
}

// parseMPop parses "numkeys key… LEFT|RIGHT [COUNT count]" with numkeys at
// x.Args[numkeysIdx] (LMPOP and BLMPOP), replying on error as lmpopGenericCommand does.
func parseMPop(x *engine.Ctx, numkeysIdx int) (keys [][]byte, where End, count int64, ok bool) {
	numkeys, ok := rangeLong(x, numkeysIdx, 1, 1<<63-1, "ERR numkeys should be greater than 0")
	if !ok {
		return nil, where, 0, false
	}
	if numkeys >= int64(len(x.Args)-numkeysIdx-1) {
		x.SyntaxError()
		return nil, where, 0, false
	}
	whereIdx := numkeysIdx + int(numkeys) + 1
	if where, ok = parseEnd(x, whereIdx); !ok {
		return nil, where, 0, false
	}
	count = -1
	for j := whereIdx + 1; j < len(x.Args); j++ {
		more := len(x.Args) - 1 - j
		if count == -1 && engine.EqualFold(x.Args[j], "count") && more > 0 {
			j++
			v, ok := rangeLong(x, j, 1, 1<<63-1, "ERR count should be greater than 0")
			if !ok {
				return nil, where, 0, false
			}
			count = v
		} else {
			x.SyntaxError()
			return nil, where, 0, false
		}
	}
	if count == -1 {
		count = 1
	}
	return x.Args[numkeysIdx+1 : whereIdx], where, count, true
}

// MPop is mpopGenericCommand: pop up to count elements from the first non-empty list
// among keys, reply [key, [elements…]] (null array when all are missing), and propagate
// as "LPOP|RPOP key n". It reports whether something was popped.
func MPop(x *engine.Ctx, keys [][]byte, where End, count int64) bool {
	for _, key := range keys {
		o, ok := Lookup(x, key, true)
		if !ok {
			return false
		}
		if o == nil || FromObject(o).count == 0 {
			continue
		}
		n, _ := PopRangeWithKey(x, key, o, where, count)
		x.Rewrite(popCommandName(where), key, strconv.AppendInt(nil, n, 10))
		return true
	}
	x.NullArray()
	return false
}
