package tgeo

import "math"

// Limits of the geo index (geohash.h): EPSG:900913 cannot represent the poles.
const (
	LongMin = -180.0
	LongMax = 180.0
	LatMin  = -85.05112878
	LatMax  = 85.05112878

	stepMax = 26 // GEO_STEP_MAX: 52-bit scores

	earthRadius = 6372797.560856 // EARTH_RADIUS_IN_METERS
	mercatorMax = 20037726.37    // MERCATOR_MAX
	dR          = math.Pi / 180.0
)

// hashBits is GeoHashBits: step*2 interleaved bits (latitude in the even positions).
type hashBits struct {
	bits uint64
	step uint8
}

func (h hashBits) isZero() bool { return h.bits == 0 && h.step == 0 }

type coordRange struct{ min, max float64 }

type area struct {
	lon, lat coordRange
}

var (
	wgsLong = coordRange{LongMin, LongMax}
	wgsLat  = coordRange{LatMin, LatMax}
)

// interleave64 spreads the low 32 bits of x into the even positions and y into the odd.
func interleave64(xlo, ylo uint32) uint64 {
	b := [...]uint64{0x5555555555555555, 0x3333333333333333, 0x0F0F0F0F0F0F0F0F,
		0x00FF00FF00FF00FF, 0x0000FFFF0000FFFF}
	s := [...]uint{1, 2, 4, 8, 16}
	x, y := uint64(xlo), uint64(ylo)
	for i := 4; i >= 0; i-- {
		x = (x | x<<s[i]) & b[i]
		y = (y | y<<s[i]) & b[i]
	}
	return x | y<<1
}

// deinterleave64 is the inverse: even bits to the low word, odd bits to the high word.
func deinterleave64(v uint64) uint64 {
	b := [...]uint64{0x5555555555555555, 0x3333333333333333, 0x0F0F0F0F0F0F0F0F,
		0x00FF00FF00FF00FF, 0x0000FFFF0000FFFF, 0x00000000FFFFFFFF}
	s := [...]uint{0, 1, 2, 4, 8, 16}
	x, y := v, v>>1
	for i := 0; i < 6; i++ {
		x = (x | x>>s[i]) & b[i]
		y = (y | y>>s[i]) & b[i]
	}
	return x | y<<32
}

// cToUint32 is C's conversion of a double in [0, 2^32) to uint32_t (truncation); the
// offsets geohashEncode converts are always in [0, 2^step].
func cToUint32(f float64) uint32 {
	if !(f >= 0) || f >= 1<<32 {
		return 0 // never happens for validated coordinates
	}
	return uint32(f)
}

// encode is geohashEncode: false when the coordinates are outside the geo limits or the
// given ranges.
func encode(lonR, latR coordRange, lon, lat float64, step uint8) (hashBits, bool) {
	if step > 32 || step == 0 {
		return hashBits{}, false
	}
	if lon > LongMax || lon < LongMin || lat > LatMax || lat < LatMin {
		return hashBits{}, false
	}
	if lat < latR.min || lat > latR.max || lon < lonR.min || lon > lonR.max {
		return hashBits{step: step}, false
	}
	latOff := (lat - latR.min) / (latR.max - latR.min)
	lonOff := (lon - lonR.min) / (lonR.max - lonR.min)
	latOff *= float64(uint64(1) << step)
	lonOff *= float64(uint64(1) << step)
	return hashBits{bits: interleave64(cToUint32(latOff), cToUint32(lonOff)), step: step}, true
}

// decode is geohashDecode: the cell's bounds. The products are rounded on their own (the
// explicit conversions forbid a fused multiply-add), as the C code compiles on x86-64.
func decode(lonR, latR coordRange, h hashBits) (area, bool) {
	if h.isZero() {
		return area{}, false
	}
	sep := deinterleave64(h.bits)
	latScale := latR.max - latR.min
	lonScale := lonR.max - lonR.min
	ilato := uint32(sep)
	ilono := uint32(sep >> 32)
	div := float64(uint64(1) << h.step)
	var a area
	a.lat.min = latR.min + float64(float64(ilato)/div*latScale)
	a.lat.max = latR.min + float64(float64(ilato+1)/div*latScale)
	a.lon.min = lonR.min + float64(float64(ilono)/div*lonScale)
	a.lon.max = lonR.min + float64(float64(ilono+1)/div*lonScale)
	return a, true
}

