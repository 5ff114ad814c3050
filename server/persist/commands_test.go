package persist

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/redisctl/redisctl/internal/redistest"
	"github.com/redisctl/redisctl/server"
)

// side is one server under comparison.
type side struct {
	name string
	c    *redis.Client
	dir  string
	log  func() string
}

// infoFields returns INFO persistence as name -> value and the names in order.
func infoFields(t testing.TB, c *redis.Client) (map[string]string, []string) {
	t.Helper()
	s, err := c.Info(context.Background(), "persistence").Result()
	require.NoError(t, err)
	m := map[string]string{}
	var names []string
	for _, ln := range strings.Split(s, "\r\n") {
		if k, v, ok := strings.Cut(ln, ":"); ok {
			m[k] = v
			names = append(names, k)
		}
	}
	return m, names
}

// persistLogLine matches the log lines of the persistence layer.
var persistLogLine = regexp.MustCompile(`(DB saved on disk|Background saving|changes in \d+ seconds|Error moving temp|` +
	`Write error saving|Failed opening the temp|Saving the final RDB|child saving|DB reloaded|Done loading RDB|Loading RDB produced)`)

// persistLog extracts the persistence log lines, normalized: no prefix, digits as N,
// the data directory as DIR, sorted (a child's lines interleave with its parent's).
func persistLog(log, dir string) []string {
	var out []string
	num := regexp.MustCompile(`\d+`)
	for _, ln := range strings.Split(log, "\n") {
		if !persistLogLine.MatchString(ln) {
			continue
		}
		if i := strings.Index(ln, " * "); i >= 0 {
			ln = ln[i+3:]
		} else if i := strings.Index(ln, " # "); i >= 0 {
			ln = ln[i+3:]
		}
		if d, err := filepath.EvalSymlinks(dir); err == nil {
			ln = strings.ReplaceAll(ln, d, "DIR")
		}
		ln = strings.ReplaceAll(ln, dir, "DIR")
		out = append(out, num.ReplaceAllString(ln, "N"))
	}
	slices.Sort(out)
	return out
}

// TestCommandsLikeRedis runs the same persistence sequence on redis-server 7.0.15 and on
// redisctl serve and compares replies, INFO persistence and the log lines.
func TestCommandsLikeRedis(t *testing.T) {
	rs := redistest.Start(t, redistest.WithArgs("--enable-debug-command", "yes"))
	ts := startServer(t, "", nil, "--save", "")
	sides := []*side{
		{name: "redis", c: rs.Client(), dir: rs.Dir, log: rs.Log},
		{name: "redisctl", c: ts.client, dir: ts.dir, log: ts.log.String},
	}
	ctx := context.Background()
	both := func(args ...any) any {
		t.Helper()
		r := do(t, sides[0].c, args...)
		o := do(t, sides[1].c, args...)
		require.Equal(t, r, o, "%v", args)
		return r
	}
	fields := func(names ...string) {
		t.Helper()
		r, rn := infoFields(t, sides[0].c)
		o, on := infoFields(t, sides[1].c)
		require.Equal(t, rn, on, "INFO persistence field names")
		for _, n := range names {
			assert.Equal(t, r[n], o[n], "INFO %s", n)
		}
	}
	waitIdle := func() {
		t.Helper()
		for _, s := range sides {
			waitBgsave(t, s.c, time.Minute)
		}
	}
	// (rdb_last_bgsave_time_sec and rdb_current_bgsave_time_sec are wall-clock second
	// differences: they depend on where each save falls in its second.)
	stable := []string{"rdb_changes_since_last_save", "rdb_bgsave_in_progress", "rdb_last_bgsave_status",
		"rdb_saves", "loading", "aof_enabled"}

	fields(stable...)
	both("save")
	fields(stable...)
	for i := 0; i < 5; i++ {
		both("set", "k"+strconv.Itoa(i), i)
	}
	fields(stable...)
	both("bgsave")
	waitIdle()
	fields(stable...)
	for _, s := range sides {
		ls, err := s.c.LastSave(ctx).Result()
		require.NoError(t, err)
		assert.InDelta(t, time.Now().Unix(), ls, 3, s.name)
	}
	both("save", "x")
	both("bgsave", "x")
	both("bgsave", "schedule", "x")

	// A long BGSAVE (rdb-key-save-delay: 0.3 s per key): the in-progress errors, then
	// FLUSHALL kills it without counting an error.
	both("config", "set", "rdb-key-save-delay", "300000")
	both("bgsave")
	both("bgsave")
	both("bgsave", "schedule")
	both("save")
	fields("rdb_bgsave_in_progress", "rdb_last_bgsave_status")
	both("flushall")
	waitIdle()
	both("config", "set", "rdb-key-save-delay", "0")
	fields(stable...)

	// A failing save: dump.rdb is a directory, so the final rename fails.
	for _, s := range sides {
		_ = os.Remove(filepath.Join(s.dir, "dump.rdb"))
		require.NoError(t, os.Mkdir(filepath.Join(s.dir, "dump.rdb"), 0o755))
	}
	both("set", "x", "1")
	both("bgsave")
	waitIdle()
	fields(stable...)
	both("set", "y", "1") // no save points: no MISCONF
	both("config", "set", "save", "900 1")
	both("set", "y", "2") // MISCONF
	both("ping")          // MISCONF too
	both("get", "x")
	both("incr", "y")
	both("save") // fails: ERR
	fields(stable...)
	for _, s := range sides {
		require.NoError(t, os.Remove(filepath.Join(s.dir, "dump.rdb")))
	}
	both("bgsave")
	waitIdle()
	both("set", "y", "3")
	fields(stable...)
	both("config", "set", "save", "")

	// DEBUG RELOAD.
	both("rpush", "l", "a", "b")
	both("debug", "reload")
	both("lrange", "l", "0", "-1")
	both("debug", "reload", "nosave")
	both("dbsize")
	fields(stable...)

	// A save point fires: "1 changes in 1 seconds. Saving...".
	both("config", "set", "save", "1 1")
	both("set", "sp", "1")
	deadline := time.Now().Add(20 * time.Second)
	for {
		r, _ := infoFields(t, sides[0].c)
		o, _ := infoFields(t, sides[1].c)
		if r["rdb_changes_since_last_save"] == "0" && o["rdb_changes_since_last_save"] == "0" &&
			r["rdb_bgsave_in_progress"] == "0" && o["rdb_bgsave_in_progress"] == "0" {
			break
		}
		require.True(t, time.Now().Before(deadline), "the save point did not fire")
		time.Sleep(50 * time.Millisecond)
	}
	both("config", "set", "save", "")

	// The files carry the same AUX fields in the same order, and both pass redis-check-rdb.
	both("save")
	var aux [2][]string
	for i, s := range sides {
		out, ok := redistest.CheckRDB(t, filepath.Join(s.dir, "dump.rdb"))
		require.True(t, ok, out)
		for _, f := range redistest.ParseCheckRDBAux(out) {
			aux[i] = append(aux[i], f[0])
		}
	}
	assert.Equal(t, aux[0], aux[1], "AUX fields")

	rl, ol := persistLog(sides[0].log(), sides[0].dir), persistLog(sides[1].log(), sides[1].dir)
	assert.Equal(t, rl, ol, "persistence log lines (normalized, sorted)")
}

