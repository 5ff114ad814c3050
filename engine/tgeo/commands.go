package tgeo

import (
	"bytes"
	"math"
	"strconv"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/tzset"
)

// Commands returns the geo commands of Redis 7.0.
func Commands() []*engine.Command {
	w, ro, oom := engine.FlagWrite, engine.FlagReadOnly, engine.FlagDenyOOM
	k1 := func(c *engine.Command) *engine.Command { c.FirstKey, c.LastKey, c.Step = 1, 1, 1; return c }
	return []*engine.Command{
		k1(&engine.Command{Name: "geoadd", Arity: -5, Flags: w | oom, Fn: cmdGeoAdd}),
		k1(&engine.Command{Name: "geopos", Arity: -2, Flags: ro, Fn: cmdGeoPos}),
		k1(&engine.Command{Name: "geodist", Arity: -4, Flags: ro, Fn: cmdGeoDist}),
		k1(&engine.Command{Name: "geohash", Arity: -2, Flags: ro, Fn: cmdGeoHash}),
		k1(&engine.Command{Name: "georadius", Arity: -6, Flags: w | oom, Fn: func(x *engine.Ctx) { searchGeneric(x, 1, fromCoords) }}),
		k1(&engine.Command{Name: "georadius_ro", Arity: -6, Flags: ro, Fn: func(x *engine.Ctx) { searchGeneric(x, 1, fromCoords|noStore) }}),
		k1(&engine.Command{Name: "georadiusbymember", Arity: -5, Flags: w | oom, Fn: func(x *engine.Ctx) { searchGeneric(x, 1, fromMember) }}),
		k1(&engine.Command{Name: "georadiusbymember_ro", Arity: -5, Flags: ro, Fn: func(x *engine.Ctx) { searchGeneric(x, 1, fromMember|noStore) }}),
		k1(&engine.Command{Name: "geosearch", Arity: -7, Flags: ro, Fn: func(x *engine.Ctx) { searchGeneric(x, 1, geoSearch) }}),
		{Name: "geosearchstore", Arity: -8, Flags: w | oom, FirstKey: 1, LastKey: 2, Step: 1,
			Fn: func(x *engine.Ctx) { searchGeneric(x, 2, geoSearch|geoSearchStore) }},
	}
}

// zaddFn is tzset's ZADD handler: GEOADD rewrites its arguments and calls it, as Redis's
// geoaddCommand calls zaddCommand.
var zaddFn = func() engine.HandlerFunc {
	for _, c := range tzset.Commands() {
		if c.Name == "zadd" {
			return c.Fn
		}
	}
	panic("tgeo: tzset has no zadd")
}()

// cstr is what C string functions see of an argument: the bytes before the first NUL.
func cstr(b []byte) []byte {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return b[:i]
	}
	return b
}

// is reports strcasecmp(arg, lit) == 0.
func is(arg []byte, lit string) bool { return bytes.EqualFold(cstr(arg), []byte(lit)) }

// lookup is lookupKeyRead plus checkType; ok is false after a WRONGTYPE reply.
func lookup(x *engine.Ctx, key []byte) (*engine.Object, bool) {
	o := x.DB.LookupRead(key)
	if o != nil && o.Type() != engine.TypeZSet {
		x.WrongType()
		return nil, false
	}
	return o, true
}

// appendCFloat appends printf("%f") of d (six decimals, "inf"/"-inf").
func appendCFloat(dst []byte, d float64) []byte {
	switch {
	case math.IsInf(d, 1):
		return append(dst, "inf"...)
	case math.IsInf(d, -1):
		return append(dst, "-inf"...)
	}
	return strconv.AppendFloat(dst, d, 'f', 6, 64)
}

// parseLonLat is extractLongLatOrReply: two doubles, then the limits.
func parseLonLat(x *engine.Ctx, i int) (lon, lat float64, ok bool) {
	if lon, ok = parseDouble(x, i, engine.ErrNotFloat); !ok {
		return
	}
	if lat, ok = parseDouble(x, i+1, engine.ErrNotFloat); !ok {
		return
	}
	if lon < LongMin || lon > LongMax || lat < LatMin || lat > LatMax {
		msg := append([]byte("ERR invalid longitude,latitude pair "), appendCFloat(nil, lon)...)
		msg = append(msg, ',')
		msg = appendCFloat(msg, lat)
		x.Error(string(msg))
		return 0, 0, false
	}
	return lon, lat, true
}

// parseUnit is extractUnitOrReply: the factor to meters, or a negative value after an
// error reply.
func parseUnit(x *engine.Ctx, u []byte) float64 {
	switch {
	case is(u, "m"):
		return 1
	case is(u, "km"):
		return 1000
	case is(u, "ft"):
		return 0.3048
	case is(u, "mi"):
		return 1609.34
	}
	x.Error("ERR unsupported unit provided. please use M, KM, FT, MI")
	return -1
}

