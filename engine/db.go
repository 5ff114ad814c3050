package engine

import (
	"github.com/redisctl/redisctl/engine/dict"
)

// Entry is a keyspace entry: the key, its Object and its snapshot version.
type Entry = dict.Entry[Object]

type dictEntryInt64 = dict.Entry[int64]

// DB is one numbered database: the keys and, for keys with a TTL, their expiry time in
// unix milliseconds (Redis's expires dict, keyed by the same key).
type DB struct {
	ID      int
	eng     *Engine
	keys    *dict.Dict[Object]
	expires *dict.Dict[int64]

	avgTTL        int64
	expiresCursor uint64

	// memKeys is the sum of this db's keys' counted memory (memory.go).
	memKeys int64

	// watched maps a key to the clients WATCHing it in this db.
	watched map[string][]*Client

	// blk holds the clients blocked on keys of this db (block.go).
	blk dbBlocking
}

func newDB(e *Engine, id int) *DB {
	return &DB{ID: id, eng: e, keys: dict.New[Object](), expires: dict.New[int64](),
		watched: map[string][]*Client{}}
}

// Engine is the engine this database belongs to.
func (db *DB) Engine() *Engine { return db.eng }

// Len is the number of keys (DBSIZE), expired-but-not-yet-deleted ones included.
func (db *DB) Len() int { return db.keys.Len() }

// ExpiresLen is the number of keys with a TTL.
func (db *DB) ExpiresLen() int { return db.expires.Len() }

// AvgTTL is the running estimate INFO keyspace reports.
func (db *DB) AvgTTL() int64 { return db.avgTTL }

// Keys is the key dict, for walks (SCAN, KEYS, snapshots, DEBUG). Mutating it directly
// bypasses expiry, notifications and the snapshot hook: use the DB methods.
func (db *DB) Keys() *dict.Dict[Object] { return db.keys }

// Expires is the expiry dict, for walks.
func (db *DB) Expires() *dict.Dict[int64] { return db.expires }

// ExpireAt returns the key's expiry time in unix ms, or -1 when it has none.
func (db *DB) ExpireAt(key string) int64 {
	if db.expires.Len() == 0 {
		return -1
	}
	if e := db.expires.Get(key); e != nil {
		return e.Value
	}
	return -1
}

func (db *DB) expireAtBytes(key []byte) int64 {
	if db.expires.Len() == 0 {
		return -1
	}
	if e := db.expires.GetBytes(key); e != nil {
		return e.Value
	}
	return -1
}

// isExpired reports whether the key has a TTL that is not in the future (keyIsExpired).
// During loading nothing expires.
func (db *DB) isExpired(key []byte) bool {
	when := db.expireAtBytes(key)
	if when < 0 {
		return false
	}
	return db.eng.nowMs > when
}

// expireIfNeeded deletes the key if it is logically expired, propagating a DEL (or UNLINK)
// and firing the "expired" event as Redis's expireIfNeeded does. It reports whether the
// key is (now) gone.
func (db *DB) expireIfNeeded(key []byte) bool {
	if !db.isExpired(key) {
		return false
	}
	db.deleteExpired(key)
	return true
}

// deleteExpired removes an expired key and does everything Redis does around it.
func (db *DB) deleteExpired(key []byte) {
	e := db.eng
	db.deleteKey(key, true) // the value is discarded
	e.Stats.ExpiredKeys++
	e.notify(NotifyExpired, "expired", key, db.ID)
	db.signalModified(key)
	cmd := "DEL"
	if e.Set.LazyfreeLazyExpire {
		cmd = "UNLINK"
	}
	e.propagateNow(db.ID, [][]byte{[]byte(cmd), append([]byte(nil), key...)})
}

// Lookup flags.
const (
	lookupNoTouch  = 1 << iota // do not update LRU/LFU (OBJECT, TTL, TYPE use it in some paths)
	lookupNoStats              // do not count keyspace hits/misses
	lookupNoNotify             // do not fire keymiss
	lookupNoExpire             // do not delete an expired key (treated as missing)
)

