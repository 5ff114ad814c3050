package server

import (
	"bytes"
	"errors"
	"io"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/redisctl/redisctl/internal/redistest"
)

// Differential tests: identical raw byte sequences go to the real redis-server 7.0 and to
// this server, on fresh connections, and everything each one answers (and whether it
// closes the connection) must be the same, byte for byte, after normalizing values that
// legitimately differ (client ids, addresses, times).
//
// A sequence is followed by a sentinel "PING __end__" so that the reader knows when the
// replies are complete without waiting for a timeout; sequences that close the connection
// are read to the end.

type diffCase struct {
	name string
	in   string
	// norm rewrites both outputs before comparing (nil: none).
	norm func([]byte) []byte
}

const sentinel = "PING __end__\r\n"

// exchange sends in plus the sentinel and reads until the sentinel's reply or EOF.
func exchange(t testing.TB, addr, in string) (out []byte, closed bool) {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	defer nc.Close()
	if _, err := io.WriteString(nc, in+sentinel); err != nil {
		t.Fatalf("write: %v", err)
	}
	buf := make([]byte, 64*1024)
	_ = nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		n, err := nc.Read(buf)
		out = append(out, buf[:n]...)
		if bytes.HasSuffix(out, []byte("__end__\r\n")) {
			return out, false
		}
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatalf("%s: no sentinel reply after 5 s; got %q", addr, out)
			}
			return out, true
		}
	}
}

// runDiff compares the cases on a real redis-server and on this server, both started with
// the same extra arguments. It skips when redis-server is not installed (fails under
// CI=true).
func runDiff(t *testing.T, cases []diffCase, args ...string) {
	t.Helper()
	runDiffSetup(t, cases, "", args...)
}

// runDiffSetup is runDiff with raw setup bytes sent to both servers first (for settings the
// oracle's readiness check would trip on, such as requirepass).
func runDiffSetup(t *testing.T, cases []diffCase, setup string, args ...string) {
	t.Helper()
	real := redistest.Start(t, redistest.WithArgs(args...))
	ours := startServer(t, args...)
	if setup != "" {
		w, _ := exchange(t, real.Addr, setup)
		g, _ := exchange(t, ours.addr, setup)
		if !bytes.Equal(w, g) {
			t.Fatalf("setup differs: redis %q ours %q", w, g)
		}
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want, wantClosed := exchange(t, real.Addr, tc.in)
			got, gotClosed := exchange(t, ours.addr, tc.in)
			if tc.norm != nil {
				want, got = tc.norm(want), tc.norm(got)
			}
			if !bytes.Equal(want, got) {
				t.Errorf("input %q\nredis: %q\nours:  %q", tc.in, want, got)
			}
			if wantClosed != gotClosed {
				t.Errorf("input %q: redis closed=%v, ours closed=%v", tc.in, wantClosed, gotClosed)
			}
		})
	}
}

// normRe returns a normalizer replacing every match of each pattern with "<X>".
func normRe(patterns ...string) func([]byte) []byte {
	res := make([]*regexp.Regexp, len(patterns))
	for i, p := range patterns {
		res[i] = regexp.MustCompile(p)
	}
	return func(b []byte) []byte {
		for _, re := range res {
			b = re.ReplaceAll(b, []byte("<X>"))
		}
		return b
	}
}

func cmd(args ...string) string {
	var sb strings.Builder
	sb.WriteString("*")
	sb.WriteString(itoa(int64(len(args))))
	sb.WriteString("\r\n")
	for _, a := range args {
		sb.WriteString("$")
		sb.WriteString(itoa(int64(len(a))))
		sb.WriteString("\r\n")
		sb.WriteString(a)
		sb.WriteString("\r\n")
	}
	return sb.String()
}

var helloID = normRe(`\$2\r\nid\r\n:\d+\r\n`)

