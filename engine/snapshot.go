package engine

import (
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redisctl/redisctl/engine/dict"
	"github.com/redisctl/redisctl/internal/procs"
)

// Fork-free point-in-time snapshots (DESIGN.md, "Fork-free snapshots"; FORMATS.md §4.5).
//
// StartSnapshot bumps the engine's epoch E and pins, for every database, the key and
// expiry dicts it holds at that instant (T0) together with their T0 database number. Every
// dict is told to give new entries Version E, so keys created after T0 are skipped. A
// walker goroutine visits the pinned dicts with the dict's SCAN cursor, in slices bounded
// in time under the engine lock, and serializes every entry whose Version is below E (then
// stamps it E). The engine calls BeforeChange before any change or removal of an entry (a
// write, an in-place container change, a TTL change, a delete, an expiry, a rename or move
// source or destination): an entry still below E is serialized there, with its T0 value
// and TTL, and stamped. So every key of T0 is written exactly once, as of T0:
//
//   - at least once: an entry that lives through the whole walk is visited by the SCAN
//     guarantee (a rehash relinks entries, never copies them, and their Version moves
//     with them); one that changes or dies first is caught by the hook;
//   - at most once: whoever serializes it first stamps it, under the same lock;
//   - SWAPDB swaps dict pointers between databases: the pinned dicts keep their T0
//     number, so a pre-image is written under the database it belonged to at T0;
//   - FLUSHDB/FLUSHALL give a database new dicts (born at E) and leave the old ones to the
//     walker alone: nothing else touches them any more, so they are frozen T0 images.
//
// Records written off the lock (SnapshotDeferred): under the lock the walker only stamps
// and claims the entries of small values (strings, listpacks, intsets: a copy of the
// Object header, the T0 expiry and database), their Version epoch-1 (epochs go up by 2);
// it releases the lock and writes the batch's records on an encoder thread of lower
// priority, then queues them at its next slice, where it stamps the written entries E.
// The value's bytes do not change meanwhile, because any change first runs BeforeChange,
// which settles the claim: a queued claim it takes over (the pre-image is written under
// the lock, as for an unvisited entry), one being written it waits for (one small
// record). Reads only touch the header's LRU field, which the walker does not read (the
// IDLE or FREQ a record needs is taken when claiming). So the lock is held for the scan
// and the claims, not for the encoding and LZF (half of the walk's CPU). A small value
// that SetKey replaces or Drop discards before the walker reached it is not serialized
// by the client either: nothing refers to the old value any more, so it joins the
// walker's next batch as a claim with no entry (dropRec, at most maxDropped waiting).
//
// The walker's output goes through a bounded queue to a writer goroutine that calls the
// SnapshotSink off the lock: when the queue is full the walker waits (off the lock), the
// clients never do. Hook output is queued whatever the queue holds (it must not block
// under the lock). CowBytes counts the bytes of every pre-image (hooks, kept and dropped
// values): what the snapshot had to copy because of the clients' changes. They stream
// to the sink, so this is not what it holds at any one time.
//
// A big value's record (SnapshotIncremental) is handed over in chunk-sized pieces as its
// steps produce it, not built whole in one growing buffer: the 40 values of 100k elements
// of the 5M-key benchmark dataset otherwise allocated 416 MB of buffers during one walk
// (with no GC cycle in the walk, all of it RSS growth). While such a record is partly
// queued (the open job), every other chunk (hook pre-images, the walker's records, a
// second job finished by a hook) waits aside and follows it, so records stay contiguous.

// SnapshotEncoder serializes one entry in the sink's record format (persist: an RDB key
// record). It is called under the engine lock, by the walker or a hook, with the entry's
// value and its expiry (unix ms, -1 for none) as of T0, and the database number the key
// had at T0. It must not keep o or key.
type SnapshotEncoder interface {
	AppendEntry(dst []byte, dbID int, key string, o *Object, expireMs int64) ([]byte, error)
}

// SnapshotIncremental is optionally implemented by a SnapshotEncoder that can serialize
// a big value in steps, so neither the walker nor a hook holds the lock for the whole
// value at once. BeginBig is called under the lock for each entry the walker is about
// to serialize; it returns nil to serialize the entry at once (AppendEntry), or a job.
type SnapshotIncremental interface {
	BeginBig(dbID int, key string, o *Object, expireMs int64) SnapshotJob
}

// SnapshotDeferred is optionally implemented by a SnapshotEncoder that can write the
// records of small values off the engine lock: the walker then only claims such an entry
// under the lock (it copies the Object header, the expiry and what Deferrable captures)
// and writes its record after releasing the lock, on its own goroutine, while the clients
// run. The value's bytes cannot change meanwhile: BeforeChange settles the claim first.
type SnapshotDeferred interface {
	// Deferrable is called under the lock for an entry the walker visits and BeginBig left
	// to AppendEntry, and for such a value SetKey replaces before the walker reached it
	// (nothing refers to the old value any more, so its bytes stay as they are). It
	// reports whether the record may be written later, off the lock, from a copy of o's
	// header and the bytes it points at, and returns what that record
	// needs of the engine's state at this instant (persist: the IDLE seconds or the LFU
	// counter), since that state may change, or be read by no one but the lock's holder.
	Deferrable(o *Object) (attr int64, ok bool)
	// DeferredEncoder returns the encoder the walker's goroutine uses off the lock: it
	// must share no state with the SnapshotEncoder, which hooks use under the lock at the
	// same time.
	DeferredEncoder() DeferredEncoder
}

// DeferredEncoder writes a claimed entry's record off the engine lock (SnapshotDeferred):
// the same bytes AppendEntry would have written when the entry was claimed. It must read
// nothing but its arguments and the bytes o points at.
type DeferredEncoder interface {
	AppendDeferred(dst []byte, dbID int, key string, o *Object, expireMs, attr int64) ([]byte, error)
}

// A claim is an entry the walker will serialize off the lock (SnapshotDeferred). Its
// entry's Version is epoch-1 until it is settled. The walker moves state from
// claimQueued to claimEncoding before it reads the value and to claimDone after; a hook
// under the lock either takes a queued claim over (claimTaken: it writes the pre-image
// itself) or waits for claimDone.
type claim struct {
	en    *Entry // nil for a dropped value: a pre-image (no entry holds it any more)
	key   string
	obj   Object // the header as claimed; the walker reads nothing of en off the lock
	exp   int64
	attr  int64
	db    int
	state atomic.Uint32
}

// dropRec is a small value SetKey replaced or Drop discarded before the walker wrote it
// (keepOld): no entry refers to it any more, so nothing changes its bytes, and its record
// is written off the lock with the walker's next batch of claims instead of under the
// lock by the client that replaced it. Once written, a string's buffer is recycled
// (strpool.go).
type dropRec struct {
	key       string
	obj       Object
	exp, attr int64
	db        int
}

const (
	claimQueued uint32 = iota
	claimEncoding
	claimDone
	claimTaken
)

