package difftest

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/redisctl/redisctl/resp"
)

func parse(t testing.TB, raw string) resp.Value {
	t.Helper()
	v, err := resp.NewReplyReader(strings.NewReader(raw)).ReadValue()
	require.NoError(t, err, raw)
	return v
}

func bulk(s string) resp.Value   { return resp.Value{Type: resp.TypeBulk, Str: []byte(s)} }
func integer(n int64) resp.Value { return resp.Value{Type: resp.TypeInteger, Int: n} }
func array(e ...resp.Value) resp.Value {
	return resp.Value{Type: resp.TypeArray, Elems: e}
}

func TestCanonIsEquality(t *testing.T) {
	raws := []string{
		"+OK\r\n", "-ERR x\r\n", ":1\r\n", ":-1\r\n", "$1\r\n1\r\n", "$-1\r\n", "*-1\r\n", "_\r\n",
		"*0\r\n", "~0\r\n", "%0\r\n", "*1\r\n:1\r\n", "~1\r\n:1\r\n", ">1\r\n:1\r\n", ",1.5\r\n",
		",1.50\r\n", "#t\r\n", "#f\r\n", "=7\r\ntxt:abc\r\n", "(123\r\n", "!3\r\nERR\r\n",
		"%1\r\n+a\r\n:1\r\n", "*2\r\n+a\r\n:1\r\n", "|1\r\n+k\r\n+v\r\n+after\r\n",
	}
	vals := make([]resp.Value, len(raws))
	for i, r := range raws {
		vals[i] = parse(t, r)
	}
	for i := range vals {
		for j := range vals {
			assert.Equal(t, vals[i].Equal(vals[j]), Canon(vals[i]) == Canon(vals[j]), "%q vs %q", raws[i], raws[j])
		}
	}
}

func TestTolerance(t *testing.T) {
	for _, tc := range []struct {
		r, o int64
		tol  int64
		ok   bool
	}{{100, 101, 2, true}, {100, 103, 2, false}, {-1, -1, 2, true}, {-2, 5, 2, false}, {5000, 3500, 2000, true}} {
		c := &call{r: integer(tc.r), o: integer(tc.o)}
		ok, _, _ := compareWith(c, tolerance(tc.tol))
		assert.Equal(t, tc.ok, ok, "%d vs %d", tc.r, tc.o)
	}
}

// compareWith is compare with an explicit checker.
func compareWith(c *call, ck checker) (bool, string, string) {
	if c.r.Equal(c.o) {
		return true, "", ""
	}
	return ck(c)
}

func TestVolatileAndIDs(t *testing.T) {
	ok, _, _ := volatileTime(&call{name: "time", r: array(bulk("1700000000"), bulk("5")), o: array(bulk("1700000001"), bulk("999999"))})
	assert.True(t, ok)
	ok, _, _ = volatileTime(&call{name: "time", r: array(bulk("1700000000"), bulk("5")), o: array(bulk("x"), bulk("5"))})
	assert.False(t, ok)
	hello := func(id int64, ver string) resp.Value {
		return array(bulk("server"), bulk("redis"), bulk("version"), bulk(ver), bulk("id"), integer(id))
	}
	ok, _, _ = helloID(&call{r: hello(5, "7.0.15"), o: hello(9, "7.0.15")})
	assert.True(t, ok)
	ok, _, _ = helloID(&call{r: hello(5, "7.0.15"), o: hello(5, "7.2.0")})
	assert.False(t, ok)
	assert.Equal(t, "id=* addr=* laddr=* fd=* name=x age=* idle=* flags=N db=0 cmd=get",
		NormalizeClientLine("id=7 addr=127.0.0.1:5 laddr=127.0.0.1:6 fd=8 name=x age=3 idle=1 flags=N db=0 cmd=get"))
}

