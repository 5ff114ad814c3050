package persist

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/redisctl/redisctl/aof"
	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/config"
	"github.com/redisctl/redisctl/internal/procs"
	"github.com/redisctl/redisctl/server"
)

// The AOF half of persistence, as Redis 7.0's aof.c, without fork and without I/O under
// the engine lock:
//
//   - The engine calls Propagate under its lock for every write; it only encodes the
//     command into an in-memory buffer (aof_buf: SELECT when the database changes, #TS
//     annotations).
//   - A flush takes the whole buffer, write(2)s it to the current incr file, and with
//     appendfsync always fdatasyncs it before publishing the synced offset. The server
//     holds a round's replies until the offset its writes reached is written (everysec,
//     no: Redis's beforeSleep writes the AOF before any reply) or synced (always); the
//     one who waits flushes, when no flush runs (the event loop at the end of its round),
//     so a round of 50 clients shares one write and one fsync (group commit). The writer
//     goroutine flushes for the others: a waiter that found a flush running, a buffer
//     past 1 MiB, a rotation or a stop, and its 100 ms tick.
//   - With everysec a second goroutine (Redis's bio thread) fdatasyncs once a second.
//   - BGREWRITEAOF: under the lock, a rotation to a new incr file is queued in the
//     buffer stream (writes after it go to the new file, as openNewIncrAofForAppend
//     before the fork) and a point-in-time engine snapshot starts; its sink writes the
//     new base (RDB preamble or commands) to temp-rewriteaof-bg-<id>.aof, then, off the
//     lock, renames it to the next base, marks the old base and incr files as history,
//     persists the manifest and deletes the history (backgroundRewriteDoneHandler).
//
// Differences from Redis that follow from having no child process and no event loop:
//   - "Background append only file rewriting started by pid N" names our pid + 2000000
//     (also the number in temp-rewriteaof-bg-N.aof); the child's and the done handler's
//     lines are logged by the sink as the steps happen.
//   - The old incr file is fsynced and closed by the writer goroutine at rotation (Redis
//     hands it to a bio thread).
//   - INFO: the aof_current_size … aof_delayed_fsync block comes before module_fork_*
//     (Persistence appends those after the AOF's fields); values are Redis's.
//   - With appendonly off at start, nothing logs "The AOF directory … doesn't exist"
//     (Persistence.Load calls the AOF half only when appendonly is on).

const (
	aofOff = iota
	aofOn
	aofWaitRewrite
)

// rotateOp is a switch to a new incr file, ordered with the buffered writes.
type rotateOp struct {
	temp bool // AOF_WAIT_REWRITE: temp-<appendfilename>.incr, renamed in at the end
	done chan struct{}
	err  error
	name string        // the file to open
	man  *aof.Manifest // the manifest listing it (nil for the temp file)
}

type segment struct {
	rot  *rotateOp
	stop chan struct{} // close the file after the data (appendonly no), then close stop
	data []byte
}

// AOFFile implements the AOF seam of Persistence.
type AOFFile struct {
	releaseProcs func()       // the procs hold while the AOF is on (setState)
	flushMu      sync.Mutex   // one flush at a time (the writer goroutine, or a waiter)
	syncs        atomic.Int64 // fdatasyncs of appendfsync always (tests count them)
	cfg          *config.Config
	p            *Persistence
	eng          *engine.Engine
	log          *server.Logger
	dcfg         aof.DirConfig

	// Under the engine lock.
	state         int
	scheduled     bool
	rw            *aofRewrite
	rewrites      int64
	consecFails   int64
	lastRWTime    int64 // aof_last_rewrite_time_sec
	lastRWOK      bool
	baseSize      int64 // aof_rewrite_base_size
	lastFsyncUnix int64
	lastFailUnix  int64
	lastCow       int64
	enc           *aof.Encoder

	// The buffer (aof_buf), under bmu: Propagate appends, the writer takes it.
	bmu      sync.Mutex
	segs     []segment
	spare    []byte
	appended int64 // bytes ever appended (stream offset)
	kick     chan struct{}

	// The manifest, under mmu (writer rotations, rewrite completion).
	mmu sync.Mutex
	man *aof.Manifest

	// Writer state.
	fd          *os.File // the writer goroutine's file
	fdMu        sync.Mutex
	written     atomic.Int64
	synced      atomic.Int64
	curSize     atomic.Int64 // aof_current_size
	incrSize    atomic.Int64 // aof_last_incr_size
	writeErr    atomic.Pointer[error]
	wmu         sync.Mutex
	wcond       *sync.Cond
	running     bool // writer goroutine started (under bmu)
	fsyncing    atomic.Bool
	delayed     atomic.Int64
	fsyncStart  atomic.Int64
	writerAlive atomic.Bool
}

