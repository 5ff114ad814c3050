package diff_test

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/redisctl/redisctl/internal/difftest"
	"github.com/redisctl/redisctl/internal/redistest"
)

var update = flag.Bool("update", false, "rewrite testdata/coverage.md")

// bin is the redisctl binary under test: built once per test run from ./cmd/redisctl
// (or taken from $REDISCTL_BIN).
var bin string

// buildErr is why bin could not be built; each test then fails with it.
var buildErr error

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if b := os.Getenv("REDISCTL_BIN"); b != "" {
		bin = b
		return m.Run()
	}
	if _, err := exec.LookPath(redistest.ServerBinary()); err != nil && os.Getenv("CI") != "true" {
		// Every test skips (redistest says why); nothing to build.
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "difftest-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	root, err := difftest.ModuleRoot()
	if err == nil {
		bin = filepath.Join(dir, "redisctl")
		err = difftest.Build(root, bin)
	}
	buildErr = err
	return m.Run()
}

// startPair starts redis-server and redisctl serve (skipping without redis-server,
// failing under CI=true) and connects a Pair that counts into the suite's coverage.
func startPair(t *testing.T, src difftest.Source, directives ...string) *difftest.Pair {
	t.Helper()
	if buildErr != nil {
		t.Fatalf("building redisctl: %v", buildErr)
	}
	if bin == "" {
		// redis-server is missing: let redistest skip (or fail under CI) with its message.
		difftest.Start(t, "redisctl-not-built")
	}
	p, srv := difftest.StartPair(t, bin, directives...)
	t.Cleanup(func() {
		// A crashed or wedged redisctl explains itself in its log.
		if t.Failed() {
			log := srv.Ours.Log()
			i := strings.Index(log, "panic:")
			if i < 0 {
				i = strings.Index(log, "fatal error:")
			}
			if i < 0 {
				return
			}
			log = log[i:]
			if len(log) > 4000 {
				log = log[:4000]
			}
			t.Logf("redisctl serve crashed; its log:\n%s", log)
		}
	})
	p.Cov = suite.cov
	p.Source = src
	p.Known = knownDiffs
	suite.noteImplemented(p.Implemented)
	return p
}
