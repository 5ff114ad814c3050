package persist

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/redisctl/redisctl/aof"
	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/rdbobj"
	"github.com/redisctl/redisctl/engine/tlist"
	"github.com/redisctl/redisctl/server"
)

// aofRewrite is a background rewrite in progress (CHILD_TYPE_AOF).
type aofRewrite struct {
	snap   *engine.Snapshot
	sink   *baseSink
	start  time.Time
	killed bool
}

// RewriteID is the number in temp-rewriteaof-bg-<id>.aof: Redis uses the child's pid; we
// have no child, so it is our pid plus two million.
func RewriteID() int { return os.Getpid() + 2000000 }

// startRewrite is rewriteAppendOnlyFileBackground (lock held).
func (a *AOFFile) startRewrite() error {
	if a.rw != nil || a.childActive() {
		return engine.ErrSnapshotRunning
	}
	dc := a.dirCfg()
	if err := os.MkdirAll(dc.Path(), 0o755); err != nil {
		a.log.Logf(server.LevelWarning, "Can't open or create append-only dir %s: %s", a.cfg.Appenddirname(), strerror(err))
		a.lastRWOK = false
		return err
	}
	if a.man == nil {
		m, err := aof.LoadManifestFromDisk(dc, aofLog{a.log})
		if err != nil {
			return err
		}
		a.man = m
	}
	var rot *rotateOp
	if a.state != aofOff {
		// The name and the manifest listing it are fixed now (the manifest changes only
		// after this rotation is done); the writer goroutine opens the file and persists
		// the manifest, in order with the writes before and after this point.
		rot = &rotateOp{temp: a.state == aofWaitRewrite, done: make(chan struct{})}
		fn := a.cfg.Appendfilename()
		if rot.temp {
			rot.name = aof.TempIncrName(fn)
		} else {
			a.mmu.Lock()
			rot.man = a.man.Clone()
			a.mmu.Unlock()
			rot.name = rot.man.NewIncr(fn)
		}
		if a.state == aofWaitRewrite {
			// The writer starts with the temp incr file: make sure it runs.
			a.install()
		}
		a.enqueue(segment{rot: rot})
		a.log.Logf(server.LevelNotice, "Creating AOF incr file %s on background rewrite", rot.name)
	}
	tmp := filepath.Join(a.cfg.Dir(), fmt.Sprintf("temp-rewriteaof-bg-%d.aof", RewriteID()))
	sink, err := a.newBaseSink(tmp, rot, true)
	if err != nil {
		a.log.Logf(server.LevelWarning, "Can't rewrite append only file in background: %s", strerror(err))
		a.lastRWOK = false
		return err
	}
	opts := a.snapOpts()
	s, err := a.eng.StartSnapshot(a.newBaseEncoder(), sink, &opts)
	if err != nil {
		sink.abort()
		a.log.Logf(server.LevelWarning, "Can't rewrite append only file in background: fork: %s", err)
		a.lastRWOK = false
		return err
	}
	sink.snap.Store(s)
	a.rewrites++
	a.rw = &aofRewrite{snap: s, sink: sink, start: time.Now()}
	a.log.Logf(server.LevelNotice, "Background append only file rewriting started by pid %d", RewriteID())
	return nil
}

// killRewrite is killAppendOnlyChild (lock held): the snapshot is canceled and its
// temporary file removed.
func (a *AOFFile) killRewrite() {
	rw := a.rw
	if rw == nil {
		return
	}
	a.log.Logf(server.LevelNotice, "Killing running AOF rewrite child: %d", RewriteID())
	rw.killed = true
	rw.sink.killed.Store(true)
	rw.snap.Cancel()
	<-rw.snap.Done()
	a.rw = nil
	a.lastCow = rw.snap.Stats().CowBytes
}

