package config

import (
	"strconv"
	"strings"
)

// Indexes of the directives read on hot paths, resolved once at init.
var (
	idxHz, idxEnableProtectedConfigs, idxMaxmemory, idxMaxmemoryPolicy, idxMaxmemorySamples,
	idxMaxmemoryTenacity, idxLFULogFactor, idxLFUDecayTime, idxHashEntries, idxHashValue,
	idxSetIntset, idxZsetEntries, idxZsetValue, idxListSize, idxListCompress, idxStreamBytes,
	idxStreamEntries, idxHllSparse, idxDatabases, idxPort, idxRequirepass, idxTimeout,
	idxProtoMaxBulk, idxQueryBufLimit, idxAppendonly, idxAppendfsync, idxDbfilename,
	idxAppendfilename, idxAppenddirname, idxNotify, idxActiveExpireEffort, idxActiveRehashing,
	idxReplicaReadOnly, idxMaxclients, idxSlowlogSlower, idxSlowlogMaxLen, idxLatencyThreshold,
	idxProtectedMode, idxBusyReply, idxRdbCompression, idxRdbChecksum, idxAofPreamble,
	idxLazyEviction, idxLazyExpire, idxLazyServerDel, idxLazyUserDel, idxLazyUserFlush,
	idxLoglevel, idxDynamicHz, idxClusterEnabled, idxLogfile, idxUnixsocket, idxTLSPort,
	idxAclfile, idxStopWritesOnBgsaveErr, idxMasterauth, idxMasteruser, idxSanitize,
	idxTrackingMaxKeys, idxMaxmemoryClients, idxAutoAofPerc, idxAutoAofMinSize,
	idxReplBacklogSize, idxReplBacklogTTL, idxTCPKeepalive, idxAclPubsub, idxReplicaIgnoreMaxmem,
	idxLatencyTracking, idxEnableDebug, idxEnableModule, idxCrashLog int
)

func idxOf(name string) int {
	e := lookup(name)
	if e == nil {
		panic("config: no directive " + name)
	}
	return e.d.idx
}

