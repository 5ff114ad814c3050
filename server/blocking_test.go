package server

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBlockingConcurrent has many connections blocked in BLPOP/BLMOVE/BZPOPMIN while
// others push: every element is delivered exactly once, the queues end empty, and no
// client stays blocked (run it with -race: serving writes another connection's reply
// under the lock while that connection waits without it).
func TestBlockingConcurrent(t *testing.T) {
	s := startServer(t)
	const consumers, perConsumer = 8, 25
	var wg sync.WaitGroup
	got := make(chan string, consumers*perConsumer)
	for i := 0; i < consumers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			c := dial(t, s.addr)
			for j := 0; j < perConsumer; j++ {
				var v string
				switch (i + j) % 3 {
				case 0:
					r := c.do("BLPOP", "q", "5")
					if len(r.Elems) == 2 {
						v = string(r.Elems[1].Str)
					}
				case 1:
					r := c.do("BLMOVE", "q", "moved:"+strconv.Itoa(i), "RIGHT", "LEFT", "5")
					v = string(r.Str)
					c.do("LPOP", "moved:"+strconv.Itoa(i))
				default:
					r := c.do("BZPOPMIN", "z", "5")
					if len(r.Elems) == 3 {
						v = string(r.Elems[1].Str)
					}
				}
				got <- v
			}
		}(i)
	}
	p := dial(t, s.addr)
	var want []string
	// Enough list and zset elements for every consumer pattern.
	nList, nZ := 0, 0
	for i := 0; i < consumers; i++ {
		for j := 0; j < perConsumer; j++ {
			if (i+j)%3 == 2 {
				nZ++
			} else {
				nList++
			}
		}
	}
	for k := 0; k < nList; k++ {
		v := fmt.Sprintf("l%03d", k)
		want = append(want, v)
		p.do("RPUSH", "q", v)
	}
	for k := 0; k < nZ; k++ {
		v := fmt.Sprintf("z%03d", k)
		want = append(want, v)
		p.do("ZADD", "z", strconv.Itoa(k), v)
	}
	wg.Wait()
	close(got)
	var all []string
	for v := range got {
		all = append(all, v)
	}
	sort.Strings(all)
	sort.Strings(want)
	assert.Equal(t, want, all)
	assert.Equal(t, "(integer) 0", p.str("EXISTS", "q", "z"))
	s.eng.Lock()
	assert.Equal(t, 0, s.eng.NumBlocked())
	assert.Equal(t, 0, s.eng.NumBlockingKeys())
	s.eng.Unlock()
	assert.Contains(t, p.str("INFO", "clients"), "blocked_clients:0")
}

// TestBlockingLifecycle covers the server side of a blocked client: the b flag and
// blocked_clients while it waits, its timeout, CLIENT UNBLOCK in both forms, commands
// pipelined behind it, and a hang-up that leaves the queues.
func TestBlockingLifecycle(t *testing.T) {
	s := startServer(t)
	a, m := dial(t, s.addr), dial(t, s.addr)
	aid := a.str("CLIENT", "ID")
	aid = strings.TrimPrefix(aid, "(integer) ")

	a.send("*3\r\n$5\r\nBLPOP\r\n$1\r\nk\r\n$1\r\n0\r\n*1\r\n$4\r\nPING\r\n")
	waitFor(t, "a blocked", func() bool { return strings.Contains(m.str("INFO", "clients"), "blocked_clients:1") })
	assert.Contains(t, m.str("CLIENT", "LIST", "ID", aid), "flags=b ")
	assert.Equal(t, "(integer) 1", m.str("RPUSH", "k", "v"))
	assert.Equal(t, `1) "k"`+"\n"+`2) "v"`, a.read().String())
	assert.Equal(t, "PONG", a.read().String())
	assert.NotContains(t, m.str("CLIENT", "LIST", "ID", aid), "flags=b ")

	start := time.Now()
	assert.True(t, a.do("BLPOP", "k", "0.05").IsNull())
	assert.GreaterOrEqual(t, time.Since(start), 45*time.Millisecond)

	a.send("*3\r\n$8\r\nBZPOPMIN\r\n$1\r\nz\r\n$1\r\n0\r\n")
	waitFor(t, "a blocked", func() bool { return strings.Contains(m.str("INFO", "clients"), "blocked_clients:1") })
	assert.Equal(t, "(integer) 1", m.str("CLIENT", "UNBLOCK", aid))
	assert.True(t, a.read().IsNull())
	assert.Equal(t, "(integer) 0", m.str("CLIENT", "UNBLOCK", aid))

	a.send("*6\r\n$5\r\nXREAD\r\n$5\r\nBLOCK\r\n$1\r\n0\r\n$7\r\nSTREAMS\r\n$1\r\ns\r\n$1\r\n$\r\n")
	waitFor(t, "a blocked", func() bool { return strings.Contains(m.str("INFO", "clients"), "blocked_clients:1") })
	assert.Equal(t, "(integer) 1", m.str("CLIENT", "UNBLOCK", aid, "ERROR"))
	assert.Equal(t, "(error) UNBLOCKED client unblocked via CLIENT UNBLOCK", a.read().String())

	// A client that hangs up while blocked leaves the queue: the next one is served.
	b := dial(t, s.addr)
	a.send("*3\r\n$5\r\nBLPOP\r\n$4\r\ngone\r\n$1\r\n0\r\n")
	waitFor(t, "a blocked", func() bool { return strings.Contains(m.str("INFO", "clients"), "blocked_clients:1") })
	b.send("*3\r\n$5\r\nBLPOP\r\n$4\r\ngone\r\n$1\r\n0\r\n")
	waitFor(t, "b blocked", func() bool { return strings.Contains(m.str("INFO", "clients"), "blocked_clients:2") })
	a.nc.Close()
	waitFor(t, "a dropped", func() bool { return strings.Contains(m.str("INFO", "clients"), "blocked_clients:1") })
	assert.Equal(t, "(integer) 1", m.str("RPUSH", "gone", "x"))
	require.Equal(t, `1) "gone"`+"\n"+`2) "x"`, b.read().String())
	assert.Equal(t, "(integer) 0", m.str("EXISTS", "gone"))
}
