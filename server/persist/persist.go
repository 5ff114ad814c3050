package persist

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/config"
	"github.com/redisctl/redisctl/engine/rdbobj"
	"github.com/redisctl/redisctl/server"
)

// bgsaveRetryDelay is CONFIG_BGSAVE_RETRY_DELAY: after a failed BGSAVE, save points and a
// scheduled BGSAVE wait this many seconds before trying again.
const bgsaveRetryDelay = 5

// MisconfRDB is the error Redis 7.0 replies to writes (and PING) after a failed background
// save while stop-writes-on-bgsave-error is on and save points are set.
const MisconfRDB = "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. " +
	"Commands that may modify the data set are disabled, because this instance is configured to report errors during " +
	"writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details " +
	"about the RDB error."

// AOF is the seam for the append-only file half (server/persist/aof*.go). Persistence
// calls it at the points named, with the engine lock held unless said otherwise.
type AOF interface {
	// Enabled is appendonly: when on, Load loads the AOF instead of the RDB.
	Enabled() bool
	// Load restores the dataset at start (the engine lock is held; nothing else runs yet).
	Load(p *Persistence, e *engine.Engine, log *server.Logger) error
	// Cron runs from the server cron after the RDB cron (fsync scheduling, rewrites).
	Cron(p *Persistence, e *engine.Engine, now time.Time)
	// Shutdown flushes and fsyncs before the final RDB save.
	Shutdown(p *Persistence, e *engine.Engine, mode server.ShutdownMode, log *server.Logger) error
	// AppendInfo appends the aof_* fields of INFO persistence (in Redis's order).
	AppendInfo(dst []byte, e *engine.Engine) []byte
	// WriteError is the MISCONF text for a failing AOF write ("" when writes are fine).
	WriteError() string
	// Commands are BGREWRITEAOF and friends.
	Commands() []*engine.Command
}

// Options configure New.
type Options struct {
	// Config is the server's configuration (save, dir, dbfilename, rdbcompression, ...),
	// read live at each use so CONFIG SET applies at once.
	Config *config.Config
	// Snapshot tunes background snapshots (tests make the walker slow with it).
	Snapshot engine.SnapshotOptions
	// AOF is the append-only half (nil: none; the aof_* INFO fields report it off).
	AOF AOF
}

// Persistence implements server.Persistence for RDB files (and hosts the AOF half).
// Everything but construction runs under the engine lock.
type Persistence struct {
	cfg  *config.Config
	opts Options
	log  *server.Logger
	eng  *engine.Engine

	lastSave     int64 // unix seconds (LASTSAVE)
	lastStatusOK bool  // lastbgsave_status
	lastTry      int64 // lastbgsave_try
	lastBgTime   int64 // rdb_last_bgsave_time_sec
	saves        int64 // rdb_saves
	lastCow      int64 // rdb_last_cow_size
	loadKeys     int64
	loadExpired  int64
	scheduled    bool // rdb_bgsave_scheduled

	bg       *engine.Snapshot
	bgStart  time.Time
	bgDirty  int64 // dirty_before_bgsave
	bgSink   *fileSink
	bgKilled bool // canceled by FLUSHALL or SHUTDOWN (Redis's SIGUSR1: not an error)
}

// New returns the persistence layer; install it with server.Options.Persistence.
func New(opts Options) *Persistence {
	if opts.Config == nil {
		opts.Config = config.New()
	}
	return &Persistence{cfg: opts.Config, opts: opts, lastStatusOK: true, lastBgTime: -1,
		lastSave: time.Now().Unix()}
}

// Engine is the engine Load was given.
func (p *Persistence) Engine() *engine.Engine { return p.eng }

// Logger is the server's logger (after Load).
func (p *Persistence) Logger() *server.Logger { return p.log }

// Config is the live configuration.
func (p *Persistence) Config() *config.Config { return p.cfg }

// RDBPath is dir/dbfilename.
func (p *Persistence) RDBPath() string { return filepath.Join(p.cfg.Dir(), p.cfg.Dbfilename()) }

// BgsaveInProgress reports whether a BGSAVE runs (lock held).
func (p *Persistence) BgsaveInProgress() bool { return p.bg != nil }

// ChildActive is hasActiveChildProcess: any background snapshot (BGSAVE or an AOF
// rewrite) is running. Lock held.
func (p *Persistence) ChildActive() bool { return p.bg != nil || p.eng.Snapshot() != nil }

