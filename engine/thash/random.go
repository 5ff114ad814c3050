package thash

import (
	"math/rand/v2"
	"slices"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/rdb/listpack"
)

const (
	// randSubStrategyMul is HRANDFIELD_SUB_STRATEGY_MUL: below count*3 elements, build the
	// whole set and remove random ones (CASE 3) rather than drawing (CASE 4).
	randSubStrategyMul = 3
	// randSampleLimit is HRANDFIELD_RANDOM_SAMPLE_LIMIT: CASE 1 on a listpack draws in
	// batches of at most this many picks.
	randSampleLimit = 1000
	maxLong         = 1<<63 - 1
)

func cmdHRandField(x *engine.Ctx) {
	if len(x.Args) >= 3 {
		l, ok := engine.ParseInt(x.Args[2])
		if !ok {
			x.Error(engine.ErrNotInteger)
			return
		}
		if l < -maxLong {
			x.Error("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
			return
		}
		withValues := false
		if len(x.Args) > 4 || (len(x.Args) == 4 && !engine.EqualFold(x.Args[3], "withvalues")) {
			x.SyntaxError()
			return
		} else if len(x.Args) == 4 {
			withValues = true
			if l < -maxLong/2 || l > maxLong/2 {
				x.Error("ERR value is out of range")
				return
			}
		}
		randFieldWithCount(x, l, withValues)
		return
	}
	o, ok := lookupRead(x, x.Args[1])
	if !ok {
		return
	}
	if o == nil {
		x.Null()
		return
	}
	if o.Encoding() == engine.EncListpack {
		// lpRandomPair: one uniformly chosen pair.
		lp := o.Bytes()
		off, _ := listpack.Seek(lp, 2*rand.IntN(listpack.SyncLen(lp)/2))
		replyLP(x, lp, off)
		return
	}
	x.Bulk(sbytes(htOf(o).FairRandom().Key))
}

// pairReply writes one picked pair: a 2-element array around it in RESP3 WITHVALUES.
type pairReply struct {
	x          *engine.Ctx
	withValues bool
	resp3      bool
}

func (p pairReply) lp(lp []byte, off int) {
	if p.withValues && p.resp3 {
		p.x.ArrayLen(2)
	}
	replyLP(p.x, lp, off)
	if p.withValues {
		replyLP(p.x, lp, listpack.Next(lp, off))
	}
}

func (p pairReply) ht(e *entry) {
	if p.withValues && p.resp3 {
		p.x.ArrayLen(2)
	}
	p.x.Bulk(sbytes(e.Key))
	if p.withValues {
		p.x.Bulk(sbytes(e.Value))
	}
}

// header writes the reply's array length for n picked pairs: flat in RESP2.
func (p pairReply) header(n int) {
	if p.withValues && !p.resp3 {
		p.x.ArrayLen(2 * n)
	} else {
		p.x.ArrayLen(n)
	}
}

// randFieldWithCount is hrandfieldWithCountCommand, with Redis's four cases.
func randFieldWithCount(x *engine.Ctx, l int64, withValues bool) {
	o, ok := lookupRead(x, x.Args[1])
	if !ok {
		return
	}
	if o == nil {
		x.ArrayLen(0)
		return
	}
	size := Len(o)
	uniq := l >= 0
	count := l
	if !uniq {
		count = -l
	}
	if count == 0 {
		x.ArrayLen(0)
		return
	}
	p := pairReply{x: x, withValues: withValues, resp3: x.W.Protocol() >= 3}

	// CASE 1: negative count (repeats allowed, random order), or a single pick.
	if !uniq || count == 1 {
		p.header(int(count))
		if o.Encoding() == engine.EncHashtable {
			d := htOf(o)
			for ; count > 0; count-- {
				p.ht(d.FairRandom())
			}
			return
		}
		lp := o.Bytes()
		limit := min(count, randSampleLimit)
		picks := make([]randPick, limit)
		offs := make([]int, limit)
		for count > 0 {
			n := min(count, limit)
			count -= n
			lpRandomPairs(lp, picks[:n], offs[:n])
			for _, off := range offs[:n] {
				p.lp(lp, off)
			}
		}
		return
	}

	// CASE 2: the count covers the whole hash: reply with all of it.
	if count >= int64(size) {
		p.header(size)
		if o.Encoding() == engine.EncListpack {
			lp := o.Bytes()
			for off := listpack.First(lp); off >= 0; off = listpack.Next(lp, listpack.Next(lp, off)) {
				p.lp(lp, off)
			}
			return
		}
		for e := range htOf(o).All() {
			p.ht(e)
		}
		return
	}
	n := int(count)
	p.header(n)

	// CASE 3: the count is close to the size: take everything and remove random elements
	// until count remain (Redis removes them from a temporary dict; the survivors' order is
	// that dict's order, here the order the removals leave).
	if n*randSubStrategyMul > size {
		if o.Encoding() == engine.EncListpack {
			lp := o.Bytes()
			all := make([]int, 0, size)
			for off := listpack.First(lp); off >= 0; off = listpack.Next(lp, listpack.Next(lp, off)) {
				all = append(all, off)
			}
			for len(all) > n {
				i := rand.IntN(len(all))
				all[i] = all[len(all)-1]
				all = all[:len(all)-1]
			}
			for _, off := range all {
				p.lp(lp, off)
			}
			return
		}
		all := make([]*entry, 0, size)
		for e := range htOf(o).All() {
			all = append(all, e)
		}
		for len(all) > n {
			i := rand.IntN(len(all))
			all[i] = all[len(all)-1]
			all = all[:len(all)-1]
		}
		for _, e := range all {
			p.ht(e)
		}
		return
	}

	// CASE 4: the hash is large compared with count.
	if o.Encoding() == engine.EncListpack {
		// One pass over the listpack (lpRandomPairsUnique).
		lp := o.Bytes()
		offs := lpRandomPairsUnique(lp, n, make([]int, 0, n))
		for _, off := range offs {
			p.lp(lp, off)
		}
		return
	}
	// Draw fair random entries until count distinct ones were replied.
	d := htOf(o)
	seen := make(map[*entry]struct{}, n)
	for len(seen) < n {
		e := d.FairRandom()
		if _, dup := seen[e]; dup {
			continue
		}
		seen[e] = struct{}{}
		p.ht(e)
	}
}

type randPick struct {
	index int // even listpack index of the picked field
	order int // position in the reply
}

// lpRandomPairs fills offs with the field offsets of len(offs) pairs drawn uniformly with
// repetition, in draw order (Redis's lpRandomPairs: draw indexes, sort them, walk the
// listpack once, store each pick at its draw position).
func lpRandomPairs(lp []byte, picks []randPick, offs []int) {
	total := listpack.SyncLen(lp) / 2
	for i := range picks {
		picks[i] = randPick{index: 2 * rand.IntN(total), order: i}
	}
	slices.SortFunc(picks, func(a, b randPick) int { return a.index - b.index })
	lpIndex, pi := picks[0].index, 0
	off, _ := listpack.Seek(lp, lpIndex)
	for off >= 0 && pi < len(picks) {
		for pi < len(picks) && picks[pi].index == lpIndex {
			offs[picks[pi].order] = off
			pi++
		}
		lpIndex += 2
		off = listpack.Next(lp, off)
		if off >= 0 {
			off = listpack.Next(lp, off)
		}
	}
}

// lpRandomPairsUnique appends to dst the field offsets of up to count distinct pairs, in
// listpack order, in a single pass: each pair is taken with probability
// (still wanted) / (still unvisited), so every pair is equally likely (Redis's
// lpRandomPairsUnique).
func lpRandomPairsUnique(lp []byte, count int, dst []int) []int {
	total := listpack.SyncLen(lp) / 2
	count = min(count, total)
	remaining := count
	index := 0
	for off := listpack.First(lp); off >= 0 && len(dst) < count; index++ {
		r := rand.Float64()
		if r <= float64(remaining)/float64(total-index) {
			dst = append(dst, off)
			remaining--
		}
		off = listpack.Next(lp, listpack.Next(lp, off))
	}
	return dst
}
