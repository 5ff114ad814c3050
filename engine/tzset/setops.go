package tzset

import (
	"math"
	"slices"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/tset"
)

// Set operations.
const (
	opUnion = iota
	opInter
	opDiff
)

// Aggregates of ZUNION/ZINTER.
const (
	aggSum = iota
	aggMin
	aggMax
)

// source is zsetopsrc: one input of a set operation.
type source struct {
	o      *engine.Object // nil for a missing key
	weight float64
	n      int
}

func (s *source) length() int { return s.n }

// each walks the source as zuiNext does: sorted sets from the highest score down, sets in
// their own order with score 1.
func (s *source) each(fn func(m []byte, score float64) bool) {
	if s.o == nil {
		return
	}
	if s.o.Type() == engine.TypeZSet {
		Descend(s.o, fn)
		return
	}
	tset.ForEachBytes(s.o, func(m []byte) bool { return fn(m, 1) })
}

// find is zuiFind.
func (s *source) find(m []byte) (float64, bool) {
	if s.o == nil {
		return 0, false
	}
	if s.o.Type() == engine.TypeZSet {
		return getScore(s.o, m)
	}
	if tset.IsMember(s.o, m) {
		return 1, true
	}
	return 0, false
}

// aggregate is zunionInterAggregate; SUM turns inf + -inf (NaN) into 0.
func aggregate(target *float64, v float64, agg int) {
	switch agg {
	case aggSum:
		*target += v
		if math.IsNaN(*target) {
			*target = 0
		}
	case aggMin:
		if v < *target {
			*target = v
		}
	case aggMax:
		if v > *target {
			*target = v
		}
	}
}

// setOpGeneric is zunionInterDiffGenericCommand: ZUNION, ZINTER, ZDIFF, their STORE forms
// and ZINTERCARD. dst is nil for the forms that reply with the result.
func setOpGeneric(x *engine.Ctx, dst []byte, numIdx int, op int, cardOnly bool) {
	args := x.Args
	setnum, ok := x.ParseInt(numIdx)
	if !ok {
		return
	}
	if setnum < 1 {
		x.Error("ERR at least 1 input key is needed for '" + x.Cmd.FullName() + "' command")
		return
	}
	if setnum > int64(len(args)-(numIdx+1)) {
		x.SyntaxError()
		return
	}
	src := make([]source, setnum)
	j := numIdx + 1
	for i := range src {
		o := x.DB.LookupRead(args[j])
		if o != nil {
			if o.Type() != engine.TypeZSet && o.Type() != engine.TypeSet {
				x.WrongType()
				return
			}
			src[i].o = o
			if o.Type() == engine.TypeZSet {
				src[i].n = Len(o)
			} else {
				src[i].n = tset.Len(o)
			}
		}
		src[i].weight = 1
		j++
	}
	agg := aggSum
	withScores := false
	var limit int64
	for remaining := len(args) - j; remaining > 0; remaining = len(args) - j {
		a := args[j]
		switch {
		case op != opDiff && !cardOnly && remaining >= int(setnum)+1 && engine.EqualFold(a, "weights"):
			j++
			for i := range src {
				v, ok := parseDouble(args[j])
				if !ok {
					x.Error("ERR weight value is not a float")
					return
				}
				src[i].weight = v
				j++
			}
		case op != opDiff && !cardOnly && remaining >= 2 && engine.EqualFold(a, "aggregate"):
			j++
			switch b := args[j]; {
			case engine.EqualFold(b, "sum"):
				agg = aggSum
			case engine.EqualFold(b, "min"):
				agg = aggMin
			case engine.EqualFold(b, "max"):
				agg = aggMax
			default:
				x.SyntaxError()
				return
			}
			j++
		case dst == nil && !cardOnly && engine.EqualFold(a, "withscores"):
			j++
			withScores = true
		case cardOnly && remaining >= 2 && engine.EqualFold(a, "limit"):
			j++
			v, ok := engine.ParseInt(args[j])
			if !ok || v < 0 {
				x.Error("ERR LIMIT can't be negative")
				return
			}
			limit = v
			j++
		default:
			x.SyntaxError()
			return
		}
	}
	if op != opDiff {
		slices.SortStableFunc(src, func(a, b source) int { return a.n - b.n })
	}
	dstObj := newSkiplistObject()
	dz := zsOf(&dstObj)
	maxLen, totLen := 0, 0
	cardinality := int64(0)
	switch op {
	case opInter:
		if src[0].length() > 0 {
			src[0].each(func(m []byte, s0 float64) bool {
				score := src[0].weight * s0
				if math.IsNaN(score) {
					score = 0
				}
				k := 1
				for ; k < len(src); k++ {
					if src[k].o == src[0].o {
						aggregate(&score, s0*src[k].weight, agg)
					} else if v, found := src[k].find(m); found {
						aggregate(&score, v*src[k].weight, agg)
					} else {
						break
					}
				}
				if k != len(src) {
					return true
				}
				if cardOnly {
					cardinality++
					return limit == 0 || cardinality < limit
				}
				dz.addBytes(score, m)
				totLen += len(m)
				maxLen = max(maxLen, len(m))
				return true
			})
		}
	case opUnion:
		// The accumulator maps a member to its index in members/scores. (Assigning to a
		// map entry through an aliased key would replace the stored key with the alias.)
		acc := make(map[string]int, src[len(src)-1].length())
		var members []string
		var scores []float64
		for i := range src {
			if src[i].length() == 0 {
				continue
			}
			w := src[i].weight
			src[i].each(func(m []byte, s float64) bool {
				score := w * s
				if math.IsNaN(score) {
					score = 0
				}
				if k, found := acc[unsafeString(m)]; found {
					aggregate(&scores[k], score, agg)
					return true
				}
				k := string(m)
				acc[k] = len(members)
				members = append(members, k)
				scores = append(scores, score)
				totLen += len(m)
				maxLen = max(maxLen, len(m))
				return true
			})
		}
		dz.dict.Expand(len(members))
		for k, m := range members {
			dz.add(scores[k], m)
		}
	case opDiff:
		maxLen, totLen = zdiff(src, dz)
	}
	if dst != nil {
		if dz.zsl.length > 0 {
			convertToListpackIfNeeded(&x.E.Set, &dstObj, maxLen, totLen)
			x.DB.SetKey(dst, dstObj, false)
			x.Int(int64(Len(&dstObj)))
			ev := "zunionstore"
			switch op {
			case opInter:
				ev = "zinterstore"
			case opDiff:
				ev = "zdiffstore"
			}
			x.Notify(engine.NotifyZSet, ev, dst)
			x.Dirty(1)
		} else {
			x.Int(0)
			if x.DB.Delete(dst) {
				x.SignalModified(dst)
				x.Notify(engine.NotifyGeneric, "del", dst)
				x.Dirty(1)
			}
		}
		return
	}
	if cardOnly {
		x.Int(cardinality)
		return
	}
	n := dz.zsl.length
	nested := withScores && x.W.Protocol() > 2
	if withScores && !nested {
		x.ArrayLen(2 * n)
	} else {
		x.ArrayLen(n)
	}
	for node := dz.zsl.first(); node != nil; node = node.lvl(0).forward {
		if nested {
			x.ArrayLen(2)
		}
		x.Bulk(unsafeBytes(node.ele()))
		if withScores {
			writeScore(x.W, node.score)
		}
	}
}

