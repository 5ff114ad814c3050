package tlist_test

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/engine/tlist"
	"github.com/redisctl/redisctl/engine/tstring"
	"github.com/redisctl/redisctl/internal/redistest"
	"github.com/redisctl/redisctl/rdb/lzf"
	"github.com/redisctl/redisctl/resp"
)

// duo is a Pair that also reaches into both sides: configuration, the packed threshold
// (DEBUG on the oracle, which needs enable-debug-command) and the node layout.
type duo struct {
	t *testing.T
	h *enginetest.Harness
	o *enginetest.Oracle
}

func newDuo(t *testing.T) *duo {
	t.Helper()
	h := enginetest.New(t, tlist.Commands(), tstring.Commands())
	h.RealClock()
	o := enginetest.NewOracle(t, redistest.WithArgs("--enable-debug-command", "yes"))
	d := &duo{t: t, h: h, o: o}
	// Without rdbcompression, only nodes held compressed come out of DUMP as LZF blobs,
	// so the layout check sees which nodes are compressed and to how many bytes.
	o.Do("CONFIG", "SET", "rdbcompression", "no")
	t.Cleanup(func() { tlist.SetPackedThreshold(0) })
	return d
}

// do sends args to both sides and fails the test on different replies.
func (d *duo) do(args ...string) resp.Value {
	d.t.Helper()
	want := d.o.Do(args...)
	got := d.h.Do(args...)
	if want.String() != got.String() {
		d.t.Fatalf("%s\n  redis:    %s\n  redisctl: %s", short(args), want.String(), got.String())
	}
	return got
}

func short(args []string) string {
	var b strings.Builder
	for i, a := range args {
		if i > 0 {
			b.WriteByte(' ')
		}
		if len(a) > 40 {
			fmt.Fprintf(&b, "%s…(%d bytes)", a[:20], len(a))
			continue
		}
		b.WriteString(a)
	}
	return b.String()
}

// config sets list-max-listpack-size and list-compress-depth on both sides.
func (d *duo) config(fill, depth int) {
	d.t.Helper()
	for _, kv := range [][2]string{{"list-max-listpack-size", strconv.Itoa(fill)}, {"list-compress-depth", strconv.Itoa(depth)}} {
		if v := d.o.Do("CONFIG", "SET", kv[0], kv[1]); v.String() != "OK" {
			d.t.Fatalf("CONFIG SET %s %s: %s", kv[0], kv[1], v.String())
		}
	}
	d.h.E.Lock()
	d.h.E.Set.ListMaxListpackSize = fill
	d.h.E.Set.ListCompressDepth = depth
	d.h.E.Unlock()
}

// threshold sets the packed threshold on both sides.
func (d *duo) threshold(n uint64) {
	d.t.Helper()
	if v := d.o.Do("DEBUG", "QUICKLIST-PACKED-THRESHOLD", strconv.FormatUint(n, 10)); v.String() != "OK" {
		d.t.Fatalf("DEBUG QUICKLIST-PACKED-THRESHOLD: %s", v.String())
	}
	if !tlist.SetPackedThreshold(n) {
		d.t.Fatalf("SetPackedThreshold(%d) refused", n)
	}
}

type dumpNode struct {
	plain bool
	data  []byte
	clen  int // compressed length of a node held compressed, 0 when raw
}

// layout compares the node layout of key (from the oracle's DUMP, a quicklist 2 payload)
// with ours, node by node and byte by byte, and the MEMORY USAGE estimates.
func (d *duo) layout(key string) {
	d.t.Helper()
	defer func() {
		d.do("MEMORY", "USAGE", key, "SAMPLES", "0")
		d.do("MEMORY", "USAGE", key)
		d.do("MEMORY", "USAGE", key, "SAMPLES", "1")
	}()
	v := d.o.Do("DUMP", key)
	if v.IsNull() {
		d.h.E.Lock()
		o := d.h.E.DB(0).LookupReadNoTouch([]byte(key))
		d.h.E.Unlock()
		if o != nil {
			d.t.Fatalf("layout %s: missing in redis, present here", key)
		}
		return
	}
	want, err := parseDump(v.Str)
	if err != nil {
		d.t.Fatalf("layout %s: %v", key, err)
	}
	var got []dumpNode
	d.h.E.Lock()
	o := d.h.E.DB(0).LookupReadNoTouch([]byte(key))
	if o == nil {
		d.h.E.Unlock()
		d.t.Fatalf("layout %s: present in redis, missing here", key)
	}
	tlist.FromObject(o).Nodes(func(n tlist.NodeView) bool {
		data := n.Data
		if n.Compressed {
			out, err := lzf.Decompress(make([]byte, n.RawLen), n.Data)
			if err != nil {
				d.t.Errorf("our node does not decompress: %v", err)
			}
			data = out
		}
		clen := 0
		if n.Compressed {
			clen = len(n.Data)
		}
		got = append(got, dumpNode{n.Plain, append([]byte(nil), data...), clen})
		return true
	})
	d.h.E.Unlock()
	if len(got) != len(want) {
		d.t.Fatalf("layout %s: %d nodes, redis has %d\n  redis: %s\n  ours:  %s", key, len(got), len(want), describe(want), describe(got))
	}
	for i := range want {
		if want[i].plain != got[i].plain || string(want[i].data) != string(got[i].data) || want[i].clen != got[i].clen {
			d.t.Fatalf("layout %s: node %d differs\n  redis: %s\n  ours:  %s", key, i, describe(want), describe(got))
		}
	}
}

