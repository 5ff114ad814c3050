package tzset

import (
	"math/rand/v2"
	"strings"

	"github.com/redisctl/redisctl/engine/dict"
)

// The skiplist encoding: Redis's zset struct, a dict from member to node (for O(1) score
// lookups) plus a skiplist ordered by (score, member) with spans for rank queries. The
// member string is shared by the dict entry and the node, as Redis shares the sds.

const (
	maxLevel = 32 // ZSKIPLIST_MAXLEVEL
	// levelThreshold is ZSKIPLIST_P (0.25) of a 16-bit draw.
	levelThreshold = 0x4000
)

type zlevel struct {
	forward *znode
	span    uint64
}

type znode struct {
	ele      string
	score    float64
	backward *znode
	level    []zlevel
}

// Nodes of the common levels carry their level array inline, so a node is one allocation
// (three out of four nodes have level 1).
type znode1 struct {
	znode
	lv [1]zlevel
}
type znode2 struct {
	znode
	lv [2]zlevel
}
type znode3 struct {
	znode
	lv [3]zlevel
}
type znode4 struct {
	znode
	lv [4]zlevel
}

func newNode(level int, score float64, ele string) *znode {
	var n *znode
	switch level {
	case 1:
		x := &znode1{}
		x.level = x.lv[:]
		n = &x.znode
	case 2:
		x := &znode2{}
		x.level = x.lv[:]
		n = &x.znode
	case 3:
		x := &znode3{}
		x.level = x.lv[:]
		n = &x.znode
	case 4:
		x := &znode4{}
		x.level = x.lv[:]
		n = &x.znode
	default:
		n = &znode{level: make([]zlevel, level)}
	}
	n.score = score
	n.ele = ele
	return n
}

type skiplist struct {
	header *znode
	tail   *znode
	length int
	level  int
}

// zset is the payload of a skiplist-encoded sorted set.
type zset struct {
	dict *dict.Dict[*znode]
	zsl  skiplist
}

func newZset() *zset {
	z := &zset{dict: dict.New[*znode]()}
	z.zsl.header = &znode{level: make([]zlevel, maxLevel)}
	z.zsl.level = 1
	return z
}

// randomLevel is zslRandomLevel: 1 plus the number of successes of p = 0.25, capped.
func randomLevel() int {
	level := 1
	for rand.Uint32()&0xFFFF < levelThreshold {
		level++
	}
	if level > maxLevel {
		return maxLevel
	}
	return level
}

// less reports whether (s1, e1) sorts before (s2, e2).
func less(s1 float64, e1 string, s2 float64, e2 string) bool {
	return s1 < s2 || (s1 == s2 && e1 < e2)
}

// insert adds a node for (score, ele), known to be absent (zslInsert).
func (zsl *skiplist) insert(score float64, ele string) *znode {
	return zsl.insertNode(score, ele, nil)
}

// insertNode is zslInsert; reuse, when not nil and large enough for the drawn level, is
// recycled instead of allocating a new node.
func (zsl *skiplist) insertNode(score float64, ele string, reuse *znode) *znode {
	var update [maxLevel]*znode
	var rank [maxLevel]uint64
	x := zsl.header
	for i := zsl.level - 1; i >= 0; i-- {
		if i == zsl.level-1 {
			rank[i] = 0
		} else {
			rank[i] = rank[i+1]
		}
		for f := x.level[i].forward; f != nil && less(f.score, f.ele, score, ele); f = x.level[i].forward {
			rank[i] += x.level[i].span
			x = f
		}
		update[i] = x
	}
	level := randomLevel()
	if level > zsl.level {
		for i := zsl.level; i < level; i++ {
			rank[i] = 0
			update[i] = zsl.header
			update[i].level[i].span = uint64(zsl.length)
		}
		zsl.level = level
	}
	if reuse != nil && cap(reuse.level) >= level {
		x = reuse
		x.level = x.level[:level]
		clear(x.level)
		x.score, x.ele, x.backward = score, ele, nil
	} else {
		x = newNode(level, score, ele)
	}
	for i := 0; i < level; i++ {
		x.level[i].forward = update[i].level[i].forward
		update[i].level[i].forward = x
		x.level[i].span = update[i].level[i].span - (rank[0] - rank[i])
		update[i].level[i].span = (rank[0] - rank[i]) + 1
	}
	for i := level; i < zsl.level; i++ {
		update[i].level[i].span++
	}
	if update[0] != zsl.header {
		x.backward = update[0]
	}
	if x.level[0].forward != nil {
		x.level[0].forward.backward = x
	} else {
		zsl.tail = x
	}
	zsl.length++
	return x
}

