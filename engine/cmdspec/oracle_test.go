package cmdspec

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/redisctl/redisctl/engine/cmdspec/internal/oracle"
	"github.com/redisctl/redisctl/engine/cmdspec/internal/rawresp"
)

// This file is the differential test: every reply is compared with the real
// redis-server's, byte for byte (up to the dict order Redis randomizes, see doc.go).

type oracleConns struct {
	c [2]*oracle.Conn // [0] RESP2, [1] RESP3
}

func startOracle(tb testing.TB) *oracleConns {
	tb.Helper()
	if _, err := exec.LookPath(oracle.Binary()); err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("redis-server is required under CI=true: %v", err)
		}
		tb.Skipf("redis-server not found (%v): differential tests against real Redis skipped; set CI=true to make this a failure", err)
	}
	srv, err := oracle.Start(tb.TempDir())
	require.NoError(tb, err)
	tb.Cleanup(srv.Stop)
	o := &oracleConns{}
	for i := range o.c {
		c, err := srv.Dial()
		require.NoError(tb, err)
		tb.Cleanup(func() { c.Close() })
		o.c[i] = c
	}
	r, err := o.c[1].Do("HELLO", "3")
	require.NoError(tb, err)
	require.Equal(tb, byte('%'), r[0], "HELLO 3: %q", r)
	ver, err := o.c[0].Do("INFO", "server")
	require.NoError(tb, err)
	if !bytes.Contains(ver, []byte("redis_version:"+RedisVersion()+"\r\n")) {
		tb.Logf("warning: redis-server is not %s, differences may be expected", RedisVersion())
	}
	return o
}

func (o *oracleConns) do(tb testing.TB, p Proto, args ...[]byte) []byte {
	tb.Helper()
	r, err := o.c[p.idx()].DoBytes(args...)
	require.NoError(tb, err)
	return r
}

// serve answers argv as our server would from table t: Resolve, then COMMAND.
func serve(t *Table, p Proto, argv [][]byte) []byte {
	s, err := t.Resolve(argv)
	if err == nil {
		if s.Name != "command" && (s.Parent == nil || s.Parent.Name != "command") {
			return []byte("+NOT-COMMAND\r\n")
		}
		var out []byte
		out, err = t.Command(nil, argv, p)
		if err == nil {
			return out
		}
	}
	return []byte("-" + err.Error() + "\r\n")
}

func bargs(args ...string) [][]byte {
	out := make([][]byte, len(args))
	for i, a := range args {
		out[i] = []byte(a)
	}
	return out
}

// canonical sorts what Redis takes from its dicts: subcommands of each COMMAND INFO
// entry (element 9) or COMMAND DOCS entry ("subcommands"), and, when all is true, the
// top-level entries themselves.
func canonical(tb testing.TB, raw []byte, kind string, all bool) []byte {
	tb.Helper()
	v, rest, err := rawresp.Parse(raw)
	require.NoError(tb, err, "%q", raw)
	require.Empty(tb, rest)
	if v.Type == '-' {
		return raw
	}
	switch kind {
	case "info":
		for i := range v.Elems {
			e := &v.Elems[i]
			if len(e.Elems) == 10 {
				subs := e.Elems[9].Elems
				sort.SliceStable(subs, func(a, b int) bool { return subs[a].Elems[0].Text() < subs[b].Elems[0].Text() })
			}
		}
		if all {
			sort.SliceStable(v.Elems, func(a, b int) bool { return v.Elems[a].Elems[0].Text() < v.Elems[b].Elems[0].Text() })
		}
	case "docs":
		for i := 1; i < len(v.Elems); i += 2 {
			if subs := v.Elems[i].MapGet("subcommands"); subs != nil {
				sortPairs(subs.Elems)
			}
		}
		if all {
			sortPairs(v.Elems)
		}
	case "list":
		sort.SliceStable(v.Elems, func(a, b int) bool { return v.Elems[a].Text() < v.Elems[b].Text() })
	}
	return rawresp.Append(nil, &v)
}

func sortPairs(e []rawresp.Value) {
	type pair struct{ k, v rawresp.Value }
	ps := make([]pair, len(e)/2)
	for i := range ps {
		ps[i] = pair{e[2*i], e[2*i+1]}
	}
	sort.SliceStable(ps, func(a, b int) bool { return ps[a].k.Text() < ps[b].k.Text() })
	for i, p := range ps {
		e[2*i], e[2*i+1] = p.k, p.v
	}
}

