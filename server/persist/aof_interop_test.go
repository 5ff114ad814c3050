package persist_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/redisctl/redisctl/internal/redistest"
)

func waitRewrite(t *testing.T, c *rawClient) {
	t.Helper()
	require.Eventually(t, func() bool {
		v, err := c.do("INFO", "persistence")
		return err == nil && strings.Contains(string(v.Str), "aof_rewrite_in_progress:0\r\n") &&
			!strings.Contains(string(v.Str), "aof_rewrite_scheduled:1")
	}, 20*time.Second, 20*time.Millisecond)
}

func fill(t *testing.T, c *rawClient, prefix string, streams bool) {
	t.Helper()
	cmds := [][]string{
		{"SET", prefix + "s", "v"}, {"SET", prefix + "n", "42"},
		{"SET", prefix + "ttl", "x", "PXAT", "4102444800000"},
		{"HSET", prefix + "h", "a", "1", "b", "2"}, {"SADD", prefix + "set", "1", "2", "x"},
		{"ZADD", prefix + "z", "1.5", "a", "inf", "b"}, {"XADD", prefix + "x", "1-1", "f", "v"},
		{"SELECT", "3"}, {"SET", prefix + "db3", "three"}, {"SELECT", "0"},
		{"MULTI"}, {"INCR", prefix + "tx"}, {"RPUSH", prefix + "l", "a", "b"}, {"EXEC"},
	}
	if !streams {
		cmds = append(cmds[:6], cmds[7:]...)
	}
	if !streams {
		cmds = append(cmds[:6], cmds[7:]...)
	}
	for i := 0; i < 300; i++ {
		cmds = append(cmds, []string{"RPUSH", prefix + "big", strconv.Itoa(i)})
		cmds = append(cmds, []string{"HSET", prefix + "bh", "f" + strconv.Itoa(i), strconv.Itoa(i)})
	}
	for _, cmd := range cmds {
		v, err := c.do(cmd...)
		require.NoError(t, err)
		require.False(t, v.IsError(), "%v: %s", cmd, v.String())
	}
}

func snapshotOf(t *testing.T, addr string) []string {
	t.Helper()
	cl := redistest.NewClient(addr)
	defer cl.Close()
	recs, err := redistest.Snapshot(context.Background(), cl)
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, redistest.WriteRecords(&buf, recs))
	return strings.Split(buf.String(), "\n")
}

// TestAOFLoadedByRedis: the appendonlydir redisctl serve writes (with and without RDB
// preamble, after BGREWRITEAOF, after CONFIG SET appendonly no/yes) passes
// redis-check-aof and loads in real redis-server 7.0 into the same dataset.
func TestAOFLoadedByRedis(t *testing.T) {
	redistest.Require(t, redistest.ServerBinary())
	bin := redisctlBinary(t)
	for _, preamble := range []string{"yes", "no"} {
		t.Run("preamble="+preamble, func(t *testing.T) {
			streams := true
			dir, logDir := t.TempDir(), t.TempDir()
			p, err := serveAOF(t, bin, dir, logDir, "--aof-use-rdb-preamble", preamble, "--aof-timestamp-enabled", "yes")
			require.NoError(t, err)
			defer p.Stop()
			c, err := dial(p.Addr)
			require.NoError(t, err)
			defer c.c.Close()
			fill(t, c, "a:", streams)
			v, err := c.do("BGREWRITEAOF")
			require.NoError(t, err)
			require.Equal(t, "Background append only file rewriting started", string(v.Str))
			waitRewrite(t, c)
			fill(t, c, "b:", streams)
			// Off and on again: a rewrite into a temporary incr file, renamed in at the end.
			_, err = c.do("CONFIG", "SET", "appendonly", "no")
			require.NoError(t, err)
			_, err = c.do("SET", "lost-while-off", "but in the base")
			require.NoError(t, err)
			_, err = c.do("CONFIG", "SET", "appendonly", "yes")
			require.NoError(t, err)
			waitRewrite(t, c)
			fill(t, c, "c:", streams)
			info, err := c.do("INFO", "persistence")
			require.NoError(t, err)
			for _, f := range []string{"aof_enabled:1", "aof_rewrites:2", "aof_last_bgrewrite_status:ok",
				"aof_last_write_status:ok", "aof_rewrite_in_progress:0", "aof_current_size:", "aof_base_size:",
				"aof_pending_rewrite:0", "aof_buffer_length:", "aof_pending_bio_fsync:", "aof_delayed_fsync:"} {
				require.Contains(t, string(info.Str), f)
			}
			want := snapshotOf(t, p.Addr)
			require.NoError(t, p.Stop())

			ad := filepath.Join(dir, "appendonlydir")
			man, err := os.ReadFile(filepath.Join(ad, "appendonly.aof.manifest"))
			require.NoError(t, err)
			ext := ".base.aof"
			if preamble == "yes" {
				ext = ".base.rdb"
			}
			require.Equal(t, "file appendonly.aof.3"+ext+" seq 3 type b\nfile appendonly.aof.3.incr.aof seq 3 type i\n", string(man))
			entries, err := os.ReadDir(ad)
			require.NoError(t, err)
			require.Len(t, entries, 3, "history files are removed")
			out, ok := redistest.CheckAOF(t, filepath.Join(ad, "appendonly.aof.manifest"))
			require.True(t, ok, out)

			srv := redistest.Start(t, redistest.WithFile(ad, "appendonlydir"), redistest.WithArgs("--appendonly", "yes"))
			got := snapshotOf(t, srv.Addr)
			require.Equal(t, want, got)
		})
	}
}

// TestAOFFromRedis: a directory real redis-server 7.0 wrote (after its own rewrite) loads
// in redisctl serve into the same dataset.
func TestAOFFromRedis(t *testing.T) {
	srv := redistest.Start(t, redistest.WithArgs("--appendonly", "yes", "--aof-timestamp-enabled", "yes"))
	c, err := dial(srv.Addr)
	require.NoError(t, err)
	fill(t, c, "a:", true)
	_, err = c.do("BGREWRITEAOF")
	require.NoError(t, err)
	waitRewrite(t, c)
	fill(t, c, "b:", true)
	c.c.Close()
	want := snapshotOf(t, srv.Addr)
	_, _ = srv.DoErr("SHUTDOWN", "NOSAVE")

	bin := redisctlBinary(t)
	dir, logDir := t.TempDir(), t.TempDir()
	require.NoError(t, redistest.CopyPath(filepath.Join(srv.Dir, "appendonlydir"), filepath.Join(dir, "appendonlydir")))
	p, err := serveAOF(t, bin, dir, logDir)
	require.NoError(t, err)
	defer p.Stop()
	require.Equal(t, want, snapshotOf(t, p.Addr))
	log, _ := os.ReadFile(p.Log)
	require.Contains(t, string(log), "DB loaded from base file appendonly.aof.2.base.rdb")
	require.Contains(t, string(log), "Opening AOF incr file appendonly.aof.2.incr.aof on server start")
}
