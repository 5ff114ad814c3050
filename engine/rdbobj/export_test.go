package rdbobj

import (
	"encoding/binary"
	"testing"

	"github.com/redisctl/redisctl/engine/tstream"
	"github.com/redisctl/redisctl/rdb"
	"github.com/redisctl/redisctl/rdb/crc64"
)

func tstreamKey(ms, seq uint64) [16]byte { return tstream.ID{Ms: ms, Seq: seq}.Key() }

func rdbType(b byte) rdb.Type { return rdb.Type(b) }

// SetCompressionForTest flips rdbcompression for one test.
func SetCompressionForTest(t testing.TB, on bool) {
	old := RDBCompression()
	SetRDBCompression(on)
	t.Cleanup(func() { SetRDBCompression(old) })
}

// StreamTimeOffsets returns the offsets of the 8-byte time fields (PEL delivery times,
// consumer seen times, and for type 21 active times) in a stream DUMP payload, so tests can
// compare payloads taken at different instants.
func StreamTimeOffsets(payload []byte) ([]int, error) {
	if len(payload) < 11 {
		return nil, ErrBadFormat
	}
	ver := streamVersion(rdbType(payload[0]))
	r := &reader{b: payload[1 : len(payload)-10]}
	var offs []int
	for n := r.plainLen(); n > 0 && r.err == nil; n-- {
		r.str()
		r.str()
	}
	r.plainLen()
	r.lenID()
	if ver >= 2 {
		r.lenID()
		r.lenID()
		r.plainLen()
	}
	for g := r.plainLen(); g > 0 && r.err == nil; g-- {
		r.str()
		r.lenID()
		if ver >= 2 {
			r.plainLen()
		}
		for p := r.plainLen(); p > 0 && r.err == nil; p-- {
			r.rawID()
			offs = append(offs, r.off+1)
			r.le64()
			r.plainLen()
		}
		for c := r.plainLen(); c > 0 && r.err == nil; c-- {
			r.str()
			offs = append(offs, r.off+1)
			r.le64()
			if ver >= 3 {
				offs = append(offs, r.off+1)
				r.le64()
			}
			for p := r.plainLen(); p > 0 && r.err == nil; p-- {
				r.rawID()
			}
		}
	}
	if r.err == nil && r.off != len(r.b) {
		r.fail("%d trailing bytes", len(r.b)-r.off)
	}
	return offs, r.err
}

// Test-only model of a stream payload, to rewrite Redis's payloads as other stream
// generations or with chosen damage.
type sNode struct{ key, lp []byte }
type sPEL struct {
	id     [16]byte
	dt, dc uint64
}
type sCons struct {
	name         []byte
	seen, active uint64
	pel          [][16]byte
}
type sGroup struct {
	name            []byte
	lms, lseq, read uint64
	pel             []sPEL
	cons            []sCons
}
type sPayload struct {
	nodes  []sNode
	meta   [8]uint64 // length, last ms, last seq, first ms, first seq, maxdel ms, maxdel seq, added
	groups []sGroup
}

func parseStreamPayload(p []byte) (*sPayload, error) {
	if len(p) < 11 {
		return nil, ErrBadFormat
	}
	ver := streamVersion(rdbType(p[0]))
	r := &reader{b: p[1 : len(p)-10]}
	sp := &sPayload{}
	cl := func(b []byte) []byte { return append([]byte{}, b...) }
	for n := r.plainLen(); n > 0 && r.err == nil; n-- {
		k := cl(r.str())
		sp.nodes = append(sp.nodes, sNode{k, cl(r.str())})
	}
	sp.meta[0] = r.plainLen()
	sp.meta[1], sp.meta[2] = r.plainLen(), r.plainLen()
	if ver >= 2 {
		for i := 3; i < 8; i++ {
			sp.meta[i] = r.plainLen()
		}
	}
	for g := r.plainLen(); g > 0 && r.err == nil; g-- {
		var sg sGroup
		sg.name = cl(r.str())
		sg.lms, sg.lseq = r.plainLen(), r.plainLen()
		if ver >= 2 {
			sg.read = r.plainLen()
		}
		for n := r.plainLen(); n > 0 && r.err == nil; n-- {
			var e sPEL
			k := r.rawID().Key()
			e.id = k
			e.dt, e.dc = r.le64(), r.plainLen()
			sg.pel = append(sg.pel, e)
		}
		for n := r.plainLen(); n > 0 && r.err == nil; n-- {
			var c sCons
			c.name = cl(r.str())
			c.seen = r.le64()
			c.active = c.seen
			if ver >= 3 {
				c.active = r.le64()
			}
			for m := r.plainLen(); m > 0 && r.err == nil; m-- {
				c.pel = append(c.pel, r.rawID().Key())
			}
			sg.cons = append(sg.cons, c)
		}
		sp.groups = append(sp.groups, sg)
	}
	return sp, r.err
}

