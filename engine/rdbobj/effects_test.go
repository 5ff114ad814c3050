package rdbobj_test

import (
	"bufio"
	"bytes"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/internal/redistest"
	"github.com/redisctl/redisctl/resp"
	"github.com/stretchr/testify/require"
)

// effects compares what RESTORE does beyond its reply: server.dirty, keyspace events and
// what is propagated (Redis's AOF against our Propagator).
type effects struct {
	t       *testing.T
	h       *enginetest.Harness
	o       *enginetest.Oracle
	sub     net.Conn
	subR    *resp.ReplyReader
	aofPath string
	aofOff  int64
	events  []string
	props   []string
}

type recorder struct{ e *effects }

func (r recorder) Propagate(db int, args [][]byte) { r.e.props = append(r.e.props, join(args)) }

func join(args [][]byte) string {
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = string(a)
	}
	return strings.Join(parts, " ")
}

func newEffects(t *testing.T) *effects {
	h := enginetest.New(t, families()...)
	h.RealClock()
	o := enginetest.NewOracle(t, redistest.WithArgs("--appendonly", "yes", "--appendfsync", "always",
		"--notify-keyspace-events", "KEA"))
	e := &effects{t: t, h: h, o: o}
	h.E.Set.NotifyKeyspaceEvent, _ = engine.ParseNotifyFlags("KEA")
	h.E.NotifyHook = func(class int, event string, key []byte, db int) {
		e.events = append(e.events, event+" "+string(key))
	}
	h.E.SetPropagator(recorder{e})
	conn, err := net.DialTimeout("tcp", o.Srv.Addr, 5*time.Second)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	e.sub, e.subR = conn, resp.NewReplyReader(conn)
	e.subDo("PSUBSCRIBE", "__keyevent@0__:*")
	e.aofPath = filepath.Join(o.Srv.Dir, "appendonlydir", "appendonly.aof.1.incr.aof")
	e.redisProps()
	return e
}

func (e *effects) subDo(args ...string) resp.Value {
	b := make([][]byte, len(args))
	for i, a := range args {
		b[i] = []byte(a)
	}
	_ = e.sub.SetDeadline(time.Now().Add(5 * time.Second))
	_, err := e.sub.Write(resp.AppendCommand(nil, b...))
	require.NoError(e.t, err)
	v, err := e.subR.ReadValue()
	require.NoError(e.t, err)
	return v
}

func (e *effects) redisEvents() []string {
	_ = e.sub.SetDeadline(time.Now().Add(5 * time.Second))
	_, err := e.sub.Write(resp.AppendCommand(nil, []byte("PING")))
	require.NoError(e.t, err)
	var out []string
	for {
		v, err := e.subR.ReadValue()
		require.NoError(e.t, err)
		if len(v.Elems) == 2 && string(v.Elems[0].Str) == "pong" {
			return out
		}
		require.Len(e.t, v.Elems, 4, v.String())
		ch := string(v.Elems[2].Str)
		out = append(out, ch[strings.LastIndexByte(ch, ':')+1:]+" "+string(v.Elems[3].Str))
	}
}

func (e *effects) redisProps() []string {
	data, err := os.ReadFile(e.aofPath)
	require.NoError(e.t, err)
	data = data[e.aofOff:]
	e.aofOff += int64(len(data))
	r := resp.NewReader(bytes.NewReader(data))
	var out []string
	for {
		args, err := r.ReadCommand(nil)
		if err != nil {
			break
		}
		if strings.EqualFold(string(args[0]), "select") {
			continue
		}
		out = append(out, join(args))
	}
	return out
}

func (e *effects) redisDirty() int64 {
	sc := bufio.NewScanner(bytes.NewReader(e.o.Do("INFO", "persistence").Str))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "rdb_changes_since_last_save:"); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	e.t.Fatal("no rdb_changes_since_last_save in INFO")
	return 0
}

// absTime matches a 13-digit unix ms time near now: the absolute TTL RESTORE propagates
// differs by the milliseconds between the two servers.
var absTime = regexp.MustCompile(`\b1[0-9]{12}\b`)

func (e *effects) do(args ...string) {
	e.t.Helper()
	d0, o0 := e.redisDirty(), e.h.E.Dirty
	e.events, e.props = nil, nil
	want, got := e.o.Do(args...).String(), e.h.Do(args...).String()
	line := short(args)
	require.Equal(e.t, want, got, "reply of %s", line)
	require.Equal(e.t, e.redisDirty()-d0, e.h.E.Dirty-o0, "dirty of %s", line)
	require.Equal(e.t, e.redisEvents(), e.events, "events of %s", line)
	norm := func(ss []string) []string {
		out := make([]string, len(ss))
		for i, s := range ss {
			out[i] = absTime.ReplaceAllStringFunc(s, func(m string) string {
				v, _ := strconv.ParseInt(m, 10, 64)
				if d := v - time.Now().UnixMilli(); d > -600_000 && d < 600_000 {
					return "<now" + strconv.FormatInt((d+30_000)/60_000, 10) + "m>"
				}
				return m
			})
		}
		return out
	}
	require.Equal(e.t, norm(e.redisProps()), norm(e.props), "propagation of %s", line)
}

// TestRestoreEffectsAgainstRedis: dirty counts, keyspace events ("restore", "del" when an
// expired REPLACE deletes) and propagation (relative TTL rewritten to an absolute one with
// ABSTTL; an expired REPLACE propagated as DEL).
func TestRestoreEffectsAgainstRedis(t *testing.T) {
	e := newEffects(t)
	e.do("SET", "s", "value")
	pl := string(e.h.Do("DUMP", "s").Str)
	past := strconv.FormatInt(time.Now().Add(-time.Hour).UnixMilli(), 10)
	future := strconv.FormatInt(time.Now().Add(time.Hour).UnixMilli(), 10)
	e.do("DUMP", "s")
	e.do("DUMP", "nokey")
	e.do("RESTORE", "a", "0", pl)
	e.do("RESTORE", "a", "0", pl)
	e.do("RESTORE", "a", "0", pl, "REPLACE")
	e.do("RESTORE", "b", "300000", pl)
	e.do("RESTORE", "b", "300000", pl, "REPLACE", "IDLETIME", "10")
	e.do("RESTORE", "c", future, pl, "ABSTTL")
	e.do("RESTORE", "d", past, pl, "ABSTTL")
	e.do("RESTORE", "a", past, pl, "ABSTTL", "REPLACE")
	e.do("RESTORE", "nokey", past, pl, "ABSTTL", "REPLACE")
	e.do("RESTORE", "f", "0", "junk")
	e.do("RESTORE", "c", "0", pl, "FREQ", "3", "REPLACE")
}