// attach learns the persistence layer, the engine and the logger when Load did not run
// (appendonly was off at start): from the first Cron or the first batch's DurablePoint.
func (a *AOFFile) attach(p *Persistence) {
	if a.p != nil || p == nil || p.eng == nil {
		return
	}
	a.p, a.eng, a.log = p, p.eng, p.log
}

// childActive is hasActiveChildProcess (lock held).
func (a *AOFFile) childActive() bool {
	if a.p != nil {
		return a.p.ChildActive()
	}
	return a.eng != nil && a.eng.Snapshot() != nil
}

// snapOpts are the snapshot options of the persistence layer.
func (a *AOFFile) snapOpts() engine.SnapshotOptions {
	if a.p != nil {
		return a.p.opts.Snapshot
	}
	return engine.SnapshotOptions{}
}

// NewAOF returns the AOF half for Options.AOF. Directory and file names
// (appenddirname, appendfilename) are read once here, as they are immutable.
func NewAOF(cfg *config.Config) *AOFFile {
	a := &AOFFile{cfg: cfg, lastRWTime: -1, lastRWOK: true, kick: make(chan struct{}, 1)}
	a.wcond = sync.NewCond(&a.wmu)
	a.dcfg = aof.DirConfig{Dir: cfg.Dir(), DirName: cfg.Appenddirname(), FileName: cfg.Appendfilename()}
	// CONFIG SET appendonly yes|no (runs under the engine lock, after Load).
	_ = cfg.OnApply(a.applyAppendonly, "appendonly")
	return a
}

// Enabled is appendonly.
func (a *AOFFile) Enabled() bool { return a.cfg.Appendonly() }

func (a *AOFFile) dirCfg() aof.DirConfig {
	d := a.dcfg
	d.Dir = a.cfg.Dir()
	return d
}

type aofLog struct{ l *server.Logger }

func (l aofLog) Logf(level int, format string, args ...any) { l.l.Logf(level, format, args...) }

// Load is the AOF part of Redis's startup: aofLoadManifestFromDisk, loadDataFromDisk's
// loadAppendOnlyFiles, aofOpenIfNeededOnServerStart and aofDelHistoryFiles. Lock held,
// nothing else runs. Any error is fatal (Redis exits 1).
func (a *AOFFile) Load(p *Persistence, e *engine.Engine, log *server.Logger) error {
	a.p, a.eng, a.log = p, e, log
	a.setState(aofOn)
	dc := a.dirCfg()
	m, err := aof.LoadManifestFromDisk(dc, aofLog{log})
	if err != nil {
		return err
	}
	start := time.Now()
	e.SetPropagator(nil)
	l := aof.NewLoader(e, &aof.LoadOptions{LoadTruncated: a.cfg.Bool("aof-load-truncated"), Log: aofLog{log},
		MaxBulkLen: a.cfg.ProtoMaxBulkLen()})
	e.UpdateClock()
	st, err := l.LoadAll(dc, m)
	if st == aof.StatusFailed || st == aof.StatusOpenErr {
		if err == nil {
			err = errors.New("persist: loading the AOF failed")
		}
		return err
	}
	if st != aof.StatusNotExist {
		log.Logf(server.LevelNotice, "DB loaded from append only file: %.3f seconds", time.Since(start).Seconds())
	}
	a.man = m
	a.baseSize = l.Stats.BaseSize
	a.curSize.Store(l.Stats.TotalSize)
	if err := a.openOnStart(); err != nil {
		return err
	}
	a.delHistory()
	a.install()
	return nil
}

