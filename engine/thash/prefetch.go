package thash

import "github.com/redisctl/redisctl/engine"

func init() { engine.RegisterMemberPrefetch(engine.TypeHash, prefetchFields) }

// prefetchFields loads the buckets and entries the lookups of fields in a hashtable-encoded
// hash will probe (engine.Prefetch). A listpack is small and read in one sweep: nothing to do.
func prefetchFields(o *engine.Object, fields [][]byte) {
	if o.Encoding() == engine.EncHashtable {
		htOf(o).Prefetch(fields, nil)
	}
}
