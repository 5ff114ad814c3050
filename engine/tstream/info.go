package tstream

import (
	"github.com/redisctl/redisctl/engine"
)

func bulkStr(x *engine.Ctx, s string) { x.W.WriteBulkString(s) }

func writeLag(x *engine.Ctx, s *Stream, g *Group) {
	if lag, ok := s.Lag(g); ok {
		x.Int(lag)
	} else {
		x.Null()
	}
}

func writeEntriesRead(x *engine.Ctx, g *Group) {
	if g.EntriesRead != InvalidEntriesRead {
		x.Int(g.EntriesRead)
	} else {
		x.Null()
	}
}

func cmdXInfo(x *engine.Ctx) {
	args := x.Args
	opt, key := args[1], args[2]
	o, ok := Lookup(x, key, false)
	if !ok {
		return
	}
	if o == nil {
		x.Error(engine.ErrNoSuchKey)
		return
	}
	s := FromObject(o)
	switch {
	case engine.EqualFold(opt, "consumers") && len(args) == 4:
		g := s.LookupGroup(args[3])
		if g == nil {
			errorf(x, "NOGROUP No such consumer group '", cString(args[3]), "' for key name '", cString(key), "'")
			return
		}
		x.ArrayLen(len(g.consumers))
		now := x.Now()
		for _, c := range g.consumers {
			x.W.WriteMapLen(3)
			bulkStr(x, "name")
			x.Bulk(c.Name)
			bulkStr(x, "pending")
			x.Int(int64(c.pel.Len()))
			bulkStr(x, "idle")
			x.Int(max(now-c.SeenTime, 0))
		}
	case engine.EqualFold(opt, "groups") && len(args) == 3:
		x.ArrayLen(len(s.groups))
		for _, g := range s.groups {
			x.W.WriteMapLen(6)
			bulkStr(x, "name")
			x.Bulk(g.Name)
			bulkStr(x, "consumers")
			x.Int(int64(len(g.consumers)))
			bulkStr(x, "pending")
			x.Int(int64(g.pel.Len()))
			bulkStr(x, "last-delivered-id")
			writeID(x, g.LastID)
			bulkStr(x, "entries-read")
			writeEntriesRead(x, g)
			bulkStr(x, "lag")
			writeLag(x, s, g)
		}
	case engine.EqualFold(opt, "stream"):
		xinfoStream(x, s)
	default:
		subcommandSyntaxError(x)
	}
}

// xinfoStream is xinfoReplyWithStreamInfo (Redis 7.0 fields).
func xinfoStream(x *engine.Ctx, s *Stream) {
	opts := x.Args[3:]
	full := false
	count := int64(10)
	if len(opts) > 0 {
		if len(opts) != 1 && len(opts) != 3 {
			subcommandSyntaxError(x)
			return
		}
		if !engine.EqualFold(opts[0], "full") {
			subcommandSyntaxError(x)
			return
		}
		if len(opts) == 3 {
			if !engine.EqualFold(opts[1], "count") {
				subcommandSyntaxError(x)
				return
			}
			v, ok := x.ParseInt(5)
			if !ok {
				return
			}
			if v < 0 {
				v = 10
			}
			count = v
		}
		full = true
	}
	if full {
		x.W.WriteMapLen(9)
	} else {
		x.W.WriteMapLen(10)
	}
	bulkStr(x, "length")
	x.Int(int64(s.length))
	bulkStr(x, "radix-tree-keys")
	x.Int(int64(len(s.nodes)))
	bulkStr(x, "radix-tree-nodes")
	x.Int(int64(s.RaxNodes()))
	bulkStr(x, "last-generated-id")
	writeID(x, s.lastID)
	bulkStr(x, "max-deleted-entry-id")
	writeID(x, s.maxDeletedID)
	bulkStr(x, "entries-added")
	x.Int(int64(s.entriesAdded))
	bulkStr(x, "recorded-first-entry-id")
	writeID(x, s.firstID)
	if !full {
		bulkStr(x, "groups")
		x.Int(int64(len(s.groups)))
		start, end := ID{}, MaxID
		bulkStr(x, "first-entry")
		if n, _ := replyRange(x, s, &start, &end, 1, false, nil, nil, rwrRawEntries, nil); n == 0 {
			x.Null()
		}
		bulkStr(x, "last-entry")
		if n, _ := replyRange(x, s, &start, &end, 1, true, nil, nil, rwrRawEntries, nil); n == 0 {
			x.Null()
		}
		return
	}
	bulkStr(x, "entries")
	replyRange(x, s, nil, nil, count, false, nil, nil, 0, nil)
	bulkStr(x, "groups")
	x.ArrayLen(len(s.groups))
	for _, g := range s.groups {
		x.W.WriteMapLen(7)
		bulkStr(x, "name")
		x.Bulk(g.Name)
		bulkStr(x, "last-delivered-id")
		writeID(x, g.LastID)
		bulkStr(x, "entries-read")
		writeEntriesRead(x, g)
		bulkStr(x, "lag")
		writeLag(x, s, g)
		bulkStr(x, "pel-count")
		x.Int(int64(g.pel.Len()))
		bulkStr(x, "pending")
		d := x.W.WriteDeferredLen()
		n := int64(0)
		g.pel.Each(func(id ID, nack *NACK) bool {
			if count != 0 && n >= count {
				return false
			}
			x.ArrayLen(4)
			writeID(x, id)
			x.Bulk(nack.Consumer.Name)
			x.Int(nack.DeliveryTime)
			x.Int(int64(nack.DeliveryCount))
			n++
			return true
		})
		x.W.SetArrayLen(d, int(n))
		bulkStr(x, "consumers")
		x.ArrayLen(len(g.consumers))
		for _, c := range g.consumers {
			x.W.WriteMapLen(4)
			bulkStr(x, "name")
			x.Bulk(c.Name)
			bulkStr(x, "seen-time")
			x.Int(c.SeenTime)
			bulkStr(x, "pel-count")
			x.Int(int64(c.pel.Len()))
			bulkStr(x, "pending")
			d := x.W.WriteDeferredLen()
			n := int64(0)
			c.pel.Each(func(id ID, nack *NACK) bool {
				if count != 0 && n >= count {
					return false
				}
				x.ArrayLen(3)
				writeID(x, id)
				x.Int(nack.DeliveryTime)
				x.Int(int64(nack.DeliveryCount))
				n++
				return true
			})
			x.W.SetArrayLen(d, int(n))
		}
	}
}