// Load installs the hooks on the engine and loads the dataset: the AOF when appendonly is
// on, else dir/dbfilename if it exists, logging as Redis's loadDataFromDisk.
func (p *Persistence) Load(e *engine.Engine, log *server.Logger) error {
	p.eng, p.log = e, log
	e.Lock()
	defer e.Unlock()
	prev := e.CheckHook
	e.CheckHook = func(c *engine.Client, cmd *engine.Command, args [][]byte) string {
		if prev != nil {
			if msg := prev(c, cmd, args); msg != "" {
				return msg
			}
		}
		return p.checkWrite(cmd)
	}
	e.FlushAllHook = p.flushAll
	p.lastSave = time.Now().Unix()
	restore := lessGCWhileLoading()
	err := p.loadFromDisk(e, log)
	restore()
	if err == nil {
		collectAfterLoad()
	}
	return err
}

// collectAfterLoad runs the collector's first cycle over the loaded dataset now, before
// any client is served and with every core (serve drops to io-threads later), instead of
// letting it run beside the clients: over a 5M-key heap of 1.4 GB that cycle marked for
// 3-4 s at one P and its assists and stop-the-worlds stretched SET latencies to ~20 ms
// (BENCHMARKS.md, "BGSAVE off the lock").
func collectAfterLoad() { runtime.GC() }

// loadFromDisk is Load's reading of the AOF or the RDB file.
func (p *Persistence) loadFromDisk(e *engine.Engine, log *server.Logger) error {
	if p.opts.AOF != nil && p.opts.AOF.Enabled() {
		return p.opts.AOF.Load(p, e, log)
	}
	start := time.Now()
	f, err := os.Open(p.RDBPath())
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		log.Logf(server.LevelWarning, "Fatal error loading the DB: %s. Exiting.", strerror(err))
		return err
	}
	defer f.Close()
	st, err := p.loadRDB(f, false)
	if err != nil {
		log.Logf(server.LevelWarning, "Fatal error loading the DB: %s. Exiting.", err)
		return err
	}
	_ = st
	log.Logf(server.LevelNotice, "DB loaded from disk: %.3f seconds", time.Since(start).Seconds())
	return nil
}

// loadGCPercent is the collector's GOGC while the dataset loads at startup.
const loadGCPercent = 1000

// lessGCWhileLoading raises GOGC to loadGCPercent for the startup load and returns what
// puts it back. Loading only adds live data, yet with GOGC 100 the collector marks the
// whole growing heap again every time it doubles (about ten full cycles for a 1 GB RDB,
// a third of the load's CPU); at 1000 it runs a few times, and since little of what the
// loader allocates is garbage, peak RSS barely moves (1 GB mixed RDB: 2080 MB against
// 2046 MB at 400, load CPU 5.5 s against 6.6 s). Once GOGC is back the next cycle
// runs concurrently with the clients. A GOGC set in the environment (or one already
// higher) is left as it is; a memory limit (GOMEMLIMIT) still applies throughout.
func lessGCWhileLoading() (restore func()) {
	if os.Getenv("GOGC") != "" {
		return func() {}
	}
	prev := debug.SetGCPercent(loadGCPercent)
	if prev < 0 || prev >= loadGCPercent {
		debug.SetGCPercent(prev)
		return func() {}
	}
	return func() { debug.SetGCPercent(prev) }
}

// loadRDB reads an RDB stream into the engine (lock held) with rdbLoad's log lines.
func (p *Persistence) loadRDB(f *os.File, merge bool) (*rdbobj.LoadStats, error) {
	e, log := p.eng, p.log
	e.UpdateClock()
	st, err := rdbobj.Load(e, bufio.NewReaderSize(f, 1<<20), nil, &rdbobj.LoadOptions{AllowDup: merge})
	if st != nil {
		for _, a := range st.Aux {
			switch a.Name {
			case "redis-ver":
				log.Logf(server.LevelNotice, "Loading RDB produced by version %s", a.Value)
			case "ctime":
				if ct, err := strconv.ParseInt(a.Value, 10, 64); err == nil {
					age := time.Now().Unix() - ct
					if age < 0 {
						age = 0
					}
					log.Logf(server.LevelNotice, "RDB age %d seconds", age)
				}
			case "used-mem":
				if um, err := strconv.ParseInt(a.Value, 10, 64); err == nil {
					log.Logf(server.LevelNotice, "RDB memory usage when created %.2f Mb", float64(um)/(1024*1024))
				}
			}
		}
	}
	if err != nil {
		return st, err
	}
	if len(st.Functions) > 0 {
		if e.Functions == nil {
			return st, fmt.Errorf("persist: the RDB holds %d function libraries but scripting is not available", len(st.Functions))
		}
		for _, code := range st.Functions {
			if err := e.Functions.LoadLibrary(code, merge); err != nil {
				return st, fmt.Errorf("persist: loading a function library: %w", err)
			}
		}
	}
	p.loadKeys, p.loadExpired = st.Keys, st.Expired
	log.Logf(server.LevelNotice, "Done loading RDB, keys loaded: %d, keys expired: %d.", st.Keys, st.Expired)
	return st, nil
}

