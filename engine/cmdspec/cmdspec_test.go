package cmdspec

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/redisctl/redisctl/engine/cmdspec/internal/rawresp"
)

func TestFullTable(t *testing.T) {
	tbl := Full()
	assert.Equal(t, "7.0.15", RedisVersion())
	assert.Equal(t, 240, tbl.Len())
	assert.Len(t, tbl.Names(), 366)

	get := tbl.Lookup([]byte("GeT"))
	require.NotNil(t, get)
	assert.Equal(t, "get", get.Name)
	assert.Equal(t, 2, get.Arity)
	assert.Equal(t, FlagReadonly|FlagFast, get.Flags)
	assert.Equal(t, []string{"readonly", "fast"}, get.FlagNames)
	assert.Equal(t, ACLRead|ACLString|ACLFast, get.ACL)
	assert.Equal(t, []string{"@read", "@string", "@fast"}, get.ACLCategories)
	assert.Equal(t, "string", get.Group)
	assert.Equal(t, "1.0.0", get.Since)
	assert.Equal(t, "O(1)", get.Complexity)
	require.Len(t, get.KeySpecs, 1)
	assert.Equal(t, KeySpec{Flags: KeyRO | KeyAccess, FlagNames: []string{"RO", "access"},
		BeginSearch: BeginIndex, Index: 1, FindKeys: FindRange, LastKey: 0, KeyStep: 1}, get.KeySpecs[0])
	assert.Equal(t, []Arg{{Name: "key", Type: "key", KeySpecIndex: 0}}, get.Arguments)

	cfg := tbl.Lookup([]byte("config"))
	require.True(t, cfg.IsContainer())
	cget := tbl.LookupSub(cfg, []byte("GET"))
	require.NotNil(t, cget)
	assert.Equal(t, "config|get", cget.Name)
	assert.Equal(t, "get", cget.SubName)
	assert.Same(t, cfg, cget.Parent)
	assert.Same(t, cget, tbl.LookupFull([]byte("CONFIG|get")))
	assert.Same(t, cget, tbl.LookupArgv(bargs("config", "Get", "x")))
	assert.Same(t, cfg, tbl.LookupArgv(bargs("config")))
	assert.Nil(t, tbl.LookupArgv(bargs("config", "nosuch")))
	assert.Nil(t, tbl.LookupFull([]byte("get|x")))
	assert.Nil(t, tbl.LookupFull([]byte("config|get|x")))
	assert.Nil(t, tbl.Lookup([]byte(strings.Repeat("a", 100))))
	assert.Nil(t, tbl.LookupSub(get, []byte("x")))

	zu := tbl.Lookup([]byte("zunionstore"))
	assert.NotZero(t, zu.Flags&FlagMovableKeys)
	assert.Equal(t, FindKeynum, zu.KeySpecs[1].FindKeys)

	// The deprecated commands carry their replacement.
	gr := tbl.Lookup([]byte("georadius"))
	assert.Equal(t, "6.2.0", gr.DeprecatedSince)
	assert.Contains(t, gr.ReplacedBy, "GEOSEARCH")
	assert.Contains(t, gr.DocFlags, "deprecated")
}

// Every movablekeys command of 7.0 has a getkeys proc here (movablekeys is how Redis
// marks "key specs are not enough").
func TestMovableKeysHaveProcs(t *testing.T) {
	for _, s := range Full().Commands() {
		for _, x := range append([]*Spec{s}, s.Subcommands...) {
			if x.Flags&FlagMovableKeys != 0 {
				assert.NotNil(t, x.getkeys, "%s is movablekeys but has no getkeys proc", x.Name)
			}
			if x.allFlags&(KeyVariableFlags|KeyIncomplete) != 0 {
				assert.NotNil(t, x.getkeys, "%s has variable or incomplete key specs but no getkeys proc", x.Name)
			}
		}
	}
	for name := range getKeysProcs {
		assert.NotNil(t, Full().Lookup([]byte(name)), name)
	}
}