func (o *oracleConns) compare(tb testing.TB, t *Table, kind string, all bool, args ...[]byte) {
	tb.Helper()
	for _, p := range []Proto{RESP2, RESP3} {
		want := canonical(tb, o.do(tb, p, args...), kind, all)
		got := serve(t, p, args)
		if kind != "" {
			got = canonical(tb, got, kind, all)
		}
		if !bytes.Equal(want, got) {
			tb.Errorf("RESP%d %q:\nredis: %q\nours:  %q", p, bytes.Join(args, []byte(" ")), trim(want), trim(got))
		}
	}
}

func trim(b []byte) []byte {
	if len(b) > 600 {
		return append(b[:600:600], "..."...)
	}
	return b
}

func TestOracleInfoAndDocsEveryCommand(t *testing.T) {
	o := startOracle(t)
	tbl := Full()
	for _, name := range tbl.Names() {
		o.compare(t, tbl, "info", false, bargs("COMMAND", "INFO", name)...)
		o.compare(t, tbl, "docs", false, bargs("COMMAND", "DOCS", name)...)
		up := strings.ToUpper(name)
		o.compare(t, tbl, "info", false, bargs("command", "info", up, "nosuch", name)...)
		o.compare(t, tbl, "docs", false, bargs("command", "docs", "nosuch", up, name)...)
	}
	for _, odd := range []string{"", "|", "get|", "config|", "config|get|x", "|get", "config|nosuch", "CoNfIg|GeT"} {
		o.compare(t, tbl, "info", false, bargs("COMMAND", "INFO", odd)...)
		o.compare(t, tbl, "docs", false, bargs("COMMAND", "DOCS", odd)...)
	}
}

