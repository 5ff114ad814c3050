package rdbobj

import (
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/thash"
	"github.com/redisctl/redisctl/engine/tlist"
	"github.com/redisctl/redisctl/engine/tset"
	"github.com/redisctl/redisctl/engine/tstring"
	"github.com/redisctl/redisctl/engine/tzset"
	"github.com/redisctl/redisctl/rdb"
	"github.com/redisctl/redisctl/rdb/listpack"
)

// LoadOptions configure LoadInto and Load (rdbLoadRio's flags).
type LoadOptions struct {
	// Deep applies sanitize-dump-payload's deep checks (Redis 7.0 skips them while
	// loading unless sanitize-dump-payload is yes).
	Deep bool
	// AllowDup replaces a key met twice instead of failing (RDBFLAGS_ALLOW_DUP, DEBUG
	// RELOAD's merge modes).
	AllowDup bool
	// KeepExpired keeps keys whose expiry has passed: an AOF preamble
	// (RDBFLAGS_AOF_PREAMBLE) or a replica. By default they are dropped as a master does.
	KeepExpired bool
	// NowMs is the time expiries are compared with (0: the engine's clock).
	NowMs int64
	// SkipUnsupported skips keys of types the engine cannot hold yet (modules) instead
	// of failing; they are counted in LoadStats.Unsupported.
	SkipUnsupported bool
	// SkipFunctions ignores FUNCTION2 records when the engine has no scripting
	// (Engine.Functions nil) instead of failing with ErrScriptingUnavailable; they are
	// counted in LoadStats.SkippedLibraries.
	SkipFunctions bool
}

// ErrScriptingUnavailable is the load error for an RDB that holds function libraries
// (FUNCTION2 records) when the engine has no function store.
var ErrScriptingUnavailable = errors.New("rdbobj: the file holds function libraries (FUNCTION2) but scripting is unavailable in this engine")

// LoadStats is what a load read besides the keys.
type LoadStats struct {
	Keys         int64 // keys added
	Expired      int64 // keys dropped because their expiry had passed
	EmptySkipped int64 // empty aggregates skipped (RDB_LOAD_ERR_EMPTY_KEY)
	Unsupported  int64 // keys skipped with SkipUnsupported
	Aux          []rdb.AuxField
	// Libraries counts the FUNCTION2 libraries loaded into Engine.Functions.
	Libraries int64
	// SkippedLibraries counts FUNCTION2 records ignored with SkipFunctions.
	SkippedLibraries int64
	// Functions is always nil: libraries are loaded into Engine.Functions as they are read
	// (see Libraries). It stays so that callers which used to load them from here after
	// the fact now find nothing to load twice.
	Functions [][]byte
	Checksum  rdb.Checksum
}

// Load reads an RDB stream from r into eng (see LoadInto). Unlike LoadInto over a
// caller's decoder, it keeps the raw bytes of each list value while it is read, so
// quicklist nodes are taken exactly as stored (PLAIN or PACKED, node boundaries as
// written), as Redis's loader does. dopts may be nil; AllowEmptyKeys is forced on.
func Load(eng *engine.Engine, r io.Reader, dopts *rdb.Options, opts *LoadOptions) (*LoadStats, error) {
	var o rdb.Options
	if dopts != nil {
		o = *dopts
	}
	o.AllowEmptyKeys = true
	c := &capture{r: r}
	d := rdb.NewDecoder(c, &o)
	return loadInto(eng, d, opts, c)
}