// checkWrite refuses writes (and PING) after a failed background save (MISCONF).
func (p *Persistence) checkWrite(cmd *engine.Command) string {
	if cmd.Flags&engine.FlagWrite == 0 && cmd.Name != "ping" {
		return ""
	}
	if !p.lastStatusOK && p.cfg.StopWritesOnBgsaveError() && len(p.cfg.SaveParams()) > 0 {
		return MisconfRDB
	}
	if p.opts.AOF != nil {
		return p.opts.AOF.WriteError()
	}
	return ""
}

// header returns the RDB header options for the current configuration.
func (p *Persistence) header() HeaderOptions {
	return HeaderOptions{NoChecksum: !p.cfg.RdbChecksum(), UsedMem: usedMemory()}
}

// rdbSink opens temp-<id>.rdb for dir/dbfilename with the configuration's header and
// rdb-save-incremental-fsync.
func (p *Persistence) rdbSink(id int) *fileSink {
	return newFileSink(p.cfg.Dir(), p.cfg.Dbfilename(), id, p.header(), p.cfg.Bool("rdb-save-incremental-fsync"))
}

// usedMemory approximates used_memory for the used-mem AUX field.
func usedMemory() int64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() == metrics.KindUint64 {
		return int64(s[0].Value.Uint64())
	}
	return 0
}

// SaveSync is rdbSave: write dir/dbfilename now, with the lock held throughout (SAVE,
// SHUTDOWN, DEBUG RELOAD, FLUSHALL with save points). On success the dirty counter is
// reset and LASTSAVE moves, as Redis does.
func (p *Persistence) SaveSync() error {
	e := p.eng
	sink := p.rdbSink(os.Getpid())
	opts := p.opts.Snapshot
	opts.SlicePause = 0
	_, err := e.SaveSnapshot(NewRDBEncoder(e, p.cfg.RdbCompression()), sink, &opts)
	if err != nil {
		p.logSaveError(sink, err)
		return err
	}
	p.logReclaim(sink)
	p.log.Logf(server.LevelNotice, "DB saved on disk")
	e.Dirty = 0
	p.lastSave = time.Now().Unix()
	p.lastStatusOK = true
	return nil
}

// logReclaim logs a failure to drop a saved RDB file from the page cache: a minor error
// (rdbSaveInternal's notice).
func (p *Persistence) logReclaim(s *fileSink) {
	if s.reclaimErr != nil {
		p.log.Logf(server.LevelNotice, "Unable to reclaim cache after saving RDB: %s", strerror(s.reclaimErr))
	}
}

func (p *Persistence) logSaveError(s *fileSink, err error) {
	cwd, werr := filepath.Abs(p.cfg.Dir())
	if werr != nil {
		cwd = "unknown"
	}
	switch s.stage {
	case "open":
		p.log.Logf(server.LevelWarning, "Failed opening the temp RDB file %s (in server root dir %s) for saving: %s",
			filepath.Base(s.tmp), cwd, strerror(err))
	case "rename":
		p.log.Logf(server.LevelWarning, "Error moving temp DB file %s on the final destination %s (in server root dir %s): %s",
			filepath.Base(s.tmp), p.cfg.Dbfilename(), cwd, strerror(err))
	default:
		p.log.Logf(server.LevelWarning, "Write error saving DB on disk: %s", strerror(err))
	}
}

// strerror renders an OS error as C's strerror does ("Permission denied").
func strerror(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		s := errno.Error()
		if s != "" {
			return strings.ToUpper(s[:1]) + s[1:]
		}
	}
	return err.Error()
}

// BgsaveID is the number in the temporary file name of a background save
// (temp-<id>.rdb): Redis uses the child's pid; we have no child, so it is our pid plus
// one million, distinct from SAVE's temp-<pid>.rdb.
func BgsaveID() int { return os.Getpid() + 1000000 }

