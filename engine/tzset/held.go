package tzset

import "github.com/redisctl/redisctl/engine"

// Held is a skiplist sorted set held for a snapshot job (dict.HoldBy on its member dict):
// the job wrote the members from the greatest down, as Descend passes them, and now goes
// on while the set changes in place. A member it has not written is copied (member and
// score) the first time its score changes or it is removed, members added are skipped,
// and Scan passes the rest: every member the set had when the job began that the job had
// not written, as it was, exactly once, in the dict's order.
type Held struct {
	z          *zset
	emit, kept func(e *dictEntry)
}

// Hold holds o for a job that has written wrote members in Descend order, the last one
// being (score, member) (nothing when wrote is 0); fn is what Scan passes each member to
// be written (member aliases the set or a copy: valid during the call), kept telling a
// copy made before a change from a member read from the set. It returns nil
// when o is not skiplist-encoded or its dict cannot be held (dict.Hold). Every score
// change of a skiplist set goes through zsetAdd's BeforeWrite and every removal through
// the dict's deletes, which is what makes the hold see them.
func Hold(o *engine.Object, wrote int, score float64, member string, fn func(member []byte, score float64, kept bool)) *Held {
	if o.Encoding() != engine.EncSkiplist {
		return nil
	}
	z := zsOf(o)
	// The job has the members at or above the last one it wrote; their scores are still
	// those it wrote, since a change goes through the hold first.
	had := func(e *dictEntry) bool { return wrote > 0 && !e.Value.before(score, member) }
	copyNode := func(n *znode) *znode {
		c := &znode{score: n.score}
		c.setEle(n.ele())
		return c
	}
	if !z.dict.HoldBy(had, copyNode) {
		return nil
	}
	return &Held{z: z,
		emit: func(e *dictEntry) { fn(unsafeBytes(e.Key), e.Value.score, false) },
		kept: func(e *dictEntry) { fn(unsafeBytes(e.Key), e.Value.score, true) }}
}

// Scan passes the members kept since the last call, then those of one more position of
// the member dict's scan from cursor (0 at first), and returns the next cursor: 0 when
// every member is passed.
func (h *Held) Scan(cursor uint64) uint64 {
	h.z.dict.TakeKept(h.kept)
	if cursor = h.z.dict.ScanHeld(cursor, h.emit); cursor == 0 {
		h.z.dict.TakeKept(h.kept)
	}
	return cursor
}

// Release ends the hold (the job is done or dropped).
func (h *Held) Release() { h.z.dict.Release() }