// openOnStart is aofOpenIfNeededOnServerStart: an empty manifest gets a base written now
// (the dataset is empty or what the RDB held), then the last incr file is opened for
// appending (created when there is none) and the manifest persisted.
func (a *AOFFile) openOnStart() error {
	dc := a.dirCfg()
	if err := os.MkdirAll(dc.Path(), 0o755); err != nil {
		a.log.Logf(server.LevelWarning, "Can't open or create append-only dir %s: %s", a.cfg.Appenddirname(), strerror(err))
		return err
	}
	fn := a.cfg.Appendfilename()
	m := a.man
	if m.Empty() {
		name := m.NewBase(fn, a.cfg.AofUseRdbPreamble())
		if err := a.rewriteSync(dc.FilePath(name)); err != nil {
			return err
		}
		a.log.Logf(server.LevelNotice, "Creating AOF base file %s on server start", name)
	}
	hadIncr := len(m.Incrs) > 0
	name := m.LastIncrName()
	if name == "" {
		name = m.NewIncr(fn)
	}
	f, err := os.OpenFile(dc.FilePath(name), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		a.log.Logf(server.LevelWarning, "Can't open the append-only file %s: %s", name, strerror(err))
		return err
	}
	if err := aof.WriteManifest(dc, m, aofLog{a.log}); err != nil {
		f.Close()
		return err
	}
	a.fd = f
	if st, err := f.Stat(); err == nil {
		a.incrSize.Store(st.Size())
	}
	if hadIncr {
		a.log.Logf(server.LevelNotice, "Opening AOF incr file %s on server start", name)
	} else {
		a.log.Logf(server.LevelNotice, "Creating AOF incr file %s on server start", name)
	}
	// Like Redis, a base created here is not counted: aof_current_size and aof_base_size
	// stay what loadAppendOnlyFiles set (0 when there was nothing to load).
	a.lastFsyncUnix = time.Now().Unix()
	return nil
}

// rewriteSync is rewriteAppendOnlyFile: the base written now, lock held (start-up only).
func (a *AOFFile) rewriteSync(path string) error {
	tmp := fmt.Sprintf("%s/temp-rewriteaof-%d.aof", a.cfg.Dir(), os.Getpid())
	sink, err := a.newBaseSink(tmp, nil, false)
	if err != nil {
		a.log.Logf(server.LevelWarning, "Opening the temp file for AOF rewrite in rewriteAppendOnlyFile(): %s", strerror(err))
		return err
	}
	opts := a.snapOpts()
	opts.SlicePause = 0
	if _, err := a.eng.SaveSnapshot(a.newBaseEncoder(), sink, &opts); err != nil {
		a.log.Logf(server.LevelWarning, "Write error writing append only file on disk: %s", strerror(err))
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		a.log.Logf(server.LevelWarning, "Error moving temp append only file on the final destination: %s", strerror(err))
		os.Remove(tmp)
		return err
	}
	a.log.Logf(server.LevelVerbose, "SYNC append only file rewrite performed")
	return nil
}

// install puts the propagator on the engine and starts the writer goroutine.
func (a *AOFFile) install() {
	a.enc = aof.NewEncoder(a.cfg.Bool("aof-timestamp-enabled"))
	a.bmu.Lock()
	if a.segs == nil {
		a.segs = []segment{{}}
	}
	if !a.running {
		a.running = true
		a.writerAlive.Store(true)
		go a.writer()
	}
	a.bmu.Unlock()
	a.eng.SetPropagator(a)
}

