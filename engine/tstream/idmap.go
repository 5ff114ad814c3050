package tstream

import (
	"slices"
	"sort"
)

// idMap is an ordered map from ID to V (the PELs, Redis's raxes keyed by streamID): a
// list of sorted blocks of at most idBlockMax keys, so lookups are two binary searches and
// inserts/deletes move at most a block.
type idMap[V any] struct {
	blocks []*idBlock[V]
	n      int
	nodes  int // cached rax node count, -1: recompute
}

type idBlock[V any] struct {
	keys []ID
	vals []V
}

const idBlockMax = 128

func newIDMap[V any]() *idMap[V] { return &idMap[V]{nodes: -1} }

// Len is the number of keys.
func (m *idMap[V]) Len() int { return m.n }

// locate returns the block holding id or where it would go, and the position inside.
func (m *idMap[V]) locate(id ID) (bi, i int, found bool) {
	bi = sort.Search(len(m.blocks), func(b int) bool {
		k := m.blocks[b].keys
		return !k[len(k)-1].Less(id)
	})
	if bi == len(m.blocks) {
		if bi == 0 {
			return 0, 0, false
		}
		bi--
		return bi, len(m.blocks[bi].keys), false
	}
	k := m.blocks[bi].keys
	i = sort.Search(len(k), func(j int) bool { return !k[j].Less(id) })
	return bi, i, i < len(k) && k[i] == id
}

// Get returns the value of id.
func (m *idMap[V]) Get(id ID) (V, bool) {
	var zero V
	if m.n == 0 {
		return zero, false
	}
	bi, i, ok := m.locate(id)
	if !ok {
		return zero, false
	}
	return m.blocks[bi].vals[i], true
}

// Insert adds id → v unless id is present (raxTryInsert); it reports whether it added.
func (m *idMap[V]) Insert(id ID, v V) bool {
	if m.n == 0 && len(m.blocks) == 0 {
		m.blocks = append(m.blocks, &idBlock[V]{keys: []ID{id}, vals: []V{v}})
		m.n = 1
		m.nodes = -1
		return true
	}
	bi, i, ok := m.locate(id)
	if ok {
		return false
	}
	b := m.blocks[bi]
	b.keys = slices.Insert(b.keys, i, id)
	b.vals = slices.Insert(b.vals, i, v)
	if len(b.keys) > idBlockMax {
		h := len(b.keys) / 2
		nb := &idBlock[V]{keys: slices.Clone(b.keys[h:]), vals: slices.Clone(b.vals[h:])}
		clear(b.vals[h:])
		b.keys, b.vals = b.keys[:h:h], b.vals[:h:h]
		m.blocks = slices.Insert(m.blocks, bi+1, nb)
	}
	m.n++
	m.nodes = -1
	return true
}

// Delete removes id, reporting whether it was present.
func (m *idMap[V]) Delete(id ID) bool {
	if m.n == 0 {
		return false
	}
	bi, i, ok := m.locate(id)
	if !ok {
		return false
	}
	b := m.blocks[bi]
	b.keys = slices.Delete(b.keys, i, i+1)
	b.vals = slices.Delete(b.vals, i, i+1)
	if len(b.keys) == 0 {
		m.blocks = slices.Delete(m.blocks, bi, bi+1)
	}
	m.n--
	m.nodes = -1
	return true
}

// idCursor walks an idMap in order from a Seek position.
type idCursor[V any] struct {
	m      *idMap[V]
	bi, i  int
	primed bool
}

// Seek positions a cursor at the first key >= id (raxSeek ">=").
func (m *idMap[V]) Seek(id ID) idCursor[V] {
	if m.n == 0 {
		return idCursor[V]{m: m, bi: 0}
	}
	bi, i, _ := m.locate(id)
	c := idCursor[V]{m: m, bi: bi, i: i}
	c.fix()
	return c
}

// First positions a cursor at the smallest key.
func (m *idMap[V]) First() idCursor[V] { return idCursor[V]{m: m} }

func (c *idCursor[V]) fix() {
	for c.bi < len(c.m.blocks) && c.i >= len(c.m.blocks[c.bi].keys) {
		c.bi++
		c.i = 0
	}
}

// Next returns the key and value at the cursor and advances; ok is false at the end.
func (c *idCursor[V]) Next() (ID, V, bool) {
	c.fix()
	if c.bi >= len(c.m.blocks) {
		var zero V
		return ID{}, zero, false
	}
	b := c.m.blocks[c.bi]
	id, v := b.keys[c.i], b.vals[c.i]
	c.i++
	return id, v, true
}

// Peek returns the key at the cursor without advancing.
func (c *idCursor[V]) Peek() (ID, bool) {
	c.fix()
	if c.bi >= len(c.m.blocks) {
		return ID{}, false
	}
	return c.m.blocks[c.bi].keys[c.i], true
}

// Min and Max return the smallest and largest keys (the map must not be empty).
func (m *idMap[V]) Min() ID { return m.blocks[0].keys[0] }

// Max returns the largest key.
func (m *idMap[V]) Max() ID {
	k := m.blocks[len(m.blocks)-1].keys
	return k[len(k)-1]
}

// Each calls fn for every key in order until it returns false.
func (m *idMap[V]) Each(fn func(ID, V) bool) {
	for _, b := range m.blocks {
		for i, k := range b.keys {
			if !fn(k, b.vals[i]) {
				return
			}
		}
	}
}

// RaxNodes is the node count of the rax Redis would hold for these keys.
func (m *idMap[V]) RaxNodes() int {
	if m.nodes < 0 {
		var c raxCounter
		for _, b := range m.blocks {
			for _, k := range b.keys {
				c.add(k)
			}
		}
		m.nodes = c.finish()
	}
	return m.nodes
}
