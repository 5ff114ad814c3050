package tstream

import "sort"

// raxCounter computes how many nodes Redis's radix tree (rax.c) has for a set of 16-byte
// keys, given the keys in ascending order. All keys having the same length, none is a
// prefix of another, and rax's insertion (node splitting) and removal (re-compression of
// single-child chains) keep the tree in one canonical shape for a key set: a node exists
// at the root, at every key end (leaf), at every branching prefix (two or more children),
// and at the first position after every branching edge (the start of a compressed chain,
// or directly a branching node or leaf). So the count depends only on the set, and is
// computed here from the common-prefix lengths of neighbouring keys with the usual stack
// over the lcp intervals (the internal nodes of the compressed trie).
type raxCounter struct {
	n     int
	prev  ID
	prevL int // lcp between the previous key and the one before (-1 for the first key)
	stack [17]int8
	sp    int
	nodes int
}

// add feeds the next key (strictly ascending).
func (c *raxCounter) add(id ID) {
	if c.n == 0 {
		c.n, c.prev, c.prevL = 1, id, -1
		return
	}
	l := commonPrefix(c.prev, id)
	// The previous key's leaf hangs from the deeper of its two neighbouring branch points.
	c.leaf(max(c.prevL, l))
	c.lcp(l)
	c.prev, c.prevL = id, l
	c.n++
}

// leaf accounts for a leaf whose parent branching node has depth pd.
func (c *raxCounter) leaf(pd int) {
	c.nodes++
	if 16-pd >= 2 {
		c.nodes++ // compressed chain between the branching edge and the leaf
	}
}

// lcp processes the next lcp value (interval boundary), h == -1 closing everything.
func (c *raxCounter) lcp(h int) {
	for c.sp > 0 && int(c.stack[c.sp-1]) > h {
		d := int(c.stack[c.sp-1])
		c.sp--
		pd := h
		if c.sp > 0 && int(c.stack[c.sp-1]) > pd {
			pd = int(c.stack[c.sp-1])
		}
		c.nodes++ // the branching node at depth d
		if pd >= 0 {
			if d-pd >= 2 {
				c.nodes++ // chain node between the parent's edge and this node
			}
		} else if d != 0 {
			c.nodes++ // top node below a compressed root
		}
	}
	if h >= 0 && (c.sp == 0 || int(c.stack[c.sp-1]) < h) {
		c.stack[c.sp] = int8(h)
		c.sp++
	}
}

// finish returns the node count.
func (c *raxCounter) finish() int {
	switch c.n {
	case 0:
		return 1 // the empty root
	case 1:
		return 2 // root compressed over the whole key, then the leaf
	}
	c.leaf(c.prevL)
	c.lcp(-1)
	return c.nodes
}

// raxNodeCount counts the nodes for keys given in ascending order by each.
func raxNodeCount(each func(yield func(ID) bool)) int {
	var c raxCounter
	each(func(id ID) bool { c.add(id); return true })
	return c.finish()
}

// endDelta is how many nodes the radix tree of n >= 3 sorted keys loses when the key at one
// end is removed (and so gains when it is added): key(0) is that end key, key(1) its
// neighbour, and so on inward. Only the path to the end key changes: its leaf (and the
// chain above it) goes; the neighbour's leaf may now hang from a shallower branching node;
// and the branching node B the end key leaves from goes too when it had two children, its
// other child C then hanging from B's parent. It takes a binary search over the keys.
func endDelta(n int, key func(int) ID) int {
	k0, k1 := key(0), key(1)
	l := commonPrefix(k0, k1) // depth of B
	l2 := commonPrefix(k1, key(2))
	d := leafNodes(l) + leafNodes(max(l, l2)) - leafNodes(l2)
	// B's subtree is key(0..j): the keys sharing l bytes with the end key.
	j := sort.Search(n, func(i int) bool { return i > 1 && commonPrefix(k0, key(i)) < l }) - 1
	if j == 1 || commonPrefix(k1, key(j)) > l { // B has two children
		pB := -1 // B's parent's depth; -1: B is the top branching node
		if j+1 < n {
			pB = commonPrefix(key(j), key(j+1))
		}
		d += 1 + chainNodes(l, pB)
		if j > 1 { // C is the branching node at the depth key(1..j) share
			dc := commonPrefix(k1, key(j))
			d += chainNodes(dc, l) - chainNodes(dc, pB)
		}
	}
	return d
}

// leafNodes is what a leaf hanging from a branching node at depth pd counts: the leaf and,
// when the rest of the key is two bytes or more, the compressed chain node above it.
func leafNodes(pd int) int {
	if 16-pd >= 2 {
		return 2
	}
	return 1
}

// chainNodes is the compressed chain node above a branching node at depth d whose parent
// branching node is at depth pd (-1: none, the root is compressed over d bytes).
func chainNodes(d, pd int) int {
	if pd >= 0 {
		if d-pd >= 2 {
			return 1
		}
		return 0
	}
	if d != 0 {
		return 1
	}
	return 0
}
