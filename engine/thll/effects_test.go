package thll_test

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
	"github.com/redisctl/redisctl/engine/config"
	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/internal/redistest"
	"github.com/redisctl/redisctl/resp"
)

// effects compares, command by command, what Redis and the engine do besides replying:
// the dirty counter (INFO rdb_changes_since_last_save), what is propagated (the real
// server's AOF tail against our Propagator), and the keyspace events (a PSUBSCRIBE
// connection against our NotifyHook).
type effects struct {
	t      *testing.T
	h      *enginetest.Harness
	o      *enginetest.Oracle
	aof    string
	aofOff int64
	sub    net.Conn
	subR   *resp.ReplyReader
	subW   *bufio.Writer

	props  []string
	events []string
}

func (e *effects) Propagate(db int, args [][]byte) {
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = string(a)
	}
	e.props = append(e.props, strings.Join(parts, " "))
}

func newEffects(t *testing.T) *effects {
	h := enginetest.New(t, families()...)
	h.RealClock()
	o := enginetest.NewOracle(t, redistest.WithArgs("--appendonly", "yes", "--appendfsync", "always"))
	e := &effects{t: t, h: h, o: o}
	h.E.SetPropagator(e)
	flags, _ := engine.ParseNotifyFlags("KEA")
	h.E.Set.NotifyKeyspaceEvent = flags
	h.E.NotifyHook = func(class int, event string, key []byte, dbid int) {
		e.events = append(e.events, event+" "+string(key))
	}
	o.Do("CONFIG", "SET", "notify-keyspace-events", "KEA")
	conn, err := net.Dial("tcp", o.Srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	e.sub, e.subR, e.subW = conn, resp.NewReplyReader(conn), bufio.NewWriter(conn)
	e.subDo("PSUBSCRIBE", "__keyevent@*__:*")
	// Wait for the rewrite-on-start to leave an incr file.
	deadline := time.Now().Add(5 * time.Second)
	for e.aof == "" && time.Now().Before(deadline) {
		m, _ := filepath.Glob(filepath.Join(o.Srv.Dir, "appendonlydir", "*.incr.aof"))
		if len(m) == 1 {
			e.aof = m[0]
		}
		time.Sleep(10 * time.Millisecond)
	}
	if e.aof == "" {
		t.Fatal("no incr AOF file")
	}
	e.aofTail()
	return e
}

func (e *effects) subDo(args ...string) resp.Value {
	b := make([][]byte, len(args))
	for i, a := range args {
		b[i] = []byte(a)
	}
	_ = e.sub.SetDeadline(time.Now().Add(5 * time.Second))
	e.subW.Write(resp.AppendCommand(nil, b...))
	e.subW.Flush()
	v, err := e.subR.ReadValue()
	if err != nil {
		e.t.Fatal(err)
	}
	return v
}

// oracleEvents reads the events published so far, up to the reply to a PING.
func (e *effects) oracleEvents() []string {
	_ = e.sub.SetDeadline(time.Now().Add(5 * time.Second))
	e.subW.Write(resp.AppendCommand(nil, []byte("PING")))
	e.subW.Flush()
	var out []string
	for {
		v, err := e.subR.ReadValue()
		if err != nil {
			e.t.Fatal(err)
		}
		if len(v.Elems) == 2 && strings.EqualFold(string(v.Elems[0].Str), "pong") {
			return out
		}
		if len(v.Elems) == 4 && string(v.Elems[0].Str) == "pmessage" {
			ch := string(v.Elems[2].Str)
			out = append(out, ch[strings.Index(ch, ":")+1:]+" "+string(v.Elems[3].Str))
		}
	}
}

// aofTail returns the commands appended to the oracle's AOF since the last call, without
// SELECTs.
func (e *effects) aofTail() []string {
	data, err := os.ReadFile(e.aof)
	if err != nil {
		e.t.Fatal(err)
	}
	data = data[e.aofOff:]
	e.aofOff += int64(len(data))
	r := resp.NewReplyReader(bytes.NewReader(data))
	var out []string
	for {
		v, err := r.ReadValue()
		if err != nil {
			break
		}
		parts := make([]string, len(v.Elems))
		for i, el := range v.Elems {
			parts[i] = string(el.Str)
		}
		if len(parts) > 0 && strings.EqualFold(parts[0], "select") {
			continue
		}
		out = append(out, strings.Join(parts, " "))
	}
	return out
}

func (e *effects) oracleInfo(section, field string) int64 {
	v := e.o.Do("INFO", section)
	for _, line := range strings.Split(string(v.Str), "\r\n") {
		if s, ok := strings.CutPrefix(line, field+":"); ok {
			n, _ := strconv.ParseInt(s, 10, 64)
			return n
		}
	}
	e.t.Fatalf("no %s in INFO %s", field, section)
	return 0
}

// counters are dirty, keyspace hits and keyspace misses.
func (e *effects) counters() (o, g [3]int64) {
	o = [3]int64{e.oracleInfo("persistence", "rdb_changes_since_last_save"),
		e.oracleInfo("stats", "keyspace_hits"), e.oracleInfo("stats", "keyspace_misses")}
	g = [3]int64{e.h.E.Dirty, e.h.E.Stats.KeyspaceHits, e.h.E.Stats.KeyspaceMisses}
	return o, g
}

func (e *effects) run(script string) {
	e.t.Helper()
	for _, line := range strings.Split(script, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "//") {
			continue
		}
		args, err := config.SplitArgs(line)
		if err != nil {
			e.t.Fatal(err)
		}
		o0, g0 := e.counters()
		e.props, e.events = nil, nil
		want := e.o.Do(args...).String()
		got := e.h.Do(args...).String()
		if want != got {
			e.t.Errorf("%s: reply\n  redis:    %s\n  redisctl: %s", line, want, got)
		}
		o1, g1 := e.counters()
		for i, name := range []string{"dirty", "keyspace_hits", "keyspace_misses"} {
			if dw, dg := o1[i]-o0[i], g1[i]-g0[i]; dw != dg {
				e.t.Errorf("%s: %s redis %+d, redisctl %+d", line, name, dw, dg)
			}
		}
		if w, g := strings.Join(e.aofTail(), " | "), strings.Join(e.props, " | "); w != g {
			e.t.Errorf("%s: propagated\n  redis:    %s\n  redisctl: %s", line, w, g)
		}
		if w, g := strings.Join(e.oracleEvents(), ", "), strings.Join(e.events, ", "); w != g {
			e.t.Errorf("%s: events\n  redis:    %s\n  redisctl: %s", line, w, g)
		}
	}
}

