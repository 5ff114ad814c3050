package redistest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// checkTimeout bounds one run of redis-check-rdb or redis-check-aof.
const checkTimeout = 2 * time.Minute

// CheckRDB runs redis-check-rdb on path and returns its combined output and
// whether it judged the file sound (exit status 0). It skips the test when
// the tool is missing (fails under CI=true).
func CheckRDB(t testing.TB, path string) (output string, ok bool) {
	t.Helper()
	bin := Require(t, "redis-check-rdb")
	out, ok, err := RunCheck(context.Background(), bin, path)
	if err != nil {
		t.Fatalf("%v", err)
	}
	return out, ok
}

// CheckAOF runs redis-check-aof (never --fix, so it never prompts) on an
// AOF file or on a multi-part manifest and returns its combined output and
// whether it judged the AOF sound (exit status 0).
func CheckAOF(t testing.TB, path string) (output string, ok bool) {
	t.Helper()
	bin := Require(t, "redis-check-aof")
	out, ok, err := RunCheck(context.Background(), bin, path)
	if err != nil {
		t.Fatalf("%v", err)
	}
	return out, ok
}

// RunCheck runs a checker binary with args, stdin closed, within a bounded
// time. ok is true on exit status 0; err is set only when the tool could
// not be run or timed out.
func RunCheck(ctx context.Context, bin string, args ...string) (output string, ok bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdin = nil
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		return string(out), false, fmt.Errorf("redistest: %s %v: %w", bin, args, ctx.Err())
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return string(out), false, nil
	}
	if err != nil {
		return string(out), false, fmt.Errorf("redistest: run %s: %w", bin, err)
	}
	return string(out), true, nil
}

var auxLine = regexp.MustCompile(`AUX FIELD (\S+) = '(.*)'$`)

// ParseCheckRDBAux extracts the AUX fields that redis-check-rdb reports
// ("[offset 27] AUX FIELD redis-ver = '7.0.15'"), in file order.
func ParseCheckRDBAux(output string) [][2]string {
	var out [][2]string
	sc := bufio.NewScanner(strings.NewReader(output))
	for sc.Scan() {
		if m := auxLine.FindStringSubmatch(sc.Text()); m != nil {
			out = append(out, [2]string{m[1], m[2]})
		}
	}
	return out
}