// lookup implements Redis 7.0's lookupKey: expiry first, then stats and access time.
func (db *DB) lookup(key []byte, flags int, write bool) *Entry {
	e := db.keys.GetBytes(key)
	if e != nil && db.isExpired(key) {
		if flags&lookupNoExpire == 0 {
			db.deleteExpired(key)
		}
		e = nil
	}
	if e != nil {
		if flags&lookupNoTouch == 0 {
			db.eng.touch(&e.Value)
		}
		if !write && flags&lookupNoStats == 0 {
			db.eng.Stats.KeyspaceHits++
		}
		return e
	}
	if !write && flags&lookupNoStats == 0 {
		db.eng.Stats.KeyspaceMisses++
	}
	if !write && flags&lookupNoNotify == 0 {
		db.eng.notify(NotifyKeyMiss, "keymiss", key, db.ID)
	}
	return nil
}

// LookupRead finds a key for reading (lookupKeyRead): nil when missing or expired.
func (db *DB) LookupRead(key []byte) *Object {
	if e := db.lookup(key, 0, false); e != nil {
		return &e.Value
	}
	return nil
}

// LookupReadNoTouch is LookupRead without updating the access time and without the
// keymiss event (OBJECT's lookup: LOOKUP_NOTOUCH|LOOKUP_NONOTIFY; hits and misses count).
func (db *DB) LookupReadNoTouch(key []byte) *Object {
	if e := db.lookup(key, lookupNoTouch|lookupNoNotify, false); e != nil {
		return &e.Value
	}
	return nil
}

// LookupWrite finds a key that the command is about to change (lookupKeyWrite). The
// snapshot hook runs here, before any change, so the caller may modify the object freely.
func (db *DB) LookupWrite(key []byte) *Object {
	e := db.lookup(key, 0, true)
	if e == nil {
		return nil
	}
	db.beforeChange(e)
	return &e.Value
}

// ExistsForWrite is LookupWrite for a caller that only asks whether the key exists
// before it replaces the value whole with SetKey or gives up (SET, SETNX, MSETNX): the
// expired key is deleted and the access time updated, but the snapshot hook does not run
// here. SetKey runs its own, which keeps a big old value aside to be written in steps,
// where this lookup's hook would serialize all of it at once while the client waits.
func (db *DB) ExistsForWrite(key []byte) bool {
	return db.lookup(key, 0, true) != nil
}

// LookupEntry finds a live entry without touching it (for commands like RENAME, MOVE,
// COPY that need the entry itself). write says whether the caller will change it.
func (db *DB) LookupEntry(key []byte, write bool) *Entry {
	e := db.lookup(key, lookupNoTouch|lookupNoStats|lookupNoNotify, write)
	if e != nil && write {
		db.beforeChange(e)
	}
	return e
}

// lookupEntryWrite is lookupKeyWrite returning the entry: the access time is updated, no
// stats or keymiss, and the snapshot hook runs.
func (db *DB) lookupEntryWrite(key []byte) *Entry {
	e := db.lookup(key, 0, true)
	if e != nil {
		db.beforeChange(e)
	}
	return e
}

// lookupEntryRead is lookupKeyRead returning the entry.
func (db *DB) lookupEntryRead(key []byte) *Entry { return db.lookup(key, 0, false) }

// Exists reports whether a live key exists (EXISTS semantics: expired keys are deleted).
func (db *DB) Exists(key []byte) bool {
	return db.lookup(key, lookupNoTouch|lookupNoNotify, false) != nil
}

func (db *DB) beforeChange(e *Entry) {
	if h := db.eng.snap; h != nil {
		h.BeforeChange(db, e)
	}
	db.memNote(e)
}

// beforeRemove is beforeChange for an entry about to leave the dict.
func (db *DB) beforeRemove(e *Entry) {
	if h := db.eng.snap; h != nil {
		h.BeforeChange(db, e)
	}
	db.memForget(e)
}

// Add inserts a new key (dbAdd). The key must not exist: check with a write lookup first.
// The object is stored as given; key is copied.
func (db *DB) Add(key []byte, o Object) *Object {
	o.lru = db.eng.initialLRU()
	o.msize = 0
	e, existed := db.keys.UpsertBytes(key)
	if existed {
		panic("engine: DB.Add of an existing key " + string(key))
	}
	e.Value = o
	db.memNote(e)
	db.SignalReady(key, o.typ)
	db.eng.notify(NotifyNew, "new", key, db.ID)
	return &e.Value
}

