package tstream

import (
	"bytes"
	"slices"
	"sort"
)

// NACK is a pending entry (streamNACK): when it was last delivered, how many times, and
// to which consumer.
type NACK struct {
	DeliveryTime  int64
	DeliveryCount uint64
	Consumer      *Consumer
}

// Consumer is a consumer of a group (streamConsumer, Redis 7.0: no active time).
type Consumer struct {
	Name     []byte
	SeenTime int64
	pel      *idMap[*NACK]
}

// Group is a consumer group (streamCG).
type Group struct {
	Name        []byte
	LastID      ID
	EntriesRead int64 // InvalidEntriesRead when unknown
	pel         *idMap[*NACK]
	consumers   []*Consumer // by name, byte order (the consumers rax)
}

// PELLen is the number of pending entries of the group.
func (g *Group) PELLen() int { return g.pel.Len() }

// PELLen is the number of pending entries of the consumer.
func (c *Consumer) PELLen() int { return c.pel.Len() }

// Consumers lists the consumers in name order (aliases the group).
func (g *Group) Consumers() []*Consumer { return g.consumers }

// EachPending calls fn for every pending entry of the group in ID order.
func (g *Group) EachPending(fn func(id ID, n *NACK) bool) { g.pel.Each(fn) }

// EachPending calls fn for every pending ID of the consumer in order.
func (c *Consumer) EachPending(fn func(id ID, n *NACK) bool) { c.pel.Each(fn) }

// Groups lists the consumer groups in name order (aliases the stream).
func (s *Stream) Groups() []*Group { return s.groups }

func searchName[T any](list []T, name []byte, key func(T) []byte) (int, bool) {
	i := sort.Search(len(list), func(i int) bool { return bytes.Compare(key(list[i]), name) >= 0 })
	return i, i < len(list) && bytes.Equal(key(list[i]), name)
}

func groupName(g *Group) []byte       { return g.Name }
func consumerName(c *Consumer) []byte { return c.Name }

// LookupGroup finds a group by name (streamLookupCG).
func (s *Stream) LookupGroup(name []byte) *Group {
	if i, ok := searchName(s.groups, name, groupName); ok {
		return s.groups[i]
	}
	return nil
}

// CreateGroup adds a group (streamCreateCG); nil when the name exists. name is copied.
func (s *Stream) CreateGroup(name []byte, last ID, entriesRead int64) *Group {
	if s.groups == nil {
		s.groups = []*Group{}
	}
	i, ok := searchName(s.groups, name, groupName)
	if ok {
		return nil
	}
	g := &Group{Name: bytes.Clone(name), LastID: last, EntriesRead: entriesRead, pel: newIDMap[*NACK]()}
	if g.Name == nil {
		g.Name = []byte{}
	}
	s.groups = slices.Insert(s.groups, i, g)
	return g
}

// DestroyGroup removes a group, reporting whether it existed.
func (s *Stream) DestroyGroup(name []byte) bool {
	i, ok := searchName(s.groups, name, groupName)
	if !ok {
		return false
	}
	s.groups = slices.Delete(s.groups, i, i+1)
	return true
}

// LookupConsumer finds a consumer by name.
func (g *Group) LookupConsumer(name []byte) *Consumer {
	if i, ok := searchName(g.consumers, name, consumerName); ok {
		return g.consumers[i]
	}
	return nil
}

// CreateConsumer adds a consumer seen at now; nil when it exists. name is copied.
func (g *Group) CreateConsumer(name []byte, now int64) *Consumer {
	i, ok := searchName(g.consumers, name, consumerName)
	if ok {
		return nil
	}
	c := &Consumer{Name: bytes.Clone(name), SeenTime: now, pel: newIDMap[*NACK]()}
	if c.Name == nil {
		c.Name = []byte{}
	}
	g.consumers = slices.Insert(g.consumers, i, c)
	return c
}

// DeleteConsumer removes a consumer and its pending entries from the group PEL
// (streamDelConsumer).
func (g *Group) DeleteConsumer(c *Consumer) {
	c.pel.Each(func(id ID, _ *NACK) bool {
		g.pel.Delete(id)
		return true
	})
	if i, ok := searchName(g.consumers, c.Name, consumerName); ok {
		g.consumers = slices.Delete(g.consumers, i, i+1)
	}
}

// ack removes a pending entry from the group and its consumer.
func (g *Group) ack(id ID) bool {
	n, ok := g.pel.Get(id)
	if !ok {
		return false
	}
	g.pel.Delete(id)
	if n.Consumer != nil {
		n.Consumer.pel.Delete(id)
	}
	return true
}
