package redistest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Server is a server process owned by one test. It is stopped by PID in
// t.Cleanup. Its fields change on Restart.
type Server struct {
	Addr string // "127.0.0.1:port"
	Port int
	Dir  string // the server's --dir (a t.TempDir); holds only what the server writes
	PID  int
	// LogDir holds the server's stdout/stderr log, apart from Dir.
	LogDir string

	t      testing.TB
	cfg    config
	bin    string
	args   func(port int) []string
	proc   *Process
	mu     sync.Mutex
	client *redis.Client
}

type config struct {
	args         []string
	files        []fileCopy
	readyTimeout time.Duration
	binary       string
}

type fileCopy struct{ src, name string }

// Option configures Start.
type Option func(*config)

// WithArgs appends directives to the redis-server command line, after the
// defaults, e.g. WithArgs("--dbfilename", "x.rdb").
func WithArgs(args ...string) Option {
	return func(c *config) { c.args = append(c.args, args...) }
}

// WithRDB copies the file at path into the server's dir as dump.rdb before
// start, so the server loads it. Pair it with WithArgs("--dbfilename", ...)
// only if you also copy under that name with WithFile.
func WithRDB(path string) Option { return WithFile(path, "dump.rdb") }

// WithFile copies a file or a directory tree into the server's dir under
// name before start (e.g. an appendonlydir together with
// WithArgs("--appendonly", "yes")).
func WithFile(src, name string) Option {
	return func(c *config) { c.files = append(c.files, fileCopy{src, name}) }
}

// WithReadyTimeout changes the bounded readiness wait (default 10 s).
func WithReadyTimeout(d time.Duration) Option {
	return func(c *config) { c.readyTimeout = d }
}

// WithBinary starts this redis-server binary instead of the one on PATH.
func WithBinary(path string) Option {
	return func(c *config) { c.binary = path }
}

// Require skips the test when the named tool is not on PATH, or fails it
// when CI=true (CI must install Redis). It returns the resolved path.
func Require(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s not installed but CI=true: the CI image must install Redis 7.0 (%v)", name, err)
	}
	t.Skipf("%s not installed: %v (interop test skipped; under CI=true this fails)", name, err)
	return ""
}

// Start starts a real redis-server on a free 127.0.0.1 port with its own
// temporary --dir, --save "" and --appendonly no plus the options' extra
// directives, waits until it answers PING (at most 10 s by default), and
// registers a cleanup that stops it by PID and reaps it.
//
// When redis-server is not installed Start skips the test, unless CI=true,
// in which case it fails it.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	var c config
	for _, o := range opts {
		o(&c)
	}
	bin := c.binary
	if bin == "" {
		bin = ServerBinary()
	}
	bin = Require(t, bin)
	dir := t.TempDir()
	s := &Server{t: t, cfg: c, bin: bin, Dir: dir, LogDir: t.TempDir()}
	s.args = func(port int) []string { return RedisArgs(port, dir, c.args...) }
	s.copyFiles()
	s.launch(0)
	t.Cleanup(s.stop)
	return s
}

// StartBinary starts any RESP server binary (for example `redisctl serve`)
// the same way: free loopback port, its own temp dir as working directory,
// bounded readiness wait on PING, cleanup by PID. In args, the
// placeholders {port}, {addr} and {dir} are replaced; when no argument
// mentions {port} or {addr}, "--port <port>" is appended.
func StartBinary(t testing.TB, binPath string, args ...string) *Server {
	t.Helper()
	bin, err := exec.LookPath(binPath)
	if err != nil {
		t.Fatalf("redistest: binary %q: %v", binPath, err)
	}
	dir := t.TempDir()
	s := &Server{t: t, bin: bin, Dir: dir, LogDir: t.TempDir()}
	s.args = func(port int) []string { return expandArgs(args, port, dir) }
	s.launch(0)
	t.Cleanup(s.stop)
	return s
}

func expandArgs(args []string, port int, dir string) []string {
	p := strconv.Itoa(port)
	addr := "127.0.0.1:" + p
	out := make([]string, 0, len(args)+2)
	hasPort := false
	for _, a := range args {
		if strings.Contains(a, "{port}") || strings.Contains(a, "{addr}") {
			hasPort = true
		}
		a = strings.ReplaceAll(a, "{port}", p)
		a = strings.ReplaceAll(a, "{addr}", addr)
		a = strings.ReplaceAll(a, "{dir}", dir)
		out = append(out, a)
	}
	if !hasPort {
		out = append(out, "--port", p)
	}
	return out
}

