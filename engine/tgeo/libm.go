package tgeo

import "math"

// Redis's distances go through glibc's sin, cos and asin, which round (almost always)
// correctly. Go's math functions are a few ULP off at times, enough to change the stored
// STOREDIST scores ("%.17g") and to move points across a radius. These versions compute
// in double-double arithmetic (about 100 bits) and round once, so they agree with glibc
// wherever glibc's result is the correctly rounded one.

// dd is an unevaluated sum hi+lo with |lo| <= ulp(hi)/2.
type dd struct{ hi, lo float64 }

func twoSum(a, b float64) dd {
	s := a + b
	bb := s - a
	return dd{s, (a - (s - bb)) + (b - bb)}
}

func quickTwoSum(a, b float64) dd {
	s := a + b
	return dd{s, b - (s - a)}
}

func twoProd(a, b float64) dd {
	p := a * b
	return dd{p, math.FMA(a, b, -p)}
}

func ddAdd(a, b dd) dd {
	s := twoSum(a.hi, b.hi)
	t := twoSum(a.lo, b.lo)
	s.lo += t.hi
	s = quickTwoSum(s.hi, s.lo)
	s.lo += t.lo
	return quickTwoSum(s.hi, s.lo)
}

func ddMul(a, b dd) dd {
	p := twoProd(a.hi, b.hi)
	p.lo += a.hi*b.lo + a.lo*b.hi
	return quickTwoSum(p.hi, p.lo)
}

func ddMulF(a dd, b float64) dd {
	p := twoProd(a.hi, b)
	p.lo += a.lo * b
	return quickTwoSum(p.hi, p.lo)
}

func ddNeg(a dd) dd { return dd{-a.hi, -a.lo} }

// ddDivF is a/b to double-double precision.
func ddDivF(a dd, b float64) dd {
	q1 := a.hi / b
	r := ddAdd(a, ddNeg(twoProd(q1, b)))
	q2 := r.hi / b
	r = ddAdd(r, ddNeg(twoProd(q2, b)))
	q3 := r.hi / b
	q := quickTwoSum(q1, q2)
	return ddAdd(q, dd{q3, 0})
}

// Taylor coefficients: sinC[k] = (-1)^k/(2k+1)!, cosC[k] = (-1)^k/(2k)!.
var sinC, cosC [16]dd

// π/2 in four pieces of 33 bits (fdlibm's pio2_1, pio2_2, pio2_3, pio2_3t), and π/2 as a
// double-double.
const (
	pio2a = 1.57079632673412561417e+00
	pio2b = 6.07710050630396597660e-11
	pio2c = 2.02226624871116645580e-21
	pio2d = 8.47842766036889956997e-32
)

var pio2DD = quickTwoSum(1.5707963267948966, 6.123233995736766e-17)

func init() {
	f := dd{1, 0} // 1/n!
	for n := 1; n <= 32; n++ {
		f = ddDivF(f, float64(n))
		if n%2 == 1 {
			k := (n - 1) / 2
			if k < len(sinC) {
				sinC[k] = f
				if k%2 == 1 {
					sinC[k] = ddNeg(f)
				}
			}
		} else {
			k := n / 2
			if k < len(cosC) {
				cosC[k] = f
				if k%2 == 1 {
					cosC[k] = ddNeg(f)
				}
			}
		}
	}
	cosC[0] = dd{1, 0}
	sinC[0] = dd{1, 0}
}

// ddTerms is how many leading Taylor terms are evaluated in double-double; the rest (each
// below 1e-6 of the result for |r| <= π/4) in plain doubles, which keeps the error near
// 1e-22 relative: far below glibc's own misrounding rate (see doc.go).
const ddTerms = 4

func sinReduced(r, r2 dd) dd {
	t := sinC[len(sinC)-1].hi
	for k := len(sinC) - 2; k >= ddTerms; k-- {
		t = t*r2.hi + sinC[k].hi
	}
	s := dd{t, 0}
	for k := ddTerms - 1; k >= 0; k-- {
		s = ddAdd(ddMul(s, r2), sinC[k])
	}
	return ddMul(s, r)
}

