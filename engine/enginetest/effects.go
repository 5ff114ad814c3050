package enginetest

import (
	"bufio"
	"bytes"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/internal/redistest"
	"github.com/redisctl/redisctl/resp"
)

// Effects compares what commands do beyond their replies, line by line: server.dirty
// (INFO's rdb_changes_since_last_save against Engine.Dirty), the keyspace events of every
// database (a PSUBSCRIBE connection to the oracle against Engine.NotifyHook) and what is
// propagated (the oracle's AOF, SELECTs included, against a Propagator that inserts a
// SELECT whenever the database changes, as feedAppendOnlyFile does).
type Effects struct {
	t      testing.TB
	H      *Harness
	O      *Oracle
	info   *Oracle // a connection of its own: O may be inside MULTI
	sub    net.Conn
	subR   *resp.ReplyReader
	aof    string
	aofOff int64

	events  []string
	props   []string
	propsDB int

	// Stats also compares each line's change of keyspace_hits and keyspace_misses (INFO
	// stats against Engine.Stats).
	Stats bool
}

type effectsRecorder struct{ e *Effects }

func (r effectsRecorder) Propagate(db int, args [][]byte) {
	e := r.e
	if db != e.propsDB {
		e.props = append(e.props, "SELECT "+strconv.Itoa(db))
		e.propsDB = db
	}
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = string(a)
	}
	e.props = append(e.props, strings.Join(parts, " "))
}

// NewEffects builds a harness (real clock) and an oracle with an always-fsynced AOF and
// notify-keyspace-events set to notify on both sides.
func NewEffects(t testing.TB, notify string, families ...[]*engine.Command) *Effects {
	t.Helper()
	return NewEffectsWith(t, notify, nil, families...)
}

// NewEffectsWith is NewEffects with more options for the oracle's redis-server.
func NewEffectsWith(t testing.TB, notify string, opts []redistest.Option, families ...[]*engine.Command) *Effects {
	t.Helper()
	h := New(t, families...)
	h.RealClock()
	opts = append([]redistest.Option{redistest.WithArgs("--appendonly", "yes", "--appendfsync", "always",
		"--notify-keyspace-events", notify)}, opts...)
	o := NewOracle(t, opts...)
	e := &Effects{t: t, H: h, O: o, info: o.NewConn(), propsDB: -1}
	flags, ok := engine.ParseNotifyFlags(notify)
	if !ok {
		t.Fatalf("bad notify-keyspace-events %q", notify)
	}
	h.E.Set.NotifyKeyspaceEvent = flags
	h.E.NotifyHook = func(class int, event string, key []byte, db int) {
		e.events = append(e.events, strconv.Itoa(db)+" "+event+" "+string(key))
	}
	h.E.SetPropagator(effectsRecorder{e})
	conn, err := net.DialTimeout("tcp", o.Srv.Addr, 5*time.Second)
	if err != nil {
		t.Fatalf("dial oracle: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	e.sub, e.subR = conn, resp.NewReplyReader(conn)
	e.subSend("PSUBSCRIBE", "__keyevent@*__:*")
	if _, err := e.subR.ReadValue(); err != nil {
		t.Fatalf("psubscribe: %v", err)
	}
	e.aof = filepath.Join(o.Srv.Dir, "appendonlydir", "appendonly.aof.1.incr.aof")
	e.oracleProps() // what the server wrote at start
	return e
}

func (e *Effects) subSend(args ...string) {
	b := make([][]byte, len(args))
	for i, a := range args {
		b[i] = []byte(a)
	}
	_ = e.sub.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := e.sub.Write(resp.AppendCommand(nil, b...)); err != nil {
		e.t.Fatalf("subscriber write: %v", err)
	}
}

// oracleEvents reads the events published since the last call ("db event key"): a PING on
// the subscriber connection is answered after every message queued before it.
func (e *Effects) oracleEvents() []string {
	e.subSend("PING")
	var out []string
	for {
		v, err := e.subR.ReadValue()
		if err != nil {
			e.t.Fatalf("subscriber read: %v", err)
		}
		if len(v.Elems) == 2 && string(v.Elems[0].Str) == "pong" {
			return out
		}
		if len(v.Elems) != 4 {
			e.t.Fatalf("unexpected message %s", v.String())
		}
		ch := string(v.Elems[2].Str) // __keyevent@<db>__:<event>
		db := strings.TrimPrefix(ch[:strings.Index(ch, "__:")], "__keyevent@")
		ev := ch[strings.Index(ch, "__:")+3:]
		out = append(out, db+" "+ev+" "+string(v.Elems[3].Str))
	}
}

// oracleProps parses the commands appended to the AOF since the last call.
func (e *Effects) oracleProps() []string {
	data, err := os.ReadFile(e.aof)
	if err != nil {
		e.t.Fatalf("reading the oracle's AOF: %v", err)
	}
	data = data[e.aofOff:]
	e.aofOff += int64(len(data))
	r := resp.NewReader(bytes.NewReader(data))
	var out []string
	for {
		args, err := r.ReadCommand(nil)
		if err != nil {
			break
		}
		parts := make([]string, len(args))
		for i, a := range args {
			parts[i] = string(a)
		}
		out = append(out, strings.Join(parts, " "))
	}
	return out
}

func (e *Effects) oracleDirty() int64 {
	return e.oracleInfo("persistence", "rdb_changes_since_last_save")
}

// oracleInfo reads one numeric field of an INFO section of the oracle.
func (e *Effects) oracleInfo(section, field string) int64 {
	info := string(e.info.Do("INFO", section).Str)
	sc := bufio.NewScanner(strings.NewReader(info))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), field+":"); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	e.t.Fatalf("no %s in INFO %s", field, section)
	return 0
}

