package tgeo_test

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/engine/tgeo"
	"github.com/redisctl/redisctl/engine/tzset"
	"github.com/stretchr/testify/require"
)

// Values from Redis 7.0.15 (GEOADD/ZSCORE, GEOPOS, GEOHASH, GEODIST on the docs' Sicily).
func TestKnownValues(t *testing.T) {
	for _, tc := range []struct {
		lon, lat float64
		score    uint64
		pos      [2]float64
		hash     string
	}{
		{13.361389, 38.115556, 3479099956230698, [2]float64{13.36138933897018433, 38.11555639549629859}, "sqc8b49rny0"},
		{15.087269, 37.502669, 3479447370796909, [2]float64{15.08726745843887329, 37.50266842333162032}, "sqdtr74hyu0"},
		{-180, -85.05112878, 0, [2]float64{-179.99999731779098511, -85.05112751263942528}, "00bh0hbj200"},
	} {
		s, ok := tgeo.Encode(tc.lon, tc.lat)
		require.True(t, ok)
		require.Equal(t, tc.score, s)
		lon, lat := tgeo.Decode(float64(s))
		require.Equal(t, tc.pos[0], lon)
		require.Equal(t, tc.pos[1], lat)
		require.Equal(t, tc.hash, string(tgeo.Geohash(nil, float64(s))))
	}
	_, ok := tgeo.Encode(180.0000001, 0)
	require.False(t, ok)
	_, ok = tgeo.Encode(0, tgeo.LatMax+1e-9)
	require.False(t, ok)
	// Odd scores decode as Redis's (uint64_t) conversion and clamping make them.
	lon, lat := tgeo.Decode(-1)
	require.Equal(t, [2]float64{180, 85.0511287799999991}, [2]float64{lon, lat})
	lon, lat = tgeo.Decode(math.Inf(1))
	require.Equal(t, [2]float64{-179.99999731779098511, -85.05112751263942528}, [2]float64{lon, lat})
	d := tgeo.Distance(13.36138933897018433, 38.11555639549629859, 15.08726745843887329, 37.50266842333162032)
	require.Equal(t, "166274.1516", strconv.FormatFloat(d, 'f', 4, 64))
}

// TestHarness runs the commands on the in-process engine only (no redis-server needed).
func TestHarness(t *testing.T) {
	h := enginetest.New(t, tgeo.Commands(), tzset.Commands())
	for _, tc := range []struct{ cmd, want string }{
		{"GEOADD g 13.361389 38.115556 Palermo 15.087269 37.502669 Catania", "(integer) 2"},
		{"ZSCORE g Palermo", `"3479099956230698"`},
		{"GEODIST g Palermo Catania km", `"166.2742"`},
		{"GEOHASH g Palermo nope", `1) "sqc8b49rny0" | 2) (nil)`},
		{"GEOPOS g Catania", `1) 1) "15.08726745843887329" |    2) "37.50266842333162032"`},
		{"GEORADIUS g 15 37 200 km ASC", `1) "Catania" | 2) "Palermo"`},
		{"GEOSEARCH g FROMMEMBER Palermo BYBOX 400 400 km DESC", `1) "Catania" | 2) "Palermo"`},
		{"GEOADD g 200 0 x", "(error) ERR invalid longitude,latitude pair 200.000000,0.000000"},
		{"GEOSEARCH g FROMLONLAT 0 0 BYRADIUS 1 km ANY", "(error) ERR the ANY argument requires COUNT argument"},
		{"GEORADIUS_RO g 0 0 1 km STORE d", "(error) ERR syntax error"},
		{"GEODIST g Palermo Catania yd", "(error) ERR unsupported unit provided. please use M, KM, FT, MI"},
	} {
		args := strings.Fields(tc.cmd)
		got := strings.ReplaceAll(h.Do(args...).String(), "\n", " | ")
		require.Equal(t, tc.want, got, tc.cmd)
	}
}

// FuzzSearchArgs runs GEOSEARCH/GEORADIUS with arbitrary options: never a panic.
func FuzzSearchArgs(f *testing.F) {
	f.Add("FROMLONLAT 15 37 BYRADIUS 200 km WITHDIST COUNT 2 ANY ASC")
	f.Add("FROMMEMBER Palermo BYBOX 1e9 1 mi WITHCOORD WITHHASH DESC")
	f.Add("FROMLONLAT 180 85.05112878 BYRADIUS inf m")
	f.Add("FROMLONLAT -180 -85.05112878 BYBOX 0 0 ft COUNT 1")
	f.Fuzz(func(t *testing.T, opts string) {
		h := enginetest.New(t, tgeo.Commands(), tzset.Commands())
		h.Do("GEOADD", "g", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania",
			"180", "85.05112878", "n", "-180", "-85.05112878", "s")
		h.Do("ZADD", "g", "-1", "neg", "1e300", "big")
		fields := strings.Fields(opts)
		h.Do(append([]string{"GEOSEARCH", "g"}, fields...)...)
		h.Do(append([]string{"GEOSEARCHSTORE", "d", "g"}, fields...)...)
		h.Do(append([]string{"GEORADIUS", "g", "0", "0"}, fields...)...)
	})
}
