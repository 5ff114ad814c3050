package tzset

import (
	"math"
	"math/rand/v2"
	"strings"
	"unsafe"

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

// znode is a skiplist node laid out for the search loops, which read a node's score and
// then the forward pointer of one of its levels: the score sits right before the level
// array, which is inline (a node is one allocation of 32+16*levels bytes, Redis's 24+16*
// levels rounded to 8-byte words), so the score and the level-0 link share a cache line
// and a level-1 node (three out of four) fits the 48-byte size class. The member is kept
// as a pointer and a length (the string's bytes are shared with the dict entry's key, as
// Redis shares the sds) and is only read on a score tie.
//
// Only lv[0] is declared: levels 1.. follow it in memory (in the member's block, see
// member.go, or the header's headerNode) and are reached through lvl, never beyond ncap.
type znode struct {
	elep     *byte
	elen     uint32 // member length: low 32 bits
	nlev     uint8  // levels in use (fixed for the node's life)
	ncap     uint8  // levels allocated (≥ nlev)
	elenHi   uint16 // member length: bits 32-47
	backward *znode
	score    float64
	lv       [1]zlevel
}

// headerNode is the skiplist header's allocation: all ZSKIPLIST_MAXLEVEL levels.
type headerNode struct {
	znode
	more [maxLevel - 1]zlevel
}

// lvl returns level i of n (i < n.ncap).
func (n *znode) lvl(i int) *zlevel {
	return (*zlevel)(unsafe.Add(unsafe.Pointer(&n.lv[0]), uintptr(i)*unsafe.Sizeof(zlevel{})))
}

// next is the level-0 successor.
func (n *znode) next() *znode { return n.lv[0].forward }

// ele is the member.
func (n *znode) ele() string {
	return unsafe.String(n.elep, int(n.elen)|int(n.elenHi)<<32)
}

// levels is the node's level (what Redis allocated it with).
func (n *znode) levels() int { return int(n.nlev) }

func (n *znode) setEle(ele string) {
	n.elep, n.elen, n.elenHi = unsafe.StringData(ele), uint32(len(ele)), uint16(uint64(len(ele))>>32)
}

type skiplist struct {
	header *znode
	tail   *znode
	length int
	level  int
	sink   uint64 // see touchBelow
}

// zset is the payload of a skiplist-encoded sorted set.
type zset struct {
	dict *dict.Dict[*znode]
	zsl  skiplist
}

func newZset() *zset {
	z := &zset{dict: dict.New[*znode]()}
	h := &(&headerNode{}).znode
	h.nlev, h.ncap = maxLevel, maxLevel
	z.zsl.header = h
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

// before reports whether n sorts before (score, ele): score first, the member (memcmp
// order, as sdscmp) only on a tie.
func (n *znode) before(score float64, ele string) bool {
	return n.score < score || (n.score == score && n.ele() < ele)
}

// insertNode is zslInsert for node x, not linked, whose level is set (a new member's node
// with a random level, or a moved node keeping its own); it links x for (score, ele).
func (zsl *skiplist) insertNode(score float64, ele string, x *znode) *znode {
	var update [maxLevel]*znode
	var rank [maxLevel]uint64
	var sink uint64
	node := x
	x = zsl.header
	for i := zsl.level - 1; i >= 0; i-- {
		if i == zsl.level-1 {
			rank[i] = 0
		} else {
			rank[i] = rank[i+1]
		}
		for {
			f := x.lvl(i).forward
			sink += touchBelow(x, i)
			if f == nil || !f.before(score, ele) {
				break
			}
			rank[i] += x.lvl(i).span
			x = f
		}
		update[i] = x
	}
	zsl.sink = sink
	level := node.levels()
	if level > zsl.level {
		for i := zsl.level; i < level; i++ {
			rank[i] = 0
			update[i] = zsl.header
			update[i].lvl(i).span = uint64(zsl.length)
		}
		zsl.level = level
	}
	// Every link below level is written by the loop that follows; the member is set.
	x = node
	x.score, x.backward = score, nil
	for i := 0; i < level; i++ {
		x.lvl(i).forward = update[i].lvl(i).forward
		update[i].lvl(i).forward = x
		x.lvl(i).span = update[i].lvl(i).span - (rank[0] - rank[i])
		update[i].lvl(i).span = (rank[0] - rank[i]) + 1
	}
	for i := level; i < zsl.level; i++ {
		update[i].lvl(i).span++
	}
	if update[0] != zsl.header {
		x.backward = update[0]
	}
	if x.lvl(0).forward != nil {
		x.lvl(0).forward.backward = x
	} else {
		zsl.tail = x
	}
	zsl.length++
	return x
}

// deleteNode unlinks x given the update vector (zslDeleteNode).
func (zsl *skiplist) deleteNode(x *znode, update *[maxLevel]*znode) {
	for i := 0; i < zsl.level; i++ {
		if update[i].lvl(i).forward == x {
			update[i].lvl(i).span += x.lvl(i).span - 1
			update[i].lvl(i).forward = x.lvl(i).forward
		} else {
			update[i].lvl(i).span--
		}
	}
	if x.lvl(0).forward != nil {
		x.lvl(0).forward.backward = x.backward
	} else {
		zsl.tail = x.backward
	}
	for zsl.level > 1 && zsl.header.lvl(zsl.level-1).forward == nil {
		zsl.level--
	}
	zsl.length--
}

// findUpdateOf fills update with the last node before x, a linked node, on every level
// (the search of zslDelete and zslUpdateScore for x's score and member), without walking
// level 0: x's predecessor there is x.backward (or the header when x is first), so the
// search stops at level 1, and the level-0 nodes between there and x, each a likely cache
// miss in a big set, are never read.
func (zsl *skiplist) findUpdateOf(x *znode, update *[maxLevel]*znode) {
	score, ele := x.score, x.ele()
	var sink uint64
	y := zsl.header
	for i := zsl.level - 1; i >= 1; i-- {
		for {
			f := y.lvl(i).forward
			if i > 1 {
				sink += touchBelow(y, i)
			}
			if f == nil || f == x || !f.before(score, ele) { // x itself: no member compare
				break
			}
			y = f
		}
		update[i] = y
	}
	zsl.sink = sink
	if b := x.backward; b != nil {
		update[0] = b
	} else {
		update[0] = zsl.header
	}
}

// touchBelow reads the score of x's successor one level down, where the search goes next
// when x's successor on level i is past the target. The load does not depend on the
// comparison at level i, so the CPU overlaps the two cache misses that a search otherwise
// takes one after the other (Go has no prefetch instruction; the value is summed into
// skiplist.sink only so the load is kept).
func touchBelow(x *znode, i int) uint64 {
	if i == 0 {
		return 0
	}
	if g := x.lvl(i - 1).forward; g != nil {
		return math.Float64bits(g.score)
	}
	return 0
}

// updateScore moves node x to newScore (zslUpdateScore) and returns the node now holding
// its member. When the new score keeps x between its neighbours the score changes in place;
// Redis searches for x first, but the test reads only x's own links, so no search is needed
// for it. Otherwise x is unlinked and linked again at its new place. Unlike zslInsert the
// moved node keeps its level instead of drawing a new one: levels stay independent draws of
// the same distribution (what MEMORY USAGE samples), and the node never needs reallocating.
func (zsl *skiplist) updateScore(x *znode, newScore float64) *znode {
	if (x.backward == nil || x.backward.score < newScore) &&
		(x.next() == nil || x.next().score > newScore) {
		x.score = newScore
		return x
	}
	var update [maxLevel]*znode
	zsl.findUpdateOf(x, &update)
	zsl.deleteNode(x, &update)
	return zsl.insertNode(newScore, x.ele(), x)
}

// rank returns the 1-based rank of (score, ele), 0 when absent (zslGetRank).
func (zsl *skiplist) rank(score float64, ele string) uint64 {
	var r uint64
	x := zsl.header
	for i := zsl.level - 1; i >= 0; i-- {
		for f := x.lvl(i).forward; f != nil && (f.score < score || (f.score == score && f.ele() <= ele)); f = x.lvl(i).forward {
			r += x.lvl(i).span
			x = f
		}
		if x != zsl.header && x.score == score && x.ele() == ele {
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
		for x.lvl(i).forward != nil && traversed+x.lvl(i).span <= r {
			traversed += x.lvl(i).span
			x = x.lvl(i).forward
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

func (zsl *skiplist) first() *znode { return zsl.header.lvl(0).forward }

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
		for x.lvl(i).forward != nil && !r.gteMin(x.lvl(i).forward.score) {
			x = x.lvl(i).forward
		}
	}
	x = x.lvl(0).forward
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
		for x.lvl(i).forward != nil && r.lteMax(x.lvl(i).forward.score) {
			x = x.lvl(i).forward
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
	if zsl.tail == nil || !r.gteMin(zsl.tail.ele()) {
		return false
	}
	f := zsl.first()
	return f != nil && r.lteMax(f.ele())
}

func (zsl *skiplist) firstInLexRange(r *lexRange) *znode {
	if !zsl.isInLexRange(r) {
		return nil
	}
	x := zsl.header
	for i := zsl.level - 1; i >= 0; i-- {
		for x.lvl(i).forward != nil && !r.gteMin(x.lvl(i).forward.ele()) {
			x = x.lvl(i).forward
		}
	}
	x = x.lvl(0).forward
	if x == nil || !r.lteMax(x.ele()) {
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
		for x.lvl(i).forward != nil && r.lteMax(x.lvl(i).forward.ele()) {
			x = x.lvl(i).forward
		}
	}
	if x == zsl.header || !r.gteMin(x.ele()) {
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
		for x.lvl(i).forward != nil && !r.gteMin(x.lvl(i).forward.score) {
			x = x.lvl(i).forward
		}
		update[i] = x
	}
	x = x.lvl(0).forward
	removed := 0
	for x != nil && r.lteMax(x.score) {
		next := x.lvl(0).forward
		zsl.deleteNode(x, &update)
		z.dict.Delete(x.ele())
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
		for x.lvl(i).forward != nil && !r.gteMin(x.lvl(i).forward.ele()) {
			x = x.lvl(i).forward
		}
		update[i] = x
	}
	x = x.lvl(0).forward
	removed := 0
	for x != nil && r.lteMax(x.ele()) {
		next := x.lvl(0).forward
		zsl.deleteNode(x, &update)
		z.dict.Delete(x.ele())
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
		for x.lvl(i).forward != nil && traversed+x.lvl(i).span < start {
			traversed += x.lvl(i).span
			x = x.lvl(i).forward
		}
		update[i] = x
	}
	traversed++
	x = x.lvl(0).forward
	removed := 0
	for x != nil && traversed <= end {
		next := x.lvl(0).forward
		zsl.deleteNode(x, &update)
		z.dict.Delete(x.ele())
		removed++
		traversed++
		x = next
	}
	return removed
}

// add inserts a member known to be absent (zslInsert + dictAdd): one allocation holds the
// dict entry, a copy of the member and the skiplist node (see zmember).
func (z *zset) add(score float64, ele string) *znode {
	e, n := newMember(randomLevel(), ele, z.dict.BirthVersion())
	z.zsl.insertNode(score, e.Key, n)
	z.dict.AddEntry(e)
	return n
}

// addBytes is add for a member held in a []byte (copied).
func (z *zset) addBytes(score float64, m []byte) *znode {
	return z.add(score, unsafeString(m))
}

// remove deletes ele from the dict and the skiplist (zsetRemoveFromSkiplist).
func (z *zset) remove(ele []byte) bool {
	e := z.dict.DeleteBytes(ele)
	if e == nil {
		return false
	}
	var update [maxLevel]*znode
	z.zsl.findUpdateOf(e.Value, &update)
	z.zsl.deleteNode(e.Value, &update)
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
