package tstream_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/config"
	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/engine/tstream"
	"github.com/redisctl/redisctl/engine/tstring"
	"github.com/redisctl/redisctl/internal/redistest"
	"github.com/redisctl/redisctl/resp"
)

type recorder struct{ cmds []string }

func (r *recorder) Propagate(db int, args [][]byte) {
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = string(a)
	}
	r.cmds = append(r.cmds, strings.Join(parts, " "))
}

// effectsScript exercises every command's side effects: what is propagated, which
// keyspace events fire, how much the dirty counter moves.
const effectsScript = `
XADD s 1-1 a 1
XADD s * a 2
XADD s 99999999999999-* a 3
XADD s 99999999999999-* a 3
XADD s 1-1 a 1
XADD s NOMKSTREAM 99999999999999-5 a 1
XADD nokey NOMKSTREAM * a 1
XADD s MAXLEN 2 99999999999999-9 a 4
XADD s MAXLEN = 2 99999999999999-10 a 4
XADD s MAXLEN ~ 1 99999999999999-11 a 4
XADD s MAXLEN ~ 1 LIMIT 5 99999999999999-12 a 4
XADD s MINID ~ 99999999999999-12 99999999999999-13 a 4
XADD s MINID = 99999999999999-12 99999999999999-14 a 4
XTRIM s MAXLEN 2
XTRIM s MAXLEN 2
XTRIM s MAXLEN ~ 0
XTRIM s MINID 99999999999999-14
XDEL s 99999999999999-14 1-1
XDEL s 1-1
XADD b 1-1 a 1
XADD b 1-2 a 1
XADD b 1-3 a 1
XADD b 1-4 a 1
XADD b 1-5 a 1
XGROUP CREATE b g 0
XGROUP CREATE b g 0
XGROUP CREATE b g2 $ ENTRIESREAD 5
XGROUP CREATE mk g $ MKSTREAM
XGROUP CREATECONSUMER b g c0
XGROUP CREATECONSUMER b g c0
XREADGROUP GROUP g c1 COUNT 2 STREAMS b >
XREADGROUP GROUP g c1 STREAMS b >
XREADGROUP GROUP g c2 STREAMS b >
XREADGROUP GROUP g c1 STREAMS b 0
XREADGROUP GROUP g2 c3 NOACK STREAMS b 0
XGROUP SETID b g2 0
XREADGROUP GROUP g2 c3 NOACK COUNT 2 STREAMS b >
XREADGROUP GROUP g2 c9 NOACK STREAMS b >
XREADGROUP GROUP g2 c3 NOACK STREAMS b >
XACK b g 1-1 1-2
XACK b g 1-1
XCLAIM b g c4 0 1-3
XCLAIM b g c4 0 1-4 JUSTID
XCLAIM b g c4 0 9-9
XCLAIM b g c5 0 1-5 IDLE 1000 RETRYCOUNT 3 LASTID 1-9
XCLAIM b g c5 0 1-9 LASTID 2-0
XDEL b 1-3
XCLAIM b g c5 0 1-3
XAUTOCLAIM b g c6 0 0 COUNT 1
XAUTOCLAIM b g c6 0 0
XAUTOCLAIM b g c7 100000 0
XGROUP DELCONSUMER b g c6
XGROUP DELCONSUMER b g c6
XGROUP SETID b g $
XGROUP SETID b g 1-1 ENTRIESREAD 3
XGROUP DESTROY b g2
XGROUP DESTROY b g2
XSETID b 5-5
XSETID b 5-5 ENTRIESADDED 10 MAXDELETEDID 1-3
XINFO STREAM b
XLEN b
XRANGE b - +
MULTI
XADD m 1-1 a 1
XADD m * a 1
XREAD BLOCK 0 STREAMS m $
XGROUP CREATE m g 0
XREADGROUP GROUP g c BLOCK 0 STREAMS m >
EXEC
XTRIM nokey MAXLEN 0
XDEL s 1-1
`

var (
	reTime = regexp.MustCompile(`\b1[0-9]{12}\b`)
	reGen  = regexp.MustCompile(`\b1[0-9]{12}-[0-9]+\b`)
)

func normalize(s string) string {
	s = reGen.ReplaceAllString(s, "<ID>")
	return reTime.ReplaceAllString(s, "<T>")
}

func dirtyOf(o *enginetest.Oracle) int64 {
	v := o.Do("INFO", "persistence")
	for _, l := range strings.Split(string(v.Str), "\r\n") {
		if s, ok := strings.CutPrefix(l, "rdb_changes_since_last_save:"); ok {
			n, _ := strconv.ParseInt(s, 10, 64)
			return n
		}
	}
	return -1
}

