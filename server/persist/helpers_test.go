package persist

import (
	"bytes"
	"context"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/redisctl/redisctl/internal/redistest"
	"github.com/redisctl/redisctl/rdb"
	"github.com/redisctl/redisctl/server"
)

// testLog collects the server's log lines.
type testLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *testLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *testLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// lines returns the log lines without their "pid:role date time level " prefix.
func (l *testLog) lines() []string {
	var out []string
	for _, ln := range strings.Split(l.String(), "\n") {
		if i := strings.Index(ln, " * "); i >= 0 {
			out = append(out, ln[i+3:])
		} else if i := strings.Index(ln, " # "); i >= 0 {
			out = append(out, ln[i+3:])
		}
	}
	return out
}

type testServer struct {
	srv    *server.Server
	p      *Persistence
	addr   string
	dir    string
	log    *testLog
	client *redis.Client
}

// startServer runs redisctl serve in-process with persistence (RDB and AOF, as the
// command builds it) on a free port; dir is the data directory (t.TempDir() when empty).
func startServer(t testing.TB, dir string, snap *Options, args ...string) *testServer {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		port, err := redistest.FreePort()
		require.NoError(t, err)
		a := append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir,
			"--enable-debug-command", "yes"}, args...)
		cfg, err := server.LoadConfig(a, nil)
		require.NoError(t, err)
		o := Options{Config: cfg, AOF: NewAOF(cfg)} // as redisctl serve builds it
		if snap != nil {
			o.Snapshot = snap.Snapshot
		}
		p := New(o)
		lg := &testLog{}
		srv, err := server.New(server.Options{Config: cfg, Log: lg, Persistence: p})
		require.NoError(t, err)
		if err := srv.Listen(); err != nil {
			lastErr = err
			if strings.Contains(err.Error(), "loading") {
				t.Fatalf("listen: %v\n%s", err, lg.String())
			}
			continue
		}
		go func() { _ = srv.Serve() }()
		ts := &testServer{srv: srv, p: p, addr: srv.Addr().String(), dir: dir, log: lg}
		ts.client = redistest.NewClient(ts.addr)
		t.Cleanup(func() {
			ts.client.Close()
			srv.Close()
		})
		return ts
	}
	t.Fatalf("could not start the server: %v", lastErr)
	return nil
}

// do runs one command and returns its reply or error text.
func do(t testing.TB, c *redis.Client, args ...any) any {
	t.Helper()
	v, err := c.Do(context.Background(), args...).Result()
	if err != nil && err != redis.Nil {
		return "ERR:" + err.Error()
	}
	return v
}

// infoField reads one INFO field.
func infoField(t testing.TB, c *redis.Client, section, name string) string {
	t.Helper()
	s, err := c.Info(context.Background(), section).Result()
	require.NoError(t, err)
	for _, ln := range strings.Split(s, "\r\n") {
		if v, ok := strings.CutPrefix(ln, name+":"); ok {
			return v
		}
	}
	t.Fatalf("INFO %s has no %s", section, name)
	return ""
}

// waitBgsave waits (bounded) until no BGSAVE is in progress.
func waitBgsave(t testing.TB, c *redis.Client, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for infoField(t, c, "persistence", "rdb_bgsave_in_progress") != "0" {
		if time.Now().After(deadline) {
			t.Fatalf("BGSAVE still running after %v", limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// selectDBs counts the SELECTDB records of an RDB file.
func selectDBs(t testing.TB, path string) int {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	d := rdb.NewDecoder(bytes.NewReader(data), nil)
	n := 0
	for d.Next() {
		if d.Kind() == rdb.RecSelectDB {
			n++
		}
	}
	require.NoError(t, d.Err())
	return n
}

// fileRecords decodes an RDB file into canonical records (encoding left empty) and
// reports keys met twice in one database.
func fileRecords(t testing.TB, path string) (recs []redistest.Record, dups []string) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	d := rdb.NewDecoder(bytes.NewReader(data), &rdb.Options{Deep: true})
	seen := map[string]bool{}
	for d.Next() {
		if d.Kind() != rdb.RecKeyBegin {
			continue
		}
		r := redistest.Record{DB: d.DB(), Key: redistest.Bytes(d.Key()), Type: d.ValueKind().String()}
		if e := d.Expire(); e >= 0 {
			r.ExpireAtMs = &e
		}
		id := strconv.Itoa(r.DB) + "/" + string(r.Key)
		if seen[id] {
			dups = append(dups, id)
		}
		seen[id] = true
		v, err := d.ReadValue()
		require.NoError(t, err)
		r.Value = recordValue(v)
		recs = append(recs, r)
	}
	require.NoError(t, d.Err())
	redistest.SortRecords(recs)
	return recs, dups
}

func recordValue(v *rdb.Value) any {
	b := func(x []byte) redistest.Bytes { return redistest.Bytes(x) }
	switch v.Kind {
	case rdb.KindString:
		return b(v.String)
	case rdb.KindList:
		out := []redistest.Bytes{}
		for _, e := range v.List {
			out = append(out, b(e))
		}
		return out
	case rdb.KindSet:
		out := []redistest.Bytes{}
		for _, e := range v.Set {
			out = append(out, b(e))
		}
		slices.Sort(out)
		return out
	case rdb.KindHash:
		out := []redistest.Pair{}
		for _, f := range v.Hash {
			out = append(out, redistest.Pair{b(f.Field), b(f.Value)})
		}
		slices.SortFunc(out, func(x, y redistest.Pair) int { return strings.Compare(string(x[0]), string(y[0])) })
		return out
	case rdb.KindZSet:
		ms := slices.Clone(v.ZSet)
		slices.SortFunc(ms, func(x, y rdb.ZMember) int {
			if x.Score != y.Score {
				if x.Score < y.Score {
					return -1
				}
				return 1
			}
			return bytes.Compare(x.Member, y.Member)
		})
		out := []redistest.Pair{}
		for _, m := range ms {
			out = append(out, redistest.Pair{b(m.Member), redistest.Bytes(redistest.FormatScore(m.Score))})
		}
		return out
	}
	return nil
}

// canon strips the encoding and passes records through their JSON form, one line each.
func canon(t testing.TB, rs []redistest.Record) []string {
	t.Helper()
	cp := slices.Clone(rs)
	for i := range cp {
		cp[i].Encoding = ""
	}
	redistest.SortRecords(cp)
	var buf bytes.Buffer
	require.NoError(t, redistest.WriteRecords(&buf, cp))
	back, err := redistest.ReadRecords(&buf)
	require.NoError(t, err)
	buf.Reset()
	require.NoError(t, redistest.WriteRecords(&buf, back))
	return strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
}

// diffLines reports the first differences between two canonical record lists.
func diffLines(want, got []string) string {
	w := map[string]bool{}
	for _, l := range want {
		w[l] = true
	}
	g := map[string]bool{}
	for _, l := range got {
		g[l] = true
	}
	var sb strings.Builder
	n := 0
	for _, l := range want {
		if !g[l] && n < 10 {
			sb.WriteString("missing: " + trunc(l) + "\n")
			n++
		}
	}
	n = 0
	for _, l := range got {
		if !w[l] && n < 10 {
			sb.WriteString("extra:   " + trunc(l) + "\n")
			n++
		}
	}
	return sb.String()
}

func trunc(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}
