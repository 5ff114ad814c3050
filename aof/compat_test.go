package aof_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/redisctl/redisctl/aof"
	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/internal/redistest"
	"github.com/redisctl/redisctl/resp"
)

// run executes commands on our engine through a client, as a server would.
func run(eng *engine.Engine, cmds [][]string) {
	var w resp.Writer
	w.Reset(&bytes.Buffer{})
	eng.Lock()
	defer eng.Unlock()
	c := eng.NewClient(&w)
	c.Authenticated = true
	for _, cmd := range cmds {
		args := make([][]byte, len(cmd))
		for i, a := range cmd {
			args[i] = []byte(a)
		}
		eng.Exec(c, args)
	}
	eng.FreeClient(c)
}

// dataset covers every rewrite form: strings (int and raw), lists, sets (intset and
// hashtable), sorted sets (listpack and skiplist), hashes (listpack and hashtable), more
// than 64 elements (several batches), TTLs, streams with groups, several databases.
func dataset() [][]string {
	var cmds [][]string
	add := func(a ...string) { cmds = append(cmds, a) }
	add("SET", "s:int", "12345")
	add("SET", "s:raw", strings.Repeat("x", 100))
	add("SET", "s:ttl", "v", "PXAT", "4102444800123")
	l := []string{"RPUSH", "list:big"}
	for i := 0; i < 200; i++ {
		l = append(l, strconv.Itoa(i*7), "e"+strconv.Itoa(i))
	}
	add(l...)
	add("RPUSH", "list:small", "a", "1", "-5", "")
	s := []string{"SADD", "set:int"}
	for i := 0; i < 150; i++ {
		s = append(s, strconv.Itoa(i*3))
	}
	add(s...)
	add("SADD", "set:str", "a", "b", "c")
	z := []string{"ZADD", "zset:small"}
	for i := 0; i < 100; i++ {
		z = append(z, fmt.Sprint(float64(i)/10), "m"+strconv.Itoa(i))
	}
	add(z...)
	add("ZADD", "zset:big", "inf", "top", "-inf", "bottom", "1e300", "huge", "0.1", strings.Repeat("m", 80))
	h := []string{"HSET", "hash:small"}
	for i := 0; i < 70; i++ {
		h = append(h, "f"+strconv.Itoa(i), strconv.Itoa(i))
	}
	add(h...)
	add("HSET", "hash:ttl", "f", "v")
	add("PEXPIREAT", "hash:ttl", "4102444800000")
	add("XADD", "stream", "1-1", "a", "1", "b", "x")
	add("XADD", "stream", "2-5", "a", "2")
	add("XADD", "stream", "3-0", "c", "3")
	add("XDEL", "stream", "2-5")
	add("XGROUP", "CREATE", "stream", "g1", "0")
	add("XGROUP", "CREATECONSUMER", "stream", "g1", "idle")
	add("XADD", "empty", "MAXLEN", "0", "5-5", "x", "y")
	add("SELECT", "7")
	add("SET", "db7", "seven")
	return cmds
}

// parseCommands reads a command-form AOF into "db key -> commands" (SELECT tracked).
func parseCommands(t *testing.T, data []byte) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	sc := aof.NewScanner("x", bytes.NewReader(data), 0)
	db := "0"
	for sc.Next() {
		args := sc.Args()
		if args == nil {
			continue
		}
		name := strings.ToUpper(string(args[0]))
		if name == "SELECT" {
			db = string(args[1])
			continue
		}
		key := string(args[1])
		if name == "XGROUP" {
			key = string(args[2])
		}
		var parts []string
		for _, a := range args {
			parts = append(parts, string(a))
		}
		out[db+" "+key] = append(out[db+" "+key], strings.Join(parts, " "))
	}
	require.NoError(t, sc.Err())
	return out
}