// TestShutdownAndLoad: SHUTDOWN saves with save points (and SHUTDOWN SAVE without), NOSAVE
// does not, SIGTERM's path saves with save points; the next start loads the file with
// Redis's log lines and INFO fields, dropping keys whose TTL passed meanwhile.
func TestShutdownAndLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "dump.rdb")
	ctx := context.Background()

	ts := startServer(t, dir, nil, "--save", "900", "1")
	do(t, ts.client, "set", "a", "1")
	do(t, ts.client, "rpush", "l", "x", "y")
	do(t, ts.client, "hset", "h", "f", "v")
	do(t, ts.client, "set", "short", "v", "px", "700")
	_ = ts.client.Do(ctx, "shutdown").Err()
	<-ts.srv.Done()
	require.FileExists(t, path)
	assert.Contains(t, ts.log.lines(), "Saving the final RDB snapshot before exiting.")
	assert.Contains(t, ts.log.lines(), "DB saved on disk")
	time.Sleep(800 * time.Millisecond)

	ts = startServer(t, dir, nil, "--save", "")
	lines := ts.log.lines()
	assert.Contains(t, lines, "Loading RDB produced by version 7.0.15")
	assert.Contains(t, lines, "Done loading RDB, keys loaded: 3, keys expired: 1.")
	assert.True(t, slices.ContainsFunc(lines, func(s string) bool {
		return regexp.MustCompile(`^DB loaded from disk: \d+\.\d{3} seconds$`).MatchString(s)
	}), "%q", lines)
	assert.True(t, slices.ContainsFunc(lines, func(s string) bool {
		return regexp.MustCompile(`^RDB age \d+ seconds$`).MatchString(s)
	}), "%q", lines)
	assert.Equal(t, "3", infoField(t, ts.client, "persistence", "rdb_last_load_keys_loaded"))
	assert.Equal(t, "1", infoField(t, ts.client, "persistence", "rdb_last_load_keys_expired"))
	assert.Equal(t, int64(3), ts.client.DBSize(ctx).Val())

	// SHUTDOWN NOSAVE keeps the old file; without save points plain SHUTDOWN does not save.
	st, err := os.Stat(path)
	require.NoError(t, err)
	do(t, ts.client, "set", "b", "2")
	_ = ts.client.Do(ctx, "shutdown", "nosave").Err()
	<-ts.srv.Done()
	st2, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, st.ModTime(), st2.ModTime())

	// SHUTDOWN SAVE saves without save points.
	ts = startServer(t, dir, nil, "--save", "")
	do(t, ts.client, "set", "c", "3")
	_ = ts.client.Do(ctx, "shutdown", "save").Err()
	<-ts.srv.Done()

	// SIGTERM (Server.Shutdown with the default mode) saves when save points are set.
	ts = startServer(t, dir, nil, "--save", "900", "1")
	assert.Equal(t, int64(4), ts.client.DBSize(ctx).Val(), "a, l, h and c")
	do(t, ts.client, "set", "d", "4")
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	require.NoError(t, ts.srv.Shutdown(sctx, server.ShutdownDefault))
	ts = startServer(t, dir, nil, "--save", "")
	assert.Equal(t, int64(5), ts.client.DBSize(ctx).Val())
	out, ok := redistest.CheckRDB(t, path)
	require.True(t, ok, out)
}
