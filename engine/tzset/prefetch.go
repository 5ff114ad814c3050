package tzset

import (
	"math"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/dict"
)

func init() { engine.RegisterMemberPrefetch(engine.TypeZSet, prefetchMembers) }

// prefetchMembers loads the dict buckets, entries and skiplist nodes the lookups of
// members in a skiplist-encoded sorted set will probe (engine.Prefetch). A listpack is
// small and read in one sweep: nothing to do.
func prefetchMembers(o *engine.Object, members [][]byte) {
	if o.Encoding() == engine.EncSkiplist {
		zsOf(o).dict.Prefetch(members, touchNode)
	}
}

// touchNode loads the skiplist node of a dict entry (its score and links) and its level-0
// neighbours: a score update reads their scores (does the order still hold?) and, when the
// node moves, unlinking it writes their links.
func touchNode(e *dict.Entry[*znode]) uintptr {
	n := e.Value
	if n == nil {
		return 0
	}
	s := math.Float64bits(n.score)
	if b := n.backward; b != nil {
		s += math.Float64bits(b.score)
	}
	if f := n.lv[0].forward; f != nil {
		s += math.Float64bits(f.score)
	}
	return uintptr(s)
}