func TestInfoShape(t *testing.T) {
	r := "# Server\r\nredis_version:7.0.15\r\nuptime_in_seconds:5\r\n\r\n# Stats\r\nkeyspace_hits:3\r\n\r\n# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=500\r\n"
	same := strings.Replace(strings.Replace(r, "uptime_in_seconds:5", "uptime_in_seconds:9", 1), "avg_ttl=500", "avg_ttl=20", 1)
	ok, _, why := infoShape(&call{r: bulk(r), o: bulk(same)})
	assert.True(t, ok, why)
	for _, bad := range []string{
		strings.Replace(r, "keyspace_hits:3", "keyspace_hits:4", 1),
		strings.Replace(r, "keys=2", "keys=3", 1),
		strings.Replace(r, "uptime_in_seconds:5\r\n", "", 1),
		strings.Replace(r, "# Stats", "# Statz", 1),
	} {
		ok, _, _ := infoShape(&call{r: bulk(r), o: bulk(bad)})
		assert.False(t, ok, bad)
	}
}

func TestConfigGet(t *testing.T) {
	r := array(bulk("port"), bulk("6379"), bulk("maxmemory"), bulk("0"))
	o := array(bulk("maxmemory"), bulk("0"), bulk("port"), bulk("7000"))
	ok, _, _ := configGet(&call{r: r, o: o})
	assert.True(t, ok)
	o.Elems[1] = bulk("1")
	ok, _, _ = configGet(&call{r: r, o: o})
	assert.False(t, ok)
}

func TestSlowlogMask(t *testing.T) {
	entry := func(id, ts, dur int64, addr string, args ...string) resp.Value {
		var a []resp.Value
		for _, s := range args {
			a = append(a, bulk(s))
		}
		return array(integer(id), integer(ts), integer(dur), array(a...), bulk(addr), bulk(""))
	}
	r := array(entry(3, 100, 5, "127.0.0.1:1", "SSCAN", "s", "17"), entry(2, 100, 5, "127.0.0.1:1", "GET", "k"))
	o := array(entry(3, 101, 9, "127.0.0.1:2", "SSCAN", "s", "4"), entry(2, 101, 1, "127.0.0.1:2", "GET", "k"))
	ok, _, why := slowlogGet(&call{r: r, o: o})
	assert.True(t, ok, why)
	o.Elems[1] = entry(2, 101, 1, "127.0.0.1:2", "GET", "other")
	ok, _, _ = slowlogGet(&call{r: r, o: o})
	assert.False(t, ok)
}

func TestMaskStreamTimes(t *testing.T) {
	pending := func(idle int64) resp.Value {
		return array(array(bulk("1-1"), bulk("alice"), integer(idle), integer(1)))
	}
	ok, _, _ := streamTimes(&call{r: pending(5), o: pending(70)})
	assert.True(t, ok)
	consumers := func(idle, pend int64) resp.Value {
		return array(array(bulk("name"), bulk("alice"), bulk("pending"), integer(pend), bulk("idle"), integer(idle)))
	}
	ok, _, _ = streamTimes(&call{r: consumers(1, 2), o: consumers(900, 2)})
	assert.True(t, ok)
	ok, _, _ = streamTimes(&call{r: consumers(1, 2), o: consumers(1, 3)})
	assert.False(t, ok)
}

func TestMaskMonitor(t *testing.T) {
	a := resp.Value{Type: resp.TypeSimpleString, Str: []byte(`1700000000.123456 [0 127.0.0.1:4000] "set" "a" "b"`)}
	b := resp.Value{Type: resp.TypeSimpleString, Str: []byte(`1700000009.000001 [0 127.0.0.1:5999] "set" "a" "b"`)}
	c := resp.Value{Type: resp.TypeSimpleString, Str: []byte(`1700000009.000001 [1 127.0.0.1:5999] "set" "a" "b"`)}
	assert.True(t, maskMonitor(a).Equal(maskMonitor(b)))
	assert.False(t, maskMonitor(a).Equal(maskMonitor(c)))
}

func TestMultisetAndPairs(t *testing.T) {
	assert.True(t, sameMultiset(array(bulk("a"), bulk("b")), array(bulk("b"), bulk("a"))))
	assert.False(t, sameMultiset(array(bulk("a"), bulk("a")), array(bulk("a"), bulk("b"))))
	assert.True(t, samePairs(array(bulk("f"), bulk("1"), bulk("g"), bulk("2")), array(bulk("g"), bulk("2"), bulk("f"), bulk("1"))))
	assert.False(t, samePairs(array(bulk("f"), bulk("1"), bulk("g"), bulk("2")), array(bulk("g"), bulk("1"), bulk("f"), bulk("2"))))
}