// deleteNode unlinks x given the update vector (zslDeleteNode).
func (zsl *skiplist) deleteNode(x *znode, update *[maxLevel]*znode) {
	for i := 0; i < zsl.level; i++ {
		if update[i].level[i].forward == x {
			update[i].level[i].span += x.level[i].span - 1
			update[i].level[i].forward = x.level[i].forward
		} else {
			update[i].level[i].span--
		}
	}
	if x.level[0].forward != nil {
		x.level[0].forward.backward = x.backward
	} else {
		zsl.tail = x.backward
	}
	for zsl.level > 1 && zsl.header.level[zsl.level-1].forward == nil {
		zsl.level--
	}
	zsl.length--
}

// findUpdate fills update with the last node before (score, ele) on every level.
func (zsl *skiplist) findUpdate(score float64, ele string, update *[maxLevel]*znode) *znode {
	x := zsl.header
	for i := zsl.level - 1; i >= 0; i-- {
		for f := x.level[i].forward; f != nil && less(f.score, f.ele, score, ele); f = x.level[i].forward {
			x = f
		}
		update[i] = x
	}
	return x.level[0].forward
}

// delete removes the node of (score, ele) and returns it, or nil (zslDelete).
func (zsl *skiplist) delete(score float64, ele string) *znode {
	var update [maxLevel]*znode
	x := zsl.findUpdate(score, ele, &update)
	if x != nil && x.score == score && x.ele == ele {
		zsl.deleteNode(x, &update)
		return x
	}
	return nil
}

// updateScore moves the node of (cur, ele) to newScore (zslUpdateScore) and returns the
// node now holding ele.
func (zsl *skiplist) updateScore(cur float64, ele string, newScore float64) *znode {
	var update [maxLevel]*znode
	x := zsl.findUpdate(cur, ele, &update)
	if (x.backward == nil || x.backward.score < newScore) &&
		(x.level[0].forward == nil || x.level[0].forward.score > newScore) {
		x.score = newScore
		return x
	}
	zsl.deleteNode(x, &update)
	return zsl.insertNode(newScore, ele, x)
}

// rank returns the 1-based rank of (score, ele), 0 when absent (zslGetRank).
func (zsl *skiplist) rank(score float64, ele string) uint64 {
	var r uint64
	x := zsl.header
	for i := zsl.level - 1; i >= 0; i-- {
		for f := x.level[i].forward; f != nil && (f.score < score || (f.score == score && f.ele <= ele)); f = x.level[i].forward {
			r += x.level[i].span
			x = f
		}
		if x != zsl.header && x.score == score && x.ele == ele {
			return r
		}
	}
	return 0
}

// byRank returns the node at 1-based rank r, or nil (zslGetElementByRank).
func (zsl *skiplist) byRank(r uint64) *znode {
	var traversed uint64
	x := zsl.header
	for i := zsl.level - 1; i >= 0; i-- {
		for x.level[i].forward != nil && traversed+x.level[i].span <= r {
			traversed += x.level[i].span
			x = x.level[i].forward
		}
		if traversed == r {
			if x == zsl.header {
				return nil
			}
			return x
		}
	}
	return nil
}

func (zsl *skiplist) first() *znode { return zsl.header.level[0].forward }

// isInRange is zslIsInRange.
func (zsl *skiplist) isInRange(r *scoreRange) bool {
	if r.empty() {
		return false
	}
	if zsl.tail == nil || !r.gteMin(zsl.tail.score) {
		return false
	}
	f := zsl.first()
	return f != nil && r.lteMax(f.score)
}

// firstInRange is zslFirstInRange.
func (zsl *skiplist) firstInRange(r *scoreRange) *znode {
	if !zsl.isInRange(r) {
		return nil
	}
	x := zsl.header
	for i := zsl.level - 1; i >= 0; i-- {
		for x.level[i].forward != nil && !r.gteMin(x.level[i].forward.score) {
			x = x.level[i].forward
		}
	}
	x = x.level[0].forward
	if x == nil || !r.lteMax(x.score) {
		return nil
	}
	return x
}

// lastInRange is zslLastInRange.
func (zsl *skiplist) lastInRange(r *scoreRange) *znode {
	if !zsl.isInRange(r) {
		return nil
	}
	x := zsl.header
	for i := zsl.level - 1; i >= 0; i-- {
		for x.level[i].forward != nil && r.lteMax(x.level[i].forward.score) {
			x = x.level[i].forward
		}
	}
	if x == zsl.header || !r.gteMin(x.score) {
		return nil
	}
	return x
}