func (sp *sPayload) serialize(typ byte) []byte {
	ver := streamVersion(rdbType(typ))
	out := []byte{typ}
	out = rdb.AppendLen(out, uint64(len(sp.nodes)))
	for _, n := range sp.nodes {
		out = rdb.AppendRawString(out, n.key)
		out = rdb.AppendRawString(out, n.lp)
	}
	out = rdb.AppendLen(out, sp.meta[0])
	out = rdb.AppendLen(out, sp.meta[1])
	out = rdb.AppendLen(out, sp.meta[2])
	if ver >= 2 {
		for i := 3; i < 8; i++ {
			out = rdb.AppendLen(out, sp.meta[i])
		}
	}
	out = rdb.AppendLen(out, uint64(len(sp.groups)))
	for _, g := range sp.groups {
		out = rdb.AppendRawString(out, g.name)
		out = rdb.AppendLen(out, g.lms)
		out = rdb.AppendLen(out, g.lseq)
		if ver >= 2 {
			out = rdb.AppendLen(out, g.read)
		}
		out = rdb.AppendLen(out, uint64(len(g.pel)))
		for _, e := range g.pel {
			out = append(out, e.id[:]...)
			out = binary.LittleEndian.AppendUint64(out, e.dt)
			out = rdb.AppendLen(out, e.dc)
		}
		out = rdb.AppendLen(out, uint64(len(g.cons)))
		for _, c := range g.cons {
			out = rdb.AppendRawString(out, c.name)
			out = binary.LittleEndian.AppendUint64(out, c.seen)
			if ver >= 3 {
				out = binary.LittleEndian.AppendUint64(out, c.active)
			}
			out = rdb.AppendLen(out, uint64(len(c.pel)))
			for _, id := range c.pel {
				out = append(out, id[:]...)
			}
		}
	}
	rv := uint16(9 + ver - 1)
	out = binary.LittleEndian.AppendUint16(out, rv)
	return binary.LittleEndian.AppendUint64(out, crc64.Update(0, out))
}

// ConvertStreamPayload rewrites a stream DUMP payload as stream type typ (15, 19 or 21),
// uncompressed, with the RDB version that type came with (9, 10, 11).
func ConvertStreamPayload(p []byte, typ byte) ([]byte, error) {
	sp, err := parseStreamPayload(p)
	if err != nil {
		return nil, err
	}
	return sp.serialize(typ), nil
}

// EditStreamPayload damages a type-19 stream payload: dup-node (the first node twice),
// dup-pel (the first group PEL entry twice), foreign-cpel (a consumer PEL ID missing from
// the group PEL), dup-group, dup-consumer, shared-cpel (one PEL ID in two consumers),
// orphan-pel (a group PEL entry no consumer owns), bad-lpcount (the last node's last
// lp-count off by one), zero-nodes (nodes dropped, length kept).
func EditStreamPayload(p []byte, op string) ([]byte, error) {
	sp, err := parseStreamPayload(p)
	if err != nil {
		return nil, err
	}
	switch op {
	case "dup-node":
		sp.nodes = append([]sNode{sp.nodes[0]}, sp.nodes...)
	case "dup-pel":
		g := &sp.groups[0]
		g.pel = append([]sPEL{g.pel[0]}, g.pel...)
	case "foreign-cpel":
		c := &sp.groups[0].cons[0]
		c.pel = append(c.pel, tstreamKey(999999, 1))
	case "dup-group":
		sp.groups = append(sp.groups, sp.groups[len(sp.groups)-1])
	case "dup-consumer":
		g := &sp.groups[0]
		g.cons = append(g.cons, sCons{name: g.cons[len(g.cons)-1].name})
	case "shared-cpel":
		g := &sp.groups[0]
		g.cons = append(g.cons, sCons{name: []byte("zzz-thief"), pel: [][16]byte{g.pel[0].id}})
	case "orphan-pel":
		g := &sp.groups[0]
		g.pel = append(g.pel, sPEL{id: tstreamKey(999999, 1), dt: 1, dc: 1})
	case "bad-lpcount":
		lp := sp.nodes[len(sp.nodes)-1].lp
		lp[len(lp)-3]++ // the last entry's lp-count (a 7-bit integer and its backlen)
	case "zero-nodes":
		sp.nodes = nil
	default:
		return nil, ErrBadFormat
	}
	return sp.serialize(p[0]), nil
}
