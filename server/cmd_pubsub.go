package server

import (
	"strings"

	"github.com/redisctl/redisctl/engine"
)

// Pub/sub subscription commands. PUBLISH and the registry are the engine's; the replies
// are pushes in RESP3 and arrays in RESP2, where a client with subscriptions enters the
// pub/sub context (engine.ClientPubSub).

func subReply(x *engine.Ctx, kind string, ch []byte, null bool) {
	w := x.W
	w.WritePushLen(3)
	w.WriteBulkString(kind)
	if null {
		w.WriteNull()
	} else {
		w.WriteBulk(ch)
	}
	w.WriteInt(int64(x.C.NumSubscriptions()))
}

func updatePubSubFlag(c *engine.Client) {
	if c.NumSubscriptions() > 0 {
		c.Flags |= engine.ClientPubSub
	} else {
		c.Flags &^= engine.ClientPubSub
	}
}

func cmdSubscribe(x *engine.Ctx) {
	for _, ch := range x.Args[1:] {
		x.E.PubSub.Subscribe(x.C, ch)
		x.C.Flags |= engine.ClientPubSub
		subReply(x, "subscribe", ch, false)
	}
}

func cmdPSubscribe(x *engine.Ctx) {
	for _, p := range x.Args[1:] {
		x.E.PubSub.PSubscribe(x.C, p)
		x.C.Flags |= engine.ClientPubSub
		subReply(x, "psubscribe", p, false)
	}
}

func cmdUnsubscribe(x *engine.Ctx) {
	c := x.C
	if len(x.Args) == 1 {
		chans := c.ClientChannels()
		for _, ch := range chans {
			x.E.PubSub.Unsubscribe(c, []byte(ch))
			subReply(x, "unsubscribe", []byte(ch), false)
		}
		if len(chans) == 0 {
			subReply(x, "unsubscribe", nil, true)
		}
	} else {
		for _, ch := range x.Args[1:] {
			x.E.PubSub.Unsubscribe(c, ch)
			subReply(x, "unsubscribe", ch, false)
		}
	}
	updatePubSubFlag(c)
}

func cmdPUnsubscribe(x *engine.Ctx) {
	c := x.C
	if len(x.Args) == 1 {
		pats := c.ClientPatterns()
		for _, p := range pats {
			x.E.PubSub.PUnsubscribe(c, []byte(p))
			subReply(x, "punsubscribe", []byte(p), false)
		}
		if len(pats) == 0 {
			subReply(x, "punsubscribe", nil, true)
		}
	} else {
		for _, p := range x.Args[1:] {
			x.E.PubSub.PUnsubscribe(c, p)
			subReply(x, "punsubscribe", p, false)
		}
	}
	updatePubSubFlag(c)
}

func pubsubChannels(x *engine.Ctx) {
	if len(x.Args) > 3 {
		subcommandSyntaxError(x)
		return
	}
	var pat []byte
	if len(x.Args) == 3 {
		pat = x.Args[2]
	}
	chans := x.E.PubSub.Channels(pat)
	x.ArrayLen(len(chans))
	for _, ch := range chans {
		x.Bulk(ch)
	}
}

func pubsubNumsub(x *engine.Ctx) {
	x.ArrayLen(2 * (len(x.Args) - 2))
	for _, ch := range x.Args[2:] {
		x.Bulk(ch)
		x.Int(int64(x.E.PubSub.NumSub(ch)))
	}
}

func pubsubNumpat(x *engine.Ctx) { x.Int(int64(x.E.PubSub.NumPatterns())) }

// subcommandSyntaxError is addReplySubcommandSyntaxError.
func subcommandSyntaxError(x *engine.Ctx) {
	sub := x.Args[1]
	if len(sub) > 128 {
		sub = sub[:128]
	}
	x.Error("ERR unknown subcommand or wrong number of arguments for '" + string(sub) + "'. Try " +
		strings.ToUpper(string(x.Args[0])) + " HELP.")
}