// LoadInto fills eng from the records of d as Redis 7.0's rdbLoadRio does: SELECTDB picks
// the database (one the engine does not have is an error), RESIZEDB presizes it, every
// key's value is built as rdbLoadObject builds it, keys whose expiry has passed are
// dropped (unless KeepExpired), a key met twice is an error (unless AllowDup), IDLE and
// FREQ set the LRU/LFU field, empty aggregates are skipped (create d with
// Options.AllowEmptyKeys so they reach the loader instead of failing the decoder).
// FUNCTION2 records are loaded through eng.Functions.LoadLibrary as they are read (with
// replace when AllowDup, as rdbLoad passes RDBFLAGS_ALLOW_DUP); without a function store
// the load fails with ErrScriptingUnavailable (or skips them with SkipFunctions). Module
// values and hash field expiry (RDB 12) are refused: Redis 7.0 has no hash field expiry,
// and the engine has no module type.
//
// Quicklist nodes are rebuilt from the decoder's elements node by node (node
// boundaries are recovered from the input offsets); a one-element node is PLAIN when the
// element reaches the packed threshold. Use Load for exact PLAIN/PACKED containers.
//
// Call it on an engine nobody else uses, or with the engine lock held.
func LoadInto(eng *engine.Engine, d *rdb.Decoder, opts *LoadOptions) (*LoadStats, error) {
	return loadInto(eng, d, opts, nil)
}

func loadInto(eng *engine.Engine, d *rdb.Decoder, opts *LoadOptions, c *capture) (*LoadStats, error) {
	var o LoadOptions
	if opts != nil {
		o = *opts
	}
	now := o.NowMs
	if now == 0 {
		now = eng.NowMs()
	}
	st := &LoadStats{}
	l := &loader{eng: eng, d: d, lc: ConfigFor(eng, o.Deep), c: c}
	l.lc.AllowTypes = true
	db := eng.DB(0)
	// Keys are inserted in small batches whose dict buckets are prefetched together, so
	// that the inserts' cache misses overlap (on a table of millions of buckets nearly
	// every insert misses). A batch is inserted before any other record is handled and
	// before a decoding error is returned, so errors come in file order.
	var batch keyBatch
	insert := func() error { return batch.insert(eng, db, &o, st) }
	for d.Next() {
		if c != nil {
			c.discard(d.InputOffset())
		}
		if d.Kind() != rdb.RecKeyBegin && batch.n > 0 {
			if err := insert(); err != nil {
				return st, err
			}
		}
		switch d.Kind() {
		case rdb.RecAux:
			st.Aux = append(st.Aux, rdb.AuxField{Name: string(d.Field()), Value: string(d.Value())})
		case rdb.RecFunction:
			// rdbLoadRio: rdbFunctionLoad → functionsCreateWithLibraryCtx, replacing an
			// existing library only under RDBFLAGS_ALLOW_DUP.
			if eng.Functions == nil {
				if o.SkipFunctions {
					st.SkippedLibraries++
					continue
				}
				return st, fmt.Errorf("%w (FUNCTION2 record at offset %d)", ErrScriptingUnavailable, d.Offset())
			}
			if err := eng.Functions.LoadLibrary(d.Value(), o.AllowDup); err != nil {
				return st, fmt.Errorf("rdbobj: Failed loading library (FUNCTION2 record at offset %d): %w", d.Offset(), err)
			}
			st.Libraries++
		case rdb.RecFunctionPreGA:
			return st, fmt.Errorf("%w: at offset %d: Pre-release function format not supported", ErrBadFormat, d.Offset())
		case rdb.RecSelectDB:
			if d.DB() < 0 || d.DB() >= eng.NumDBs() {
				return st, fmt.Errorf("rdbobj: the file selects db %d but the engine has %d databases", d.DB(), eng.NumDBs())
			}
			db = eng.DB(d.DB())
		case rdb.RecResizeDB:
			keys, expires := d.ResizeDB()
			db.Keys().Expand(int(min(keys, maxPresize)))
			db.Expires().Expand(int(min(expires, keys, maxPresize)))
		case rdb.RecModuleAux:
			return st, fmt.Errorf("%w: module aux data for module %s", ErrUnsupported, d.Module().Name)
		case rdb.RecKeyBegin:
			// The key is copied (the value's reads may move the decoder's buffer) into a
			// scratch buffer: the keyspace makes its own string of it.
			l.key = append(l.key[:0], d.Key()...)
			key := l.key
			expire, idle, freq := d.Expire(), d.Idle(), d.Freq()
			obj, err := l.value()
			if errors.Is(err, ErrEmptyKey) {
				st.EmptySkipped++
				continue
			}
			if err != nil && o.SkipUnsupported && errors.Is(err, ErrUnsupported) && d.Err() == nil {
				st.Unsupported++
				continue
			}
			if err != nil {
				if ierr := insert(); ierr != nil {
					return st, ierr
				}
				if derr := d.Err(); derr != nil {
					return st, derr
				}
				return st, fmt.Errorf("rdbobj: db %d key %q (offset %d): %w", db.ID, key, d.Offset(), err)
			}
			if !o.KeepExpired && expire != -1 && expire < now {
				st.Expired++
				continue
			}
			batch.add(key, obj, expire, idle, freq)
			if batch.n == len(batch.k) {
				if err := insert(); err != nil {
					return st, err
				}
			}
		case rdb.RecEOF:
			st.Checksum = d.Checksum()
		}
	}
	if err := insert(); err != nil {
		return st, err
	}
	return st, d.Err()
}

