package persist_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math/rand"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/redisctl/redisctl/internal/redistest"
	"github.com/redisctl/redisctl/resp"
)

var (
	buildOnce sync.Once
	buildPath string
	buildErr  error
)

// TestMain removes the redisctl binary the AOF tests built.
func TestMain(m *testing.M) {
	code := m.Run()
	if buildPath != "" {
		os.RemoveAll(filepath.Dir(buildPath))
	}
	os.Exit(code)
}

// redisctlBinary builds cmd/redisctl once per test binary.
func redisctlBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "redisctl-aof-crash-")
		if err != nil {
			buildErr = err
			return
		}
		buildPath = filepath.Join(dir, "redisctl")
		cmd := exec.Command("go", "build", "-o", buildPath, "./cmd/redisctl")
		cmd.Dir = filepath.Join("..", "..")
		out, err := cmd.CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatalf("%v", buildErr)
	}
	return buildPath
}

// serveAOF starts redisctl serve on dir with the AOF on; it returns the process or the
// launch error (a refused start-up).
func serveAOF(t *testing.T, bin, dir, logDir string, extra ...string) (*redistest.Process, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p, err := redistest.Launch(ctx, redistest.LaunchConfig{
		Binary: bin, Dir: dir, LogDir: logDir, ReadyTimeout: 20 * time.Second,
		Args: func(port int) []string {
			return append([]string{"serve", "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
				"--dir", dir, "--save", "", "--appendonly", "yes"}, extra...)
		},
	})
	if p != nil {
		t.Cleanup(p.Kill) // the PID we started; a no-op once it has exited
	}
	return p, err
}

// rawClient is a minimal RESP client: no retries, so an error never re-sends a write.
type rawClient struct {
	c  net.Conn
	bw *bufio.Writer
	rr *resp.ReplyReader
}

func dial(addr string) (*rawClient, error) {
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return nil, err
	}
	return &rawClient{c: c, bw: bufio.NewWriter(c), rr: resp.NewReplyReader(c)}, nil
}

func (r *rawClient) do(args ...string) (resp.Value, error) {
	_ = r.c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := r.bw.Write(resp.AppendCommandString(nil, args...)); err != nil {
		return resp.Value{}, err
	}
	if err := r.bw.Flush(); err != nil {
		return resp.Value{}, err
	}
	return r.rr.ReadValue()
}

// writer is one load client: it appends 1, 2, 3, … to its list (every fourth write in a
// MULTI/EXEC that also INCRs its counter) and records what was acknowledged.
type writer struct {
	id       int
	next     int // the next value to write
	acked    int // the highest acknowledged value
	ackTimes map[int]time.Time
	kill     time.Time // when the server was last killed
}

func (w *writer) run(addr string, stop <-chan struct{}, done *sync.WaitGroup) {
	defer done.Done()
	c, err := dial(addr)
	if err != nil {
		return
	}
	defer c.c.Close()
	list := "list:" + strconv.Itoa(w.id)
	for {
		select {
		case <-stop:
			return
		default:
		}
		v := strconv.Itoa(w.next)
		if w.next%4 == 0 {
			if _, err := c.do("MULTI"); err != nil {
				return
			}
			if _, err := c.do("RPUSH", list, v); err != nil {
				return
			}
			if _, err := c.do("INCR", "tx:"+strconv.Itoa(w.id)); err != nil {
				return
			}
			r, err := c.do("EXEC")
			if err != nil || r.IsError() {
				return
			}
		} else {
			r, err := c.do("RPUSH", list, v)
			if err != nil || r.IsError() {
				return
			}
		}
		w.acked = w.next
		if w.ackTimes != nil {
			w.ackTimes[w.next] = time.Now()
		}
		w.next++
	}
}

// check reads the writer's list after a restart: it must be 1..m with no hole, m at
// least minAcked (the acknowledged writes that must have survived); the counter must
// match the transactions in it. It moves next past m.
func (w *writer) check(t *testing.T, c *rawClient, minAcked int) {
	t.Helper()
	list := "list:" + strconv.Itoa(w.id)
	v, err := c.do("LRANGE", list, "0", "-1")
	require.NoError(t, err)
	m := len(v.Elems)
	for i, e := range v.Elems {
		require.Equal(t, strconv.Itoa(i+1), string(e.Str), "writer %d: element %d", w.id, i)
	}
	require.GreaterOrEqual(t, m, minAcked, "writer %d lost acknowledged writes", w.id)
	require.LessOrEqual(t, m, w.next, "writer %d: more than was sent", w.id)
	cnt, err := c.do("GET", "tx:"+strconv.Itoa(w.id))
	require.NoError(t, err)
	n, _ := strconv.Atoi(string(cnt.Str))
	require.Equal(t, m/4, n, "writer %d: transactions half applied", w.id)
	w.next, w.acked = m+1, m
}

func newWriters(n int, times bool) []*writer {
	ws := make([]*writer, n)
	for i := range ws {
		ws[i] = &writer{id: i, next: 1}
		if times {
			ws[i].ackTimes = map[int]time.Time{}
		}
	}
	return ws
}

