package tset_test

import (
	"bufio"
	"bytes"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/config"
	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/engine/tset"
	"github.com/redisctl/redisctl/engine/tstring"
	"github.com/redisctl/redisctl/internal/redistest"
	"github.com/redisctl/redisctl/resp"
)

// recorder is a Propagator that keeps copies of what the engine propagates.
type recorder struct{ cmds []string }

func (r *recorder) Propagate(_ int, args [][]byte) {
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = string(a)
	}
	r.cmds = append(r.cmds, strings.Join(parts, " "))
}

// aofTail reads the commands the oracle appended to its AOF since the last call.
type aofTail struct {
	dir  string
	seen int
}

func (a *aofTail) next(t *testing.T) []string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(a.dir, "appendonlydir", "*.incr.aof"))
	if len(files) != 1 {
		t.Fatalf("oracle AOF: want one incr file, have %v", files)
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	cr := resp.NewCommandReader(bytes.NewReader(data))
	var all []string
	for cr.Next() {
		args := cr.Args()
		if len(args) == 0 {
			continue
		}
		if strings.EqualFold(string(args[0]), "select") {
			continue
		}
		parts := make([]string, len(args))
		for i, x := range args {
			parts[i] = string(x)
		}
		all = append(all, strings.Join(parts, " "))
	}
	if cr.Err() != nil {
		t.Fatalf("oracle AOF: %v", cr.Err())
	}
	out := all[a.seen:]
	a.seen = len(all)
	return out
}

// subscriber collects the oracle's keyevent notifications.
type subscriber struct {
	conn net.Conn
	r    *resp.ReplyReader
}

func newSubscriber(t *testing.T, addr string) *subscriber {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	bw := bufio.NewWriter(conn)
	bw.Write(resp.AppendCommandString(nil, "PSUBSCRIBE", "__keyevent@*__:*"))
	bw.Flush()
	s := &subscriber{conn: conn, r: resp.NewReplyReader(conn)}
	if _, err := s.r.ReadValue(); err != nil {
		t.Fatal(err)
	}
	return s
}

// until reads events ("event key") until the sentinel event arrives.
func (s *subscriber) until(t *testing.T, sentinel string) []string {
	t.Helper()
	var out []string
	for {
		_ = s.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		v, err := s.r.ReadValue()
		if err != nil {
			t.Fatalf("subscriber: %v", err)
		}
		if len(v.Elems) != 4 {
			continue
		}
		ch := string(v.Elems[2].Str)
		ev := ch[strings.LastIndexByte(ch, ':')+1:] + " " + string(v.Elems[3].Str)
		if ev == sentinel {
			return out
		}
		out = append(out, ev)
	}
}

// effectsScript: every line is run on both sides; replies, keyspace events and propagated
// commands must agree. Lines tagged #random pop random members: replies are compared as
// sizes, and each side's propagated SREMs must name exactly the members it replied with.
const effectsScript = `
SADD s 1 2 3
SADD s 3
SADD s 4 a
SREM s 1 nope
SREM s nope
SREM s 2 3 4 a
SREM s x
SADD s 1 2
SCARD s
SISMEMBER s 1
SMOVE s d 1
SMOVE s d 9
SMOVE s d 2
SADD d2 2
SMOVE d d2 2
SPOP d
SADD p 1 2 3 4 5 6 7 8 9 10
SPOP p 0
SPOP p 1  #random
SPOP p 2  #random
SPOP p 6  #random
DEL p
SADD p 7 8
SPOP p 5
EXISTS p
SADD p a b c d e f g h i j
SPOP p 9  #random
SPOP p  #random
EXISTS p
SADD p 5
SPOP p
SADD a 1 2 3
SADD b 3 4
SINTERSTORE i a b
SINTERSTORE i a nokey
SINTERSTORE i a b
SINTERSTORE i a x
SUNIONSTORE u a b
SUNIONSTORE u nokey
SUNIONSTORE u nokey
SDIFFSTORE df a b
SDIFFSTORE df a a
SDIFFSTORE df b b
SINTER a b
SUNION a b
SDIFF a b
SINTERCARD 2 a b
SMEMBERS a
SRANDMEMBER a  #random
SSCAN a 0
SET str x
SADD str a
SPOP str 1
SINTERSTORE str a b
`