// keyBatch holds decoded keys until they are inserted together (loadInto).
type keyBatch struct {
	n      int
	k      [8]pendingKey
	keys   [8][]byte
	expKey [8][]byte
}

type pendingKey struct {
	key    []byte // owned, reused from batch to batch
	obj    engine.Object
	expire int64
	idle   int64
	freq   int
}

func (b *keyBatch) add(key []byte, obj engine.Object, expire, idle int64, freq int) {
	p := &b.k[b.n]
	p.key = append(p.key[:0], key...)
	p.obj, p.expire, p.idle, p.freq = obj, expire, idle, freq
	b.n++
}

// insert adds the batch's keys to db in order, after prefetching their buckets.
func (b *keyBatch) insert(eng *engine.Engine, db *engine.DB, o *LoadOptions, st *LoadStats) error {
	if b.n == 0 {
		return nil
	}
	ne := 0
	for i := 0; i < b.n; i++ {
		b.keys[i] = b.k[i].key
		if b.k[i].expire != -1 {
			b.expKey[ne] = b.k[i].key
			ne++
		}
	}
	db.Keys().Prefetch(b.keys[:b.n], nil)
	if ne > 0 {
		db.Expires().Prefetch(b.expKey[:ne], nil)
	}
	n := b.n
	b.n = 0
	for i := 0; i < n; i++ {
		k := &b.k[i]
		p, added := db.AddIfAbsent(k.key, k.obj)
		if !added {
			if !o.AllowDup {
				return fmt.Errorf("rdbobj: duplicated key %q in db %d", k.key, db.ID)
			}
			db.Delete(k.key)
			p = db.Add(k.key, k.obj)
		}
		if k.expire != -1 {
			db.SetExpire(k.key, k.expire)
		}
		if k.freq >= 0 || k.idle >= 0 {
			setLRUOrLFU(eng, p, int64(k.freq), k.idle)
		}
		k.obj = engine.Object{}
		st.Keys++
	}
	clear(b.keys[:n])
	clear(b.expKey[:ne])
	return nil
}

// maxPresize bounds RESIZEDB's hint: a lying header must not allocate a huge table.
const maxPresize = 1 << 24

// loader builds one value from the decoder's records.
type loader struct {
	eng *engine.Engine
	d   *rdb.Decoder
	lc  *LoadConfig
	c   *capture
	num [20]byte
	// Scratch reused from key to key, so loading allocates only what the keyspace keeps:
	// the current key, a listpack being rebuilt, zset members and their pairs.
	key   []byte
	lp    []byte
	arena []byte
	ends  []int
	pairs []tzset.Pair
}

// emptyListpack is listpack.New()'s bytes.
var emptyListpack = listpack.New()

// scratchListpack is an empty listpack in the loader's scratch buffer.
func (l *loader) scratchListpack() []byte {
	return append(l.lp[:0], emptyListpack...)
}

// keepListpack gives back a listpack built in the scratch buffer as exactly sized bytes of
// its own (as Redis's loader holds a listpack blob), and keeps the buffer for the next key.
func (l *loader) keepListpack(lp []byte) []byte {
	l.lp = lp[:0]
	if cap(l.lp) > 1<<20 {
		l.lp = nil // a huge value was read: give its memory back
	}
	return append([]byte(nil), lp...)
}