// StartBgsave is rdbSaveBackground (lock held): it starts a point-in-time snapshot to
// dir/dbfilename in the background. It fails when a snapshot is already running.
func (p *Persistence) StartBgsave() error {
	e := p.eng
	if p.ChildActive() {
		return engine.ErrSnapshotRunning
	}
	p.bgDirty = e.Dirty
	p.lastTry = time.Now().Unix()
	p.saves++
	sink := p.rdbSink(BgsaveID())
	opts := p.opts.Snapshot
	if d := p.cfg.Int("rdb-key-save-delay"); d > 0 {
		opts.KeyDelay = time.Duration(d) * time.Microsecond
	}
	s, err := e.StartSnapshot(NewRDBEncoder(e, p.cfg.RdbCompression()), sink, &opts)
	if err != nil {
		return err
	}
	p.bg, p.bgSink, p.bgStart, p.bgKilled = s, sink, time.Now(), false
	p.log.Logf(server.LevelNotice, "Background saving started by pid %d", os.Getpid())
	return nil
}

// KillBgsave stops a running BGSAVE (killRDBChild): not counted as an error. Lock held.
// It waits for the writer to remove its temporary file.
func (p *Persistence) KillBgsave() {
	if p.bg == nil {
		return
	}
	p.bgKilled = true
	p.bg.Cancel()
	<-p.bg.Done()
	p.bgDone(time.Now())
}

// bgDone is backgroundSaveDoneHandlerDisk. Lock held; the snapshot has ended.
func (p *Persistence) bgDone(now time.Time) {
	s := p.bg
	err := s.Err()
	st := s.Stats()
	p.lastBgTime = now.Unix() - p.bgStart.Unix() // time(NULL)-rdb_save_time_start
	p.lastCow = st.CowBytes
	p.log.Logf(server.LevelVerbose, "Snapshot walk: %d keys (%d pre-change images, %d bytes of them), %d slices (%d paced for clients), longest %.3f ms, peak queue %d bytes, %d waits for the encoder, longest %.3f ms",
		st.KeysDone, st.HookKeys, st.CowBytes, st.Slices, st.PacedSlices, float64(st.MaxSlice.Microseconds())/1000, st.PeakQueue,
		st.ClaimWaits, float64(st.MaxClaimWait.Microseconds())/1000)
	switch {
	case p.bgKilled:
		p.log.Logf(server.LevelWarning, "Background saving terminated by signal %d", int(syscall.SIGUSR1))
	case err == nil:
		p.logReclaim(p.bgSink)
		p.log.Logf(server.LevelNotice, "DB saved on disk")
		p.log.Logf(server.LevelNotice, "Fork CoW for RDB: current %d MB, peak %d MB, average %d MB",
			0, st.CowBytes>>20, st.CowBytes>>21)
		p.log.Logf(server.LevelNotice, "Background saving terminated with success")
		p.eng.Dirty -= p.bgDirty
		p.lastSave = now.Unix()
		p.lastStatusOK = true
	default:
		p.logSaveError(p.bgSink, err)
		p.log.Logf(server.LevelWarning, "Background saving error")
		p.lastStatusOK = false
	}
	p.bg, p.bgSink = nil, nil
}

// Cron is the persistence part of serverCron (lock held): a finished BGSAVE is reaped, a
// scheduled BGSAVE starts, save points trigger a BGSAVE, then the AOF's cron runs.
func (p *Persistence) Cron(e *engine.Engine, now time.Time) {
	if p.eng == nil {
		p.eng = e
	}
	if p.bg != nil {
		select {
		case <-p.bg.Done():
			p.bgDone(now)
		default:
		}
	}
	unix := now.Unix()
	retryOK := unix-p.lastTry > bgsaveRetryDelay || p.lastStatusOK
	if !p.ChildActive() && p.scheduled && retryOK {
		if p.StartBgsave() == nil {
			p.scheduled = false
		}
	}
	if !p.ChildActive() {
		for _, sp := range p.cfg.SaveParams() {
			if e.Dirty >= int64(sp.Changes) && unix-p.lastSave > sp.Seconds && retryOK {
				p.log.Logf(server.LevelNotice, "%d changes in %d seconds. Saving...", sp.Changes, sp.Seconds)
				_ = p.StartBgsave()
				break
			}
		}
	}
	if p.opts.AOF != nil {
		p.opts.AOF.Cron(p, e, now)
	}
}

