package tzset

import (
	"math"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/rdb/listpack"
)

// Score returns the score of member m (zsetScore): O(1) for a skiplist-encoded set, a
// listpack scan otherwise.
func Score(o *engine.Object, m []byte) (score float64, found bool) {
	if o.Encoding() == engine.EncListpack {
		off, s := zzlFind(o.Bytes(), m)
		return s, off >= 0
	}
	return zsOf(o).score(m)
}

// AscendFrom calls fn for the members whose score is at least min, in ascending (score,
// member) order, until fn returns false. It starts where zslFirstInRange / zzlFirstInRange
// would (O(log N) on a skiplist), so a caller that stops at its upper bound reads only the
// range. The member slice is only valid during the call.
func AscendFrom(o *engine.Object, min float64, fn func(member []byte, score float64) bool) {
	r := scoreRange{min: min, max: math.Inf(1)}
	if o.Encoding() == engine.EncListpack {
		lp := o.Bytes()
		var buf [24]byte
		for off := zzlFirstInRange(lp, &r); off >= 0; off = zzlNext(lp, off) {
			if !fn(lpMember(lp, off, buf[:0]), lpGetScore(lp, listpack.Next(lp, off))) {
				return
			}
		}
		return
	}
	for n := zsOf(o).zsl.firstInRange(&r); n != nil; n = n.lvl(0).forward {
		if !fn(unsafeBytes(n.ele()), n.score) {
			return
		}
	}
}