func TestFlagNamesRoundTrip(t *testing.T) {
	for i, n := range flagNames {
		assert.Equal(t, Flag(1)<<i, ParseFlag(n))
	}
	for i, n := range aclCatNames {
		assert.Equal(t, ACLCat(1)<<i, ParseACLCat(strings.ToUpper(n)))
	}
	for i, n := range keyFlagNames {
		assert.Equal(t, KeyFlag(1)<<i, ParseKeyFlag(n))
	}
	assert.Equal(t, "write denyoom", (FlagWrite | FlagDenyOOM).String())
	assert.Equal(t, []string{"RW", "access", "delete"}, (KeyRW | KeyAccess | KeyDelete).Names())
	assert.Zero(t, ParseFlag("nosuch"))
}

func TestResolveErrors(t *testing.T) {
	tbl := Full()
	long := strings.Repeat("x", 200)
	tests := []struct {
		argv []string
		want string
	}{
		{[]string{"foo", "a", "b"}, "ERR unknown command 'foo', with args beginning with: 'a' 'b' "},
		{[]string{"foo"}, "ERR unknown command 'foo', with args beginning with: "},
		{[]string{long}, "ERR unknown command '" + long[:128] + "', with args beginning with: "},
		{[]string{"foo", long, "b"}, "ERR unknown command 'foo', with args beginning with: '" + long[:128] + "' "},
		{[]string{"foo", "a\r\nb\x00c"}, "ERR unknown command 'foo', with args beginning with: 'a  b' "},
		{[]string{"get"}, "ERR wrong number of arguments for 'get' command"},
		{[]string{"config"}, "ERR wrong number of arguments for 'config' command"},
		{[]string{"config", "get"}, "ERR wrong number of arguments for 'config|get' command"},
		{[]string{"Config", "nosuch"}, "ERR unknown subcommand 'nosuch'. Try CONFIG HELP."},
		{[]string{"exec", "x"}, "EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command"},
	}
	for _, tc := range tests {
		_, err := tbl.Resolve(bargs(tc.argv...))
		require.Error(t, err, "%q", tc.argv)
		assert.Equal(t, tc.want, err.Error(), "%q", tc.argv)
	}
	s, err := tbl.Resolve(bargs("CONFIG", "GET", "x"))
	require.NoError(t, err)
	assert.Equal(t, "config|get", s.Name)
}

func TestRestrict(t *testing.T) {
	full := Full()
	r, err := full.Restrict([]string{"GET", "set", "config|get", "config|set", "command"})
	require.NoError(t, err)
	assert.Equal(t, 4, r.Len())
	assert.Equal(t, []string{"command", "command|count", "command|docs", "command|getkeys", "command|getkeysandflags",
		"command|help", "command|info", "command|list", "config", "config|get", "config|set", "get", "set"}, r.Names())
	assert.Same(t, full.Lookup([]byte("get")), r.Lookup([]byte("get")))
	assert.Nil(t, r.Lookup([]byte("del")))
	cfg := r.Lookup([]byte("config"))
	assert.Len(t, cfg.Subcommands, 2)
	assert.Same(t, cfg, cfg.Subcommands[0].Parent)
	assert.Len(t, full.Lookup([]byte("config")).Subcommands, 5, "the full table is untouched")

	_, err = r.Resolve(bargs("config", "resetstat"))
	assert.EqualError(t, err, "ERR unknown subcommand 'resetstat'. Try CONFIG HELP.")
	_, err = r.Resolve(bargs("del", "k"))
	assert.EqualError(t, err, "ERR unknown command 'del', with args beginning with: 'k' ")

	out, err := r.Command(nil, bargs("command", "count"), RESP2)
	require.NoError(t, err)
	assert.Equal(t, ":4\r\n", string(out))
	out, err = r.Command(nil, bargs("command", "list", "filterby", "pattern", "config*"), RESP3)
	require.NoError(t, err)
	assert.Equal(t, "*3\r\n$6\r\nconfig\r\n$10\r\nconfig|get\r\n$10\r\nconfig|set\r\n", string(out))
	out, err = r.Command(nil, bargs("command", "info", "config", "del"), RESP2)
	require.NoError(t, err)
	v, _, err := rawresp.Parse(out)
	require.NoError(t, err)
	require.Len(t, v.Elems, 2)
	assert.Len(t, v.Elems[0].Elems[9].Elems, 2)
	assert.Equal(t, "$-1\r\n", string(v.Elems[1].Raw))
	out, err = r.Command(nil, bargs("command", "docs", "config"), RESP3)
	require.NoError(t, err)
	v, _, err = rawresp.Parse(out)
	require.NoError(t, err)
	assert.Len(t, v.Elems[1].MapGet("subcommands").Elems, 4)

	_, err = full.Restrict([]string{"nosuch"})
	assert.Error(t, err)
	_, err = full.Restrict([]string{"config|nosuch"})
	assert.Error(t, err)
}