func initIndexes() {
	for _, x := range []struct {
		p    *int
		name string
	}{
		{&idxHz, "hz"}, {&idxEnableProtectedConfigs, "enable-protected-configs"}, {&idxMaxmemory, "maxmemory"},
		{&idxMaxmemoryPolicy, "maxmemory-policy"}, {&idxMaxmemorySamples, "maxmemory-samples"},
		{&idxMaxmemoryTenacity, "maxmemory-eviction-tenacity"}, {&idxLFULogFactor, "lfu-log-factor"},
		{&idxLFUDecayTime, "lfu-decay-time"}, {&idxHashEntries, "hash-max-listpack-entries"},
		{&idxHashValue, "hash-max-listpack-value"}, {&idxSetIntset, "set-max-intset-entries"},
		{&idxZsetEntries, "zset-max-listpack-entries"}, {&idxZsetValue, "zset-max-listpack-value"},
		{&idxListSize, "list-max-listpack-size"}, {&idxListCompress, "list-compress-depth"},
		{&idxStreamBytes, "stream-node-max-bytes"}, {&idxStreamEntries, "stream-node-max-entries"},
		{&idxHllSparse, "hll-sparse-max-bytes"}, {&idxDatabases, "databases"}, {&idxPort, "port"},
		{&idxRequirepass, "requirepass"}, {&idxTimeout, "timeout"}, {&idxProtoMaxBulk, "proto-max-bulk-len"},
		{&idxQueryBufLimit, "client-query-buffer-limit"}, {&idxAppendonly, "appendonly"},
		{&idxAppendfsync, "appendfsync"}, {&idxDbfilename, "dbfilename"}, {&idxAppendfilename, "appendfilename"},
		{&idxAppenddirname, "appenddirname"}, {&idxNotify, "notify-keyspace-events"},
		{&idxActiveExpireEffort, "active-expire-effort"}, {&idxActiveRehashing, "activerehashing"},
		{&idxReplicaReadOnly, "replica-read-only"}, {&idxMaxclients, "maxclients"},
		{&idxSlowlogSlower, "slowlog-log-slower-than"}, {&idxSlowlogMaxLen, "slowlog-max-len"},
		{&idxLatencyThreshold, "latency-monitor-threshold"}, {&idxProtectedMode, "protected-mode"},
		{&idxBusyReply, "busy-reply-threshold"}, {&idxRdbCompression, "rdbcompression"},
		{&idxRdbChecksum, "rdbchecksum"}, {&idxAofPreamble, "aof-use-rdb-preamble"},
		{&idxLazyEviction, "lazyfree-lazy-eviction"}, {&idxLazyExpire, "lazyfree-lazy-expire"},
		{&idxLazyServerDel, "lazyfree-lazy-server-del"}, {&idxLazyUserDel, "lazyfree-lazy-user-del"},
		{&idxLazyUserFlush, "lazyfree-lazy-user-flush"}, {&idxLoglevel, "loglevel"}, {&idxDynamicHz, "dynamic-hz"},
		{&idxClusterEnabled, "cluster-enabled"}, {&idxLogfile, "logfile"}, {&idxUnixsocket, "unixsocket"},
		{&idxTLSPort, "tls-port"}, {&idxAclfile, "aclfile"}, {&idxStopWritesOnBgsaveErr, "stop-writes-on-bgsave-error"},
		{&idxMasterauth, "masterauth"}, {&idxMasteruser, "masteruser"}, {&idxSanitize, "sanitize-dump-payload"},
		{&idxTrackingMaxKeys, "tracking-table-max-keys"}, {&idxMaxmemoryClients, "maxmemory-clients"},
		{&idxAutoAofPerc, "auto-aof-rewrite-percentage"}, {&idxAutoAofMinSize, "auto-aof-rewrite-min-size"},
		{&idxReplBacklogSize, "repl-backlog-size"}, {&idxReplBacklogTTL, "repl-backlog-ttl"},
		{&idxTCPKeepalive, "tcp-keepalive"}, {&idxAclPubsub, "acl-pubsub-default"},
		{&idxReplicaIgnoreMaxmem, "replica-ignore-maxmemory"}, {&idxLatencyTracking, "latency-tracking"},
		{&idxEnableDebug, "enable-debug-command"}, {&idxEnableModule, "enable-module-command"},
		{&idxCrashLog, "crash-log-enabled"},
	} {
		*x.p = idxOf(x.name)
	}
}

func pathIsBaseName(p string) bool { return !strings.ContainsAny(p, "/\\") }

func installValidators() {
	initIndexes()
	lookup("dbfilename").d.validStr = func(_ *Config, v string) string {
		if !pathIsBaseName(v) {
			return "dbfilename can't be a path, just a filename"
		}
		return ""
	}
	lookup("appendfilename").d.validStr = func(_ *Config, v string) string {
		if v == "" {
			return "appendfilename can't be empty"
		}
		if !pathIsBaseName(v) {
			return "appendfilename can't be a path, just a filename"
		}
		return ""
	}
	lookup("appenddirname").d.validStr = func(_ *Config, v string) string {
		if v == "" {
			return "appenddirname can't be empty"
		}
		if !pathIsBaseName(v) {
			return "appenddirname can't be a path, just a dirname"
		}
		return ""
	}
	lookup("cluster-announce-hostname").d.validStr = func(_ *Config, v string) string {
		if len(v) >= 256 {
			return "Hostnames must be less than 256 characters"
		}
		for i := 0; i < len(v); i++ {
			c := v[i]
			if c == 0 {
				break
			}
			if !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.') {
				return "Hostnames may only contain alphanumeric characters, hyphens or dots"
			}
		}
		return ""
	}
	lookup("proc-title-template").d.validStr = func(c *Config, v string) string {
		if s, ok := c.ExpandProcTitle(v, ""); !ok || s == "" {
			return "template format is invalid or contains unknown variables"
		}
		return ""
	}
}

