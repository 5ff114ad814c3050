package tzset_test

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
	"github.com/redisctl/redisctl/engine/tset"
	"github.com/redisctl/redisctl/engine/tstring"
	"github.com/redisctl/redisctl/engine/tzset"
	"github.com/redisctl/redisctl/internal/redistest"
	"github.com/redisctl/redisctl/resp"
	"github.com/stretchr/testify/require"
)

// effects compares what a command does beyond its reply: server.dirty (INFO's
// rdb_changes_since_last_save against Engine.Dirty), the keyspace events (a PSUBSCRIBE
// connection against NotifyHook) and what is propagated (Redis's AOF against our
// Propagator).
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

func (r recorder) Propagate(db int, args [][]byte) {
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = string(a)
	}
	r.e.props = append(r.e.props, strings.Join(parts, " "))
}

func newEffects(t *testing.T) *effects {
	h := enginetest.New(t, tzset.Commands(), tstring.Commands(), tset.Commands())
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

// redisEvents reads the events published since the last call: a PING on the subscriber
// connection answers after every message queued before it.
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
		out = append(out, ch[strings.LastIndexByte(ch, 0x3a)+1:]+" "+string(v.Elems[3].Str))
	}
}

// redisProps parses the commands appended to the AOF since the last call (SELECT aside).
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
		parts := make([]string, len(args))
		for i, a := range args {
			parts[i] = string(a)
		}
		if strings.EqualFold(parts[0], "select") {
			continue
		}
		out = append(out, strings.Join(parts, " "))
	}
	return out
}

func (e *effects) redisDirty() int64 {
	info := string(e.o.Do("INFO", "persistence").Str)
	sc := bufio.NewScanner(strings.NewReader(info))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "rdb_changes_since_last_save:"); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	e.t.Fatal("no rdb_changes_since_last_save in INFO")
	return 0
}

func (e *effects) run(script string) {
	e.t.Helper()
	for _, line := range strings.Split(script, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		args, err := config.SplitArgs(line)
		require.NoError(e.t, err)
		d0, o0 := e.redisDirty(), e.h.E.Dirty
		e.events, e.props = nil, nil
		want, got := e.o.Do(args...).String(), e.h.Do(args...).String()
		require.Equal(e.t, want, got, "reply of %s", line)
		require.Equal(e.t, e.redisDirty()-d0, e.h.E.Dirty-o0, "dirty of %s", line)
		require.Equal(e.t, e.redisEvents(), e.events, "events of %s", line)
		require.Equal(e.t, e.redisProps(), e.props, "propagation of %s", line)
	}
}

func TestEffectsAgainstRedis(t *testing.T) {
	e := newEffects(t)
	e.redisProps() // skip what the server wrote at start
	script := `
ZADD z 1 a 2 b 3 c
ZADD z 1 a
ZADD z CH 5 a 2 b
ZADD z NX 9 a
ZADD z XX 9 nope
ZADD z INCR 1 a
ZADD z XX INCR 1 nope
ZINCRBY z 1 b
ZINCRBY z 0 b
ZADD z 1 x y
ZREM z nope
ZREM z a nope
ZREM z b c x
ZADD z 1 a 2 b 3 c 4 d 5 e 6 f
ZREMRANGEBYRANK z 0 0
ZREMRANGEBYRANK z 10 20
ZREMRANGEBYSCORE z 3 4
ZREMRANGEBYLEX z [a [a
ZREMRANGEBYSCORE z -inf +inf
ZADD z 1 a 2 b 3 c 4 d 5 e 6 f
ZPOPMIN z
ZPOPMAX z 2
ZPOPMIN z 0
ZPOPMIN nokey
ZMPOP 1 z MIN COUNT 10
ZMPOP 1 z MIN
ZADD z 1 a 2 b 3 c
ZMPOP 2 nokey z MAX COUNT 2
ZPOPMAX z 5
ZADD src 1 a 2 b 3 c 4 d
ZRANGESTORE dst src 0 1
ZRANGESTORE dst src 10 20
ZRANGESTORE dst src 10 20
ZRANGESTORE dst src (1 +inf BYSCORE LIMIT 0 2
ZUNIONSTORE dst 1 src
ZINTERSTORE dst 2 src nokey
ZINTERSTORE dst 2 src nokey
ZDIFFSTORE dst 1 src
ZADD src2 1 b 5 x
ZDIFFSTORE dst 2 src src2
ZUNIONSTORE dst 2 src src2 WEIGHTS 1 2
SADD set 1 2 3
ZINTERSTORE dst 2 src set
ZRANGE src 0 -1
ZSCORE src a
ZCOUNT src 0 10
ZUNION 2 src src2
ZINTERCARD 2 src src2
ZREM src a b c d
ZADD src 1 a
SET str x
ZADD str 1 a
ZRANGESTORE str src 0 -1
ZUNIONSTORE str 1 src
DBSIZE
`
	e.run(script)
	// Skiplist encoding.
	e.o.Do("CONFIG", "SET", "zset-max-listpack-entries", "0")
	e.h.E.Set.ZSetMaxListpackEntries = 0
	e.run("FLUSHALL")
	e.run(script)
}
