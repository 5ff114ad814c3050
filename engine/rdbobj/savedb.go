package rdbobj

import (
	"fmt"
	"io"
	"unsafe"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/rdb"
)

// SaveOptions configure a whole-keyspace save.
type SaveOptions struct {
	// NoCompression turns rdbcompression off.
	NoCompression bool
	// NoChecksum writes a zero CRC-64 trailer (rdbchecksum no).
	NoChecksum bool
	// AOFBase writes aof-base 1 (the RDB preamble of an AOF base file).
	AOFBase bool
	// UsedMem is the used-mem AUX value.
	UsedMem int64
	// Ctime is the ctime AUX value in unix seconds (0: now).
	Ctime int64
	// Aux adds AUX fields after Redis's own (repl-stream-db, repl-id, repl-offset when
	// a replication script is saved, for instance).
	Aux []rdb.AuxField
}

// NewEncoder returns an encoder that writes what Redis 7.0's rdbSaveRio writes before the
// keyspace: the REDIS0010 magic and the AUX fields redis-ver (7.0.15), redis-bits (64),
// ctime, used-mem and aof-base, in that order.
func NewEncoder(w io.Writer, opts *SaveOptions) (*rdb.Encoder, error) {
	var o SaveOptions
	if opts != nil {
		o = *opts
	}
	cfg := rdb.DefaultConfig()
	cfg.RDBCompression = !o.NoCompression
	return rdb.NewEncoder(w, &rdb.EncoderOptions{
		Version:      RDBVersion,
		Config:       &cfg,
		NoChecksum:   o.NoChecksum,
		RedisVersion: "7.0.15",
		Ctime:        o.Ctime,
		UsedMem:      o.UsedMem,
		AOFBase:      o.AOFBase,
		Aux:          o.Aux,
	})
}

// SaveAll writes what rdbSaveRio writes after the AUX fields: one FUNCTION2 record per
// function library (eng.Functions.LibraryCodes, rdbSaveFunctions; nothing when the engine
// has no function store), then every non-empty database of eng, and closes the encoder
// (EOF and checksum). enc must not have written any database yet. Call it with the engine
// lock held, or on an engine nobody else uses.
func SaveAll(enc *rdb.Encoder, eng *engine.Engine, opts *SaveOptions) error {
	if eng.Functions != nil {
		for _, code := range eng.Functions.LibraryCodes() {
			if err := enc.WriteFunction(code); err != nil {
				return fmt.Errorf("rdbobj: saving a function library: %w", err)
			}
		}
	}
	s := NewSaver(opts == nil || !opts.NoCompression)
	for i := 0; i < eng.NumDBs(); i++ {
		if err := s.SaveDB(enc, eng.DB(i)); err != nil {
			return err
		}
	}
	return enc.Close()
}

// SaveDB writes one database as rdbSaveDb does: nothing when it is empty, else SELECTDB,
// RESIZEDB (keys, keys with an expiry), then every key in the dict's order with its
// expiry, and its LRU idle time or LFU counter when the maxmemory policy uses them.
func SaveDB(enc *rdb.Encoder, db *engine.DB, opts *SaveOptions) error {
	return NewSaver(opts == nil || !opts.NoCompression).SaveDB(enc, db)
}

// SaveDB is the package-level SaveDB reusing this Saver's buffers.
func (s *Saver) SaveDB(enc *rdb.Encoder, db *engine.DB) error {
	if db.Len() == 0 {
		return nil
	}
	if err := enc.SelectDB(db.ID, uint64(db.Len()), uint64(db.ExpiresLen())); err != nil {
		return err
	}
	eng := db.Engine()
	lru, lfu := policyFlags(eng.Set.MaxmemoryPolicy)
	expires := db.Expires()
	for e := range db.Keys().All() {
		a := KeyAttrs{Expire: -1}
		if expires.Len() > 0 {
			if x := expires.Get(e.Key); x != nil {
				a.Expire = x.Value
			}
		}
		if lru {
			a.Idle, a.HasIdle = eng.IdleMs(&e.Value)/1000, true
		}
		if lfu {
			a.Freq, a.HasFreq = uint8(eng.LFUCounter(&e.Value)), true
		}
		if err := s.WriteKey(enc, unsafe.Slice(unsafe.StringData(e.Key), len(e.Key)), &e.Value, a); err != nil {
			return fmt.Errorf("rdbobj: saving db %d key %q: %w", db.ID, e.Key, err)
		}
	}
	return nil
}

// policyFlags reports MAXMEMORY_FLAG_LRU and MAXMEMORY_FLAG_LFU of a policy name.
func policyFlags(policy string) (lru, lfu bool) {
	switch policy {
	case "allkeys-lru", "volatile-lru":
		return true, false
	case "allkeys-lfu", "volatile-lfu":
		return false, true
	}
	return false, false
}
