package engine

// Settings are the configuration values the engine reads while executing commands. The
// server owns the configuration (redis.conf, CONFIG SET) and copies what changed into the
// engine under the lock, so the engine never parses configuration itself. Names follow
// Redis's config directives.
type Settings struct {
	Databases int // databases

	HashMaxListpackEntries int // hash-max-listpack-entries
	HashMaxListpackValue   int // hash-max-listpack-value
	SetMaxIntsetEntries    int // set-max-intset-entries
	ZSetMaxListpackEntries int // zset-max-listpack-entries
	ZSetMaxListpackValue   int // zset-max-listpack-value
	ListMaxListpackSize    int // list-max-listpack-size
	ListCompressDepth      int // list-compress-depth
	StreamNodeMaxBytes     int // stream-node-max-bytes
	StreamNodeMaxEntries   int // stream-node-max-entries

	Hz                  int  // hz
	ActiveExpireEffort  int  // active-expire-effort (1..10)
	LazyfreeLazyExpire  bool // lazyfree-lazy-expire (DEL vs UNLINK when propagating expiry)
	LazyfreeLazyEvict   bool // lazyfree-lazy-eviction
	LazyfreeUserDel     bool // lazyfree-lazy-user-del (DEL behaves like UNLINK)
	LazyfreeUserFlush   bool // lazyfree-lazy-user-flush
	MaxmemoryPolicy     string
	Maxmemory           int64
	MaxmemorySamples    int
	LFULogFactor        int
	LFUDecayTime        int
	NotifyKeyspaceEvent int // notify-keyspace-events, as a bit set of Notify* classes
	ProtoMaxBulkLen     int64
	SanitizeDumpPayload string // no | yes | clients
	ActiveExpireEnabled bool   // DEBUG SET-ACTIVE-EXPIRE
}

// DefaultSettings are Redis 7.0's defaults.
func DefaultSettings() Settings {
	return Settings{
		Databases:              16,
		HashMaxListpackEntries: 128 * 4,
		HashMaxListpackValue:   64,
		SetMaxIntsetEntries:    512,
		ZSetMaxListpackEntries: 128,
		ZSetMaxListpackValue:   64,
		ListMaxListpackSize:    -2,
		ListCompressDepth:      0,
		StreamNodeMaxBytes:     4096,
		StreamNodeMaxEntries:   100,
		Hz:                     10,
		ActiveExpireEffort:     1,
		MaxmemoryPolicy:        "noeviction",
		MaxmemorySamples:       5,
		LFULogFactor:           10,
		LFUDecayTime:           1,
		ProtoMaxBulkLen:        512 << 20,
		SanitizeDumpPayload:    "no",
		ActiveExpireEnabled:    true,
	}
}

// LFU reports whether the eviction policy tracks access frequency instead of recency.
func (s *Settings) LFU() bool {
	return s.MaxmemoryPolicy == "allkeys-lfu" || s.MaxmemoryPolicy == "volatile-lfu"
}
