package tgeo

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestFastPathsAgreeWithSlow checks that whenever a fast path answers, its answer is the
// double-double path's, over arguments of the sizes Distance produces, and that it answers
// almost always.
func TestFastPathsAgreeWithSlow(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 9))
	n := 300_000
	if testing.Short() {
		n = 30_000
	}
	var fallbacks [3]int
	gen := func() float64 {
		switch r.IntN(4) {
		case 0:
			return (r.Float64()*2 - 1) * math.Pi
		case 1:
			return (r.Float64()*2 - 1) * 1e-3
		case 2:
			return (r.Float64()*2 - 1) * math.Ldexp(1, -r.IntN(40))
		default:
			return degRad((r.Float64()*2 - 1) * 85.05112878)
		}
	}
	for range n {
		x := gen()
		if got, ok := csinFast(x); ok {
			s, _ := sinDD(x)
			if want := round(s); got != want {
				t.Fatalf("sin(%v): fast %v, slow %v", x, got, want)
			}
		} else if x != 0 {
			fallbacks[0]++
		}
		if got, ok := ccosFast(x); ok {
			c, _ := cosDD(x)
			if want := round(c); got != want {
				t.Fatalf("cos(%v): fast %v, slow %v", x, got, want)
			}
		} else {
			fallbacks[1]++
		}
		a := math.Abs(x) / 2 * math.Copysign(1, x)
		if math.Abs(a) > 0.5 {
			a = r.Float64() * 0.5
		}
		if got, ok := casinFast(a); ok {
			if want := round(asinNewton(dd{a, 0})); got != want {
				t.Fatalf("asin(%v): fast %v, slow %v", a, got, want)
			}
		} else if a != 0 {
			fallbacks[2]++
		}
	}
	for i, f := range fallbacks {
		if f > n/500 {
			t.Errorf("function %d: %d of %d calls fell back to the slow path", i, f, n)
		}
	}
	t.Logf("fallbacks sin/cos/asin: %v of %d", fallbacks, n)
}

func TestFastPathEdges(t *testing.T) {
	for _, x := range []float64{math.NaN(), math.Inf(1), math.Inf(-1), 4, -4, 1e10, 0, math.Copysign(0, -1), 5e-324} {
		if x != 0 {
			if _, ok := csinFast(x); ok && (math.IsNaN(x) || math.Abs(x) > tabMax) {
				t.Errorf("sin(%v) took the fast path", x)
			}
		}
		if _, ok := ccosFast(x); ok && (math.IsNaN(x) || math.Abs(x) > tabMax) {
			t.Errorf("cos(%v) took the fast path", x)
		}
	}
	if math.Signbit(csin(math.Copysign(0, -1))) != true {
		t.Error("sin(-0) lost its sign")
	}
}

// TestWithinMatchesDistance checks the prepared radius test against the plain one
// (Distance and Redis's dist > radius) for points around the circle's edge, centres and
// radii of all sizes included.
func TestWithinMatchesDistance(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	rejected := 0
	for range 200_000 {
		var sh shape
		sh.lon = r.Float64()*360 - 180
		sh.lat = (r.Float64()*2 - 1) * 85
		sh.conversion = 1
		sh.radius = math.Ldexp(r.Float64(), r.IntN(26)) // up to 33000 km
		if r.IntN(50) == 0 {
			sh.radius = 0
		}
		sh.prepare()
		// a point at about the radius (±1%, or ±1e-9) in a random direction
		ang := r.Float64() * 2 * math.Pi
		f := 1 + (r.Float64()*2-1)*[]float64{1e-2, 1e-9, 1e-13}[r.IntN(3)]
		deg := radDeg(sh.radius * f / earthRadius)
		lon := sh.lon + deg*math.Cos(ang)/math.Max(math.Cos(degRad(sh.lat)), 1e-3)
		lat := math.Max(-85.05, math.Min(85.05, sh.lat+deg*math.Sin(ang)))
		lon = math.Mod(lon+540, 360) - 180
		score, ok := Encode(lon, lat)
		if !ok {
			continue
		}
		plon, plat := Decode(float64(score))
		want := Distance(sh.lon, sh.lat, plon, plat)
		wantIn := !(want > sh.radius)
		_, _, got, in := sh.within(float64(score))
		if in != wantIn || (in && got != want) {
			t.Fatalf("centre %v,%v radius %v point %v,%v: within %v %v, Distance %v %v",
				sh.lon, sh.lat, sh.radius, plon, plat, got, in, want, wantIn)
		}
		if !in {
			rejected++
		}
	}
	t.Logf("%d outside", rejected)
}
