package tstream_test

import (
	"bytes"
	"fmt"
	"math/rand"
	"strconv"
	"strings"
	"testing"

	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/engine/tstream"
	"github.com/redisctl/redisctl/rdb"
)

type nodeDump struct {
	master string
	lp     []byte
}

// redisNodes decodes the DUMP of a stream key on the oracle into its nodes.
func redisNodes(t *testing.T, p *enginetest.Pair, key string) []nodeDump {
	t.Helper()
	v := p.O.Do("DUMP", key)
	if v.Str == nil {
		return nil
	}
	d, err := rdb.DecodeDump(v.Str, nil)
	if err != nil {
		t.Fatalf("DecodeDump: %v", err)
	}
	var out []nodeDump
	for d.Next() {
		if d.Kind() == rdb.RecStreamNode {
			out = append(out, nodeDump{d.StreamID().String(), bytes.Clone(d.Value())})
		}
	}
	if err := d.Err(); err != nil {
		t.Fatalf("decode: %v", err)
	}
	return out
}

// ourNodes lists the engine's nodes of a stream key.
func ourNodes(t *testing.T, h *enginetest.Harness, key string) []nodeDump {
	t.Helper()
	h.E.Lock()
	defer h.E.Unlock()
	o := h.E.DB(0).LookupRead([]byte(key))
	if o == nil {
		return nil
	}
	var out []nodeDump
	tstream.FromObject(o).EachNode(func(master tstream.ID, lp []byte) bool {
		out = append(out, nodeDump{master.String(), bytes.Clone(lp)})
		return true
	})
	return out
}

func compareNodes(t *testing.T, p *enginetest.Pair, key, when string) int {
	t.Helper()
	want, got := redisNodes(t, p, key), ourNodes(t, p.H, key)
	if len(want) != len(got) {
		t.Fatalf("%s: %d nodes in redis, %d here", when, len(want), len(got))
	}
	for i := range want {
		if want[i].master != got[i].master || !bytes.Equal(want[i].lp, got[i].lp) {
			t.Fatalf("%s: node %d differs\nredis %s %x\nours  %s %x", when, i, want[i].master, want[i].lp, got[i].master, got[i].lp)
		}
	}
	return len(want)
}

// layoutRun drives one stream with explicit IDs, random field sets and sizes, deletions
// and trims, comparing replies, XINFO STREAM, MEMORY USAGE and the node bytes.
func layoutRun(t *testing.T, p *enginetest.Pair, seed int64, ops int) {
	r := rand.New(rand.NewSource(seed))
	ms, seq := uint64(1), uint64(0)
	var live []string
	fieldSets := [][]string{{"a"}, {"a", "b"}, {"temp", "hum", "loc"}, {"x"}, {"1", "2"}}
	value := func() string {
		switch r.Intn(6) {
		case 0:
			return strconv.Itoa(r.Intn(100000) - 50000)
		case 1:
			return strings.Repeat("v", r.Intn(300))
		case 2:
			if r.Intn(20) == 0 {
				return strings.Repeat("L", 1000+r.Intn(3000))
			}
			return "big"
		case 3:
			return strconv.FormatInt(r.Int63(), 10)
		default:
			return fmt.Sprintf("val%d", r.Intn(1000))
		}
	}
	check := func(args ...string) { p.Check(args) }
	for i := 0; i < ops; i++ {
		switch k := r.Intn(100); {
		case k < 70:
			if r.Intn(3) == 0 {
				ms += uint64(r.Intn(3))
				seq = 0
			} else {
				seq += uint64(1 + r.Intn(2))
			}
			if r.Intn(50) == 0 {
				ms += 1 << uint(20+r.Intn(40))
			}
			id := fmt.Sprintf("%d-%d", ms, seq)
			args := []string{"XADD", "s"}
			if r.Intn(15) == 0 {
				args = append(args, "MAXLEN", "~", strconv.Itoa(r.Intn(3000)))
			}
			args = append(args, id)
			fs := fieldSets[r.Intn(len(fieldSets))]
			if r.Intn(5) == 0 {
				fs = fs[:len(fs)-1]
				if len(fs) == 0 {
					fs = []string{"z"}
				}
			}
			for _, f := range fs {
				args = append(args, f, value())
			}
			check(args...)
			live = append(live, id)
		case k < 88 && len(live) > 0:
			j := r.Intn(len(live))
			check("XDEL", "s", live[j])
			live = append(live[:j], live[j+1:]...)
		case k < 89:
			check("XTRIM", "s", "MAXLEN", []string{"~", "=", "~"}[r.Intn(3)], strconv.Itoa(r.Intn(2000)))
		case k < 90 && len(live) > 0:
			check("XTRIM", "s", "MINID", []string{"~", "="}[r.Intn(2)], live[r.Intn(len(live)/4+1)])
		default:
			check("XRANGE", "s", "-", "+", "COUNT", strconv.Itoa(r.Intn(20)))
			check("XREVRANGE", "s", "+", "-", "COUNT", strconv.Itoa(r.Intn(20)))
		}
		if i%50 == 49 || i == ops-1 {
			check("XINFO", "STREAM", "s")
			check("MEMORY", "USAGE", "s", "SAMPLES", "0")
			check("MEMORY", "USAGE", "s")
			n := compareNodes(t, p, "s", fmt.Sprintf("seed %d op %d", seed, i))
			if i == ops-1 {
				t.Logf("seed %d: %d nodes compared, length %s, radix nodes %s", seed, n,
					p.O.Do("XLEN", "s").String(), p.O.Do("XINFO", "STREAM", "s").Elems[5].String())
			}
			// Refresh the live list from the server to follow trims.
			live = live[:0]
			v := p.O.Do("XRANGE", "s", "-", "+")
			for _, e := range v.Elems {
				live = append(live, string(e.Elems[0].Str))
			}
		}
	}
}