// Propagate is the engine's Propagator (lock held): feedAppendOnlyFile.
func (a *AOFFile) Propagate(db int, args [][]byte) {
	if a.state == aofOff || (a.state == aofWaitRewrite && a.rw == nil) {
		return
	}
	a.enc.Timestamps = a.cfg.Bool("aof-timestamp-enabled")
	a.bmu.Lock()
	s := &a.segs[len(a.segs)-1]
	n := len(s.data)
	s.data = a.enc.Append(s.data, db, args, a.eng.NowMs()/1000)
	a.appended += int64(len(s.data) - n)
	big := len(s.data) >= kickBytes
	a.bmu.Unlock()
	if big {
		a.wake()
	}
}

// kickBytes is how much Propagate buffers before it wakes the writer itself. Below it the
// writer is woken by whoever waits for the writes (WaitDurable: the event loop at the end
// of its round, a connection before its replies), or by its 100 ms tick: so one write, and
// under appendfsync always one fsync, covers a whole round of commands, as Redis writes
// the AOF once per event loop iteration. A writer woken at the first command of a round
// fsynced about four commands at a time under 50 clients, against Redis's fifty.
const kickBytes = 1 << 20

// wake kicks the writer goroutine (without blocking).
func (a *AOFFile) wake() {
	select {
	case a.kick <- struct{}{}:
	default:
	}
}

// enqueue adds a control segment (rotation or stop) to the stream. Lock held.
func (a *AOFFile) enqueue(seg segment) {
	a.bmu.Lock()
	a.segs = append(a.segs, seg, segment{})
	a.bmu.Unlock()
	if a.enc != nil {
		a.enc.ResetDB()
	}
	select {
	case a.kick <- struct{}{}:
	default:
	}
}

// writer is the AOF writer goroutine: it flushes the buffer when woken (by Propagate past
// kickBytes, by a rotation or a stop, by a waiter that could not flush itself) and every
// 100 ms.
func (a *AOFFile) writer() {
	defer a.writerAlive.Store(false)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-a.kick:
		case <-tick.C:
		}
		a.flushMu.Lock()
		failed := a.flush()
		a.flushMu.Unlock()
		if failed {
			time.Sleep(100 * time.Millisecond)
		}
	}
}

// flush writes what is buffered to the file (and fdatasyncs it under appendfsync always),
// then wakes the waiters: flushAppendOnlyFile. It reports a failed write (what was not
// written stays buffered). a.flushMu held: by the writer goroutine, or by a waiter that
// flushes itself (WaitDurable).
func (a *AOFFile) flush() (failed bool) {
	a.bmu.Lock()
	segs := a.segs
	end := a.appended
	a.segs = []segment{{data: a.spare[:0]}}
	a.spare = nil
	a.bmu.Unlock()
	var pending []segment
	for i, s := range segs {
		if s.rot != nil {
			a.rotate(s.rot)
		}
		if len(s.data) > 0 {
			if err := a.writeAll(s.data); err != nil {
				pending = segs[i:]
				break
			}
		}
		if s.stop != nil {
			a.closeFile()
			close(s.stop)
		}
	}
	if pending != nil {
		// Keep what was not written in front of the new data (Redis keeps aof_buf).
		a.bmu.Lock()
		a.segs = append(pending, a.segs...)
		a.bmu.Unlock()
		// Replies waiting on these writes go out (writes are now refused with MISCONF,
		// as Redis does while aof_last_write_status is err).
		a.wmu.Lock()
		a.wcond.Broadcast()
		a.wmu.Unlock()
		return true
	}
	if a.writeErr.Load() != nil {
		a.writeErr.Store(nil)
		a.log.Logf(server.LevelWarning, "AOF write error looks solved, Redis can write again.")
	}
	if last := segs[len(segs)-1].data; cap(last) > 0 && cap(last) <= 4<<20 {
		a.bmu.Lock()
		if a.spare == nil {
			a.spare = last[:0]
		}
		a.bmu.Unlock()
	}
	a.written.Store(end)
	if a.cfg.Appendfsync() == config.FsyncAlways && a.synced.Load() < end {
		a.fdMu.Lock()
		if a.fd != nil {
			if err := syscall.Fdatasync(int(a.fd.Fd())); err != nil {
				a.log.Logf(server.LevelWarning, "Can't persist AOF for fsync error when the AOF fsync policy is 'always': %s. Exiting...", strerror(err))
				os.Exit(1)
			}
		}
		a.fdMu.Unlock()
		a.synced.Store(end)
		a.syncs.Add(1)
	}
	a.wmu.Lock()
	a.wcond.Broadcast()
	a.wmu.Unlock()
	return false
}