// SnapshotJob serializes one entry in steps, each under the engine lock. Between steps
// the object may be read but not changed until the job is detached: before any change in
// place the snapshot's hook detaches the job (SnapshotDetacher) or runs it to its end.
// Step appends more of the record to dst, working until deadline (the zero time: to the
// end), and reports when the record is complete. A job that holds something between steps (an iterator) also has an
// Abort method, which the snapshot calls when it drops the job unfinished (canceled).
type SnapshotJob interface {
	Step(dst []byte, deadline time.Time) (out []byte, done bool, err error)
}

// SnapshotDetacher is optionally implemented by a SnapshotJob that can go on while its
// value changes in place (HSET on a big hash): Detach takes what the rest of the record
// needs, as references to bytes that are never rewritten or as copies, or arranges for
// the value to keep, element by element, what the job has not written yet (persist holds
// a hash's or set's table, or a zset's member dict: dict.Hold). The engine then treats the
// job as a kept value's: it no longer looks at the entry. Detach is called under the
// lock, in the changing client's hook, on a job the walker is half through or on one
// started there for a value the walker has not reached; it must cost at most a walk over
// the rest of the value, not its encoding (running a 100k-field hash's job to its end in
// the hook took 30-40 ms; BENCHMARKS.md, "Changes in place to big values").
type SnapshotDetacher interface {
	Detach() error
}

// SnapshotOffLock is optionally implemented by a SnapshotJob that does most of its work
// off the engine lock (persist: a big string's LZF). In a background snapshot, before
// each Step the walker calls Stage under the lock: it copies the next part of the value
// into a buffer of the job's own and reports true, and the walker then ends its slice and
// calls Work off the lock (on the encoder thread, beside the claimed records), which may
// read only what Stage copied. Work always ends before the job's next Stage or Step. Stage
// reports false when nothing is left to stage: Step then goes on as usual. A hook's
// Detach may run while Work does (a client, under the lock): it must not touch what Work
// reads or writes. SaveSnapshot and a hook that finishes a job call Step alone, which then
// does the work itself, under the lock.
type SnapshotOffLock interface {
	Stage() bool
	Work()
}

// SnapshotHolder is optionally implemented by a SnapshotJob whose Detach holds its value
// (copy-on-write per element) instead of copying the rest of it: Copied reports whether
// it did, and then the bytes of its record written from the copies, which is all the
// snapshot held aside for that value (CowBytes), where a value kept whole counts its
// whole record.
type SnapshotHolder interface {
	Copied() (bytes int64, held bool)
}

// keptBytes is what a finished job held aside counts in CowBytes.
func keptBytes(j *bigJob) int64 {
	if h, ok := j.job.(SnapshotHolder); ok {
		if b, held := h.Copied(); held {
			return b
		}
	}
	return int64(j.n)
}

// bigJob is a SnapshotJob in progress and where its bytes go.
type bigJob struct {
	en   *Entry // the live entry (walker jobs); nil for a replaced value kept aside
	db   int
	job  SnapshotJob
	buf  []byte
	n    int  // bytes already handed over in pieces
	kept bool // a replaced value held aside: counted in CowBytes
}

// jobStep bounds one Step call, so a piece of a big record stays near ChunkBytes (the
// buffers are then recycled) whatever deadline the caller has.
const jobStep = 50 * time.Microsecond

// SnapshotDB is one database as it was at T0.
type SnapshotDB struct {
	ID      int // the database number at T0
	Keys    int // dict size at T0 (RESIZEDB)
	Expires int // keys with a TTL at T0
}

// SnapshotStart is what the sink learns before any key: the T0 facts.
type SnapshotStart struct {
	Epoch  uint32
	TimeMs int64 // T0, unix milliseconds
	// DBs lists the databases that were not empty at T0, in order.
	DBs []SnapshotDB
	// Functions are the FUNCTION2 library sources at T0 (nil without scripting).
	Functions [][]byte
}

// SnapshotChunk is a run of whole records of one database.
// A big value's record may come in several consecutive chunks (Keys 0 until the piece
// that ends it): a sink concatenates Data in order.
type SnapshotChunk struct {
	DB   int    // T0 database number
	Data []byte // valid only during Write
	Keys int    // records Data ends (a record may start in an earlier chunk)
	Hook bool   // pre-images serialized by BeforeChange
}

// SnapshotSink consumes a snapshot. Its methods run on the snapshot's writer goroutine,
// never under the engine lock, in this order: Begin, Write for every chunk, End (err nil
// when every key was delivered; otherwise the reason the snapshot stops). An error from
// Begin or Write cancels the snapshot; End is still called with it.
type SnapshotSink interface {
	Begin(st *SnapshotStart) error
	Write(c *SnapshotChunk) error
	End(err error) error
}

// SnapshotOptions tune a snapshot. The zero value is the production setting.
type SnapshotOptions struct {
	// SliceBudget bounds each walker slice under the lock (0: 50 µs). With the encoding,
	// the pre-images of replaced values and the queue's chunks all off the lock, what is
	// left under it is the scan and the claims: short slices cost the walk little and
	// keep the clients' wait for the lock short (BENCHMARKS.md, "BGSAVE gentler").
	SliceBudget time.Duration
	// SlicePause is slept between slices (0: none, just yield). Tests slow the walk with it.
	SlicePause time.Duration
	// QueueBytes bounds the walker's output waiting for the writer (0: 8 MiB).
	QueueBytes int
	// ChunkBytes is the size a chunk is handed over at (0: 64 KiB).
	ChunkBytes int
	// KeyDelay is slept (off the lock) per key the walker serializes: Redis's
	// rdb-key-save-delay, for tests that need a long background save.
	KeyDelay time.Duration
	// EncoderNice is the niceness of the thread that writes the claimed records off the
	// lock (SnapshotDeferred), a thread of its own (0: 19, the lowest priority, which on
	// Linux also means the SCHED_IDLE policy; -1: none, the walker writes them on
	// whatever thread it runs). With the encoding at the lowest priority the kernel runs
	// the connections and their clients first on a busy machine, and the walk takes what
	// CPU they leave: it lasts longer under load, but since the pre-images it causes
	// stream to the file instead of staying in memory, a longer walk costs the clients
	// nothing (BENCHMARKS.md, "BGSAVE gentler").
	EncoderNice int
	// Procs is the GOMAXPROCS a background snapshot runs with when the process has
	// fewer (0: 2, or the number of CPUs if smaller; -1: leave it). `redisctl serve` runs
	// with GOMAXPROCS 1 (io-threads): the writer's CRC and disk writes then take the
	// connections' only P, and a second one halved the SET p99 during a 5M-key BGSAVE
	// (BENCHMARKS.md). It is a hold of package procs, ended when the sink's End has
	// returned (the file written, synced and renamed): with one P, a goroutine in a long
	// system call (the final fsync) keeps it until the runtime's monitor takes it back,
	// which on a busy process is up to two of its 10 ms ticks, and the connections wait.
	Procs int
}