// centre is geohashDecodeAreaToLongLat, with its clamping to the limits.
func (a area) centre() (lon, lat float64) {
	lon = (a.lon.min + a.lon.max) / 2
	lon = min(max(lon, LongMin), LongMax)
	lat = (a.lat.min + a.lat.max) / 2
	lat = min(max(lat, LatMin), LatMax)
	return lon, lat
}

// cDoubleToUint64 is gcc's x86-64 conversion of a double to uint64_t, for every input:
// below 2^63 a signed truncation (negative values wrap, values below -2^63 and -inf give
// 2^63), from 2^63 to 2^64 the offset conversion, and 0 beyond (and for +inf and NaN).
func cDoubleToUint64(f float64) uint64 {
	const two63 = 9223372036854775808.0
	if f < two63 {
		if f >= -two63 {
			return uint64(int64(f))
		}
		return 1 << 63
	}
	if g := f - two63; g < two63 {
		return uint64(int64(g)) ^ 1<<63
	}
	return 0
}

// cDoubleToInt64 is gcc's x86-64 conversion of a double to long long (cvttsd2si): out of
// range values and NaN give math.MinInt64.
func cDoubleToInt64(f float64) int64 {
	const two63 = 9223372036854775808.0
	if f >= -two63 && f < two63 {
		return int64(f)
	}
	return math.MinInt64
}

// Encode returns the score GEOADD stores for a validated longitude, latitude pair
// (geohashEncodeWGS84 at step 26, aligned to 52 bits); ok is false outside the limits.
func Encode(lon, lat float64) (score uint64, ok bool) {
	h, ok := encode(wgsLong, wgsLat, lon, lat, stepMax)
	if !ok {
		return 0, false
	}
	return align52(h), true
}

// Decode returns the position GEOPOS reports for a sorted set score (decodeGeohash): the
// centre of its 52-bit cell, clamped to the limits. Any score decodes.
func Decode(score float64) (lon, lat float64) {
	a, _ := decode(wgsLong, wgsLat, hashBits{bits: cDoubleToUint64(score), step: stepMax})
	return a.centre()
}

func align52(h hashBits) uint64 { return h.bits << (52 - uint(h.step)*2) }

// Geohash returns GEOHASH's 11-character standard geohash of a score: the decoded position
// re-encoded over -180..180, -90..90 at step 26, the eleventh character always '0'.
func Geohash(dst []byte, score float64) []byte {
	const alphabet = "0123456789bcdefghjkmnpqrstuvwxyz"
	lon, lat := Decode(score)
	h, _ := encode(coordRange{-180, 180}, coordRange{-90, 90}, lon, lat, 26)
	for i := 0; i < 11; i++ {
		idx := 0
		if i < 10 {
			idx = int(h.bits>>(52-(uint(i)+1)*5)) & 0x1f
		}
		dst = append(dst, alphabet[idx])
	}
	return dst
}

func degRad(a float64) float64 { return a * dR }
func radDeg(a float64) float64 { return a / dR }

// Distance is Redis 7.0's geohashGetDistance: the haversine great-circle distance in meters.
func Distance(lon1, lat1, lon2, lat2 float64) float64 {
	lat1r := degRad(lat1)
	return distanceRad(lat1r, degRad(lon1), ccos(lat1r), degRad(lat2), degRad(lon2))
}

// distanceRad is Distance from a centre already in radians whose cosine is cosLat1 (the
// same operations in the same order, so the same result).
func distanceRad(lat1r, lon1r, cosLat1, lat2r, lon2r float64) float64 {
	u := csin((lat2r - lat1r) / 2)
	v := csin((lon2r - lon1r) / 2)
	a := float64(u*u) + float64(float64(float64(cosLat1*ccos(lat2r))*v)*v)
	return 2.0 * earthRadius * casin(math.Sqrt(a))
}

// inRectangle is Redis 7.0's geohashGetDistanceIfInRectangle.
func inRectangle(widthM, heightM, x1, y1, x2, y2 float64) (float64, bool) {
	lonDist := Distance(x2, y2, x1, y2)
	latDist := Distance(x2, y2, x2, y1)
	if lonDist > widthM/2 || latDist > heightM/2 {
		return 0, false
	}
	return Distance(x1, y1, x2, y2), true
}

