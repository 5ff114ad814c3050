package tzset

import (
	"math"
	"strconv"
	"testing"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/rdb/listpack"
)

// FuzzFromListpack: untrusted listpack bytes (RDB files, RESTORE payloads) never panic;
// what is accepted can be read, ranged, edited and converted.
func FuzzFromListpack(f *testing.F) {
	lp := listpack.New()
	for i, m := range []string{"a", "b", "123", "", "long-member-name"} {
		lp = zzlInsert(lp, []byte(m), float64(i)*0.75)
	}
	f.Add(lp)
	f.Add(listpack.New())
	f.Add(lp[:len(lp)-3])
	f.Add([]byte{0x0d, 0, 0, 0, 2, 0, 0x81, 'a', 2, 0xc1, 'x', 2, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		set := engine.DefaultSettings()
		set.ZSetMaxListpackEntries = 4
		o, err := FromListpack(&set, append([]byte(nil), b...))
		if err != nil {
			return
		}
		n := Len(&o)
		seen := 0
		Ascend(&o, func([]byte, float64) bool { seen++; return true })
		if seen != n {
			t.Fatalf("Ascend saw %d of %d", seen, n)
		}
		r := scoreRange{min: math.Inf(-1), max: math.Inf(1)}
		if o.Encoding() == engine.EncListpack {
			zzlFirstInRange(o.Bytes(), &r)
			zzlLastInRange(o.Bytes(), &r)
		}
		add(&set, &o, 1.5, []byte("new"), 0)
		del(&o, []byte("a"))
		convert(&o, engine.EncSkiplist)
		convert(&o, engine.EncListpack)
		_ = memoryUsage(nil, &o, 0)
	})
}

// FuzzParseNumbers: the score and range parsers never panic and agree with strconv on
// plain decimal numbers.
func FuzzParseNumbers(f *testing.F) {
	for _, s := range []string{"1", "-1.5", "(3", "inf", "-inf", "0x1p3", " 1", "1e400", "nan", "", "(", "[a", "-", "+", "-0", "000000012345", "999999999999999", "1234567890123456", "-12"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := []byte(s)
		v, ok := parseDouble(b)
		if ok && math.IsNaN(v) {
			t.Fatalf("parseDouble(%q) = NaN", s)
		}
		if g, err := strconv.ParseFloat(s, 64); err == nil && ok && (g != v || math.Signbit(g) != math.Signbit(v)) && !math.IsInf(g, 0) {
			t.Fatalf("parseDouble(%q) = %v, strconv %v", s, v, g)
		}
		parseScoreRange(b, b)
		if r, ok := parseLexRange(b, []byte("+")); ok {
			r.empty()
			r.gteMin("x")
		}
		scoreFromText(b)
	})
}