// SnapshotStats describe a snapshot's progress or outcome (safe to read at any time).
type SnapshotStats struct {
	KeysTotal    int64 // keys at T0
	KeysDone     int64 // keys serialized so far (walker + hooks)
	HookKeys     int64 // keys whose T0 value was taken before a change (hooks, kept values)
	CowBytes     int64 // bytes of those pre-images (changed or replaced before the walk)
	PeakQueue    int64 // most bytes ever queued for the writer
	BytesWritten int64 // bytes handed to the sink
	Slices       int64 // walker slices taken
	PacedSlices  int64 // of them, slices after which the walker let clients at work have the lock (walkerCalm)
	MaxSlice     time.Duration
	ClaimWaits   int64         // times a client's change waited for the encoder to write that key
	MaxClaimWait time.Duration // the longest of those waits (the lock held throughout)
	DetachedJobs int64         // big values changed in place before being written whole (SnapshotDetacher)
}

// ErrSnapshotRunning is returned by StartSnapshot while another snapshot runs.
var ErrSnapshotRunning = errors.New("engine: a snapshot is already in progress")

// ErrSnapshotCanceled is the error End gets when Cancel stopped the snapshot.
var ErrSnapshotCanceled = errors.New("engine: snapshot canceled")

type snapDB struct {
	id      int
	keys    *dict.Dict[Object]
	expires *dict.Dict[int64]
	cursor  uint64
	done    bool
}

// Snapshot is a running (or finished) point-in-time snapshot.
type Snapshot struct {
	eng   *Engine
	enc   SnapshotEncoder
	sink  SnapshotSink
	opts  SnapshotOptions
	epoch uint32
	start SnapshotStart
	dbs   []*snapDB
	byDic map[*dict.Dict[Object]]*snapDB
	cur   int // index in dbs the walker is on

	keysTotal int64
	sync      bool // SaveSnapshot: lock held throughout, no hook, no stamps

	// Under the engine lock.
	walkBuf  []byte
	walkDB   int
	walkKeys int
	// sliceKeys counts the keys the current walker slice serialized.
	sliceKeys    int
	hookBuf      []byte
	hookDB       int
	hookKeys     int
	encErr       error
	detached     bool // the hook is uninstalled (finished or canceled)
	inc          SnapshotIncremental
	jobs         []*bigJob // big values being serialized in steps
	open         *bigJob   // the job whose record is partly queued
	releaseProcs func()    // ends the procs hold of a background snapshot
	held         []*SnapshotChunk
	def          SnapshotDeferred
	// claims is the walker's batch of entries to serialize off the lock. Only the walker
	// changes the slice, and only under the lock; hooks and finishLocked change the
	// claims' state. Between the walker's release of the lock and its next acquisition
	// every claim ends settled (done or taken); the walker then restamps the done ones.
	claims  []claim
	visitFn func(*Entry)
	// offWork is the job whose Stage the walker's last slice ran (SnapshotOffLock): its
	// Work is due off the lock. Walker goroutine (and its encoder thread) only.
	offWork SnapshotOffLock
	// spareObj is a header copy that BeginBig refused (beginOnCopy), for the next call.
	spareObj *Object
	// dropped are the replaced small values waiting for the walker's next batch (lock).
	dropped []dropRec
	// The encoder goroutine (on its own thread, at a lower priority), when there is one:
	// the walker hands it each batch of claims and waits for it.
	encReq, encDone chan struct{}

	// The walker goroutine's own, off the lock (queued at its next slice).
	denc   DeferredEncoder
	defOut []*SnapshotChunk
	defErr error
	// defBuf holds the deferred records of database defDB not yet a whole chunk: it is
	// carried from batch to batch (a batch of a short slice is a few kilobytes, and each
	// chunk costs the writer a call and a buffer) and queued when full, when the database
	// changes, or when the walk ends.
	defBuf  []byte
	defDB   int
	defKeys int

	onClaimWait func() // tests: a hook is about to wait for a claim being encoded

	// A hook that needs a claim the encoder is writing sleeps on claimCond (claimMu)
	// until the encoder has written it: claimWaiters tells the encoder to wake it.
	// claimWaits and maxClaimWait count those waits (lock held when they change).
	claimMu      sync.Mutex
	claimCond    sync.Cond
	claimWaiters atomic.Int32
	claimWaits   atomic.Int64
	maxClaimWait atomic.Int64

	// The queue, under qmu.
	qmu      sync.Mutex
	qcond    *sync.Cond
	queue    []*SnapshotChunk
	qbytes   int
	qclosed  bool
	qerr     error    // the writer's error: the walker stops
	free     [][]byte // chunk buffers the writer is done with
	canceled atomic.Bool

	keysDone  atomic.Int64
	hookKeysN atomic.Int64
	detachedN atomic.Int64
	cowBytes  atomic.Int64
	peakQ     atomic.Int64
	written   atomic.Int64
	slices    atomic.Int64
	paced     atomic.Int64
	maxSlice  atomic.Int64

	done chan struct{}
	err  error
}

// Snapshot returns the running snapshot, or nil. Lock held.
func (e *Engine) Snapshot() *Snapshot { return e.snapRun }

// StartSnapshot starts a point-in-time snapshot of every database (lock held): the T0
// image is fixed when it returns, and the walker and writer run in the background. Only
// one snapshot runs at a time (ErrSnapshotRunning). opts may be nil.
func (e *Engine) StartSnapshot(enc SnapshotEncoder, sink SnapshotSink, opts *SnapshotOptions) (*Snapshot, error) {
	s, err := e.newSnapshot(enc, sink, opts)
	if err != nil {
		return nil, err
	}
	e.snap = s
	e.snapRun = s
	s.raiseProcs()
	go s.writer()
	go s.walker(e.Stats.NumCommands, e.lockWaits.Load())
	return s, nil
}

// SaveSnapshot writes a snapshot synchronously with the lock held the whole time (SAVE,
// SHUTDOWN, DEBUG RELOAD, FLUSHALL's save): nothing changes meanwhile, so no hook is
// installed and no entry is stamped (it may run while a background snapshot is in
// progress, e.g. SAVE during an AOF rewrite); the sink still runs on its own goroutine, so
// serializing and writing overlap. Only the caller's goroutine waits for the disk.
func (e *Engine) SaveSnapshot(enc SnapshotEncoder, sink SnapshotSink, opts *SnapshotOptions) (SnapshotStats, error) {
	s := e.prepareSnapshot(enc, sink, opts, true)
	go s.writer()
	for s.slice(0) {
		s.waitQueue()
	}
	s.finishLocked()
	<-s.done
	return s.Stats(), s.err
}

func (e *Engine) newSnapshot(enc SnapshotEncoder, sink SnapshotSink, opts *SnapshotOptions) (*Snapshot, error) {
	if e.snapRun != nil || e.snap != nil {
		return nil, ErrSnapshotRunning
	}
	return e.prepareSnapshot(enc, sink, opts, false), nil
}