// ExpandProcTitle expands a proc-title-template as Redis does ({title}, {listen-addr},
// {server-mode}, {config-file}, {port}, {tls-port}, {unixsocket}; "{{" is a literal
// brace) and trims blanks; ok is false for an unknown variable or a malformed template.
func (c *Config) ExpandProcTitle(template, title string) (string, bool) {
	var b strings.Builder
	p := template
	for len(p) > 0 {
		i := strings.IndexByte(p, '{')
		if i < 0 {
			b.WriteString(p)
			break
		}
		b.WriteString(p[:i])
		p = p[i+1:]
		if p == "" {
			return "", false
		}
		if p[0] == '{' {
			b.WriteByte('{')
			p = p[1:]
			continue
		}
		j := strings.IndexByte(p, '}')
		if j < 0 {
			return "", false
		}
		v, ok := c.procTitleVar(p[:j], title)
		if !ok {
			return "", false
		}
		b.WriteString(v)
		p = p[j+1:]
	}
	return strings.Trim(b.String(), " "), true
}

func (c *Config) procTitleVar(name, title string) (string, bool) {
	port := c.slots[idxPort].num.Load()
	tls := c.slots[idxTLSPort].num.Load()
	switch name {
	case "title":
		return title, true
	case "listen-addr":
		if port != 0 || tls != 0 {
			addr := "*"
			if b := *c.bind.Load(); len(b) > 0 {
				addr = b[0]
			}
			if port == 0 {
				port = tls
			}
			return addr + ":" + strconv.FormatInt(port, 10), true
		}
		return "unixsocket:" + c.String("unixsocket"), true
	case "server-mode":
		if c.slots[idxClusterEnabled].num.Load() != 0 {
			return "[cluster]", true
		}
		return "", true
	case "config-file":
		return c.configFile, true
	case "port":
		return strconv.FormatInt(port, 10), true
	case "tls-port":
		return strconv.FormatInt(tls, 10), true
	case "unixsocket":
		return c.String("unixsocket"), true
	}
	return "", false
}

// ---- generic typed getters ----

// Int returns a bool (0/1), numeric (as Redis's long long) or enum directive's value.
func (c *Config) Int(name string) int64 {
	e := lookup(name)
	if e == nil {
		return 0
	}
	return c.slots[e.d.idx].num.Load()
}

// Bool returns a bool directive's value.
func (c *Config) Bool(name string) bool { return c.Int(name) != 0 }

// String returns a string directive's value ("" for NULL) or any directive formatted as
// CONFIG GET formats it.
func (c *Config) String(name string) string {
	v, _ := c.Value(name)
	return v
}

func (c *Config) n(i int) int64 { return c.slots[i].num.Load() }

func (c *Config) strp(i int) *string { return c.slots[i].str.Load() }

// ---- hot accessors ----

// Maxmemory is maxmemory in bytes (0: no limit).
func (c *Config) Maxmemory() uint64 { return uint64(c.n(idxMaxmemory)) }

// MaxmemoryPolicy is one of the Policy* constants.
func (c *Config) MaxmemoryPolicy() int { return int(c.n(idxMaxmemoryPolicy)) }

// MaxmemorySamples is maxmemory-samples.
func (c *Config) MaxmemorySamples() int { return int(c.n(idxMaxmemorySamples)) }

// MaxmemoryEvictionTenacity is maxmemory-eviction-tenacity.
func (c *Config) MaxmemoryEvictionTenacity() int { return int(c.n(idxMaxmemoryTenacity)) }

// MaxmemoryClients is maxmemory-clients: bytes, or a negative percentage of maxmemory.
func (c *Config) MaxmemoryClients() int64 { return c.n(idxMaxmemoryClients) }

// LFULogFactor is lfu-log-factor.
func (c *Config) LFULogFactor() int { return int(c.n(idxLFULogFactor)) }

// LFUDecayTime is lfu-decay-time.
func (c *Config) LFUDecayTime() int { return int(c.n(idxLFUDecayTime)) }

