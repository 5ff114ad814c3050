package server

import (
	"errors"
	"strings"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/cmdspec"
	"github.com/redisctl/redisctl/engine/config"
)

func configGet(x *engine.Ctx) {
	s := serverOf(x)
	pats := make([]string, len(x.Args)-2)
	for i, a := range x.Args[2:] {
		pats[i] = string(a)
	}
	kv := s.cfg.Get(pats...)
	x.W.WriteMapLen(len(kv) / 2)
	for _, v := range kv {
		x.W.WriteBulkString(v)
	}
}

func configSet(x *engine.Ctx) {
	s := serverOf(x)
	args := make([]string, len(x.Args)-2)
	for i, a := range x.Args[2:] {
		args[i] = string(a)
	}
	local := true
	if cn := connOf(x); cn != nil {
		local = cn.local
	}
	if err := s.cfg.SetWith(config.SetContext{Local: local}, args...); err != nil {
		var ce *config.Error
		if errors.As(err, &ce) {
			x.Error(ce.Msg)
		} else {
			x.Error("ERR " + err.Error())
		}
		return
	}
	x.OK()
}

func configResetstat(x *engine.Ctx) {
	serverOf(x).resetStatsLocked()
	x.OK()
}

// resetStatsLocked is CONFIG RESETSTAT: server, command and error statistics. Lock held.
func (s *Server) resetStatsLocked() {
	e := s.eng
	e.Stats = engine.Stats{}
	e.ResetErrorStats()
	e.Table().ResetStats()
	s.protoErrs = 0
	st := &s.stats
	st.connsReceived, st.rejectedConns, st.netInput, st.readsProcessed = 0, 0, 0, 0
	st.netOutput = 0
	st.writesProcessed = 0
	st.maxInputBuffer, st.maxOutputBuffer, st.evictedClients = 0, 0, 0
	st.instOps, st.instIn, st.instOut = instMetric{}, instMetric{}, instMetric{}
	s.hists = map[*engine.Command]*latencyHist{}
}

func configRewrite(x *engine.Ctx) { configRewriteWith(x, false) }

func configRewriteWith(x *engine.Ctx, all bool) {
	s := serverOf(x)
	if s.cfg.ConfigFile() == "" {
		x.Error("ERR The server is running without a config file")
		return
	}
	if err := s.cfg.Rewrite("", config.RewriteOptions{ForceAll: all}); err != nil {
		msg := sysErrText(errors.Unwrap(err))
		if errors.Unwrap(err) == nil {
			msg = err.Error()
		}
		s.log.Logf(LevelWarning, "CONFIG REWRITE failed: %s", msg)
		x.Error("ERR Rewriting config file: " + msg)
		return
	}
	s.log.Logf(LevelNotice, "CONFIG REWRITE executed with success.")
	x.OK()
}

// cmdCommand serves COMMAND and its subcommands from Redis's captured table, restricted
// to the commands this server implements.
func cmdCommand(x *engine.Ctx) {
	s := serverOf(x)
	out, err := s.specs.Command(nil, x.Args, cmdspec.Proto(x.W.Protocol()))
	if err != nil {
		msg := err.Error()
		if !strings.HasPrefix(msg, "ERR ") && !strings.HasPrefix(msg, "-") {
			msg = "ERR " + msg
		}
		x.Error(msg)
		return
	}
	x.W.WriteRaw(out)
}
