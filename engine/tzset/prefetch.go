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

// touchNode loads the skiplist node of a dict entry (its score and links).
func touchNode(e *dict.Entry[*znode]) uintptr {
	if n := e.Value; n != nil {
		return uintptr(math.Float64bits(n.score))
	}
	return 0
}
