package server

import (
	"math/rand/v2"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/redisctl/redisctl/resp"
)

// TestPollDescFound guards the held read path: if a Go release changes the net package's
// layout, the connections silently fall back to the plain path (a read that finds nothing
// per round trip); this test says so instead.
func TestPollDescFound(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	unixPath := filepath.Join(t.TempDir(), "s.sock")
	uln, err := net.Listen("unix", unixPath)
	require.NoError(t, err)
	defer uln.Close()
	for _, l := range []struct {
		ln   net.Listener
		addr string
	}{{ln, ln.Addr().String()}, {uln, unixPath}} {
		go func() {
			if c, err := net.Dial(l.ln.Addr().Network(), l.addr); err == nil {
				defer c.Close()
				time.Sleep(200 * time.Millisecond)
			}
		}()
		nc, err := l.ln.Accept()
		require.NoError(t, err)
		s, fd := newClientSock(nc)
		require.Positive(t, fd)
		require.NotZero(t, s.(*netSock).pd, "%T: the runtime poll descriptor was not found", nc)
		require.NoError(t, s.Close())
	}
	require.Zero(t, pollDescOf(nil, 3))
}

// TestHeldReadSplitRequests sends requests cut at random points with short gaps, so that
// the server's loop often finds the socket drained mid-command and waits for readiness;
// every reply must arrive (a lost readiness would hang the client until its deadline).
func TestHeldReadSplitRequests(t *testing.T) {
	ts := startServer(t)
	rng := rand.New(rand.NewPCG(1, 2))
	const clients = 4
	errs := make(chan error, clients)
	for c := range clients {
		seed := rng.Uint64()
		go func() {
			nc, err := net.Dial("tcp", ts.addr)
			if err != nil {
				errs <- err
				return
			}
			defer nc.Close()
			rd := resp.NewReplyReader(nc)
			r := rand.New(rand.NewPCG(seed, uint64(c)))
			for i := range 400 {
				key := "k" + strconv.Itoa(c)
				req := resp.AppendCommandString(nil, "INCR", key)
				if i%5 == 0 { // a small pipeline
					req = resp.AppendCommandString(req, "INCR", key)
				}
				cut := r.IntN(len(req))
				_ = nc.SetDeadline(time.Now().Add(5 * time.Second))
				if _, err := nc.Write(req[:cut]); err != nil {
					errs <- err
					return
				}
				if r.IntN(3) == 0 {
					time.Sleep(time.Duration(r.IntN(200)) * time.Microsecond)
				}
				if _, err := nc.Write(req[cut:]); err != nil {
					errs <- err
					return
				}
				n := 1
				if i%5 == 0 {
					n = 2
				}
				for range n {
					if _, err := rd.ReadValue(); err != nil {
						errs <- err
						return
					}
				}
			}
			errs <- nil
		}()
	}
	for range clients {
		require.NoError(t, <-errs)
	}
	cl := dial(t, ts.addr)
	for c := range clients {
		require.Equal(t, `"480"`, cl.str("GET", "k"+strconv.Itoa(c)))
	}
}

// TestShutdownWakesIdleConnection: CLIENT KILL ends a connection whose loop is waiting for
// readiness (Shutdown must wake it without waiting for the loop).
func TestShutdownWakesIdleConnection(t *testing.T) {
	ts := startServer(t)
	victim := dial(t, ts.addr)
	require.Equal(t, "PONG", victim.str("PING"))
	id := victim.str("CLIENT", "ID")
	num := strings.TrimPrefix(id, "(integer) ")
	killer := dial(t, ts.addr)
	done := make(chan string, 1)
	go func() { done <- killer.str("CLIENT", "KILL", "ID", num) }()
	select {
	case r := <-done:
		require.Equal(t, "(integer) 1", r)
	case <-time.After(5 * time.Second):
		t.Fatal("CLIENT KILL did not return")
	}
	victim.expectClosed()
	waitFor(t, "the killed client to leave", func() bool {
		return !strings.Contains(killer.str("CLIENT", "LIST"), "id="+num+" ")
	})
}
