package tzset

import (
	"strconv"

	"github.com/redisctl/redisctl/engine"
)

// blockingCommands are BZPOPMIN, BZPOPMAX and BZMPOP (blockingGenericZpopCommand): a
// non-empty key is popped at once like ZPOPMIN/ZPOPMAX/ZMPOP, otherwise the client blocks
// on its keys and is served by serveBlocked when one is filled.
func blockingCommands() []*engine.Command {
	w, ns, bl, fast := engine.FlagWrite, engine.FlagNoScript, engine.FlagBlocking, engine.FlagFast
	return []*engine.Command{
		{Name: "bzpopmin", Arity: -3, Flags: w | ns | bl | fast, FirstKey: 1, LastKey: -2, Step: 1,
			Fn: func(x *engine.Ctx) { bzpop(x, popMin) }},
		{Name: "bzpopmax", Arity: -3, Flags: w | ns | bl | fast, FirstKey: 1, LastKey: -2, Step: 1,
			Fn: func(x *engine.Ctx) { bzpop(x, popMax) }},
		{Name: "bzmpop", Arity: -5, Flags: w | bl, Fn: cmdBZMPop},
	}
}

func bzpop(x *engine.Ctx, where int) {
	blockingPop(x, x.Args[1:len(x.Args)-1], where, len(x.Args)-1, -1, false)
}

// cmdBZMPop is BZMPOP timeout numkeys key… MIN|MAX [COUNT count]: the arguments are
// checked before the timeout, as zmpopGenericCommand does.
func cmdBZMPop(x *engine.Ctx) {
	keys, where, count, ok := parseMPop(x, 2)
	if !ok {
		return
	}
	blockingPop(x, keys, where, 1, count, true)
}

// blockRequest is a blocked BZPOP*/BZMPOP client's pop (bpop.count, blockpos.wherefrom).
type blockRequest struct {
	where int
	count int64 // -1: BZPOPMIN/BZPOPMAX
	mpop  bool  // BZMPOP: nested reply, null when empty
}

// blockingPop is blockingGenericZpopCommand.
func blockingPop(x *engine.Ctx, keys [][]byte, where, timeoutIdx int, count int64, mpop bool) {
	deadline, ok := x.ParseBlockTimeout(timeoutIdx)
	if !ok {
		return
	}
	for _, key := range keys {
		o := x.DB.LookupWrite(key)
		if o == nil {
			continue
		}
		if o.Type() != engine.TypeZSet {
			x.WrongType()
			return
		}
		llen := int64(Len(o))
		if llen == 0 {
			continue
		}
		req := blockRequest{where: where, count: count, mpop: mpop}
		req.pop(x, key)
		if count == -1 {
			x.Rewrite(popCommands[where], key)
		} else {
			x.Rewrite(popCommands[where], key, strconv.AppendInt(nil, min(count, llen), 10))
		}
		return
	}
	if !x.CanBlock() {
		x.NullArray()
		return
	}
	req := blockRequest{where: where, count: count, mpop: mpop}
	x.BlockOn(engine.BlockZSet, keys, deadline, false, req.serve)
}

// pop is genericZpopCommand on one key with the blocked command's reply shape.
func (r blockRequest) pop(x *engine.Ctx, key []byte) {
	popGeneric(x, [][]byte{key}, popOpts{where: r.where, emitKey: true, count: r.count,
		nested: r.mpop, nilIfEmpty: r.mpop})
}

// serve is the engine.BlockServe of a blocked BZPOP*/BZMPOP
// (serveClientsBlockedOnSortedSetKey): pop, reply, propagate ZPOPMIN/ZPOPMAX key [count].
func (r blockRequest) serve(x *engine.Ctx, key []byte, o *engine.Object) (served, deleted bool) {
	llen := int64(Len(o))
	n := r.count
	if n == -1 {
		n = 1
	}
	r.pop(x, key)
	if r.count == -1 {
		x.AlsoPropagate(popCommands[r.where], key)
	} else {
		x.AlsoPropagate(popCommands[r.where], key, strconv.AppendInt(nil, min(r.count, llen), 10))
	}
	return true, n >= llen
}
