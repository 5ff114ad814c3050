package tstream_test

import (
	"bytes"
	"testing"

	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/engine/tstream"
	"github.com/redisctl/redisctl/rdb"
)

// buildFromDump rebuilds a stream from a Redis DUMP payload with the exported Builder, as
// the RDB bridge will.
func buildFromDump(t *testing.T, payload []byte) *tstream.Stream {
	t.Helper()
	d, err := rdb.DecodeDump(payload, nil)
	if err != nil {
		t.Fatalf("DecodeDump: %v", err)
	}
	b := tstream.NewBuilder()
	var g *tstream.Group
	var c *tstream.Consumer
	id := func(s rdb.StreamID) tstream.ID { return tstream.ID{Ms: s.Ms, Seq: s.Seq} }
	for d.Next() {
		switch d.Kind() {
		case rdb.RecStreamNode:
			if err := b.AddNode(id(d.StreamID()), bytes.Clone(d.Value()), true); err != nil {
				t.Fatal(err)
			}
		case rdb.RecStreamMeta:
			m := d.StreamMeta()
			if err := b.SetMeta(tstream.Meta{Length: m.Length, LastID: id(m.LastID), FirstID: id(m.FirstID),
				MaxDeletedID: id(m.MaxDeletedID), EntriesAdded: m.EntriesAdded, HasV2: m.HasV2}); err != nil {
				t.Fatal(err)
			}
		case rdb.RecStreamGroup:
			sg := d.StreamGroup()
			if g, err = b.AddGroup(sg.Name, id(sg.LastID), sg.EntriesRead, sg.EntriesRead >= -1 && d.Version() >= 10); err != nil {
				t.Fatal(err)
			}
		case rdb.RecStreamPending:
			sp := d.StreamPending()
			if err := g.AddPending(id(sp.ID), sp.DeliveryTime, sp.DeliveryCount); err != nil {
				t.Fatal(err)
			}
		case rdb.RecStreamConsumer:
			sc := d.StreamConsumer()
			if c, err = g.AddConsumer(sc.Name, sc.SeenTime); err != nil {
				t.Fatal(err)
			}
		case rdb.RecStreamConsumerPending:
			if err := c.AddPending(g, id(d.StreamID())); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := d.Err(); err != nil {
		t.Fatal(err)
	}
	s, err := b.Finish(true)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestBuilderFromRedisDump loads Redis's DUMP of streams (with groups, PELs, tombstones,
// several nodes) through the Builder into the engine and compares every view, plus the
// nodes we iterate for saving.
func TestBuilderFromRedisDump(t *testing.T) {
	p := newPair(t)
	p.O.Do("CONFIG", "SET", "stream-node-max-entries", "5")
	script := []string{
		"XADD s 1-1 a 1", "XADD s 1-2 a 2 b 3", "XADD s 2-1 a 3", "XADD s 2-2 c 1",
		"XADD s 3-1 a 1", "XADD s 3-2 a 1", "XADD s 4-1 a 1", "XADD s 5-1 x y",
		"XDEL s 2-1", "XDEL s 3-2",
		"XGROUP CREATE s g1 0", "XGROUP CREATE s g2 $ ENTRIESREAD 3", "XGROUP CREATE s g3 2-2",
		"XREADGROUP GROUP g1 alice COUNT 3 STREAMS s >", "XREADGROUP GROUP g1 bob STREAMS s >",
		"XGROUP CREATECONSUMER s g3 idle", "XACK s g1 1-2",
		"XADD e 1-1 a 1", "XDEL e 1-1", "XGROUP CREATE e g 0",
	}
	for _, l := range script {
		p.O.Do(splitLine(l)...)
	}
	for _, key := range []string{"s", "e"} {
		payload := p.O.Do("DUMP", key).Str
		s := buildFromDump(t, payload)
		// Load the same payload on the oracle so both hold freshly loaded listpacks.
		p.O.Do("DEL", key)
		if v := p.O.DoBytes([]byte("RESTORE"), []byte(key), []byte("0"), payload); v.IsError() {
			t.Fatalf("RESTORE: %s", v.String())
		}
		p.H.E.Lock()
		p.H.E.DB(0).Add([]byte(key), tstream.NewObject(s))
		p.H.E.Unlock()
		compareNodes(t, p, key, "after load")
		for _, args := range [][]string{
			{"XINFO", "STREAM", key, "FULL"}, {"XINFO", "STREAM", key}, {"XINFO", "GROUPS", key},
			{"XRANGE", key, "-", "+"}, {"XREVRANGE", key, "+", "-"}, {"XLEN", key},
			{"MEMORY", "USAGE", key, "SAMPLES", "0"}, {"XPENDING", key, "g1"},
		} {
			checkTimed(t, p, args)
		}
	}
	// The loaded stream keeps working like Redis's.
	p.Run(`
XADD s 6-1 a 1
XADD s 6-2 a 1
XREADGROUP GROUP g1 carol STREAMS s >
XINFO GROUPS s
MEMORY USAGE s SAMPLES 0
XTRIM s MAXLEN 2
XINFO STREAM s
`)
	compareNodes(t, p, "s", "after edits")
}

func splitLine(l string) []string {
	var out []string
	for _, f := range bytes.Fields([]byte(l)) {
		out = append(out, string(f))
	}
	return out
}

// TestDupMatchesCopy checks COPY's deep copy (listpacks reallocated at their exact size).
func TestDupMatchesCopy(t *testing.T) {
	p := newPair(t)
	p.Run(`
XADD s 1-1 a 1
XADD s 1-2 a 2
XGROUP CREATE s g 0
XREADGROUP GROUP g c COUNT 1 STREAMS s >
MEMORY USAGE s SAMPLES 0
`)
	// COPY is a core command; emulate it through the registered Dup.
	p.O.Do("COPY", "s", "d")
	p.H.E.Lock()
	o := p.H.E.DB(0).LookupRead([]byte("s"))
	d := tstream.FromObject(o).Dup()
	p.H.E.DB(0).Add([]byte("d"), tstream.NewObject(d))
	p.H.E.Unlock()
	for _, args := range [][]string{{"MEMORY", "USAGE", "d", "SAMPLES", "0"}, {"XINFO", "STREAM", "d", "FULL"}} {
		checkTimed(t, p, args)
	}
	compareNodes(t, p, "d", "copy")
	_ = enginetest.Unordered
}
