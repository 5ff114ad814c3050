package tsort_test

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/redisctl/redisctl/engine/tsort"
	"github.com/stretchr/testify/require"
)

var scoreCandidates = []string{
	"", " ", "  1", "\t2", "\n3", "\v4", "\f5", "\r6", "1 ", "+", "-", ".", "1.", ".5", "+.5",
	"-.5e1", "1e", "1e+", "1e+5", "1E5", "1e-5", "0x", "0x1", "0X1F", "0x1p4", "0x1P-2", "0x.8",
	"0x.", "0x1.8p1", "0x1p", "0x1p+", "-0x10", "0x1g", "0b1", "inf", "INF", "Infinity",
	"-infinity", "+inf", "infinit", "infx", "nan", "NaN", "nan(123)", "-nan", "nanx", "1e308",
	"1.7976931348623157e308", "1.7976931348623159e308", "1e309", "-1e309", "1e-308",
	"2.2250738585072014e-308", "2.2250738585072011e-308", "4.9e-324", "5e-324", "1e-324",
	"2.5e-324", "1e-400", "0e-400", "0.000", "-0", "-0.0", "00012", "1_000", "1,5", "１",
	"0x1p-1074", "0x1p-1075", "0x1.8p-1074", "0x1.0000000000001p-1022", "0x0.0000000000001p-1022",
	"0x1p-1022", "0x1p1024", "0x1.fffffffffffffp1023", "1e-320", "9007199254740993",
	"123456789012345678901234567890", "1e5.5", "--1", "+-1", "0x+1", "1e0x1", " -3", "- 3",
	"000000000000000000000000000001e-330", "1" + string(make([]byte, 0)) + "0000e-10004",
}

// TestSortScoreParsingAgainstRedis sorts each candidate among fixed pivots: Redis's reply
// (an error, or the candidate's place among the pivots) must be ours.
//
// Redis does not clear errno before its strtod, so once anything in the process has left
// ERANGE in errno (a SORT that met 1e-400, a ZADD of 1e400, …) every later SORT of a
// non-integer key fails, until some other code resets errno. We do not reproduce that
// leak of process state; the test resets errno on the oracle after each candidate with a
// successful INCRBYFLOAT (string2ld sets errno = 0 and strtold succeeds).
func TestSortScoreParsingAgainstRedis(t *testing.T) {
	p := newPair(t)
	pivots := []string{"-1e308", "-1", "0", "1e-300", "0.5", "1", "3", "16", "1e308"}
	for _, c := range scoreCandidates {
		p.Check([]string{"DEL", "l"})
		p.Check(append([]string{"RPUSH", "l", c}, pivots...))
		p.Check([]string{"SORT", "l"})
		p.Check([]string{"SORT", "l", "DESC"})
		// The same value reached through BY from a string key.
		p.Check([]string{"SET", "w_x", c})
		p.Check([]string{"RPUSH", "k", "x"})
		p.Check([]string{"SORT", "k", "BY", "w_*"})
		p.Check([]string{"DEL", "k"})
		p.Check([]string{"INCRBYFLOAT", "errno-reset", "0"})
	}
}

// TestSortScoreParsingRandomAgainstRedis: random strings over strtod's alphabet, each
// sorted alone (error or not) and among pivots.
func TestSortScoreParsingRandomAgainstRedis(t *testing.T) {
	p := newPair(t)
	rng := rand.New(rand.NewPCG(5, 5))
	const alphabet = "0123456789012345.eE+-xXpPabcdfinftyINFNAN \t\x00"
	for i := 0; i < 400; i++ {
		b := make([]byte, 1+rng.IntN(12))
		for j := range b {
			b[j] = alphabet[rng.IntN(len(alphabet))]
		}
		if rng.IntN(3) == 0 { // mostly well-formed numbers, with exponents near the limits
			b = []byte(strconv.Itoa(rng.IntN(100)) + "e" + strconv.Itoa(rng.IntN(700)-350))
		}
		p.Check([]string{"DEL", "l"})
		p.Check([]string{"RPUSH", "l", string(b), "0", "1", "-1", "1e300", "-1e300"})
		p.Check([]string{"SORT", "l"})
		p.Check([]string{"INCRBYFLOAT", "errno-reset", "0"})
	}
}

func TestParseScore(t *testing.T) {
	for _, tc := range []struct {
		in string
		v  float64
		ok bool
	}{
		{"", 0, true},
		{"\x00abc", 0, true},
		{"1\x00abc", 1, true},
		{" 1", 1, true},
		{"1 ", 0, false},
		{" ", 0, false},
		{"0x10", 16, true},
		{"0x1p-1074", math.SmallestNonzeroFloat64, true},
		{"1e-320", 0, false},
		{"1e-400", 0, false},
		{"0e-400", 0, true},
		{"1e309", 0, false},
		{"-inf", math.Inf(-1), true},
		{"infinity", math.Inf(1), true},
		{"infinit", 0, false},
		{"nan", 0, false},
		{"1.", 1, true},
		{".5", 0.5, true},
		{"1e", 0, false},
		{"1_0", 0, false},
		{"-0", math.Copysign(0, -1), true},
	} {
		v, ok := tsort.ParseScore([]byte(tc.in))
		require.Equal(t, tc.ok, ok, "%q", tc.in)
		if ok {
			require.Equal(t, math.Float64bits(tc.v), math.Float64bits(v), "%q", tc.in)
		}
	}
}

// FuzzParseScore: ParseScore never panics, and whatever it accepts without surrounding
// C-only syntax (spaces, hex, NUL, "infinity") agrees with strconv.
func FuzzParseScore(f *testing.F) {
	for _, c := range scoreCandidates {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, ok := tsort.ParseScore([]byte(s))
		if !ok {
			return
		}
		require.False(t, math.IsNaN(v))
		if w, err := strconv.ParseFloat(s, 64); err == nil && math.Abs(w) >= 2.2250738585072014e-308 {
			require.Equal(t, w, v, "%q", s)
		}
	})
}
