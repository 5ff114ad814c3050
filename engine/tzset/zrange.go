package tzset

import (
	"strconv"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/rdb/listpack"
	"github.com/redisctl/redisctl/resp"
)

// rangeSink is zrange_result_handler: results go to the client (ZRANGE and friends) or
// into a new sorted set (ZRANGESTORE).
type rangeSink struct {
	x          *engine.Ctx
	store      bool
	withScores bool
	nested     bool // RESP3 WITHSCORES: [member, score] pairs
	deferred   resp.Deferred
	isDeferred bool
	dstKey     []byte
	dst        engine.Object
}

func (s *rangeSink) enableScores() {
	s.withScores = true
	s.nested = s.x.W.Protocol() > 2
}

// begin starts the result; length < 0 means unknown (zrangeResultBeginClient/Store).
func (s *rangeSink) begin(length int) {
	if s.store {
		if length < 0 {
			length = 0
		}
		s.dst = newTypeObject(&s.x.E.Set, length, 0)
		return
	}
	if length > 0 {
		if s.withScores && !s.nested {
			length *= 2
		}
		s.x.ArrayLen(length)
		return
	}
	s.deferred = s.x.W.WriteDeferredLen()
	s.isDeferred = true
}

func (s *rangeSink) emit(m []byte, score float64) {
	if s.store {
		add(&s.x.E.Set, &s.dst, score, m, 0)
		return
	}
	w := s.x.W
	if s.nested {
		w.WriteArrayLen(2)
	}
	w.WriteBulk(m)
	if s.withScores {
		writeScore(w, score)
	}
}

func (s *rangeSink) emitInt(v int64, score float64) {
	if s.store {
		var buf [24]byte // escapes through add: only allocated on the store path
		s.emit(strconv.AppendInt(buf[:0], v, 10), score)
		return
	}
	w := s.x.W
	if s.nested {
		w.WriteArrayLen(2)
	}
	w.WriteBulkInt(v)
	if s.withScores {
		writeScore(w, score)
	}
}

// emitLp emits the listpack member at off with the given score.
func (s *rangeSink) emitLp(lp []byte, off int, score float64) {
	m, n, isInt := listpack.Get(lp, off)
	if isInt {
		s.emitInt(n, score)
	} else {
		s.emit(m, score)
	}
}

func (s *rangeSink) finalize(count int) {
	x := s.x
	if s.store {
		if count > 0 {
			x.DB.SetKey(s.dstKey, s.dst, false)
			x.Int(int64(count))
			x.Notify(engine.NotifyZSet, "zrangestore", s.dstKey)
			x.Dirty(1)
			return
		}
		x.Int(0)
		if x.DB.Delete(s.dstKey) {
			x.SignalModified(s.dstKey)
			x.Notify(engine.NotifyGeneric, "del", s.dstKey)
			x.Dirty(1)
		}
		return
	}
	if !s.isDeferred {
		return
	}
	if s.withScores && !s.nested {
		count *= 2
	}
	x.W.SetArrayLen(s.deferred, count)
}

