package engine

import (
	"strings"
	"testing"
)

func TestPrefetchKey(t *testing.T) {
	cmd := func(args ...string) *PrefetchCmd {
		p := &PrefetchCmd{Argc: len(args)}
		for i := 0; i < len(args) && i < len(p.Args); i++ {
			p.Args[i] = []byte(args[i])
		}
		return p
	}
	cases := []struct {
		args []string
		want string // "" for none
	}{
		{[]string{"PING"}, ""},
		{[]string{"GET", "k"}, "k"},
		{[]string{"INCR", "k"}, "k"},
		{[]string{"EVALSHA", "abc", "1", "key:1"}, "key:1"},
		{[]string{"evalsha", "abc", "2", "a", "b", "c"}, "a"},
		{[]string{"EVAL", "return 1", "0"}, ""},
		{[]string{"EVAL", "return 1", "0", "argv"}, ""},
		{[]string{"EVAL", "return 1", "x", "k"}, ""},
		{[]string{"EVAL_RO", "return 1", "1", "k"}, "k"},
		{[]string{"EVALSHA_RO", "abc", "1", "k"}, "k"},
		{[]string{"FCALL", "f", "1", "k"}, "k"},
		{[]string{"fcall_ro", "f", "1", "k"}, "k"},
		{[]string{"FCALL", "f"}, ""},
		{[]string{"EXISTS", "k"}, "k"},
		{[]string{"EVALX", "a", "1", "k"}, "a"},
	}
	for _, c := range cases {
		got := prefetchKey(cmd(c.args...))
		if string(got) != c.want || (got == nil) != (c.want == "") {
			t.Errorf("%s: got %q, want %q", strings.Join(c.args, " "), got, c.want)
		}
	}
}
