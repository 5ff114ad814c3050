package server

import (
	"bytes"
	"io"
	"net"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/redisctl/redisctl/internal/redistest"
	"github.com/redisctl/redisctl/resp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// looped counts the connections the event loop serves.
func (s *testServer) looped() int {
	s.ev.mu.Lock()
	defer s.ev.mu.Unlock()
	return s.ev.count
}

// listeners counts the listening sockets the event loop accepts for.
func (s *testServer) listeners() int {
	s.ev.mu.Lock()
	defer s.ev.mu.Unlock()
	return len(s.ev.lns)
}

func TestEventLoopServesPlainConnections(t *testing.T) {
	s := startServer(t)
	require.NotNil(t, s.ev, "the event loop did not start (no epoll or eventfd?)")
	c := dial(t, s.addr)
	assert.Equal(t, "PONG", c.str("PING"))
	assert.Equal(t, 1, s.looped())
	c.nc.Close()
	waitFor(t, "the closed connection to leave the loop", func() bool { return s.looped() == 0 })
}

// A command split over several writes, and a pipeline far bigger than the read buffer
// (its turn does not drain the socket, so the loop comes back without a new edge).
func TestEventLoopPartialAndLongPipelines(t *testing.T) {
	s := startServer(t)
	c := dial(t, s.addr)
	req := string(resp.AppendCommandString(nil, "SET", "k", strings.Repeat("v", 1000)))
	for i := 0; i < len(req); i += 7 {
		c.send(req[i:min(i+7, len(req))])
		time.Sleep(time.Millisecond)
	}
	assert.Equal(t, "OK", c.read().String())

	const n = 20000
	go func() {
		_, _ = c.nc.Write(bytes.Repeat(resp.AppendCommandString(nil, "INCR", "n"), n))
	}()
	for i := 1; i <= n; i++ {
		v := c.read()
		if !assert.Equal(t, int64(i), v.Int, "reply %d", i) {
			return
		}
	}
	assert.Equal(t, 1, s.looped())
}

// Replies bigger than the socket's send buffer, to a client that reads late: the loop
// must not wait for it (another client is served meanwhile), and no byte is lost.
func TestEventLoopSlowReaderLeavesTheLoop(t *testing.T) {
	s := startServer(t)
	slow := dial(t, s.addr)
	big := strings.Repeat("x", 4<<20)
	assert.Equal(t, "OK", slow.str("SET", "big", big))
	slow.send(strings.Repeat(string(resp.AppendCommandString(nil, "GET", "big")), 8))
	other := dial(t, s.addr)
	waitFor(t, "the slow reader to leave the loop", func() bool { return s.looped() == 1 })
	start := time.Now()
	assert.Equal(t, "PONG", other.str("PING"))
	assert.Less(t, time.Since(start), 2*time.Second)
	for i := 0; i < 8; i++ {
		v := slow.read()
		require.Equal(t, len(big), len(v.Str), "reply %d", i)
	}
	assert.Equal(t, "PONG", slow.str("PING"))
}

// A blocking command hands its connection to a goroutine of its own, which gets the
// reply when another client pushes, and goes on serving.
func TestEventLoopBlockingCommand(t *testing.T) {
	s := startServer(t)
	a := dial(t, s.addr)
	b := dial(t, s.addr)
	assert.Equal(t, "PONG", a.str("PING"))
	a.send(string(resp.AppendCommandString(nil, "BLPOP", "q", "5")))
	waitFor(t, "the blocked client to leave the loop", func() bool { return s.looped() == 1 })
	assert.Equal(t, "(integer) 1", b.str("RPUSH", "q", "x"))
	assert.Equal(t, "1) \"q\"\n2) \"x\"", a.read().String())
	assert.Equal(t, "PONG", a.str("PING"))
}

// A script runs on its connection's goroutine, so the loop answers BUSY meanwhile.
func TestEventLoopBusyScript(t *testing.T) {
	s := startServer(t, "--busy-reply-threshold", "100")
	a := dial(t, s.addr)
	b := dial(t, s.addr)
	assert.Equal(t, "PONG", b.str("PING"))
	a.send(string(resp.AppendCommandString(nil, "EVAL", "local function now() local t = redis.call('TIME') return t[1] * 1000000 + t[2] end local e = now() + 800000 while now() < e do end return 1", "0")))
	time.Sleep(300 * time.Millisecond)
	v := b.do("PING")
	assert.True(t, strings.HasPrefix(v.String(), "(error) BUSY"), "got %s", v.String())
	assert.Equal(t, "(integer) 1", a.read().String())
	assert.Equal(t, "PONG", b.str("PING"))
}

// A client killed by another one while the loop serves it is torn down by the loop.
func TestEventLoopClientKill(t *testing.T) {
	s := startServer(t)
	a := dial(t, s.addr)
	b := dial(t, s.addr)
	id := a.do("CLIENT", "ID").Int
	assert.Equal(t, "(integer) 1", b.str("CLIENT", "KILL", "ID", itoa(id)))
	_ = a.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err := a.nc.Read(make([]byte, 1))
	assert.ErrorIs(t, err, io.EOF)
	waitFor(t, "the killed client to leave the loop", func() bool { return s.looped() == 1 })
}

// A script behind another command in one pipeline also leaves the loop before it runs,
// so the loop answers BUSY to others meanwhile.
func TestEventLoopPipelinedScriptLeaves(t *testing.T) {
	s := startServer(t, "--busy-reply-threshold", "100")
	a := dial(t, s.addr)
	b := dial(t, s.addr)
	assert.Equal(t, "PONG", b.str("PING"))
	a.send(string(resp.AppendCommandString(nil, "PING")) + string(resp.AppendCommandString(nil, "EVAL", "local function now() local t = redis.call('TIME') return t[1] * 1000000 + t[2] end local e = now() + 800000 while now() < e do end return 1", "0")))
	assert.Equal(t, "PONG", a.read().String())
	time.Sleep(300 * time.Millisecond)
	v := b.do("PING")
	assert.True(t, strings.HasPrefix(v.String(), "(error) BUSY"), "got %s", v.String())
	assert.Equal(t, "(integer) 1", a.read().String())
	assert.Equal(t, 1, s.looped(), "a left the loop, b is still in it")
}

// The loop blocks in epoll_pwait, off Go's netpoller: Close must wake it (its eventfd),
// and the loop's descriptors are closed once it has returned.
func TestEventLoopCloseWakesTheBlockedLoop(t *testing.T) {
	s := startServer(t)
	c := dial(t, s.addr)
	assert.Equal(t, "PONG", c.str("PING"))
	c.nc.Close()
	waitFor(t, "the closed connection to leave the loop", func() bool { return s.looped() == 0 })
	time.Sleep(20 * time.Millisecond) // the loop is now in its blocking wait
	within(t, "Close did not return: the blocked loop was not woken", func() { s.Close() }, s.wakeLoop)
	s.ev.fdMu.Lock()
	defer s.ev.fdMu.Unlock()
	assert.False(t, s.ev.running, "the loop has returned")
	assert.False(t, s.ev.fdsOpen, "the loop's epoll instance and eventfd are closed")
}

// A loop stopped before it ran closes its descriptors, and run then returns at once.
func TestEventLoopStoppedBeforeRun(t *testing.T) {
	l := newEvLoop(nil)
	require.NotNil(t, l)
	l.stop()
	assert.False(t, l.fdsOpen)
	within(t, "run did not return after stop", l.run, nil)
}

// within runs f and fails the test if f has not returned after 10 s; unblock, if not
// nil, then lets f return before the test ends (its cleanup would wait for it).
func within(t *testing.T, what string, f func(), unblock func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { f(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		if unblock != nil {
			unblock()
			<-done
		}
		t.Fatal(what)
	}
}

// wakeLoop writes the loop's eventfd, as stop does.
func (s *testServer) wakeLoop() {
	one := uint64(1)
	_, _ = syscall.Write(s.ev.wakefd, (*[8]byte)(unsafe.Pointer(&one))[:])
}

// The events polled while a round runs (ready with late): a connection not yet in the
// round joins it; one it served already waits for the next round, once.
func TestEventLoopReadyLateEvents(t *testing.T) {
	served, fresh := &conn{looped: true}, &conn{looped: true}
	l := &evLoop{wakefd: 9, conns: []*conn{3: served, 4: fresh, 5: nil}, gen: 7,
		events: []syscall.EpollEvent{{Fd: 3}, {Fd: 4}, {Fd: 9}, {Fd: 5}, {Fd: 42}}, n: 5}
	served.evGen = 7

	work := l.ready(nil, true)
	assert.Equal(t, []*conn{fresh}, work)
	assert.Equal(t, []*conn{served}, l.again)
	assert.Equal(t, uint64(7), fresh.evGen)

	// Polled at the round's start, a connection already in it (from l.again) is not
	// queued again.
	l.again, fresh.evGen = nil, 0
	work = l.ready(nil, false)
	assert.Equal(t, []*conn{fresh}, work)
	assert.Empty(t, l.again)
}

// With one P the loop parks on pfd (on the netpoller, so that the connections on
// goroutines of their own are polled whenever it parks); it serves, and Close wakes it.
func TestEventLoopOnePParks(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	s := startServer(t)
	c := dial(t, s.addr)
	assert.Equal(t, "PONG", c.str("PING"))
	alone := dial(t, s.addr)
	assert.Equal(t, int64(1), alone.do("EVAL", "return 1", "0").Int) // leaves the loop
	for i := 0; i < 100; i++ {
		assert.Equal(t, "PONG", c.str("PING"))
		assert.Equal(t, "PONG", alone.str("PING"))
	}
	require.NotNil(t, s.ev.pf, "no epoll instance on the netpoller")
	waitFor(t, "the loop to nest its epoll instance", func() bool {
		assert.Equal(t, "PONG", c.str("PING")) // the loop checks at its next wait
		return s.ev.nested
	})
	c.nc.Close()
	alone.nc.Close()
	waitFor(t, "the closed connection to leave the loop", func() bool { return s.looped() == 0 })
	within(t, "Close did not return: the parked loop was not woken", func() { s.Close() }, s.wakeLoop)
}

// The loop accepts its listeners' clients itself (no accept goroutine): many at once, and
// on the new port after CONFIG SET port.
func TestEventLoopAccepts(t *testing.T) {
	s := startServer(t)
	assert.Equal(t, "PONG", dial(t, s.addr).str("PING"))
	assert.Equal(t, 1, s.listeners(), "the TCP listener is on the loop")

	const n = 50
	cs := make([]*rawClient, n)
	done := make(chan int, n)
	for i := range cs {
		go func() {
			cs[i] = dial(t, s.addr)
			done <- i
		}()
	}
	for range n {
		i := <-done
		assert.Equal(t, "PONG", cs[i].str("PING"))
	}
	assert.Equal(t, n+1, s.looped())
	for _, c := range cs {
		c.nc.Close()
	}
	waitFor(t, "the closed connections to leave the loop", func() bool { return s.looped() == 1 })

	port, err := redistest.FreePort()
	require.NoError(t, err)
	c := dial(t, s.addr)
	require.Equal(t, "OK", c.str("CONFIG", "SET", "port", strconv.Itoa(port)))
	moved := dial(t, net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	assert.Equal(t, "PONG", moved.str("PING"))
	assert.Equal(t, 3, s.looped(), "the old connections and the one on the new port")
	_, err = net.DialTimeout("tcp", s.addr, time.Second)
	assert.Error(t, err, "the old port is closed")
}

// A listener the loop gives up on (accept failing for want of descriptors) goes to an
// accept goroutine, and its clients are still served, in the loop.
func TestEventLoopAcceptGivesUp(t *testing.T) {
	s := startServer(t)
	assert.Equal(t, "PONG", dial(t, s.addr).str("PING"))
	require.Equal(t, 1, s.listeners())
	s.ev.giveUp(s.ev.lns[0])
	assert.Equal(t, 0, s.listeners())
	c := dial(t, s.addr)
	assert.Equal(t, "PONG", c.str("PING"))
	assert.Equal(t, 2, s.looped())
	within(t, "Close did not return", func() { s.Close() }, s.wakeLoop)
}

// A client the loop accepts is set up as Redis sets it up (TCP_NODELAY, keep-alive from
// tcp-keepalive as anetKeepAlive), and CLIENT INFO shows its addresses; so is one an
// accept goroutine takes (no event loop).
func TestEventLoopAcceptedSocket(t *testing.T) {
	t.Run("loop", func(t *testing.T) { testAcceptedSocket(t) })
	t.Run("goroutine", func(t *testing.T) {
		t.Setenv("REDISCTL_EVENT_LOOP", "0")
		testAcceptedSocket(t)
	})
}

func testAcceptedSocket(t *testing.T) {
	for _, ka := range []int{60, 0} {
		s := startServer(t, "--tcp-keepalive", strconv.Itoa(ka))
		c := dial(t, s.addr)
		info := c.str("CLIENT", "INFO")
		assert.Contains(t, info, "addr="+c.nc.LocalAddr().String()+" ")
		assert.Contains(t, info, "laddr="+s.addr+" ")
		fd := -1
		s.eng.Lock()
		for _, cn := range s.conns {
			if cn.addr == c.nc.LocalAddr().String() {
				fd = cn.fd
			}
		}
		s.eng.Unlock()
		require.GreaterOrEqual(t, fd, 0)
		opt := func(level, name int) int {
			v, err := syscall.GetsockoptInt(fd, level, name)
			require.NoError(t, err)
			return v
		}
		assert.Equal(t, 1, opt(syscall.IPPROTO_TCP, syscall.TCP_NODELAY))
		if ka == 0 {
			assert.Equal(t, 0, opt(syscall.SOL_SOCKET, syscall.SO_KEEPALIVE))
			continue
		}
		assert.Equal(t, 1, opt(syscall.SOL_SOCKET, syscall.SO_KEEPALIVE))
		assert.Equal(t, 60, opt(syscall.IPPROTO_TCP, syscall.TCP_KEEPIDLE))
		assert.Equal(t, 20, opt(syscall.IPPROTO_TCP, syscall.TCP_KEEPINTVL))
		assert.Equal(t, 3, opt(syscall.IPPROTO_TCP, syscall.TCP_KEEPCNT))
	}
}