// HashMaxListpackEntries is hash-max-listpack-entries.
func (c *Config) HashMaxListpackEntries() uint64 { return uint64(c.n(idxHashEntries)) }

// HashMaxListpackValue is hash-max-listpack-value.
func (c *Config) HashMaxListpackValue() uint64 { return uint64(c.n(idxHashValue)) }

// SetMaxIntsetEntries is set-max-intset-entries.
func (c *Config) SetMaxIntsetEntries() uint64 { return uint64(c.n(idxSetIntset)) }

// ZsetMaxListpackEntries is zset-max-listpack-entries.
func (c *Config) ZsetMaxListpackEntries() uint64 { return uint64(c.n(idxZsetEntries)) }

// ZsetMaxListpackValue is zset-max-listpack-value.
func (c *Config) ZsetMaxListpackValue() uint64 { return uint64(c.n(idxZsetValue)) }

// ListMaxListpackSize is list-max-listpack-size (negative: a size class -1..-5).
func (c *Config) ListMaxListpackSize() int { return int(c.n(idxListSize)) }

// ListCompressDepth is list-compress-depth.
func (c *Config) ListCompressDepth() int { return int(c.n(idxListCompress)) }

// StreamNodeMaxBytes is stream-node-max-bytes.
func (c *Config) StreamNodeMaxBytes() uint64 { return uint64(c.n(idxStreamBytes)) }

// StreamNodeMaxEntries is stream-node-max-entries.
func (c *Config) StreamNodeMaxEntries() int64 { return c.n(idxStreamEntries) }

// HllSparseMaxBytes is hll-sparse-max-bytes.
func (c *Config) HllSparseMaxBytes() uint64 { return uint64(c.n(idxHllSparse)) }

// Hz is the configured hz, already clamped to 1..500 as Redis clamps it.
func (c *Config) Hz() int { return int(c.n(idxHz)) }

// DynamicHz is dynamic-hz.
func (c *Config) DynamicHz() bool { return c.n(idxDynamicHz) != 0 }

// Databases is databases.
func (c *Config) Databases() int { return int(c.n(idxDatabases)) }

// Port is port.
func (c *Config) Port() int { return int(c.n(idxPort)) }

// TLSPort is tls-port.
func (c *Config) TLSPort() int { return int(c.n(idxTLSPort)) }

// Bind is the bind address list (nil or empty: listen nowhere on TCP).
func (c *Config) Bind() []string { return append([]string(nil), *c.bind.Load()...) }

// Unixsocket is unixsocket ("" when unset).
func (c *Config) Unixsocket() string { return c.String("unixsocket") }

// Requirepass is requirepass; ok is false when no password is set.
func (c *Config) Requirepass() (pass string, ok bool) {
	if p := c.strp(idxRequirepass); p != nil {
		return *p, true
	}
	return "", false
}

// Masterauth is masterauth; ok is false when unset.
func (c *Config) Masterauth() (string, bool) {
	if p := c.strp(idxMasterauth); p != nil {
		return *p, true
	}
	return "", false
}

// Masteruser is masteruser; ok is false when unset.
func (c *Config) Masteruser() (string, bool) {
	if p := c.strp(idxMasteruser); p != nil {
		return *p, true
	}
	return "", false
}

// ProtectedMode is protected-mode.
func (c *Config) ProtectedMode() bool { return c.n(idxProtectedMode) != 0 }

// EnableProtectedConfigs, EnableDebugCommand and EnableModuleCommand are Protected*.
func (c *Config) EnableProtectedConfigs() int { return int(c.n(idxEnableProtectedConfigs)) }

// EnableDebugCommand is enable-debug-command (Protected*).
func (c *Config) EnableDebugCommand() int { return int(c.n(idxEnableDebug)) }

// EnableModuleCommand is enable-module-command (Protected*).
func (c *Config) EnableModuleCommand() int { return int(c.n(idxEnableModule)) }

