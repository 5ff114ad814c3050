package persist

import (
	"os"
	"time"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/server"
)

// Commands are SAVE and BGSAVE (LASTSAVE is the server's, over LastSave), plus the AOF's.
func (p *Persistence) Commands() []*engine.Command {
	cmds := []*engine.Command{
		{Name: "save", Arity: 1, Flags: engine.FlagAdmin | engine.FlagNoScript | engine.FlagNoMulti, Fn: p.cmdSave},
		{Name: "bgsave", Arity: -1, Flags: engine.FlagAdmin | engine.FlagNoScript, Fn: p.cmdBgsave},
	}
	if p.opts.AOF != nil {
		cmds = append(cmds, p.opts.AOF.Commands()...)
	}
	return cmds
}

func (p *Persistence) cmdSave(x *engine.Ctx) {
	if p.bg != nil {
		x.Error("ERR Background save already in progress")
		return
	}
	p.saves++
	if err := p.SaveSync(); err != nil {
		x.Error("ERR")
		return
	}
	x.OK()
}

func (p *Persistence) cmdBgsave(x *engine.Ctx) {
	schedule := false
	if len(x.Args) > 1 {
		if len(x.Args) == 2 && engine.EqualFold(x.Args[1], "schedule") {
			schedule = true
		} else {
			x.SyntaxError()
			return
		}
	}
	// A BGSAVE queued in MULTI is scheduled, never started, by EXEC (server.in_exec);
	// EXEC runs its queue with CLIENT_DENY_BLOCKING, and BGSAVE is refused in scripts.
	inExec := x.C.Flags&engine.ClientDenyBlocking != 0
	switch {
	case p.bg != nil:
		x.Error("ERR Background save already in progress")
	case p.ChildActive() || inExec:
		if schedule || inExec {
			p.scheduled = true
			x.W.WriteSimpleString("Background saving scheduled")
			return
		}
		x.Error("ERR Another child process is active (AOF?): can't BGSAVE right now. " +
			"Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.")
	default:
		if err := p.StartBgsave(); err != nil {
			x.Error("ERR")
			return
		}
		x.W.WriteSimpleString("Background saving started")
	}
}

// DebugReload is DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE] (lock held): save, empty the
// dataset (and the function libraries), load dir/dbfilename back. It returns the error
// reply, or "" for OK.
func (p *Persistence) DebugReload(e *engine.Engine, args [][]byte) string {
	flush, save, merge := true, true, false
	for _, a := range args {
		switch {
		case engine.EqualFold(a, "merge"):
			merge = true
		case engine.EqualFold(a, "noflush"):
			flush = false
		case engine.EqualFold(a, "nosave"):
			save = false
		default:
			return "ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options."
		}
	}
	if p.eng == nil {
		p.eng = e
	}
	if save {
		// As rdbSave, this runs even while a BGSAVE is in progress.
		if err := p.SaveSync(); err != nil {
			return "ERR"
		}
	}
	if flush {
		for i := 0; i < e.NumDBs(); i++ {
			e.DB(i).Flush()
		}
		if e.Functions != nil {
			e.Functions.FlushLibraries()
		}
	}
	f, err := os.Open(p.RDBPath())
	if err != nil {
		return "ERR Error trying to load the RDB dump"
	}
	defer f.Close()
	start := time.Now()
	if _, err := p.loadRDB(f, merge); err != nil {
		p.log.Logf(server.LevelWarning, "Error loading the RDB: %v", err)
		return "ERR Error trying to load the RDB dump"
	}
	_ = start
	p.log.Logf(server.LevelWarning, "DB reloaded by DEBUG RELOAD")
	return ""
}
