package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSplitArgs(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
		err  bool
	}{
		{"", nil, false},
		{"   ", nil, false},
		{"save 900 1", []string{"save", "900", "1"}, false},
		{`save ""`, []string{"save", ""}, false},
		{`a "b c" 'd e'`, []string{"a", "b c", "d e"}, false},
		{`"\x41\n\t\\\"" x`, []string{"A\n\t\\\"", "x"}, false},
		{`'it\'s'`, []string{"it's"}, false},
		{`ab"cd"`, []string{"abcd"}, false},
		{`"\xZZ"`, []string{"xZZ"}, false},
		{`"abc`, nil, true},
		{`'abc`, nil, true},
		{`"a"b`, nil, true},
		{`'a'b`, nil, true},
		{"a\x00b c", []string{"a"}, false},
		{"\tfoo\r\n", []string{"foo"}, false},
		{"a\vb", []string{"a\vb"}, false},
	} {
		got, err := SplitArgs(tc.in)
		if tc.err {
			assert.Error(t, err, tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
}

func TestMemtoull(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"0", 0, true}, {"1", 1, true}, {"1b", 1, true}, {"1k", 1000, true}, {"1K", 1000, true}, {"1kb", 1024, true},
		{"1KB", 1024, true}, {"1m", 1000000, true}, {"1mb", 1 << 20, true}, {"1g", 1000000000, true},
		{"1gb", 1 << 30, true}, {"1GB", 1 << 30, true}, {"", 0, true}, {"gb", 0, true}, {"007", 7, true},
		{"18446744073709551615", 1<<64 - 1, true}, {"18446744073709551616", 1<<64 - 1, true},
		{"99999999999gb", 15140462030378500096, true},
		{"-1", 0, false}, {"+1", 0, false}, {" 1", 0, false}, {"1 gb", 0, false}, {"1tb", 0, false},
		{"1.5gb", 0, false}, {strings.Repeat("1", 128), 0, false},
	} {
		got, ok := memtoull(tc.in)
		assert.Equal(t, tc.ok, ok, tc.in)
		if ok {
			assert.Equal(t, tc.want, got, tc.in)
		}
	}
}

