package tgeo

import (
	"math"
	"sync"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/tsort"
	"github.com/redisctl/redisctl/engine/tzset"
)

// Search flavours (georadiusGeneric's flags).
const (
	fromCoords     = 1 << iota // RADIUS_COORDS: GEORADIUS[_RO]
	fromMember                 // RADIUS_MEMBER: GEORADIUSBYMEMBER[_RO]
	noStore                    // RADIUS_NOSTORE: the _RO variants
	geoSearch                  // GEOSEARCH[STORE]
	geoSearchStore             // GEOSEARCHSTORE
)

const (
	sortNone = iota
	sortAsc
	sortDesc
)

// point is geoPoint; the member lives in the search's arena.
type point struct {
	lon, lat, dist, score float64
	off, n                int32
	box                   int32
}

// search is the per-command working memory, pooled so a search allocates nothing in the
// steady state.
type search struct {
	pts   []point
	tmp   []point
	arena []byte
	pairs []tzset.Pair

	// scan state, read by visit
	sh     shape
	ranges [9]boxRange
	nr     int
	lo, hi float64
	visit  func(member []byte, score float64) bool
}

type boxRange struct {
	min, max float64
	box      int32
}

var searchPool = sync.Pool{New: func() any {
	s := &search{}
	s.visit = s.visitMember
	return s
}}

func getSearch() *search { return searchPool.Get().(*search) }

func putSearch(s *search) {
	if cap(s.arena) > 1<<20 || cap(s.pts) > 1<<16 {
		return // let huge results go
	}
	s.pts, s.tmp, s.arena, s.pairs = s.pts[:0], s.tmp[:0], s.arena[:0], s.pairs[:0]
	searchPool.Put(s)
}

func (s *search) member(p *point) []byte { return s.arena[p.off : p.off+p.n] }

// visitMember appends a member of the scanned score span to every box range holding its
// score, when it lies in the shape.
func (s *search) visitMember(member []byte, score float64) bool {
	if !(score < s.hi) {
		return false
	}
	var lon, lat, dist float64
	checked, in := false, false
	for i := 0; i < s.nr; i++ {
		r := &s.ranges[i]
		if score < r.min || !(score < r.max) {
			continue
		}
		if !checked {
			lon, lat, dist, in = s.sh.within(score)
			checked = true
			if !in {
				return true
			}
		}
		off := len(s.arena)
		s.arena = append(s.arena, member...)
		s.pts = append(s.pts, point{lon: lon, lat: lat, dist: dist, score: score,
			off: int32(off), n: int32(len(member)), box: r.box})
	}
	return true
}

// collect is membersOfAllNeighbors: the points of the nine boxes in Redis's order (box
// by box in scan order, each in score order), at most limit of them when limit > 0.
// It walks the sorted set once from the lowest box to the highest.
func (s *search) collect(o *engine.Object, boxes [9]hashBits, limit int) {
	s.nr = 0
	last := -1
	s.lo, s.hi = math.Inf(1), math.Inf(-1)
	for i, b := range boxes {
		if b.isZero() {
			continue
		}
		if last >= 0 && b == boxes[last] {
			continue // the same as the previous scanned box (huge radius)
		}
		min := float64(align52(b))
		b.bits++
		max := float64(align52(b))
		s.ranges[s.nr] = boxRange{min: min, max: max, box: int32(i)}
		s.nr++
		s.lo, s.hi = math.Min(s.lo, min), math.Max(s.hi, max)
		last = i
	}
	if s.nr == 0 {
		return
	}
	ascendFrom(o, s.lo, s.visit)
	// Order by box (a stable counting pass: points are in score order already).
	if s.nr > 1 {
		var count [10]int
		for i := range s.pts {
			count[s.pts[i].box+1]++
		}
		for i := 1; i < len(count); i++ {
			count[i] += count[i-1]
		}
		s.tmp = append(s.tmp[:0], s.pts...)
		for i := range s.tmp {
			b := s.tmp[i].box
			s.pts[count[b]] = s.tmp[i]
			count[b]++
		}
	}
	if limit > 0 && len(s.pts) > limit {
		s.pts = s.pts[:limit]
	}
}

// cmpAsc is sort_gp_asc (a NaN distance compares as "less").
func cmpAsc(a, b *point) int {
	if a.dist > b.dist {
		return 1
	} else if a.dist == b.dist {
		return 0
	}
	return -1
}

func cmpDesc(a, b *point) int { return -cmpAsc(a, b) }

