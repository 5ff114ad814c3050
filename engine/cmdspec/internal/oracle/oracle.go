// Package oracle starts the real redis-server for cmdspec's generator and differential
// tests and talks raw RESP to it, returning each reply's exact bytes.
//
// It must never stop a process it did not start: Stop signals only its own PID.
package oracle

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/redisctl/redisctl/engine/cmdspec/internal/rawresp"
)

// Binary is the redis-server looked up on PATH, or $REDISTEST_SERVER.
func Binary() string {
	if b := os.Getenv("REDISTEST_SERVER"); b != "" {
		return b
	}
	return "redis-server"
}

// Server is one redis-server process started by Start.
type Server struct {
	Addr string
	PID  int
	dir  string
	cmd  *exec.Cmd
	done chan struct{}
}

// Start runs redis-server on a free loopback port with dir as its --dir (no saving, no
// AOF) and waits, at most 10 s, for it to accept connections.
func Start(dir string) (*Server, error) {
	bin, err := exec.LookPath(Binary())
	if err != nil {
		return nil, fmt.Errorf("oracle: %w", err)
	}
	var last error
	for attempt := 0; attempt < 3; attempt++ {
		s, err := startOnce(bin, dir)
		if err == nil {
			return s, nil
		}
		last = err
	}
	return nil, last
}

func startOnce(bin, dir string) (*Server, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("oracle: pick a port: %w", err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	logf, err := os.Create(filepath.Join(dir, "redis-"+strconv.Itoa(port)+".log"))
	if err != nil {
		return nil, fmt.Errorf("oracle: %w", err)
	}
	defer logf.Close()
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir,
		"--daemonize", "no", "--save", "", "--appendonly", "no", "--logfile", "")
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("oracle: start %s: %w", bin, err)
	}
	s := &Server{Addr: "127.0.0.1:" + strconv.Itoa(port), PID: cmd.Process.Pid, dir: dir, cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(s.done) }()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return nil, fmt.Errorf("oracle: redis-server on port %d exited early", port)
		default:
		}
		c, err := s.Dial()
		if err == nil {
			r, err := c.Do("PING")
			c.Close()
			if err == nil && string(r) == "+PONG\r\n" {
				return s, nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.Stop()
	return nil, fmt.Errorf("oracle: redis-server on port %d not ready after 10s", port)
}

// Stop sends SIGTERM to the server's PID, then SIGKILL after 5 s, and reaps it.
func (s *Server) Stop() {
	select {
	case <-s.done:
		return
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

// Conn is one client connection.
type Conn struct {
	c   net.Conn
	r   *bufio.Reader
	buf []byte
}

// Dial connects to the server.
func (s *Server) Dial() (*Conn, error) {
	c, err := net.DialTimeout("tcp", s.Addr, 2*time.Second)
	if err != nil {
		return nil, err
	}
	return &Conn{c: c, r: bufio.NewReaderSize(c, 64<<10)}, nil
}

// Close closes the connection.
func (c *Conn) Close() error { return c.c.Close() }

// Do sends one command and returns the exact bytes of its reply.
func (c *Conn) Do(args ...string) ([]byte, error) {
	bargs := make([][]byte, len(args))
	for i, a := range args {
		bargs[i] = []byte(a)
	}
	return c.DoBytes(bargs...)
}

// DoBytes is Do with binary arguments.
func (c *Conn) DoBytes(args ...[]byte) ([]byte, error) {
	_ = c.c.SetDeadline(time.Now().Add(10 * time.Second))
	out := rawresp.AppendHeader(nil, '*', len(args))
	for _, a := range args {
		out = rawresp.AppendHeader(out, '$', len(a))
		out = append(out, a...)
		out = append(out, '\r', '\n')
	}
	if _, err := c.c.Write(out); err != nil {
		return nil, fmt.Errorf("oracle: write: %w", err)
	}
	c.buf = c.buf[:0]
	chunk := make([]byte, 64<<10)
	for {
		if len(c.buf) > 0 {
			n, err := rawresp.Len(c.buf)
			if err == nil {
				if n != len(c.buf) {
					return nil, fmt.Errorf("oracle: %d unexpected bytes after the reply", len(c.buf)-n)
				}
				return append([]byte(nil), c.buf...), nil
			}
			if !errors.Is(err, rawresp.ErrIncomplete) {
				return nil, err
			}
		}
		n, err := c.r.Read(chunk)
		c.buf = append(c.buf, chunk[:n]...)
		if err != nil {
			return nil, fmt.Errorf("oracle: read: %w", err)
		}
	}
}