// prepareSnapshot fixes the T0 image. A synchronous snapshot neither bumps the epoch nor
// stamps entries.
func (e *Engine) prepareSnapshot(enc SnapshotEncoder, sink SnapshotSink, opts *SnapshotOptions, syncSave bool) *Snapshot {
	s := &Snapshot{eng: e, enc: enc, sink: sink, byDic: map[*dict.Dict[Object]]*snapDB{},
		done: make(chan struct{}), sync: syncSave}
	s.claimCond.L = &s.claimMu
	if opts != nil {
		s.opts = *opts
	}
	if s.opts.SliceBudget <= 0 {
		s.opts.SliceBudget = 50 * time.Microsecond
	}
	if s.opts.QueueBytes <= 0 {
		s.opts.QueueBytes = 8 << 20
	}
	if s.opts.ChunkBytes <= 0 {
		s.opts.ChunkBytes = 64 << 10
	}
	if s.opts.EncoderNice == 0 {
		s.opts.EncoderNice = 19
	}
	s.qcond = sync.NewCond(&s.qmu)
	s.visitFn = s.visit
	s.inc, _ = enc.(SnapshotIncremental)
	if d, ok := enc.(SnapshotDeferred); ok && !syncSave {
		s.def, s.denc = d, d.DeferredEncoder()
	}
	if !s.sync {
		s.bumpEpoch()
	}
	s.start = SnapshotStart{Epoch: s.epoch, TimeMs: time.Now().UnixMilli()}
	var total int64
	for _, db := range e.dbs {
		if !s.sync {
			db.keys.SetBirthVersion(s.epoch)
			db.expires.SetBirthVersion(s.epoch)
		}
		if db.keys.Len() == 0 {
			continue
		}
		sd := &snapDB{id: db.ID, keys: db.keys, expires: db.expires}
		s.dbs = append(s.dbs, sd)
		s.byDic[db.keys] = sd
		s.start.DBs = append(s.start.DBs, SnapshotDB{ID: db.ID, Keys: db.keys.Len(), Expires: db.expires.Len()})
		total += int64(db.keys.Len())
	}
	if e.Functions != nil {
		for _, c := range e.Functions.LibraryCodes() {
			s.start.Functions = append(s.start.Functions, append([]byte(nil), c...))
		}
	}
	s.keysTotal = total
	return s
}

// raiseProcs applies SnapshotOptions.Procs for a background snapshot (a procs hold).
func (s *Snapshot) raiseProcs() {
	want := s.opts.Procs
	if want < 0 {
		return
	}
	if want == 0 {
		want = 2
	}
	s.releaseProcs = procs.Hold(want)
}

// restoreProcs ends raiseProcs's hold (the writer, after the sink's End).
func (s *Snapshot) restoreProcs() {
	if s.releaseProcs != nil {
		s.releaseProcs()
		s.releaseProcs = nil
	}
}

// bumpEpoch starts a new epoch for a background snapshot.
func (s *Snapshot) bumpEpoch() {
	e := s.eng
	// Epochs go up by 2: Version epoch-1 marks an entry claimed by this walk (claim).
	e.snapEpoch += 2
	if e.snapEpoch < 2 {
		// Wrapped: every stamp is meaningless. Reset them all (2 billion snapshots later).
		for _, db := range e.dbs {
			for en := range db.keys.All() {
				en.Version = 0
			}
		}
		e.snapEpoch = 2
	}
	s.epoch = e.snapEpoch
}

// BeforeChange is the SnapshotHook: serialize e's pre-change value if the walker has not
// yet. Lock held.
func (s *Snapshot) BeforeChange(db *DB, en *Entry) {
	if len(s.jobs) > 0 && !s.detached {
		for i, j := range s.jobs {
			if j.en != en {
				continue
			}
			// The walker is serializing this value in steps. A job that can take the rest
			// of the value aside goes on from there, in the walker's slices; any other is
			// finished now, before the change (the stall is what remains of this value).
			if d, ok := j.job.(SnapshotDetacher); ok {
				if err := d.Detach(); err != nil {
					s.fail(err)
					return
				}
				// The job no longer depends on the entry (it took aside, or holds, what it
				// needs: a later change passes), and its record counts as a pre-image
				// (keptBytes), as when the hook finished it.
				j.en, j.kept = nil, true
				s.hookKeysN.Add(1)
				s.detachedN.Add(1)
				return
			}
			s.runJob(j, time.Time{})
			s.cowBytes.Add(int64(j.n))
			s.jobs = append(s.jobs[:i], s.jobs[i+1:]...)
			return
		}
	}
	if en.Version >= s.epoch || s.detached {
		return
	}
	if en.Version == s.epoch-1 && s.settleClaim(en) {
		return
	}
	sd := s.byDic[db.keys]
	en.Version = s.epoch
	if sd == nil {
		return // an entry of a dict born after T0 (cannot be below E, but be safe)
	}
	if s.inc != nil && s.beginKept(sd, en, expireOf(sd.expires, en.Key), true) {
		return // a big value: taken aside by its job, written later in steps
	}
	if s.hookDB != sd.id && len(s.hookBuf) > 0 {
		s.pushHook()
	}
	s.hookDB = sd.id
	if s.hookBuf == nil {
		s.hookBuf = s.getBuf()
	}
	n := len(s.hookBuf)
	var err error
	s.hookBuf, err = s.enc.AppendEntry(s.hookBuf, sd.id, en.Key, &en.Value, expireOf(sd.expires, en.Key))
	if err != nil {
		s.hookBuf = s.hookBuf[:n]
		s.fail(err)
		return
	}
	s.hookKeys++
	s.hookKeysN.Add(1)
	s.keysDone.Add(1)
	s.cowBytes.Add(int64(len(s.hookBuf) - n))
	if len(s.hookBuf) >= s.opts.ChunkBytes {
		s.pushHook()
	}
}

// beforeReplace is the hook for SetKey, which drops the old Object whole: a big old value
// is kept as it is (nothing references it any more, so nothing changes it) and written
// later in steps, instead of being serialized at once while the client waits. Lock held.
func (db *DB) beforeReplace(e *Entry) {
	if s, ok := db.eng.snap.(*Snapshot); ok && s.keepOld(db, e) {
		db.memNote(e) // what beforeChange does besides the hook
		return
	}
	db.beforeChange(e)
}

// snapshotDone reports whether no running snapshot needs e's current value any more:
// none runs, or it wrote e already and no step of it still reads e. Lock held.
func (db *DB) snapshotDone(e *Entry) bool {
	switch s := db.eng.snap.(type) {
	case nil:
		return true
	case *Snapshot:
		if s.detached {
			return true
		}
		if e.Version < s.epoch {
			return false
		}
		for _, j := range s.jobs {
			if j.en == e {
				return false
			}
		}
		return true
	}
	return false
}

