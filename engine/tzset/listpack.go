package tzset

import (
	"math"
	"strconv"

	"github.com/redisctl/redisctl/rdb/listpack"
	"github.com/redisctl/redisctl/resp"
)

// The listpack encoding: member, score, member, score … ordered by (score, member).
// Scores are stored as Redis's zzlInsertAt stores them: an integer entry when double2ll
// accepts the double, otherwise the "%.17g" text (inf/-inf for infinities).

// lpGetScore reads the score entry at off (zzlGetScore).
func lpGetScore(lp []byte, off int) float64 {
	s, n, isInt := listpack.Get(lp, off)
	if isInt {
		return float64(n)
	}
	return scoreFromText(s)
}

// scoreFromText is zzlStrtod: strtod of the text (at most 127 bytes), 0 when nothing parses.
func scoreFromText(s []byte) float64 {
	if len(s) > 127 {
		s = s[:127]
	}
	if v, err := strconv.ParseFloat(unsafeString(s), 64); err == nil || math.IsInf(v, 0) {
		return v
	}
	// Slow path: a prefix parse, for text Redis did not write.
	for end := len(s) - 1; end > 0; end-- {
		if v, ok, _ := strtod(s[:end]); ok {
			return v
		}
	}
	return 0
}

// double2ll is Redis's double2ll: d is integral and within ±LLONG_MAX/2.
func double2ll(d float64) (int64, bool) {
	const lim = float64(math.MaxInt64 / 2)
	if d < -lim || d > lim {
		return 0, false
	}
	ll := int64(d)
	if float64(ll) == d {
		return ll, true
	}
	return 0, false
}

// lpMemberEqual compares the entry at off with m (lpCompare).
func lpMemberEqual(lp []byte, off int, m []byte) bool {
	s, n, isInt := listpack.Get(lp, off)
	if isInt {
		v, ok := listpack.ParseInt(m)
		return ok && v == n
	}
	return string(s) == string(m)
}

// lpMember returns the member at off as bytes, formatting an integer into buf.
func lpMember(lp []byte, off int, buf []byte) []byte {
	s, n, isInt := listpack.Get(lp, off)
	if isInt {
		return strconv.AppendInt(buf[:0], n, 10)
	}
	return s
}

// lpCompareMember is zzlCompareElements: the entry at off against m, as memcmp + length.
func lpCompareMember(lp []byte, off int, m []byte) int {
	var buf [24]byte
	return compareLex(unsafeString(lpMember(lp, off, buf[:0])), unsafeString(m))
}

// zzlLength is the number of (member, score) pairs.
func zzlLength(lp []byte) int { return listpack.SyncLen(lp) / 2 }

// zzlFind returns the offset of member and its score, or -1.
func zzlFind(lp []byte, m []byte) (int, float64) {
	first := listpack.First(lp)
	if first < 0 {
		return -1, 0
	}
	off := listpack.Find(lp, first, m, 1)
	if off < 0 {
		return -1, 0
	}
	return off, lpGetScore(lp, listpack.Next(lp, off))
}

// zzlDelete removes the pair whose member is at off.
func zzlDelete(lp []byte, off int) []byte { return listpack.DeleteRangeAt(lp, off, 2) }

// zzlInsertAt inserts (m, score) before the member at off, or appends when off < 0.
func zzlInsertAt(lp []byte, off int, m []byte, score float64) []byte {
	var buf [32]byte
	ll, isInt := double2ll(score)
	var text []byte
	if !isInt {
		text = resp.AppendDoubleText(buf[:0], score)
	}
	if off < 0 {
		lp = listpack.Append(lp, m)
		if isInt {
			return listpack.AppendInt(lp, ll)
		}
		return listpack.Append(lp, text)
	}
	lp = listpack.InsertAt(lp, off, m)
	soff := off + listpack.SizeAt(lp, off)
	if isInt {
		return listpack.InsertInt(lp, soff, ll, false)
	}
	return listpack.InsertAt(lp, soff, text)
}

// zzlInsert inserts (m, score), m known to be absent, at its ordered place.
func zzlInsert(lp []byte, m []byte, score float64) []byte {
	for off := listpack.First(lp); off >= 0; {
		soff := listpack.Next(lp, off)
		s := lpGetScore(lp, soff)
		if s > score || (s == score && lpCompareMember(lp, off, m) > 0) {
			return zzlInsertAt(lp, off, m, score)
		}
		off = listpack.Next(lp, soff)
	}
	return zzlInsertAt(lp, -1, m, score)
}

