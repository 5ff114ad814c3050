package tzset

import (
	"math"
	"math/rand/v2"
	"slices"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/dict"
	"github.com/redisctl/redisctl/rdb/listpack"
)

const (
	randSubStrategyMul = 3    // ZRANDMEMBER_SUB_STRATEGY_MUL
	randSampleLimit    = 1000 // ZRANDMEMBER_RANDOM_SAMPLE_LIMIT
)

func cmdZRandMember(x *engine.Ctx) {
	args := x.Args
	if len(args) >= 3 {
		l, ok := x.ParseInt(2)
		if !ok {
			return
		}
		if l < -math.MaxInt64 {
			x.Error("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
			return
		}
		if len(args) > 4 || (len(args) == 4 && !engine.EqualFold(args[3], "withscores")) {
			x.SyntaxError()
			return
		}
		withScores := len(args) == 4
		if withScores && (l < -math.MaxInt64/2 || l > math.MaxInt64/2) {
			x.Error("ERR value is out of range")
			return
		}
		randWithCount(x, l, withScores)
		return
	}
	o, ok := lookup(x, args[1], false)
	if !ok {
		return
	}
	if o == nil {
		x.Null()
		return
	}
	if o.Encoding() == engine.EncListpack {
		lp := o.Bytes()
		off, _ := listpack.Seek(lp, 2*rand.IntN(zzlLength(lp)))
		replyLpMember(x, lp, off)
		return
	}
	e := zsOf(o).dict.FairRandom()
	x.Bulk(unsafeBytes(e.Key))
}

func replyLpMember(x *engine.Ctx, lp []byte, off int) {
	s, n, isInt := listpack.Get(lp, off)
	if isInt {
		x.W.WriteBulkInt(n)
	} else {
		x.Bulk(s)
	}
}

// replyLpPair replies with the member at off, and its score when withScores.
func replyLpPair(x *engine.Ctx, lp []byte, off int, withScores bool) {
	if withScores && x.W.Protocol() > 2 {
		x.ArrayLen(2)
	}
	replyLpMember(x, lp, off)
	if withScores {
		writeScore(x.W, lpGetScore(lp, listpack.Next(lp, off)))
	}
}

func replyPair(x *engine.Ctx, m []byte, score float64, withScores bool) {
	if withScores && x.W.Protocol() > 2 {
		x.ArrayLen(2)
	}
	x.Bulk(m)
	if withScores {
		writeScore(x.W, score)
	}
}

// randWithCount is zrandmemberWithCountCommand.
func randWithCount(x *engine.Ctx, l int64, withScores bool) {
	o, ok := lookup(x, x.Args[1], false)
	if !ok {
		return
	}
	if o == nil {
		x.ArrayLen(0)
		return
	}
	size := uint64(Len(o))
	uniq := true
	var count uint64
	if l >= 0 {
		count = uint64(l)
	} else {
		count = uint64(-l)
		uniq = false
	}
	if count == 0 {
		x.ArrayLen(0)
		return
	}
	resp3 := x.W.Protocol() > 2
	// CASE 1: negative count (repetitions allowed) or a single member.
	if !uniq || count == 1 {
		if withScores && !resp3 {
			x.ArrayLen(int(count * 2))
		} else {
			x.ArrayLen(int(count))
		}
		if o.Encoding() == engine.EncSkiplist {
			d := zsOf(o).dict
			for ; count > 0; count-- {
				e := d.FairRandom()
				replyPair(x, unsafeBytes(e.Key), e.Value.score, withScores)
			}
			return
		}
		// lpRandomPairs in batches: random pair indexes, emitted in the order drawn.
		lp := o.Bytes()
		n := zzlLength(lp)
		var idx []int
		for count > 0 {
			batch := min(count, randSampleLimit)
			count -= batch
			idx = idx[:0]
			for i := uint64(0); i < batch; i++ {
				idx = append(idx, rand.IntN(n))
			}
			emitLpIndexes(x, lp, idx, withScores)
		}
		return
	}
	if withScores && !resp3 {
		x.ArrayLen(int(min(count, size) * 2))
	} else {
		x.ArrayLen(int(min(count, size)))
	}
	// CASE 2: the whole set, in the order zuiNext walks it (from the tail).
	if count >= size {
		Descend(o, func(m []byte, score float64) bool {
			replyPair(x, m, score, withScores)
			return true
		})
		return
	}
	// CASE 3: the set is not much larger than count: copy it all, remove random members.
	if count*randSubStrategyMul > size {
		d := dict.New[float64]()
		d.Expand(int(size))
		Descend(o, func(m []byte, score float64) bool {
			e, _ := d.UpsertBytes(m)
			e.Value = score
			return true
		})
		for ; size > count; size-- {
			e := d.FairRandom()
			d.DeleteEntry(e)
		}
		for e := range d.All() {
			replyPair(x, unsafeBytes(e.Key), e.Value, withScores)
		}
		return
	}
	// CASE 4: the set is much larger than count.
	if o.Encoding() == engine.EncListpack {
		// lpRandomPairsUnique: one pass, keeping each pair with probability
		// remaining/left, so the picks come out in listpack order.
		lp := o.Bytes()
		total := uint64(zzlLength(lp))
		remaining := count
		var i uint64
		for off := listpack.First(lp); off >= 0 && remaining > 0; off = zzlNext(lp, off) {
			if rand.Float64() <= float64(remaining)/float64(total-i) {
				replyLpPair(x, lp, off, withScores)
				remaining--
			}
			i++
		}
		return
	}
	d := zsOf(o).dict
	seen := make(map[string]struct{}, count)
	for added := uint64(0); added < count; {
		e := d.FairRandom()
		if _, dup := seen[e.Key]; dup {
			continue
		}
		seen[e.Key] = struct{}{}
		added++
		replyPair(x, unsafeBytes(e.Key), e.Value.score, withScores)
	}
}

// emitLpIndexes replies with the pairs at the given pair indexes, in the given order, with
// one walk of the listpack (as lpRandomPairs sorts its picks).
func emitLpIndexes(x *engine.Ctx, lp []byte, idx []int, withScores bool) {
	type pick struct{ index, order int }
	picks := make([]pick, len(idx))
	for i, v := range idx {
		picks[i] = pick{v, i}
	}
	slices.SortFunc(picks, func(a, b pick) int { return a.index - b.index })
	offs := make([]int, len(idx))
	off := listpack.First(lp)
	cur := 0
	for _, p := range picks {
		for cur < p.index {
			off = zzlNext(lp, off)
			cur++
		}
		offs[p.order] = off
	}
	for _, o := range offs {
		replyLpPair(x, lp, o, withScores)
	}
}