func TestDiffServerCommands(t *testing.T) {
	cases := []diffCase{
		{name: "ping", in: "PING\r\nPING a\r\nPING a b\r\n" + cmd("ping", "") + cmd("PiNg")},
		{name: "echo", in: cmd("ECHO", "a\r\nb") + "ECHO\r\nECHO a b\r\n"},
		{name: "inline", in: "\r\n\n  PING\r\nECHO 'a b' \"c\\x41\\n\"\r\nECHO \"x\"y\r\n"},
		{name: "unknown", in: "NOSUCH\r\nnosuch a b c\r\n" + cmd("x", strings.Repeat("y", 200), "z")},
		{name: "quit", in: "PING\r\nQUIT\r\nPING\r\n"},
		{name: "quit args", in: "QUIT a b\r\n"},
		{name: "proto invalid mbulk", in: "*1\r\n$4\r\nPING\r\n*x\r\n"},
		{name: "proto expected dollar", in: "*2\r\n$4\r\nECHO\r\n:1\r\n"},
		{name: "proto invalid bulk", in: "*1\r\n$-2\r\n"},
		{name: "proto 4GB bulk", in: "*2\r\n$4\r\nECHO\r\n$4294967296\r\n"},
		{name: "proto unbalanced", in: "ECHO \"abc\r\n"},
		{name: "proto empty mbulk", in: "*0\r\n*-1\r\nPING\r\n"},
		{name: "hello", in: cmd("HELLO") + cmd("HELLO", "2"), norm: helloID},
		{name: "hello errors", in: cmd("HELLO", "4") + cmd("HELLO", "x") + cmd("HELLO", "3", "foo") +
			cmd("HELLO", "2", "SETNAME", "a b") + cmd("HELLO", "2", "AUTH", "u") + cmd("HELLO", "2", "AUTH", "bob", "x")},
		{name: "hello 3 then resp3 replies", in: cmd("HELLO", "3", "SETNAME", "n") + cmd("CLIENT", "GETNAME") +
			cmd("CONFIG", "GET", "maxmemory") + cmd("PING") + cmd("HELLO", "2") + cmd("CLIENT", "GETNAME"), norm: helloID},
		{name: "auth nopass", in: cmd("AUTH", "x") + cmd("AUTH", "default", "x") + cmd("AUTH", "bob", "x") + cmd("AUTH", "a", "b", "c")},
		{name: "client names", in: cmd("CLIENT", "GETNAME") + cmd("CLIENT", "SETNAME", "a b") + cmd("CLIENT", "SETNAME", "ok") +
			cmd("CLIENT", "GETNAME") + cmd("CLIENT", "SETNAME", "") + cmd("CLIENT", "GETNAME") + cmd("CLIENT", "SETNAME", "\xff")},
		{name: "client errors", in: cmd("CLIENT") + cmd("CLIENT", "NOPE") + cmd("CLIENT", "LIST", "TYPE", "x") +
			cmd("CLIENT", "LIST", "ID", "x") + cmd("CLIENT", "LIST", "foo") + cmd("CLIENT", "KILL", "1.2.3.4:5") +
			cmd("CLIENT", "KILL", "ID", "0") + cmd("CLIENT", "KILL", "ID", "x") + cmd("CLIENT", "KILL", "TYPE", "x") +
			cmd("CLIENT", "KILL", "FOO", "bar") + cmd("CLIENT", "KILL", "ID", "99999") + cmd("CLIENT", "KILL", "ID") +
			cmd("CLIENT", "KILL", "SKIPME", "maybe") + cmd("CLIENT", "KILL", "USER", "nobody") +
			cmd("CLIENT", "NO-EVICT", "x") + cmd("CLIENT", "NO-EVICT", "on") + cmd("CLIENT", "NO-EVICT", "off") +
			cmd("CLIENT", "PAUSE", "x") + cmd("CLIENT", "PAUSE", "-1") + cmd("CLIENT", "PAUSE", "10", "x") +
			cmd("CLIENT", "UNPAUSE") + cmd("CLIENT", "UNBLOCK", "x") + cmd("CLIENT", "UNBLOCK", "99999") +
			cmd("CLIENT", "UNBLOCK", "1", "maybe") + cmd("CLIENT", "GETREDIR") + cmd("CLIENT", "REPLY", "x")},
		{name: "client help", in: cmd("CLIENT", "HELP")},
		{name: "client reply", in: cmd("CLIENT", "REPLY", "OFF") + cmd("PING") + cmd("ECHO", "a") + cmd("CLIENT", "REPLY", "ON") +
			cmd("CLIENT", "REPLY", "SKIP") + cmd("ECHO", "b") + cmd("ECHO", "c")},
		// CONFIG GET with a pattern lists in Redis's dict order, random per process: not compared.
		{name: "config", in: cmd("CONFIG", "GET", "maxmemory") +
			cmd("CONFIG", "SET", "maxmemory", "10mb") + cmd("CONFIG", "GET", "maxmemory") + cmd("CONFIG", "SET", "nosuch", "1") +
			cmd("CONFIG", "SET", "maxmemory") + cmd("CONFIG", "SET", "hz", "abc") + cmd("CONFIG", "REWRITE") +
			cmd("CONFIG", "SET", "maxmemory", "0") + cmd("CONFIG", "HELP") + cmd("CONFIG") + cmd("CONFIG", "FOO")},
		{name: "command", in: cmd("COMMAND", "INFO", "ping", "echo", "nosuch") + cmd("COMMAND", "DOCS", "client|list") +
			cmd("COMMAND", "GETKEYS", "ping") + cmd("COMMAND", "GETKEYS", "nosuch") + cmd("COMMAND", "HELP") + cmd("COMMAND", "FOO")},
		{name: "pubsub resp2", in: cmd("SUBSCRIBE", "a", "b") + cmd("PSUBSCRIBE", "x*") + cmd("PING") + cmd("PING", "m") +
			cmd("ECHO", "no") + cmd("PUBSUB", "NUMSUB", "a", "zz") + cmd("UNSUBSCRIBE", "a") + cmd("UNSUBSCRIBE", "nope") +
			cmd("PUNSUBSCRIBE") + cmd("UNSUBSCRIBE") + cmd("UNSUBSCRIBE") + cmd("PUNSUBSCRIBE") + cmd("PING")},
		{name: "pubsub resp3", in: cmd("HELLO", "3") + cmd("SUBSCRIBE", "a") + cmd("PING") + cmd("ECHO", "yes") +
			cmd("PUBLISH", "a", "self") + cmd("UNSUBSCRIBE") + cmd("UNSUBSCRIBE"), norm: helloID},
		{name: "pubsub commands", in: cmd("PUBSUB", "CHANNELS") + cmd("PUBSUB", "CHANNELS", "*", "x") + cmd("PUBSUB", "NUMPAT") +
			cmd("PUBSUB", "NUMSUB") + cmd("PUBSUB", "HELP") + cmd("PUBLISH", "nobody", "x") + cmd("SUBSCRIBE")},
		{name: "reset", in: cmd("SUBSCRIBE", "a") + cmd("RESET") + cmd("PING") + cmd("MULTI") + cmd("PING") + cmd("RESET") +
			cmd("EXEC") + cmd("CLIENT", "SETNAME", "x") + cmd("RESET") + cmd("CLIENT", "GETNAME") + cmd("HELLO", "3") +
			cmd("RESET") + cmd("CONFIG", "GET", "hz"), norm: helloID},
		{name: "multi", in: cmd("MULTI") + cmd("PING") + cmd("ECHO", "x") + cmd("EXEC") + cmd("MULTI") + cmd("NOSUCH") +
			cmd("EXEC") + cmd("MULTI") + cmd("MULTI") + cmd("DISCARD") + cmd("EXEC") + cmd("MULTI") + cmd("SHUTDOWN") +
			cmd("MONITOR") + cmd("EXEC") + cmd("MULTI") + cmd("SUBSCRIBE", "q") + cmd("EXEC")},
		{name: "slowlog latency", in: cmd("SLOWLOG", "HELP") + cmd("SLOWLOG", "GET", "-2") + cmd("SLOWLOG", "GET", "x") +
			cmd("SLOWLOG", "RESET") + cmd("SLOWLOG", "LEN") + cmd("SLOWLOG", "GET", "1", "2") + cmd("LATENCY", "HELP") +
			cmd("LATENCY", "LATEST") + cmd("LATENCY", "HISTORY", "command") + cmd("LATENCY", "RESET") + cmd("LATENCY", "FOO")},
		{name: "misc", in: cmd("ROLE") + cmd("READONLY") + cmd("READWRITE") + cmd("WAIT", "0", "0") + cmd("WAIT", "x", "0") +
			cmd("WAIT", "0", "x") + cmd("WAIT", "0", "-1") + cmd("DEBUG", "SLEEP", "0") + cmd("SHUTDOWN", "SAVE", "NOSAVE") +
			cmd("SHUTDOWN", "ABORT") + cmd("SHUTDOWN", "FOO") + cmd("SHUTDOWN", "ABORT", "NOW") + cmd("TIME", "x") +
			cmd("SELECT", "100") + cmd("SELECT", "x")},
		{name: "info sections", in: cmd("INFO", "nosuch") + cmd("INFO", "modules") + cmd("INFO", "cluster") +
			cmd("INFO", "keyspace", "cluster")},
	}
	runDiff(t, cases)
}

