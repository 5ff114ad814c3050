package thash

import "github.com/redisctl/redisctl/engine"

// HTStats reports a hashtable hash's buckets and whether it is rehashing (tests).
func HTStats(o *engine.Object) (buckets int, rehashing bool) {
	if o.Encoding() != engine.EncHashtable {
		return 0, false
	}
	d := htOf(o)
	return d.Buckets(), d.IsRehashing()
}