// writeAll writes data to the current incr file (flushAppendOnlyFile's write part).
func (a *AOFFile) writeAll(data []byte) error {
	a.fdMu.Lock()
	f := a.fd
	a.fdMu.Unlock()
	if f == nil {
		return nil
	}
	n, err := f.Write(data)
	if n > 0 {
		a.curSize.Add(int64(n))
		a.incrSize.Add(int64(n))
	}
	if err == nil {
		return nil
	}
	if n > 0 {
		// A partial write: remove it so the file stays a sequence of whole commands.
		if st, serr := f.Stat(); serr == nil && f.Truncate(st.Size()-int64(n)) == nil {
			a.curSize.Add(-int64(n))
			a.incrSize.Add(-int64(n))
		}
	}
	if a.writeErr.Load() == nil {
		a.log.Logf(server.LevelWarning, "Error writing to the AOF file: %s", strerror(err))
	}
	a.writeErr.Store(&err)
	if a.cfg.Appendfsync() == config.FsyncAlways {
		a.log.Logf(server.LevelWarning, "Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting...")
		os.Exit(1)
	}
	return err
}

// rotate is openNewIncrAofForAppend, on the writer goroutine.
func (a *AOFFile) rotate(r *rotateOp) {
	defer close(r.done)
	dc := a.dirCfg()
	a.mmu.Lock()
	defer a.mmu.Unlock()
	f, err := os.OpenFile(dc.FilePath(r.name), os.O_WRONLY|os.O_TRUNC|os.O_CREATE, 0o644)
	if err != nil {
		a.log.Logf(server.LevelWarning, "Can't open the append-only file %s: %s", r.name, strerror(err))
		r.err = err
		return
	}
	if r.man != nil {
		if err := aof.WriteManifest(dc, r.man, aofLog{a.log}); err != nil {
			f.Close()
			r.err = err
			return
		}
		a.man = r.man
	}
	a.closeFile()
	a.fdMu.Lock()
	a.fd = f
	a.fdMu.Unlock()
	a.incrSize.Store(0)
}

// closeFile fsyncs and closes the current file (aof_background_fsync_and_close).
func (a *AOFFile) closeFile() {
	a.fdMu.Lock()
	old := a.fd
	a.fd = nil
	a.fdMu.Unlock()
	if old != nil {
		_ = syscall.Fdatasync(int(old.Fd()))
		old.Close()
		a.synced.Store(a.written.Load())
	}
}

// DurablePoint is the stream offset the replies of the current batch depend on. Lock held.
func (a *AOFFile) DurablePoint() int64 {
	if a.state == aofOff || !a.writerAlive.Load() {
		return 0
	}
	a.bmu.Lock()
	n := a.appended
	a.bmu.Unlock()
	return n
}