// rewriteDone is backgroundRewriteDoneHandler's bookkeeping (lock held); the files were
// switched by the sink, off the lock.
func (a *AOFFile) rewriteDone(now time.Time) {
	rw := a.rw
	a.rw = nil
	err := rw.snap.Err()
	a.lastRWTime = int64(now.Sub(rw.start).Seconds())
	a.lastCow = rw.snap.Stats().CowBytes
	if err != nil {
		a.lastRWOK = false
		a.consecFails++
		a.lastFailUnix = now.Unix()
		a.log.Logf(server.LevelWarning, "Background AOF rewrite terminated with error: %v", err)
		if a.state == aofWaitRewrite {
			// Try again: the AOF stays in WAIT_REWRITE until a rewrite succeeds.
			a.scheduled = true
		}
		return
	}
	a.lastRWOK = true
	a.consecFails = 0
	if a.state != aofOff {
		a.curSize.Store(rw.sink.baseBytes + a.incrSize.Load())
		a.baseSize = a.curSize.Load()
	}
	if a.state == aofWaitRewrite {
		a.state = aofOn
	}
}

// newBaseEncoder is the snapshot encoder of a base: RDB key records with
// aof-use-rdb-preamble, else commands in the rewrite form.
func (a *AOFFile) newBaseEncoder() engine.SnapshotEncoder {
	if a.cfg.AofUseRdbPreamble() {
		return NewRDBEncoder(a.eng, a.cfg.RdbCompression())
	}
	return NewCommandEncoder()
}

// cmdEncoder writes a key in rewriteAppendOnlyFileRio's command form.
type cmdEncoder struct {
	rw      aof.CommandRewriter
	scratch scratchPool
	// steps builds the RDB jobs of big values (cmdJob): no LZF, no IDLE or FREQ, no
	// engine to read.
	steps *RDBEncoder
}

// BeginBig implements engine.SnapshotIncremental. A value the RDB form writes in steps
// (a big string, a hashtable hash or set, a skiplist zset or a quicklist, of BigElements
// elements or with an element of bigElem bytes) is written by a cmdJob, in steps too.
// Other big values' commands are written whole at the first step and handed over in
// pieces (renderJob): values under BigElements elements, and listpacks and intsets of
// renderBytes or more (raised limits only). A big stream has a job of its own
// (cmdStreamJob).
func (c *cmdEncoder) BeginBig(_ int, key string, o *engine.Object, expireMs int64) engine.SnapshotJob {
	if j := c.stepped(key, o, expireMs); j != nil {
		return j
	}
	if !rendered(o) {
		return nil
	}
	return &renderJob{pool: &c.scratch, render: func(dst []byte) ([]byte, error) {
		return c.AppendEntry(dst, 0, key, o, expireMs)
	}}
}

// stepped is the cmdJob of o, or nil when its RDB record is not written in steps.
func (c *cmdEncoder) stepped(key string, o *engine.Object, expireMs int64) engine.SnapshotJob {
	items := 0
	switch {
	case o.Type() == engine.TypeString:
		if o.Encoding() != engine.EncRaw || len(o.Bytes()) < renderBytes {
			return nil
		}
	case o.Type() == engine.TypeList:
		if o.Encoding() != engine.EncQuicklist {
			return nil
		}
		items = tlist.FromObject(o).Len()
	case o.Type() == engine.TypeStream:
		st := bigStream(o)
		if st == nil {
			return nil
		}
		return &cmdStreamJob{rw: &aof.CommandRewriter{}, key: []byte(key), st: st, expire: expireMs, copied: -1}
	case o.Encoding() != engine.EncHashtable && o.Encoding() != engine.EncSkiplist:
		return nil
	}
	switch j := c.steps.BeginBig(0, key, o, -1).(type) {
	case *strJob, *listJob, *zsetJob, *tableJob[string], *tableJob[struct{}]:
		return newCmdJob(j, key, items, expireMs)
	}
	return nil
}

// NewCommandEncoder is the snapshot encoder of a command-form AOF base (one key's
// SET/RPUSH/SADD/ZADD/HMSET/XADD… commands and its PEXPIREAT per record; the sink writes
// SELECT between databases).
func NewCommandEncoder() engine.SnapshotEncoder {
	return &cmdEncoder{steps: &RDBEncoder{saver: rdbobj.NewSaver(false)}}
}

// AppendEntry implements engine.SnapshotEncoder.
func (c *cmdEncoder) AppendEntry(dst []byte, _ int, key string, o *engine.Object, expireMs int64) ([]byte, error) {
	// The rewriter only reads the key: no copy.
	return c.rw.AppendKey(dst, unsafe.Slice(unsafe.StringData(key), len(key)), o, expireMs)
}

