package tgeo

import "math"

// Fast paths for csin, ccos and casin. Each computes its result as a double-double from a
// table of sin/cos at multiples of 1/64 (built with the slow double-double code) and short
// polynomials, together with a bound on its error, and returns only when every value within
// that bound rounds to the same double: that double is then what the slow path returns.
// The bound is at least 2^-70 of the result, above the slow path's own error (about 1e-22
// relative), so a result the slow path could round differently always goes to the slow
// path. That happens for about one call in ten thousand.

const (
	tabStep = 64
	tabLen  = 203 // a = k/64 up to 3.16 > π
	tabMax  = float64(tabLen-1)/tabStep - 1.0/(2*tabStep)
	// relErr bounds the relative error of a short polynomial evaluated in doubles (a few
	// ulps); ddErr bounds the table's and the double-double sums' errors (relative).
	relErr = 0x1p-48
	ddErr  = 0x1p-70
)

var sinTab, cosTab [tabLen]dd

func init() {
	cosTab[0] = dd{1, 0}
	for k := 1; k < tabLen; k++ {
		a := float64(k) / tabStep
		sinTab[k], _ = sinDD(a)
		cosTab[k], _ = cosDD(a)
	}
}

// sinCosFast returns sin(ax) (cos false) or cos(ax) (cos true) for 0 <= ax <= tabMax as a
// double-double with an absolute error bound. ax = a + d with a = k/64, |d| <= 1/128 (d is
// exact), and sin(a+d) = sa + ca·d + sa·cd + ca·sd, cos(a+d) = ca - sa·d + ca·cd - sa·sd,
// where cd = cos(d)-1 and sd = sin(d)-d are tiny.
func sinCosFast(ax float64, cos bool) (dd, float64) {
	k := int(ax*tabStep + 0.5)
	d := ax - float64(k)/tabStep
	d2 := d * d
	sd := d2 * d * (-1.0/6 + d2*(1.0/120+d2*(-1.0/5040+d2*(1.0/362880))))
	cd := d2 * (-0.5 + d2*(1.0/24+d2*(-1.0/720+d2*(1.0/40320))))
	sa, ca := sinTab[k], cosTab[k]
	if cos {
		sa, ca = ca, ddNeg(sa) // cos(a+d) = sin(a+d+π/2): sin→cos, cos→-sin
	}
	p := twoProd(ca.hi, d)
	p.lo += ca.lo * d
	s := ddAdd(sa, p)
	t1, t2 := sa.hi*cd, ca.hi*sd
	s = ddAdd(s, dd{t1 + t2, 0})
	err := relErr*(math.Abs(t1)+math.Abs(t2)) + ddErr*(math.Abs(sa.hi)+math.Abs(p.hi)+math.Abs(s.hi))
	return s, err
}

// roundIfSure rounds s when all of [s-err, s+err] rounds to one double.
func roundIfSure(s dd, err float64) (float64, bool) {
	r1 := s.hi + (s.lo - err)
	r2 := s.hi + (s.lo + err)
	return r1, r1 == r2
}

func csinFast(x float64) (float64, bool) {
	ax := math.Abs(x)
	if !(ax <= tabMax) || x == 0 {
		return 0, false
	}
	r, ok := roundIfSure(sinCosFast(ax, false))
	if x < 0 {
		r = -r
	}
	return r, ok
}

func ccosFast(x float64) (float64, bool) {
	ax := math.Abs(x)
	if !(ax <= tabMax) {
		return 0, false
	}
	return roundIfSure(sinCosFast(ax, true))
}

// casinFast is asin(x) for 0 < |x| <= 0.5: one Newton step from Go's estimate y0, with
// sin(y0) from sinCosFast.
func casinFast(x float64) (float64, bool) {
	ax := math.Abs(x)
	if !(ax > 0 && ax <= 0.5) {
		return 0, false
	}
	y0 := math.Asin(ax)
	if !(y0 > 0 && y0 <= tabMax) {
		return 0, false
	}
	s, serr := sinCosFast(y0, false)
	diff := (ax - s.hi) - s.lo // ax - s.hi is exact (they are within a few ulps)
	c := math.Cos(y0)          // >= 0.86
	delta := diff / c
	y := twoSum(y0, delta)
	// sin's error through the step, the step's own rounding, and Newton's quadratic term
	// (|sin/(2cos)|·e² with e about |delta|, plus slack for y0 being a few ulps off).
	err := serr*1.2 + math.Abs(delta)*relErr + delta*delta + ddErr*y0
	r, ok := roundIfSure(y, err)
	if x < 0 {
		r = -r
	}
	return r, ok
}
