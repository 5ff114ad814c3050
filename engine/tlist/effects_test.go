package tlist_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/config"
	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/engine/tlist"
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
// keyspace events fire, in what order.
const effectsScript = `
LPUSH l a b c
RPUSH l d 1 2
LPUSHX l x
RPUSHX l y
LPUSHX nokey x
LPOP l
RPOP l
LPOP l 2
RPOP l 0
LPOP nokey 3
LSET l 0 z
LSET l 99 z
LINSERT l BEFORE z w
LINSERT l AFTER nothere w
LREM l 0 w
LREM l 0 nothere
LTRIM l 0 1
LTRIM l 0 -1
RPUSH src a b c
RPOPLPUSH src dst
LMOVE src dst LEFT RIGHT
LMOVE src src LEFT RIGHT
LMOVE src dst LEFT LEFT
LMOVE src dst LEFT LEFT
RPUSH m a b c
LMPOP 2 nokey m LEFT COUNT 2
LMPOP 1 m RIGHT COUNT 5
LMPOP 1 m RIGHT
RPUSH t a b c
LTRIM t 5 10
RPUSH r a a a
LREM r 0 a
MULTI
RPUSH q 1 2 3
LMPOP 1 q LEFT COUNT 2
RPOP q
EXEC
SET s v
LPUSH s x
LMPOP 1 s LEFT
`

// TestEffectsAgainstRedis compares what Redis writes to its AOF and the keyspace events
// it publishes with what the engine propagates and notifies.
func TestEffectsAgainstRedis(t *testing.T) {
	h := enginetest.New(t, tlist.Commands(), tstring.Commands())
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

	for _, line := range strings.Split(effectsScript, "\n") {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		args, err := config.SplitArgs(line)
		if err != nil {
			t.Fatal(err)
		}
		want, got := o.Do(args...), h.Do(args...)
		if want.String() != got.String() {
			t.Errorf("%s\n  redis:    %s\n  redisctl: %s", line, want.String(), got.String())
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
		redisProp = append(redisProp, strings.Join(parts, " "))
	}
	if err := cr.Err(); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d propagated commands, %d events compared", len(redisProp), len(redisEvents))
	if strings.Join(redisProp, "\n") != strings.Join(rec.cmds, "\n") {
		t.Errorf("propagation differs\nredis:\n  %s\nredisctl:\n  %s",
			strings.Join(redisProp, "\n  "), strings.Join(rec.cmds, "\n  "))
	}
}
