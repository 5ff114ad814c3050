package tstream

import (
	"bytes"

	"github.com/redisctl/redisctl/engine"
)

// xreadBlockedDefaultCount is the COUNT a blocked XREAD/XREADGROUP without COUNT is
// served with (XREAD_BLOCKED_DEFAULT_COUNT).
const xreadBlockedDefaultCount = 1000

func init() {
	BlockHook = blockRead
	OnKeyReady = func(db *engine.DB, key []byte) { db.SignalReady(key, engine.TypeStream) }
}

// blockRead blocks an XREAD/XREADGROUP that found nothing (the BLOCK part of
// xreadCommand). It returns false when the client may not block (MULTI, scripts): the
// command then replies with a null array.
func blockRead(x *engine.Ctx, req *BlockRequest) bool {
	if !x.CanBlock() {
		return false
	}
	r := &BlockRequest{IDs: req.IDs, TimeoutMs: req.TimeoutMs, Count: req.Count, NoAck: req.NoAck}
	if r.Count == 0 {
		r.Count = xreadBlockedDefaultCount
	}
	r.Keys = make([][]byte, len(req.Keys))
	for i, k := range req.Keys {
		r.Keys[i] = bytes.Clone(k)
	}
	if req.Group != nil {
		r.Group, r.Consumer = bytes.Clone(req.Group), bytes.Clone(req.Consumer)
	}
	x.BlockOn(engine.BlockStream, req.Keys, req.TimeoutMs, req.Group != nil,
		func(x *engine.Ctx, key []byte, o *engine.Object) (served, deleted bool) {
			return ServeBlocked(x, key, o, r), false
		})
	return true
}

// ServeBlocked serves one client blocked in XREAD/XREADGROUP on key, which now holds the
// stream o (serveClientsBlockedOnStreamKey in Redis 7.0). x must be the receiver's
// context (its reply writer, the database where key became ready); req is what BlockHook
// was given, and req.IDs[i] for this key is updated as Redis updates the blocked ID.
//
// For a group it resolves the group again (gone: it replies the NOGROUP error and
// returns served=true, unblock the client) and waits for entries past the group's last
// delivered ID; for XREAD it waits for entries past the requested ID. When the stream's
// last ID is past that point it replies [[key, entries]] (a one-entry map in RESP3),
// creating the consumer if needed, filling the PEL and propagating XCLAIM / XGROUP SETID /
// XGROUP CREATECONSUMER through x.AlsoPropagate as XREADGROUP does, and returns true: the
// caller unblocks the client. It returns false, writing nothing, when there is nothing
// new yet.
func ServeBlocked(x *engine.Ctx, key []byte, o *engine.Object, req *BlockRequest) (served bool) {
	s := FromObject(o)
	idx := -1
	for i, k := range req.Keys {
		if string(k) == string(key) {
			idx = i
			break
		}
	}
	if idx < 0 {
		return false
	}
	gt := req.IDs[idx]
	var g *Group
	if req.Group != nil {
		if g = s.LookupGroup(req.Group); g == nil {
			x.Error("NOGROUP the consumer group this client was blocked on no longer exists")
			return true
		}
		gt = g.LastID
		req.IDs[idx] = gt
	}
	if s.lastID.Compare(gt) <= 0 {
		return false
	}
	start, _ := gt.Incr()
	var c *Consumer
	if g != nil {
		c = g.LookupConsumer(req.Consumer)
		if c == nil {
			c = g.CreateConsumer(req.Consumer, x.Now())
			x.Dirty(1)
			x.Notify(engine.NotifyStream, "xgroup-createconsumer", key)
			if req.NoAck {
				propagateConsumerCreation(x, key, req.Group, req.Consumer)
			}
		} else {
			c.SeenTime = x.Now()
		}
	}
	if x.W.Protocol() == 2 {
		x.ArrayLen(1)
		x.ArrayLen(2)
	} else {
		x.W.WriteMapLen(1)
	}
	x.Bulk(key)
	flags := 0
	if req.NoAck {
		flags |= rwrNoAck
	}
	var spi *propInfo
	if g != nil {
		spi = &propInfo{key: key, group: req.Group}
	}
	replyRange(x, s, &start, nil, req.Count, false, g, c, flags, spi)
	return true
}
