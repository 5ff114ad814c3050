package thash_test

import (
	"bufio"
	"fmt"
	"net"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/config"
	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/resp"
)

// observer runs commands on the real server and on the engine and compares, besides the
// replies, every side effect Redis makes visible:
//   - keyspace events: the oracle has notify-keyspace-events "EA" and a subscriber on
//     __keyevent@0__:*; ours are taken from Engine.NotifyHook;
//   - propagation: the observer is a replica of the oracle (SYNC), so it reads exactly what
//     Redis propagates; ours comes from an engine.Propagator;
//   - dirty: the oracle's rdb_changes_since_last_save against Engine.Dirty.
//
// After each command a PUBLISH on __keyevent@0__:zzsync marks the end of its effects: the
// subscriber receives it as an event and the replica as a propagated command.
type observer struct {
	t     testing.TB
	p     *enginetest.Pair
	sub   *resp.ReplyReader
	repl  *resp.ReplyReader
	conns []net.Conn
	seq   int

	events []string
	props  []string
	dirty  int64 // oracle's dirty before the current command
}

func (ob *observer) Propagate(db int, args [][]byte) {
	ob.props = append(ob.props, joinArgs(args))
}

func joinArgs(args [][]byte) string {
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = strconv.Quote(string(a))
	}
	return strings.Join(parts, " ")
}

const syncChannel = "__keyevent@0__:zzsync"

func newObserver(t *testing.T, p *enginetest.Pair) *observer {
	t.Helper()
	ob := &observer{t: t, p: p}
	p.O.Do("CONFIG", "SET", "notify-keyspace-events", "EA")
	p.O.Do("CONFIG", "SET", "repl-diskless-sync", "no")
	flags, _ := engine.ParseNotifyFlags("EA")
	p.H.E.Set.NotifyKeyspaceEvent = flags
	p.H.E.NotifyHook = func(class int, event string, key []byte, db int) {
		ob.events = append(ob.events, event+" "+string(key))
	}
	p.H.E.SetPropagator(ob)

	dial := func() (net.Conn, *bufio.Reader) {
		c, err := net.DialTimeout("tcp", p.O.Srv.Addr, 5*time.Second)
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		ob.conns = append(ob.conns, c)
		t.Cleanup(func() { c.Close() })
		return c, bufio.NewReader(c)
	}
	// Subscriber.
	sc, sr := dial()
	sc.Write(resp.AppendCommandString(nil, "PSUBSCRIBE", "__keyevent@0__:*"))
	ob.sub = resp.NewReplyReader(sr)
	ob.read(ob.sub) // psubscribe confirmation

	// Replica: SYNC, skip the RDB payload, then read the command stream.
	rc, rr := dial()
	rc.SetDeadline(time.Now().Add(30 * time.Second))
	rc.Write(resp.AppendCommandString(nil, "SYNC"))
	for {
		line, err := rr.ReadString('\n')
		if err != nil {
			t.Fatalf("sync: %v", err)
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			continue // keepalive newline while the RDB is produced
		}
		if line[0] != '$' {
			t.Fatalf("sync: unexpected %q", line)
		}
		n, err := strconv.Atoi(line[1:])
		if err != nil {
			t.Fatalf("sync: %q", line)
		}
		if _, err := rr.Discard(n); err != nil {
			t.Fatalf("sync payload: %v", err)
		}
		break
	}
	ob.repl = resp.NewReplyReader(rr)
	ob.dirty = ob.oracleDirty()
	ob.mark() // drain anything before the first command (SELECT, PING)
	return ob
}

func (ob *observer) read(r *resp.ReplyReader) resp.Value {
	ob.t.Helper()
	for _, c := range ob.conns {
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
	}
	v, err := r.ReadValue()
	if err != nil {
		ob.t.Fatalf("observer read: %v", err)
	}
	return v
}

// mark publishes the end-of-command marker and returns the oracle's events and
// propagated commands since the previous mark.
func (ob *observer) mark() (events, props []string) {
	ob.t.Helper()
	ob.seq++
	tag := strconv.Itoa(ob.seq)
	ob.p.O.Do("PUBLISH", syncChannel, tag)
	for {
		v := ob.read(ob.sub)
		if len(v.Elems) != 4 {
			ob.t.Fatalf("subscriber got %s", v.String())
		}
		ch, msg := string(v.Elems[2].Str), string(v.Elems[3].Str)
		if ch == syncChannel {
			if msg != tag {
				ob.t.Fatalf("subscriber out of step: %s, want %s", msg, tag)
			}
			break
		}
		events = append(events, strings.TrimPrefix(ch, "__keyevent@0__:")+" "+msg)
	}
	for {
		v := ob.read(ob.repl)
		args := make([][]byte, len(v.Elems))
		for i, e := range v.Elems {
			args[i] = e.Str
		}
		if len(args) == 0 {
			ob.t.Fatalf("replication stream: %s", v.String())
		}
		name := strings.ToUpper(string(args[0]))
		if name == "PUBLISH" && string(args[1]) == syncChannel {
			if string(args[2]) != tag {
				ob.t.Fatalf("replica out of step: %s, want %s", args[2], tag)
			}
			break
		}
		if name == "SELECT" || name == "PING" {
			continue
		}
		props = append(props, joinArgs(args))
	}
	return events, props
}

