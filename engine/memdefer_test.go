package engine_test

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Big containers (whose measure is deferred until a total is read) stay exactly counted
// through writes, deletes, renames, moves, SWAPDB and FLUSHDB: after each command the
// running total equals a full recount, and used_memory equals what it was when every key
// was measured after every command.
func TestMemoryAccountingDeferredContainers(t *testing.T) {
	h := newEvictHarness(t)
	r := rand.New(rand.NewPCG(3, 4))
	key := func() string { return "big" + strconv.Itoa(r.IntN(6)) }
	member := func() string { return "m:" + strconv.Itoa(r.IntN(3000)) + strings.Repeat("x", r.IntN(30)) }
	fill := func(cmd, k string, n int) []string {
		args := []string{cmd, k}
		for i := 0; i < n; i++ {
			if cmd == "ZADD" {
				args = append(args, strconv.Itoa(i))
			}
			args = append(args, member())
		}
		return args
	}
	for _, k := range []string{"big0", "big1", "big2", "big3"} {
		h.Do(fill("RPUSH", k, 2000)...)
	}
	cmds := []func() []string{
		func() []string { return fill("RPUSH", key(), 300) },
		func() []string { return fill("SADD", key(), 300) },
		func() []string { return fill("ZADD", key(), 300) },
		func() []string { return fill("HMSET", key(), 300) },
		func() []string { return []string{"FLUSHDB"} },
		func() []string { return []string{"HSET", key(), member(), member()} },
		func() []string { return []string{"HDEL", key(), member()} },
		func() []string { return []string{"SADD", key(), member()} },
		func() []string { return []string{"SREM", key(), member()} },
		func() []string { return []string{"ZADD", key(), strconv.Itoa(r.IntN(100)), member()} },
		func() []string { return []string{"LPUSH", key(), member()} },
		func() []string { return []string{"RPOP", key(), "3"} },
		func() []string { return []string{"LSET", key(), "5", member()} },
		func() []string { return []string{"LTRIM", key(), "0", strconv.Itoa(1500 + r.IntN(600))} },
		func() []string { return []string{"RENAME", key(), key()} },
		func() []string { return []string{"COPY", key(), key(), "REPLACE"} },
		func() []string { return []string{"MOVE", key(), "1"} },
		func() []string { return []string{"SWAPDB", "0", "1"} },
		func() []string { return []string{"SET", key(), "v"} },
		func() []string { return []string{"DEL", key()} },
	}
	for i := 0; i < 4000; i++ {
		c := cmds[r.IntN(len(cmds))]()
		if (c[0] == "DEL" || c[0] == "FLUSHDB") && r.IntN(4) != 0 {
			continue // keep the containers big most of the time
		}
		h.Do(c...)
		if i%50 == 0 {
			checkRecount(t, h)
		}
	}
	checkRecount(t, h)
	h.Do("FLUSHALL")
	h.E.Lock()
	counted, _ := h.E.RecountMemory()
	h.E.Unlock()
	require.Zero(t, counted)
}