func TestPicks(t *testing.T) {
	e, v, ok := picks(array(bulk("a"), bulk("1"), bulk("b"), bulk("2")), true)
	require.True(t, ok)
	assert.Equal(t, [][]byte{[]byte("a"), []byte("b")}, e)
	assert.Equal(t, [][]byte{[]byte("1"), []byte("2")}, v)
	e, v, ok = picks(array(array(bulk("a"), bulk("1")), array(bulk("b"), bulk("2"))), true)
	require.True(t, ok)
	assert.Len(t, e, 2)
	assert.Len(t, v, 2)
	assert.Equal(t, `"a"`, dup([][]byte{[]byte("a"), []byte("b"), []byte("a")}))
}

func TestKnownDiffMatch(t *testing.T) {
	k := &KnownDiff{Command: "move", Args: `abc`, Redis: `not an integer`, Ours: `DB index`}
	res := &Result{Name: "move", Args: bytesArgs([]string{"MOVE", "k", "abc"}),
		R: resp.Value{Type: resp.TypeError, Str: []byte("ERR value is not an integer or out of range")},
		O: resp.Value{Type: resp.TypeError, Str: []byte("ERR DB index is out of range")}}
	assert.True(t, k.match(res))
	res.Args = bytesArgs([]string{"MOVE", "k", "1"})
	assert.False(t, k.match(res))
	assert.Equal(t, 1, k.Hits())
	assert.Contains(t, k.Pattern(), "redisctl ~ DB index")
}

func TestCommandNameAndKeys(t *testing.T) {
	assert.Equal(t, "client|list", CommandName(bytesArgs([]string{"Client", "LIST"})))
	assert.Equal(t, "client", CommandName(bytesArgs([]string{"client", "bogus"})))
	assert.Equal(t, "(unknown)", CommandName(bytesArgs([]string{"nosuch"})))
	assert.Equal(t, []string{"a", "b"}, KeyArgs(bytesArgs([]string{"MSET", "a", "1", "b", "2"})))
	assert.Equal(t, []string{"d", "x", "y"}, KeyArgs(bytesArgs([]string{"ZUNIONSTORE", "d", "2", "x", "y"})))
	assert.Nil(t, KeyArgs(bytesArgs([]string{"PING"})))
}

// implementedForTest is a command set like the one redisctl reports.
func implementedForTest() map[string]bool {
	m := map[string]bool{}
	for _, n := range []string{"get", "set", "expire", "pexpireat", "zunionstore", "multi", "exec", "discard",
		"sadd", "spop", "srandmember", "hset", "hello", "select", "debug", "config", "config|set",
		"config|get", "client", "client|kill", "client|list", "shutdown", "xadd", "scan", "eval",
		"command", "command|getkeys", "blpop", "monitor"} {
		m[n] = true
	}
	return m
}

func TestGenDeterministicAndSafe(t *testing.T) {
	gen := func() []string {
		g := NewGen(7, implementedForTest())
		var out []string
		for len(out) < 3000 {
			for _, c := range g.Next() {
				out = append(out, ShowArgs(c))
			}
		}
		return out
	}
	a, b := gen(), gen()
	require.Equal(t, a, b, "same seed, same sequence")
	seen := map[string]bool{}
	for _, line := range a {
		assert.NotContains(t, line, "\x00numkeys")
		word := strings.ToLower(strings.Fields(line + " x")[0])
		seen[word] = true
		for _, excluded := range []string{"shutdown", "monitor", "wait"} {
			assert.NotEqual(t, excluded, word, line)
		}
		if f := strings.Fields(line); timeoutIndex(word, f) > 0 && timeoutIndex(word, f) < len(f) {
			to := f[timeoutIndex(word, f)]
			assert.NotContains(t, []string{"0", "0.0", "-0", "1000", "0.0001"}, to, "unbounded blocking: %s", line)
		}
		if strings.HasPrefix(strings.ToLower(line), "client kill") {
			t.Errorf("excluded subcommand generated: %s", line)
		}
		if strings.HasPrefix(strings.ToLower(line), "xadd") {
			assert.NotContains(t, " "+line+" ", " * ", "XADD with an auto ID: %s", line)
		}
	}
	for _, want := range []string{"get", "set", "zunionstore", "multi", "config", "xadd", "scan", "blpop"} {
		assert.True(t, seen[want], "never generated %s", want)
	}
}