// Timeout is the client idle timeout in seconds (0: none).
func (c *Config) Timeout() int { return int(c.n(idxTimeout)) }

// TCPKeepalive is tcp-keepalive in seconds.
func (c *Config) TCPKeepalive() int { return int(c.n(idxTCPKeepalive)) }

// ProtoMaxBulkLen is proto-max-bulk-len.
func (c *Config) ProtoMaxBulkLen() int64 { return c.n(idxProtoMaxBulk) }

// ClientQueryBufferLimit is client-query-buffer-limit.
func (c *Config) ClientQueryBufferLimit() uint64 { return uint64(c.n(idxQueryBufLimit)) }

// Maxclients is maxclients.
func (c *Config) Maxclients() uint32 { return uint32(c.n(idxMaxclients)) }

// ClientOutputBufferLimits returns the limits of the normal, replica and pubsub classes.
func (c *Config) ClientOutputBufferLimits() [3]ClientBufferLimit { return *c.cobl.Load() }

// Appendonly is appendonly.
func (c *Config) Appendonly() bool { return c.n(idxAppendonly) != 0 }

// Appendfsync is one of the Fsync* constants.
func (c *Config) Appendfsync() int { return int(c.n(idxAppendfsync)) }

// AofUseRdbPreamble is aof-use-rdb-preamble.
func (c *Config) AofUseRdbPreamble() bool { return c.n(idxAofPreamble) != 0 }

// AutoAofRewritePercentage is auto-aof-rewrite-percentage.
func (c *Config) AutoAofRewritePercentage() int { return int(c.n(idxAutoAofPerc)) }

// AutoAofRewriteMinSize is auto-aof-rewrite-min-size.
func (c *Config) AutoAofRewriteMinSize() int64 { return c.n(idxAutoAofMinSize) }

// Dir is the working directory (an absolute path).
func (c *Config) Dir() string { return *c.dir.Load() }

// Dbfilename is dbfilename.
func (c *Config) Dbfilename() string { return c.String("dbfilename") }

// Appendfilename is appendfilename.
func (c *Config) Appendfilename() string { return c.String("appendfilename") }

// Appenddirname is appenddirname.
func (c *Config) Appenddirname() string { return c.String("appenddirname") }

// Logfile is logfile ("" is standard output).
func (c *Config) Logfile() string { return c.String("logfile") }

// Loglevel is one of the Log* constants.
func (c *Config) Loglevel() int { return int(c.n(idxLoglevel)) }

// Aclfile is aclfile.
func (c *Config) Aclfile() string { return c.String("aclfile") }

// SaveParams returns the save points.
func (c *Config) SaveParams() []SaveParam { return append([]SaveParam(nil), *c.save.Load()...) }

// StopWritesOnBgsaveError is stop-writes-on-bgsave-error.
func (c *Config) StopWritesOnBgsaveError() bool { return c.n(idxStopWritesOnBgsaveErr) != 0 }

// RdbCompression is rdbcompression.
func (c *Config) RdbCompression() bool { return c.n(idxRdbCompression) != 0 }

// RdbChecksum is rdbchecksum.
func (c *Config) RdbChecksum() bool { return c.n(idxRdbChecksum) != 0 }

// SanitizeDumpPayload is sanitize-dump-payload (0 no, 1 yes, 2 clients).
func (c *Config) SanitizeDumpPayload() int { return int(c.n(idxSanitize)) }

// NotifyKeyspaceEvents is the Notify* flag set.
func (c *Config) NotifyKeyspaceEvents() int { return int(c.n(idxNotify)) }

// ActiveExpireEffort is active-expire-effort.
func (c *Config) ActiveExpireEffort() int { return int(c.n(idxActiveExpireEffort)) }

// ActiveRehashing is activerehashing.
func (c *Config) ActiveRehashing() bool { return c.n(idxActiveRehashing) != 0 }

// LazyfreeLazyEviction is lazyfree-lazy-eviction.
func (c *Config) LazyfreeLazyEviction() bool { return c.n(idxLazyEviction) != 0 }

