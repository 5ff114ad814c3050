package server

import (
	"net"
	"os"
	"os/exec"
	"strconv"
	"testing"
)

// TestProfileUnderBenchmark drives the in-process server with redis-benchmark so that
// `go test -cpuprofile` shows where the server spends its time. Opt-in: set
// REDISCTL_PROFILE=1; REDISCTL_PROFILE_P is the pipeline depth (default 1) and
// REDISCTL_PROFILE_T the redis-benchmark tests (default ping_mbulk).
func TestProfileUnderBenchmark(t *testing.T) {
	if os.Getenv("REDISCTL_PROFILE") == "" {
		t.Skip("set REDISCTL_PROFILE=1 to run")
	}
	s := startServer(t)
	port := strconv.Itoa(s.Addr().(*net.TCPAddr).Port)
	p := os.Getenv("REDISCTL_PROFILE_P")
	if p == "" {
		p = "1"
	}
	tests := os.Getenv("REDISCTL_PROFILE_T")
	if tests == "" {
		tests = "ping_mbulk"
	}
	out, err := exec.Command("redis-benchmark", "-p", port, "-c", "50", "-n", profN(), "-r", "100000",
		"-P", p, "-t", tests, "-q").CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	t.Logf("%s", out)
}

func profN() string {
	if n := os.Getenv("REDISCTL_PROFILE_N"); n != "" {
		return n
	}
	return "300000"
}
