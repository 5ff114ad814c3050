package config

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// This file runs the installed redis-server as the oracle.

func redisServerPath(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("redis-server is required under CI=true: %v", err)
		}
		t.Skip("redis-server not installed: skipping the differential test against real Redis")
	}
	return p
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

type oracle struct {
	cmd  *exec.Cmd
	conn net.Conn
	r    *bufio.Reader
	dir  string
	conf string
}

// startOracle starts redis-server with a config file holding body plus port and dir.
func startOracle(t *testing.T, body string) *oracle {
	t.Helper()
	bin := redisServerPath(t)
	dir := t.TempDir()
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		dir = real
	}
	port := freePort(t)
	conf := filepath.Join(dir, "redis.conf")
	text := body + fmt.Sprintf("\nport %d\nbind 127.0.0.1\ndir %s\n", port, dir)
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, conf)
	cmd.Dir = dir
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	o := &oracle{cmd: cmd, dir: dir, conf: conf}
	t.Cleanup(func() {
		if o.conn != nil {
			o.conn.Close()
		}
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			o.conn, o.r = c, bufio.NewReader(c)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server did not start: %v\n%s", err, logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return o
}

// do sends a command and returns the reply: a string for status and bulk replies, an
// error for error replies, []any for arrays.
func (o *oracle) do(t *testing.T, args ...string) any {
	t.Helper()
	var b bytes.Buffer
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	_ = o.conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := o.conn.Write(b.Bytes()); err != nil {
		t.Fatalf("write %q: %v", args, err)
	}
	v, err := readReply(o.r)
	if err != nil {
		t.Fatalf("reply to %q: %v", args, err)
	}
	return v
}

type replyErr string

func (e replyErr) Error() string { return string(e) }

func readReply(r *bufio.Reader) (any, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return nil, err
	}
	line = strings.TrimSuffix(line, "\r\n")
	if line == "" {
		return nil, errors.New("empty reply line")
	}
	switch line[0] {
	case '+':
		return line[1:], nil
	case '-':
		return replyErr(line[1:]), nil
	case ':':
		return line[1:], nil
	case '$':
		n, _ := strconv.Atoi(line[1:])
		if n < 0 {
			return nil, nil
		}
		buf := make([]byte, n+2)
		if _, err := io_ReadFull(r, buf); err != nil {
			return nil, err
		}
		return string(buf[:n]), nil
	case '*':
		n, _ := strconv.Atoi(line[1:])
		out := make([]any, 0, n)
		for i := 0; i < n; i++ {
			v, err := readReply(r)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	}
	return nil, fmt.Errorf("bad reply %q", line)
}

func io_ReadFull(r *bufio.Reader, b []byte) (int, error) {
	n := 0
	for n < len(b) {
		m, err := r.Read(b[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

func (o *oracle) getAll(t *testing.T, patterns ...string) map[string]string {
	t.Helper()
	v := o.do(t, append([]string{"CONFIG", "GET"}, patterns...)...)
	arr, ok := v.([]any)
	if !ok {
		t.Fatalf("CONFIG GET: %v", v)
	}
	m := map[string]string{}
	for i := 0; i+1 < len(arr); i += 2 {
		m[arr[i].(string)] = arr[i+1].(string)
	}
	return m
}

func pairsToMap(p []string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(p); i += 2 {
		m[p[i]] = p[i+1]
	}
	return m
}

// ours builds our Config from the same file the oracle loaded.
func ours(t *testing.T, o *oracle) *Config {
	t.Helper()
	c := New()
	if err := c.LoadServer(o.conf, nil, ""); err != nil {
		t.Fatalf("loading %s: %v", o.conf, err)
	}
	return c
}

func replyText(v any) string {
	switch x := v.(type) {
	case replyErr:
		return string(x)
	case string:
		return x
	}
	return fmt.Sprint(v)
}

func errText(err error) string {
	if err == nil {
		return "OK"
	}
	return err.Error()
}

func TestOracleDefaults(t *testing.T) {
	o := startOracle(t, "")
	c := ours(t, o)
	want := o.getAll(t, "*")
	got := pairsToMap(c.Get("*"))
	if len(want) != len(got) {
		t.Errorf("CONFIG GET * has %d entries in Redis, %d here", len(want), len(got))
	}
	for k, v := range want {
		if g, ok := got[k]; !ok {
			t.Errorf("missing directive %q (Redis: %q)", k, v)
		} else if g != v {
			t.Errorf("%s: Redis %q, ours %q", k, v, g)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("extra directive %q", k)
		}
	}
	// Hidden directives answer only to their exact name.
	for _, h := range []string{"use-exit-on-panic", "rdb-key-save-delay", "key-load-delay", "watchdog-period",
		"loading-process-events-interval-bytes", "HZ", "Maxmemory", "no-such-thing"} {
		w := o.getAll(t, h)
		g := pairsToMap(c.Get(h))
		if fmt.Sprint(w) != fmt.Sprint(g) {
			t.Errorf("CONFIG GET %s: Redis %v, ours %v", h, w, g)
		}
	}
}

// setBattery is compared reply by reply, and the affected values after each call.
var setBattery = [][]string{
	{"maxmemory", "1gb"}, {"maxmemory", "100mb"}, {"maxmemory", "1k"}, {"maxmemory", "1KB"}, {"maxmemory", "3G"},
	{"maxmemory", ""}, {"maxmemory", "gb"}, {"maxmemory", "1 gb"}, {"maxmemory", "-1"}, {"maxmemory", "+1"},
	{"maxmemory", "18446744073709551616"}, {"maxmemory", "99999999999gb"}, {"maxmemory", "0001"}, {"maxmemory", "1b"},
	{"maxmemory", strings.Repeat("1", 130)}, {"maxmemory", "1tb"}, {"maxmemory", "0"},
	{"maxmemory-policy", "allkeys-lru"}, {"maxmemory-policy", "ALLKEYS-LFU"}, {"maxmemory-policy", "foo"},
	{"maxmemory-policy", ""}, {"maxmemory-policy", "noeviction"},
	{"maxmemory-clients", "10%"}, {"maxmemory-clients", "100%"}, {"maxmemory-clients", "101%"},
	{"maxmemory-clients", "-5"}, {"maxmemory-clients", "%"}, {"maxmemory-clients", "-1%"}, {"maxmemory-clients", "1gb"},
	{"maxmemory-clients", "0"},
	{"hash-max-listpack-entries", "1000"}, {"hash-max-ziplist-entries", "7"}, {"hash-max-listpack-entries", "-1"},
	{"hash-max-listpack-value", "1kb"}, {"HASH-MAX-ZIPLIST-VALUE", "foo"}, {"hash-max-listpack-value", "9223372036854775808"},
	{"set-max-intset-entries", "0"}, {"zset-max-listpack-entries", "x"}, {"zset-max-ziplist-value", "2k"},
	{"list-max-listpack-size", "-5"}, {"list-max-ziplist-size", "-2147483649"}, {"list-max-listpack-size", "2147483647"},
	{"list-compress-depth", "3"}, {"list-compress-depth", "-1"},
	{"hz", "1000"}, {"hz", "0"}, {"hz", "-1"}, {"hz", "10"}, {"hz", "007"}, {"hz", "+5"}, {"hz", " 5"}, {"hz", "-0"},
	{"hz", "99999999999999999999"}, {"hz", "5.5"},
	{"timeout", "2147483648"}, {"slowlog-log-slower-than", "-1"}, {"slowlog-log-slower-than", "-2"},
	{"slowlog-max-len", "-1"}, {"slowlog-max-len", "9223372036854775807"}, {"slowlog-max-len", "128"},
	{"active-defrag-cycle-min", "0"}, {"active-defrag-cycle-max", "99"}, {"active-expire-effort", "11"},
	{"proto-max-bulk-len", "1k"}, {"proto-max-bulk-len", "9223372036854775808"}, {"proto-max-bulk-len", "2mb"},
	{"client-query-buffer-limit", "1mb"}, {"repl-backlog-size", "0"}, {"repl-backlog-size", "10mb"},
	{"auto-aof-rewrite-min-size", "1gb"}, {"repl-backlog-ttl", "-1"}, {"stream-node-max-bytes", "8kb"},
	{"activerehashing", "no"}, {"activerehashing", "YES"}, {"activerehashing", "maybe"}, {"activerehashing", ""},
	{"activedefrag", "yes"}, {"activedefrag", "no"}, {"slave-read-only", "no"}, {"replica-read-only", "yes"},
	{"daemonize", "yes"}, {"databases", "1"}, {"port", "99999"}, {"unixsocketperm", "700"}, {"socket-mark-id", "1"},
	{"dir", "/tmp"}, {"dbfilename", "x.rdb"}, {"appendfilename", "x"}, {"foo", "bar"}, {"replicaof", "no one"},
	{"slaveof", "127.0.0.1 1"}, {"loglevel", "warning"}, {"loglevel", "nothing"}, {"loglevel", "a b"},
	{"loglevel", "notice"}, {"shutdown-on-sigint", "default save"}, {"shutdown-on-sigint", "now"},
	{"shutdown-on-sigint", "SAVE NOW"}, {"shutdown-on-sigint", ""}, {"shutdown-on-sigint", "save nosave"},
	{"shutdown-on-sigint", "now  force"}, {"shutdown-on-sigterm", "force default"}, {"shutdown-on-sigint", "default"},
	{"propagation-error-behavior", "panic-on-replicas"}, {"propagation-error-behavior", "x"},
	{"sanitize-dump-payload", "clients"}, {"acl-pubsub-default", "allchannels"}, {"acl-pubsub-default", "x"},
	{"repl-diskless-load", "swapdb"}, {"appendfsync", "always"}, {"appendfsync", "sometimes"},
	{"cluster-preferred-endpoint-type", "hostname"}, {"tls-auth-clients", "optional"},
	{"notify-keyspace-events", "KEA"}, {"notify-keyspace-events", "g$lshzxetd"}, {"notify-keyspace-events", "g$lshzxet"},
	{"notify-keyspace-events", "AAxK"}, {"notify-keyspace-events", "mnd"}, {"notify-keyspace-events", "Q"},
	{"notify-keyspace-events", "Ex"}, {"notify-keyspace-events", ""},
	{"save", "100 +1"}, {"save", " 100 1"}, {"save", "100 1 "}, {"save", "100  1"}, {"save", `"100" 1`},
	{"save", "100 1x"}, {"save", "0 1"}, {"save", "100 -1"}, {"save", "100 4294967297"},
	{"save", "99999999999999999999 1"}, {"save", "900 1 300 10"}, {"save", ""}, {"save", "1"},
	{"save", "3600 1 300 100 60 10000"},
	{"client-output-buffer-limit", "REPLICA 1kb 2k 3 Normal 1 1 0"}, {"client-output-buffer-limit", "pubsub 1 1 -1"},
	{"client-output-buffer-limit", "pubsub 1 1 1x"}, {"client-output-buffer-limit", "pubsub 1 1 99999999999"},
	{"client-output-buffer-limit", ""}, {"client-output-buffer-limit", "master 1 1 1"},
	{"client-output-buffer-limit", "normal 1 1"}, {"client-output-buffer-limit", "pubsub 1gb x 1"},
	{"client-output-buffer-limit", "normal 0 0 0 slave 256mb 64mb 60 pubsub 32mb 8mb 60"},
	{"oom-score-adj-values", "1 -2000 2000"}, {"oom-score-adj-values", "1  2"}, {"oom-score-adj-values", "a b c"},
	{"oom-score-adj-values", "1 2"}, {"oom-score-adj-values", "1 2 2001"}, {"oom-score-adj-values", "0 200 800"},
	{"latency-tracking-info-percentiles", "0.5 99.99999 100 0 1e1 0x10"}, {"latency-tracking-info-percentiles", ""},
	{"latency-tracking-info-percentiles", "50  99"}, {"latency-tracking-info-percentiles", "inf"},
	{"latency-tracking-info-percentiles", "nan"}, {"latency-tracking-info-percentiles", " 5"},
	{"latency-tracking-info-percentiles", "1e-300"}, {"latency-tracking-info-percentiles", "50 99 99.9"},
	{"requirepass", ""}, {"masterauth", "x"}, {"masterauth", ""}, {"masteruser", "bob"},
	{"cluster-announce-hostname", "a.b-c"}, {"cluster-announce-hostname", "a_b"},
	{"cluster-announce-hostname", strings.Repeat("a", 256)}, {"cluster-announce-hostname", ""},
	{"proc-title-template", "{title} {port}"}, {"proc-title-template", ""}, {"proc-title-template", "{foo}"},
	{"proc-title-template", "{title"}, {"proc-title-template", "{{x}}"}, {"proc-title-template", "{title}"},
	{"proc-title-template", "{server-mode}"}, {"proc-title-template", "{title} {listen-addr} {server-mode}"},
	{"ignore-warnings", "ARM64-COW-BUG"}, {"replica-announce-ip", "1.2.3.4"}, {"slave-announce-ip", ""},
	// Several pairs: atomicity, duplicates, first error wins.
	{"maxmemory", "1", "maxmemory", "2"}, {"maxmemory", "1", "MAXMEMORY", "2"},
	{"maxmemory", "1", "hash-max-ziplist-entries", "1", "hash-max-listpack-entries", "2"},
	{"maxmemory", "1", "foo", "2", "daemonize", "yes"}, {"daemonize", "yes", "foo", "2"},
	{"maxmemory", "5mb", "hz", "x"}, {"hz", "20", "maxmemory", "x"}, {"maxmemory", "7mb", "maxmemory-policy", "allkeys-lfu"},
	{"maxmemory"}, {"maxmemory", "1", "x"}, {"save", "1 1", "save", "2 2"},
}

func TestOracleConfigSet(t *testing.T) {
	o := startOracle(t, "")
	c := ours(t, o)
	for _, args := range setBattery {
		want := replyText(o.do(t, append([]string{"CONFIG", "SET"}, args...)...))
		got := errText(c.SetWith(SetContext{Local: true}, args...))
		if want != got {
			t.Errorf("CONFIG SET %q:\n Redis %q\n ours  %q", args, want, got)
		}
		compareAll(t, o, c, fmt.Sprintf("after CONFIG SET %q", args))
	}
}

func compareAll(t *testing.T, o *oracle, c *Config, when string) {
	t.Helper()
	want := o.getAll(t, "*")
	got := pairsToMap(c.Get("*"))
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %s is %q in Redis, %q here", when, k, v, got[k])
		}
	}
}

// TestOracleGenericValues tries a set of values on every modifiable directive.
func TestOracleGenericValues(t *testing.T) {
	o := startOracle(t, "")
	c := ours(t, o)
	skip := map[string]bool{
		// These act on the oracle's process in ways that break the test (listening sockets,
		// client eviction, OS limits, TLS setup, the watchdog, AOF files).
		"bind": true, "port": true, "tls-port": true, "maxclients": true, "maxmemory-clients": true,
		"oom-score-adj": true, "appendonly": true, "watchdog-period": true, "requirepass": true,
		"tls-cluster": true, "tls-replication": true, "timeout": true, "use-exit-on-panic": true,
		"key-load-delay": true, "rdb-key-save-delay": true, "client-output-buffer-limit": true,
	}
	values := []string{"x!y", "-1", "", "1", "yes", "no", "0", "100%", "1kb", "99999999999999999999",
		"-9223372036854775808", "18446744073709551615", "0777", "2 2"}
	names := make([]string, 0)
	for _, e := range entries {
		if !skip[e.d.Name] {
			names = append(names, e.name)
		}
	}
	for _, name := range names {
		orig, _ := c.Value(name)
		for _, v := range values {
			want := replyText(o.do(t, "CONFIG", "SET", name, v))
			got := errText(c.Set(name, v))
			if want != got {
				t.Errorf("CONFIG SET %s %q:\n Redis %q\n ours  %q", name, v, want, got)
			}
			w := o.getAll(t, name)[name]
			g, _ := c.Value(name)
			if w != g {
				t.Errorf("after CONFIG SET %s %q: Redis %q, ours %q", name, v, w, g)
			}
			o.do(t, "CONFIG", "SET", name, orig)
			_ = c.Set(name, orig)
		}
	}
	compareAll(t, o, c, "after the generic battery")
}

// fileErrorCases are configuration texts redis-server refuses.
var fileErrorCases = []string{
	"port 7392\nfoo bar\n", "maxmemory 1 2\n", "maxmemory abc\n", "dir \"abc\n", "save 0 1\n", "loglevel foo\n",
	"daemonize maybe", "shutdown-on-sigint save nosave", "socket-mark-id -1", "unixsocketperm 999",
	"unixsocketperm 1000", "   \tMAXMEMORY   x  ", "bind 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17",
	"client-output-buffer-limit master 1 1 1", "client-output-buffer-limit normal 1 1", "notify-keyspace-events Q",
	"oom-score-adj-values a b c", "latency-tracking-info-percentiles 101", "replicaof a b", "dbfilename a/b",
	"appendfilename \"\"", "cluster-announce-hostname a_b", "proc-title-template \"{foo}\"", "maxmemory-clients 200%",
	"user", "list-max-ziplist-entries 1 2", "foo.bar", "sentinel x", "# c\n\n  hz 'x'y\n", "hz \"a\\x4\"",
	"maxmemory \"1\"gb", "dir /nonexistent/x", "replicaof no", "save 1", "loglevel", "include",
	"cluster-enabled yes\nreplicaof 127.0.0.1 6380", "maxmemory 1\r\nhz x\r\n", "appenddirname a/b",
	"io-threads 0", "databases 0", "supervised maybe",
}

func TestOracleFileErrors(t *testing.T) {
	bin := redisServerPath(t)
	dir := t.TempDir()
	for i, text := range fileErrorCases {
		path := filepath.Join(dir, fmt.Sprintf("c%d.conf", i))
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bin, path)
		cmd.Dir = dir
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		done := make(chan error, 1)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
			t.Errorf("case %q: redis-server did not exit", text)
			continue
		}
		c := New()
		c.dir.Store(&dir)
		err := c.LoadServer(path, nil, "")
		var fe *FileError
		if !errors.As(err, &fe) {
			t.Errorf("case %q: want a FileError, got %v (Redis: %q)", text, err, stderr.String())
			continue
		}
		if fe.Report() != stderr.String() {
			t.Errorf("case %q:\n Redis %q\n ours  %q", text, stderr.String(), fe.Report())
		}
	}
}

// TestOracleFileLoad loads valid configuration files in both and compares every value.
func TestOracleFileLoad(t *testing.T) {
	for _, body := range []string{
		"save 900 1\nsave 300 10\nmaxmemory 1gb\nmaxmemory-policy allkeys-lru\nhash-max-ziplist-entries 100\n",
		"save \"\"\nappendonly no\nslave-read-only no\nlua-time-limit 100\nlist-max-ziplist-entries 5\nlua-replicate-commands yes\n",
		"save 10 1\nsave \"\"\nsave 20 2\n",
		"client-output-buffer-limit replica 1gb 512mb 120\nclient-output-buffer-limit pubsub 0 0 0\nnotify-keyspace-events KEx\n",
		"oom-score-adj-values 10 20 30\nlatency-tracking-info-percentiles 1 2.5\nshutdown-on-sigterm save now\nhz 1000\n",
		"unixsocketperm 700\nsocket-mark-id 7\nmasteruser \"a b\\\"c\"\nmasterauth 'x'\nmaxmemory-clients 5%\n",
		"enable-protected-configs local\nenable-debug-command yes\nsanitize-dump-payload clients\nloglevel WARNING\n",
		"  # indented comment\n\tmaxmemory   2mb  \n\n\r\nsave 1 1\n",
		"replicaof 127.0.0.1 1\n",
	} {
		t.Run("", func(t *testing.T) {
			o := startOracle(t, body)
			c := ours(t, o)
			compareAll(t, o, c, fmt.Sprintf("after loading %q", body))
		})
	}
}

// TestOracleRewrite runs CONFIG REWRITE in Redis and Rewrite here on the same file after
// the same CONFIG SETs; lines are compared in place, and the appended section as a set
// (Redis appends in its dict's order).
func TestOracleRewrite(t *testing.T) {
	body := "# my conf\nsave 900 1\nsave 300 10\nmaxmemory 100mb\n\n\n# comment\nhash-max-ziplist-entries 100\n" +
		"slave-read-only yes\nrename-command FLUSHALL \"\"\nloglevel notice\n  timeout 5\n" +
		"lua-time-limit 100\nappendonly no\ninclude /dev/null\n"
	o := startOracle(t, body)
	c := New()
	c.HandleDirective("rename-command", func([]string) error { return nil })
	if err := c.LoadServer(o.conf, nil, ""); err != nil {
		t.Fatal(err)
	}
	// Redis refuses unknown directives at startup, so they join the file afterwards:
	// CONFIG REWRITE re-reads it and turns them into comments.
	loaded, err := os.ReadFile(o.conf)
	if err != nil {
		t.Fatal(err)
	}
	full := "bogus-directive 1\n" + string(loaded) + "unbalanced \"quote\nslaveof-x 1\n"
	if err := os.WriteFile(o.conf, []byte(full), 0o644); err != nil {
		t.Fatal(err)
	}
	ruleSets := [][]string{
		{"maxmemory", "2gb", "maxmemory-policy", "allkeys-lru", "notify-keyspace-events", "KEA"},
		{"client-output-buffer-limit", "pubsub 64mb 16mb 90", "save", "60 5", "timeout", "0"},
		{"masteruser", "a b\"c\x01", "busy-reply-threshold", "7", "hz", "1000", "shutdown-on-sigint", "save now"},
		{"maxmemory-clients", "5%", "hash-max-listpack-value", "1025", "oom-score-adj-values", "1 2 3"},
	}
	for _, args := range ruleSets {
		if r := replyText(o.do(t, append([]string{"CONFIG", "SET"}, args...)...)); r != "OK" {
			t.Fatalf("Redis CONFIG SET %q: %s", args, r)
		}
		if err := c.Set(args...); err != nil {
			t.Fatal(err)
		}
	}
	if r := replyText(o.do(t, "CONFIG", "REWRITE")); r != "OK" {
		t.Fatalf("CONFIG REWRITE: %s", r)
	}
	want, err := os.ReadFile(o.conf)
	if err != nil {
		t.Fatal(err)
	}
	mine := filepath.Join(t.TempDir(), "mine.conf")
	if err := os.WriteFile(mine, []byte(full), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := c.Rewrite(mine, RewriteOptions{}); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(mine)
	if err != nil {
		t.Fatal(err)
	}
	wantHead, wantTail, _ := strings.Cut(string(want), RewriteSignature+"\n")
	gotHead, gotTail, _ := strings.Cut(string(got), RewriteSignature+"\n")
	if wantHead != gotHead {
		t.Errorf("rewritten head differs:\n--- Redis\n%s\n--- ours\n%s", wantHead, gotHead)
	}
	wl := map[string]bool{}
	for _, l := range strings.Split(strings.TrimSpace(wantTail), "\n") {
		if !strings.HasPrefix(l, "user ") { // ACL users are the server's to rewrite
			wl[l] = true
		}
	}
	gl := map[string]bool{}
	for _, l := range strings.Split(strings.TrimSpace(gotTail), "\n") {
		gl[l] = true
	}
	for l := range wl {
		if !gl[l] {
			t.Errorf("Redis appended %q, we did not", l)
		}
	}
	for l := range gl {
		if !wl[l] {
			t.Errorf("we appended %q, Redis did not", l)
		}
	}
	if fi, err := os.Stat(mine); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("rewritten file mode: %v %v", fi.Mode(), err)
	}
}

// TestOracleArgsErrors compares redis-server's report for bad command-line options.
func TestOracleArgsErrors(t *testing.T) {
	bin := redisServerPath(t)
	dir := t.TempDir()
	conf := filepath.Join(dir, "ok.conf")
	if err := os.WriteFile(conf, []byte("port 0\n\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, argv := range [][]string{
		{conf, "--maxmemory", "x"},
		{"--port", "0", "--save", "--maxmemory", "1 2"},
		{"--port", "0", "--bind", "a b", "c", "--x"},
		{"--port 0", "--maxmemory y"},
		{"--port", "0", "--hz", "1", "2"},
	} {
		cmd := exec.Command(bin, argv...)
		cmd.Dir = dir
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		_ = cmd.Run()
		a := ParseArgs(argv)
		c := New()
		err := c.LoadServer(a.ConfigFile, nil, a.Options)
		var fe *FileError
		if !errors.As(err, &fe) {
			t.Errorf("%q: want a FileError, got %v", argv, err)
			continue
		}
		if fe.Report() != stderr.String() {
			t.Errorf("%q:\n Redis %q\n ours  %q", argv, stderr.String(), fe.Report())
		}
	}
}
