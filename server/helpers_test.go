package server

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redisctl/redisctl/internal/redistest"
	"github.com/redisctl/redisctl/resp"
)

// testLog collects the server's log lines for assertions.
type testLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *testLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *testLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// waitFor polls cond for up to 5 s.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

type testServer struct {
	*Server
	addr string
	log  *testLog
}

// startServer runs a server in-process on a free loopback port with extra redis-server
// style arguments ("--timeout", "1", ...) and stops it at cleanup.
func startServer(t testing.TB, args ...string) *testServer {
	t.Helper()
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		port, err := redistest.FreePort()
		if err != nil {
			t.Fatal(err)
		}
		a := append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "",
			"--dir", t.TempDir()}, args...)
		cfg, err := LoadConfig(a, nil)
		if err != nil {
			t.Fatalf("config: %v", err)
		}
		lg := &testLog{}
		srv, err := New(Options{Config: cfg, Log: lg})
		if err != nil {
			t.Fatal(err)
		}
		if err := srv.Listen(); err != nil {
			lastErr = err
			continue
		}
		go func() { _ = srv.Serve() }()
		t.Cleanup(func() { srv.Close() })
		return &testServer{Server: srv, addr: srv.Addr().String(), log: lg}
	}
	t.Fatalf("could not start the server: %v", lastErr)
	return nil
}

// rawClient speaks raw RESP to a server.
type rawClient struct {
	t  testing.TB
	nc net.Conn
	rd *resp.ReplyReader
}

func dial(t testing.TB, addr string) *rawClient {
	t.Helper()
	network := "tcp"
	if strings.HasPrefix(addr, "/") {
		network = "unix"
	}
	nc, err := net.DialTimeout(network, addr, 5*time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { nc.Close() })
	return &rawClient{t: t, nc: nc, rd: resp.NewReplyReader(nc)}
}

func (c *rawClient) send(raw string) {
	c.t.Helper()
	if _, err := io.WriteString(c.nc, raw); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

func (c *rawClient) read() resp.Value {
	c.t.Helper()
	_ = c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	v, err := c.rd.ReadValue()
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	return v
}

// do sends a command as a multibulk and reads its reply.
func (c *rawClient) do(args ...string) resp.Value {
	c.t.Helper()
	c.send(string(resp.AppendCommandString(nil, args...)))
	return c.read()
}

// str renders a reply as redis-cli does.
func (c *rawClient) str(args ...string) string {
	c.t.Helper()
	return c.do(args...).String()
}

// expectClosed checks the server closed the connection (after any pending replies).
func (c *rawClient) expectClosed() {
	c.t.Helper()
	_ = c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	v, err := c.rd.ReadValue()
	if err == nil {
		c.t.Fatalf("expected the connection to be closed, got reply %s", v.String())
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		c.t.Fatalf("connection still open: %v", err)
	}
}

// rawExchange sends raw bytes on a new connection and returns every byte the server sends
// until it closes the connection or stays quiet for quiet.
func rawExchange(t testing.TB, addr, raw string, quiet time.Duration) (out []byte, closed bool) {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	defer nc.Close()
	if _, err := io.WriteString(nc, raw); err != nil {
		t.Fatalf("write: %v", err)
	}
	buf := make([]byte, 64*1024)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		_ = nc.SetReadDeadline(time.Now().Add(quiet))
		n, err := nc.Read(buf)
		out = append(out, buf[:n]...)
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return out, false
			}
			return out, true
		}
	}
	return out, false
}

func isCI() bool { return os.Getenv("CI") == "true" }

func syscallTERM() os.Signal { return syscall.SIGTERM }