// WaitDurable blocks (lock not held) until the stream is written up to point, and fsynced
// under appendfsync always.
func (a *AOFFile) WaitDurable(point int64) {
	if point == 0 {
		return
	}
	reached := func() bool {
		if a.cfg.Appendfsync() == config.FsyncAlways {
			return a.synced.Load() >= point
		}
		return a.written.Load() >= point
	}
	if reached() {
		return
	}
	// Flush here when no flush runs: the event loop at the end of its round writes (and
	// fsyncs) the round's commands itself, as Redis's main thread does in beforeSleep,
	// instead of waking the writer goroutine and being woken by it, two thread switches
	// per round (with the loop keeping its clients, appendfsync always at 50 clients
	// went from 60k to 74-89k SETs/s; Redis 73-94k: BENCHMARKS.md).
	if a.writerAlive.Load() && a.flushMu.TryLock() {
		if !reached() {
			a.flush()
		}
		a.flushMu.Unlock()
		if reached() {
			return
		}
	}
	a.wake()
	a.wmu.Lock()
	for !reached() && a.writerAlive.Load() && a.writeErr.Load() == nil {
		a.wcond.Wait()
	}
	a.wmu.Unlock()
}

// drain waits until everything appended so far is written (lock held: shutdown and
// appendonly no only).
func (a *AOFFile) drain() {
	if !a.writerAlive.Load() {
		return
	}
	select {
	case a.kick <- struct{}{}:
	default:
	}
	a.bmu.Lock()
	end := a.appended
	a.bmu.Unlock()
	a.wmu.Lock()
	for a.written.Load() < end && a.writerAlive.Load() && a.writeErr.Load() == nil {
		a.wcond.Wait()
	}
	a.wmu.Unlock()
}

// fsyncEverysec starts a background fdatasync (aof_background_fsync) once a second.
func (a *AOFFile) fsyncEverysec(now time.Time) {
	unix := now.Unix()
	if unix <= a.lastFsyncUnix || a.synced.Load() >= a.written.Load() {
		return
	}
	if a.fsyncing.Load() {
		// The previous fsync is still running: Redis postpones, and counts it after 2 s.
		if now.UnixMilli()-a.fsyncStart.Load() >= 2000 {
			a.delayed.Add(1)
			a.log.Logf(server.LevelNotice, "Asynchronous AOF fsync is taking too long (disk is busy?). Writing the AOF buffer without waiting for fsync to complete, this may slow down Redis.")
			a.fsyncStart.Store(now.UnixMilli())
		}
		return
	}
	a.lastFsyncUnix = unix
	a.fsyncing.Store(true)
	a.fsyncStart.Store(now.UnixMilli())
	target := a.written.Load()
	go func() {
		defer a.fsyncing.Store(false)
		a.fdMu.Lock()
		f := a.fd
		a.fdMu.Unlock()
		if f == nil {
			return
		}
		if err := syscall.Fdatasync(int(f.Fd())); err != nil {
			a.log.Logf(server.LevelWarning, "Fail to fsync the AOF file: %s", strerror(err))
			return
		}
		if a.synced.Load() < target {
			a.synced.Store(target)
		}
	}()
}

// WriteError is the MISCONF text while the last AOF write failed.
func (a *AOFFile) WriteError() string {
	if a.state == aofOff {
		return ""
	}
	if p := a.writeErr.Load(); p != nil {
		return "MISCONF Errors writing to the AOF file: " + strerror(*p)
	}
	return ""
}

// delHistory is aofDelHistoryFiles (lock held at start; else called off the lock by the
// rewrite sink with mmu held).
func (a *AOFFile) delHistory() {
	a.mmu.Lock()
	defer a.mmu.Unlock()
	a.delHistoryLocked()
}

func (a *AOFFile) delHistoryLocked() {
	if a.man == nil || len(a.man.History) == 0 || a.cfg.Bool("aof-disable-auto-gc") {
		return
	}
	dc := a.dirCfg()
	for _, h := range a.man.History {
		a.log.Logf(server.LevelNotice, "Removing the history file %s in the background", h.Name)
		os.Remove(dc.FilePath(h.Name))
	}
	a.man.History = nil
	_ = aof.WriteManifest(dc, a.man, aofLog{a.log})
}

