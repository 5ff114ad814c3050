package tstream

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
