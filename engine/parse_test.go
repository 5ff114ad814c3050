package engine

import "testing"

func TestParseFloatStrtod(t *testing.T) {
	cases := []struct {
		in string
		ok bool
		v  float64
	}{
		{"1.5", true, 1.5}, {"0x10", true, 16}, {"-0X1p-3", true, -0.125}, {"1e-400", false, 0},
		{"0e-400", true, 0}, {"1e-310", true, 1e-310}, {"1e400", false, 0}, {"inf", true, 0},
		{" 1", false, 0}, {"1 ", false, 0}, {"nan", false, 0}, {"", false, 0}, {"1_0", false, 0},
		{"0x", false, 0}, {"-0", true, 0}, {"+7", true, 7},
	}
	for _, c := range cases {
		v, ok := ParseFloat([]byte(c.in))
		if ok != c.ok || (ok && c.in != "inf" && v != c.v) {
			t.Errorf("ParseFloat(%q) = %v, %v; want %v, %v", c.in, v, ok, c.v, c.ok)
		}
	}
}
