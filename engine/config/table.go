package config

import "math"

// Kind is the type of a directive, as config.c's configType.
type Kind uint8

// Directive kinds.
const (
	KindBool Kind = iota
	KindNumeric
	KindEnum
	KindString // a C string config (createStringConfig)
	KindSDS    // an sds config (createSDSConfig): requirepass, masterauth
	KindSpecial
)

// Flag is a directive flag, as config.c's *_CONFIG flags.
type Flag uint16

// Directive flags.
const (
	FlagImmutable   Flag = 1 << iota // IMMUTABLE_CONFIG: only from the config file
	FlagSensitive                    // SENSITIVE_CONFIG: value redacted from logs
	FlagDebug                        // DEBUG_CONFIG
	FlagHidden                       // HIDDEN_CONFIG: CONFIG GET needs the exact name
	FlagProtected                    // PROTECTED_CONFIG: needs enable-protected-configs
	FlagDenyLoading                  // DENY_LOADING_CONFIG: refused while loading
	FlagMultiArg                     // MULTI_ARG_CONFIG: the value is several arguments
)

// NumType is the C type a numeric directive is stored in.
type NumType uint8

// Numeric storage types.
const (
	NumInt NumType = iota
	NumUInt
	NumLong
	NumULong
	NumLongLong
	NumULongLong
	NumSizeT
	NumSSizeT
	NumOffT
	NumTimeT
)

// NumFlag says how a numeric value is written and read.
type NumFlag uint8

// Numeric flags.
const (
	NumMemory  NumFlag = 1 << iota // MEMORY_CONFIG: accepts 1gb, 100mb, 1k...
	NumPercent                     // PERCENT_CONFIG: accepts n%, stored negative
	NumOctal                       // OCTAL_CONFIG
)

// EnumValue is one name of an enum directive.
type EnumValue struct {
	Name  string
	Value int
}

// Directive describes one configuration directive of Redis 7.0.15.
type Directive struct {
	Name  string
	Alias string
	Kind  Kind
	Flags Flag

	// Numeric.
	NumType    NumType
	NumFlags   NumFlag
	Lower      int64 // as Redis's long long lower_bound
	Upper      int64 // as Redis's long long upper_bound (ULLONG_MAX is -1)
	DefaultNum int64 // bool (0/1), numeric and enum default

	// Enum.
	Enum []EnumValue

	// String and SDS.
	DefaultStr  string
	DefaultNull bool // the default is NULL (GET shows "")
	EmptyToNull bool // EMPTY_STRING_IS_NULL

	idx      int
	validStr func(c *Config, v string) string
	validNum func(v int64) string
	special  special
}

type special uint8

const (
	spNone special = iota
	spDir
	spSave
	spCOBL
	spOOMValues
	spNotify
	spBind
	spReplicaOf
	spPercentiles
)

// Enum values.
var (
	maxmemoryPolicyEnum = []EnumValue{{"volatile-lru", PolicyVolatileLRU}, {"volatile-lfu", PolicyVolatileLFU},
		{"volatile-random", PolicyVolatileRandom}, {"volatile-ttl", PolicyVolatileTTL}, {"allkeys-lru", PolicyAllkeysLRU},
		{"allkeys-lfu", PolicyAllkeysLFU}, {"allkeys-random", PolicyAllkeysRandom}, {"noeviction", PolicyNoEviction}}
	syslogFacilityEnum = []EnumValue{{"user", 8}, {"local0", 128}, {"local1", 136}, {"local2", 144}, {"local3", 152},
		{"local4", 160}, {"local5", 168}, {"local6", 176}, {"local7", 184}}
	loglevelEnum       = []EnumValue{{"debug", LogDebug}, {"verbose", LogVerbose}, {"notice", LogNotice}, {"warning", LogWarning}}
	supervisedEnum     = []EnumValue{{"upstart", 2}, {"systemd", 3}, {"auto", 1}, {"no", 0}}
	aofFsyncEnum       = []EnumValue{{"everysec", FsyncEverysec}, {"always", FsyncAlways}, {"no", FsyncNo}}
	replDisklessLoad   = []EnumValue{{"disabled", 0}, {"on-empty-db", 1}, {"swapdb", 2}}
	tlsAuthClientsEnum = []EnumValue{{"no", 0}, {"yes", 1}, {"optional", 2}}
	oomScoreAdjEnum    = []EnumValue{{"no", 0}, {"yes", 1}, {"relative", 1}, {"absolute", 2}}
	aclPubsubEnum      = []EnumValue{{"allchannels", 1 << 0}, {"resetchannels", 0}}
	sanitizeEnum       = []EnumValue{{"no", 0}, {"yes", 1}, {"clients", 2}}
	protectedEnum      = []EnumValue{{"no", ProtectedNo}, {"yes", ProtectedYes}, {"local", ProtectedLocal}}
	endpointTypeEnum   = []EnumValue{{"ip", 0}, {"hostname", 1}, {"unknown-endpoint", 2}}
	propagationErrEnum = []EnumValue{{"ignore", 0}, {"panic", 1}, {"panic-on-replicas", 2}}
	shutdownOnSigEnum  = []EnumValue{{"default", 0}, {"save", ShutdownSave}, {"nosave", ShutdownNoSave},
		{"now", ShutdownNow}, {"force", ShutdownForce}}
)

