// Package sidebyside runs the servers the benchmark tools compare (server/bench,
// bench/evict): real redis-server and `redisctl serve`, each on a free 127.0.0.1 port with
// its own temporary --dir, no persistence, waited for with a bounded PING loop and stopped
// by PID. It also reads a process's memory figures from /proc.
//
// It must never touch a process it did not start, wait without a bound, or listen
// anywhere but 127.0.0.1.
package sidebyside

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Server is one started server process.
type Server struct {
	Name string
	Port int
	Cmd  *exec.Cmd
	Dir  string
}

// PID is the server's process id.
func (s *Server) PID() int { return s.Cmd.Process.Pid }

// BuildOurs returns the redisctl binary to run: path when given, else one built now into
// a temporary directory that cleanup removes.
func BuildOurs(ctx context.Context, path string) (bin string, cleanup func(), err error) {
	if path != "" {
		return path, func() {}, nil
	}
	dir, err := os.MkdirTemp("", "bench-bin-")
	if err != nil {
		return "", nil, err
	}
	bin = filepath.Join(dir, "redisctl")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/redisctl/redisctl/cmd/redisctl")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		os.RemoveAll(dir)
		return "", nil, fmt.Errorf("building redisctl: %w", err)
	}
	return bin, func() { os.RemoveAll(dir) }, nil
}

// FreePort asks the kernel for a free loopback port.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Start runs bin with args plus a free port, 127.0.0.1, a temporary --dir, no RDB or AOF
// and logs discarded, and waits up to 10 s for it to answer PING.
func Start(ctx context.Context, name, bin string, args ...string) (*Server, error) {
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "bench-"+name+"-")
	if err != nil {
		return nil, err
	}
	full := append(append([]string(nil), args...), "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--dir", dir, "--save", "", "--appendonly", "no", "--logfile", "")
	cmd := exec.CommandContext(ctx, bin, full...)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	s := &Server{Name: name, Port: port, Cmd: cmd, Dir: dir}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if ping(port) {
			return s, nil
		}
	}
	s.Stop()
	return nil, fmt.Errorf("%s did not answer PING within 10s", name)
}

// ping reports whether a server answers PING on port within a second.
func ping(port int) bool {
	c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), time.Second)
	if err != nil {
		return false
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("*1\r\n$4\r\nPING\r\n")); err != nil {
		return false
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	return err == nil && line == "+PONG\r\n"
}

// Stop interrupts the server, kills it after 5 s, reaps it and removes its directory.
func (s *Server) Stop() {
	if s.Cmd.Process != nil {
		_ = s.Cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = s.Cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = s.Cmd.Process.Kill()
			<-done
		}
	}
	os.RemoveAll(s.Dir)
}

// ProcStatus reads a size field of /proc/<pid>/status ("VmRSS", "VmHWM", …) in bytes.
func ProcStatus(pid int, field string) (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, l := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(l, field+":"); ok {
			if f := strings.Fields(rest); len(f) > 0 {
				kb, err := strconv.ParseInt(f[0], 10, 64)
				return kb * 1024, err
			}
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, pid)
}
