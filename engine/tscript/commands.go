package tscript

import (
	"strings"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/cmdspec"
)

// Commands returns the scripting commands of Redis 7.0.
func Commands() []*engine.Command {
	return []*engine.Command{
		spec("eval", cmdEval(false, false)),
		spec("evalsha", cmdEval(true, false)),
		spec("eval_ro", cmdEval(false, true)),
		spec("evalsha_ro", cmdEval(true, true)),
		spec("fcall", cmdFcall(false)),
		spec("fcall_ro", cmdFcall(true)),
		container("script", cmdScript()),
		container("function", cmdFunction()),
	}
}

var flagMap = []struct {
	s cmdspec.Flag
	e engine.Flags
}{
	{cmdspec.FlagWrite, engine.FlagWrite},
	{cmdspec.FlagReadonly, engine.FlagReadOnly},
	{cmdspec.FlagDenyOOM, engine.FlagDenyOOM},
	{cmdspec.FlagAdmin, engine.FlagAdmin},
	{cmdspec.FlagPubSub, engine.FlagPubSub},
	{cmdspec.FlagNoScript, engine.FlagNoScript},
	{cmdspec.FlagBlocking, engine.FlagBlocking},
	{cmdspec.FlagLoading, engine.FlagLoading},
	{cmdspec.FlagStale, engine.FlagStale},
	{cmdspec.FlagSkipMonitor, engine.FlagSkipMonitor},
	{cmdspec.FlagSkipSlowlog, engine.FlagSkipSlowlog},
	{cmdspec.FlagFast, engine.FlagFast},
	{cmdspec.FlagNoAuth, engine.FlagNoAuth},
	{cmdspec.FlagNoMulti, engine.FlagNoMulti},
	{cmdspec.FlagAllowBusy, engine.FlagAllowBusy},
}

func spec(name string, fn engine.HandlerFunc) *engine.Command {
	s := cmdspec.Full().LookupFull([]byte(name))
	if s == nil {
		panic("tscript: no command " + name + " in Redis 7.0's table")
	}
	var f engine.Flags
	for _, m := range flagMap {
		if s.Flags&m.s != 0 {
			f |= m.e
		}
	}
	return &engine.Command{Name: strings.ToLower(name), Arity: s.Arity, Flags: f,
		FirstKey: s.FirstKey, LastKey: s.LastKey, Step: s.Step, Fn: fn}
}

func container(name string, subs map[string]engine.HandlerFunc) *engine.Command {
	c := spec(name, nil)
	c.Subcommands = map[string]*engine.Command{}
	for sub, h := range subs {
		sc := spec(name+"|"+sub, h)
		sc.Name = ""
		c.Subcommands[sub] = sc
	}
	return c
}
