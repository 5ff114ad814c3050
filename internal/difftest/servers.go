package difftest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/redisctl/redisctl/internal/redistest"
)

// buildTimeout bounds `go build` of the redisctl binary.
const buildTimeout = 5 * time.Minute

// ModuleRoot walks up from the working directory to the directory holding go.mod.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("difftest: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("difftest: no go.mod above the working directory")
		}
		dir = parent
	}
}

// Build compiles ./cmd/redisctl of the module at root into out, bounded in time.
func Build(root, out string) error {
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, "./cmd/redisctl")
	cmd.Dir = root
	b, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("difftest: go build -o %s ./cmd/redisctl: %w\n%s", out, err, b)
	}
	return nil
}

// Servers are a real redis-server and a redisctl serve started for one test.
type Servers struct {
	Redis, Ours *redistest.Server
}

// Addrs returns both addresses, Redis first.
func (s *Servers) Addrs() (string, string) { return s.Redis.Addr, s.Ours.Addr }

// Start starts redis-server (skipping the test when it is not installed, failing it under
// CI=true) and `bin serve`, each on a free loopback port with its own temporary dir, no
// save points and no AOF, both with the same extra directives ("--name", "value", ...).
// Both are stopped by PID at cleanup.
func Start(t testing.TB, bin string, directives ...string) *Servers {
	t.Helper()
	r := redistest.Start(t, redistest.WithArgs(directives...))
	args := []string{"serve", "--port", "{port}", "--bind", "127.0.0.1", "--dir", "{dir}",
		"--save", "", "--appendonly", "no"}
	o := redistest.StartBinary(t, bin, append(args, directives...)...)
	return &Servers{Redis: r, Ours: o}
}

// StartPair starts both servers and connects a Pair to them, closed at cleanup.
func StartPair(t testing.TB, bin string, directives ...string) (*Pair, *Servers) {
	t.Helper()
	s := Start(t, bin, directives...)
	p, err := NewPair(s.Redis.Addr, s.Ours.Addr)
	if err != nil {
		t.Fatalf("%v", err)
	}
	t.Cleanup(p.Close)
	return p, s
}

// Fresh is a Pair on servers started outside of any test's cleanup (for replaying a
// reproduction): Stop stops both by PID and removes their directories.
type Fresh struct {
	*Pair
	procs []*redistest.Process
	dirs  []string
}

// StartFresh starts redis-server and `bin serve` on free loopback ports in new temporary
// dirs and connects a Pair.
func StartFresh(bin string, directives ...string) (*Fresh, error) {
	f := &Fresh{}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for i := 0; i < 2; i++ {
		d, err := os.MkdirTemp("", "difftest-fresh-")
		if err != nil {
			f.Stop()
			return nil, fmt.Errorf("difftest: %w", err)
		}
		f.dirs = append(f.dirs, d)
	}
	r, err := redistest.LaunchRedis(ctx, f.dirs[0], directives...)
	if err != nil {
		f.Stop()
		return nil, err
	}
	f.procs = append(f.procs, r)
	dir := f.dirs[1]
	o, err := redistest.Launch(ctx, redistest.LaunchConfig{Binary: bin, Dir: dir,
		Args: func(port int) []string {
			return append([]string{"serve", "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
				"--dir", dir, "--save", "", "--appendonly", "no"}, directives...)
		}})
	if err != nil {
		f.Stop()
		return nil, err
	}
	f.procs = append(f.procs, o)
	f.Pair, err = NewPair(r.Addr, o.Addr)
	if err != nil {
		f.Stop()
		return nil, err
	}
	return f, nil
}

// Stop closes the links, stops both servers by PID and removes their dirs.
func (f *Fresh) Stop() {
	if f.Pair != nil {
		f.Pair.Close()
	}
	for _, p := range f.procs {
		_ = p.Stop()
	}
	for _, d := range f.dirs {
		os.RemoveAll(d)
	}
}

// Reproduce replays cmds on fresh servers (after HELLO 3 for proto 3) and returns the
// result of the last command.
func Reproduce(bin string, directives []string, proto int, cmds [][][]byte) (*Result, error) {
	f, err := StartFresh(bin, directives...)
	if err != nil {
		return nil, err
	}
	defer f.Stop()
	l, err := f.Link("main")
	if err != nil {
		return nil, err
	}
	if proto == 3 {
		if _, _, err := f.Both(l, "HELLO", "3"); err != nil {
			return nil, err
		}
		l.Proto = 3
	}
	var last *Result
	for _, c := range cmds {
		last = f.Do(l, c)
		if last.Err[Redis] != nil || last.Err[Ours] != nil {
			break
		}
	}
	if last == nil {
		return nil, fmt.Errorf("difftest: nothing to replay")
	}
	return last, nil
}