// next advances to the next record of the current value; it reports false at RecKeyEnd.
func (l *loader) next() bool {
	if !l.d.Next() {
		return false
	}
	return l.d.Kind() != rdb.RecKeyEnd
}

// finish checks that the value ended cleanly.
func (l *loader) finish() error {
	if err := l.d.Err(); err != nil {
		return err
	}
	if l.d.Kind() != rdb.RecKeyEnd {
		return fmt.Errorf("%w: unexpected %v record", ErrBadFormat, l.d.Kind())
	}
	return nil
}

// elem is the current element as bytes (integers formatted into a scratch buffer).
func (l *loader) elem() []byte {
	if v, ok := l.d.ValueInt(); ok {
		return fmtInt(l.num[:0], v)
	}
	return l.d.Value()
}

// count is the declared element count, bounded.
func (l *loader) count() int {
	n := l.d.Len()
	if n < 0 {
		return 0
	}
	return int(min(n, maxPresize))
}

// value consumes the current key's records (the decoder is at RecKeyBegin) and builds
// the value as rdbLoadObject does.
func (l *loader) value() (engine.Object, error) {
	d := l.d
	t := d.Type()
	set := l.lc.Set
	switch t {
	case rdb.TypeString:
		if !l.next() || d.Kind() != rdb.RecString {
			return engine.Object{}, l.errOr()
		}
		var o engine.Object
		if v, ok := d.ValueInt(); ok {
			o = tstring.FromInt(v)
		} else {
			o = tstring.New(d.Value())
		}
		l.next()
		return o, l.finish()

	case rdb.TypeList, rdb.TypeListZiplist:
		ql := tlist.New(set)
		for l.next() {
			ql.PushTail(l.elem())
		}
		if err := l.finish(); err != nil {
			return engine.Object{}, err
		}
		if ql.Len() == 0 {
			return engine.Object{}, ErrEmptyKey
		}
		return tlist.NewObject(ql), nil

	case rdb.TypeListQuicklist, rdb.TypeListQuicklist2:
		if l.c != nil {
			return l.rawQuicklist(t)
		}
		return l.quicklist()

	case rdb.TypeSet, rdb.TypeSetIntset, rdb.TypeSetListpack:
		b := tset.NewBuilder(l.count(), l.lc.MaxIntset)
		n := 0
		for l.next() {
			if !b.Add(l.elem()) {
				return engine.Object{}, fmt.Errorf("%w: Duplicate set members detected", ErrBadFormat)
			}
			n++
		}
		if err := l.finish(); err != nil {
			return engine.Object{}, err
		}
		if n == 0 {
			return engine.Object{}, ErrEmptyKey
		}
		return b.Object(), nil

	case rdb.TypeHash:
		b := thash.NewBuilder(set, l.count())
		n := 0
		for l.next() {
			// Field and value are both valid until the next record; Add copies them.
			if err := b.Add(d.Field(), d.Value()); err != nil {
				return engine.Object{}, fmt.Errorf("%w: %w", ErrBadFormat, err)
			}
			n++
		}
		if err := l.finish(); err != nil {
			return engine.Object{}, err
		}
		if n == 0 {
			return engine.Object{}, ErrEmptyKey
		}
		return b.Object(), nil

	case rdb.TypeHashZipmap, rdb.TypeHashZiplist, rdb.TypeHashListpack:
		lp := l.scratchListpack()
		n, maxLen := 0, 0
		var seen map[string]struct{}
		if t != rdb.TypeHashListpack || l.lc.Deep {
			seen = map[string]struct{}{}
		}
		for l.next() {
			f, v := d.Field(), d.Value()
			if seen != nil {
				if _, dup := seen[string(f)]; dup {
					return engine.Object{}, fmt.Errorf("%w: hash with duplicate field %q", ErrBadFormat, f)
				}
				seen[string(f)] = struct{}{}
			}
			maxLen = max(maxLen, len(f), len(v))
			lp = listpack.Append(lp, f)
			lp = listpack.Append(lp, v)
			n++
		}
		if err := l.finish(); err != nil {
			return engine.Object{}, err
		}
		if n == 0 {
			l.lp = lp[:0]
			return engine.Object{}, ErrEmptyKey
		}
		if t == rdb.TypeHashZipmap && maxLen > set.HashMaxListpackValue {
			o, err := listpackToHashtable(set, lp, n)
			l.lp = lp[:0]
			return o, err
		}
		o, err := thash.FromListpack(set, l.keepListpack(lp), false)
		if err != nil {
			return engine.Object{}, fmt.Errorf("%w: %w", ErrBadFormat, err)
		}
		return o, nil

	case rdb.TypeZSet, rdb.TypeZSet2:
		// Members go into one scratch arena (FromPairs copies what it keeps); the pairs
		// take their slices once the arena has stopped moving.
		arena, ends, pairs := l.arena[:0], l.ends[:0], l.pairs[:0]
		defer func() {
			clear(pairs)
			l.arena, l.ends, l.pairs = arena[:0], ends[:0], pairs[:0]
			if cap(arena) > 1<<20 || cap(pairs) > 1<<16 {
				l.arena, l.ends, l.pairs = nil, nil, nil // a huge value: give its memory back
			}
		}()
		for l.next() {
			if math.IsNaN(d.Score()) {
				return engine.Object{}, fmt.Errorf("%w: Zset with NAN score detected", ErrBadFormat)
			}
			arena = append(arena, l.elem()...)
			ends = append(ends, len(arena))
			pairs = append(pairs, tzset.Pair{Score: d.Score()})
		}
		if err := l.finish(); err != nil {
			return engine.Object{}, err
		}
		if len(pairs) == 0 {
			return engine.Object{}, ErrEmptyKey
		}
		start := 0
		for i, end := range ends {
			pairs[i].Member = arena[start:end:end]
			start = end
		}
		o, err := tzset.FromPairs(set, pairs)
		if err != nil {
			return engine.Object{}, fmt.Errorf("%w: %w", ErrBadFormat, err)
		}
		return o, nil

	case rdb.TypeZSetZiplist, rdb.TypeZSetListpack:
		lp := l.scratchListpack()
		n := 0
		for l.next() {
			lp = listpack.Append(lp, l.elem())
			if txt := d.ScoreText(); txt != nil {
				lp = listpack.Append(lp, txt)
			} else {
				lp = listpack.AppendInt(lp, int64(d.Score()))
			}
			n++
		}
		if err := l.finish(); err != nil {
			return engine.Object{}, err
		}
		if n == 0 {
			l.lp = lp[:0]
			return engine.Object{}, ErrEmptyKey
		}
		o, err := tzset.FromListpack(set, l.keepListpack(lp))
		if err != nil {
			return engine.Object{}, fmt.Errorf("%w: %w", ErrBadFormat, err)
		}
		return o, nil

	case rdb.TypeStreamListpacks, rdb.TypeStreamListpacks2, rdb.TypeStreamListpacks3:
		return l.stream(t)
	}
	// Skip the value's records so the caller's error names the key, not the decoder.
	for l.next() {
	}
	if err := d.Err(); err != nil {
		return engine.Object{}, err
	}
	return engine.Object{}, fmt.Errorf("%w: %v (%s)", ErrUnsupported, t, t.ValueKind())
}