// LazyfreeLazyExpire is lazyfree-lazy-expire.
func (c *Config) LazyfreeLazyExpire() bool { return c.n(idxLazyExpire) != 0 }

// LazyfreeLazyServerDel is lazyfree-lazy-server-del.
func (c *Config) LazyfreeLazyServerDel() bool { return c.n(idxLazyServerDel) != 0 }

// LazyfreeLazyUserDel is lazyfree-lazy-user-del.
func (c *Config) LazyfreeLazyUserDel() bool { return c.n(idxLazyUserDel) != 0 }

// LazyfreeLazyUserFlush is lazyfree-lazy-user-flush.
func (c *Config) LazyfreeLazyUserFlush() bool { return c.n(idxLazyUserFlush) != 0 }

// ReplicaOf returns the master this server replicates, or nil.
func (c *Config) ReplicaOf() *ReplicaOf {
	if r := c.replicaof.Load(); r != nil {
		cp := *r
		return &cp
	}
	return nil
}

// SetReplicaOf changes replicaof as the REPLICAOF command does (immutable to CONFIG
// SET); nil makes the server a master.
func (c *Config) SetReplicaOf(r *ReplicaOf) {
	if r != nil {
		cp := *r
		r = &cp
	}
	c.replicaof.Store(r)
}

// ReplicaReadOnly is replica-read-only.
func (c *Config) ReplicaReadOnly() bool { return c.n(idxReplicaReadOnly) != 0 }

// ReplicaIgnoreMaxmemory is replica-ignore-maxmemory.
func (c *Config) ReplicaIgnoreMaxmemory() bool { return c.n(idxReplicaIgnoreMaxmem) != 0 }

// ReplBacklogSize is repl-backlog-size.
func (c *Config) ReplBacklogSize() int64 { return c.n(idxReplBacklogSize) }

// ReplBacklogTTL is repl-backlog-ttl in seconds.
func (c *Config) ReplBacklogTTL() int64 { return c.n(idxReplBacklogTTL) }

// SlowlogLogSlowerThan is slowlog-log-slower-than in microseconds (-1 disables).
func (c *Config) SlowlogLogSlowerThan() int64 { return c.n(idxSlowlogSlower) }

// SlowlogMaxLen is slowlog-max-len.
func (c *Config) SlowlogMaxLen() uint64 { return uint64(c.n(idxSlowlogMaxLen)) }

// LatencyMonitorThreshold is latency-monitor-threshold in milliseconds.
func (c *Config) LatencyMonitorThreshold() int64 { return c.n(idxLatencyThreshold) }

// LatencyTracking is latency-tracking.
func (c *Config) LatencyTracking() bool { return c.n(idxLatencyTracking) != 0 }

// LatencyTrackingInfoPercentiles is latency-tracking-info-percentiles.
func (c *Config) LatencyTrackingInfoPercentiles() []float64 {
	return append([]float64(nil), *c.pct.Load()...)
}

// BusyReplyThreshold is busy-reply-threshold (lua-time-limit) in milliseconds.
func (c *Config) BusyReplyThreshold() int64 { return c.n(idxBusyReply) }

// TrackingTableMaxKeys is tracking-table-max-keys.
func (c *Config) TrackingTableMaxKeys() uint64 { return uint64(c.n(idxTrackingMaxKeys)) }

// AclPubsubDefaultAllChannels reports acl-pubsub-default allchannels.
func (c *Config) AclPubsubDefaultAllChannels() bool { return c.n(idxAclPubsub) != 0 }

// ClusterEnabled is cluster-enabled.
func (c *Config) ClusterEnabled() bool { return c.n(idxClusterEnabled) != 0 }

// CrashLogEnabled is crash-log-enabled.
func (c *Config) CrashLogEnabled() bool { return c.n(idxCrashLog) != 0 }

// OOMScoreAdjValues is oom-score-adj-values.
func (c *Config) OOMScoreAdjValues() [3]int { return *c.oom.Load() }