// estimateSteps is geohashEstimateStepsByRadius.
func estimateSteps(rangeMeters, lat float64) uint8 {
	if rangeMeters == 0 {
		return 26
	}
	step := 1
	for rangeMeters < mercatorMax {
		rangeMeters *= 2
		step++
	}
	step -= 2
	if lat > 66 || lat < -66 {
		step--
		if lat > 80 || lat < -80 {
			step--
		}
	}
	step = min(max(step, 1), 26)
	return uint8(step)
}

// shape is GeoShape: a centre and a radius or a box, in the unit given by conversion.
type shape struct {
	box           bool
	lon, lat      float64
	conversion    float64
	radius        float64
	width, height float64
	bounds        [4]float64

	// set by prepare for radius searches: the centre in radians, its cosine, and the
	// largest haversine term a (sin² of half the angle) a point may have and still be
	// within the radius, with a relative margin; 0 when there is no cheap rejection.
	lat1r, lon1r, cosLat1, aMax float64
}

// rejectMargin is the relative margin of the cheap rejection in within: far above the
// rounding error of the exact distance (about 1e-15 relative).
const rejectMargin = 1e-9

// prepare computes what within needs once per search.
func (s *shape) prepare() {
	s.lat1r, s.lon1r = degRad(s.lat), degRad(s.lon)
	s.cosLat1 = ccos(s.lat1r)
	s.aMax = 0
	half := s.radius * s.conversion / (2 * earthRadius)
	if !s.box && half > 0 && half < 1.5 {
		sh := math.Sin(half)
		s.aMax = sh * sh * (1 + rejectMargin)
	}
}

// boundingBox is geohashBoundingBox.
func (s *shape) boundingBox() {
	height, width := s.conversion*s.radius, s.conversion*s.radius
	if s.box {
		height = s.conversion * (s.height / 2)
		width = s.conversion * (s.width / 2)
	}
	latDelta := radDeg(height / earthRadius)
	longDeltaTop := radDeg(width / earthRadius / ccos(degRad(s.lat+latDelta)))
	longDeltaBottom := radDeg(width / earthRadius / ccos(degRad(s.lat-latDelta)))
	if s.lat < 0 {
		s.bounds[0] = s.lon - longDeltaBottom
		s.bounds[2] = s.lon + longDeltaBottom
	} else {
		s.bounds[0] = s.lon - longDeltaTop
		s.bounds[2] = s.lon + longDeltaTop
	}
	s.bounds[1] = s.lat - latDelta
	s.bounds[3] = s.lat + latDelta
}

// neighbours of a cell, in the order membersOfAllNeighbors scans them after the cell
// itself: N, S, E, W, NE, NW, SE, SW.
type neighbours struct {
	north, south, east, west, northEast, northWest, southEast, southWest hashBits
}

func moveX(h *hashBits, d int) {
	if d == 0 {
		return
	}
	x := h.bits & 0xaaaaaaaaaaaaaaaa
	y := h.bits & 0x5555555555555555
	zz := uint64(0x5555555555555555) >> (64 - uint(h.step)*2)
	if d > 0 {
		x = x + (zz + 1)
	} else {
		x = x | zz
		x = x - (zz + 1)
	}
	x &= 0xaaaaaaaaaaaaaaaa >> (64 - uint(h.step)*2)
	h.bits = x | y
}

func moveY(h *hashBits, d int) {
	if d == 0 {
		return
	}
	x := h.bits & 0xaaaaaaaaaaaaaaaa
	y := h.bits & 0x5555555555555555
	zz := uint64(0xaaaaaaaaaaaaaaaa) >> (64 - uint(h.step)*2)
	if d > 0 {
		y = y + (zz + 1)
	} else {
		y = y | zz
		y = y - (zz + 1)
	}
	y &= 0x5555555555555555 >> (64 - uint(h.step)*2)
	h.bits = x | y
}

func neighboursOf(h hashBits) neighbours {
	n := neighbours{h, h, h, h, h, h, h, h}
	moveX(&n.east, 1)
	moveX(&n.west, -1)
	moveY(&n.south, -1)
	moveY(&n.north, 1)
	moveX(&n.northWest, -1)
	moveY(&n.northWest, 1)
	moveX(&n.northEast, 1)
	moveY(&n.northEast, 1)
	moveX(&n.southEast, 1)
	moveY(&n.southEast, -1)
	moveX(&n.southWest, -1)
	moveY(&n.southWest, -1)
	return n
}