// TestRewriteLikeRedis: the same dataset built in real Redis 7.0 and in our engine is
// rewritten (aof-use-rdb-preamble no) into the same commands, key by key; keys whose
// members come in hash-table order are compared as sorted argument lists.
func TestRewriteLikeRedis(t *testing.T) {
	srv := redistest.Start(t, redistest.WithArgs("--appendonly", "yes", "--aof-use-rdb-preamble", "no"))
	ctx := context.Background()
	conn := srv.Client().Conn()
	defer conn.Close()
	for _, c := range dataset() {
		args := make([]any, len(c))
		for i, a := range c {
			args[i] = a
		}
		require.NoError(t, conn.Do(ctx, args...).Err(), "%v", c)
	}
	require.NoError(t, conn.Do(ctx, "BGREWRITEAOF").Err())
	var base []byte
	require.Eventually(t, func() bool {
		info, _ := conn.Info(ctx, "persistence").Result()
		if !strings.Contains(info, "aof_rewrite_in_progress:0") || !strings.Contains(info, "aof_rewrites:1") {
			return false
		}
		m, err := os.ReadFile(filepath.Join(srv.Dir, "appendonlydir", "appendonly.aof.manifest"))
		if err != nil || !strings.Contains(string(m), ".2.base.aof") {
			return false
		}
		base, err = os.ReadFile(filepath.Join(srv.Dir, "appendonlydir", "appendonly.aof.2.base.aof"))
		return err == nil
	}, 10*time.Second, 20*time.Millisecond)

	eng := newEngine()
	run(eng, dataset())
	var ours bytes.Buffer
	require.NoError(t, aof.Rewrite(&ours, eng, nil))
	want, got := parseCommands(t, base), parseCommands(t, ours.Bytes())
	require.Equal(t, len(want), len(got))
	for k, w := range want {
		g := got[k]
		if strings.HasPrefix(k, "0 set:str") || strings.HasPrefix(k, "0 zset:big") {
			w, g = sortedWords(w), sortedWords(g)
		}
		require.Equal(t, w, g, "key %s", k)
	}
}

func sortedWords(cmds []string) []string {
	var out []string
	for _, c := range cmds {
		out = append(out, strings.Fields(c)...)
	}
	sort.Strings(out)
	return out
}

// TestDamageLikeRedis: damaged directories load in our loader exactly as in real Redis
// 7.0: the same status (loads or refuses) and the same file size after its truncation.
func TestDamageLikeRedis(t *testing.T) {
	redistest.Require(t, redistest.ServerBinary())
	var good []byte
	e := aof.NewEncoder(true)
	good = e.Append(good, 0, [][]byte{[]byte("SET"), []byte("a"), []byte("1")}, 1700000000)
	good = e.Append(good, 0, [][]byte{[]byte("MULTI")}, 1700000000)
	good = e.Append(good, 0, [][]byte{[]byte("INCR"), []byte("n")}, 1700000000)
	good = e.Append(good, 0, [][]byte{[]byte("EXEC")}, 1700000000)
	good = e.Append(good, 0, [][]byte{[]byte("RPUSH"), []byte("l"), []byte("x")}, 1700000001)
	multiOpen := append(append([]byte(nil), good...), "*1\r\n$5\r\nMULTI\r\n*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n"...)
	cases := []struct {
		name     string
		base     []byte // appendonly.aof.1.base.aof
		incr     []byte // appendonly.aof.1.incr.aof
		truncate bool   // aof-load-truncated
	}{
		{"clean", good, good, true},
		{"torn tail", good, append(append([]byte(nil), good...), "*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$3\r\nxy"...), true},
		{"torn tail refused", good, append(append([]byte(nil), good...), "*3\r\n$3\r\nSET"...), false},
		{"torn annotation", good, append(append([]byte(nil), good...), "#TS:17000"...), true},
		{"multi without exec", good, multiOpen, true},
		{"torn base", append(append([]byte(nil), good...), "*2\r\n$3\r\nDEL"...), good, true},
		{"bad byte", good, append(append([]byte(nil), good...), "+OK\r\n"...), true},
		{"unknown command", good, append(append([]byte(nil), good...), "*1\r\n$7\r\nNOTACMD\r\n"...), true},
	}
	write := func(dir string, base, incr []byte) string {
		d := filepath.Join(dir, "appendonlydir")
		require.NoError(t, os.MkdirAll(d, 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(d, "appendonly.aof.1.base.aof"), base, 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(d, "appendonly.aof.1.incr.aof"), incr, 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(d, "appendonly.aof.manifest"),
			[]byte("file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"), 0o644))
		return d
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ours := t.TempDir()
			od := write(ours, tc.base, tc.incr)
			_, _, st, _, log := loadDir(t, ours, &aof.LoadOptions{LoadTruncated: tc.truncate})
			ourOK := st == aof.StatusOK || st == aof.StatusTruncated
			ourSize := fileSize(t, filepath.Join(od, "appendonly.aof.1.incr.aof"))

			theirs := t.TempDir()
			td := write(theirs, tc.base, tc.incr)
			yes := "no"
			if tc.truncate {
				yes = "yes"
			}
			redisOK := startsOnce(t, theirs, "--appendonly", "yes", "--aof-load-truncated", yes)
			require.Equal(t, redisOK, ourOK, "redis loads: %v; ours: %v\n%s", redisOK, st, log)
			if redisOK {
				require.Equal(t, fileSize(t, filepath.Join(td, "appendonly.aof.1.incr.aof")), ourSize, log.String())
			}
		})
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	st, err := os.Stat(path)
	require.NoError(t, err)
	return st.Size()
}