// zrangeGeneric is zrangeGenericCommand: ZRANGE, ZRANGESTORE and the older
// Z[REV]RANGE[BYSCORE|BYLEX]. keyIdx is the position of the source key.
func zrangeGeneric(x *engine.Ctx, keyIdx int, store bool, kind, dir int) {
	args := x.Args
	key := args[keyIdx]
	minIdx, maxIdx := keyIdx+1, keyIdx+2
	withScores := false
	var offset, limit int64 = 0, -1
	for j := keyIdx + 3; j < len(args); j++ {
		left := len(args) - j - 1
		a := args[j]
		switch {
		case !store && engine.EqualFold(a, "withscores"):
			withScores = true
		case engine.EqualFold(a, "limit") && left >= 2:
			var ok bool
			if offset, ok = x.ParseInt(j + 1); !ok {
				return
			}
			if limit, ok = x.ParseInt(j + 2); !ok {
				return
			}
			j += 2
		case dir == dirAuto && engine.EqualFold(a, "rev"):
			dir = dirReverse
		case kind == rangeAuto && engine.EqualFold(a, "bylex"):
			kind = rangeLex
		case kind == rangeAuto && engine.EqualFold(a, "byscore"):
			kind = rangeScore
		default:
			x.SyntaxError()
			return
		}
	}
	if dir == dirAuto {
		dir = dirForward
	}
	if kind == rangeAuto {
		kind = rangeRank
	}
	if limit != -1 && kind == rangeRank {
		x.Error("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX")
		return
	}
	if withScores && kind == rangeLex {
		x.Error("ERR syntax error, WITHSCORES not supported in combination with BYLEX")
		return
	}
	reverse := dir == dirReverse
	if reverse && (kind == rangeScore || kind == rangeLex) {
		minIdx, maxIdx = maxIdx, minIdx
	}
	var (
		start, end int64
		sr         scoreRange
		lr         lexRange
		ok         bool
	)
	switch kind {
	case rangeRank:
		if start, ok = x.ParseInt(minIdx); !ok {
			return
		}
		if end, ok = x.ParseInt(maxIdx); !ok {
			return
		}
	case rangeScore:
		if sr, ok = parseScoreRange(args[minIdx], args[maxIdx]); !ok {
			x.Error(errMinMaxFloat)
			return
		}
	case rangeLex:
		if lr, ok = parseLexRange(args[minIdx], args[maxIdx]); !ok {
			x.Error(errMinMaxLex)
			return
		}
	}
	s := &rangeSink{x: x, store: store}
	if store {
		s.dstKey = args[1]
	}
	if withScores || store {
		s.enableScores()
	}
	o := x.DB.LookupRead(key)
	if o == nil {
		if store {
			s.begin(-1)
			s.finalize(0)
		} else {
			x.ArrayLen(0)
		}
		return
	}
	if o.Type() != engine.TypeZSet {
		x.WrongType()
		return
	}
	switch kind {
	case rangeRank:
		rangeByRank(s, o, start, end, reverse)
	case rangeScore:
		rangeByScore(s, o, &sr, offset, limit, reverse)
	case rangeLex:
		rangeByLex(s, o, &lr, offset, limit, reverse)
	}
}

// rangeByRank is genericZrangebyrankCommand.
func rangeByRank(s *rangeSink, o *engine.Object, start, end int64, reverse bool) {
	n := int64(Len(o))
	if start < 0 {
		start += n
	}
	if end < 0 {
		end += n
	}
	if start < 0 {
		start = 0
	}
	if start > end || start >= n {
		s.begin(0)
		s.finalize(0)
		return
	}
	if end >= n {
		end = n - 1
	}
	count := int(end - start + 1)
	s.begin(count)
	if o.Encoding() == engine.EncListpack {
		lp := o.Bytes()
		var off int
		if reverse {
			off, _ = listpack.Seek(lp, int(-2-2*start))
		} else {
			off, _ = listpack.Seek(lp, int(2*start))
		}
		for i := 0; i < count && off >= 0; i++ {
			soff := listpack.Next(lp, off)
			var score float64
			if s.withScores {
				score = lpGetScore(lp, soff)
			}
			s.emitLp(lp, off, score)
			if reverse {
				off = zzlPrev(lp, off)
			} else {
				off = listpack.Next(lp, soff)
			}
		}
	} else {
		zsl := &zsOf(o).zsl
		var ln *znode
		if reverse {
			ln = zsl.tail
			if start > 0 {
				ln = zsl.byRank(uint64(n - start))
			}
		} else {
			ln = zsl.first()
			if start > 0 {
				ln = zsl.byRank(uint64(start + 1))
			}
		}
		for i := 0; i < count && ln != nil; i++ {
			s.emit(unsafeBytes(ln.ele()), ln.score)
			if reverse {
				ln = ln.backward
			} else {
				ln = ln.lvl(0).forward
			}
		}
	}
	s.finalize(count)
}

