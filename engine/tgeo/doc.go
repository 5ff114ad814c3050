// Package tgeo implements Redis 7.0.15's geo commands (GEOADD, GEOPOS, GEODIST, GEOHASH,
// GEORADIUS, GEORADIUS_RO, GEORADIUSBYMEMBER, GEORADIUSBYMEMBER_RO, GEOSEARCH,
// GEOSEARCHSTORE) over sorted sets: a geo key is an ordinary sorted set (engine/tzset)
// whose scores are 52-bit interleaved geohashes.
//
// Redis facts this package reproduces, and where they come from:
//   - scores are geohashEncodeWGS84(lon, lat, 26) aligned to 52 bits, the latitude range
//     being ±85.05112878 (EPSG:900913); GEOADD validates the pair (±180, ±85.05112878),
//     rewrites itself into ZADD and runs tzset's ZADD, which is what it propagates;
//   - a score is decoded as decodeGeohash does: the double converted to uint64_t with the
//     x86-64 semantics of gcc's conversion (negative, huge and infinite scores included),
//     de-interleaved, the cell's centre computed with the same operations in the same order
//     (no fused multiply-add) and clamped to the limits, so GEOPOS agrees bit for bit;
//   - distances are Redis 7.0's haversine (geohashGetDistance, earth radius
//     6372797.560856 m); radius and box membership are geohashGetDistanceIfInRadiusWGS84 and
//     the 7.0 geohashGetDistanceIfInRectangle; the search areas are
//     geohashCalculateAreasByShapeWGS84 (step estimate, bounding box, the step decrease near
//     edges, the useless-neighbour exclusion) and the nine boxes are scanned in Redis's
//     order (centre, N, S, E, W, NE, NW, SE, SW), skipping a box equal to the last scanned
//     one only, so Redis's duplicates at huge radii are reproduced;
//   - sorting: glibc's qsort (a stable merge sort) when every result is returned, Redis's
//     pqsort (engine/tsort.PartialSort) when COUNT cuts the result, with Redis's
//     comparator (NaN distances compare as "less");
//   - replies: distances "%.4f" bulk strings (RESP2 and RESP3), coordinates as
//     addReplyHumanLongDouble ("%.17Lf" without trailing zeros: a bulk in RESP2, a double
//     in RESP3), hashes as integers, GEOHASH's 11-character string re-encoded over -90..90.
//
// Known differences from Redis:
//   - glibc's sin, cos and asin are not correctly rounded in about 0.09% of calls; ours
//     (libm.go, double-double) are, so about 0.2% of distances differ by 1 to 4 ulp: visible
//     in STOREDIST scores ("%.17g"), very rarely in a "%.4f" last digit, and in theory at an
//     exact radius boundary or a near-tie order;
//   - a STORE result of more than zset-max-listpack-entries members is built with
//     tzset.FromPairs (a pre-sized dict) where Redis grows the dict one insert at a time
//     and is often mid-rehash, so MEMORY USAGE of such a result can differ (by the old
//     table's buckets); listpack results are byte-identical.
//
// Speed without changing a bit: csin, ccos and casin first try a table-and-polynomial
// double-double with an error bound and fall back to the slow double-double only when the
// bound straddles a rounding boundary (libmfast.go, about 1 call in 3000); a radius search
// computes the centre's radians and cosine once (shape.prepare) and rejects points clearly
// outside the circle with a lower bound of the haversine term and a 1e-9 margin before
// computing any exact distance (shape.within), so only points near or inside the circle
// pay for it; the decisions and distances are those of the exact formula.
//
// Scanning the boxes goes through tzset's exported Ascend (one pass that stops after the
// largest box), since tzset exports no range seek: a search costs O(members below the
// last box) instead of Redis's O(log N + M). See rangeScan.
//
// The package must never keep a reference to a request argument or to a value's bytes past
// the command (members found are copied into a pooled arena), never reply with anything
// but Redis's exact replies and error texts, and never allocate per element when replying.
package tgeo