// TestLegacyUpgrade: a legacy appendonly.aof (plain, or with an RDB preamble) is moved
// into the directory as base seq 1 and loaded, as real Redis 7.0 does at start-up.
func TestLegacyUpgrade(t *testing.T) {
	src := newEngine()
	run(src, dataset()[:12])
	for _, preamble := range []bool{false, true} {
		t.Run(fmt.Sprintf("preamble=%v", preamble), func(t *testing.T) {
			var buf bytes.Buffer
			require.NoError(t, aof.Rewrite(&buf, src, &aof.RewriteOptions{RDBPreamble: preamble}))
			// The tail written after the preamble.
			buf.Write(aof.NewEncoder(false).Append(nil, 0, [][]byte{[]byte("SET"), []byte("tail"), []byte("yes")}, 0))
			dir := t.TempDir()
			require.NoError(t, os.WriteFile(filepath.Join(dir, "appendonly.aof"), buf.Bytes(), 0o644))
			eng, _, st, err, log := loadDir(t, dir, nil)
			require.NoError(t, err, log.String())
			require.Equal(t, aof.StatusOK, st)
			require.Contains(t, log.String(), "Successfully migrated an old-style AOF into the AOF directory appendonlydir.")
			if preamble {
				require.Contains(t, log.String(), "Reading RDB preamble from AOF file...")
				require.Contains(t, log.String(), "Reading the remaining AOF tail...")
			}
			m, err := os.ReadFile(filepath.Join(dir, "appendonlydir", "appendonly.aof.manifest"))
			require.NoError(t, err)
			require.Equal(t, "file appendonly.aof seq 1 type b\n", string(m))
			require.NoFileExists(t, filepath.Join(dir, "appendonly.aof"))
			require.Equal(t, 12, eng.DB(0).Len())

			// Real Redis does the same with the same file.
			srv := redistest.Start(t, redistest.WithFile(filepath.Join(dir, "appendonlydir", "appendonly.aof"), "appendonly.aof"),
				redistest.WithArgs("--appendonly", "yes"))
			rm, err := os.ReadFile(filepath.Join(srv.Dir, "appendonlydir", "appendonly.aof.manifest"))
			require.NoError(t, err)
			require.Equal(t, "file appendonly.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n", string(rm))
			n, err := srv.Client().DBSize(context.Background()).Result()
			require.NoError(t, err)
			require.Equal(t, int64(12), n)
		})
	}
}

// startsOnce runs real redis-server once on dir (no retry on another port: a failed
// start may already have truncated a file) and reports whether it came up.
func startsOnce(t *testing.T, dir string, args ...string) bool {
	t.Helper()
	port, err := redistest.FreePort()
	require.NoError(t, err)
	cmd := exec.Command(redistest.ServerBinary(), redistest.RedisArgs(port, dir, args...)...)
	cmd.Dir = dir
	require.NoError(t, cmd.Start())
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	defer func() {
		_ = cmd.Process.Kill() // the PID we started
		<-exited
	}()
	addr := "127.0.0.1:" + strconv.Itoa(port)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return false
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			_, _ = c.Write([]byte("PING\r\n"))
			b := make([]byte, 7)
			_ = c.SetReadDeadline(time.Now().Add(time.Second))
			n, _ := c.Read(b)
			c.Close()
			if string(b[:n]) == "+PONG\r\n" {
				return true
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("redis-server neither started nor exited")
	return false
}