// crashRounds runs the load, kills the server with SIGKILL at a random moment, restarts it
// on the same directory and checks the data, rounds times.
func crashRounds(t *testing.T, seed int64, rounds int, fsync string, maxLoss time.Duration) {
	bin := redisctlBinary(t)
	dir, logDir := t.TempDir(), t.TempDir()
	rng := rand.New(rand.NewSource(seed))
	ws := newWriters(4, maxLoss > 0)
	extra := []string{"--appendfsync", fsync, "--auto-aof-rewrite-min-size", "16kb", "--auto-aof-rewrite-percentage", "50"}
	for round := 0; round < rounds; round++ {
		p, err := serveAOF(t, bin, dir, logDir, extra...)
		require.NoError(t, err, "round %d: the server must restart", round)
		c, err := dial(p.Addr)
		require.NoError(t, err)
		for _, w := range ws {
			minAcked := w.acked
			if maxLoss > 0 {
				minAcked = 0
				for v, at := range w.ackTimes {
					if at.Before(w.killedAt().Add(-maxLoss)) && v > minAcked {
						minAcked = v
					}
				}
				w.ackTimes = map[int]time.Time{}
			}
			w.check(t, c, minAcked)
		}
		if round%5 == 4 {
			// An automatic rewrite (growth over 50%) may be running already.
			r, err := c.do("BGREWRITEAOF")
			require.NoError(t, err)
			if r.IsError() {
				require.Contains(t, r.String(), "already in progress")
			}
		}
		c.c.Close()
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for _, w := range ws {
			wg.Add(1)
			go w.run(p.Addr, stop, &wg)
		}
		time.Sleep(time.Duration(30+rng.Intn(400)) * time.Millisecond)
		p.Kill() // SIGKILL to the PID we started
		killAt := time.Now()
		close(stop)
		wg.Wait()
		for _, w := range ws {
			w.kill = killAt
		}
	}
	p, err := serveAOF(t, bin, dir, logDir, extra...)
	require.NoError(t, err)
	defer p.Stop()
	c, err := dial(p.Addr)
	require.NoError(t, err)
	defer c.c.Close()
	total := 0
	for _, w := range ws {
		floor := w.acked
		if maxLoss > 0 {
			floor = 0
		}
		w.check(t, c, floor)
		total += w.acked
	}
	t.Logf("%d kills, %d writes survived", rounds, total)
	out, ok := redistest.CheckAOF(t, filepath.Join(dir, "appendonlydir", "appendonly.aof.manifest"))
	require.True(t, ok, out)
}

func (w *writer) killedAt() time.Time { return w.kill }

// TestAOFCrashAlways: appendfsync always, 20+ SIGKILLs at random moments: the server always
// restarts and no acknowledged write is lost (nor half a transaction).
func TestAOFCrashAlways(t *testing.T) {
	redistest.Require(t, "redis-check-aof")
	crashRounds(t, 20261121, 22, "always", 0)
}

// TestAOFCrashEverysec: appendfsync everysec loses at most the last two seconds.
func TestAOFCrashEverysec(t *testing.T) {
	redistest.Require(t, "redis-check-aof")
	crashRounds(t, 7, 6, "everysec", 2*time.Second)
}

// TestAOFDamage: a torn last command is truncated as Redis does (aof-load-truncated yes,
// its log lines), a torn tail with aof-load-truncated no stops start-up, and damage in
// the middle stops start-up naming the file and the offset.
func TestAOFDamage(t *testing.T) {
	bin := redisctlBinary(t)
	dir, logDir := t.TempDir(), t.TempDir()
	p, err := serveAOF(t, bin, dir, logDir)
	require.NoError(t, err)
	c, err := dial(p.Addr)
	require.NoError(t, err)
	for i := 0; i < 50; i++ {
		_, err := c.do("SET", "k"+strconv.Itoa(i), strings.Repeat("v", i))
		require.NoError(t, err)
	}
	c.c.Close()
	p.Kill()
	incr := filepath.Join(dir, "appendonlydir", "appendonly.aof.1.incr.aof")
	good, err := os.ReadFile(incr)
	require.NoError(t, err)

	// A torn tail.
	torn := append(append([]byte(nil), good...), "*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$5\r\nab"...)
	require.NoError(t, os.WriteFile(incr, torn, 0o644))
	_, err = serveAOF(t, bin, dir, logDir, "--aof-load-truncated", "no")
	require.Error(t, err, "a torn tail with aof-load-truncated no must stop start-up")
	require.Contains(t, err.Error(), "Unexpected end of file reading the append only file appendonly.aof.1.incr.aof")

	p, err = serveAOF(t, bin, dir, logDir)
	require.NoError(t, err)
	log, _ := os.ReadFile(p.Log)
	require.Contains(t, string(log), "!!! Warning: short read while loading the AOF file appendonly.aof.1.incr.aof!!!")
	require.Contains(t, string(log), fmt.Sprintf("!!! Truncating the AOF appendonly.aof.1.incr.aof at offset %d !!!", len(good)))
	require.Contains(t, string(log), "AOF appendonly.aof.1.incr.aof loaded anyway because aof-load-truncated is enabled")
	c, err = dial(p.Addr)
	require.NoError(t, err)
	v, err := c.do("GET", "k49")
	require.NoError(t, err)
	require.Equal(t, strings.Repeat("v", 49), string(v.Str))
	c.c.Close()
	require.NoError(t, p.Stop())
	after, err := os.ReadFile(incr)
	require.NoError(t, err)
	require.True(t, bytes.HasPrefix(after, good))

	// Damage in the middle: a command that does not start with '*'.
	at := bytes.Index(good, []byte("*3\r\n$3\r\nSET\r\n$3\r\nk20\r\n"))
	require.Positive(t, at)
	bad := append([]byte(nil), after...)
	bad[at] = '!'
	require.NoError(t, os.WriteFile(incr, bad, 0o644))
	_, err = serveAOF(t, bin, dir, logDir)
	require.Error(t, err, "damage in the middle must stop start-up")
	require.Contains(t, err.Error(), "Bad file format reading the append only file appendonly.aof.1.incr.aof")
	require.Contains(t, err.Error(), fmt.Sprintf("at offset %d", at))
}