// AddIfAbsent is Add for a key that may exist, with one lookup: when key is present it
// stores nothing and returns the current value and false (the RDB loader's duplicate check).
func (db *DB) AddIfAbsent(key []byte, o Object) (*Object, bool) {
	e, existed := db.keys.UpsertBytes(key)
	if existed {
		return &e.Value, false
	}
	o.lru = db.eng.initialLRU()
	o.msize = 0
	e.Value = o
	db.memNote(e)
	db.SignalReady(key, o.typ)
	db.eng.notify(NotifyNew, "new", key, db.ID)
	return &e.Value, true
}

// SetKey stores o under key, replacing any current value (setKey). keepTTL keeps an existing
// expiry; otherwise it is removed. It signals the modification (WATCH, tracking).
func (db *DB) SetKey(key []byte, o Object, keepTTL bool) *Object {
	// setKey's lookupKeyWrite: an expired key is deleted first ("expired", DEL propagated).
	db.expireIfNeeded(key)
	return db.setEntry(key, db.keys.GetBytes(key), o, keepTTL)
}

// setEntry is SetKey once the key is looked up: e is its live entry, or nil.
func (db *DB) setEntry(key []byte, e *Entry, o Object, keepTTL bool) *Object {
	if e == nil {
		e, _ = db.keys.UpsertBytes(key)
		o.lru = db.eng.initialLRU()
		o.msize = 0
		e.Value = o
		db.memNote(e)
		db.SignalReady(key, o.typ)
		db.eng.notify(NotifyNew, "new", key, db.ID)
	} else {
		db.beforeReplace(e) // the old value is dropped whole (snapshot.go)
		if e.Value.typ == TypeStream {
			db.SignalReady(key, TypeStream) // dbOverwrite of a stream: XREADGROUP clients
		}
		o.lru = e.Value.lru
		o.msize = e.Value.msize
		db.eng.touch(&o)
		e.Value = o
		if !keepTTL {
			db.expires.DeleteBytes(key)
		}
	}
	db.signalModified(key)
	return &e.Value
}

// SetString is SetKey for a string value holding a copy of val, stored as enc (EncEmbstr
// or EncRaw, what the caller's encoding rules give val). When the key already holds a
// string of that encoding whose buffer is the one a fresh copy would get (embstr up to its
// capacity, as its counted size follows the length; raw of exactly that capacity), the
// bytes are rewritten in place: a write load of same-sized values (caches, sessions) then
// leaves no garbage for the Go collector. Not while a running snapshot has still to write
// the old value: SetKey's hook then hands it to the walker instead of serializing it while
// the client waits (in place would be correct, through beforeChange, but slower). A new
// buffer comes from the ones snapshots recycle (StringBytes).
func (db *DB) SetString(key []byte, enc Encoding, val []byte, keepTTL bool) {
	db.expireIfNeeded(key)
	e := db.keys.GetBytes(key)
	if e != nil && db.fitsInPlace(e, enc, len(val)) {
		db.beforeChange(e)
		copy(e.Value.Bytes()[:len(val)], val)
		e.Value.n = int64(len(val))
		db.eng.touch(&e.Value)
		if !keepTTL {
			db.expires.DeleteBytes(key)
		}
		db.signalModified(key)
		return
	}
	db.setEntry(key, e, NewBytesObject(TypeString, enc, StringBytes(val)), keepTTL)
}

// fitsInPlace reports whether SetString may write n bytes of encoding enc into e's value.
func (db *DB) fitsInPlace(e *Entry, enc Encoding, n int) bool {
	v := &e.Value
	if v.typ != TypeString || v.enc != enc || v.p == nil {
		return false
	}
	switch {
	case enc == EncEmbstr && int64(n) <= v.c, enc == EncRaw && int64(n) == v.c:
		return db.snapshotDone(e)
	}
	return false
}

