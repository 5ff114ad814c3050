package server

import (
	"fmt"
	"sort"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/cmdspec"
	"github.com/redisctl/redisctl/engine/rdbobj"
	"github.com/redisctl/redisctl/engine/tbits"
	"github.com/redisctl/redisctl/engine/tgeo"
	"github.com/redisctl/redisctl/engine/thash"
	"github.com/redisctl/redisctl/engine/thll"
	"github.com/redisctl/redisctl/engine/tlist"
	"github.com/redisctl/redisctl/engine/tscript"
	"github.com/redisctl/redisctl/engine/tset"
	"github.com/redisctl/redisctl/engine/tsort"
	"github.com/redisctl/redisctl/engine/tstream"
	"github.com/redisctl/redisctl/engine/tstring"
	"github.com/redisctl/redisctl/engine/tzset"
)

// families are the command families assembled into the table. A family package exposes
// Commands() []*engine.Command; add it here when it lands.
var families = []func() []*engine.Command{
	engine.CoreCommands,
	tstring.Commands,
	tbits.Commands,
	thll.Commands,
	thash.Commands,
	tlist.Commands,
	tset.Commands,
	tzset.Commands,
	tgeo.Commands,
	tstream.Commands,
	tsort.Commands,
	rdbobj.Commands,
	tscript.Commands,
}

// NewTable builds the full command table: the engine's core commands, every command family
// that exists, and the server commands of this package. Extra command sets (persistence's
// SAVE/BGSAVE, ...) can be passed in.
func NewTable(extra ...[]*engine.Command) *engine.Table {
	t := engine.NewTable()
	for _, f := range families {
		t.Register(f()...)
	}
	t.Register(Commands()...)
	for _, cmds := range extra {
		t.Register(cmds...)
	}
	return t
}

// specTable returns Redis's command table restricted to what t implements, for COMMAND and
// the error texts that name commands. Names the captured table does not know (none
// today) are left out of COMMAND.
func specTable(t *engine.Table) *cmdspec.Table {
	full := cmdspec.Full()
	var names []string
	t.All(func(c *engine.Command) {
		if full.Lookup([]byte(c.Name)) == nil {
			return
		}
		if len(c.Subcommands) == 0 {
			names = append(names, c.Name)
			return
		}
		for sub := range c.Subcommands {
			n := c.Name + "|" + sub
			if full.LookupFull([]byte(n)) != nil {
				names = append(names, n)
			}
		}
	})
	sort.Strings(names)
	r, err := full.Restrict(names)
	if err != nil {
		// Restrict only fails on names Full does not know, which were filtered out.
		panic(fmt.Sprintf("server: restricting the command table: %v", err))
	}
	return r
}

// fromSpec builds a command entry with Redis 7.0's arity, flags and key range.
func fromSpec(name string, fn engine.HandlerFunc) *engine.Command { return engine.FromSpec(name, fn) }

// container builds a command with subcommands; fn (may be nil) handles the bare command.
func container(name string, fn engine.HandlerFunc, subs map[string]engine.HandlerFunc) *engine.Command {
	return engine.ContainerFromSpec(name, fn, subs)
}