// TestEffectsAgainstRedis compares dirty counts, AOF propagation, keyspace events and
// keyspace hit/miss statistics command by command.
func TestEffectsAgainstRedis(t *testing.T) {
	e := newEffects(t)
	e.run(`
PFADD h
PFADD h
PFADD h a b c
PFADD h a b c
PFADD h a b c d
PFCOUNT h
PFCOUNT h
PFCOUNT missing
PFCOUNT h missing
PFADD h2 x
PFCOUNT h h2
PFMERGE h3 h h2
PFMERGE h3
PFMERGE h4 missing
PFCOUNT h3
PFDEBUG ENCODING h3
PFDEBUG DECODE h3
PFDEBUG GETREG h3
PFDEBUG GETREG h3
PFDEBUG TODENSE h2
PFDEBUG TODENSE h
PFDEBUG TODENSE h
PFDEBUG FOO h
PFDEBUG ENCODING missing
SET s abc
PFADD s x
PFCOUNT s
PFMERGE s h
PFMERGE h s
SET bad "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xfe\x80\x00"
PFADD bad a b c
PFCOUNT bad
PFMERGE x bad
PFADD newbad a
SETRANGE newbad 17 "\xfe"
PFADD newbad a b c d e f g h i j k l m n o p
PFCOUNT h h2 h3 h4
SET x 1
PEXPIREAT x 99999999999999
PFMERGE x h
TTL x
`)
}