// Shutdown is prepareForShutdown's persistence part (lock held): kill a running BGSAVE,
// let the AOF flush, then save when save points are set (or SHUTDOWN SAVE) unless NOSAVE.
func (p *Persistence) Shutdown(e *engine.Engine, mode server.ShutdownMode, log *server.Logger) error {
	if p.eng == nil {
		p.eng, p.log = e, log
	}
	if p.bg != nil {
		log.Logf(server.LevelWarning, "There is a child saving an .rdb. Killing it!")
		p.bgKilled = true
		p.bg.Cancel()
		<-p.bg.Done()
		p.bg, p.bgSink = nil, nil
	}
	if p.opts.AOF != nil {
		if err := p.opts.AOF.Shutdown(p, e, mode, log); err != nil {
			return err
		}
	}
	if (len(p.cfg.SaveParams()) > 0 && mode != server.ShutdownNoSave) || mode == server.ShutdownSave {
		log.Logf(server.LevelNotice, "Saving the final RDB snapshot before exiting.")
		if err := p.SaveSync(); err != nil {
			return err
		}
	}
	return nil
}

// LastSave is LASTSAVE.
func (p *Persistence) LastSave() int64 { return p.lastSave }

// flushAll is FLUSHALL's flushAllDataAndResetRDB tail: a running BGSAVE is killed, and
// with save points the (now empty) dataset is saved at once.
func (p *Persistence) flushAll() {
	if p.bg != nil {
		p.KillBgsave()
	}
	if len(p.cfg.SaveParams()) > 0 {
		_ = p.SaveSync()
	}
}

// AppendInfo appends INFO persistence.
func (p *Persistence) AppendInfo(dst []byte, e *engine.Engine) []byte {
	f := func(name string, v int64) {
		dst = append(dst, name...)
		dst = append(dst, ':')
		dst = strconv.AppendInt(dst, v, 10)
		dst = append(dst, "\r\n"...)
	}
	dst = append(dst, "loading:0\r\nasync_loading:0\r\n"...)
	var st engine.SnapshotStats
	inProgress := p.bg != nil
	if inProgress {
		st = p.bg.Stats()
	}
	f("current_cow_peak", st.CowBytes)
	f("current_cow_size", st.CowBytes)
	f("current_cow_size_age", 0)
	perc := 0.0
	if st.KeysTotal > 0 {
		perc = float64(st.KeysDone) * 100 / float64(st.KeysTotal)
	}
	dst = append(dst, "current_fork_perc:"...)
	dst = strconv.AppendFloat(dst, perc, 'f', 2, 64)
	dst = append(dst, "\r\n"...)
	f("current_save_keys_processed", st.KeysDone)
	f("current_save_keys_total", st.KeysTotal)
	f("rdb_changes_since_last_save", e.Dirty)
	f("rdb_bgsave_in_progress", b2i(inProgress))
	f("rdb_last_save_time", p.lastSave)
	if p.lastStatusOK {
		dst = append(dst, "rdb_last_bgsave_status:ok\r\n"...)
	} else {
		dst = append(dst, "rdb_last_bgsave_status:err\r\n"...)
	}
	f("rdb_last_bgsave_time_sec", p.lastBgTime)
	cur := int64(-1)
	if inProgress {
		cur = time.Now().Unix() - p.bgStart.Unix()
	}
	f("rdb_current_bgsave_time_sec", cur)
	f("rdb_saves", p.saves)
	f("rdb_last_cow_size", p.lastCow)
	f("rdb_last_load_keys_expired", p.loadExpired)
	f("rdb_last_load_keys_loaded", p.loadKeys)
	if p.opts.AOF != nil {
		dst = p.opts.AOF.AppendInfo(dst, e)
	} else {
		dst = append(dst, "aof_enabled:0\r\naof_rewrite_in_progress:0\r\naof_rewrite_scheduled:0\r\n"+
			"aof_last_rewrite_time_sec:-1\r\naof_current_rewrite_time_sec:-1\r\naof_last_bgrewrite_status:ok\r\n"+
			"aof_rewrites:0\r\naof_rewrites_consecutive_failures:0\r\naof_last_write_status:ok\r\naof_last_cow_size:0\r\n"...)
	}
	dst = append(dst, "module_fork_in_progress:0\r\nmodule_fork_last_cow_size:0\r\n"...)
	return dst
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
