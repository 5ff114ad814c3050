package tstream

import (
	"bytes"
	"fmt"
	"slices"
	"unsafe"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/memmodel"
	"github.com/redisctl/redisctl/rdb/listpack"
)

func init() {
	engine.RegisterType(engine.TypeStream, &engine.TypeOps{
		MemoryUsage: memoryUsage,
		Dup:         func(o *engine.Object) engine.Object { return NewObject(FromObject(o).Dup()) },
		Len:         func(o *engine.Object) int { return int(FromObject(o).length) },
	})
}

// NewObject wraps a stream as a value (type stream, encoding stream).
func NewObject(s *Stream) engine.Object {
	return engine.NewPtrObject(engine.TypeStream, engine.EncStream, unsafe.Pointer(s))
}

// FromObject returns the stream of a stream value.
func FromObject(o *engine.Object) *Stream { return (*Stream)(o.Ptr()) }

// Limits returns the node limits of the engine's settings.
func LimitsOf(set *engine.Settings) Limits {
	return Limits{MaxBytes: set.StreamNodeMaxBytes, MaxEntries: set.StreamNodeMaxEntries}
}

// consumerStructSize is sizeof(streamConsumer) in Redis 7.0: seen_time, name, pel (7.2
// adds active_time, making it 32 as memmodel.StreamConsumerSz says).
const consumerStructSize = 24

// memoryUsage is objectComputeSize for OBJ_STREAM (Redis 7.0).
func memoryUsage(_ *engine.Engine, o *engine.Object, samples int) int {
	s := FromObject(o)
	size := memmodel.RobjSize + memmodel.StreamSize
	size += memmodel.RadixTreeSize(len(s.nodes), s.RaxNodes())
	lpsize, n := 0, 0
	for n < samples && n < len(s.nodes) {
		lpsize += s.nodes[n].alloc
		n++
	}
	if len(s.nodes) <= n {
		size += lpsize
	} else {
		if n > 0 {
			lpsize /= n
		}
		size += lpsize*(len(s.nodes)-1) + s.nodes[len(s.nodes)-1].alloc
	}
	for _, g := range s.groups {
		size += memmodel.StreamCGSize
		size += memmodel.RadixTreeSize(g.pel.Len(), g.pel.RaxNodes())
		size += memmodel.StreamNACKSize * g.pel.Len()
		for _, c := range g.consumers {
			size += consumerStructSize + len(c.Name)
			size += memmodel.RadixTreeSize(c.pel.Len(), c.pel.RaxNodes())
		}
	}
	return size
}

// Dup is streamDup (COPY): node listpacks copied at their exact size, groups with their
// PELs and consumers.
func (s *Stream) Dup() *Stream {
	d := &Stream{length: s.length, lastID: s.lastID, firstID: s.firstID,
		maxDeletedID: s.maxDeletedID, entriesAdded: s.entriesAdded, raxNodes: s.raxNodes}
	d.nodes = make([]*node, len(s.nodes))
	for i, n := range s.nodes {
		d.nodes[i] = &node{master: n.master, lp: slices.Clone(n.lp), alloc: memmodel.Class(len(n.lp))}
	}
	if s.groups != nil {
		d.groups = []*Group{}
	}
	for _, g := range s.groups {
		ng := d.CreateGroup(g.Name, g.LastID, g.EntriesRead)
		g.pel.Each(func(id ID, n *NACK) bool {
			ng.pel.Insert(id, &NACK{DeliveryTime: n.DeliveryTime, DeliveryCount: n.DeliveryCount})
			return true
		})
		for _, c := range g.consumers {
			nc := ng.CreateConsumer(c.Name, c.SeenTime)
			c.pel.Each(func(id ID, _ *NACK) bool {
				nn, _ := ng.pel.Get(id)
				nn.Consumer = nc
				nc.pel.Insert(id, nn)
				return true
			})
		}
	}
	return d
}

// EachNode calls fn for every node in order with its master ID and listpack, exactly the
// bytes RDB saves (the slice aliases the stream: do not change or keep it).
func (s *Stream) EachNode(fn func(master ID, lp []byte) bool) {
	for _, n := range s.nodes {
		if !fn(n.master, n.lp) {
			return
		}
	}
}

// Node is the i-th node's master ID and listpack, as EachNode gives them (the slice
// aliases the stream: do not change it, nor keep it past the stream's next change).
func (s *Stream) Node(i int) (ID, []byte) {
	n := s.nodes[i]
	return n.master, n.lp
}