// maxmemory-policy values (Redis's MAXMEMORY_* constants).
const (
	PolicyVolatileLRU    = 1<<0 | 1<<8
	PolicyVolatileLFU    = 1<<1 | 1<<8
	PolicyVolatileTTL    = 2 << 8
	PolicyVolatileRandom = 3 << 8
	PolicyAllkeysLRU     = 4<<8 | 1<<0 | 1<<2
	PolicyAllkeysLFU     = 5<<8 | 1<<1 | 1<<2
	PolicyAllkeysRandom  = 6<<8 | 1<<2
	PolicyNoEviction     = 7 << 8
)

// loglevel values.
const (
	LogDebug = iota
	LogVerbose
	LogNotice
	LogWarning
)

// appendfsync values.
const (
	FsyncNo       = 0
	FsyncAlways   = 1
	FsyncEverysec = 2
)

// enable-protected-configs, enable-debug-command, enable-module-command values.
const (
	ProtectedNo    = 0
	ProtectedYes   = 1
	ProtectedLocal = 2
)

// shutdown-on-sigint / shutdown-on-sigterm bit flags.
const (
	ShutdownSave   = 1
	ShutdownNoSave = 2
	ShutdownNow    = 4
	ShutdownForce  = 8
)

const (
	intMax   = math.MaxInt32
	intMin   = math.MinInt32
	uintMax  = math.MaxUint32
	longMax  = math.MaxInt64
	llongMax = math.MaxInt64
	ullMax   = -1 // ULLONG_MAX as a long long
)

const (
	modifiable = Flag(0)
	immutable  = FlagImmutable
)

func boolD(name, alias string, flags Flag, def bool) *Directive {
	d := &Directive{Name: name, Alias: alias, Kind: KindBool, Flags: flags}
	if def {
		d.DefaultNum = 1
	}
	return d
}

func strD(name, alias string, flags Flag, emptyToNull bool, def string, defNull bool) *Directive {
	return &Directive{Name: name, Alias: alias, Kind: KindString, Flags: flags, EmptyToNull: emptyToNull,
		DefaultStr: def, DefaultNull: defNull}
}

func enumD(name, alias string, flags Flag, e []EnumValue, def int) *Directive {
	return &Directive{Name: name, Alias: alias, Kind: KindEnum, Flags: flags, Enum: e, DefaultNum: int64(def)}
}

func numD(name, alias string, flags Flag, t NumType, lo, hi, def int64, nf NumFlag) *Directive {
	return &Directive{Name: name, Alias: alias, Kind: KindNumeric, Flags: flags, NumType: t, Lower: lo, Upper: hi,
		DefaultNum: def, NumFlags: nf}
}

func specialD(name, alias string, flags Flag, sp special) *Directive {
	return &Directive{Name: name, Alias: alias, Kind: KindSpecial, Flags: flags, special: sp}
}

const null = true

