package engine

import (
	"strings"

	"github.com/redisctl/redisctl/engine/cmdspec"
)

// specFlags maps Redis's command flags (COMMAND INFO) to the engine's.
var specFlags = []struct {
	s cmdspec.Flag
	e Flags
}{
	{cmdspec.FlagWrite, FlagWrite},
	{cmdspec.FlagReadonly, FlagReadOnly},
	{cmdspec.FlagDenyOOM, FlagDenyOOM},
	{cmdspec.FlagAdmin, FlagAdmin},
	{cmdspec.FlagPubSub, FlagPubSub},
	{cmdspec.FlagNoScript, FlagNoScript},
	{cmdspec.FlagBlocking, FlagBlocking},
	{cmdspec.FlagLoading, FlagLoading},
	{cmdspec.FlagStale, FlagStale},
	{cmdspec.FlagSkipMonitor, FlagSkipMonitor},
	{cmdspec.FlagSkipSlowlog, FlagSkipSlowlog},
	{cmdspec.FlagFast, FlagFast},
	{cmdspec.FlagNoAuth, FlagNoAuth},
	{cmdspec.FlagNoMulti, FlagNoMulti},
	{cmdspec.FlagAllowBusy, FlagAllowBusy},
}

// SpecFlags is the engine's form of a command's Redis 7.0 flags.
func SpecFlags(s *cmdspec.Spec) Flags {
	var f Flags
	for _, m := range specFlags {
		if s.Flags&m.s != 0 {
			f |= m.e
		}
	}
	return f
}

// FromSpec builds a command entry with Redis 7.0's arity, flags and key range for name
// ("cmd" or "cmd|sub"); it panics for a name Redis 7.0 does not have (a programming
// error in a command table).
func FromSpec(name string, fn HandlerFunc) *Command {
	s := cmdspec.Full().LookupFull([]byte(name))
	if s == nil {
		panic("engine: no command " + name + " in Redis 7.0's table")
	}
	return &Command{Name: strings.ToLower(name), Arity: s.Arity, Flags: SpecFlags(s),
		FirstKey: s.FirstKey, LastKey: s.LastKey, Step: s.Step, Fn: fn}
}

// ContainerFromSpec builds a command with subcommands from Redis 7.0's table; fn (may be
// nil) handles the bare command.
func ContainerFromSpec(name string, fn HandlerFunc, subs map[string]HandlerFunc) *Command {
	c := FromSpec(name, fn)
	c.Subcommands = map[string]*Command{}
	for sub, h := range subs {
		sc := FromSpec(name+"|"+sub, h)
		sc.Name = ""
		c.Subcommands[sub] = sc
	}
	return c
}