// Meta is a stream's metadata as RDB stores it after the nodes.
type Meta struct {
	Length       uint64
	LastID       ID
	FirstID      ID
	MaxDeletedID ID
	EntriesAdded uint64
	// HasV2 says FirstID, MaxDeletedID and EntriesAdded were stored (RDB type 19+); when
	// false they are derived as Redis 7.0 does for STREAM_LISTPACKS (type 15).
	HasV2 bool
}

// Meta returns the stream's metadata.
func (s *Stream) Meta() Meta {
	return Meta{Length: s.length, LastID: s.lastID, FirstID: s.firstID,
		MaxDeletedID: s.maxDeletedID, EntriesAdded: s.entriesAdded, HasV2: true}
}

// Builder assembles a stream from RDB/RESTORE pieces in file order: nodes, metadata, then
// groups with their PEL and consumers. Every method checks what rdbLoadObject checks and
// returns an error describing the damage instead of panicking.
type Builder struct {
	s      *Stream
	meta   bool
	group  *Group
	groups []*Group
}

// NewBuilder starts an empty stream.
func NewBuilder() *Builder { return &Builder{s: New()} }

// AddNode appends a node, taking ownership of lp. Masters must ascend. The listpack is
// validated as streamValidateListpackIntegrity does (header always; every entry when deep)
// and must not be empty.
func (b *Builder) AddNode(master ID, lp []byte, deep bool) error {
	if err := ValidateNode(lp, deep); err != nil {
		return fmt.Errorf("stream node %s: %w", master, err)
	}
	if listpack.First(lp) < 0 {
		return fmt.Errorf("stream node %s: empty listpack", master)
	}
	if k := len(b.s.nodes); k > 0 && !b.s.nodes[k-1].master.Less(master) {
		return fmt.Errorf("stream node %s: master not above %s (duplicate or unordered)", master, b.s.nodes[k-1].master)
	}
	b.s.nodes = append(b.s.nodes, &node{master: master, lp: lp, alloc: memmodel.Class(len(lp))})
	b.s.appendedNode()
	return nil
}

// SetMeta sets the metadata read after the nodes.
func (b *Builder) SetMeta(m Meta) error {
	s := b.s
	s.length, s.lastID = m.Length, m.LastID
	if m.HasV2 {
		s.firstID, s.maxDeletedID, s.entriesAdded = m.FirstID, m.MaxDeletedID, m.EntriesAdded
	} else {
		// streamGetEdgeID: an empty stream's first ID is the maximum ID (Redis 7.0
		// keeps it so; XINFO shows recorded-first-entry-id 18446744073709551615-…).
		s.firstID = s.edgeID(true, true)
		s.maxDeletedID = ID{}
		s.entriesAdded = s.length
	}
	if s.length > 0 && len(s.nodes) == 0 {
		return fmt.Errorf("stream of length %d has no nodes", s.length)
	}
	b.meta = true
	return nil
}

// AddGroup adds a consumer group. entriesRead < 0 with !hasEntriesRead (RDB type 15)
// estimates it as Redis does.
func (b *Builder) AddGroup(name []byte, last ID, entriesRead int64, hasEntriesRead bool) (*Group, error) {
	if !b.meta {
		return nil, fmt.Errorf("stream group %q before the stream metadata", name)
	}
	if !hasEntriesRead {
		entriesRead = b.s.estimateDistance(last)
	}
	g := b.s.CreateGroup(name, last, entriesRead)
	if g == nil {
		return nil, fmt.Errorf("duplicated consumer group name %q", name)
	}
	b.groups = append(b.groups, g)
	return g, nil
}

// AddPending adds an entry to a group's PEL, not yet owned by a consumer.
func (g *Group) AddPending(id ID, deliveryTime int64, deliveryCount uint64) error {
	if !g.pel.Insert(id, &NACK{DeliveryTime: deliveryTime, DeliveryCount: deliveryCount}) {
		return fmt.Errorf("group %q: duplicated global PEL entry %s", g.Name, id)
	}
	return nil
}

// AddConsumer adds a consumer to a group being loaded.
func (g *Group) AddConsumer(name []byte, seenTime int64) (*Consumer, error) {
	c := g.CreateConsumer(name, seenTime)
	if c == nil {
		return nil, fmt.Errorf("group %q: duplicated consumer %q", g.Name, name)
	}
	return c, nil
}