func TestGenTTLsAreDistinct(t *testing.T) {
	g := NewGen(1, implementedForTest())
	seen := map[string]bool{}
	for i := 0; i < 5000; i++ {
		v := g.ttl(i%2 == 0, i%3 == 0)
		switch v {
		case "1", "100", "1000000000", "0", "-1", "-100", "abc", "1.5",
			"9223372036854775807", "-9223372036854775808":
			continue // the fixed past, zero and overflow values
		}
		assert.False(t, seen[v], "relative expiry %s used twice", v)
		seen[v] = true
	}
}

func TestNumkeysFilled(t *testing.T) {
	g := NewGen(3, map[string]bool{"zunionstore": true})
	for i := 0; i < 300; i++ {
		for _, c := range g.Next() {
			if len(c) < 3 || !bytes.EqualFold(c[0], []byte("ZUNIONSTORE")) {
				continue
			}
			assert.NotContains(t, string(bytes.Join(c, []byte(" "))), "\x00")
		}
	}
}

func FuzzCanon(f *testing.F) {
	for _, s := range []string{"+OK\r\n", "*2\r\n$1\r\na\r\n:1\r\n", "%1\r\n+a\r\n*1\r\n_\r\n",
		"|1\r\n+k\r\n+v\r\n:1\r\n", "*4\r\n$3\r\n1-1\r\n$1\r\nc\r\n:5\r\n:1\r\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := resp.NewReplyReader(bytes.NewReader(b)).ReadValue()
		if err != nil {
			return
		}
		if Canon(v) != Canon(v) || !sameMultiset(v, v) && isAggregate(v) {
			t.Fatalf("Canon or multiset not reflexive for %q", b)
		}
		_ = Show(v)
		_ = maskStreamTimes(v)
		_ = maskMonitor(v)
		_, _, _ = picks(v, true)
		_ = ParseInfo(string(v.Str))
	})
}

func FuzzGen(f *testing.F) {
	f.Add(int64(1))
	f.Add(int64(-99))
	f.Fuzz(func(t *testing.T, seed int64) {
		g := NewGen(seed, implementedForTest())
		for i := 0; i < 50; i++ {
			for _, c := range g.Next() {
				if len(c) == 0 {
					t.Fatal("empty command")
				}
				for _, a := range c {
					if bytes.Contains(a, []byte("\x00numkeys")) {
						t.Fatalf("placeholder left in %s", ShowArgs(c))
					}
				}
			}
		}
	})
}

func BenchmarkGenNext(b *testing.B) {
	g := NewGen(1, implementedForTest())
	b.ReportAllocs()
	for b.Loop() {
		g.Next()
	}
}

func BenchmarkCanon(b *testing.B) {
	raw := "*6\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$5\r\nhello\r\n:42\r\n"
	v := parse(b, raw)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		_ = Canon(v)
	}
}

// TestCoverageReclassify: a result Add counted as a mismatch moves to ok or known when a
// script tag accepts it afterwards, and nothing else moves.
func TestCoverageReclassify(t *testing.T) {
	c := NewCoverage()
	bad := &Result{Name: "function|list"}
	c.Add(SourceWritten, bad)
	c.Add(SourceWritten, bad)
	c.Add(SourceWritten, bad)
	c.Reclassify(SourceWritten, "function|list", true, false)
	c.Reclassify(SourceWritten, "function|list", false, true)
	c.Reclassify(SourceWritten, "function|list", false, false)
	got := c.Get("function|list")[SourceWritten]
	if got.Mismatch != 1 || got.Known != 1 || got.OK != 3 {
		t.Fatalf("counts after reclassifying: %+v", got)
	}
	c.Reclassify(SourceRandom, "function|list", true, false) // nothing counted there
	if r := c.Get("function|list")[SourceRandom]; r.Mismatch != 0 || r.Known != 0 {
		t.Fatalf("random counts moved: %+v", r)
	}
}