func TestOracleWholeTable(t *testing.T) {
	o := startOracle(t)
	tbl := Full()
	o.compare(t, tbl, "info", true, bargs("COMMAND")...)
	o.compare(t, tbl, "info", true, bargs("COMMAND", "INFO")...)
	o.compare(t, tbl, "docs", true, bargs("COMMAND", "DOCS")...)
	o.compare(t, tbl, "", false, bargs("COMMAND", "COUNT")...)
	o.compare(t, tbl, "", false, bargs("COMMAND", "HELP")...)
	o.compare(t, tbl, "list", false, bargs("COMMAND", "LIST")...)
	for _, c := range append(ACLCategoryNames(), "nosuch", "WRITE", "@read", "") {
		o.compare(t, tbl, "list", false, bargs("COMMAND", "LIST", "FILTERBY", "ACLCAT", c)...)
	}
	for _, p := range []string{"*", "config*", "CONFIG|*", "*get*", "[a-c]*", "x?dd", "*|help", `\*`, "[^a-z]*",
		"[", "a[", "[z-a]*", `[\]]*`, "*[", "s*t", "client|*list", "get", "GET", "????", "*a*b*c*", `x\`, "[a-", "**"} {
		o.compare(t, tbl, "list", false, bargs("COMMAND", "LIST", "FILTERBY", "PATTERN", p)...)
	}
	o.compare(t, tbl, "list", false, bargs("COMMAND", "LIST", "FILTERBY", "MODULE", "foo")...)
	for _, bad := range [][]string{{"FILTERBY"}, {"foo"}, {"FILTERBY", "bad", "x"}, {"FILTERBY", "PATTERN", "a", "b"}, {"FILTERBY", "ACLCAT"}} {
		o.compare(t, tbl, "", false, append(bargs("COMMAND", "LIST"), bargs(bad...)...)...)
	}
	// Every container's HELP.
	for _, s := range tbl.Commands() {
		if _, ok := AppendHelp(nil, s, RESP2); !ok {
			continue
		}
		for _, p := range []Proto{RESP2, RESP3} {
			want := o.do(t, p, bargs(strings.ToUpper(s.Name), "HELP")...)
			got, _ := AppendHelp(nil, s, p)
			require.Equal(t, string(want), string(got), "%s HELP RESP%d", s.Name, p)
		}
	}
}

func TestOracleErrors(t *testing.T) {
	o := startOracle(t)
	tbl := Full()
	long := strings.Repeat("x", 200)
	lines := [][]string{
		{"foo"}, {"foo", "a", "b"}, {"FOO", "a"}, {long}, {long, long}, {"foo", long},
		{"foo", strings.Repeat("a", 60), strings.Repeat("b", 60), "c", "d"},
		{"foo", strings.Repeat("a", 126), "b", "c"}, {"foo", strings.Repeat("a", 127), "b"},
		{"foo", "line\r\nbreak", "x\ny"}, {"foo\r\nbar"}, {"foo", "nul\x00here"}, {"nul\x00cmd", "a"},
		{"foo", ""}, {"", "a"},
		{"get"}, {"GET", "a", "b"}, {"config"}, {"CONFIG", "nosuch"}, {"config", "get"},
		{"Config", "NoSuch", "x"}, {"client", long}, {"client", "a\r\nb"}, {"command", "nosuch"},
		{"object", "nul\x00x"}, {"command", "count", "x"}, {"command", "getkeys"}, {"command", "getkeys", "get"},
		{"command", "info", "get"}, {"xinfo", "stream"}, {"georadiusbymember_ro"},
	}
	for _, l := range lines {
		o.compare(t, tbl, "", false, bargs(l...)...)
	}
	// Every command and subcommand called with one argument too few or too many.
	for _, s := range tbl.Commands() {
		for _, x := range append([]*Spec{s}, s.Subcommands...) {
			if x.Arity == -1 || (x.Parent != nil && x.Arity == -2) {
				continue
			}
			n := x.Arity + 1
			if x.Arity < 0 {
				n = -x.Arity - 1
			}
			argv := bargs(strings.ToUpper(x.Name))
			if x.Parent != nil {
				argv = bargs(x.Parent.Name, x.SubName)
			}
			for len(argv) < n {
				argv = append(argv, []byte("a"))
			}
			argv = argv[:n]
			o.compare(t, tbl, "", false, argv...)
		}
	}
}

// getkeysBattery is hand-picked: movable keys, variable flags and error cases.
var getkeysBattery = [][]string{
	{"get", "k"}, {"set", "k", "v"}, {"set", "k", "v", "GET"}, {"set", "k", "v", "ex", "10", "get"},
	{"mset", "a", "1", "b", "2"}, {"mset", "a", "1", "b"}, {"del", "a", "b", "c"}, {"ping"}, {"ping", "x"},
	{"nosuch", "x"}, {"get"}, {"get", "a", "b"}, {"config", "get", "x"}, {"config"}, {"config", "nosuch", "x"},
	{"eval", "return 1", "0"}, {"eval", "s", "2", "a", "b", "c"}, {"eval", "s", "3", "a"}, {"eval", "s", "-1"},
	{"eval", "s", "x"}, {"EVALSHA", "sha", "1", "k"}, {"eval_ro", "s", "1", "k"}, {"fcall", "f", "2", "a", "b"},
	{"fcall_ro", "f", "0"}, {"eval", "s", "01", "k"}, {"eval", "s", " 1", "k"}, {"eval", "s", "1x", "k"},
	{"zunionstore", "d", "2", "a", "b"}, {"zunionstore", "d", "0", "a"}, {"zunionstore", "d", "3", "a", "b"},
	{"zunionstore", "d", "2", "a", "b", "weights", "1", "2"}, {"zinterstore", "d", "1", "a"}, {"zdiffstore", "d", "2", "a", "b"},
	{"zunion", "2", "a", "b"}, {"zinter", "1", "a", "withscores"}, {"zdiff", "5", "a"}, {"zintercard", "2", "a", "b", "limit", "1"},
	{"sintercard", "2", "a", "b"}, {"sintercard", "x", "a"}, {"zunionstore", "d", "2x", "a", "b"},
	{"sort", "k"}, {"sort", "k", "store", "d"}, {"sort", "k", "by", "store", "store", "d"}, {"sort", "k", "limit", "0", "1", "store", "d"},
	{"sort", "k", "store", "d1", "store", "d2"}, {"sort", "k", "get", "#", "store"}, {"sort_ro", "k", "by", "x"},
	{"migrate", "h", "6379", "k", "0", "5"}, {"migrate", "h", "6379", "", "0", "5", "keys", "a", "b"},
	{"migrate", "h", "6379", "k", "0", "5", "keys", "a"}, {"migrate", "h", "p", "", "0", "5", "auth", "keys", "keys", "a"},
	{"migrate", "h", "p", "", "0", "5", "auth2", "u", "keys", "keys", "a"}, {"migrate", "h", "p", "", "0", "5", "copy", "replace"},
	{"georadius", "k", "1", "2", "3", "m"}, {"georadius", "k", "1", "2", "3", "m", "store", "d"},
	{"georadius", "k", "1", "2", "3", "m", "store", "d", "storedist", "e"}, {"georadius", "k", "1", "2", "3", "m", "store"},
	{"georadiusbymember", "k", "m", "3", "km", "STOREDIST", "d"}, {"georadius_ro", "k", "1", "2", "3", "m"},
	{"geosearchstore", "d", "s", "frommember", "m", "byradius", "1", "m"},
	{"xread", "streams", "a", "b", "0", "0"}, {"xread", "count", "1", "block", "0", "streams", "a", "0"},
	{"xread", "streams", "a", "b", "0"}, {"xread", "streams"}, {"xread", "foo", "streams", "a", "0"},
	{"xreadgroup", "group", "g", "c", "streams", "s", ">"}, {"xreadgroup", "group", "g", "c", "noack", "streams", "s", "t", ">", ">"},
	{"xreadgroup", "group", "g", "c", "streams", "streams", "streams", ">", ">"},
	{"lmpop", "2", "a", "b", "left"}, {"lmpop", "0", "a", "left"}, {"lmpop", "3", "a", "b", "left"},
	{"blmpop", "0", "2", "a", "b", "left"}, {"zmpop", "1", "z", "min"}, {"bzmpop", "1", "2", "a", "b", "max", "count", "2"},
	{"bitfield", "k", "get", "u8", "0"}, {"bitfield", "k", "set", "u8", "0", "1"}, {"bitfield", "k", "overflow", "wrap", "get", "u8", "0"},
	{"bitfield", "k"}, {"bitfield", "k", "bogus"}, {"bitfield_ro", "k", "get", "u8", "0"},
	{"object", "encoding", "k"}, {"memory", "usage", "k"}, {"xinfo", "stream", "s"}, {"pfcount", "a", "b"},
	{"rename", "a", "b"}, {"lmove", "a", "b", "left", "right"}, {"smove", "a", "b", "m"}, {"blpop", "a", "b", "0"},
	{"brpoplpush", "a", "b", "0"}, {"bitop", "and", "d", "a", "b"}, {"copy", "a", "b", "db", "1"},
	{"pubsub", "channels"}, {"publish", "c", "m"}, {"subscribe", "c"}, {"exists", "a", "b"}, {"touch", "a"},
	{"watch", "a", "b"}, {"spublish", "c", "m"}, {"debug", "object", "k"}, {"restore", "k", "0", "x"},
	{"xgroup", "create", "s", "g", "$"}, {"xautoclaim", "s", "g", "c", "0", "0"}, {"lcs", "a", "b"},
	{"command", "getkeys", "get", "k"}, {"client", "kill", "x"}, {"script", "flush"},
}

func (o *oracleConns) getkeys(t *testing.T, tbl *Table, argv []string) {
	t.Helper()
	o.compare(t, tbl, "", false, append(bargs("COMMAND", "GETKEYS"), bargs(argv...)...)...)
	o.compare(t, tbl, "", false, append(bargs("COMMAND", "GETKEYSANDFLAGS"), bargs(argv...)...)...)
}

func TestOracleGetKeysBattery(t *testing.T) {
	o := startOracle(t)
	tbl := Full()
	for _, argv := range getkeysBattery {
		o.getkeys(t, tbl, argv)
	}
}

// TestOracleGetKeysEveryCommand calls GETKEYS for every command and subcommand with a
// few argument counts that satisfy its arity and a few argument shapes.
func TestOracleGetKeysEveryCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	o := startOracle(t)
	tbl := Full()
	shapes := []func(i int) string{
		func(i int) string { return fmt.Sprintf("k%d", i) },
		func(i int) string { return "2" },
		func(i int) string {
			if i%3 == 0 {
				return "1"
			}
			return fmt.Sprintf("k%d", i)
		},
		func(i int) string { return [...]string{"STREAMS", "STORE", "KEYS", "a", "0", "GET"}[i%6] },
	}
	for _, s := range tbl.Commands() {
		for _, x := range append([]*Spec{s}, s.Subcommands...) {
			if !x.HasKeys() {
				continue
			}
			prefix := bargs(x.Name)
			if x.Parent != nil {
				prefix = bargs(x.Parent.Name, x.SubName)
			}
			lens := []int{x.Arity}
			if x.Arity < 0 {
				lens = []int{-x.Arity, -x.Arity + 1, -x.Arity + 2, -x.Arity + 3, -x.Arity + 5}
			}
			for _, n := range lens {
				for _, shape := range shapes {
					argv := append([][]byte(nil), prefix...)
					for i := len(argv); i < n; i++ {
						argv = append(argv, []byte(shape(i)))
					}
					o.compare(t, tbl, "", false, append(bargs("COMMAND", "GETKEYS"), argv...)...)
					o.compare(t, tbl, "", false, append(bargs("COMMAND", "GETKEYSANDFLAGS"), argv...)...)
				}
			}
		}
	}
}

// TestOracleRestrictedTable checks a restricted table against the whole one's replies
// where they must agree.
func TestOracleRestrictedTable(t *testing.T) {
	o := startOracle(t)
	r, err := Full().Restrict([]string{"get", "SET", "config|get", "command"})
	require.NoError(t, err)
	for _, name := range []string{"get", "set", "command|info"} {
		o.compare(t, r, "info", false, bargs("COMMAND", "INFO", name)...)
		o.compare(t, r, "docs", false, bargs("COMMAND", "DOCS", name)...)
	}
}