func (zsl *skiplist) isInLexRange(r *lexRange) bool {
	if r.empty() {
		return false
	}
	if zsl.tail == nil || !r.gteMin(zsl.tail.ele) {
		return false
	}
	f := zsl.first()
	return f != nil && r.lteMax(f.ele)
}

func (zsl *skiplist) firstInLexRange(r *lexRange) *znode {
	if !zsl.isInLexRange(r) {
		return nil
	}
	x := zsl.header
	for i := zsl.level - 1; i >= 0; i-- {
		for x.level[i].forward != nil && !r.gteMin(x.level[i].forward.ele) {
			x = x.level[i].forward
		}
	}
	x = x.level[0].forward
	if x == nil || !r.lteMax(x.ele) {
		return nil
	}
	return x
}

func (zsl *skiplist) lastInLexRange(r *lexRange) *znode {
	if !zsl.isInLexRange(r) {
		return nil
	}
	x := zsl.header
	for i := zsl.level - 1; i >= 0; i-- {
		for x.level[i].forward != nil && r.lteMax(x.level[i].forward.ele) {
			x = x.level[i].forward
		}
	}
	if x == zsl.header || !r.gteMin(x.ele) {
		return nil
	}
	return x
}

// deleteRangeByScore removes the nodes in range from the skiplist and the dict
// (zslDeleteRangeByScore) and returns how many.
func (z *zset) deleteRangeByScore(r *scoreRange) int {
	var update [maxLevel]*znode
	zsl := &z.zsl
	x := zsl.header
	for i := zsl.level - 1; i >= 0; i-- {
		for x.level[i].forward != nil && !r.gteMin(x.level[i].forward.score) {
			x = x.level[i].forward
		}
		update[i] = x
	}
	x = x.level[0].forward
	removed := 0
	for x != nil && r.lteMax(x.score) {
		next := x.level[0].forward
		zsl.deleteNode(x, &update)
		z.dict.Delete(x.ele)
		removed++
		x = next
	}
	return removed
}

func (z *zset) deleteRangeByLex(r *lexRange) int {
	var update [maxLevel]*znode
	zsl := &z.zsl
	x := zsl.header
	for i := zsl.level - 1; i >= 0; i-- {
		for x.level[i].forward != nil && !r.gteMin(x.level[i].forward.ele) {
			x = x.level[i].forward
		}
		update[i] = x
	}
	x = x.level[0].forward
	removed := 0
	for x != nil && r.lteMax(x.ele) {
		next := x.level[0].forward
		zsl.deleteNode(x, &update)
		z.dict.Delete(x.ele)
		removed++
		x = next
	}
	return removed
}

// deleteRangeByRank removes ranks start..end, 1-based and inclusive (zslDeleteRangeByRank).
func (z *zset) deleteRangeByRank(start, end uint64) int {
	var update [maxLevel]*znode
	zsl := &z.zsl
	var traversed uint64
	x := zsl.header
	for i := zsl.level - 1; i >= 0; i-- {
		for x.level[i].forward != nil && traversed+x.level[i].span < start {
			traversed += x.level[i].span
			x = x.level[i].forward
		}
		update[i] = x
	}
	traversed++
	x = x.level[0].forward
	removed := 0
	for x != nil && traversed <= end {
		next := x.level[0].forward
		zsl.deleteNode(x, &update)
		z.dict.Delete(x.ele)
		removed++
		traversed++
		x = next
	}
	return removed
}

// add inserts a member known to be absent, sharing ele between the dict and the node.
func (z *zset) add(score float64, ele string) {
	n := z.zsl.insert(score, ele)
	e, _ := z.dict.Upsert(ele)
	e.Value = n
}

// remove deletes ele from the dict and the skiplist (zsetRemoveFromSkiplist).
func (z *zset) remove(ele []byte) bool {
	e := z.dict.DeleteBytes(ele)
	if e == nil {
		return false
	}
	n := e.Value
	z.zsl.delete(n.score, n.ele)
	return true
}

// score looks a member up.
func (z *zset) score(ele []byte) (float64, bool) {
	e := z.dict.GetBytes(ele)
	if e == nil {
		return 0, false
	}
	return e.Value.score, true
}

// compareLex compares two members as sdscmp (memcmp, then length).
func compareLex(a, b string) int { return strings.Compare(a, b) }