// beforeDiscard is beforeReplace for an entry whose value is removed and discarded
// (DB.Drop: DEL, UNLINK, expiry, eviction). Lock held.
func (db *DB) beforeDiscard(e *Entry) {
	if s, ok := db.eng.snap.(*Snapshot); ok && s.keepOld(db, e) {
		db.memForget(e) // what beforeRemove does besides the hook
		return
	}
	db.beforeRemove(e)
}

// keepOld queues a job over the old value of an entry about to be replaced or discarded
// (beforeReplace, beforeDiscard), when the encoder writes such a value in steps, or, when
// the encoder can write it off the lock (SnapshotDeferred), hands a small old value to
// the walker's next batch of claims (dropRec): the client then serializes nothing. It
// reports whether it did either (and stamped the entry).
func (s *Snapshot) keepOld(db *DB, en *Entry) bool {
	if s.detached {
		return false
	}
	for _, j := range s.jobs {
		if j.en == en {
			// The walker is writing this value in steps, from its own copy of the header
			// (visit): the job goes on with the old value, which nothing references once
			// the entry's is replaced or dropped. Finishing it here made the client wait
			// for the rest of the value: 40 ms for a 100k-element hash (BENCHMARKS.md).
			j.en = nil
			j.kept = true
			return true
		}
	}
	if s.inc == nil || en.Version >= s.epoch-1 {
		return false // done, or claimed (a small value: BeforeChange settles the claim)
	}
	sd := s.byDic[db.keys]
	if sd == nil {
		return false
	}
	exp := expireOf(sd.expires, en.Key)
	if s.beginKept(sd, en, exp, false) {
		return true
	}
	if s.def == nil || len(s.dropped) >= maxDropped {
		return false // the hook writes it now (the walker is behind: bound the backlog)
	}
	attr, ok := s.def.Deferrable(&en.Value)
	if !ok {
		return false
	}
	en.Version = s.epoch
	s.dropped = append(s.dropped, dropRec{key: en.Key, obj: en.Value, exp: exp, attr: attr, db: sd.id})
	s.hookKeysN.Add(1)
	return true
}

// beginKept starts the job of en's value as it is now, on a copy of its header, to be
// written later in steps as a value no entry holds (a pre-image): for keepOld, where
// nothing will reference the value any more, and, with detach, for BeforeChange, where
// the value is about to change in place and the job first takes aside what it needs
// (SnapshotDetacher). It stamps en and reports true, or starts nothing and reports false
// when the encoder writes the value at once (a small one) or, with detach, its job cannot
// detach. Lock held.
func (s *Snapshot) beginKept(sd *snapDB, en *Entry, exp int64, detach bool) bool {
	job := s.beginOnCopy(sd.id, en, exp)
	if job == nil {
		return false
	}
	var d SnapshotDetacher
	if detach {
		if d, _ = job.(SnapshotDetacher); d == nil {
			if a, ok := job.(interface{ Abort() }); ok {
				a.Abort()
			}
			return false // a job that cannot detach: the hook writes the value whole
		}
	}
	en.Version = s.epoch
	s.hookKeysN.Add(1)
	s.keysDone.Add(1)
	if d != nil {
		if err := d.Detach(); err != nil {
			s.fail(err)
			return true
		}
		s.detachedN.Add(1)
	}
	s.jobs = append(s.jobs, &bigJob{db: sd.id, job: job, kept: true})
	return true
}

// beginOnCopy asks the encoder for a job over a copy of en's header, so that the job
// outlives the entry's value being replaced. The copy is allocated once per job: most
// values are small and BeginBig refuses them, so a refused copy is kept for the next
// call. Lock held.
func (s *Snapshot) beginOnCopy(dbID int, en *Entry, exp int64) SnapshotJob {
	hdr := s.spareObj
	if hdr == nil {
		hdr = new(Object)
	}
	*hdr = en.Value
	job := s.inc.BeginBig(dbID, en.Key, hdr, exp)
	if job == nil {
		*hdr = Object{}
		s.spareObj = hdr
		return nil
	}
	s.spareObj = nil
	return job
}

// settleClaim is BeforeChange for an entry the walker claimed (Version epoch-1): it
// takes a queued claim over and reports false (the caller writes the pre-image now), or
// waits until the walker has written the record it is writing and reports true. Lock
// held.
func (s *Snapshot) settleClaim(en *Entry) bool {
	for i := range s.claims {
		c := &s.claims[i]
		if c.en != en {
			continue
		}
		if c.state.CompareAndSwap(claimQueued, claimTaken) {
			return false
		}
		s.waitEncoded(c) // the encoder is writing this one record (a small value)
		en.Version = s.epoch
		return true
	}
	return false // not claimed after all (cannot happen): write it here
}

// waitEncoded returns once the encoder has written c (lock held). Writing one small
// record takes microseconds, but the encoder's thread runs at the lowest priority: while
// the CPUs are busy the kernel may hold it back for tens of milliseconds, even in the
// middle of a record. The hook therefore sleeps rather than spins: a client goroutine
// spinning (runtime.Gosched) kept its CPU busy at normal priority, and with it the one
// thread that could end the wait off that CPU, while it held the engine lock and so
// every other client: a priority inversion.
func (s *Snapshot) waitEncoded(c *claim) {
	if c.state.Load() != claimEncoding {
		return
	}
	if s.onClaimWait != nil {
		s.onClaimWait()
	}
	start := time.Now()
	s.claimMu.Lock()
	s.claimWaiters.Add(1)
	for c.state.Load() == claimEncoding {
		s.claimCond.Wait()
	}
	s.claimWaiters.Add(-1)
	s.claimMu.Unlock()
	s.claimWaits.Add(1)
	if d := int64(time.Since(start)); d > s.maxClaimWait.Load() {
		s.maxClaimWait.Store(d)
	}
}

// encoded marks c written and wakes a hook waiting for it (waitEncoded). A waiter
// counts itself before it looks at the state, so either it sees claimDone or the
// encoder sees it.
func (s *Snapshot) encoded(c *claim) {
	c.state.Store(claimDone)
	if s.claimWaiters.Load() > 0 {
		s.claimMu.Lock()
		s.claimCond.Broadcast()
		s.claimMu.Unlock()
	}
}

// maxDropped bounds the replaced values waiting for the walker (dropRec). The walker's
// encoder runs at the lowest priority; on a machine whose CPUs other work keeps busy it
// may fall far behind, and the values it owes would pile up. Past the bound a replaced
// value is serialized by its hook again, at the clients' cost, into the queue the writer
// (at normal priority) drains.
const maxDropped = 1 << 16

// takeDropped moves the values replaced since the last slice into the walker's batch of
// claims (lock held, by the walker, at the end of its slice).
func (s *Snapshot) takeDropped() {
	for i := range s.dropped {
		d := &s.dropped[i]
		s.claims = append(s.claims, claim{})
		c := &s.claims[len(s.claims)-1]
		c.key, c.obj, c.exp, c.attr, c.db = d.key, d.obj, d.exp, d.attr, d.db
		*d = dropRec{}
	}
	s.dropped = s.dropped[:0]
}