// TestEffectsAgainstRedis compares what Redis writes to its AOF, the keyspace events it
// publishes and its dirty counter with what the engine propagates, notifies and counts.
func TestEffectsAgainstRedis(t *testing.T) {
	h := enginetest.New(t, tstream.Commands(), tstring.Commands())
	h.RealClock()
	rec := &recorder{}
	var events []string
	h.E.Lock()
	h.E.SetPropagator(rec)
	flags, _ := engine.ParseNotifyFlags("KEA")
	h.E.Set.NotifyKeyspaceEvent = flags
	h.E.NotifyHook = func(class int, event string, key []byte, dbid int) {
		events = append(events, event+" "+string(key))
	}
	h.E.Unlock()

	o := enginetest.NewOracle(t, redistest.WithArgs("--appendonly", "yes", "--appendfsync", "always",
		"--notify-keyspace-events", "KEA"))
	ctx := context.Background()
	sub := o.Srv.Client().PSubscribe(ctx, "__keyevent@0__:*")
	defer sub.Close()
	if _, err := sub.Receive(ctx); err != nil {
		t.Fatal(err)
	}
	msgs := sub.Channel()

	inMulti := false
	var multiD, multiE int64
	for _, line := range strings.Split(effectsScript, "\n") {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		args, err := config.SplitArgs(line)
		if err != nil {
			t.Fatal(err)
		}
		if strings.EqualFold(args[0], "multi") {
			multiD = dirtyOf(o)
			h.E.Lock()
			multiE = h.E.Dirty
			h.E.Unlock()
			inMulti = true
		}
		if inMulti {
			want, got := o.Do(args...), h.Do(args...)
			if normalize(want.String()) != normalize(got.String()) {
				t.Errorf("%s\n  redis:    %s\n  redisctl: %s", line, want.String(), got.String())
			}
			if strings.EqualFold(args[0], "exec") {
				inMulti = false
				h.E.Lock()
				e1 := h.E.Dirty
				h.E.Unlock()
				if d := dirtyOf(o) - multiD; d != e1-multiE {
					t.Errorf("MULTI…EXEC: dirty +%d in redis, +%d here", d, e1-multiE)
				}
			}
			continue
		}
		d0 := dirtyOf(o)
		h.E.Lock()
		e0 := h.E.Dirty
		h.E.Unlock()
		want, got := o.Do(args...), h.Do(args...)
		if normalize(want.String()) != normalize(got.String()) {
			t.Errorf("%s\n  redis:    %s\n  redisctl: %s", line, want.String(), got.String())
		}
		d1 := dirtyOf(o)
		h.E.Lock()
		e1 := h.E.Dirty
		h.E.Unlock()
		if d1-d0 != e1-e0 {
			t.Errorf("%s: dirty +%d in redis, +%d here", line, d1-d0, e1-e0)
		}
	}
	o.Do("PUBLISH", "__keyevent@0__:zz-end", "end")
	var redisEvents []string
	timeout := time.After(5 * time.Second)
collect:
	for {
		select {
		case m := <-msgs:
			ev := strings.TrimPrefix(m.Channel, "__keyevent@0__:")
			if ev == "zz-end" {
				break collect
			}
			redisEvents = append(redisEvents, ev+" "+m.Payload)
		case <-timeout:
			t.Fatal("timed out waiting for keyspace events")
		}
	}
	if strings.Join(redisEvents, "\n") != strings.Join(events, "\n") {
		t.Errorf("keyspace events differ\nredis:\n  %s\nredisctl:\n  %s",
			strings.Join(redisEvents, "\n  "), strings.Join(events, "\n  "))
	}

	aof, err := os.ReadFile(filepath.Join(o.Srv.Dir, "appendonlydir", "appendonly.aof.1.incr.aof"))
	if err != nil {
		t.Fatal(err)
	}
	var redisProp []string
	cr := resp.NewCommandReader(strings.NewReader(string(aof)))
	for cr.Next() {
		if cr.Annotation() != nil {
			continue
		}
		parts := make([]string, 0, len(cr.Args()))
		for _, a := range cr.Args() {
			parts = append(parts, string(a))
		}
		if strings.EqualFold(parts[0], "select") {
			continue
		}
		redisProp = append(redisProp, normalize(strings.Join(parts, " ")))
	}
	if err := cr.Err(); err != nil {
		t.Fatal(err)
	}
	ours := make([]string, len(rec.cmds))
	for i, c := range rec.cmds {
		ours[i] = normalize(c)
	}
	t.Logf("%d propagated commands, %d events compared", len(redisProp), len(redisEvents))
	if strings.Join(redisProp, "\n") != strings.Join(ours, "\n") {
		t.Errorf("propagation differs\nredis:\n  %s\nredisctl:\n  %s",
			strings.Join(redisProp, "\n  "), strings.Join(ours, "\n  "))
	}
}