// rangeByScore is genericZrangebyscoreCommand. A negative offset skips everything and a
// negative limit means no limit, as Redis's loops do.
func rangeByScore(s *rangeSink, o *engine.Object, r *scoreRange, offset, limit int64, reverse bool) {
	s.begin(-1)
	if offset > 0 && offset >= int64(Len(o)) {
		s.finalize(0)
		return
	}
	if offset < 0 {
		s.finalize(0)
		return
	}
	count := 0
	if o.Encoding() == engine.EncListpack {
		lp := o.Bytes()
		var off int
		if reverse {
			off = zzlLastInRange(lp, r)
		} else {
			off = zzlFirstInRange(lp, r)
		}
		for ; off >= 0 && offset > 0; offset-- {
			off = step(lp, off, reverse)
		}
		for off >= 0 && limit != 0 {
			limit--
			score := lpGetScore(lp, listpack.Next(lp, off))
			if reverse {
				if !r.gteMin(score) {
					break
				}
			} else if !r.lteMax(score) {
				break
			}
			count++
			s.emitLp(lp, off, score)
			off = step(lp, off, reverse)
		}
	} else {
		zsl := &zsOf(o).zsl
		var ln *znode
		if reverse {
			ln = zsl.lastInRange(r)
		} else {
			ln = zsl.firstInRange(r)
		}
		for ; ln != nil && offset > 0; offset-- {
			ln = nodeStep(ln, reverse)
		}
		for ln != nil && limit != 0 {
			limit--
			if reverse {
				if !r.gteMin(ln.score) {
					break
				}
			} else if !r.lteMax(ln.score) {
				break
			}
			count++
			s.emit(unsafeBytes(ln.ele()), ln.score)
			ln = nodeStep(ln, reverse)
		}
	}
	s.finalize(count)
}

// rangeByLex is genericZrangebylexCommand.
func rangeByLex(s *rangeSink, o *engine.Object, r *lexRange, offset, limit int64, reverse bool) {
	s.begin(-1)
	if offset < 0 {
		s.finalize(0)
		return
	}
	count := 0
	if o.Encoding() == engine.EncListpack {
		lp := o.Bytes()
		var off int
		if reverse {
			off = zzlLastInLexRange(lp, r)
		} else {
			off = zzlFirstInLexRange(lp, r)
		}
		for ; off >= 0 && offset > 0; offset-- {
			off = step(lp, off, reverse)
		}
		for off >= 0 && limit != 0 {
			limit--
			var score float64
			if s.withScores {
				score = lpGetScore(lp, listpack.Next(lp, off))
			}
			if reverse {
				if !lpLexGteMin(lp, off, r) {
					break
				}
			} else if !lpLexLteMax(lp, off, r) {
				break
			}
			count++
			s.emitLp(lp, off, score)
			off = step(lp, off, reverse)
		}
	} else {
		zsl := &zsOf(o).zsl
		var ln *znode
		if reverse {
			ln = zsl.lastInLexRange(r)
		} else {
			ln = zsl.firstInLexRange(r)
		}
		for ; ln != nil && offset > 0; offset-- {
			ln = nodeStep(ln, reverse)
		}
		for ln != nil && limit != 0 {
			limit--
			if reverse {
				if !r.gteMin(ln.ele()) {
					break
				}
			} else if !r.lteMax(ln.ele()) {
				break
			}
			count++
			s.emit(unsafeBytes(ln.ele()), ln.score)
			ln = nodeStep(ln, reverse)
		}
	}
	s.finalize(count)
}

func step(lp []byte, off int, reverse bool) int {
	if reverse {
		return zzlPrev(lp, off)
	}
	return zzlNext(lp, off)
}

func nodeStep(n *znode, reverse bool) *znode {
	if reverse {
		return n.backward
	}
	return n.lvl(0).forward
}
