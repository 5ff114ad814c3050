package server

import (
	"strconv"
	"time"

	"github.com/redisctl/redisctl/engine"
)

// ShutdownMode says whether SHUTDOWN (or a signal) saves the dataset before exiting.
type ShutdownMode int

const (
	// ShutdownDefault saves when save points are configured (plain SHUTDOWN, SIGTERM).
	ShutdownDefault ShutdownMode = iota
	// ShutdownSave always saves (SHUTDOWN SAVE).
	ShutdownSave
	// ShutdownNoSave never saves (SHUTDOWN NOSAVE).
	ShutdownNoSave
)

// Persistence is what the persistence layer (RDB save points, BGSAVE, the AOF) implements
// for the server. The server calls it at these points and nowhere else:
//
//   - Load once, from Listen, before any client is accepted (the engine lock is not held:
//     nothing else runs yet); it restores the dataset and logs as Redis does.
//   - Cron from the server cron, hz times a second, with the engine lock held; it must
//     return within about a millisecond (start a background save, check a finished one,
//     fsync the AOF from another goroutine, ...).
//   - Shutdown once, with the engine lock held and no command running, for SHUTDOWN and
//     SIGTERM/SIGINT; an error makes SHUTDOWN fail (unless FORCE) and the server keeps
//     running.
//   - LastSave and AppendInfo for LASTSAVE and INFO persistence (lock held).
//
// The propagation of writes to the AOF goes through engine.Propagator, which the
// implementation installs on the engine in Load.
type Persistence interface {
	Load(e *engine.Engine, log *Logger) error
	Cron(e *engine.Engine, now time.Time)
	Shutdown(e *engine.Engine, mode ShutdownMode, log *Logger) error
	LastSave() int64
	// AppendInfo appends the fields of INFO's persistence section, each "name:value\r\n".
	AppendInfo(dst []byte, e *engine.Engine) []byte
}

// Reloader is implemented by a Persistence that supports DEBUG RELOAD [MERGE] [NOFLUSH]
// [NOSAVE]: args are the options; it returns the error reply, or "" for OK (lock held).
type Reloader interface {
	DebugReload(e *engine.Engine, args [][]byte) string
}

// CommandProvider is implemented by a Persistence that brings its own commands (SAVE,
// BGSAVE, BGREWRITEAOF, LASTSAVE, ...); they are added to the table New builds.
type CommandProvider interface {
	Commands() []*engine.Command
}

// noPersistence keeps nothing: the dataset lives and dies with the process.
type noPersistence struct{ start int64 }

func (noPersistence) Load(*engine.Engine, *Logger) error                   { return nil }
func (noPersistence) Cron(*engine.Engine, time.Time)                       {}
func (noPersistence) Shutdown(*engine.Engine, ShutdownMode, *Logger) error { return nil }
func (p noPersistence) LastSave() int64                                    { return p.start }

func (p noPersistence) AppendInfo(dst []byte, e *engine.Engine) []byte {
	dst = append(dst, "loading:0\r\nasync_loading:0\r\ncurrent_cow_peak:0\r\ncurrent_cow_size:0\r\n"+
		"current_cow_size_age:0\r\ncurrent_fork_perc:0.00\r\ncurrent_save_keys_processed:0\r\n"+
		"current_save_keys_total:0\r\nrdb_changes_since_last_save:"...)
	dst = strconv.AppendInt(dst, e.Dirty, 10)
	dst = append(dst, "\r\nrdb_bgsave_in_progress:0\r\nrdb_last_save_time:"...)
	dst = strconv.AppendInt(dst, p.start, 10)
	dst = append(dst, "\r\nrdb_last_bgsave_status:ok\r\nrdb_last_bgsave_time_sec:-1\r\n"+
		"rdb_current_bgsave_time_sec:-1\r\nrdb_saves:0\r\nrdb_last_cow_size:0\r\n"+
		"rdb_last_load_keys_expired:0\r\nrdb_last_load_keys_loaded:0\r\naof_enabled:0\r\n"+
		"aof_rewrite_in_progress:0\r\naof_rewrite_scheduled:0\r\naof_last_rewrite_time_sec:-1\r\n"+
		"aof_current_rewrite_time_sec:-1\r\naof_last_bgrewrite_status:ok\r\naof_rewrites:0\r\n"+
		"aof_rewrites_consecutive_failures:0\r\naof_last_write_status:ok\r\naof_last_cow_size:0\r\n"+
		"module_fork_in_progress:0\r\nmodule_fork_last_cow_size:0\r\n"...)
	return dst
}
