package redistest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Bounded waits. Nothing in this package waits longer than these.
const (
	// DefaultReadyTimeout bounds how long Launch waits for a PONG.
	DefaultReadyTimeout = 10 * time.Second
	// shutdownWait bounds how long Stop waits after SHUTDOWN NOSAVE before
	// escalating to SIGTERM, and again before SIGKILL.
	shutdownWait = 5 * time.Second
	termWait     = 2 * time.Second
	// launchAttempts bounds retries when the picked port was taken by
	// someone else between picking and binding.
	launchAttempts = 3
)

// ServerBinary is the name of the real Redis server looked up on PATH.
// The environment variable REDISTEST_SERVER, when set, names another binary.
func ServerBinary() string {
	if b := os.Getenv("REDISTEST_SERVER"); b != "" {
		return b
	}
	return "redis-server"
}

// LaunchConfig says how to start one server process.
type LaunchConfig struct {
	// Binary is a path or a name looked up on PATH.
	Binary string
	// Dir is the process's working directory; for redis-server it is also
	// --dir. It must exist.
	Dir string
	// Args builds the command line for a given port. It is called again
	// with a new port when the first one turns out to be taken.
	Args func(port int) []string
	// ReadyTimeout bounds the wait for PONG; zero means DefaultReadyTimeout.
	ReadyTimeout time.Duration
	// Port, when non-zero, is tried first (Restart keeps its address).
	Port int
	// LogDir receives server-<port>.log (stdout and stderr); empty means
	// Dir. Keep it apart from Dir when a test inspects Dir's contents.
	LogDir string
}

// Process is one running server started by Launch. It is independent of
// the testing package so that generators (fixtures/gen) can use it too.
type Process struct {
	Addr string // "127.0.0.1:port"
	Port int
	Dir  string
	PID  int
	Log  string // path of the file that receives stdout and stderr

	cmd     *exec.Cmd
	done    chan struct{}
	waitErr error
}

// LaunchRedis starts the real redis-server on a free loopback port with its
// own dir, no save points and no AOF; extra directives in args come last
// and override the defaults.
func LaunchRedis(ctx context.Context, dir string, args ...string) (*Process, error) {
	return Launch(ctx, LaunchConfig{
		Binary: ServerBinary(),
		Dir:    dir,
		Args: func(port int) []string {
			return RedisArgs(port, dir, args...)
		},
	})
}

// RedisArgs is the command line LaunchRedis uses: loopback, the port, the
// dir, logging to stdout, no save points, no AOF, then extra.
func RedisArgs(port int, dir string, extra ...string) []string {
	a := []string{
		"--port", strconv.Itoa(port),
		"--bind", "127.0.0.1",
		"--dir", dir,
		"--daemonize", "no",
		"--logfile", "",
		"--save", "",
		"--appendonly", "no",
	}
	return append(a, extra...)
}

// Launch starts cfg.Binary and waits, bounded, until it answers PING with
// PONG. On failure the process is killed and reaped and the error carries
// the tail of its log.
func Launch(ctx context.Context, cfg LaunchConfig) (*Process, error) {
	if cfg.ReadyTimeout <= 0 {
		cfg.ReadyTimeout = DefaultReadyTimeout
	}
	bin, err := exec.LookPath(cfg.Binary)
	if err != nil {
		return nil, fmt.Errorf("redistest: look up %q: %w", cfg.Binary, err)
	}
	var lastErr error
	for attempt := 0; attempt < launchAttempts; attempt++ {
		port := cfg.Port
		if port == 0 || attempt > 0 {
			port, err = FreePort()
			if err != nil {
				return nil, err
			}
		}
		p, err := launchOnce(ctx, bin, cfg, port)
		if err == nil {
			return p, nil
		}
		lastErr = err
		if !errors.Is(err, errExitedEarly) {
			break
		}
	}
	return nil, lastErr
}

var errExitedEarly = errors.New("process exited before it was ready")