func TestDiffAuthRequired(t *testing.T) {
	cases := []diffCase{
		{name: "noauth", in: cmd("PING") + cmd("ECHO", "x") + cmd("AUTH", "bad") + cmd("AUTH", "default", "bad") +
			cmd("HELLO", "3") + cmd("HELLO", "2", "AUTH", "default", "bad") + cmd("CLIENT", "ID") + cmd("QUIT")},
		{name: "unauth mbulk", in: "*20\r\n"},
		{name: "unauth bulk", in: "*1\r\n$20000\r\n"},
		{name: "auth ok", in: cmd("AUTH", "pw") + cmd("PING") + cmd("RESET") + cmd("PING") +
			cmd("HELLO", "2", "AUTH", "default", "pw"), norm: helloID},
	}
	runDiffSetup(t, cases, cmd("CONFIG", "SET", "requirepass", "pw"))
}

func TestDiffDebugLocal(t *testing.T) {
	cases := []diffCase{
		{name: "debug", in: cmd("DEBUG", "SLEEP", "0") + cmd("DEBUG", "SLEEP", "x") + cmd("DEBUG", "SET-ACTIVE-EXPIRE", "1") +
			cmd("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "1x") + cmd("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "100") +
			cmd("DEBUG", "FOO") + cmd("DEBUG", "OBJECT", "nokey") + cmd("DEBUG", "LOG", "hi") + cmd("DEBUG", "HELP") +
			cmd("DEBUG", "PROTOCOL", "attrib") + cmd("DEBUG", "PROTOCOL", "nope") + cmd("DEBUG", "PROTOCOL", "map") +
			cmd("DEBUG", "PROTOCOL", "double") + cmd("DEBUG", "PROTOCOL", "bignum") + cmd("DEBUG", "CHANGE-REPL-ID")},
		{name: "debug resp3", in: cmd("HELLO", "3") + cmd("DEBUG", "PROTOCOL", "attrib") + cmd("DEBUG", "PROTOCOL", "push") +
			cmd("DEBUG", "PROTOCOL", "verbatim") + cmd("DEBUG", "PROTOCOL", "set") + cmd("DEBUG", "PROTOCOL", "true"), norm: helloID},
	}
	runDiff(t, cases, "--enable-debug-command", "local")
}