// directives is config.c's static_configs of Redis 7.0.15, in its order.
var directives = []*Directive{
	// Bool configs.
	boolD("rdbchecksum", "", immutable, true),
	boolD("daemonize", "", immutable, false),
	boolD("io-threads-do-reads", "", FlagDebug|immutable, false),
	boolD("always-show-logo", "", immutable, false),
	boolD("protected-mode", "", modifiable, true),
	boolD("rdbcompression", "", modifiable, true),
	boolD("rdb-del-sync-files", "", modifiable, false),
	boolD("activerehashing", "", modifiable, true),
	boolD("stop-writes-on-bgsave-error", "", modifiable, true),
	boolD("set-proc-title", "", immutable, true),
	boolD("dynamic-hz", "", modifiable, true),
	boolD("lazyfree-lazy-eviction", "", FlagDebug, false),
	boolD("lazyfree-lazy-expire", "", FlagDebug, false),
	boolD("lazyfree-lazy-server-del", "", FlagDebug, false),
	boolD("lazyfree-lazy-user-del", "", FlagDebug, false),
	boolD("lazyfree-lazy-user-flush", "", FlagDebug, false),
	boolD("repl-disable-tcp-nodelay", "", modifiable, false),
	boolD("repl-diskless-sync", "", FlagDebug, true),
	boolD("aof-rewrite-incremental-fsync", "", modifiable, true),
	boolD("no-appendfsync-on-rewrite", "", modifiable, false),
	boolD("cluster-require-full-coverage", "", modifiable, true),
	boolD("rdb-save-incremental-fsync", "", modifiable, true),
	boolD("aof-load-truncated", "", modifiable, true),
	boolD("aof-use-rdb-preamble", "", modifiable, true),
	boolD("aof-timestamp-enabled", "", modifiable, false),
	boolD("cluster-replica-no-failover", "cluster-slave-no-failover", modifiable, false),
	boolD("replica-lazy-flush", "slave-lazy-flush", modifiable, false),
	boolD("replica-serve-stale-data", "slave-serve-stale-data", modifiable, true),
	boolD("replica-read-only", "slave-read-only", FlagDebug, true),
	boolD("replica-ignore-maxmemory", "slave-ignore-maxmemory", modifiable, true),
	boolD("jemalloc-bg-thread", "", modifiable, true),
	boolD("activedefrag", "", FlagDebug, false),
	boolD("syslog-enabled", "", immutable, false),
	boolD("cluster-enabled", "", immutable, false),
	boolD("appendonly", "", FlagDenyLoading, false),
	boolD("cluster-allow-reads-when-down", "", modifiable, false),
	boolD("cluster-allow-pubsubshard-when-down", "", modifiable, true),
	boolD("crash-log-enabled", "", modifiable, true),
	boolD("crash-memcheck-enabled", "", modifiable, true),
	boolD("use-exit-on-panic", "", FlagHidden, false),
	boolD("disable-thp", "", immutable, true),
	boolD("cluster-allow-replica-migration", "", modifiable, true),
	boolD("replica-announced", "", modifiable, true),
	boolD("latency-tracking", "", modifiable, true),
	boolD("aof-disable-auto-gc", "", modifiable, false),
	boolD("replica-ignore-disk-write-errors", "", modifiable, false),

	// String configs.
	strD("aclfile", "", immutable, false, "", false),
	strD("unixsocket", "", immutable, true, "", null),
	strD("pidfile", "", immutable, true, "", null),
	strD("replica-announce-ip", "slave-announce-ip", modifiable, true, "", null),
	strD("masteruser", "", FlagSensitive, true, "", null),
	strD("cluster-announce-ip", "", modifiable, true, "", null),
	strD("cluster-config-file", "", immutable, false, "nodes.conf", false),
	strD("cluster-announce-hostname", "", modifiable, true, "", null),
	strD("syslog-ident", "", immutable, false, "redis", false),
	strD("dbfilename", "", FlagProtected, false, "dump.rdb", false),
	strD("appendfilename", "", immutable, false, "appendonly.aof", false),
	strD("appenddirname", "", immutable, false, "appendonlydir", false),
	strD("server_cpulist", "", immutable, true, "", null),
	strD("bio_cpulist", "", immutable, true, "", null),
	strD("aof_rewrite_cpulist", "", immutable, true, "", null),
	strD("bgsave_cpulist", "", immutable, true, "", null),
	strD("ignore-warnings", "", modifiable, false, "", false),
	strD("proc-title-template", "", modifiable, false, "{title} {listen-addr} {server-mode}", false),
	strD("bind-source-addr", "", modifiable, true, "", null),
	strD("logfile", "", immutable, false, "", false),

	// SDS configs.
	{Name: "masterauth", Kind: KindSDS, Flags: FlagSensitive, EmptyToNull: true, DefaultNull: true},
	{Name: "requirepass", Kind: KindSDS, Flags: FlagSensitive, EmptyToNull: true, DefaultNull: true},

	// Enum configs.
	enumD("supervised", "", immutable, supervisedEnum, 0),
	enumD("syslog-facility", "", immutable, syslogFacilityEnum, 128),
	enumD("repl-diskless-load", "", FlagDebug|FlagDenyLoading, replDisklessLoad, 0),
	enumD("loglevel", "", modifiable, loglevelEnum, LogNotice),
	enumD("maxmemory-policy", "", modifiable, maxmemoryPolicyEnum, PolicyNoEviction),
	enumD("appendfsync", "", modifiable, aofFsyncEnum, FsyncEverysec),
	enumD("oom-score-adj", "", modifiable, oomScoreAdjEnum, 0),
	enumD("acl-pubsub-default", "", modifiable, aclPubsubEnum, 0),
	enumD("sanitize-dump-payload", "", FlagDebug, sanitizeEnum, 0),
	enumD("enable-protected-configs", "", immutable, protectedEnum, ProtectedNo),
	enumD("enable-debug-command", "", immutable, protectedEnum, ProtectedNo),
	enumD("enable-module-command", "", immutable, protectedEnum, ProtectedNo),
	enumD("cluster-preferred-endpoint-type", "", modifiable, endpointTypeEnum, 0),
	enumD("propagation-error-behavior", "", modifiable, propagationErrEnum, 0),
	enumD("shutdown-on-sigint", "", FlagMultiArg, shutdownOnSigEnum, 0),
	enumD("shutdown-on-sigterm", "", FlagMultiArg, shutdownOnSigEnum, 0),

	// Integer configs.
	numD("databases", "", immutable, NumInt, 1, intMax, 16, 0),
	numD("port", "", modifiable, NumInt, 0, 65535, 6379, 0),
	numD("io-threads", "", FlagDebug|immutable, NumInt, 1, 128, 1, 0),
	numD("auto-aof-rewrite-percentage", "", modifiable, NumInt, 0, intMax, 100, 0),
	numD("cluster-replica-validity-factor", "cluster-slave-validity-factor", modifiable, NumInt, 0, intMax, 10, 0),
	numD("list-max-listpack-size", "list-max-ziplist-size", modifiable, NumInt, intMin, intMax, -2, 0),
	numD("tcp-keepalive", "", modifiable, NumInt, 0, intMax, 300, 0),
	numD("cluster-migration-barrier", "", modifiable, NumInt, 0, intMax, 1, 0),
	numD("active-defrag-cycle-min", "", modifiable, NumInt, 1, 99, 1, 0),
	numD("active-defrag-cycle-max", "", modifiable, NumInt, 1, 99, 25, 0),
	numD("active-defrag-threshold-lower", "", modifiable, NumInt, 0, 1000, 10, 0),
	numD("active-defrag-threshold-upper", "", modifiable, NumInt, 0, 1000, 100, 0),
	numD("lfu-log-factor", "", modifiable, NumInt, 0, intMax, 10, 0),
	numD("lfu-decay-time", "", modifiable, NumInt, 0, intMax, 1, 0),
	numD("replica-priority", "slave-priority", modifiable, NumInt, 0, intMax, 100, 0),
	numD("repl-diskless-sync-delay", "", modifiable, NumInt, 0, intMax, 5, 0),
	numD("maxmemory-samples", "", modifiable, NumInt, 1, intMax, 5, 0),
	numD("maxmemory-eviction-tenacity", "", modifiable, NumInt, 0, 100, 10, 0),
	numD("timeout", "", modifiable, NumInt, 0, intMax, 0, 0),
	numD("replica-announce-port", "slave-announce-port", modifiable, NumInt, 0, 65535, 0, 0),
	numD("tcp-backlog", "", immutable, NumInt, 0, intMax, 511, 0),
	numD("cluster-port", "", immutable, NumInt, 0, 65535, 0, 0),
	numD("cluster-announce-bus-port", "", modifiable, NumInt, 0, 65535, 0, 0),
	numD("cluster-announce-port", "", modifiable, NumInt, 0, 65535, 0, 0),
	numD("cluster-announce-tls-port", "", modifiable, NumInt, 0, 65535, 0, 0),
	numD("repl-timeout", "", modifiable, NumInt, 1, intMax, 60, 0),
	numD("repl-ping-replica-period", "repl-ping-slave-period", modifiable, NumInt, 1, intMax, 10, 0),
	numD("list-compress-depth", "", FlagDebug, NumInt, 0, intMax, 0, 0),
	numD("rdb-key-save-delay", "", FlagHidden, NumInt, intMin, intMax, 0, 0),
	numD("key-load-delay", "", FlagHidden, NumInt, intMin, intMax, 0, 0),
	numD("active-expire-effort", "", modifiable, NumInt, 1, 10, 1, 0),
	numD("hz", "", modifiable, NumInt, 0, intMax, 10, 0),
	numD("min-replicas-to-write", "min-slaves-to-write", modifiable, NumInt, 0, intMax, 0, 0),
	numD("min-replicas-max-lag", "min-slaves-max-lag", modifiable, NumInt, 0, intMax, 10, 0),
	numD("watchdog-period", "", FlagHidden, NumInt, 0, intMax, 0, 0),
	numD("shutdown-timeout", "", modifiable, NumInt, 0, intMax, 10, 0),
	numD("repl-diskless-sync-max-replicas", "", modifiable, NumInt, 0, intMax, 0, 0),

	// Unsigned int configs.
	numD("maxclients", "", modifiable, NumUInt, 1, uintMax, 10000, 0),
	numD("unixsocketperm", "", immutable, NumUInt, 0, 0777, 0, NumOctal),
	numD("socket-mark-id", "", immutable, NumUInt, 0, uintMax, 0, 0),

	// Unsigned long configs.
	numD("active-defrag-max-scan-fields", "", modifiable, NumULong, 1, longMax, 1000, 0),
	numD("slowlog-max-len", "", modifiable, NumULong, 0, longMax, 128, 0),
	numD("acllog-max-len", "", modifiable, NumULong, 0, longMax, 128, 0),

	// Long long configs.
	numD("busy-reply-threshold", "lua-time-limit", modifiable, NumLongLong, 0, longMax, 5000, 0),
	numD("cluster-node-timeout", "", modifiable, NumLongLong, 0, llongMax, 15000, 0),
	numD("slowlog-log-slower-than", "", modifiable, NumLongLong, -1, llongMax, 10000, 0),
	numD("latency-monitor-threshold", "", modifiable, NumLongLong, 0, llongMax, 0, 0),
	numD("proto-max-bulk-len", "", FlagDebug, NumLongLong, 1024*1024, longMax, 512*1024*1024, NumMemory),
	numD("stream-node-max-entries", "", modifiable, NumLongLong, 0, llongMax, 100, 0),
	numD("repl-backlog-size", "", modifiable, NumLongLong, 1, llongMax, 1024*1024, NumMemory),

	// Unsigned long long configs.
	numD("maxmemory", "", modifiable, NumULongLong, 0, ullMax, 0, NumMemory),
	numD("cluster-link-sendbuf-limit", "", modifiable, NumULongLong, 0, ullMax, 0, NumMemory),

	// size_t configs.
	numD("hash-max-listpack-entries", "hash-max-ziplist-entries", modifiable, NumSizeT, 0, longMax, 512, 0),
	numD("set-max-intset-entries", "", modifiable, NumSizeT, 0, longMax, 512, 0),
	numD("zset-max-listpack-entries", "zset-max-ziplist-entries", modifiable, NumSizeT, 0, longMax, 128, 0),
	numD("active-defrag-ignore-bytes", "", modifiable, NumSizeT, 1, llongMax, 100<<20, NumMemory),
	numD("hash-max-listpack-value", "hash-max-ziplist-value", modifiable, NumSizeT, 0, longMax, 64, NumMemory),
	numD("stream-node-max-bytes", "", modifiable, NumSizeT, 0, longMax, 4096, NumMemory),
	numD("zset-max-listpack-value", "zset-max-ziplist-value", modifiable, NumSizeT, 0, longMax, 64, NumMemory),
	numD("hll-sparse-max-bytes", "", modifiable, NumSizeT, 0, longMax, 3000, NumMemory),
	numD("tracking-table-max-keys", "", modifiable, NumSizeT, 0, longMax, 1000000, 0),
	numD("client-query-buffer-limit", "", FlagDebug, NumSizeT, 1024*1024, longMax, 1024*1024*1024, NumMemory),
	numD("maxmemory-clients", "", modifiable, NumSSizeT, -100, longMax, 0, NumMemory|NumPercent),

	// Other configs.
	numD("repl-backlog-ttl", "", modifiable, NumTimeT, 0, longMax, 60*60, 0),
	numD("auto-aof-rewrite-min-size", "", modifiable, NumOffT, 0, llongMax, 64*1024*1024, NumMemory),
	numD("loading-process-events-interval-bytes", "", FlagHidden, NumOffT, 1024, intMax, 1024*1024*2, 0),

	// TLS configs (redis-server 7.0.15 as shipped here is built with TLS).
	numD("tls-port", "", modifiable, NumInt, 0, 65535, 0, 0),
	numD("tls-session-cache-size", "", modifiable, NumInt, 0, intMax, 20*1024, 0),
	numD("tls-session-cache-timeout", "", modifiable, NumInt, 0, intMax, 300, 0),
	boolD("tls-cluster", "", modifiable, false),
	boolD("tls-replication", "", modifiable, false),
	enumD("tls-auth-clients", "", modifiable, tlsAuthClientsEnum, 1),
	boolD("tls-prefer-server-ciphers", "", modifiable, false),
	boolD("tls-session-caching", "", modifiable, true),
	strD("tls-cert-file", "", modifiable, true, "", null),
	strD("tls-key-file", "", modifiable, true, "", null),
	strD("tls-key-file-pass", "", modifiable, true, "", null),
	strD("tls-client-cert-file", "", modifiable, true, "", null),
	strD("tls-client-key-file", "", modifiable, true, "", null),
	strD("tls-client-key-file-pass", "", modifiable, true, "", null),
	strD("tls-dh-params-file", "", modifiable, true, "", null),
	strD("tls-ca-cert-file", "", modifiable, true, "", null),
	strD("tls-ca-cert-dir", "", modifiable, true, "", null),
	strD("tls-protocols", "", modifiable, true, "", null),
	strD("tls-ciphers", "", modifiable, true, "", null),
	strD("tls-ciphersuites", "", modifiable, true, "", null),

	// Special configs.
	specialD("dir", "", FlagProtected|FlagDenyLoading, spDir),
	specialD("save", "", FlagMultiArg, spSave),
	specialD("client-output-buffer-limit", "", FlagMultiArg, spCOBL),
	specialD("oom-score-adj-values", "", FlagMultiArg, spOOMValues),
	specialD("notify-keyspace-events", "", modifiable, spNotify),
	specialD("bind", "", FlagMultiArg, spBind),
	specialD("replicaof", "slaveof", immutable|FlagMultiArg, spReplicaOf),
	specialD("latency-tracking-info-percentiles", "", FlagMultiArg, spPercentiles),
}