// applyAppendonly is CONFIG SET appendonly (lock held): startAppendOnly / stopAppendOnly.
func (a *AOFFile) applyAppendonly() error {
	if a.eng == nil {
		return errors.New("the AOF is not ready yet")
	}
	on := a.cfg.Appendonly()
	switch {
	case on && a.state == aofOff:
		return a.startAppendOnly()
	case !on && a.state != aofOff:
		a.stopAppendOnly()
	}
	return nil
}

// setState changes the AOF's state. While it is not off the AOF holds a second P
// (package procs): its writer's write(2)s and the everysec fdatasync are system calls,
// and with one P a long one keeps every connection waiting until the runtime takes the
// P back (an appendfsync everysec SET load had 80 SETs over 10 ms in 3M with one P, none
// with two: BENCHMARKS.md, "Stalls under a write load").
func (a *AOFFile) setState(st int) {
	a.state = st
	switch {
	case st != aofOff && a.releaseProcs == nil:
		a.releaseProcs = procs.Hold(2)
	case st == aofOff && a.releaseProcs != nil:
		a.releaseProcs()
		a.releaseProcs = nil
	}
}

func (a *AOFFile) startAppendOnly() error {
	a.setState(aofWaitRewrite)
	if a.man == nil {
		m, err := aof.LoadManifestFromDisk(a.dirCfg(), aofLog{a.log})
		if err != nil {
			a.setState(aofOff)
			return err
		}
		a.man = m
	}
	switch {
	case a.childActive() && a.rw == nil:
		a.scheduled = true
		a.log.Logf(server.LevelWarning, "AOF was enabled but there is already another background operation. An AOF background was scheduled to start when possible.")
	default:
		if a.rw != nil {
			a.log.Logf(server.LevelWarning, "AOF was enabled but there is already an AOF rewriting in background. Stopping background AOF and starting a rewrite now.")
			a.killRewrite()
		}
		if err := a.startRewrite(); err != nil {
			a.setState(aofOff)
			a.log.Logf(server.LevelWarning, "Redis needs to enable the AOF but can't trigger a background AOF rewrite operation. Check the above logs for more info about the error.")
			return err
		}
	}
	a.lastFsyncUnix = time.Now().Unix()
	return nil
}

func (a *AOFFile) stopAppendOnly() {
	a.killRewrite()
	stop := make(chan struct{})
	a.enqueue(segment{stop: stop})
	<-stop // the buffer is written, the file fsynced and closed
	a.setState(aofOff)
	a.scheduled = false
	a.incrSize.Store(0)
	a.eng.SetPropagator(nil)
}

// Shutdown is prepareForShutdown's AOF part (lock held): a running rewrite is killed
// (refused while the initial AOF is being written, unless forced), the buffer written and
// the file fsynced.
func (a *AOFFile) Shutdown(p *Persistence, e *engine.Engine, mode server.ShutdownMode, log *server.Logger) error {
	if a.rw != nil {
		if a.state == aofWaitRewrite {
			log.Logf(server.LevelWarning, "Writing initial AOF, can't exit.")
			return errors.New("persist: writing the initial AOF")
		}
		log.Logf(server.LevelWarning, "There is a child rewriting the AOF. Killing it!")
		a.killRewrite()
	}
	if a.state != aofOff {
		log.Logf(server.LevelNotice, "Calling fsync() on the AOF file.")
		a.drain()
		a.fdMu.Lock()
		if a.fd != nil {
			if err := syscall.Fdatasync(int(a.fd.Fd())); err != nil {
				log.Logf(server.LevelWarning, "Fail to fsync the AOF file: %s.", strerror(err))
			}
		}
		a.fdMu.Unlock()
		a.synced.Store(a.written.Load())
	}
	return nil
}

