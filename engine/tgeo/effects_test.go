package tgeo_test

import (
	"testing"

	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/engine/tgeo"
	"github.com/redisctl/redisctl/engine/tstring"
	"github.com/redisctl/redisctl/engine/tzset"
)

// TestEffectsAgainstRedis compares dirty counts, keyspace events and propagation: GEOADD
// propagates as the ZADD it becomes, the STORE forms as themselves, empty results delete
// the destination.
func TestEffectsAgainstRedis(t *testing.T) {
	e := enginetest.NewEffects(t, "KEA", tgeo.Commands(), tzset.Commands(), tstring.Commands())
	e.Run(`
GEOADD g 13.361389 38.115556 Palermo 15.087269 37.502669 Catania
GEOADD g 13.361389 38.115556 Palermo
GEOADD g CH 13.361389 38.115556 Palermo 1 1 x
GEOADD g XX CH 2 2 x 3 3 y
GEOADD g NX ch 4 4 x 5 5 z
GEOADD g nx 4 4 x
GEOADD g 200 1 x
GEOADD g NX XX 1 1 x
SET str v
GEOADD str 1 1 x
GEORADIUS g 15 37 200 km
GEORADIUS g 15 37 200 km STORE dst
GEORADIUS g 15 37 200 km STOREDIST dst
GEORADIUS g 15 37 200 km COUNT 1 STORE dst
GEORADIUS g 0 0 1 m STORE dst
GEORADIUS g 0 0 1 m STORE dst
GEORADIUS nokey 0 0 1 m STORE g2
GEORADIUSBYMEMBER g Palermo 300 km STORE dst
GEORADIUSBYMEMBER nokey a 1 km STORE dst
GEORADIUS_RO g 15 37 200 km
GEOSEARCH g FROMMEMBER Palermo BYRADIUS 300 km
GEOSEARCHSTORE dst g FROMMEMBER Palermo BYRADIUS 300 km
GEOSEARCHSTORE dst g FROMMEMBER Palermo BYRADIUS 300 km STOREDIST
GEOSEARCHSTORE dst g FROMLONLAT 0 0 BYBOX 1 1 m
GEOSEARCHSTORE dst nokey FROMLONLAT 0 0 BYBOX 1 1 m
GEOSEARCHSTORE g g FROMLONLAT 15 37 BYBOX 500 500 km COUNT 2 ANY
GEOSEARCHSTORE str nokey FROMLONLAT 0 0 BYBOX 1 1 m
GEOPOS g x
GEODIST g x y
GEOHASH g x
`)
}
