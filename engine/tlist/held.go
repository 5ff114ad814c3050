package tlist

import "slices"

// A hold is copy-on-write for one reader that writes the list's nodes out in steps, head
// to tail (a snapshot job writing a big list), while the list keeps changing between its
// steps. The reader wants the nodes as they were when it began, in their order; without a
// hold, a change would first have to wait for the rest of them to be copied.
//
// Hold stamps the nodes the reader has written with a new token (above every node's ver:
// their greatest plus one, found by a walk over the nodes, a few thousand pointer hops at
// most) and remembers the next node it will read. From then on:
//
//   - a node linked in is stamped with the token: the reader skips it;
//   - a node below the token about to change in place (beforeChange, which every path
//     that changes a node's elements calls first) is copied, and the reader writes the
//     copy when it reaches the node;
//   - a node below the token about to be unlinked (delNode) is copied, and the copy, with
//     any copies due before it, becomes due before the node that followed it (or after the
//     tail), where the reader writes them; if the reader was about to read it, it moves on
//     to that node.
//
// So the reader gets every node the list had when it began and had not written yet, as it
// was, exactly once, in the list's order. A change costs one check, plus one node's copy
// (8 KB at most with the default fill) the first time a node changes.
type qlHold struct {
	token  uint32
	pos    *Node                // the next node the reader reads (nil: past the tail)
	queue  []NodeView           // copies due before pos, being handed out
	copies map[*Node]NodeView   // nodes changed in place before the reader reached them
	before map[*Node][]NodeView // copies of unlinked nodes, due before the node they preceded
	tail   []NodeView           // copies of unlinked nodes, due after the tail
}

// viewOf is n as RDB save writes it; Data aliases the list.
func viewOf(n *Node) NodeView {
	return NodeView{Data: n.entry, RawLen: n.sz, Count: n.count, Plain: n.plain, Compressed: n.lzf}
}

// copyView is viewOf with its own copy of the bytes.
func copyView(n *Node) NodeView {
	v := viewOf(n)
	v.Data = slices.Clone(v.Data)
	v.Copy = true
	return v
}

// Hold begins a hold for a reader that has written the first done nodes. It reports
// false, changing nothing, when the list already has a hold or the token would wrap.
func (ql *Quicklist) Hold(done int) bool {
	if ql.hold != nil {
		return false
	}
	var top uint32
	for n := ql.head; n != nil; n = n.next {
		top = max(top, n.ver)
	}
	if top+1 == 0 {
		return false
	}
	h := &qlHold{token: top + 1, copies: map[*Node]NodeView{}, before: map[*Node][]NodeView{}}
	n := ql.head
	for i := 0; i < done && n != nil; i++ {
		n.ver = h.token
		n = n.next
	}
	h.pos = n
	ql.hold = h
	return true
}

// Held reports whether the list has a hold.
func (ql *Quicklist) Held() bool { return ql.hold != nil }

// NextHeld returns the next node the holder writes, or false when it has them all. A view
// of a node that is still in the list aliases it: write it before the list changes.
func (ql *Quicklist) NextHeld() (NodeView, bool) {
	h := ql.hold
	if h == nil {
		return NodeView{}, false
	}
	for {
		if len(h.queue) > 0 {
			v := h.queue[0]
			h.queue[0] = NodeView{}
			h.queue = h.queue[1:]
			return v, true
		}
		n := h.pos
		if n == nil {
			if len(h.tail) == 0 {
				return NodeView{}, false
			}
			h.queue, h.tail = h.tail, nil
			continue
		}
		if due, ok := h.before[n]; ok {
			delete(h.before, n)
			h.queue = due
			continue
		}
		h.pos = n.next
		if n.ver < h.token {
			n.ver = h.token
			return viewOf(n), true
		}
		if c, ok := h.copies[n]; ok {
			delete(h.copies, n)
			return c, true
		}
		// A node linked in since the hold: not the reader's.
	}
}

// Release ends the hold; copies not handed out are dropped.
func (ql *Quicklist) Release() { ql.hold = nil }

// beforeChange must be called before n's elements change in place (not before a change of
// its compression, which keeps them).
func (ql *Quicklist) beforeChange(n *Node) {
	if h := ql.hold; h != nil && n.ver < h.token {
		h.copies[n] = copyView(n)
		n.ver = h.token
	}
}

// unlinked is delNode's part of the hold: n, still linked, is about to go.
func (h *qlHold) unlinked(n *Node) {
	due, had := h.before[n]
	if had {
		delete(h.before, n)
	}
	if n.ver < h.token {
		due = append(due, copyView(n))
		n.ver = h.token
	} else if c, ok := h.copies[n]; ok {
		delete(h.copies, n)
		due = append(due, c)
	}
	if len(due) > 0 {
		if n.next == nil {
			h.tail = append(due, h.tail...)
		} else {
			h.before[n.next] = append(due, h.before[n.next]...)
		}
	}
	if h.pos == n {
		h.pos = n.next
	}
}