// entry is one name in the lookup table: a primary name or an alias, as Redis registers
// both in its configs dict.
type entry struct {
	name  string
	d     *Directive
	alias bool
}

var (
	entries []entry           // primary then alias, in table order
	byName  map[string]*entry // lower-case name -> entry
)

func init() {
	byName = make(map[string]*entry, 2*len(directives))
	for i, d := range directives {
		d.idx = i
		entries = append(entries, entry{name: d.Name, d: d})
		if d.Alias != "" {
			entries = append(entries, entry{name: d.Alias, d: d, alias: true})
		}
	}
	for i := range entries {
		e := &entries[i]
		if _, dup := byName[e.name]; dup {
			panic("config: duplicate directive " + e.name)
		}
		byName[e.name] = e
	}
	installValidators()
}

func lookup(name string) *entry {
	if e, ok := byName[name]; ok {
		return e
	}
	return byName[toLowerASCII(name)]
}

func toLowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 32
				}
			}
			return string(b)
		}
	}
	return s
}

// Lookup returns the directive a name (or alias, any case) designates.
func Lookup(name string) (*Directive, bool) {
	e := lookup(name)
	if e == nil {
		return nil, false
	}
	return e.d, true
}

// Directives returns every directive Redis 7.0.15 knows, in config.c's order.
func Directives() []*Directive {
	out := make([]*Directive, len(directives))
	copy(out, directives)
	return out
}
