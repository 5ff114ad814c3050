package tgeo

import (
	"bytes"
	"math"
	"strconv"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/tsort"
)

// string2d is Redis 7.0's string2d (getDoubleFromObject): glibc's strtod over the whole
// argument, refused when empty, starting with a space, not wholly consumed (an embedded
// NUL stops strtod), NaN, or out of range (overflow, or underflow to zero). Hexadecimal
// floats are accepted; a subnormal result is accepted although strtod sets ERANGE.
func string2d(b []byte) (float64, bool) {
	if len(b) == 0 || isCSpace(b[0]) || bytes.IndexByte(b, 0) >= 0 {
		return 0, false
	}
	if v, ok := tsort.ParseScore(b); ok {
		return v, true
	}
	// ParseScore refuses every ERANGE; string2d keeps a non-zero subnormal result.
	if v, err := strconv.ParseFloat(string(b), 64); err == nil && v != 0 &&
		math.Abs(v) < 0x1p-1022 && bytes.IndexAny(b, "_") < 0 {
		return v, true
	}
	return 0, false
}

func isCSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// parseDouble is getDoubleFromObjectOrReply: msg is the error reply on failure.
func parseDouble(x *engine.Ctx, i int, msg string) (float64, bool) {
	v, ok := string2d(x.Args[i])
	if !ok {
		x.Error(msg)
	}
	return v, ok
}
