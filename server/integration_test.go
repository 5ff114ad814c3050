package server

import (
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/redisctl/redisctl/internal/redistest"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// buildBinary builds bin/redisctl once per test run, into a temporary directory.
func buildBinary(t testing.TB) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "redisctl-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "redisctl")
		goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
		if _, err := os.Stat(goBin); err != nil {
			goBin = "go"
		}
		out, err := exec.Command(goBin, "build", "-o", binPath, "github.com/redisctl/redisctl/cmd/redisctl").CombinedOutput()
		if err != nil {
			binErr = err
			binPath = string(out)
		}
	})
	if binErr != nil {
		t.Fatalf("building redisctl: %v\n%s", binErr, binPath)
	}
	return binPath
}

func goRedis(addr string, proto int) *redis.Client {
	return redis.NewClient(&redis.Options{Addr: addr, Protocol: proto, DialTimeout: 5 * time.Second,
		ReadTimeout: 5 * time.Second, WriteTimeout: 5 * time.Second})
}

func TestGoRedisClient(t *testing.T) {
	s := startServer(t)
	ctx := context.Background()
	for _, proto := range []int{2, 3} {
		c := goRedis(s.addr, proto)
		defer c.Close()
		require.NoError(t, c.Ping(ctx).Err(), "proto %d", proto)
		assert.Equal(t, "hi", c.Echo(ctx, "hi").Val())
		info, err := c.Info(ctx, "server").Result()
		require.NoError(t, err)
		assert.Contains(t, info, "redis_version:7.0.15")
		list, err := c.ClientList(ctx).Result()
		require.NoError(t, err)
		assert.Contains(t, list, "cmd=client|list")
		cfg, err := c.ConfigGet(ctx, "maxclients").Result()
		require.NoError(t, err)
		assert.Equal(t, "10000", cfg["maxclients"])
		ps := c.Subscribe(ctx, "chan")
		_, err = ps.Receive(ctx)
		require.NoError(t, err)
		pub := goRedis(s.addr, proto)
		n, err := pub.Publish(ctx, "chan", "payload").Result()
		require.NoError(t, err)
		assert.Equal(t, int64(1), n)
		msg, err := ps.ReceiveMessage(ctx)
		require.NoError(t, err)
		assert.Equal(t, "payload", msg.Payload)
		ps.Close()
		pub.Close()
	}
}

func TestMetricsEndpoint(t *testing.T) {
	port, err := redistest.FreePort()
	require.NoError(t, err)
	cfg, err := LoadConfig([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1"}, nil)
	require.NoError(t, err)
	srv, err := New(Options{Config: cfg, Log: io.Discard, MetricsAddr: "127.0.0.1:0"})
	require.NoError(t, err)
	require.NoError(t, srv.Listen())
	go func() { _ = srv.Serve() }()
	t.Cleanup(func() { srv.Close() })
	waitFor(t, "metrics listener", func() bool { return srv.MetricsAddr() != nil })
	c := dial(t, srv.Addr().String())
	c.str("PING")
	c.str("ECHO", "x")
	resp, err := http.Get("http://" + srv.MetricsAddr().String() + "/metrics")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	text := string(body)
	for _, want := range []string{
		"redis_connected_clients 1",
		`redis_commands_total{cmd="ping"} 1`,
		`redis_command_duration_seconds_bucket{cmd="echo",le="+Inf"} 1`,
		"redis_commands_processed_total 2",
		"redis_memory_used_bytes ",
		"redis_expired_keys_total 0",
		"redis_evicted_keys_total 0",
	} {
		assert.Contains(t, text, want)
	}
}

func TestBinaryWithRedisTools(t *testing.T) {
	redistest.Require(t, "redis-cli")
	redistest.Require(t, "redis-benchmark")
	bin := buildBinary(t)
	s := redistest.StartBinary(t, bin, "serve", "--port", "{port}", "--bind", "127.0.0.1", "--dir", "{dir}", "--save", "")
	port := strconv.Itoa(s.Port)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "redis-cli", "-p", port, "PING").CombinedOutput()
	require.NoError(t, err, string(out))
	assert.Equal(t, "PONG\n", string(out))
	out, err = exec.CommandContext(ctx, "redis-cli", "-p", port, "INFO", "server").CombinedOutput()
	require.NoError(t, err)
	assert.Contains(t, string(out), "redis_version:7.0.15")
	tests := "ping"
	if v, _ := s.DoErr("COMMAND", "INFO", "set", "get"); v != nil {
		if arr, ok := v.([]any); ok && len(arr) == 2 && arr[0] != nil && arr[1] != nil {
			tests = "set,get"
		}
	}
	out, err = exec.CommandContext(ctx, "redis-benchmark", "-p", port, "-t", tests, "-n", "10000", "-q").CombinedOutput()
	require.NoError(t, err, string(out))
	assert.Contains(t, string(out), "requests per second", string(out))
	assert.NotContains(t, string(out), "ERR")
}

func TestServeCommandLine(t *testing.T) {
	bin := buildBinary(t)
	out, err := exec.Command(bin, "serve", "--help").CombinedOutput()
	require.NoError(t, err)
	assert.Contains(t, string(out), "redisctl serve --port 7000 --maxmemory 1gb")
	assert.Contains(t, string(out), "--metrics-addr")
	out, err = exec.Command(bin, "serve", "--port", "0", "--nosuch-directive", "1").CombinedOutput()
	require.Error(t, err)
	assert.Contains(t, string(out), "*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***")
	assert.Contains(t, string(out), ">>> 'nosuch-directive \"1\"'")
	assert.Contains(t, string(out), "Bad directive or wrong number of arguments")
	// Graceful stop on SIGTERM.
	port, err := redistest.FreePort()
	require.NoError(t, err)
	dir := t.TempDir()
	cmd := exec.Command(bin, "serve", "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir)
	var logbuf strings.Builder
	cmd.Stderr = &logbuf
	require.NoError(t, cmd.Start())
	addr := "127.0.0.1:" + strconv.Itoa(port)
	waitFor(t, "binary ready", func() bool {
		c := redistest.NewClient(addr)
		defer c.Close()
		return c.Ping(context.Background()).Err() == nil
	})
	require.NoError(t, cmd.Process.Signal(syscallTERM()))
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		assert.NoError(t, err)
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("serve did not exit on SIGTERM")
	}
	assert.Contains(t, logbuf.String(), "Received SIGTERM scheduling shutdown...")
	assert.Contains(t, logbuf.String(), "Redis is now ready to exit, bye bye...")
}