func TestDiffOutputLimitNormal(t *testing.T) {
	big := strings.Repeat("v", 300*1024)
	cases := []diffCase{
		{name: "small reply", in: cmd("SET", "small", "x") + cmd("GET", "small")},
		{name: "big reply closes", in: cmd("SET", "big", big) + cmd("STRLEN", "big") + cmd("GET", "big") + cmd("PING")},
	}
	runDiffSetup(t, cases, cmd("CONFIG", "SET", "client-output-buffer-limit", "normal 100kb 0 0"))
}

// monitorLines runs script on one connection while another MONITORs, and returns the
// monitor lines with the timestamp and client address removed.
func monitorLines(t *testing.T, addr string, script []string) []string {
	t.Helper()
	m := dial(t, addr)
	if got := m.str("MONITOR"); got != "OK" {
		t.Fatalf("MONITOR: %s", got)
	}
	c := dial(t, addr)
	for _, line := range script {
		c.send(line)
		c.read()
	}
	c.str("ECHO", "__end__")
	addrRe := regexp.MustCompile(`^\d+\.\d{6} \[(\d+) [^\]]+\] `)
	var out []string
	for {
		v := m.read()
		line := addrRe.ReplaceAllString(string(v.Str), "[$1] ")
		if strings.Contains(line, "__end__") {
			return out
		}
		out = append(out, line)
	}
}

