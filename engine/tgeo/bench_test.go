package tgeo_test

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/engine/tgeo"
	"github.com/redisctl/redisctl/engine/tzset"
)

// benchEngine is enginetest.Bench with the commands benchmarked here.
type benchEngine struct{ *enginetest.Bench }

func newBenchEngine(_ testing.TB) *benchEngine {
	return &benchEngine{enginetest.NewBench(tzset.Commands(), tgeo.Commands())}
}

func (b *benchEngine) exec(args ...[]byte) { b.Exec(args) }

func argv(s ...string) [][]byte {
	out := make([][]byte, len(s))
	for i, a := range s {
		out[i] = []byte(a)
	}
	return out
}

// fill adds n points spread over Europe (lon 0..20, lat 40..55) to key.
func (b *benchEngine) fill(key string, n int) {
	r := rand.New(rand.NewPCG(1, 1))
	for i := range n {
		b.exec(argv("GEOADD", key, strconv.FormatFloat(r.Float64()*20, 'f', 6, 64),
			strconv.FormatFloat(40+r.Float64()*15, 'f', 6, 64), "point:"+strconv.Itoa(i))...)
	}
}

func BenchmarkGeoAdd(b *testing.B) {
	be := newBenchEngine(b)
	be.fill("g", 1000)
	args := argv("GEOADD", "g", "13.361389", "38.115556", "point:1")
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		be.exec(args...)
	}
}

func BenchmarkGeoSearchByRadius100k(b *testing.B) {
	be := newBenchEngine(b)
	be.fill("g", 100_000)
	for _, radius := range []string{"5", "50"} {
		b.Run(radius+"km", func(b *testing.B) {
			args := argv("GEOSEARCH", "g", "FROMLONLAT", "10", "47", "BYRADIUS", radius, "km", "WITHDIST", "ASC")
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				be.exec(args...)
			}
		})
	}
}

func BenchmarkGeoDist(b *testing.B) {
	for _, n := range []int{100, 100_000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			be := newBenchEngine(b)
			be.fill("g", n)
			args := argv("GEODIST", "g", "point:3", "point:7", "km")
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				be.exec(args...)
			}
		})
	}
}

func BenchmarkDistance(b *testing.B) {
	b.ReportAllocs()
	s := 0.0
	for i := range b.N {
		s += tgeo.Distance(13.361389, 38.115556, 15.087269+float64(i&7)*1e-3, 37.502669)
	}
	_ = s
}

// fillGrid adds the 10000-member set of the GEOSEARCH performance report: a 2°×2° patch
// around Sicily, members "m<i>".
func (b *benchEngine) fillGrid(key string) {
	for i := range 10000 {
		lon := 12.36 + float64((i*7919)%10000)/5000
		lat := 37.11 + float64((i*104729)%10000)/5000
		b.exec(argv("GEOADD", key, strconv.FormatFloat(lon, 'g', -1, 64),
			strconv.FormatFloat(lat, 'g', -1, 64), "m"+strconv.Itoa(i))...)
	}
}

func BenchmarkGeoSearchGrid10k(b *testing.B) {
	be := newBenchEngine(b)
	be.fillGrid("bench:geo")
	args := argv("GEOSEARCH", "bench:geo", "FROMLONLAT", "13.361389", "38.115556", "BYRADIUS", "10", "km", "ASC", "COUNT", "10")
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		be.exec(args...)
	}
}
