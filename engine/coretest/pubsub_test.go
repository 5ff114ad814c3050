package coretest

import (
	"slices"
	"testing"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/resp"
	"github.com/stretchr/testify/require"
)

// subscriber is one subscribed client on both sides: SUBSCRIBE/PSUBSCRIBE on an oracle
// connection, the engine's PubSub registry for ours (the commands live in the server).
type subscriber struct {
	p *enginetest.Pair
}

func newSubscriber(t *testing.T, p *enginetest.Pair, proto int, channels, patterns []string) *subscriber {
	s := &subscriber{p: p.NewClient()}
	if proto == 3 {
		s.p.SetProto(3)
	}
	for _, ch := range channels {
		s.p.O.Do("SUBSCRIBE", ch)
		s.p.H.E.Lock()
		s.p.H.E.PubSub.Subscribe(s.p.H.C, []byte(ch))
		s.p.H.E.Unlock()
	}
	for _, pat := range patterns {
		s.p.O.Do("PSUBSCRIBE", pat)
		s.p.H.E.Lock()
		s.p.H.E.PubSub.PSubscribe(s.p.H.C, []byte(pat))
		s.p.H.E.Unlock()
	}
	return s
}

func (s *subscriber) check(t *testing.T, unordered bool) {
	t.Helper()
	render := func(vs []resp.Value) []string {
		out := make([]string, len(vs))
		for i, v := range vs {
			out[i] = v.Type.String() + " " + v.String()
		}
		if unordered {
			slices.Sort(out)
		}
		return out
	}
	require.Equal(t, render(s.p.O.Pushed()), render(s.p.H.Pushed()))
}

func TestPublishAgainstRedis(t *testing.T) {
	p := newPair(t)
	p.Run(`
PUBLISH ch hello
PUBLISH "" ""
PUBLISH
PUBLISH ch
PUBLISH ch a b
`)
	a := newSubscriber(t, p, 2, []string{"news", "sports"}, nil)
	b := newSubscriber(t, p, 3, []string{"news"}, []string{"n*"})
	c := newSubscriber(t, p, 2, nil, []string{"*", "s[a-p]orts"})
	p.Run(`
PUBLISH news hello
PUBLISH sports "goal\r\n"
PUBLISH nothing x
PUBLISH other ""
PUBLISH "n\x00x" bin
`)
	a.check(t, false)
	b.check(t, false)
	c.check(t, true) // one message per matching pattern, in the order of Redis's pattern dict
	// Keyspace notifications reach pattern subscribers.
	p.O.Do("CONFIG", "SET", "notify-keyspace-events", "KEA")
	p.H.E.Set.NotifyKeyspaceEvent, _ = engine.ParseNotifyFlags("KEA")
	d := newSubscriber(t, p, 2, []string{"__keyevent@0__:set"}, []string{"__keyspace@0__:*"})
	p.Run(`
SET k v
DEL k
EXPIRE nokey 10
`)
	d.check(t, false)
}