func TestSetEffectsAgainstRedis(t *testing.T) {
	o := enginetest.NewOracle(t, redistest.WithArgs("--appendonly", "yes", "--appendfsync", "always",
		"--notify-keyspace-events", "EA"))
	sub := newSubscriber(t, o.Srv.Addr)
	tail := &aofTail{dir: o.Srv.Dir}

	h := enginetest.New(t, tset.Commands(), tstring.Commands())
	h.RealClock()
	h.E.Set.NotifyKeyspaceEvent = engine.NotifyAll | engine.NotifyKeyevent
	var ours []string
	h.E.NotifyHook = func(_ int, event string, key []byte, _ int) {
		ours = append(ours, event+" "+string(key))
	}
	rec := &recorder{}
	h.E.Lock()
	h.E.SetPropagator(rec)
	h.E.Unlock()

	tail.next(t)
	for _, line := range strings.Split(effectsScript, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		random := strings.HasSuffix(line, "#random")
		line = strings.TrimSpace(strings.TrimSuffix(line, "#random"))
		args, err := config.SplitArgs(line)
		if err != nil {
			t.Fatal(err)
		}
		want := o.Do(args...)
		before := len(rec.cmds)
		got := h.Do(args...)
		theirProp := tail.next(t)
		ourProp := rec.cmds[before:]
		if !random {
			if want.String() != got.String() {
				t.Errorf("%s: reply\n  redis:    %s\n  redisctl: %s", line, want, got)
			}
			if !slices.Equal(theirProp, ourProp) {
				t.Errorf("%s: propagated\n  redis:    %q\n  redisctl: %q", line, theirProp, ourProp)
			}
			continue
		}
		if len(want.Elems) != len(got.Elems) || want.Type != got.Type {
			t.Errorf("%s: reply shape\n  redis:    %s\n  redisctl: %s", line, want, got)
		}
		checkPopPropagation(t, line, "redis", want, theirProp)
		checkPopPropagation(t, line, "redisctl", got, ourProp)
	}
	o.Do("SADD", "__end__", "x")
	h.Do("SADD", "__end__", "x")
	theirs := sub.until(t, "sadd __end__")
	ours = ours[:len(ours)-1]
	if len(theirs) < 30 {
		t.Errorf("too few events from the oracle: %q", theirs)
	}
	if !slices.Equal(theirs, ours) {
		t.Errorf("keyspace events differ\n  redis:    %q\n  redisctl: %q", theirs, ours)
	}
}

// checkPopPropagation checks that a random SPOP propagated one SREM per popped member
// (wrapped in MULTI/EXEC when more than one), naming exactly the members replied.
func checkPopPropagation(t *testing.T, line, side string, reply resp.Value, prop []string) {
	t.Helper()
	if !strings.HasPrefix(strings.ToUpper(line), "SPOP") {
		return
	}
	var popped []string
	if len(reply.Elems) > 0 || reply.Type != resp.TypeBulk {
		for _, e := range reply.Elems {
			popped = append(popped, string(e.Str))
		}
	} else {
		popped = []string{string(reply.Str)}
	}
	body := prop
	if len(popped) > 1 {
		if len(prop) < 2 || prop[0] != "MULTI" || prop[len(prop)-1] != "EXEC" {
			t.Errorf("%s (%s): %d pops not wrapped in MULTI/EXEC: %q", line, side, len(popped), prop)
			return
		}
		body = prop[1 : len(prop)-1]
	}
	key := strings.Fields(line)[1]
	var members []string
	for _, c := range body {
		f := strings.Fields(c)
		if len(f) != 3 || f[0] != "SREM" || f[1] != key {
			t.Errorf("%s (%s): unexpected propagation %q", line, side, c)
			return
		}
		members = append(members, f[2])
	}
	slices.Sort(members)
	slices.Sort(popped)
	if !slices.Equal(members, popped) {
		t.Errorf("%s (%s): propagated SREMs %q, popped %q", line, side, members, popped)
	}
}