func TestDiffMonitor(t *testing.T) {
	real := redistest.Start(t)
	ours := startServer(t)
	script := []string{
		cmd("SET", "k", "v with \"quotes\"\n\x01"), cmd("GET", "k"), cmd("SELECT", "3"), cmd("PING"),
		cmd("MULTI"), cmd("INCR", "n"), cmd("ECHO", "x"), cmd("EXEC"), cmd("AUTH", "default", "pw"),
		cmd("HELLO", "2", "AUTH", "default", "pw"), cmd("CONFIG", "GET", "hz"), cmd("CLIENT", "SETNAME", "x"),
		cmd("NOSUCH"), cmd("GET"), cmd("DEBUG", "SLEEP", "0"), cmd("SELECT", "0"), cmd("DEL", "k", "n"),
	}
	want := monitorLines(t, real.Addr, script)
	got := monitorLines(t, ours.addr, script)
	if len(want) < 10 {
		t.Fatalf("the oracle's monitor stream is too short to compare: %q", want)
	}
	if strings.Join(want, "\n") != strings.Join(got, "\n") {
		t.Errorf("monitor output differs\nredis:\n%s\nours:\n%s", strings.Join(want, "\n"), strings.Join(got, "\n"))
	}
}

// slowlogShape reads SLOWLOG GET -1 and keeps, per entry, the arguments and client name
// (ids, times, durations and addresses differ between servers).
func slowlogShape(t *testing.T, addr string, script []string) string {
	t.Helper()
	c := dial(t, addr)
	c.str("CONFIG", "SET", "slowlog-log-slower-than", "0")
	c.str("SLOWLOG", "RESET")
	for _, line := range script {
		c.send(line)
		c.read()
	}
	v := c.do("SLOWLOG", "GET", "-1")
	var sb strings.Builder
	for _, e := range v.Elems {
		sb.WriteString(e.Elems[3].String())
		sb.WriteString(" name=" + string(e.Elems[5].Str) + "\n")
	}
	return sb.String()
}

func TestDiffSlowlog(t *testing.T) {
	real := redistest.Start(t)
	ours := startServer(t)
	many := []string{"ECHO"}
	for i := 0; i < 40; i++ {
		many = append(many, "a")
	}
	script := []string{
		cmd("CLIENT", "SETNAME", "slow"), cmd("SET", "k", strings.Repeat("x", 300)), cmd("AUTH", "default", "pw"),
		cmd(append([]string{"MSET"}, many[1:]...)...), cmd("MULTI"), cmd("PING"), cmd("EXEC"),
		cmd("CONFIG", "SET", "requirepass", ""), cmd("HELLO", "2", "AUTH", "default", "x"),
	}
	want := slowlogShape(t, real.Addr, script)
	got := slowlogShape(t, ours.addr, script)
	if strings.Count(want, "\n") < 8 {
		t.Fatalf("the oracle's slowlog is too short to compare:\n%s", want)
	}
	if want != got {
		t.Errorf("slowlog differs\nredis:\n%s\nours:\n%s", want, got)
	}
}