func TestLayoutAgainstRedis(t *testing.T) {
	p := newPair(t)
	for seed := int64(1); seed <= 3; seed++ {
		p.Check([]string{"DEL", "s"})
		layoutRun(t, p, seed, 4000)
	}
}

// TestLayoutSmallNodes repeats with tiny node limits so nodes split often.
func TestLayoutSmallNodes(t *testing.T) {
	p := newPair(t)
	for _, cfg := range [][2]string{{"stream-node-max-entries", "3"}, {"stream-node-max-bytes", "200"}, {"stream-node-max-entries", "0"}, {"stream-node-max-bytes", "0"}} {
		p.O.Do("CONFIG", "SET", cfg[0], cfg[1])
		p.H.E.Lock()
		v, _ := strconv.Atoi(cfg[1])
		if cfg[0] == "stream-node-max-entries" {
			p.H.E.Set.StreamNodeMaxEntries = v
		} else {
			p.H.E.Set.StreamNodeMaxBytes = v
		}
		p.H.E.Unlock()
		p.Check([]string{"DEL", "s"})
		layoutRun(t, p, 7, 1500)
	}
}

// TestRaxShapeAgainstRedis makes every entry its own node (stream-node-max-entries 1), so
// the node keys are the entry IDs, with IDs spread over every byte position, then deletes
// random entries (removing nodes): radix-tree-nodes and MEMORY USAGE must follow Redis's
// rax through insertions and removals.
func TestRaxShapeAgainstRedis(t *testing.T) {
	p := newPair(t)
	p.O.Do("CONFIG", "SET", "stream-node-max-entries", "1")
	p.H.E.Lock()
	p.H.E.Set.StreamNodeMaxEntries = 1
	p.H.E.Unlock()
	r := rand.New(rand.NewSource(11))
	for round := 0; round < 4; round++ {
		p.Check([]string{"DEL", "s"})
		var ms, seq uint64
		var ids []string
		for i := 0; i < 300; i++ {
			switch r.Intn(4) {
			case 0:
				ms += 1 + uint64(r.Int63n(1<<uint(r.Intn(63))))
				seq = uint64(r.Intn(3))
			case 1:
				seq += 1 + uint64(r.Int63n(1<<uint(r.Intn(63))))
			default:
				seq++
			}
			id := fmt.Sprintf("%d-%d", ms, seq)
			ids = append(ids, id)
			p.Check([]string{"XADD", "s", id, "f", "v"})
			if i%20 == 0 {
				p.Check([]string{"XINFO", "STREAM", "s"})
			}
		}
		p.Check([]string{"MEMORY", "USAGE", "s", "SAMPLES", "0"})
		r.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
		for i, id := range ids {
			p.Check([]string{"XDEL", "s", id})
			if i%7 == 0 {
				p.Check([]string{"XINFO", "STREAM", "s"})
				p.Check([]string{"MEMORY", "USAGE", "s", "SAMPLES", "0"})
			}
		}
	}
}