func launchOnce(ctx context.Context, bin string, cfg LaunchConfig, port int) (*Process, error) {
	logDir := cfg.LogDir
	if logDir == "" {
		logDir = cfg.Dir
	}
	logPath := filepath.Join(logDir, fmt.Sprintf("server-%d.log", port))
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("redistest: create log: %w", err)
	}
	defer logf.Close()
	args := cfg.Args(port)
	cmd := exec.Command(bin, args...)
	cmd.Dir = cfg.Dir
	cmd.Stdout = logf
	cmd.Stderr = logf
	cmd.Stdin = nil
	// The child stays in our process group on purpose: a ^C in the
	// terminal then stops it too, instead of leaving an orphan behind when
	// the test binary dies before its cleanups run.
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("redistest: start %s: %w", bin, err)
	}
	p := &Process{
		Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		Port: port,
		Dir:  cfg.Dir,
		PID:  cmd.Process.Pid,
		Log:  logPath,
		cmd:  cmd,
		done: make(chan struct{}),
	}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.done)
	}()
	if err := p.waitReady(ctx, cfg.ReadyTimeout); err != nil {
		p.kill()
		return nil, fmt.Errorf("redistest: %s %s on port %d: %w\n--- log tail ---\n%s",
			filepath.Base(bin), strings.Join(args, " "), port, err, tail(logPath, 2048))
	}
	return p, nil
}

// waitReady polls PING every 20 ms until PONG, the process exits, the
// context ends or the timeout passes.
func (p *Process) waitReady(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var last error
	for {
		select {
		case <-p.done:
			return fmt.Errorf("%w (%v)", errExitedEarly, p.waitErr)
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		reply, err := rawCommand(p.Addr, 500*time.Millisecond, "PING")
		if err == nil && reply == "+PONG" {
			return nil
		}
		if err != nil {
			last = err
		} else {
			last = fmt.Errorf("PING answered %q", reply)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready after %v: %v", timeout, last)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Exited reports whether the process has exited (and been reaped).
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Stop ends the process by its PID: SHUTDOWN NOSAVE, then SIGTERM, then
// SIGKILL, each after a bounded wait, and reaps it. It is safe to call
// twice.
func (p *Process) Stop() error {
	if p.Exited() {
		return nil
	}
	// The server closes the connection on SHUTDOWN, so a read error is
	// the expected answer; only the exit matters.
	_, _ = rawCommand(p.Addr, time.Second, "SHUTDOWN", "NOSAVE")
	if p.waitExit(shutdownWait) {
		return nil
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	if p.waitExit(termWait) {
		return nil
	}
	p.kill()
	return fmt.Errorf("redistest: pid %d did not stop on SHUTDOWN NOSAVE or SIGTERM; killed", p.PID)
}

// Kill sends SIGKILL to the PID and reaps the process, simulating a crash.
func (p *Process) Kill() { p.kill() }

func (p *Process) kill() {
	if p.Exited() {
		return
	}
	_ = p.cmd.Process.Kill()
	p.waitExit(10 * time.Second)
}

func (p *Process) waitExit(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-p.done:
		return true
	case <-t.C:
		return false
	}
}

// FreePort asks the kernel for a free 127.0.0.1 TCP port. Another process
// may take it before the server binds; Launch retries in that case.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("redistest: pick a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// rawCommand sends one command in RESP and returns the first reply line
// without its CRLF. It needs no client library, so it works on any server,
// even one that is still loading.
func rawCommand(addr string, timeout time.Duration, args ...string) (string, error) {
	c, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return "", err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(timeout))
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := io.WriteString(c, b.String()); err != nil {
		return "", err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// tail returns the last n bytes of a file, for error messages.
func tail(path string, n int64) string {
	f, err := os.Open(path)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	off := st.Size() - n
	if off < 0 {
		off = 0
	}
	b := make([]byte, st.Size()-off)
	_, _ = f.ReadAt(b, off)
	return string(b)
}

// CopyPath copies a file, or a directory tree, from src to dst.
func CopyPath(src, dst string) error {
	st, err := os.Stat(src)
	if err != nil {
		return fmt.Errorf("redistest: copy: %w", err)
	}
	if !st.IsDir() {
		return copyFile(src, dst)
	}
	return filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		return copyFile(path, target)
	})
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("redistest: copy: %w", err)
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return fmt.Errorf("redistest: copy: %w", err)
	}
	out, err := os.Create(dst)
	if err != nil {
		return fmt.Errorf("redistest: copy: %w", err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("redistest: copy %s to %s: %w", src, dst, err)
	}
	return out.Close()
}