func (ob *observer) oracleDirty() int64 {
	info := string(ob.p.O.Do("INFO", "persistence").Str)
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, "rdb_changes_since_last_save:"); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	ob.t.Fatal("no rdb_changes_since_last_save in INFO")
	return 0
}

// cmpMode says how two replies are compared.
type cmpMode int

const (
	cmpExact cmpMode = iota
	cmpUnordered
	cmpPairs
	cmpType
	cmpNone // replies checked by the caller
)

// Do runs args on both sides, compares the replies by mode and then every effect. It
// returns both replies.
func (ob *observer) Do(mode cmpMode, args ...string) (want, got resp.Value) {
	ob.t.Helper()
	ob.events, ob.props = nil, nil
	hd := ob.p.H.E.Dirty
	want = ob.p.O.Do(args...)
	got = ob.p.H.Do(args...)
	line := strings.Join(args, " ")
	if len(line) > 200 {
		line = line[:200] + "…"
	}
	if mode != cmpNone {
		if w, g := renderMode(want, mode), renderMode(got, mode); w != g {
			ob.t.Errorf("%s\n  redis:    %s\n  redisctl: %s", line, w, g)
		}
	}
	events, props := ob.mark()
	if !slices.Equal(events, ob.events) {
		ob.t.Errorf("%s: events\n  redis:    %q\n  redisctl: %q", line, events, ob.events)
	}
	if !slices.Equal(props, ob.props) {
		ob.t.Errorf("%s: propagated\n  redis:    %q\n  redisctl: %q", line, props, ob.props)
	}
	od := ob.oracleDirty()
	// FLUSHALL's dirty count belongs to the core (engine/keys.go) and differs: Redis 7.0.15
	// adds nothing for empty databases.
	if od-ob.dirty != ob.p.H.E.Dirty-hd && !strings.EqualFold(args[0], "flushall") {
		ob.t.Errorf("%s: dirty +%d on redis, +%d on redisctl", line, od-ob.dirty, ob.p.H.E.Dirty-hd)
	}
	ob.dirty = od
	return want, got
}

func renderMode(v resp.Value, mode cmpMode) string {
	switch mode {
	case cmpType:
		return v.Type.String()
	case cmpUnordered:
		parts := make([]string, len(v.Elems))
		for i, e := range v.Elems {
			parts[i] = e.String()
		}
		sort.Strings(parts)
		return v.Type.String() + "[" + strings.Join(parts, ", ") + "]"
	case cmpPairs:
		if len(v.Elems)%2 == 0 {
			parts := make([]string, 0, len(v.Elems)/2)
			for i := 0; i < len(v.Elems); i += 2 {
				parts = append(parts, v.Elems[i].String()+" => "+v.Elems[i+1].String())
			}
			sort.Strings(parts)
			return v.Type.String() + "{" + strings.Join(parts, ", ") + "}"
		}
	}
	return strings.ReplaceAll(v.String(), "\n", " | ")
}

// Run checks a script as Pair.Run does (tags #unordered, #pairs, #type), with effects.
func (ob *observer) Run(script string) {
	ob.t.Helper()
	for _, line := range strings.Split(script, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "//") {
			continue
		}
		mode := cmpExact
		for tag, m := range map[string]cmpMode{"#unordered": cmpUnordered, "#pairs": cmpPairs, "#type": cmpType} {
			if strings.HasSuffix(line, tag) {
				mode = m
				line = strings.TrimSpace(strings.TrimSuffix(line, tag))
			}
		}
		args, err := config.SplitArgs(line)
		if err != nil {
			ob.t.Fatalf("bad script line %q: %v", line, err)
		}
		ob.Do(mode, args...)
	}
}

// TestHashEffectsAgainstRedis runs the basic script comparing events, propagation and
// dirty counts of every command with the real server's.
func TestHashEffectsAgainstRedis(t *testing.T) {
	p := newPair(t)
	ob := newObserver(t, p)
	ob.Run(basicScript)
	ob.Run(fmt.Sprintf(`
HSET long f %s
HSETNX long f v
HSETNX long g v
HINCRBYFLOAT long n 1.5
HINCRBYFLOAT long n 1e70
HDEL long f g n
EXISTS long
`, strings.Repeat("x", 100)))
}

// TestObserverSeesEffects makes sure the observer really captures events, propagation and
// dirty counts (a silent observer would pass every comparison).
func TestObserverSeesEffects(t *testing.T) {
	p := newPair(t)
	ob := newObserver(t, p)
	ob.Do(cmpExact, "HSET", "k", "f", "1", "g", "2")
	if !slices.Equal(ob.events, []string{"hset k"}) {
		t.Fatalf("events %q", ob.events)
	}
	if len(ob.props) != 1 || !strings.HasPrefix(ob.props[0], `"HSET" "k"`) {
		t.Fatalf("propagated %q", ob.props)
	}
	d := ob.dirty
	ob.Do(cmpExact, "HINCRBYFLOAT", "k", "f", "0.5")
	if !slices.Equal(ob.props, []string{`"HSET" "k" "f" "1.5"`}) {
		t.Fatalf("propagated %q", ob.props)
	}
	if ob.dirty != d+1 {
		t.Fatalf("oracle dirty %d, want %d", ob.dirty, d+1)
	}
	ob.Do(cmpExact, "HDEL", "k", "f", "g")
	if !slices.Equal(ob.events, []string{"hdel k", "del k"}) {
		t.Fatalf("events %q", ob.events)
	}
}