// stats is keyspace_hits and keyspace_misses of the oracle and of the engine.
func (e *Effects) stats() (o, g [2]int64) {
	if !e.Stats {
		return o, g
	}
	o = [2]int64{e.oracleInfo("stats", "keyspace_hits"), e.oracleInfo("stats", "keyspace_misses")}
	g = [2]int64{e.H.E.Stats.KeyspaceHits, e.H.E.Stats.KeyspaceMisses}
	return o, g
}

// Check sends args to both sides and compares the reply (with opts, as Pair.Check), the
// dirty count, the events and the propagated commands.
func (e *Effects) Check(args []string, opts ...Opt) {
	e.t.Helper()
	d0, o0 := e.oracleDirty(), e.H.E.Dirty
	so0, sg0 := e.stats()
	e.events, e.props = nil, nil
	want, got := render(e.O.Do(args...), opts), render(e.H.Do(args...), opts)
	line := strings.Join(args, " ")
	if want != got {
		e.t.Errorf("reply of %s\n  redis:    %s\n  redisctl: %s", line, oneLine(want), oneLine(got))
	}
	if dw, dg := e.oracleDirty()-d0, e.H.E.Dirty-o0; dw != dg {
		e.t.Errorf("dirty of %s: redis %d, redisctl %d", line, dw, dg)
	}
	if e.Stats {
		so1, sg1 := e.stats()
		for i, name := range []string{"keyspace_hits", "keyspace_misses"} {
			if dw, dg := so1[i]-so0[i], sg1[i]-sg0[i]; dw != dg {
				e.t.Errorf("%s of %s: redis %+d, redisctl %+d", name, line, dw, dg)
			}
		}
	}
	if w, g := e.oracleEvents(), e.events; strings.Join(w, "\n") != strings.Join(g, "\n") {
		e.t.Errorf("events of %s\n  redis:    %q\n  redisctl: %q", line, w, g)
	}
	if w, g := normTimes(e.oracleProps()), normTimes(e.props); strings.Join(w, "\n") != strings.Join(g, "\n") {
		e.t.Errorf("propagation of %s\n  redis:    %q\n  redisctl: %q", line, w, g)
	}
}

// Run checks a script as Pair.Run does, with Check's comparisons for every line.
func (e *Effects) Run(script string) {
	e.t.Helper()
	runScript(e.t, script, e.Check)
}

// normTimes replaces unix times in milliseconds near now (absolute expiry times the two
// sides computed from their own clocks, a millisecond apart at times) by "<unix-ms>".
func normTimes(cmds []string) []string {
	now := time.Now().UnixMilli()
	out := make([]string, len(cmds))
	for i, c := range cmds {
		parts := strings.Split(c, " ")
		for j, p := range parts {
			if v, err := strconv.ParseInt(p, 10, 64); err == nil && v > now-3_600_000 && v < now+400*86_400_000 {
				parts[j] = "<unix-ms>"
			}
		}
		out[i] = strings.Join(parts, " ")
	}
	return out
}
