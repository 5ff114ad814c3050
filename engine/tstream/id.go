package tstream

import (
	"encoding/binary"
	"github.com/redisctl/redisctl/engine"
	"math"
	"math/bits"
	"strconv"
)

// ID is a stream entry ID: milliseconds and sequence (Redis's streamID).
type ID struct{ Ms, Seq uint64 }

// MaxID is the largest ID, what "+" means.
var MaxID = ID{math.MaxUint64, math.MaxUint64}

// Compare orders IDs: -1, 0 or 1 (streamCompareID).
func (a ID) Compare(b ID) int {
	switch {
	case a.Ms > b.Ms:
		return 1
	case a.Ms < b.Ms:
		return -1
	case a.Seq > b.Seq:
		return 1
	case a.Seq < b.Seq:
		return -1
	}
	return 0
}

// Less reports a < b.
func (a ID) Less(b ID) bool { return a.Ms < b.Ms || a.Ms == b.Ms && a.Seq < b.Seq }

// IsZero reports a == 0-0.
func (a ID) IsZero() bool { return a.Ms == 0 && a.Seq == 0 }

// Incr returns the successor of a; ok is false when a is MaxID (the result wraps to 0-0),
// as streamIncrID.
func (a ID) Incr() (ID, bool) {
	if a.Seq == math.MaxUint64 {
		if a.Ms == math.MaxUint64 {
			return ID{}, false
		}
		return ID{a.Ms + 1, 0}, true
	}
	return ID{a.Ms, a.Seq + 1}, true
}

// Decr returns the predecessor of a; ok is false when a is 0-0 (the result wraps to
// MaxID), as streamDecrID.
func (a ID) Decr() (ID, bool) {
	if a.Seq == 0 {
		if a.Ms == 0 {
			return MaxID, false
		}
		return ID{a.Ms - 1, math.MaxUint64}, true
	}
	return ID{a.Ms, a.Seq - 1}, true
}

// Append formats a as "ms-seq".
func (a ID) Append(dst []byte) []byte {
	dst = strconv.AppendUint(dst, a.Ms, 10)
	dst = append(dst, '-')
	return strconv.AppendUint(dst, a.Seq, 10)
}

// String is "ms-seq".
func (a ID) String() string { return string(a.Append(nil)) }

// Key is the 128-bit big-endian form Redis uses as rax key (streamEncodeID).
func (a ID) Key() [16]byte {
	var k [16]byte
	binary.BigEndian.PutUint64(k[:], a.Ms)
	binary.BigEndian.PutUint64(k[8:], a.Seq)
	return k
}

// IDFromKey decodes a 16-byte big-endian ID (streamDecodeID).
func IDFromKey(k []byte) ID {
	return ID{binary.BigEndian.Uint64(k), binary.BigEndian.Uint64(k[8:])}
}

// commonPrefix is the number of leading bytes the 16-byte keys of a and b share.
func commonPrefix(a, b ID) int {
	if x := a.Ms ^ b.Ms; x != 0 {
		return bits.LeadingZeros64(x) / 8
	}
	if x := a.Seq ^ b.Seq; x != 0 {
		return 8 + bits.LeadingZeros64(x)/8
	}
	return 16
}

// Parse modes of parseID.
const (
	parseLax    = iota // "-" and "+" allowed
	parseStrict        // "-" and "+" refused
)

// parseID is streamGenericParseIDOrReply without the reply: it accepts "ms-seq", "ms"
// (seq = missingSeq), and, when seqGiven is non-nil, "ms-*" (seqGiven set false). The
// argument is read as a C string (up to the first NUL), at most 127 bytes; each part is
// read with string2ull (string2ll, then strtoull's leniency: leading blanks, a sign,
// leading zeros).
func parseID(b []byte, missingSeq uint64, strict bool, seqGiven *bool) (ID, bool) {
	if len(b) > 127 {
		return ID{}, false
	}
	for i, c := range b {
		if c == 0 {
			b = b[:i]
			break
		}
	}
	if strict && len(b) == 1 && (b[0] == '-' || b[0] == '+') {
		return ID{}, false
	}
	if seqGiven != nil {
		*seqGiven = true
	}
	if len(b) == 1 && b[0] == '-' {
		return ID{}, true
	}
	if len(b) == 1 && b[0] == '+' {
		return MaxID, true
	}
	msPart, seqPart, hasSeq := b, []byte(nil), false
	for i, c := range b {
		if c == '-' {
			msPart, seqPart, hasSeq = b[:i], b[i+1:], true
			break
		}
	}
	ms, ok := string2ull(msPart)
	if !ok {
		return ID{}, false
	}
	seq := missingSeq
	if hasSeq {
		if seqGiven != nil && len(seqPart) == 1 && seqPart[0] == '*' {
			seq = 0
			*seqGiven = false
		} else if seq, ok = string2ull(seqPart); !ok {
			return ID{}, false
		}
	}
	return ID{ms, seq}, true
}

// ParseID parses a complete or incomplete ID the way XRANGE's bounds and XGROUP SETID read
// them ("-" and "+" allowed); missingSeq fills an absent sequence.
func ParseID(b []byte, missingSeq uint64) (ID, bool) {
	return parseID(b, missingSeq, false, nil)
}

// string2ull is Redis's string2ull: string2ll first (negative values refused), then
// strtoull(…, 10) which must consume the whole non-empty string.
func string2ull(b []byte) (uint64, bool) {
	if v, ok := engine.ParseInt(b); ok {
		if v < 0 {
			return 0, false
		}
		return uint64(v), true
	}
	return strtoull(b)
}

// strtoull mimics glibc strtoull(s, &end, 10) with Redis's checks: leading white space,
// an optional sign ('-' negates modulo 2^64), at least one digit, no trailing bytes, no
// overflow (ERANGE).
func strtoull(b []byte) (uint64, bool) {
	i := 0
	for i < len(b) && (b[i] == ' ' || (b[i] >= '\t' && b[i] <= '\r')) {
		i++
	}
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	start := i
	var v uint64
	overflow := false
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		hi, lo := bits.Mul64(v, 10)
		lo2, carry := bits.Add64(lo, uint64(b[i]-'0'), 0)
		if hi != 0 || carry != 0 {
			overflow = true
		}
		v = lo2
		i++
	}
	if i == start || i != len(b) || overflow {
		return 0, false
	}
	if neg {
		v = -v
	}
	return v, true
}