func (l *loader) errOr() error {
	if err := l.d.Err(); err != nil {
		return err
	}
	return fmt.Errorf("%w: unexpected %v record", ErrBadFormat, l.d.Kind())
}

// quicklist rebuilds a quicklist's nodes from its elements: the decoder reads a whole
// node before delivering its first element, so the input offset after a record changes
// exactly when a new node was read.
func (l *loader) quicklist() (engine.Object, error) {
	d := l.d
	ql := tlist.New(l.lc.Set)
	var lp, single []byte
	count, last := 0, int64(-1)
	threshold := tlist.PackedThreshold()
	flush := func() {
		switch {
		case count == 1 && int64(len(single)) >= threshold:
			ql.AppendPlain(single)
		case count > 0:
			ql.AppendListpack(lp)
		}
		lp, single, count = nil, nil, 0
	}
	for l.next() {
		if off := d.InputOffset(); off != last {
			flush()
			last = off
			lp = listpack.New()
		}
		e := l.elem()
		if count == 0 && int64(len(e)) >= threshold {
			single = append([]byte(nil), e...)
		}
		lp = listpack.Append(lp, e)
		count++
	}
	if err := l.finish(); err != nil {
		return engine.Object{}, err
	}
	flush()
	if ql.Len() == 0 {
		return engine.Object{}, ErrEmptyKey
	}
	return tlist.NewObject(ql), nil
}