func TestGetKeysNoServer(t *testing.T) {
	tbl := Full()
	tests := []struct {
		argv []string
		want []int
		err  error
	}{
		{[]string{"get", "k"}, []int{1}, nil},
		{[]string{"mset", "a", "1", "b", "2"}, []int{1, 3}, nil},
		{[]string{"zunionstore", "d", "2", "a", "b"}, []int{1, 3, 4}, nil},
		{[]string{"zunionstore", "d", "0", "a"}, nil, ErrInvalidArguments},
		{[]string{"eval", "s", "2", "a", "b", "x"}, []int{3, 4}, nil},
		{[]string{"eval", "s", "0"}, []int{}, nil}, // no_mandatory_keys
		{[]string{"sort", "k", "limit", "0", "1", "store", "d"}, []int{1, 6}, nil},
		{[]string{"xread", "count", "1", "streams", "a", "b", "0", "0"}, []int{4, 5}, nil},
		{[]string{"migrate", "h", "p", "", "0", "5", "keys", "a", "b"}, []int{7, 8}, nil},
		{[]string{"georadius", "k", "1", "2", "3", "m", "store", "d"}, []int{1, 7}, nil},
		{[]string{"blmpop", "0", "2", "a", "b", "left"}, []int{3, 4}, nil},
		{[]string{"ping"}, nil, ErrNoKeyArguments},
		{[]string{"get"}, nil, ErrInvalidArgCount},
	}
	for _, tc := range tests {
		got, err := GetKeys(tbl.LookupArgv(bargs(tc.argv...)), bargs(tc.argv...))
		if tc.err != nil {
			assert.Equal(t, tc.err, err, "%q", tc.argv)
			continue
		}
		require.NoError(t, err, "%q", tc.argv)
		assert.Equal(t, tc.want, got, "%q", tc.argv)
	}
	_, err := GetKeys(nil, bargs("x"))
	assert.Equal(t, ErrInvalidCommand, err)
}

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		p, s   string
		nocase bool
		want   bool
	}{
		{"*", "", true, false}, // as Redis: its loop never runs on an empty string
		{"*", "abc", false, true}, {"a*c", "abbbc", false, true}, {"a*c", "abbb", false, false},
		{"?", "a", false, true}, {"?", "", false, false}, {"[abc]", "b", false, true}, {"[^abc]", "b", false, false},
		{"[a-c]x", "bx", false, true}, {"[c-a]x", "bx", false, true}, {"[A-C]", "b", true, true}, {"[A-C]", "b", false, false},
		{`\*`, "*", false, true}, {`\*`, "a", false, false}, {"GET", "get", true, true}, {"GET", "get", false, false},
		{"[", "x", false, false}, {"a[", "a", false, false}, {`[\]]`, "]", false, true}, {"h*llo", "heeeello", false, true},
		{"*a*b*c*", "xaxbxcx", false, true}, {"**", "x", false, true}, {"a*", "a", false, true}, {"", "", false, true},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, GlobMatch([]byte(tc.p), []byte(tc.s), tc.nocase), "%q ~ %q", tc.p, tc.s)
	}
}