// AddPending gives the consumer a pending entry that must already be in the group PEL and
// not owned by another consumer.
func (c *Consumer) AddPending(g *Group, id ID) error {
	n, ok := g.pel.Get(id)
	if !ok {
		return fmt.Errorf("consumer %q: PEL entry %s not in the group PEL", c.Name, id)
	}
	if n.Consumer != nil {
		return fmt.Errorf("consumer %q: PEL entry %s already owned by %q", c.Name, id, n.Consumer.Name)
	}
	n.Consumer = c
	c.pel.Insert(id, n)
	return nil
}

// Finish returns the stream. With deep checks, every group PEL entry must have an owner
// (Redis's deep sanitization).
func (b *Builder) Finish(deep bool) (*Stream, error) {
	if !b.meta {
		return nil, fmt.Errorf("stream without metadata")
	}
	if deep {
		for _, g := range b.groups {
			var err error
			g.pel.Each(func(id ID, n *NACK) bool {
				if n.Consumer == nil {
					err = fmt.Errorf("group %q: PEL entry %s has no consumer", g.Name, id)
					return false
				}
				return true
			})
			if err != nil {
				return nil, err
			}
		}
	}
	return b.s, nil
}

// ValidateNode is streamValidateListpackIntegrity: the listpack header (and with deep every
// entry) and, with deep, the stream layout inside (master entry, entry flags, IDs, field
// counts, lp-counts). It never panics on damaged input.
func ValidateNode(lp []byte, deep bool) error {
	if !deep {
		if len(lp) < listpack.HeaderSize+1 || listpack.Bytes(lp) != len(lp) || lp[len(lp)-1] != listpack.Terminator {
			return fmt.Errorf("bad listpack header")
		}
		return nil
	}
	if _, err := listpack.Validate(lp); err != nil {
		return err
	}
	it, err := listpack.NewIter(lp)
	if err != nil {
		return err
	}
	next := func(what string) (s []byte, n int64, isInt bool, err error) {
		if !it.Next() {
			if e := it.Err(); e != nil {
				return nil, 0, false, e
			}
			return nil, 0, false, fmt.Errorf("listpack ended before %s", what)
		}
		s, n, isInt = it.Value()
		return s, n, isInt, nil
	}
	nextInt := func(what string) (int64, error) {
		s, n, isInt, err := next(what)
		if err != nil {
			return 0, err
		}
		if isInt {
			return n, nil
		}
		if v, ok := engine.ParseInt(s); ok {
			return v, nil
		}
		return 0, fmt.Errorf("%s is not an integer (offset %d)", what, it.Offset())
	}
	count, err := nextInt("entry count")
	if err != nil {
		return err
	}
	deleted, err := nextInt("deleted count")
	if err != nil {
		return err
	}
	masterFields, err := nextInt("master field count")
	if err != nil {
		return err
	}
	if masterFields < 0 || masterFields > int64(len(lp)) {
		return fmt.Errorf("master field count %d out of range", masterFields)
	}
	for j := int64(0); j < masterFields; j++ {
		if _, _, _, err := next("master field"); err != nil {
			return err
		}
	}
	if z, err := nextInt("master terminator"); err != nil {
		return err
	} else if z != 0 {
		return fmt.Errorf("master terminator is %d, want 0", z)
	}
	total := count + deleted
	if count < 0 || deleted < 0 || total < 0 {
		return fmt.Errorf("negative entry counts %d/%d", count, deleted)
	}
	for ; total > 0; total-- {
		flags, err := nextInt("entry flags")
		if err != nil {
			return err
		}
		if _, err := nextInt("entry ms delta"); err != nil {
			return err
		}
		if _, err := nextInt("entry seq delta"); err != nil {
			return err
		}
		fields, extra := masterFields, int64(3)
		if flags&flagSameFields == 0 {
			if fields, err = nextInt("entry field count"); err != nil {
				return err
			}
			if fields < 0 || fields > int64(len(lp)) {
				return fmt.Errorf("entry field count %d out of range", fields)
			}
			for j := int64(0); j < fields; j++ {
				if _, _, _, err := next("entry field"); err != nil {
					return err
				}
			}
			extra += fields + 1
		}
		for j := int64(0); j < fields; j++ {
			if _, _, _, err := next("entry value"); err != nil {
				return err
			}
		}
		lpCount, err := nextInt("entry lp-count")
		if err != nil {
			return err
		}
		if lpCount != fields+extra {
			return fmt.Errorf("entry lp-count %d, want %d", lpCount, fields+extra)
		}
	}
	if it.Next() {
		return fmt.Errorf("trailing elements after the declared entries (offset %d)", it.Offset())
	}
	return it.Err()
}

// nodeBytesEqual helps tests compare node contents.
func nodeBytesEqual(a, b []byte) bool { return bytes.Equal(a, b) }