// baseSink writes a new base file from a snapshot and switches the manifest.
type baseSink struct {
	a        *AOFFile
	tmp      string
	f        *os.File
	bw       *bufio.Writer
	rdb      *RDBWriter // nil for a command base
	preamble bool
	rot      *rotateOp
	cur      int
	switchOn bool // switch the manifest at the end (background rewrite)
	killed   atomic.Bool
	snap     atomic.Pointer[engine.Snapshot]

	baseBytes int64
}

func (a *AOFFile) newBaseSink(tmp string, rot *rotateOp, background bool) (*baseSink, error) {
	f, err := os.Create(tmp)
	if err != nil {
		return nil, err
	}
	var w io.Writer = f
	if a.cfg.Bool("aof-rewrite-incremental-fsync") {
		w = newAutoSync(f) // with reclaim_cache, as Redis 7.2 sets it beside autosync
	}
	s := &baseSink{a: a, tmp: tmp, f: f, bw: bufio.NewWriterSize(w, 1<<20), rot: rot, cur: -1,
		preamble: a.cfg.AofUseRdbPreamble(), switchOn: background}
	if s.preamble {
		s.rdb = NewRDBWriter(s.bw, HeaderOptions{AOFBase: true, NoChecksum: !a.cfg.RdbChecksum(), UsedMem: usedMemory()})
	}
	return s, nil
}

func (s *baseSink) abort() {
	s.f.Close()
	os.Remove(s.tmp)
}

// Begin writes the RDB header, or "#TS:" and FUNCTION LOAD for a command base.
func (s *baseSink) Begin(st *engine.SnapshotStart) error {
	if s.rdb != nil {
		return s.rdb.Begin(st)
	}
	var b []byte
	if s.a.cfg.Bool("aof-timestamp-enabled") {
		b = aof.AppendTimestamp(b, time.Now().Unix())
	}
	for _, code := range st.Functions {
		b = appendCommand(b, []byte("FUNCTION"), []byte("LOAD"), code)
	}
	_, err := s.bw.Write(b)
	return err
}

// Write writes a chunk (a SELECT first when its database differs from the last one).
func (s *baseSink) Write(c *engine.SnapshotChunk) error {
	if s.rdb != nil {
		return s.rdb.Write(c)
	}
	if c.DB != s.cur {
		s.cur = c.DB
		if _, err := s.bw.Write(aof.AppendSelect(nil, c.DB)); err != nil {
			return err
		}
	}
	_, err := s.bw.Write(c.Data)
	return err
}

// End finishes the temp file, and for a background rewrite renames it into the directory
// as the next base and switches the manifest (backgroundRewriteDoneHandler), off the lock.
func (s *baseSink) End(err error) error {
	if err == nil && s.rdb != nil {
		err = s.rdb.End(nil)
	}
	if err == nil {
		err = s.bw.Flush()
	}
	if err == nil {
		err = s.f.Sync()
	}
	if err == nil {
		if rerr := reclaimFile(s.f); rerr != nil { // a minor error: only logged
			s.a.log.Logf(server.LevelNotice, "Unable to reclaim page cache: %s", strerror(rerr))
		}
	}
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(s.tmp)
		if s.killed.Load() || errors.Is(err, engine.ErrSnapshotCanceled) {
			return err
		}
		return err
	}
	if st, serr := os.Stat(s.tmp); serr == nil {
		s.baseBytes = st.Size()
	}
	if s.rot == nil && !s.switchOn {
		return nil // rewriteSync renames it itself
	}
	// The child's last lines.
	log := s.a.log
	log.Logf(server.LevelNotice, "Successfully created the temporary AOF base file %s", filepath.Base(s.tmp))
	var cow int64
	if sn := s.snap.Load(); sn != nil {
		cow = sn.Stats().CowBytes
	}
	log.Logf(server.LevelNotice, "Fork CoW for AOF rewrite: current %d MB, peak %d MB, average %d MB", 0, cow>>20, cow>>21)
	return s.a.switchBase(s)
}