// zzlNext moves from the member at off to the next member, or -1.
func zzlNext(lp []byte, off int) int {
	s := listpack.Next(lp, off)
	if s < 0 {
		return -1
	}
	return listpack.Next(lp, s)
}

// zzlPrev moves from the member at off to the previous member, or -1.
func zzlPrev(lp []byte, off int) int {
	s := listpack.Prev(lp, off)
	if s < 0 {
		return -1
	}
	return listpack.Prev(lp, s)
}

// zzlLastMember is the offset of the last member, or -1.
func zzlLastMember(lp []byte) int {
	s := listpack.Last(lp)
	if s < 0 {
		return -1
	}
	return listpack.Prev(lp, s)
}

// zzlIsInRange is zzlIsInRange.
func zzlIsInRange(lp []byte, r *scoreRange) bool {
	if r.empty() {
		return false
	}
	last := listpack.Last(lp)
	if last < 0 || !r.gteMin(lpGetScore(lp, last)) {
		return false
	}
	first := listpack.First(lp)
	return r.lteMax(lpGetScore(lp, listpack.Next(lp, first)))
}

func zzlFirstInRange(lp []byte, r *scoreRange) int {
	if !zzlIsInRange(lp, r) {
		return -1
	}
	for off := listpack.First(lp); off >= 0; off = zzlNext(lp, off) {
		s := lpGetScore(lp, listpack.Next(lp, off))
		if r.gteMin(s) {
			if r.lteMax(s) {
				return off
			}
			return -1
		}
	}
	return -1
}

func zzlLastInRange(lp []byte, r *scoreRange) int {
	if !zzlIsInRange(lp, r) {
		return -1
	}
	for off := zzlLastMember(lp); off >= 0; off = zzlPrev(lp, off) {
		s := lpGetScore(lp, listpack.Next(lp, off))
		if r.lteMax(s) {
			if r.gteMin(s) {
				return off
			}
			return -1
		}
	}
	return -1
}

func lpLexGteMin(lp []byte, off int, r *lexRange) bool {
	var buf [24]byte
	return r.gteMin(unsafeString(lpMember(lp, off, buf[:0])))
}

func lpLexLteMax(lp []byte, off int, r *lexRange) bool {
	var buf [24]byte
	return r.lteMax(unsafeString(lpMember(lp, off, buf[:0])))
}

func zzlIsInLexRange(lp []byte, r *lexRange) bool {
	if r.empty() {
		return false
	}
	last := zzlLastMember(lp)
	if last < 0 || !lpLexGteMin(lp, last, r) {
		return false
	}
	return lpLexLteMax(lp, listpack.First(lp), r)
}

func zzlFirstInLexRange(lp []byte, r *lexRange) int {
	if !zzlIsInLexRange(lp, r) {
		return -1
	}
	for off := listpack.First(lp); off >= 0; off = zzlNext(lp, off) {
		if lpLexGteMin(lp, off, r) {
			if lpLexLteMax(lp, off, r) {
				return off
			}
			return -1
		}
	}
	return -1
}

func zzlLastInLexRange(lp []byte, r *lexRange) int {
	if !zzlIsInLexRange(lp, r) {
		return -1
	}
	for off := zzlLastMember(lp); off >= 0; off = zzlPrev(lp, off) {
		if lpLexLteMax(lp, off, r) {
			if lpLexGteMin(lp, off, r) {
				return off
			}
			return -1
		}
	}
	return -1
}

// zzlDeleteRangeByScore removes the pairs in range and returns the listpack and the count.
func zzlDeleteRangeByScore(lp []byte, r *scoreRange) ([]byte, int) {
	off := zzlFirstInRange(lp, r)
	if off < 0 {
		return lp, 0
	}
	n := 0
	for lp[off] != listpack.Terminator {
		if !r.lteMax(lpGetScore(lp, listpack.Next(lp, off))) {
			break
		}
		lp = zzlDelete(lp, off)
		n++
	}
	return lp, n
}

func zzlDeleteRangeByLex(lp []byte, r *lexRange) ([]byte, int) {
	off := zzlFirstInLexRange(lp, r)
	if off < 0 {
		return lp, 0
	}
	n := 0
	for lp[off] != listpack.Terminator {
		if !lpLexLteMax(lp, off, r) {
			break
		}
		lp = zzlDelete(lp, off)
		n++
	}
	return lp, n
}