// dropClaims settles every claim without the walker (the snapshot ends): a queued one is
// taken, one being written is waited for. Lock held.
func (s *Snapshot) dropClaims() {
	for i := range s.claims {
		c := &s.claims[i]
		if !c.state.CompareAndSwap(claimQueued, claimTaken) {
			s.waitEncoded(c)
		}
	}
}

// settleClaims ends the walker's batch (lock held, by the walker, after encodeClaims):
// the entries it wrote are stamped and its records queued.
func (s *Snapshot) settleClaims() {
	live := !s.detached
	for i := range s.claims {
		c := &s.claims[i]
		if live && c.en != nil && c.state.Load() == claimDone {
			c.en.Version = s.epoch // a taken one was stamped by its hook
		}
		c.en, c.key, c.obj = nil, "", Object{}
	}
	s.claims = s.claims[:0]
	out := s.defOut
	s.defOut = nil
	if !live {
		return
	}
	if s.defErr != nil {
		s.fail(s.defErr)
	}
	for i, c := range out {
		s.enqueue(c)
		out[i] = nil
	}
}

// encodeClaims writes the claimed records on the walker's goroutine, off the lock, into
// chunks queued by settleClaims. A claim a hook took over is skipped.
func (s *Snapshot) encodeClaims() {
	buf, db, keys := s.defBuf, s.defDB, s.defKeys
	if buf == nil {
		db = -1
	}
	flush := func() {
		if len(buf) > 0 {
			s.defOut = append(s.defOut, &SnapshotChunk{DB: db, Data: buf, Keys: keys})
		}
		buf, keys = nil, 0
	}
	for i := range s.claims {
		c := &s.claims[i]
		if !c.state.CompareAndSwap(claimQueued, claimEncoding) {
			continue
		}
		if c.db != db {
			flush()
			db = c.db
		}
		if buf == nil {
			buf = s.getBuf()
		}
		n := len(buf)
		var err error
		buf, err = s.denc.AppendDeferred(buf, c.db, c.key, &c.obj, c.exp, c.attr)
		s.encoded(c)
		if err != nil {
			buf = buf[:n]
			if s.defErr == nil {
				s.defErr = err
			}
			continue
		}
		keys++
		s.keysDone.Add(1)
		if c.en == nil { // a dropped value: a pre-image, whose buffer nothing refers to now
			s.cowBytes.Add(int64(len(buf) - n))
			recycleString(&c.obj)
		}
		if len(buf) >= s.opts.ChunkBytes {
			flush()
		}
	}
	s.defBuf, s.defDB, s.defKeys = buf, db, keys
}

// pushDeferred queues the deferred records still carried in defBuf (the walker, lock
// held, once its last batch is settled).
func (s *Snapshot) pushDeferred() {
	if len(s.defBuf) > 0 {
		s.enqueue(&SnapshotChunk{DB: s.defDB, Data: s.defBuf, Keys: s.defKeys})
	}
	s.defBuf, s.defKeys = nil, 0
}

// keepsFlushed reports whether the walker takes care of a flushed database's old dicts
// (Flush then needs no per-entry hook): they are pinned and nothing else touches them.
func (s *Snapshot) keepsFlushed(db *DB) bool {
	return !s.detached
}

func expireOf(exp *dict.Dict[int64], key string) int64 {
	if exp.Len() == 0 {
		return -1
	}
	if x := exp.Get(key); x != nil {
		return x.Value
	}
	return -1
}

func (s *Snapshot) fail(err error) {
	if s.encErr == nil {
		s.encErr = err
	}
	s.canceled.Store(true)
}

func (s *Snapshot) pushHook() {
	if len(s.hookBuf) == 0 {
		return
	}
	s.enqueue(&SnapshotChunk{DB: s.hookDB, Data: s.hookBuf, Keys: s.hookKeys, Hook: true})
	s.hookBuf, s.hookKeys = nil, 0
}

func (s *Snapshot) pushWalk() {
	if len(s.walkBuf) == 0 {
		return
	}
	s.enqueue(&SnapshotChunk{DB: s.walkDB, Data: s.walkBuf, Keys: s.walkKeys})
	s.walkBuf, s.walkKeys = nil, 0
}

// enqueue queues a chunk of whole records, or holds it aside while a big record is
// partly queued. Lock held.
func (s *Snapshot) enqueue(c *SnapshotChunk) {
	if s.open != nil {
		s.held = append(s.held, c)
		return
	}
	s.push(c)
}

// pushJob hands over what j's buffer holds: a piece of its record (end false: j becomes
// the open job, when no other is) or its last bytes. A job that cannot be the open one
// keeps its bytes until its end, and its record waits aside. Lock held.
func (s *Snapshot) pushJob(j *bigJob, end bool) {
	if s.open != nil && s.open != j {
		if end {
			s.held = append(s.held, &SnapshotChunk{DB: j.db, Data: j.buf, Keys: 1, Hook: j.kept})
			j.n += len(j.buf)
			j.buf = nil
		}
		return
	}
	c := &SnapshotChunk{DB: j.db, Data: j.buf, Hook: j.kept}
	j.n += len(j.buf)
	j.buf = nil
	if !end {
		s.open = j
		s.push(c)
		return
	}
	c.Keys = 1
	s.push(c)
	if s.open == j {
		s.open = nil
		held := s.held
		s.held = nil
		for i, h := range held {
			s.push(h)
			held[i] = nil
		}
	}
}

// getBuf returns a chunk buffer, recycled from the writer when one is free.
func (s *Snapshot) getBuf() []byte {
	s.qmu.Lock()
	if n := len(s.free); n > 0 {
		b := s.free[n-1]
		s.free = s.free[:n-1]
		s.qmu.Unlock()
		return b
	}
	s.qmu.Unlock()
	return make([]byte, 0, s.opts.ChunkBytes+s.opts.ChunkBytes/2)
}

// push queues a chunk; it never blocks.
func (s *Snapshot) push(c *SnapshotChunk) {
	s.qmu.Lock()
	s.queue = append(s.queue, c)
	s.qbytes += len(c.Data)
	if int64(s.qbytes) > s.peakQ.Load() {
		s.peakQ.Store(int64(s.qbytes))
	}
	s.qcond.Broadcast()
	s.qmu.Unlock()
}

// waitQueue blocks (lock not held by the walker goroutine; held for SaveSnapshot) until
// the queue is below its bound or the writer failed.
func (s *Snapshot) waitQueue() {
	s.qmu.Lock()
	for s.qbytes >= s.opts.QueueBytes && s.qerr == nil {
		s.qcond.Wait()
	}
	s.qmu.Unlock()
}

