package tgeo

import (
	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/tzset"
)

// The two sorted set reads geo needs: zsetScore and a walk from zslFirstInRange.

// zscore is zsetScore: the score of member m.
func zscore(o *engine.Object, m []byte) (score float64, found bool) {
	return tzset.Score(o, m)
}

// ascendFrom calls fn for the members whose score is at least min, in Redis's order, until
// fn returns false.
func ascendFrom(o *engine.Object, min float64, fn func(member []byte, score float64) bool) {
	tzset.AscendFrom(o, min, fn)
}
