package tgeo_test

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// TestGridAgainstRedis runs the GEOSEARCH performance report's data set (10000 members on
// a 2°×2° patch) against Redis with WITHDIST/STOREDIST searches over many centres and
// radii, most of them cutting through the patch, so that many points lie near a radius
// boundary: it guards the cheap rejection and the fast sin/cos/asin paths.
func TestGridAgainstRedis(t *testing.T) {
	p := newPair(t)
	for c := 0; c < 10000; c += 500 {
		var b strings.Builder
		b.WriteString("GEOADD bench:geo")
		for i := c; i < c+500; i++ {
			lon := 12.36 + float64((i*7919)%10000)/5000
			lat := 37.11 + float64((i*104729)%10000)/5000
			b.WriteString(" " + strconv.FormatFloat(lon, 'g', -1, 64) + " " +
				strconv.FormatFloat(lat, 'g', -1, 64) + " m" + strconv.Itoa(i))
		}
		check(t, p, strings.Fields(b.String()))
	}
	r := rand.New(rand.NewPCG(2026, 11))
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', 6, 64) }
	queries := 300
	if testing.Short() {
		queries = 60
	}
	ulpOff, compared, off0 := 0, 0, distOff
	for q := range queries {
		lon := f(12.2 + r.Float64()*2.3)
		lat := f(36.95 + r.Float64()*2.3)
		radius := []string{"0.5", "1", "3", "10", "10", "25", "60", "150", "400"}[r.IntN(9)]
		if q%5 == 0 {
			radius = strconv.FormatFloat(0.2+r.Float64()*50, 'f', 3, 64)
		}
		unit := []string{"km", "km", "m", "mi", "ft"}[r.IntN(5)]
		if unit == "m" || unit == "ft" {
			radius += "000"
		}
		switch q % 4 {
		case 0:
			check(t, p, []string{"GEOSEARCH", "bench:geo", "FROMLONLAT", lon, lat, "BYRADIUS", radius, unit, "WITHDIST", "ASC"})
		case 1:
			check(t, p, []string{"GEOSEARCH", "bench:geo", "FROMLONLAT", lon, lat, "BYRADIUS", radius, unit, "WITHDIST", "WITHCOORD", "WITHHASH", "ASC", "COUNT", "10"})
		case 2:
			check(t, p, []string{"GEORADIUS", "bench:geo", lon, lat, radius, unit, "WITHDIST", "DESC", "COUNT", strconv.Itoa(1 + r.IntN(200))})
		default:
			check(t, p, []string{"GEOSEARCHSTORE", "dst", "bench:geo", "FROMMEMBER", "m" + strconv.Itoa(r.IntN(10000)), "BYRADIUS", radius, unit, "STOREDIST"})
			checkDistances(t, p, &ulpOff, &compared)
		}
		if t.Failed() {
			t.Fatalf("stopping after failures (query %d)", q)
		}
	}
	t.Logf("%d replies had a WITHDIST last digit one off", distOff-off0)
	t.Logf("STOREDIST: %d of %d stored distances differ from Redis's by 1 to 4 ulp", ulpOff, compared)
	if ulpOff*200 > compared {
		t.Errorf("too many distances off by an ulp: %d of %d", ulpOff, compared)
	}
}
