package enginetest

import (
	"bufio"

	"github.com/redisctl/redisctl/engine"
	"net"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/redisctl/redisctl/engine/config"
	"github.com/redisctl/redisctl/internal/redistest"
	"github.com/redisctl/redisctl/resp"
)

// Oracle is a raw RESP connection to a real redis-server started for the test, the
// reference every reply of ours is compared with.
type Oracle struct {
	t    testing.TB
	Srv  *redistest.Server
	conn net.Conn
	bw   *bufio.Writer
	r    *resp.ReplyReader
}

// NewOracle starts a real redis-server (skipping the test when it is not installed, failing
// under CI=true) and connects to it.
func NewOracle(t testing.TB, opts ...redistest.Option) *Oracle {
	t.Helper()
	srv := redistest.Start(t, opts...)
	conn, err := net.DialTimeout("tcp", srv.Addr, 5*time.Second)
	if err != nil {
		t.Fatalf("dial oracle: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	return &Oracle{t: t, Srv: srv, conn: conn, bw: bufio.NewWriter(conn), r: resp.NewReplyReader(conn)}
}

// Do sends one command and reads its reply.
func (o *Oracle) Do(args ...string) resp.Value {
	o.t.Helper()
	b := make([][]byte, len(args))
	for i, a := range args {
		b[i] = []byte(a)
	}
	return o.DoBytes(b...)
}

// DoBytes sends one command and reads its reply.
func (o *Oracle) DoBytes(args ...[]byte) resp.Value {
	o.t.Helper()
	_ = o.conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := o.bw.Write(resp.AppendCommand(nil, args...)); err != nil {
		o.t.Fatalf("oracle write: %v", err)
	}
	if err := o.bw.Flush(); err != nil {
		o.t.Fatalf("oracle flush: %v", err)
	}
	v, err := o.r.ReadValue()
	if err != nil {
		o.t.Fatalf("oracle read: %v", err)
	}
	return v
}

// Pair is a Harness (ours, running on the real clock) and an Oracle that receive the same
// commands.
type Pair struct {
	t testing.TB
	H *Harness
	O *Oracle
}

// NewPair builds both sides. The harness follows the wall clock so TTLs agree.
func NewPair(t testing.TB, families ...[]*engine.Command) *Pair {
	h := New(t, families...)
	h.RealClock()
	return &Pair{t: t, H: h, O: NewOracle(t)}
}

// Opt changes how one comparison is made.
type Opt int

const (
	// Unordered compares an array reply as a multiset (SMEMBERS, HGETALL of a hashtable,
	// KEYS): elements are sorted before comparing; for map-shaped replies (HGETALL) use
	// UnorderedPairs.
	Unordered Opt = iota + 1
	// UnorderedPairs compares a flat array of pairs (or a RESP3 map) ignoring pair order.
	UnorderedPairs
	// TypeOnly compares only the reply's type (random picks).
	TypeOnly
)

// Check sends args to both and requires the same reply. It returns ours.
func (p *Pair) Check(args []string, opts ...Opt) resp.Value {
	p.t.Helper()
	want := p.O.Do(args...)
	got := p.H.Do(args...)
	ws, gs := render(want, opts), render(got, opts)
	if ws != gs && !withinClockTolerance(args, want, got) {
		p.t.Errorf("%s\n  redis:    %s\n  redisctl: %s", strings.Join(args, " "), oneLine(ws), oneLine(gs))
	}
	return got
}

// Run checks a script: one command per line, arguments split by Redis's own rules
// (quotes allowed). A line may end with "  #unordered" or "  #pairs" or "  #type".
func (p *Pair) Run(script string) {
	p.t.Helper()
	runScript(p.t, script, func(args []string, opts ...Opt) { p.Check(args, opts...) })
}

// runScript calls check for each line of a script (Pair.Run's and Effects.Run's format):
// blank lines and "//" comments are skipped, a trailing #unordered, #pairs or #type tag
// becomes an Opt, and the arguments are split by Redis's own rules.
func runScript(t testing.TB, script string, check func(args []string, opts ...Opt)) {
	t.Helper()
	for _, line := range strings.Split(script, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "//") {
			continue
		}
		var opts []Opt
		for _, tag := range []struct {
			s string
			o Opt
		}{{"#unordered", Unordered}, {"#pairs", UnorderedPairs}, {"#type", TypeOnly}} {
			if strings.HasSuffix(line, tag.s) {
				opts = append(opts, tag.o)
				line = strings.TrimSpace(strings.TrimSuffix(line, tag.s))
			}
		}
		args, err := config.SplitArgs(line)
		if err != nil {
			t.Fatalf("bad script line %q: %v", line, err)
		}
		check(args, opts...)
	}
}

// SetProto switches both sides to RESP2 or RESP3 (HELLO on the oracle).
func (p *Pair) SetProto(v int) {
	p.H.SetProto(v)
	if v == 3 {
		p.O.Do("HELLO", "3")
	} else {
		p.O.Do("HELLO", "2")
	}
}

func oneLine(s string) string { return strings.ReplaceAll(s, "\n", " | ") }

func render(v resp.Value, opts []Opt) string {
	for _, o := range opts {
		switch o {
		case TypeOnly:
			return v.Type.String()
		case Unordered:
			if len(v.Elems) > 0 {
				parts := make([]string, len(v.Elems))
				for i, e := range v.Elems {
					parts[i] = e.String()
				}
				sort.Strings(parts)
				return v.Type.String() + "[" + strings.Join(parts, ", ") + "]"
			}
		case UnorderedPairs:
			if len(v.Elems) > 0 && len(v.Elems)%2 == 0 {
				parts := make([]string, 0, len(v.Elems)/2)
				for i := 0; i < len(v.Elems); i += 2 {
					parts = append(parts, v.Elems[i].String()+" => "+v.Elems[i+1].String())
				}
				sort.Strings(parts)
				return v.Type.String() + "{" + strings.Join(parts, ", ") + "}"
			}
		}
	}
	return v.String()
}

// withinClockTolerance reports whether two different integer replies of a clock-reading
// command are close enough: the servers read the clock at slightly different moments and
// Redis's LRU clock ticks once a second (the harness's ttl-tolerance rule, internal/
// difftest): TTL, EXPIRETIME and OBJECT IDLETIME within 2, PTTL and PEXPIRETIME within
// 2000. Negative replies (no key, no expiry) stay exact.
func withinClockTolerance(args []string, want, got resp.Value) bool {
	if len(args) < 2 || want.Type != resp.TypeInteger || got.Type != resp.TypeInteger || want.Int < 0 || got.Int < 0 {
		return false
	}
	var tol int64
	switch {
	case strings.EqualFold(args[0], "ttl"), strings.EqualFold(args[0], "expiretime"):
		tol = 2
	case strings.EqualFold(args[0], "pttl"), strings.EqualFold(args[0], "pexpiretime"):
		tol = 2000
	case strings.EqualFold(args[0], "object") && strings.EqualFold(args[1], "idletime"):
		tol = 2
	default:
		return false
	}
	d := want.Int - got.Int
	return -tol <= d && d <= tol
}