// Cron is the AOF part of serverCron (lock held).
func (a *AOFFile) Cron(p *Persistence, e *engine.Engine, now time.Time) {
	if a.p == nil {
		a.p, a.eng, a.log = p, e, p.Logger()
	}
	if a.rw != nil {
		select {
		case <-a.rw.snap.Done():
			a.rewriteDone(now)
		default:
		}
	}
	if a.rw == nil && !p.ChildActive() && a.scheduled && !a.rewriteLimited(now) {
		if a.startRewrite() == nil {
			a.scheduled = false
		}
	}
	if a.state == aofOn && a.rw == nil && !p.ChildActive() {
		perc := int64(a.cfg.AutoAofRewritePercentage())
		cur := a.curSize.Load()
		if perc > 0 && cur > a.cfg.AutoAofRewriteMinSize() {
			base := a.baseSize
			if base == 0 {
				base = 1
			}
			growth := cur*100/base - 100
			if growth >= perc && !a.rewriteLimited(now) {
				a.log.Logf(server.LevelNotice, "Starting automatic rewriting of AOF on %d%% growth", growth)
				_ = a.startRewrite()
			}
		}
	}
	if a.state != aofOff && a.cfg.Appendfsync() == config.FsyncEverysec {
		a.fsyncEverysec(now)
	}
}

// rewriteLimited is aofRewriteLimited: after 3 consecutive failures, automatic rewrites
// wait 1, 2, 4 … up to 60 minutes.
func (a *AOFFile) rewriteLimited(now time.Time) bool {
	if a.consecFails < 3 || a.rw != nil {
		return false
	}
	delay := time.Minute << min(a.consecFails-3, 6)
	if delay > time.Hour {
		delay = time.Hour
	}
	return now.Sub(a.lastFailAt()) < delay
}

func (a *AOFFile) lastFailAt() time.Time { return time.Unix(a.lastFailUnix, 0) }

// AppendInfo appends the aof_* fields of INFO persistence.
func (a *AOFFile) AppendInfo(dst []byte, e *engine.Engine) []byte {
	f := func(name string, v int64) {
		dst = append(dst, name...)
		dst = append(dst, ':')
		dst = fmtInt(dst, v)
		dst = append(dst, "\r\n"...)
	}
	f("aof_enabled", b2i(a.state != aofOff))
	f("aof_rewrite_in_progress", b2i(a.rw != nil))
	f("aof_rewrite_scheduled", b2i(a.scheduled))
	f("aof_last_rewrite_time_sec", a.lastRWTime)
	cur := int64(-1)
	if a.rw != nil {
		cur = int64(time.Since(a.rw.start).Seconds())
	}
	f("aof_current_rewrite_time_sec", cur)
	if a.lastRWOK {
		dst = append(dst, "aof_last_bgrewrite_status:ok\r\n"...)
	} else {
		dst = append(dst, "aof_last_bgrewrite_status:err\r\n"...)
	}
	f("aof_rewrites", a.rewrites)
	f("aof_rewrites_consecutive_failures", a.consecFails)
	if a.writeErr.Load() == nil {
		dst = append(dst, "aof_last_write_status:ok\r\n"...)
	} else {
		dst = append(dst, "aof_last_write_status:err\r\n"...)
	}
	var cow int64
	if a.rw != nil {
		cow = a.rw.snap.Stats().CowBytes
	} else {
		cow = a.lastCow
	}
	f("aof_last_cow_size", cow)
	if a.cfg.Appendonly() {
		// Redis writes these after module_fork_*; parsers read fields by name.
		f("aof_current_size", a.curSize.Load())
		f("aof_base_size", a.baseSize)
		f("aof_pending_rewrite", b2i(a.scheduled))
		a.bmu.Lock()
		buffered := a.appended - a.written.Load()
		a.bmu.Unlock()
		f("aof_buffer_length", buffered)
		f("aof_pending_bio_fsync", b2i(a.fsyncing.Load()))
		f("aof_delayed_fsync", a.delayed.Load())
	}
	return dst
}
