package tlist

import (
	"strconv"

	"github.com/redisctl/redisctl/engine"
)

// BlockedKind is what a client blocked on a list key asked for.
type BlockedKind uint8

// The blocking list commands.
const (
	BlockedPop       BlockedKind = iota // BLPOP, BRPOP
	BlockedMPop                         // BLMPOP
	BlockedMove                         // BLMOVE
	BlockedRPopLPush                    // BRPOPLPUSH
)

// BlockedRequest describes a blocked client's pending pop (Redis's bpop state).
type BlockedRequest struct {
	Kind   BlockedKind
	From   End    // wherefrom: the end popped
	To     End    // whereto: the end pushed on DstKey (BLMOVE, BRPOPLPUSH)
	Count  int64  // BLMPOP's COUNT (at least 1)
	DstKey []byte // BLMOVE, BRPOPLPUSH destination
}

var (
	argLMove     = []byte("LMOVE")
	argRPopLPush = []byte("RPOPLPUSH")
	argLeft      = []byte("left") // shared.left, as served BLMOVEs propagate it
	argRight     = []byte("right")
)

func endArg(e End) []byte {
	if e == Left {
		return argLeft
	}
	return argRight
}

// ServeBlockedPop serves one client blocked on key, which now holds the non-empty list o
// (serveClientBlockedOnList in Redis 7.0). x must be the receiver's context: x.DB is the
// database where key became ready, x.W the receiver's reply writer. It
//
//   - BLPOP/BRPOP: pops one element, replies [key, element], fires lpop/rpop;
//   - BLMPOP: pops up to Count elements, replies [key, [elements…]];
//   - BLMOVE/BRPOPLPUSH: pops one element and pushes it on DstKey (created if missing),
//     replying with the element, or replies WRONGTYPE (popping nothing) when DstKey holds
//     another type;
//
// deletes key when it became empty (with the "del" event), and propagates what Redis
// propagates with x.AlsoPropagate: LPOP/RPOP key, LPOP/RPOP key n, LMOVE src dst from to
// or RPOPLPUSH src dst. The slices passed to AlsoPropagate (key, DstKey) must stay valid
// until the unit of propagation is flushed, and the caller must keep the blocked command
// itself from being propagated (x.NoPropagate), since this function propagates its effects.
// It reports whether key was deleted.
func ServeBlockedPop(x *engine.Ctx, key []byte, o *engine.Object, req BlockedRequest) (deleted bool) {
	ql := FromObject(o)
	switch req.Kind {
	case BlockedMPop:
		n := min(req.Count, int64(ql.count))
		x.AlsoPropagate(popCommandName(req.From), key, strconv.AppendInt(nil, n, 10))
		_, deleted = PopRangeWithKey(x, key, o, req.From, req.Count)
		return deleted
	case BlockedPop:
		x.AlsoPropagate(popCommandName(req.From), key)
		x.ArrayLen(2)
		x.Bulk(key)
		s, n, isInt, _ := ql.Peek(req.From)
		writeElem(x, s, n, isInt)
		ql.Pop(req.From)
		x.Notify(engine.NotifyList, popEvent(req.From), key)
	default:
		dst := x.DB.LookupWrite(req.DstKey)
		if dst != nil && dst.Type() != engine.TypeList {
			x.WrongType()
			break
		}
		bp := popValue(ql, req.From)
		moveHandlePush(x, req.DstKey, dst, *bp, req.To)
		putValue(bp)
		if req.Kind == BlockedRPopLPush {
			x.AlsoPropagate(argRPopLPush, key, req.DstKey)
		} else {
			x.AlsoPropagate(argLMove, key, req.DstKey, endArg(req.From), endArg(req.To))
		}
		x.Notify(engine.NotifyList, popEvent(req.From), key)
	}
	if ql.count == 0 {
		deleted = true
		x.DB.Delete(key)
		x.Notify(engine.NotifyGeneric, "del", key)
	}
	return deleted
}