func describe(ns []dumpNode) string {
	var b strings.Builder
	for _, n := range ns {
		z := ""
		if n.clen > 0 {
			z = fmt.Sprintf(" z%d", n.clen)
		}
		if n.plain {
			fmt.Fprintf(&b, "[plain %d%s] ", len(n.data), z)
		} else {
			fmt.Fprintf(&b, "[lp %dB %d%s] ", len(n.data), binary.LittleEndian.Uint16(n.data[4:]), z)
		}
	}
	return b.String()
}

// parseDump reads a DUMP payload of a RDB_TYPE_LIST_QUICKLIST_2 value.
func parseDump(p []byte) ([]dumpNode, error) {
	if len(p) < 11 || p[0] != 18 {
		return nil, fmt.Errorf("not a quicklist 2 payload (type %d)", p[0])
	}
	r := &rd{b: p[:len(p)-10], off: 1}
	n, _, err := r.length()
	if err != nil {
		return nil, err
	}
	var out []dumpNode
	for i := uint64(0); i < n; i++ {
		container, _, err := r.length()
		if err != nil {
			return nil, err
		}
		s, clen, err := r.str()
		if err != nil {
			return nil, err
		}
		out = append(out, dumpNode{plain: container == 1, data: s, clen: clen})
	}
	return out, nil
}

type rd struct {
	b   []byte
	off int
}

func (r *rd) byte1() (byte, error) {
	if r.off >= len(r.b) {
		return 0, fmt.Errorf("truncated at %d", r.off)
	}
	c := r.b[r.off]
	r.off++
	return c, nil
}

func (r *rd) take(n int) ([]byte, error) {
	if n < 0 || r.off+n > len(r.b) {
		return nil, fmt.Errorf("truncated at %d", r.off)
	}
	s := r.b[r.off : r.off+n]
	r.off += n
	return s, nil
}

// length is rdbLoadLenByRef; special reports an encoded-string marker.
func (r *rd) length() (uint64, bool, error) {
	c, err := r.byte1()
	if err != nil {
		return 0, false, err
	}
	switch c >> 6 {
	case 0:
		return uint64(c & 0x3f), false, nil
	case 1:
		c2, err := r.byte1()
		return uint64(c&0x3f)<<8 | uint64(c2), false, err
	case 3:
		return uint64(c & 0x3f), true, nil
	}
	switch c {
	case 0x80:
		s, err := r.take(4)
		if err != nil {
			return 0, false, err
		}
		return uint64(binary.BigEndian.Uint32(s)), false, nil
	case 0x81:
		s, err := r.take(8)
		if err != nil {
			return 0, false, err
		}
		return binary.BigEndian.Uint64(s), false, nil
	}
	return 0, false, fmt.Errorf("bad length byte %#x", c)
}

// str reads an RDB string; clen is the compressed length of an LZF blob.
func (r *rd) str() (s []byte, clen int, err error) {
	n, special, err := r.length()
	if err != nil {
		return nil, 0, err
	}
	if !special {
		s, err := r.take(int(n))
		return append([]byte(nil), s...), 0, err
	}
	var v int64
	switch n {
	case 0:
		b, err := r.take(1)
		if err != nil {
			return nil, 0, err
		}
		v = int64(int8(b[0]))
	case 1:
		b, err := r.take(2)
		if err != nil {
			return nil, 0, err
		}
		v = int64(int16(binary.LittleEndian.Uint16(b)))
	case 2:
		b, err := r.take(4)
		if err != nil {
			return nil, 0, err
		}
		v = int64(int32(binary.LittleEndian.Uint32(b)))
	case 3:
		cl, _, err := r.length()
		if err != nil {
			return nil, 0, err
		}
		ulen, _, err := r.length()
		if err != nil {
			return nil, 0, err
		}
		c, err := r.take(int(cl))
		if err != nil {
			return nil, 0, err
		}
		out, err := lzf.Decompress(make([]byte, ulen), c)
		return out, int(cl), err
	default:
		return nil, 0, fmt.Errorf("bad string encoding %d", n)
	}
	return strconv.AppendInt(nil, v, 10), 0, nil
}