func cosReduced(r2 dd) dd {
	t := cosC[len(cosC)-1].hi
	for k := len(cosC) - 2; k >= ddTerms; k-- {
		t = t*r2.hi + cosC[k].hi
	}
	c := dd{t, 0}
	for k := ddTerms - 1; k >= 0; k-- {
		c = ddAdd(ddMul(c, r2), cosC[k])
	}
	return c
}

// reduce returns x - k·π/2 as a double-double and k mod 4; ok is false when x is too
// large for this reduction (|x| >= 2^19) or not finite.
func reduce(x float64) (r dd, quadrant int, ok bool) {
	if !(math.Abs(x) < 1<<19) {
		return dd{}, 0, false
	}
	k := math.Round(x * (2 / math.Pi))
	r = twoSum(x, -k*pio2a) // k*pio2a is exact: k has at most 20 bits, pio2a 33
	r = ddAdd(r, ddNeg(twoProd(k, pio2b)))
	r = ddAdd(r, ddNeg(twoProd(k, pio2c)))
	r = ddAdd(r, dd{-k * pio2d, 0})
	return r, int(int64(k) & 3), true
}

// sinDD and cosDD are sin(x) and cos(x) as double-doubles.
func sinDD(x float64) (dd, bool) {
	r, q, ok := reduce(x)
	if !ok {
		return dd{}, false
	}
	r2 := ddMul(r, r)
	switch q {
	case 0:
		return sinReduced(r, r2), true
	case 1:
		return cosReduced(r2), true
	case 2:
		return ddNeg(sinReduced(r, r2)), true
	default:
		return ddNeg(cosReduced(r2)), true
	}
}

func cosDD(x float64) (dd, bool) {
	r, q, ok := reduce(x)
	if !ok {
		return dd{}, false
	}
	r2 := ddMul(r, r)
	switch q {
	case 0:
		return cosReduced(r2), true
	case 1:
		return ddNeg(sinReduced(r, r2)), true
	case 2:
		return ddNeg(cosReduced(r2)), true
	default:
		return sinReduced(r, r2), true
	}
}

func round(a dd) float64 { return a.hi + a.lo }

func csin(x float64) float64 {
	if x == 0 {
		return x // keeps the sign of zero
	}
	if r, ok := csinFast(x); ok {
		return r
	}
	s, ok := sinDD(x)
	if !ok {
		return math.Sin(x)
	}
	return round(s)
}

func ccos(x float64) float64 {
	if r, ok := ccosFast(x); ok {
		return r
	}
	c, ok := cosDD(x)
	if !ok {
		return math.Cos(x)
	}
	return round(c)
}

// asinNewton refines asin(t) for |t| <= 0.5 (t a double-double) with one Newton step from
// Go's estimate, as a double-double.
func asinNewton(t dd) dd {
	y0 := math.Asin(t.hi)
	s, _ := sinDD(y0)
	diff := ddAdd(t, ddNeg(s))
	delta := (diff.hi + diff.lo) / math.Cos(y0) // a relative error of 1e-16 on the step is enough
	return twoSum(y0, delta)
}

// casin is glibc's asin: NaN with the sign bit set (the x86 default NaN) outside [-1, 1].
func casin(x float64) float64 {
	ax := math.Abs(x)
	switch {
	case math.IsNaN(x):
		return x
	case ax > 1:
		return math.Copysign(math.NaN(), -1)
	case x == 0:
		return x
	case ax <= 0.5:
		if r, ok := casinFast(x); ok {
			return r
		}
		return round(asinNewton(dd{x, 0}))
	}
	// asin(x) = π/2 - 2 asin(sqrt((1-x)/2)); 1-ax is exact here.
	t := (1 - ax) / 2
	s0 := math.Sqrt(t)
	var sq dd
	if s0 > 0 {
		sq = quickTwoSum(s0, math.FMA(-s0, s0, t)/(2*s0))
	}
	y := ddAdd(pio2DD, ddNeg(ddMulF(asinNewton(sq), 2)))
	r := round(y)
	if x < 0 {
		return -r
	}
	return r
}