// msort is glibc's qsort for these arrays (msort_with_tmp: a top-down stable merge sort).
func msort(v, tmp []point, cmp func(a, b *point) int) {
	n := len(v)
	if n <= 1 {
		return
	}
	n1 := n / 2
	msort(v[:n1], tmp, cmp)
	msort(v[n1:], tmp, cmp)
	i, j, k := 0, n1, 0
	t := tmp[:n]
	for i < n1 && j < n {
		if cmp(&v[i], &v[j]) <= 0 {
			t[k] = v[i]
			i++
		} else {
			t[k] = v[j]
			j++
		}
		k++
	}
	for i < n1 {
		t[k] = v[i]
		i++
		k++
	}
	copy(v[:k], t[:k])
}

// searchGeneric is georadiusGeneric: GEORADIUS[BYMEMBER][_RO], GEOSEARCH[STORE]. keyIdx
// is the position of the source key.
func searchGeneric(x *engine.Ctx, keyIdx, flags int) {
	args := x.Args
	var storeKey []byte
	storeDist := false

	o, ok := lookup(x, args[keyIdx])
	if !ok {
		return
	}
	var sh shape
	var base int
	switch {
	case flags&fromCoords != 0:
		base = 6
		if sh.lon, sh.lat, ok = parseLonLat(x, 2); !ok {
			return
		}
		if !parseDistance(x, base-2, &sh) {
			return
		}
	case flags&fromMember != 0 && o == nil:
		base = 5 // parse the options to pick the reply, then answer as for a missing key
	case flags&fromMember != 0:
		base = 5
		score, found := zscore(o, args[2])
		if !found {
			x.Error("ERR could not decode requested zset member")
			return
		}
		sh.lon, sh.lat = Decode(score)
		if !parseDistance(x, base-2, &sh) {
			return
		}
	default: // GEOSEARCH, GEOSEARCHSTORE
		base = 2
		if flags&geoSearchStore != 0 {
			base = 3
			storeKey = args[1]
		}
	}

	withDist, withHash, withCoord := false, false, false
	fromMem, fromLoc, byRadius, byBox := false, false, false, false
	sortKind, any := sortNone, false
	var count int64
	remaining := len(args) - base
	for i := 0; i < remaining; i++ {
		a := args[base+i]
		switch {
		case is(a, "withdist"):
			withDist = true
		case is(a, "withhash"):
			withHash = true
		case is(a, "withcoord"):
			withCoord = true
		case is(a, "any"):
			any = true
		case is(a, "asc"):
			sortKind = sortAsc
		case is(a, "desc"):
			sortKind = sortDesc
		case is(a, "count") && i+1 < remaining:
			if count, ok = x.ParseInt(base + i + 1); !ok {
				return
			}
			if count <= 0 {
				x.Error("ERR COUNT must be > 0")
				return
			}
			i++
		case is(a, "store") && i+1 < remaining && flags&(noStore|geoSearch) == 0:
			storeKey, storeDist = args[base+i+1], false
			i++
		case is(a, "storedist") && i+1 < remaining && flags&(noStore|geoSearch) == 0:
			storeKey, storeDist = args[base+i+1], true
			i++
		case is(a, "storedist") && flags&geoSearch != 0 && flags&geoSearchStore != 0:
			storeDist = true
		case is(a, "frommember") && i+1 < remaining && flags&geoSearch != 0 && !fromLoc:
			if o == nil {
				fromMem = true
				i++
				continue
			}
			score, found := zscore(o, args[base+i+1])
			if !found {
				x.Error("ERR could not decode requested zset member")
				return
			}
			sh.lon, sh.lat = Decode(score)
			fromMem = true
			i++
		case is(a, "fromlonlat") && i+2 < remaining && flags&geoSearch != 0 && !fromMem:
			if sh.lon, sh.lat, ok = parseLonLat(x, base+i+1); !ok {
				return
			}
			fromLoc = true
			i += 2
		case is(a, "byradius") && i+2 < remaining && flags&geoSearch != 0 && !byBox:
			if !parseDistance(x, base+i+1, &sh) {
				return
			}
			sh.box = false
			byRadius = true
			i += 2
		case is(a, "bybox") && i+3 < remaining && flags&geoSearch != 0 && !byRadius:
			if !parseBox(x, base+i+1, &sh) {
				return
			}
			sh.box = true
			byBox = true
			i += 3
		default:
			x.SyntaxError()
			return
		}
	}

	if storeKey != nil && (withDist || withHash || withCoord) {
		if flags&geoSearchStore != 0 {
			x.Error("ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options")
		} else {
			x.Error("ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options")
		}
		return
	}
	if flags&geoSearch != 0 && !(fromMem || fromLoc) {
		x.Error("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for " + string(cstr(args[0])))
		return
	}
	if flags&geoSearch != 0 && !(byRadius || byBox) {
		x.Error("ERR exactly one of BYRADIUS and BYBOX can be specified for " + string(cstr(args[0])))
		return
	}
	if any && count == 0 {
		x.Error("ERR the ANY argument requires COUNT argument")
		return
	}

	if o == nil {
		if storeKey != nil {
			if x.DB.Delete(storeKey) {
				x.SignalModified(storeKey)
				x.Notify(engine.NotifyGeneric, "del", storeKey)
				x.Dirty(1)
			}
			x.Int(0)
		} else {
			x.ArrayLen(0)
		}
		return
	}

	if count != 0 && sortKind == sortNone && !any {
		sortKind = sortAsc
	}

	boxes := searchAreas(&sh)
	s := getSearch()
	defer putSearch(s)
	s.sh = sh
	s.sh.prepare()
	limit := 0
	if any {
		limit = int(min(count, math.MaxInt32))
	}
	s.collect(o, boxes, limit)

	if len(s.pts) == 0 && storeKey == nil {
		x.ArrayLen(0)
		return
	}
	n := len(s.pts)
	returned := n
	if count != 0 && int64(n) > count {
		returned = int(count)
	}
	if sortKind != sortNone {
		cmp := cmpAsc
		if sortKind == sortDesc {
			cmp = cmpDesc
		}
		if returned == n {
			if cap(s.tmp) < n {
				s.tmp = make([]point, n)
			}
			msort(s.pts, s.tmp[:n], cmp)
		} else {
			tsort.PartialSort(s.pts, cmp, 0, returned-1)
		}
	}

	if storeKey == nil {
		optLen := 0
		for _, f := range [...]bool{withDist, withCoord, withHash} {
			if f {
				optLen++
			}
		}
		x.ArrayLen(returned)
		for i := 0; i < returned; i++ {
			p := &s.pts[i]
			dist := p.dist / sh.conversion
			if optLen > 0 {
				x.ArrayLen(optLen + 1)
			}
			x.Bulk(s.member(p))
			if withDist {
				x.Bulk(appendDistance(x.Scratch[:0], dist))
			}
			if withHash {
				x.Int(cDoubleToInt64(p.score))
			}
			if withCoord {
				x.ArrayLen(2)
				x.W.WriteDoubleText(appendHuman(x.Scratch[:0], p.lon))
				x.W.WriteDoubleText(appendHuman(x.Scratch[:0], p.lat))
			}
		}
		return
	}

	if returned > 0 {
		for i := 0; i < returned; i++ {
			p := &s.pts[i]
			score := p.score
			if storeDist {
				score = p.dist / sh.conversion
			}
			s.pairs = append(s.pairs, tzset.Pair{Member: s.member(p), Score: score})
		}
		zo, err := tzset.FromPairs(&x.E.Set, s.pairs)
		if err != nil {
			// Redis asserts here; results never repeat a member (see collect).
			x.Error("ERR " + err.Error())
			return
		}
		x.DB.SetKey(storeKey, zo, false)
		ev := "georadiusstore"
		if flags&geoSearch != 0 {
			ev = "geosearchstore"
		}
		x.Notify(engine.NotifyZSet, ev, storeKey)
		x.Dirty(int64(returned))
	} else if x.DB.Delete(storeKey) {
		x.SignalModified(storeKey)
		x.Notify(engine.NotifyGeneric, "del", storeKey)
		x.Dirty(1)
	}
	x.Int(int64(returned))
}

// parseDistance is extractDistanceOrReply: radius and unit at args[i], args[i+1].
func parseDistance(x *engine.Ctx, i int, sh *shape) bool {
	d, ok := parseDouble(x, i, "ERR need numeric radius")
	if !ok {
		return false
	}
	if d < 0 {
		x.Error("ERR radius cannot be negative")
		return false
	}
	sh.radius = d
	conv := parseUnit(x, x.Args[i+1])
	if conv < 0 {
		return false
	}
	sh.conversion = conv
	return true
}

// parseBox is extractBoxOrReply: width, height and unit at args[i..i+2].
func parseBox(x *engine.Ctx, i int, sh *shape) bool {
	w, ok := parseDouble(x, i, "ERR need numeric width")
	if !ok {
		return false
	}
	h, ok := parseDouble(x, i+1, "ERR need numeric height")
	if !ok {
		return false
	}
	if h < 0 || w < 0 {
		x.Error("ERR height or width cannot be negative")
		return false
	}
	sh.height, sh.width = h, w
	conv := parseUnit(x, x.Args[i+2])
	if conv < 0 {
		return false
	}
	sh.conversion = conv
	return true
}
