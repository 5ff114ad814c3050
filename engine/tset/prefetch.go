package tset

import "github.com/redisctl/redisctl/engine"

func init() { engine.RegisterMemberPrefetch(engine.TypeSet, prefetchMembers) }

// prefetchMembers loads the buckets and entries the lookups of members in a
// hashtable-encoded set will probe (engine.Prefetch). Intsets and listpacks are small.
func prefetchMembers(o *engine.Object, members [][]byte) {
	if o.Encoding() == engine.EncHashtable {
		ht(o).Prefetch(members, nil)
	}
}
