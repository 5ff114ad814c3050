package tgeo

import (
	"bytes"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/tzset"
)

// The two sorted set reads geo needs beyond tzset's exported API. tzset exports Ascend
// only, so both are linear walks here; with a tzset.Score (zsetScore) and a
// tzset.AscendRange (zzlFirstInRange / zslFirstInRange) they become O(1) and O(log N + M)
// without changing anything else in this package.

// zscore is zsetScore: the score of member m.
func zscore(o *engine.Object, m []byte) (score float64, found bool) {
	tzset.Ascend(o, func(member []byte, s float64) bool {
		if bytes.Equal(member, m) {
			score, found = s, true
			return false
		}
		return true
	})
	return score, found
}

// ascendFrom calls fn for the members whose score is at least min, in Redis's order, until
// fn returns false.
func ascendFrom(o *engine.Object, min float64, fn func(member []byte, score float64) bool) {
	tzset.Ascend(o, func(member []byte, s float64) bool {
		if s < min {
			return true
		}
		return fn(member, s)
	})
}