// searchAreas is geohashCalculateAreasByShapeWGS84: the nine boxes to scan, in scan order,
// zeroed where Redis excludes them.
func searchAreas(s *shape) [9]hashBits {
	s.boundingBox()
	minLon, minLat, maxLon, maxLat := s.bounds[0], s.bounds[1], s.bounds[2], s.bounds[3]
	radiusM := s.radius
	if s.box {
		radiusM = math.Sqrt(float64(s.width/2*(s.width/2)) + float64(s.height/2*(s.height/2)))
	}
	radiusM *= s.conversion
	steps := estimateSteps(radiusM, s.lat)

	hash, _ := encode(wgsLong, wgsLat, s.lon, s.lat, steps)
	nb := neighboursOf(hash)
	ar, _ := decode(wgsLong, wgsLat, hash)

	decrease := false
	{
		north, _ := decode(wgsLong, wgsLat, nb.north)
		south, _ := decode(wgsLong, wgsLat, nb.south)
		east, _ := decode(wgsLong, wgsLat, nb.east)
		west, _ := decode(wgsLong, wgsLat, nb.west)
		if north.lat.max < maxLat {
			decrease = true
		}
		if south.lat.min > minLat {
			decrease = true
		}
		if east.lon.max < maxLon {
			decrease = true
		}
		if west.lon.min > minLon {
			decrease = true
		}
	}
	if steps > 1 && decrease {
		steps--
		hash, _ = encode(wgsLong, wgsLat, s.lon, s.lat, steps)
		nb = neighboursOf(hash)
		ar, _ = decode(wgsLong, wgsLat, hash)
	}
	if steps >= 2 {
		if ar.lat.min < minLat {
			nb.south, nb.southWest, nb.southEast = hashBits{}, hashBits{}, hashBits{}
		}
		if ar.lat.max > maxLat {
			nb.north, nb.northEast, nb.northWest = hashBits{}, hashBits{}, hashBits{}
		}
		if ar.lon.min < minLon {
			nb.west, nb.southWest, nb.northWest = hashBits{}, hashBits{}, hashBits{}
		}
		if ar.lon.max > maxLon {
			nb.east, nb.southEast, nb.northEast = hashBits{}, hashBits{}, hashBits{}
		}
	}
	return [9]hashBits{hash, nb.north, nb.south, nb.east, nb.west, nb.northEast, nb.northWest,
		nb.southEast, nb.southWest}
}

// within is geoWithinShape: the decoded position of score and its distance from the
// centre (in meters) when it lies in the shape. s must be prepared.
//
// A radius search first rejects points clearly outside the circle with a lower bound of
// the haversine term a = sin²(Δlat/2) + cos(lat1)·cos(lat2)·sin²(Δlon/2), using
// sin x >= x - x³/6 (x >= 0) and cos(lat2) >= cos(lat1) - |Δlat| (cos is 1-Lipschitz):
// when that bound exceeds aMax, Redis's distance exceeds the radius too (the margin
// covers all rounding), so the decision is Redis's. Points not rejected get the exact
// distance and Redis's test (dist > radius means outside).
func (s *shape) within(score float64) (lon, lat, dist float64, ok bool) {
	lon, lat = Decode(score)
	if !s.box {
		lat2r, lon2r := degRad(lat), degRad(lon)
		if s.aMax > 0 {
			du := math.Abs(lat2r-s.lat1r) / 2
			dv := math.Abs(lon2r-s.lon1r) / 2
			ub := max(du*(1-du*du*(1.0/6)), 0)
			vb := max(dv*(1-dv*dv*(1.0/6)), 0)
			if dv > 3 {
				vb = 0
			}
			cb := max(s.cosLat1-2*du, 0)
			if ub*ub+s.cosLat1*cb*vb*vb > s.aMax {
				return lon, lat, 0, false
			}
		}
		dist = distanceRad(s.lat1r, s.lon1r, s.cosLat1, lat2r, lon2r)
		return lon, lat, dist, !(dist > s.radius*s.conversion)
	}
	dist, ok = inRectangle(s.width*s.conversion, s.height*s.conversion, s.lon, s.lat, lon, lat)
	return lon, lat, dist, ok
}