// visit serializes, claims or starts the job of one entry the walk meets. Lock held.
func (s *Snapshot) visit(en *Entry) {
	if !s.sync {
		if en.Version >= s.epoch-1 {
			return // done, or claimed by this walk
		}
		en.Version = s.epoch
	}
	if s.encErr != nil {
		return
	}
	sd := s.dbs[s.cur]
	exp := expireOf(sd.expires, en.Key)
	if s.inc != nil {
		// A job reads a copy of the header, so a client that replaces or drops the value
		// meanwhile leaves the job its old value (keepOld).
		if job := s.beginOnCopy(sd.id, en, exp); job != nil {
			// Its bytes follow in their own chunk, step by step.
			s.jobs = append(s.jobs, &bigJob{en: en, db: sd.id, job: job})
			s.sliceKeys++
			s.keysDone.Add(1)
			return
		}
	}
	if s.def != nil {
		if attr, ok := s.def.Deferrable(&en.Value); ok {
			en.Version = s.epoch - 1
			s.claims = append(s.claims, claim{})
			c := &s.claims[len(s.claims)-1]
			c.en, c.key, c.obj, c.exp, c.attr, c.db = en, en.Key, en.Value, exp, attr, sd.id
			s.sliceKeys++
			return
		}
	}
	if s.walkBuf == nil {
		s.walkBuf = s.getBuf()
	}
	n := len(s.walkBuf)
	var err error
	s.walkBuf, err = s.enc.AppendEntry(s.walkBuf, sd.id, en.Key, &en.Value, exp)
	if err != nil {
		s.walkBuf = s.walkBuf[:n]
		s.fail(err)
		return
	}
	s.walkKeys++
	s.sliceKeys++
	s.keysDone.Add(1)
}

// scanStep visits the entries of scanBuckets keyspace buckets (their cache misses
// overlap: dict.ScanBuckets). Lock held.
func (s *Snapshot) scanStep() {
	sd := s.dbs[s.cur]
	if sd.id != s.walkDB && len(s.walkBuf) > 0 {
		s.pushWalk()
	}
	s.walkDB = sd.id
	sd.cursor = sd.keys.ScanBuckets(sd.cursor, scanBuckets, s.visitFn)
	if sd.cursor == 0 {
		sd.done = true
		s.cur++
	}
}

// scanBuckets is how many keyspace buckets the walker visits between its clock checks.
const scanBuckets = 16

// slice walks for at most budget (0: until done) under the lock and reports whether
// there is more to walk.
func (s *Snapshot) slice(budget time.Duration) bool {
	start := time.Now()
	defer func() {
		d := time.Since(start)
		s.slices.Add(1)
		if int64(d) > s.maxSlice.Load() {
			s.maxSlice.Store(int64(d))
		}
	}()
	if s.canceled.Load() || s.writerFailed() {
		return false
	}
	s.sliceKeys = 0
	var deadline time.Time
	if budget > 0 {
		deadline = start.Add(budget)
	}
	// A slice queues only whole chunks: what the walker and the hooks wrote of a chunk
	// so far waits in its buffer for the next slice (finishLocked queues the rest). With
	// short slices a chunk per slice was a few kilobytes in a buffer of ChunkBytes, and a
	// writer behind on many of them held their buffers at once.
	if !s.runJobs(deadline) {
		return s.encErr == nil
	}
	steps := 0
	for s.cur < len(s.dbs) {
		s.scanStep()
		if len(s.walkBuf) >= s.opts.ChunkBytes {
			s.pushWalk()
			if budget == 0 {
				s.pushHook()
				return true // let SaveSnapshot apply backpressure
			}
		}
		if s.encErr != nil {
			return false
		}
		if len(s.jobs) > 0 && !s.runJobs(deadline) {
			break
		}
		steps++
		if budget > 0 && (time.Since(start) >= budget || s.opts.KeyDelay > 0 && s.sliceKeys > 0) {
			break
		}
	}
	return (s.cur < len(s.dbs) || len(s.jobs) > 0) && s.encErr == nil
}

// runJobs steps the pending big-value jobs until deadline and reports whether they are
// all done. Lock held.
func (s *Snapshot) runJobs(deadline time.Time) bool {
	for len(s.jobs) > 0 {
		if !s.runJob(s.jobs[0], deadline) {
			return false
		}
		s.jobs = s.jobs[1:]
	}
	return true
}

// runJob steps one job until deadline (zero: to its end) in steps of at most jobStep,
// handing its record over in pieces of about ChunkBytes; it reports whether the job is
// done. A hook finishing a job (zero deadline, a client waiting) calls Step without a
// deadline instead: a step may restart from the value's start (a zset's members), and
// the client's stall matters more than that one buffer.
func (s *Snapshot) runJob(j *bigJob, deadline time.Time) bool {
	whole := deadline.IsZero() && !s.sync
	for {
		if off, ok := j.job.(SnapshotOffLock); ok && !whole && !s.sync && off.Stage() {
			s.offWork = off // the walker calls Work once it has let the lock go
			return false
		}
		if j.buf == nil {
			j.buf = s.getBuf()
		}
		var stepEnd time.Time
		if !whole {
			stepEnd = time.Now().Add(jobStep)
			if !deadline.IsZero() && deadline.Before(stepEnd) {
				stepEnd = deadline
			}
		}
		out, done, err := j.job.Step(j.buf, stepEnd)
		j.buf = out
		if err != nil {
			s.fail(err)
			return true
		}
		if done {
			s.pushJob(j, true)
			if j.kept {
				s.cowBytes.Add(keptBytes(j))
			}
			return true
		}
		if len(j.buf) >= s.opts.ChunkBytes {
			s.pushJob(j, false)
		}
		if !deadline.IsZero() && !time.Now().Before(deadline) {
			return false
		}
	}
}

func (s *Snapshot) writerFailed() bool {
	s.qmu.Lock()
	defer s.qmu.Unlock()
	return s.qerr != nil
}

// walkerCalm is how long after the clients' last sign of work the walker still paces
// itself (sleeps half its slice after each one) instead of running slices back to back.
const walkerCalm = 100 * time.Millisecond

// walker runs the background walk in slices. Under the lock it stamps and claims the
// entries whose records can be written off the lock (SnapshotDeferred) and writes the
// others; after releasing the lock it writes the claimed records (on the encoder
// thread, when there is one). While clients are at work (see walkerCalm) it then also
// leaves the lock free for half as long as the slice held it, so a busy server's
// clients keep most of the lock; an idle server gets the walk at full speed.
// lastCmds and lastWaits are the engine's command count and LockForClient waits at T0.
func (s *Snapshot) walker(lastCmds, lastWaits int64) {
	e := s.eng
	var busyAt time.Time // when clients were last seen at work
	defer func() {
		if s.encReq != nil {
			close(s.encReq)
		}
	}()
	for {
		e.Lock()
		// Clients are at work if commands ran since the last slice, or if one waited for
		// the lock meanwhile (LockForClient: a connection being registered, or a command
		// that found the walker in its slice). Either keeps the walker pacing itself for
		// walkerCalm after. A loop kept off its CPU, or waiting for the lock, runs no
		// commands; a walker that took that for an idle server ran slice after slice and
		// kept the loop off longer (BENCHMARKS.md, "BGSAVE stalls: the SET load alone
		// stalls Redis and not us").
		waits := e.lockWaits.Load()
		start := time.Now()
		if e.Stats.NumCommands != lastCmds || waits != lastWaits {
			busyAt = start
		}
		lastWaits = waits
		active := !busyAt.IsZero() && start.Sub(busyAt) < walkerCalm
		s.settleClaims()
		more := s.slice(s.opts.SliceBudget)
		s.takeDropped()
		if !more && (len(s.claims) == 0 || s.canceled.Load() || s.encErr != nil) {
			if !s.detached {
				s.pushDeferred()
			}
			s.finishLocked()
			e.Unlock()
			return
		}
		held := time.Since(start)
		lastCmds = e.Stats.NumCommands
		n := s.sliceKeys
		e.Unlock()
		if len(s.claims) > 0 || s.offWork != nil {
			// A client the unlock woke goes first on this P (runnext) rather than wait
			// for the encoding to end or for another P to steal it.
			runtime.Gosched()
			s.encodeBatch()
		}
		if active {
			s.paced.Add(1)
			time.Sleep(held / 2)
		} else {
			runtime.Gosched()
		}
		if s.opts.KeyDelay > 0 {
			time.Sleep(s.opts.KeyDelay * time.Duration(n))
		}
		s.waitQueue()
		if s.opts.SlicePause > 0 {
			time.Sleep(s.opts.SlicePause)
		}
	}
}

