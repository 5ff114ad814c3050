package tlist

import (
	"strconv"

	"github.com/redisctl/redisctl/engine"
)

// blockingCommands are BLPOP, BRPOP, BLMOVE, BRPOPLPUSH and BLMPOP (t_list.c's blocking
// half): served at once like their non-blocking forms when a key has elements, otherwise
// the client blocks on its keys (engine.Ctx.BlockOn) and ServeBlockedPop serves it when
// a key becomes ready.
func blockingCommands() []*engine.Command {
	w, oom, ns, bl := engine.FlagWrite, engine.FlagDenyOOM, engine.FlagNoScript, engine.FlagBlocking
	return []*engine.Command{
		{Name: "blpop", Arity: -3, Flags: w | ns | bl, FirstKey: 1, LastKey: -2, Step: 1,
			Fn: func(x *engine.Ctx) { blockingPop(x, x.Args[1:len(x.Args)-1], Left, len(x.Args)-1, -1) }},
		{Name: "brpop", Arity: -3, Flags: w | ns | bl, FirstKey: 1, LastKey: -2, Step: 1,
			Fn: func(x *engine.Ctx) { blockingPop(x, x.Args[1:len(x.Args)-1], Right, len(x.Args)-1, -1) }},
		{Name: "blmove", Arity: 6, Flags: w | oom | ns | bl, FirstKey: 1, LastKey: 2, Step: 1, Fn: cmdBLMove},
		{Name: "brpoplpush", Arity: 4, Flags: w | oom | ns | bl, FirstKey: 1, LastKey: 2, Step: 1, Fn: cmdBRPopLPush},
		{Name: "blmpop", Arity: -5, Flags: w | bl, Fn: cmdBLMPop},
	}
}

// blockingPop is blockingPopGenericCommand: keys in order, the first non-empty list is
// popped like LPOP/RPOP (count -1, reply [key, element]) or LMPOP (reply [key,
// [elements…]]); with none, the client blocks.
func blockingPop(x *engine.Ctx, keys [][]byte, where End, timeoutIdx int, count int64) {
	deadline, ok := x.ParseBlockTimeout(timeoutIdx)
	if !ok {
		return
	}
	for _, key := range keys {
		o, ok := Lookup(x, key, true)
		if !ok {
			return
		}
		if o == nil {
			continue
		}
		ql := FromObject(o)
		llen := int64(ql.count)
		if llen == 0 {
			continue
		}
		if count != -1 {
			PopRangeWithKey(x, key, o, where, count)
			x.Rewrite(popCommandName(where), key, strconv.AppendInt(nil, min(count, llen), 10))
			return
		}
		x.ArrayLen(2)
		x.Bulk(key)
		s, n, isInt, _ := ql.Peek(where)
		writeElem(x, s, n, isInt)
		ql.Pop(where)
		elementsRemoved(x, key, where, ql, 1)
		x.Rewrite(popCommandName(where), key)
		return
	}
	if !x.CanBlock() {
		x.NullArray()
		return
	}
	kind := BlockedPop
	if count != -1 {
		kind = BlockedMPop
	}
	req := BlockedRequest{Kind: kind, From: where, Count: count}
	x.BlockOn(engine.BlockList, keys, deadline, false, req.serve)
}

// serve is the engine.BlockServe of a list request.
func (req BlockedRequest) serve(x *engine.Ctx, key []byte, o *engine.Object) (served, deleted bool) {
	return true, ServeBlockedPop(x, key, o, req)
}

func cmdBLMove(x *engine.Ctx) {
	from, ok := parseEnd(x, 3)
	if !ok {
		return
	}
	to, ok := parseEnd(x, 4)
	if !ok {
		return
	}
	deadline, ok := x.ParseBlockTimeout(5)
	if !ok {
		return
	}
	blockingMove(x, from, to, deadline, BlockedMove)
}

func cmdBRPopLPush(x *engine.Ctx) {
	deadline, ok := x.ParseBlockTimeout(3)
	if !ok {
		return
	}
	blockingMove(x, Right, Left, deadline, BlockedRPopLPush)
}

// blockingMove is blmoveGenericCommand.
func blockingMove(x *engine.Ctx, from, to End, deadline int64, kind BlockedKind) {
	src, ok := Lookup(x, x.Args[1], true)
	if !ok {
		return
	}
	if src != nil {
		Move(x, x.Args[1], x.Args[2], from, to)
		if kind == BlockedMove {
			x.Rewrite(argLMove, x.Args[1], x.Args[2], x.Args[3], x.Args[4])
		} else {
			x.Rewrite(argRPopLPush, x.Args[1], x.Args[2])
		}
		return
	}
	if !x.CanBlock() {
		x.Null() // a blocking move that may not block replies like an empty LMOVE
		return
	}
	req := BlockedRequest{Kind: kind, From: from, To: to, DstKey: engine.CopyBytes(x.Args[2])}
	x.BlockOn(engine.BlockList, x.Args[1:2], deadline, false, req.serve)
}

// cmdBLMPop is BLMPOP timeout numkeys key… LEFT|RIGHT [COUNT count]: the arguments are
// checked before the timeout, as lmpopGenericCommand does.
func cmdBLMPop(x *engine.Ctx) {
	if keys, where, count, ok := parseMPop(x, 2); ok {
		blockingPop(x, keys, where, 1, count)
	}
}