func TestIntParsers(t *testing.T) {
	for s, want := range map[string]int64{"0": 0, "1": 1, "-5": -5, "9223372036854775807": 1<<63 - 1, "-9223372036854775808": -1 << 63} {
		got, ok := string2ll([]byte(s))
		assert.True(t, ok, s)
		assert.Equal(t, want, got, s)
	}
	for _, s := range []string{"", "-", "01", "-0", "+1", " 1", "1 ", "9223372036854775808", "1x"} {
		_, ok := string2ll([]byte(s))
		assert.False(t, ok, s)
	}
	for s, want := range map[string]int{"12": 12, " 3x": 3, "-2": -2, "+7": 7, "x": 0, "": 0, "4294967297": 1, "99999999999999999999": -1} {
		assert.Equal(t, want, atoi([]byte(s)), s)
	}
}

func TestLookupAllocs(t *testing.T) {
	tbl := Full()
	cfg := tbl.Lookup([]byte("config"))
	name, sub := []byte("ZUNIONSTORE"), []byte("GeT")
	argv := bargs("zunionstore", "d", "2", "a", "b")
	zu := tbl.Lookup(name)
	dst := make([]KeyRef, 0, 8)
	allocs := testing.AllocsPerRun(100, func() {
		_ = tbl.Lookup(name)
		_ = cfg.Sub(sub)
		_ = tbl.LookupFull([]byte("config|get"))
		_ = zu.AppendKeys(dst[:0], argv)
	})
	assert.Zero(t, allocs)
}

func BenchmarkLookup(b *testing.B) {
	tbl := Full()
	names := bargs("GET", "set", "ZunionStore", "georadiusbymember_ro", "nosuch")
	b.ReportAllocs()
	for b.Loop() {
		for _, n := range names {
			_ = tbl.Lookup(n)
		}
	}
}

func BenchmarkLookupSub(b *testing.B) {
	cfg := Full().Lookup([]byte("config"))
	sub := []byte("GET")
	b.ReportAllocs()
	for b.Loop() {
		_ = cfg.Sub(sub)
	}
}

func BenchmarkAppendKeys(b *testing.B) {
	tbl := Full()
	argv := bargs("zunionstore", "d", "3", "a", "b", "c", "weights", "1", "2", "3")
	s := tbl.Lookup(argv[0])
	dst := make([]KeyRef, 0, 16)
	b.ReportAllocs()
	for b.Loop() {
		dst = s.AppendKeys(dst[:0], argv)
	}
}

func BenchmarkCommandDocsAll(b *testing.B) {
	tbl := Full()
	argv := bargs("COMMAND", "DOCS")
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		buf, _ = tbl.Command(buf[:0], argv, RESP3)
	}
	b.SetBytes(int64(len(buf)))
}

func FuzzGetKeys(f *testing.F) {
	for _, argv := range getkeysBattery {
		f.Add(strings.Join(argv, "\x01"))
	}
	f.Add("zunionstore\x01d\x01999999999999\x01a")
	f.Add("migrate\x01h\x01p\x01\x010\x015\x01keys")
	tbl := Full()
	f.Fuzz(func(t *testing.T, line string) {
		argv := bargs(strings.Split(line, "\x01")...)
		s := tbl.LookupArgv(argv)
		keys, err := GetKeys(s, argv)
		if err == nil {
			for _, k := range keys {
				if k < 1 || k >= len(argv) {
					t.Fatalf("key index %d out of %d args", k, len(argv))
				}
			}
		}
		if s != nil {
			for _, r := range s.AppendKeys(nil, argv) {
				if r.Pos < 0 || r.Pos >= len(argv) {
					t.Fatalf("AppendKeys index %d out of %d args", r.Pos, len(argv))
				}
			}
		}
		_, _ = tbl.Resolve(argv)
		_, _ = tbl.Command(nil, append(bargs("COMMAND", "GETKEYS"), argv...), RESP3)
	})
}

func FuzzGlobMatch(f *testing.F) {
	for _, s := range []string{"*", "a*c", "[a-c]", "[^x]", `\*`, "[", "a[", "**?", `[\]]`} {
		f.Add(s, "abc", true)
	}
	f.Fuzz(func(t *testing.T, p, s string, nocase bool) {
		_ = GlobMatch([]byte(p), []byte(s), nocase)
	})
}