// rawQuicklist lets the decoder validate and walk the value, then takes the nodes from
// the captured input bytes, exactly as stored.
func (l *loader) rawQuicklist(t rdb.Type) (engine.Object, error) {
	start := l.d.InputOffset()
	for l.next() {
	}
	if err := l.finish(); err != nil {
		return engine.Object{}, err
	}
	raw, ok := l.c.slice(start, l.d.InputOffset())
	if !ok {
		return engine.Object{}, fmt.Errorf("%w: quicklist bytes not captured", ErrBadFormat)
	}
	r := &reader{b: raw}
	nodes := make([]tlist.NodeData, 0, 8)
	for r.off < len(raw) && r.err == nil {
		container := uint64(containerPacked)
		if t == rdb.TypeListQuicklist2 {
			container = r.plainLen()
		}
		data := r.str()
		if r.err != nil {
			return engine.Object{}, r.err
		}
		nd, err := quicklistNode(t, container, data, r.fresh)
		if err != nil {
			return engine.Object{}, err
		}
		if nd.Data != nil {
			nodes = append(nodes, nd)
		}
	}
	if r.err != nil {
		return engine.Object{}, r.err
	}
	if len(nodes) == 0 {
		return engine.Object{}, ErrEmptyKey
	}
	return tlist.NewObject(tlist.FromNodes(l.lc.Set, nodes)), nil
}

// listpackToHashtable is hashTypeConvert of a listpack of n pairs.
func listpackToHashtable(set *engine.Settings, lp []byte, n int) (engine.Object, error) {
	b := thash.NewBuilder(set, max(n, set.HashMaxListpackEntries+1))
	var fb, vb [20]byte
	for off := listpack.First(lp); off >= 0; off = listpack.Next(lp, off) {
		f := lpString(lp, off, &fb)
		off = listpack.Next(lp, off)
		v := lpString(lp, off, &vb)
		if err := b.Add(f, v); err != nil {
			return engine.Object{}, fmt.Errorf("%w: %w", ErrBadFormat, err)
		}
	}
	return b.Object(), nil
}

// capture keeps the input bytes the decoder has read and the loader may still need:
// from the start of the current key's value on. discard drops what is behind.
type capture struct {
	r     io.Reader
	buf   []byte
	start int   // buf[start:] is live
	base  int64 // input offset of buf[start]
}

func (c *capture) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if c.start > 64<<10 && c.start > len(c.buf)/2 {
		m := copy(c.buf, c.buf[c.start:])
		c.buf, c.start = c.buf[:m], 0
	}
	c.buf = append(c.buf, p[:n]...)
	return n, err
}

func (c *capture) discard(upTo int64) {
	k := upTo - c.base
	if k <= 0 {
		return
	}
	k = min(k, int64(len(c.buf)-c.start))
	c.start += int(k)
	c.base += k
	if c.start == len(c.buf) && cap(c.buf) > 8<<20 {
		c.buf, c.start = nil, 0 // a huge value was read: give its memory back
	}
}

func (c *capture) slice(from, to int64) ([]byte, bool) {
	if from < c.base || to > c.base+int64(len(c.buf)-c.start) || from > to {
		return nil, false
	}
	return c.buf[c.start+int(from-c.base) : c.start+int(to-c.base)], true
}