// encodeBatch writes the walker's claims off the lock: on the encoder goroutine when
// SnapshotOptions.EncoderNice asks for one (started at the first batch), else here.
func (s *Snapshot) encodeBatch() {
	if s.opts.EncoderNice <= 0 {
		s.encodeOffLock()
		return
	}
	if s.encReq == nil {
		s.encReq, s.encDone = make(chan struct{}), make(chan struct{})
		go s.encoder()
	}
	s.encReq <- struct{}{}
	<-s.encDone
}

// encoder writes the walker's batches on an OS thread of its own at a lower priority
// (niceness EncoderNice): the kernel then runs the connections' threads first, as it
// runs Redis's main thread before its fork child. The thread ends with the goroutine.
func (s *Snapshot) encoder() {
	runtime.LockOSThread() // never unlocked: the niced thread exits with the goroutine
	lowerThreadPriority(s.opts.EncoderNice)
	for range s.encReq {
		s.encodeOffLock()
		s.encDone <- struct{}{}
	}
}

// encodeOffLock writes the walker's claims and does the Work its last slice staged
// (SnapshotOffLock), off the lock.
func (s *Snapshot) encodeOffLock() {
	if len(s.claims) > 0 {
		s.encodeClaims()
	}
	if w := s.offWork; w != nil {
		s.offWork = nil
		w.Work()
	}
}

// finishLocked uninstalls the hook, flushes what is buffered and closes the queue. Lock
// held.
func (s *Snapshot) finishLocked() {
	if s.detached {
		return
	}
	s.detached = true
	s.dropClaims()
	for _, j := range s.jobs {
		if a, ok := j.job.(interface{ Abort() }); ok {
			a.Abort() // a zset job's descent held between steps
		}
	}
	s.jobs = nil
	incomplete := s.open != nil // a record partly queued: the output is cut short
	s.open, s.held = nil, nil
	if s.eng.snap == SnapshotHook(s) {
		s.eng.snap = nil
	}
	if s.eng.snapRun == s {
		s.eng.snapRun = nil
	}
	s.pushWalk()
	s.pushHook()
	s.qmu.Lock()
	s.qclosed = true
	if s.qerr == nil {
		switch {
		case s.encErr != nil:
			s.qerr = s.encErr
		case s.canceled.Load():
			s.qerr = ErrSnapshotCanceled
		case s.cur < len(s.dbs), incomplete:
			s.qerr = ErrSnapshotCanceled
		}
	}
	s.qcond.Broadcast()
	s.qmu.Unlock()
}

// Cancel stops the snapshot (lock held): the hook is removed at once, the walker stops at
// its next slice, and the sink's End gets ErrSnapshotCanceled.
func (s *Snapshot) Cancel() {
	s.canceled.Store(true)
	s.finishLocked()
}

// writer hands the queue to the sink, off the lock.
func (s *Snapshot) writer() {
	defer close(s.done)
	err := s.sink.Begin(&s.start)
	if err != nil {
		s.setWriterErr(err)
	}
	for {
		s.qmu.Lock()
		for len(s.queue) == 0 && !s.qclosed {
			s.qcond.Wait()
		}
		if len(s.queue) == 0 {
			if err == nil {
				err = s.qerr
			}
			s.qmu.Unlock()
			break
		}
		c := s.queue[0]
		s.queue[0] = nil
		s.queue = s.queue[1:]
		s.qmu.Unlock()
		if err == nil {
			if werr := s.sink.Write(c); werr != nil {
				err = werr
				s.setWriterErr(err)
			} else {
				s.written.Add(int64(len(c.Data)))
			}
		}
		s.qmu.Lock()
		s.qbytes -= len(c.Data)
		// Keep enough buffers for a full queue: a walk then allocates no chunk after
		// the first QueueBytes (less garbage, less GC work while the lock is held).
		if cap(c.Data) <= 4*s.opts.ChunkBytes && len(s.free) < s.opts.QueueBytes/s.opts.ChunkBytes+8 {
			s.free = append(s.free, c.Data[:0])
		}
		s.qcond.Broadcast()
		s.qmu.Unlock()
	}
	s.err = s.sink.End(err)
	s.restoreProcs()
}

func (s *Snapshot) setWriterErr(err error) {
	s.qmu.Lock()
	if s.qerr == nil {
		s.qerr = err
	}
	s.qcond.Broadcast()
	s.qmu.Unlock()
	s.canceled.Store(true)
}

// Done is closed when the sink's End has returned.
func (s *Snapshot) Done() <-chan struct{} { return s.done }

// Wait waits for the snapshot to end (lock NOT held) and returns End's result.
func (s *Snapshot) Wait() error {
	<-s.done
	return s.err
}

// Err is End's result once Done is closed.
func (s *Snapshot) Err() error {
	select {
	case <-s.done:
		return s.err
	default:
		return nil
	}
}

// Start is the T0 description the sink was given.
func (s *Snapshot) Start() *SnapshotStart { return &s.start }

// Stats returns the progress counters.
func (s *Snapshot) Stats() SnapshotStats {
	return SnapshotStats{
		KeysTotal:    s.keysTotal,
		KeysDone:     s.keysDone.Load(),
		HookKeys:     s.hookKeysN.Load(),
		DetachedJobs: s.detachedN.Load(),
		CowBytes:     s.cowBytes.Load(),
		PeakQueue:    s.peakQ.Load(),
		BytesWritten: s.written.Load(),
		Slices:       s.slices.Load(),
		PacedSlices:  s.paced.Load(),
		MaxSlice:     time.Duration(s.maxSlice.Load()),
		ClaimWaits:   s.claimWaits.Load(),
		MaxClaimWait: time.Duration(s.maxClaimWait.Load()),
	}
}
