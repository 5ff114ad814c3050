package tbits

import (
	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/resp"
)

const (
	errLCSKeys     = "ERR The specified keys must contain string values"
	errLCSBoth     = "ERR If you want both the length and indexes, please just use IDX."
	errLCSTooLong  = "ERR String too long for LCS"
	errLCSMemLimit = "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len"
)

// LCSLen is the length of the longest common subsequence of a and b, in O(len(b)) memory.
func LCSLen(a, b []byte) int {
	prev := make([]uint32, len(b)+1)
	cur := make([]uint32, len(b)+1)
	for i := 1; i <= len(a); i++ {
		ai := a[i-1]
		for j := 1; j <= len(b); j++ {
			if ai == b[j-1] {
				cur[j] = prev[j-1] + 1
			} else if prev[j] > cur[j-1] {
				cur[j] = prev[j]
			} else {
				cur[j] = cur[j-1]
			}
		}
		prev, cur = cur, prev
	}
	return int(prev[len(b)])
}

func cmdLCS(x *engine.Ctx) {
	oa := x.DB.LookupRead(x.Args[1])
	ob := x.DB.LookupRead(x.Args[2])
	if (oa != nil && oa.Type() != engine.TypeString) || (ob != nil && ob.Type() != engine.TypeString) {
		x.Error(errLCSKeys)
		return
	}
	var a, b []byte
	var bufA [24]byte
	if oa != nil {
		a = oa.StringValue(bufA[:0])
	}
	if ob != nil {
		b = ob.StringValue(x.Scratch[:0])
	}
	var getLen, getIdx, withMatchLen bool
	var minMatch int64
	args := x.Args
	for j := 3; j < len(args); j++ {
		opt := args[j]
		more := len(args) - 1 - j
		switch {
		case engine.EqualFold(opt, "idx"):
			getIdx = true
		case engine.EqualFold(opt, "len"):
			getLen = true
		case engine.EqualFold(opt, "withmatchlen"):
			withMatchLen = true
		case engine.EqualFold(opt, "minmatchlen") && more > 0:
			v, ok := x.ParseInt(j + 1)
			if !ok {
				return
			}
			minMatch = max(v, 0)
			j++
		default:
			x.SyntaxError()
			return
		}
	}
	if getIdx && getLen {
		x.Error(errLCSBoth)
		return
	}
	if uint64(len(a)) >= 1<<32-2 || uint64(len(b)) >= 1<<32-2 {
		x.Error(errLCSTooLong)
		return
	}
	alen, blen := len(a), len(b)
	if size := uint64(alen+1) * uint64(blen+1) * 4; size > uint64(x.E.Set.ProtoMaxBulkLen) {
		x.Error(errLCSMemLimit)
		return
	}
	if getLen {
		x.Int(int64(LCSLen(a, b)))
		return
	}

	// The full table, indexed dp[j+(blen+1)*i], is needed to walk the LCS back.
	stride := blen + 1
	dp := make([]uint32, (alen+1)*stride)
	for i := 1; i <= alen; i++ {
		row, up := dp[i*stride:(i+1)*stride], dp[(i-1)*stride:i*stride]
		ai := a[i-1]
		for j := 1; j <= blen; j++ {
			if ai == b[j-1] {
				row[j] = up[j-1] + 1
			} else if up[j] > row[j-1] {
				row[j] = up[j]
			} else {
				row[j] = row[j-1]
			}
		}
	}
	total := dp[alen*stride+blen]
	idx := total
	var result []byte
	if !getIdx {
		result = make([]byte, idx)
	}

	// Walk back from the end, collecting the LCS and the matching ranges exactly as Redis
	// emits them (from the end of the strings towards the start).
	var deferred resp.Deferred
	var nranges int
	if getIdx {
		x.W.WriteMapLen(2)
		x.W.WriteBulkString("matches")
		deferred = x.W.WriteDeferredLen()
	}
	aStart, aEnd, bStart, bEnd := uint32(alen), uint32(0), uint32(0), uint32(0)
	unset := uint32(alen)
	i, j := uint32(alen), uint32(blen)
	for i > 0 && j > 0 {
		emit := false
		if a[i-1] == b[j-1] {
			if result != nil {
				result[idx-1] = a[i-1]
			}
			if aStart == unset {
				aStart, aEnd = i-1, i-1
				bStart, bEnd = j-1, j-1
			} else if aStart == i && bStart == j {
				aStart--
				bStart--
			} else {
				emit = true
			}
			if aStart == 0 || bStart == 0 {
				emit = true
			}
			idx--
			i--
			j--
		} else {
			if dp[(i-1)*uint32(stride)+j] > dp[i*uint32(stride)+j-1] {
				i--
			} else {
				j--
			}
			if aStart != unset {
				emit = true
			}
		}
		matchLen := aEnd - aStart + 1
		if emit {
			if getIdx && (minMatch == 0 || int64(matchLen) >= minMatch) {
				if withMatchLen {
					x.ArrayLen(3)
				} else {
					x.ArrayLen(2)
				}
				x.ArrayLen(2)
				x.Int(int64(aStart))
				x.Int(int64(aEnd))
				x.ArrayLen(2)
				x.Int(int64(bStart))
				x.Int(int64(bEnd))
				if withMatchLen {
					x.Int(int64(matchLen))
				}
				nranges++
			}
			aStart = unset
		}
	}
	if getIdx {
		x.W.WriteBulkString("len")
		x.Int(int64(total))
		x.W.SetArrayLen(deferred, nranges)
		return
	}
	x.Bulk(result)
}
