package tgeo_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestTiesAndRESP3AgainstRedis puts many members on the same few positions (equal
// distances) so the order of ties shows: glibc's stable merge sort without COUNT, Redis's
// pqsort with a COUNT that cuts the result, box order without sorting; then the RESP3
// forms of every reply.
func TestTiesAndRESP3AgainstRedis(t *testing.T) {
	p := newPair(t)
	var b strings.Builder
	b.WriteString("GEOADD ties")
	spots := [][2]string{{"10", "10"}, {"10.001", "10"}, {"9.999", "10"}, {"10", "10.001"}, {"10", "9.999"}}
	for i := 0; i < 300; i++ {
		s := spots[(i*7)%len(spots)]
		fmt.Fprintf(&b, " %s %s m%d", s[0], s[1], i)
	}
	p.Run(b.String())
	var script strings.Builder
	for _, c := range []string{"1", "2", "5", "7", "8", "40", "41", "100", "299", "300", "1000"} {
		fmt.Fprintf(&script, "GEORADIUS ties 10 10 1 km WITHDIST COUNT %s\n", c)
		fmt.Fprintf(&script, "GEORADIUS ties 10 10 1 km COUNT %s DESC\n", c)
		fmt.Fprintf(&script, "GEOSEARCH ties FROMLONLAT 10.0004 10 BYBOX 1 1 km COUNT %s ASC WITHDIST\n", c)
		fmt.Fprintf(&script, "GEOSEARCH ties FROMLONLAT 10 10 BYRADIUS 1 km COUNT %s ANY\n", c)
		fmt.Fprintf(&script, "GEOSEARCHSTORE dst ties FROMLONLAT 10 10 BYRADIUS 1 km COUNT %s STOREDIST\n", c)
		// MEMORY USAGE of a skiplist-encoded result is not compared: Redis's dict is often
		// mid-rehash there (see doc.go); listpack results are compared below.
		script.WriteString("ZRANGE dst 0 -1 WITHSCORES\nOBJECT ENCODING dst\n")
	}
	p.Run(script.String() + `
GEORADIUS ties 10 10 1 km
GEORADIUS ties 10 10 1 km ASC
GEORADIUS ties 10 10 1 km DESC
GEORADIUS ties 10.0002 10.0003 1 km ASC WITHDIST
GEOSEARCHSTORE small ties FROMLONLAT 10 10 BYRADIUS 1 km COUNT 20
DUMP small
GEOSEARCHSTORE small ties FROMLONLAT 10 10 BYRADIUS 1 km COUNT 20 STOREDIST
DUMP small
MEMORY USAGE small
MEMORY USAGE small SAMPLES 0
`)
	p.SetProto(3)
	p.Run(`
GEOADD Sicily 13.361389 38.115556 Palermo 15.087269 37.502669 Catania
GEOPOS Sicily Palermo missing Catania
GEOPOS nokey a
GEOHASH Sicily Palermo missing
GEODIST Sicily Palermo Catania km
GEODIST Sicily Palermo missing
GEODIST nokey a b
GEORADIUS Sicily 15 37 200 km WITHDIST WITHCOORD WITHHASH ASC
GEORADIUS Sicily 15 37 200 km
GEORADIUS Sicily 0 0 1 km
GEORADIUSBYMEMBER Sicily Palermo 200 km WITHCOORD
GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 400 400 km WITHCOORD WITHDIST DESC
GEOSEARCH nokey FROMLONLAT 15 37 BYBOX 400 400 km
GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYBOX 400 400 km STOREDIST
ZRANGE dst 0 -1 WITHSCORES
GEORADIUS Sicily 15 37 -1 km
GEOADD Sicily 0 0 zero -0 -0 negzero 180 85.05112878 top
GEOPOS Sicily zero negzero top
`)
}