// Overwrite replaces the value of an existing entry found with LookupWrite/LookupEntry,
// keeping its TTL (dbOverwrite).
func (db *DB) Overwrite(e *Entry, o Object) {
	db.beforeChange(e)
	if e.Value.typ == TypeStream {
		db.SignalReady([]byte(e.Key), TypeStream)
	}
	o.lru = e.Value.lru
	o.msize = e.Value.msize
	e.Value = o
}

// Delete removes a key and its expiry (dbSyncDelete); it reports whether the key existed.
// Callers signal, notify and count dirty themselves, as Redis's commands do.
func (db *DB) Delete(key []byte) bool {
	return db.deleteKey(key, false)
}

func (db *DB) deleteKey(key []byte, drop bool) bool {
	e := db.keys.GetBytes(key)
	if e == nil {
		return false
	}
	if drop {
		db.beforeDiscard(e) // the snapshot may keep the old value whole (snapshot.go)
	} else {
		db.beforeRemove(e)
	}
	if e.Value.typ == TypeStream {
		db.SignalReady(key, TypeStream) // XREADGROUP clients get their error
	}
	if db.expires.Len() > 0 {
		db.expires.DeleteBytes(key)
	}
	db.keys.DeleteEntry(e)
	return true
}

// Drop is Delete for a caller that discards the value (DEL, UNLINK): no one can refer to
// the old Object afterwards, so a running snapshot may keep a big one aside and write it
// in steps later, or a small one off the lock, instead of serializing it at once while
// the client waits (keepOld, as for SetKey). RENAME and MOVE, which move the Object to
// another key, use Delete.
func (db *DB) Drop(key []byte) bool {
	return db.deleteKey(key, true)
}

// DeleteEntry removes a key whose entry the caller holds.
func (db *DB) DeleteEntry(e *Entry) {
	db.beforeRemove(e)
	if e.Value.typ == TypeStream {
		db.SignalReady([]byte(e.Key), TypeStream)
	}
	if db.expires.Len() > 0 {
		db.expires.Delete(e.Key)
	}
	db.keys.DeleteEntry(e)
}

// SetExpire sets the key's absolute expiry in unix ms (setExpire). The key must exist.
func (db *DB) SetExpire(key []byte, whenMs int64) {
	ke := db.keys.GetBytes(key)
	if ke == nil {
		return
	}
	db.beforeChange(ke)
	// Share the key string with the main dict, as Redis shares the sds.
	ee, _ := db.expires.Upsert(ke.Key)
	ee.Value = whenMs
}

// RemoveExpire clears a key's TTL (removeExpire); it reports whether there was one.
func (db *DB) RemoveExpire(key []byte) bool {
	if db.expires.Len() == 0 {
		return false
	}
	ke := db.keys.GetBytes(key)
	if ke == nil {
		return false
	}
	if db.expires.GetBytes(key) == nil {
		return false
	}
	db.beforeChange(ke)
	db.expires.DeleteBytes(key)
	return true
}

// Flush empties the database and returns how many keys it held.
func (db *DB) Flush() int {
	db.scanForDeletedStreams(nil)
	n := db.keys.Len()
	if h := db.eng.snap; h != nil && n > 0 {
		// A running snapshot keeps the old dicts for its walker (they are frozen from
		// now on); another hook sees every entry go.
		if s, ok := h.(*Snapshot); !ok || !s.keepsFlushed(db) {
			for e := range db.keys.All() {
				h.BeforeChange(db, e)
			}
		}
	}
	db.memFlush()
	db.keys = dict.New[Object]()
	db.expires = dict.New[int64]()
	db.keys.SetBirthVersion(db.eng.snapEpoch)
	db.expires.SetBirthVersion(db.eng.snapEpoch)
	db.avgTTL = 0
	db.expiresCursor = 0
	return n
}

// RandomKey returns a random live key (dbRandomKey), or nil when the db is empty. Expired
// keys met on the way are deleted, as on a Redis master.
func (db *DB) RandomKey() []byte {
	for db.keys.Len() > 0 {
		e := db.keys.FairRandom()
		if e == nil {
			return nil
		}
		key := []byte(e.Key)
		if db.expires.Len() > 0 && db.isExpired(key) {
			db.deleteExpired(key)
			continue
		}
		return key
	}
	return nil
}
