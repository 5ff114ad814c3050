package tstream_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/redisctl/redisctl/engine/config"
	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/resp"
)

// Replies that carry times (delivery times, seen times, idle times, generated IDs) differ
// between the two servers by the milliseconds between the two calls. similar compares
// replies exactly except for such numbers: integers of at least 1e12 (unix ms times) may
// differ by timeTolerance, and integers at idle positions (chosen per command) by
// idleTolerance.
const (
	timeTolerance = 3000
	idleTolerance = 1000
)

type idleFn func(path []int) bool

func similar(a, b resp.Value, path []int, idle idleFn) bool {
	if a.Type != b.Type || a.Null != b.Null || len(a.Elems) != len(b.Elems) {
		return false
	}
	if a.Type == resp.TypeInteger && a.Int != b.Int {
		d := a.Int - b.Int
		if d < 0 {
			d = -d
		}
		if a.Int >= 1e12 && b.Int >= 1e12 && d <= timeTolerance {
			return true
		}
		return idle != nil && idle(path) && d <= idleTolerance
	}
	if !bytes.Equal(a.Str, b.Str) {
		return false
	}
	for i := range a.Elems {
		if !similar(a.Elems[i], b.Elems[i], append(path, i), idle) {
			return false
		}
	}
	return true
}

// idleFor picks the idle positions of a command's reply.
func idleFor(args []string) idleFn {
	cmd := strings.ToLower(args[0])
	switch {
	case cmd == "xpending" && len(args) >= 6:
		return func(p []int) bool { return len(p) == 2 && p[1] == 2 }
	case cmd == "xinfo" && len(args) >= 2 && strings.EqualFold(args[1], "consumers"):
		return func(p []int) bool { return len(p) == 2 && p[1] == 5 }
	}
	return nil
}

// checkTimed sends args to both sides and compares with similar.
func checkTimed(t *testing.T, p *enginetest.Pair, args []string) resp.Value {
	t.Helper()
	want := p.O.Do(args...)
	got := p.H.Do(args...)
	if !similar(want, got, nil, idleFor(args)) {
		t.Errorf("%s\n  redis:    %s\n  redisctl: %s", strings.Join(args, " "),
			strings.ReplaceAll(want.String(), "\n", " | "), strings.ReplaceAll(got.String(), "\n", " | "))
	}
	return got
}

// runTimed runs a script (one command a line, "//" comments) with checkTimed.
func runTimed(t *testing.T, p *enginetest.Pair, script string) {
	t.Helper()
	for _, line := range strings.Split(script, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "//") {
			continue
		}
		args, err := config.SplitArgs(line)
		if err != nil {
			t.Fatalf("bad script line %q: %v", line, err)
		}
		checkTimed(t, p, args)
	}
}
