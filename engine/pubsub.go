package engine

import "sort"

// PubSub is the registry of channel and pattern subscriptions (Redis's pubsub_channels and
// pubsub_patterns). Subscribers are kept in subscription order so delivery order matches
// Redis's.
type PubSub struct {
	channels map[string][]*Client
	patterns map[string][]*Client
}

func (p *PubSub) init() {
	p.channels = map[string][]*Client{}
	p.patterns = map[string][]*Client{}
}

// NumPatterns is the number of distinct patterns with subscribers (PUBSUB NUMPAT).
func (p *PubSub) NumPatterns() int { return len(p.patterns) }

// NumChannels is the number of channels with subscribers.
func (p *PubSub) NumChannels() int { return len(p.channels) }

// NumSub is the number of subscribers of a channel.
func (p *PubSub) NumSub(ch []byte) int { return len(p.channels[string(ch)]) }

// Channels lists active channels matching pattern (nil = all), sorted for stable output.
func (p *PubSub) Channels(pattern []byte) [][]byte {
	var out [][]byte
	for ch := range p.channels {
		if pattern == nil || Match(pattern, []byte(ch), false) {
			out = append(out, []byte(ch))
		}
	}
	sort.Slice(out, func(i, j int) bool { return string(out[i]) < string(out[j]) })
	return out
}

func remove(list []*Client, c *Client) []*Client {
	for i, o := range list {
		if o == c {
			return append(list[:i], list[i+1:]...)
		}
	}
	return list
}

// Subscribe adds c to channel ch; it reports whether c was not already subscribed.
func (p *PubSub) Subscribe(c *Client, ch []byte) bool {
	if c.subs == nil {
		c.subs = map[string]struct{}{}
	}
	k := string(ch)
	if _, ok := c.subs[k]; ok {
		return false
	}
	c.subs[k] = struct{}{}
	p.channels[k] = append(p.channels[k], c)
	return true
}

// Unsubscribe removes c from channel ch; it reports whether c was subscribed.
func (p *PubSub) Unsubscribe(c *Client, ch []byte) bool {
	k := string(ch)
	if _, ok := c.subs[k]; !ok {
		return false
	}
	delete(c.subs, k)
	if l := remove(p.channels[k], c); len(l) == 0 {
		delete(p.channels, k)
	} else {
		p.channels[k] = l
	}
	return true
}

// PSubscribe adds c to pattern pat.
func (p *PubSub) PSubscribe(c *Client, pat []byte) bool {
	if c.psubs == nil {
		c.psubs = map[string]struct{}{}
	}
	k := string(pat)
	if _, ok := c.psubs[k]; ok {
		return false
	}
	c.psubs[k] = struct{}{}
	p.patterns[k] = append(p.patterns[k], c)
	return true
}

// PUnsubscribe removes c from pattern pat.
func (p *PubSub) PUnsubscribe(c *Client, pat []byte) bool {
	k := string(pat)
	if _, ok := c.psubs[k]; !ok {
		return false
	}
	delete(c.psubs, k)
	if l := remove(p.patterns[k], c); len(l) == 0 {
		delete(p.patterns, k)
	} else {
		p.patterns[k] = l
	}
	return true
}

// ClientChannels lists c's channels; ClientPatterns its patterns.
func (c *Client) ClientChannels() []string { return sortedKeys(c.subs) }

// ClientPatterns lists c's patterns.
func (c *Client) ClientPatterns() []string { return sortedKeys(c.psubs) }

func sortedKeys(m map[string]struct{}) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (p *PubSub) unsubscribeAll(c *Client) {
	for k := range c.subs {
		p.Unsubscribe(c, []byte(k))
	}
	for k := range c.psubs {
		p.PUnsubscribe(c, []byte(k))
	}
}

// Publish delivers msg on ch to every subscriber and matching pattern subscriber and
// returns how many received it (PUBLISH's reply).
func (p *PubSub) Publish(e *Engine, ch, msg []byte) int {
	n := 0
	for _, c := range p.channels[string(ch)] {
		w := c.W
		w.WritePushLen(3)
		w.WriteBulkString("message")
		w.WriteBulk(ch)
		w.WriteBulk(msg)
		n++
		if c.Wake != nil {
			c.Wake()
		}
	}
	for pat, clients := range p.patterns {
		if !Match([]byte(pat), ch, false) {
			continue
		}
		for _, c := range clients {
			w := c.W
			w.WritePushLen(4)
			w.WriteBulkString("pmessage")
			w.WriteBulkString(pat)
			w.WriteBulk(ch)
			w.WriteBulk(msg)
			n++
			if c.Wake != nil {
				c.Wake()
			}
		}
	}
	return n
}