// switchBase renames the new base in, marks what it replaces as history, persists the
// manifest and deletes the history. Off the engine lock.
func (a *AOFFile) switchBase(s *baseSink) error {
	log := a.log
	log.Logf(server.LevelNotice, "Background AOF rewrite terminated with success")
	if s.rot != nil {
		<-s.rot.done
		if s.rot.err != nil {
			os.Remove(s.tmp)
			return s.rot.err
		}
	}
	if s.killed.Load() {
		os.Remove(s.tmp)
		return engine.ErrSnapshotCanceled
	}
	dc := a.dirCfg()
	fn := a.cfg.Appendfilename()
	a.mmu.Lock()
	defer a.mmu.Unlock()
	tm := a.man.Clone()
	base := tm.NewBase(fn, s.preamble)
	if err := os.Rename(s.tmp, dc.FilePath(base)); err != nil {
		log.Logf(server.LevelWarning, "Error trying to rename the temporary AOF base file %s into %s: %s",
			filepath.Base(s.tmp), base, strerror(err))
		os.Remove(s.tmp)
		return err
	}
	log.Logf(server.LevelNotice, "Successfully renamed the temporary AOF base file %s into %s", filepath.Base(s.tmp), base)
	var newIncr string
	if s.rot != nil && s.rot.temp {
		tempName := aof.TempIncrName(fn)
		newIncr = tm.NewIncr(fn)
		if err := os.Rename(dc.FilePath(tempName), dc.FilePath(newIncr)); err != nil {
			log.Logf(server.LevelWarning, "Error trying to rename the temporary AOF incr file %s into %s: %s", tempName, newIncr, strerror(err))
			os.Remove(dc.FilePath(base))
			return err
		}
		log.Logf(server.LevelNotice, "Successfully renamed the temporary AOF incr file %s into %s", tempName, newIncr)
	}
	// server.aof_fd != -1: the last incr file is the one being written.
	tm.MarkRewrittenIncrAsHistory(s.rot != nil)
	if err := aof.WriteManifest(dc, tm, aofLog{log}); err != nil {
		os.Remove(dc.FilePath(base))
		if newIncr != "" {
			os.Remove(dc.FilePath(newIncr))
		}
		return err
	}
	a.man = tm
	a.delHistoryLocked()
	log.Logf(server.LevelNotice, "Background AOF rewrite finished successfully")
	return nil
}

func appendCommand(dst []byte, args ...[]byte) []byte {
	dst = append(dst, '*')
	dst = strconv.AppendInt(dst, int64(len(args)), 10)
	dst = append(dst, '\r', '\n')
	for _, a := range args {
		dst = append(dst, '$')
		dst = strconv.AppendInt(dst, int64(len(a)), 10)
		dst = append(dst, '\r', '\n')
		dst = append(dst, a...)
		dst = append(dst, '\r', '\n')
	}
	return dst
}

func fmtInt(dst []byte, v int64) []byte { return strconv.AppendInt(dst, v, 10) }

// Commands is BGREWRITEAOF.
func (a *AOFFile) Commands() []*engine.Command {
	return []*engine.Command{
		{Name: "bgrewriteaof", Arity: 1, Flags: engine.FlagAdmin | engine.FlagNoScript, Fn: a.cmdBgrewriteaof},
	}
}

func (a *AOFFile) cmdBgrewriteaof(x *engine.Ctx) {
	if a.eng == nil {
		// Before the first cron tick with the AOF off at start: nobody told us the engine
		// yet (Persistence.Load calls the AOF only when appendonly is on).
		a.eng = x.E
	}
	if a.log == nil {
		a.log = server.NewLogger(io.Discard, server.LevelWarning)
	}
	// Queued in MULTI, it is scheduled, never started, by EXEC (server.in_exec): EXEC runs
	// its queue with CLIENT_DENY_BLOCKING, and BGREWRITEAOF is refused in scripts.
	inExec := x.C.Flags&engine.ClientDenyBlocking != 0
	switch {
	case a.rw != nil:
		x.Error("ERR Background append only file rewriting already in progress")
	case a.childActive() || inExec:
		a.scheduled = true
		a.consecFails = 0
		x.W.WriteSimpleString("Background append only file rewriting scheduled")
	case a.startRewrite() == nil:
		x.W.WriteSimpleString("Background append only file rewriting started")
	default:
		x.Error("ERR Can't execute an AOF background rewriting. Please check the server logs for more information.")
	}
}