// cmdGeoAdd is geoaddCommand: GEOADD key [NX|XX] [CH] lon lat member ...
func cmdGeoAdd(x *engine.Ctx) {
	args := x.Args
	nx, xx, longIdx := false, false, 2
	for ; longIdx < len(args); longIdx++ {
		a := args[longIdx]
		if is(a, "nx") {
			nx = true
		} else if is(a, "xx") {
			xx = true
		} else if !is(a, "ch") {
			break
		}
	}
	if (len(args)-longIdx)%3 != 0 || (xx && nx) {
		x.SyntaxError()
		return
	}
	elements := (len(args) - longIdx) / 3
	zargs := make([][]byte, longIdx+elements*2)
	zargs[0] = zaddName
	copy(zargs[1:], args[1:longIdx])
	scores := make([]byte, 0, elements*16)
	for i := 0; i < elements; i++ {
		lon, lat, ok := parseLonLat(x, longIdx+i*3)
		if !ok {
			return
		}
		bits, _ := Encode(lon, lat)
		start := len(scores)
		scores = strconv.AppendUint(scores, bits, 10)
		zargs[longIdx+i*2] = scores[start:len(scores):len(scores)]
		zargs[longIdx+i*2+1] = args[longIdx+i*3+2]
	}
	x.Args = zargs
	zaddFn(x)
	x.Args = args
	// The command propagates as the ZADD it became (replaceClientCommandVector).
	x.Rewrite(zargs...)
}

var zaddName = []byte("zadd")

// appendHuman appends addReplyHumanLongDouble's text of d: "%.17Lf" of the (exactly
// converted) long double with trailing zeros and a trailing dot removed, "-0" as "0".
func appendHuman(dst []byte, d float64) []byte {
	start := len(dst)
	dst = strconv.AppendFloat(dst, d, 'f', 17, 64)
	end := len(dst)
	for dst[end-1] == '0' {
		end--
	}
	if dst[end-1] == '.' {
		end--
	}
	dst = dst[:end]
	if string(dst[start:]) == "-0" {
		dst = append(dst[:start], '0')
	}
	return dst
}

// appendDistance appends addReplyDoubleDistance's "%.4f" (NaN as glibc prints it).
func appendDistance(dst []byte, d float64) []byte {
	if math.IsNaN(d) {
		if math.Signbit(d) {
			return append(dst, "-nan"...)
		}
		return append(dst, "nan"...)
	}
	if math.IsInf(d, 0) {
		if d < 0 {
			return append(dst, "-inf"...)
		}
		return append(dst, "inf"...)
	}
	return strconv.AppendFloat(dst, d, 'f', 4, 64)
}

// cmdGeoPos is geoposCommand.
func cmdGeoPos(x *engine.Ctx) {
	o, ok := lookup(x, x.Args[1])
	if !ok {
		return
	}
	x.ArrayLen(len(x.Args) - 2)
	for _, m := range x.Args[2:] {
		var score float64
		found := false
		if o != nil {
			score, found = zscore(o, m)
		}
		if !found {
			x.NullArray()
			continue
		}
		lon, lat := Decode(score)
		x.ArrayLen(2)
		x.W.WriteDoubleText(appendHuman(x.Scratch[:0], lon))
		x.W.WriteDoubleText(appendHuman(x.Scratch[:0], lat))
	}
}

// cmdGeoHash is geohashCommand.
func cmdGeoHash(x *engine.Ctx) {
	o, ok := lookup(x, x.Args[1])
	if !ok {
		return
	}
	x.ArrayLen(len(x.Args) - 2)
	for _, m := range x.Args[2:] {
		var score float64
		found := false
		if o != nil {
			score, found = zscore(o, m)
		}
		if !found {
			x.Null()
			continue
		}
		x.Bulk(Geohash(x.Scratch[:0], score))
	}
}

// cmdGeoDist is geodistCommand: the unit first, then the key.
func cmdGeoDist(x *engine.Ctx) {
	toMeter := 1.0
	if len(x.Args) == 5 {
		if toMeter = parseUnit(x, x.Args[4]); toMeter < 0 {
			return
		}
	} else if len(x.Args) > 5 {
		x.SyntaxError()
		return
	}
	o := x.DB.LookupRead(x.Args[1])
	if o == nil {
		x.Null()
		return
	}
	if o.Type() != engine.TypeZSet {
		x.WrongType()
		return
	}
	s1, ok1 := zscore(o, x.Args[2])
	if !ok1 {
		x.Null()
		return
	}
	s2, ok2 := zscore(o, x.Args[3])
	if !ok2 {
		x.Null()
		return
	}
	lon1, lat1 := Decode(s1)
	lon2, lat2 := Decode(s2)
	x.Bulk(appendDistance(x.Scratch[:0], Distance(lon1, lat1, lon2, lat2)/toMeter))
}