func (s *Server) copyFiles() {
	s.t.Helper()
	for _, f := range s.cfg.files {
		if err := CopyPath(f.src, filepath.Join(s.Dir, f.name)); err != nil {
			s.t.Fatalf("redistest: %v", err)
		}
	}
}

func (s *Server) launch(port int) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p, err := Launch(ctx, LaunchConfig{
		Binary:       s.bin,
		Dir:          s.Dir,
		Args:         s.args,
		ReadyTimeout: s.cfg.readyTimeout,
		Port:         port,
		LogDir:       s.LogDir,
	})
	if err != nil {
		s.t.Fatalf("%v", err)
	}
	s.proc = p
	s.Addr, s.Port, s.PID = p.Addr, p.Port, p.PID
}

func (s *Server) stop() {
	s.closeClient()
	if s.proc == nil {
		return
	}
	if err := s.proc.Stop(); err != nil {
		s.t.Logf("%v", err)
	}
}

func (s *Server) closeClient() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.client != nil {
		_ = s.client.Close()
		s.client = nil
	}
}

// Log returns what the server has written to stdout and stderr so far.
func (s *Server) Log() string {
	b, err := os.ReadFile(s.proc.Log)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	return string(b)
}

// Process returns the underlying process (to Kill it, read its Log, ...).
func (s *Server) Process() *Process { return s.proc }

// Client returns a go-redis client for db 0 speaking RESP2 (so replies
// such as ZRANGE WITHSCORES and XINFO come as Redis 7.0 sends them to
// RESP2 clients). It is closed at cleanup and replaced on Restart.
func (s *Server) Client() *redis.Client {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.client == nil {
		s.client = NewClient(s.Addr)
	}
	return s.client
}

// NewClient returns a RESP2 go-redis client for addr with bounded timeouts.
func NewClient(addr string) *redis.Client {
	return redis.NewClient(&redis.Options{
		Addr:         addr,
		Protocol:     2,
		DialTimeout:  5 * time.Second,
		ReadTimeout:  30 * time.Second,
		WriteTimeout: 30 * time.Second,
		PoolSize:     4,
		MaxRetries:   -1,
	})
}

// Do runs one command on db 0 and fails the test on error (a nil reply is
// returned as nil, not as an error). Call it from the test goroutine.
func (s *Server) Do(args ...any) any {
	s.t.Helper()
	v, err := s.DoErr(args...)
	if err != nil {
		s.t.Fatalf("redistest: %v: %v", args, err)
	}
	return v
}

// DoErr runs one command on db 0 and returns the reply or the error; a
// nil reply is (nil, nil).
func (s *Server) DoErr(args ...any) (any, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	v, err := s.Client().Do(ctx, args...).Result()
	if err == redis.Nil {
		return nil, nil
	}
	return v, err
}

// Restart stops the server (SHUTDOWN NOSAVE: nothing is saved, call SAVE
// first to keep the dataset) and starts it again on the same dir and
// arguments, preferably on the same port, so it reloads what is on disk.
func (s *Server) Restart() {
	s.t.Helper()
	s.closeClient()
	if err := s.proc.Stop(); err != nil {
		s.t.Logf("%v", err)
	}
	s.launch(s.Port)
}

// SaveAndCopy runs SAVE and copies the resulting RDB file (the configured
// dbfilename inside Dir) to dst.
func (s *Server) SaveAndCopy(dst string) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := SaveAndCopy(ctx, s.Client(), s.Dir, dst); err != nil {
		s.t.Fatalf("%v", err)
	}
}

// SaveAndCopy runs SAVE on c and copies dir/<dbfilename> to dst.
func SaveAndCopy(ctx context.Context, c *redis.Client, dir, dst string) error {
	if err := c.Do(ctx, "SAVE").Err(); err != nil {
		return fmt.Errorf("redistest: SAVE: %w", err)
	}
	name := "dump.rdb"
	if kv, err := c.ConfigGet(ctx, "dbfilename").Result(); err == nil && kv["dbfilename"] != "" {
		name = kv["dbfilename"]
	}
	return CopyPath(filepath.Join(dir, name), dst)
}