// zdiff runs the cheaper of Redis's two ZDIFF algorithms and returns the longest member
// and the total member bytes of the result.
func zdiff(src []source, dz *zset) (maxLen, totLen int) {
	if src[0].length() == 0 {
		return 0, 0
	}
	// zsetChooseDiffAlgorithm.
	var one, two int64
	for j := range src {
		if j > 0 && src[0].o == src[j].o {
			return 0, 0
		}
		one += int64(src[0].length())
		two += int64(src[j].length())
	}
	one /= 2
	if one <= two {
		// Algorithm 1: keep the members of the first input found in no other.
		rest := src[1:]
		slices.SortStableFunc(rest, func(a, b source) int { return b.n - a.n })
		src[0].each(func(m []byte, s float64) bool {
			for k := range rest {
				if rest[k].o == src[0].o {
					return true
				}
				if _, found := rest[k].find(m); found {
					return true
				}
			}
			dz.addBytes(s, m)
			maxLen = max(maxLen, len(m))
			totLen += len(m)
			return true
		})
		return maxLen, totLen
	}
	// Algorithm 2: copy the first input, then remove every member of the others.
	card := 0
	for j := range src {
		if src[j].length() == 0 {
			continue
		}
		src[j].each(func(m []byte, s float64) bool {
			if j == 0 {
				dz.addBytes(s, m)
				card++
			} else if dz.remove(m) {
				card--
			}
			return card != 0
		})
		if card == 0 {
			break
		}
	}
	for n := dz.zsl.first(); n != nil; n = n.lvl(0).forward {
		maxLen = max(maxLen, len(n.ele()))
		totLen += len(n.ele())
	}
	return maxLen, totLen
}
