package tscript

import (
	"github.com/redisctl/redisctl/engine"
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

func spec(name string, fn engine.HandlerFunc) *engine.Command { return engine.FromSpec(name, fn) }

func container(name string, subs map[string]engine.HandlerFunc) *engine.Command {
	return engine.ContainerFromSpec(name, nil, subs)
}