func TestString2ll(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true}, {"-1", -1, true}, {"9223372036854775807", 1<<63 - 1, true},
		{"-9223372036854775808", -1 << 63, true}, {"9223372036854775808", 0, false}, {"-0", 0, false},
		{"007", 0, false}, {"+1", 0, false}, {" 1", 0, false}, {"1 ", 0, false}, {"", 0, false}, {"-", 0, false},
		{"1e3", 0, false},
	} {
		got, ok := string2ll(tc.in)
		assert.Equal(t, tc.ok, ok, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
}

func TestStringMatch(t *testing.T) {
	for _, tc := range []struct {
		p, s string
		want bool
	}{
		{"*", "maxmemory", true}, {"max*", "maxmemory-policy", true}, {"MAX*", "maxmemory", true},
		{"*-policy", "maxmemory-policy", true}, {"h?", "hz", true}, {"h?", "hzz", false},
		{"[hz]z", "hz", true}, {"[^h]z", "hz", false}, {"[a-i]z", "hz", true}, {"h[", "hz", false},
		{`h\z`, "hz", true}, {"*zz*", "hz", false}, {"", "", true}, {"a*", "", false},
	} {
		assert.Equal(t, tc.want, StringMatch(tc.p, tc.s, true), "%q %q", tc.p, tc.s)
	}
}

func TestRepr(t *testing.T) {
	assert.Equal(t, `"a b\"c\\\n\r\t\a\b\x01\xff"`, Repr("a b\"c\\\n\r\t\a\b\x01\xff"))
	args, err := SplitArgs("x " + Repr("a b\"c\\\n\x01\xff"))
	require.NoError(t, err)
	assert.Equal(t, []string{"x", "a b\"c\\\n\x01\xff"}, args)
}

func TestDefaultsAndAccessors(t *testing.T) {
	c := New()
	assert.Equal(t, uint64(0), c.Maxmemory())
	assert.Equal(t, PolicyNoEviction, c.MaxmemoryPolicy())
	assert.Equal(t, uint64(512), c.HashMaxListpackEntries())
	assert.Equal(t, uint64(64), c.HashMaxListpackValue())
	assert.Equal(t, uint64(512), c.SetMaxIntsetEntries())
	assert.Equal(t, uint64(128), c.ZsetMaxListpackEntries())
	assert.Equal(t, -2, c.ListMaxListpackSize())
	assert.Equal(t, 10, c.Hz())
	assert.Equal(t, 16, c.Databases())
	assert.Equal(t, 6379, c.Port())
	assert.Equal(t, []string{"*", "-::*"}, c.Bind())
	_, ok := c.Requirepass()
	assert.False(t, ok)
	assert.Equal(t, []SaveParam{{3600, 1}, {300, 100}, {60, 10000}}, c.SaveParams())
	assert.Nil(t, c.ReplicaOf())

	require.NoError(t, c.Set("maxmemory", "1gb", "maxmemory-policy", "allkeys-lru", "requirepass", "s3cret",
		"hash-max-ziplist-entries", "10", "list-max-ziplist-size", "-3", "notify-keyspace-events", "Ex"))
	assert.Equal(t, uint64(1<<30), c.Maxmemory())
	assert.Equal(t, PolicyAllkeysLRU, c.MaxmemoryPolicy())
	assert.Equal(t, uint64(10), c.HashMaxListpackEntries())
	assert.Equal(t, -3, c.ListMaxListpackSize())
	assert.Equal(t, NotifyKeyevent|NotifyExpired, c.NotifyKeyspaceEvents())
	p, ok := c.Requirepass()
	assert.True(t, ok)
	assert.Equal(t, "s3cret", p)
	assert.Equal(t, []string{"hash-max-ziplist-entries", "10"}, c.Get("hash-max-ziplist-entries"))
	assert.Equal(t, "1073741824", c.String("maxmemory"))
	assert.True(t, c.Bool("activerehashing"))
	assert.Equal(t, int64(1<<30), c.Int("MAXMEMORY"))
}

func TestGetPatterns(t *testing.T) {
	c := New()
	got := pairsToMap(c.Get("maxmemory*"))
	assert.Equal(t, map[string]string{"maxmemory": "0", "maxmemory-policy": "noeviction", "maxmemory-samples": "5",
		"maxmemory-eviction-tenacity": "10", "maxmemory-clients": "0"}, got)
	assert.Equal(t, []string{"MAXMEMORY", "0"}, c.Get("MAXMEMORY", "maxmemory", "max*memory"))
	assert.Empty(t, c.Get("key-load-*"), "hidden directives need their exact name")
	assert.Equal(t, []string{"key-load-delay", "0"}, c.Get("key-load-delay"))
	assert.Empty(t, c.Get("nope"))
	assert.Len(t, c.Get("*"), 2*192)
}

func TestSetErrors(t *testing.T) {
	c := New()
	for _, tc := range []struct {
		ctx  SetContext
		args []string
		want string
	}{
		{SetContext{}, []string{"foo", "bar"}, "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"},
		{SetContext{}, []string{"maxmemory", "x"}, "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value"},
		{SetContext{}, []string{"daemonize", "yes"}, "ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config"},
		{SetContext{}, []string{"dir", "/"}, "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config"},
		{SetContext{}, []string{"maxmemory", "1", "MaxMemory", "2"}, "ERR CONFIG SET failed (possibly related to argument 'MaxMemory') - duplicate parameter"},
		{SetContext{Loading: true}, []string{"appendonly", "yes"}, "LOADING Redis is loading the dataset in memory"},
		{SetContext{Loading: true}, []string{"foo", "1", "appendonly", "yes"}, "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"},
		{SetContext{}, []string{"maxmemory"}, "ERR wrong number of arguments for 'config|set' command"},
		{SetContext{}, []string{"maxmemory", "1", "hz"}, "ERR syntax error"},
		{SetContext{}, []string{"hash-max-ziplist-value", "-1"}, "ERR CONFIG SET failed (possibly related to argument 'hash-max-ziplist-value') - argument must be a memory value"},
		{SetContext{}, []string{"unixsocketperm", "1"}, "ERR CONFIG SET failed (possibly related to argument 'unixsocketperm') - can't set immutable config"},
		{SetContext{}, []string{"loglevel", "x"}, "ERR CONFIG SET failed (possibly related to argument 'loglevel') - argument(s) must be one of the following: debug, verbose, notice, warning"},
	} {
		err := c.SetWith(tc.ctx, tc.args...)
		require.Error(t, err, tc.args)
		var e *Error
		require.True(t, errors.As(err, &e))
		assert.Equal(t, tc.want, e.Msg, tc.args)
	}
	// Nothing changed.
	assert.Equal(t, uint64(0), c.Maxmemory())
}

func TestSetAtomicAndProtected(t *testing.T) {
	c := New()
	err := c.Set("maxmemory", "5mb", "hz", "x")
	require.Error(t, err)
	assert.Equal(t, uint64(0), c.Maxmemory(), "a failing pair rolls back the ones before it")

	require.NoError(t, c.LoadString("enable-protected-configs local"))
	assert.Error(t, c.Set("dbfilename", "x.rdb"))
	assert.NoError(t, c.SetWith(SetContext{Local: true}, "dbfilename", "x.rdb"))
	dir := t.TempDir()
	assert.NoError(t, c.SetWith(SetContext{Local: true}, "dir", dir))
	real, _ := filepath.EvalSymlinks(dir)
	assert.Equal(t, real, c.Dir())
	err = c.SetWith(SetContext{Local: true}, "dir", filepath.Join(dir, "nope"))
	assert.EqualError(t, err, "ERR CONFIG SET failed (possibly related to argument 'dir') - No such file or directory")
}

func TestApplyCallbacks(t *testing.T) {
	c := New()
	calls := 0
	require.NoError(t, c.OnApply(func() error { calls++; return nil }, "maxmemory", "maxmemory-policy"))
	require.NoError(t, c.Set("maxmemory", "1mb", "maxmemory-policy", "allkeys-lru"))
	assert.Equal(t, 1, calls, "an apply function shared by two directives runs once")
	require.NoError(t, c.Set("maxmemory", "1mb"))
	assert.Equal(t, 1, calls, "no change, no apply")

	fail := true
	require.NoError(t, c.OnApply(func() error {
		if fail {
			return errors.New("Unable to listen on this port. Check server logs.")
		}
		return nil
	}, "port"))
	err := c.Set("maxmemory", "2mb", "port", "7000")
	assert.EqualError(t, err, "ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port. Check server logs.")
	assert.Equal(t, 6379, c.Port())
	assert.Equal(t, uint64(1<<20), c.Maxmemory(), "apply failure restores every value")
	assert.Error(t, c.OnApply(func() error { return nil }, "nope"))
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	inc := filepath.Join(dir, "inc.conf")
	require.NoError(t, os.WriteFile(inc, []byte("hz 20\nmaxmemory x\n"), 0o644))
	for _, tc := range []struct {
		text string
		want string
	}{
		{"port 7000\nfoo bar\n", "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'foo bar'\nBad directive or wrong number of arguments\n"},
		{"include " + inc, "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'maxmemory x'\nargument must be a memory value\n"},
		{"cluster-enabled yes\nreplicaof h 1", "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nreplicaof directive not allowed in cluster mode\n"},
		{"rename-command a b", "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 1\n>>> 'rename-command a b'\nrename-command is not supported by this server\n"},
	} {
		c := New()
		err := c.LoadString(tc.text)
		var fe *FileError
		require.True(t, errors.As(err, &fe), "%q: %v", tc.text, err)
		assert.Equal(t, tc.want, fe.Report())
	}
	c := New()
	err := c.LoadString("include " + filepath.Join(dir, "missing.conf"))
	var oe *OpenError
	require.True(t, errors.As(err, &oe))
	assert.Contains(t, err.Error(), "can't open config file")
	assert.Contains(t, err.Error(), "No such file or directory")
	// A glob that matches nothing is fine.
	assert.NoError(t, New().LoadString("include "+filepath.Join(dir, "none-*.conf")))
	// An include that includes itself stops.
	loop := filepath.Join(dir, "loop.conf")
	require.NoError(t, os.WriteFile(loop, []byte("include "+loop+"\n"), 0o644))
	assert.Error(t, New().LoadString("include "+loop))
}

func TestLoadSemantics(t *testing.T) {
	c := New()
	require.NoError(t, c.LoadString("save 900 1\nsave 300 10\nhz 1000\nlist-max-ziplist-entries 5\n"+
		"slaveof 10.0.0.1 6380\nMAXMEMORY 2mb\n  # comment\n\n"))
	assert.Equal(t, []SaveParam{{900, 1}, {300, 10}}, c.SaveParams())
	assert.Equal(t, 500, c.Hz())
	assert.Equal(t, &ReplicaOf{Host: "10.0.0.1", Port: 6380}, c.ReplicaOf())
	assert.Equal(t, uint64(2<<20), c.Maxmemory())

	// A multi-argument directive given as one argument is split (redis-server --save
	// "900 1 300 10"); an empty one keeps its meaning (save "" disables saving).
	c = New()
	require.NoError(t, c.LoadString(`save "900 1 300 10"`))
	assert.Equal(t, []SaveParam{{900, 1}, {300, 10}}, c.SaveParams())
	require.NoError(t, c.LoadString(`save ""`))
	assert.Empty(t, c.SaveParams())
	assert.Error(t, New().LoadString(`save "900"`))

	var renamed [][]string
	c = New()
	c.HandleDirective("rename-command", func(a []string) error { renamed = append(renamed, a); return nil })
	require.NoError(t, c.LoadString(`rename-command FLUSHALL ""`+"\nmymod.opt 5\nsentinel\n"))
	assert.Equal(t, [][]string{{"FLUSHALL", ""}}, renamed)
	assert.Equal(t, [][2]string{{"mymod.opt", "5"}}, c.ModuleConfigs())
}

func TestParseArgs(t *testing.T) {
	for _, tc := range []struct {
		argv []string
		want Args
	}{
		{[]string{"--port", "7000", "--maxmemory", "1gb"}, Args{Options: "port \"7000\" \nmaxmemory \"1gb\" "}},
		{[]string{"redis.conf", "--port", "0"}, Args{ConfigFile: "redis.conf", Options: "port \"0\" "}},
		{[]string{"--save", "--port", "1"}, Args{Options: "save \"\"\nport \"1\" "}},
		{[]string{"--port", "1", "--save"}, Args{Options: "port \"1\" \nsave \"\""}},
		{[]string{"--port 7000", "--bind", "a b", "c"}, Args{Options: "port 7000 \nbind \"a b\" \"c\" "}},
		{[]string{"-", "--port", "1"}, Args{FromStdin: true, Options: "port \"1\" "}},
		{[]string{"--save", "900", "1", "--appendonly", "yes"}, Args{Options: "save \"900\" \"1\" \nappendonly \"yes\" "}},
		{[]string{"--sentinel", "--port", "1"}, Args{Options: "sentinel \nport \"1\" "}},
	} {
		assert.Equal(t, tc.want, ParseArgs(tc.argv), "%q", tc.argv)
	}
	c := New()
	a := ParseArgs([]string{"--port", "7001", "--maxmemory", "1gb", "--save", ""})
	require.NoError(t, c.LoadServer("", nil, a.Options))
	assert.Equal(t, 7001, c.Port())
	assert.Equal(t, uint64(1<<30), c.Maxmemory())
	assert.Empty(t, c.SaveParams())
	err := New().LoadServer("", strings.NewReader("hz 5\n"), ParseArgs([]string{"--maxmemory", "y"}).Options)
	var fe *FileError
	require.True(t, errors.As(err, &fe))
	assert.Equal(t, 3, fe.Line)
	assert.Equal(t, `maxmemory "y"`, fe.Text)
}

func TestRewrite(t *testing.T) {
	c := New()
	require.NoError(t, c.Set("maxmemory", "2gb", "save", "60 5", "bind", "127.0.0.1 ::1",
		"client-output-buffer-limit", "replica 1gb 512mb 0", "maxmemory-clients", "10%"))
	old := "# top\n\n\n\nport 6379\nmaxmemory 1mb\nsave 900 1\nsave 300 10\nhz 10\nbogus x\nuser alice on\n" +
		"unbalanced \"q\n" + RewriteSignature + "\nslave-read-only no\n"
	got := c.RewriteContent(old, RewriteOptions{Users: []string{"default on nopass ~* &* +@all"}})
	want := "# top\n\nport 6379\nmaxmemory 2gb\nsave 60 5\n\nhz 10\n# ??? bogus x\nuser default on nopass ~* &* +@all\n" +
		"# ??? unbalanced \"q\n" + RewriteSignature + "\nreplica-read-only yes\n\n" +
		"maxmemory-clients 10%\n" + "dir " + Repr(c.Dir()) + "\n" +
		"client-output-buffer-limit replica 1gb 512mb 0\n" + "bind 127.0.0.1 ::1\n" +
		"latency-tracking-info-percentiles 50 99 99.9\n"
	assert.Equal(t, want, got)

	path := filepath.Join(t.TempDir(), "redis.conf")
	require.NoError(t, c.Rewrite(path, RewriteOptions{}))
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(data), RewriteSignature+"\n"))
	// What we write loads back to the same values.
	d := New()
	require.NoError(t, d.LoadFile(path))
	assert.Equal(t, pairsToMap(c.Get("*")), pairsToMap(d.Get("*")))
	entries, _ := os.ReadDir(filepath.Dir(path))
	assert.Len(t, entries, 1, "no temporary file left behind")
	assert.EqualError(t, New().Rewrite("", RewriteOptions{}), "The server is running without a config file")
}

func TestDirectivesTable(t *testing.T) {
	ds := Directives()
	assert.Len(t, ds, 178)
	d, ok := Lookup("SLAVEOF")
	require.True(t, ok)
	assert.Equal(t, "replicaof", d.Name)
	assert.NotZero(t, d.Flags&FlagImmutable)
	d, _ = Lookup("hash-max-ziplist-entries")
	assert.Equal(t, "hash-max-listpack-entries", d.Name)
	d, _ = Lookup("maxmemory")
	assert.Equal(t, NumMemory, d.NumFlags)
}
