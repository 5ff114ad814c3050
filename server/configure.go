package server

import (
	"errors"
	"fmt"
	"github.com/redisctl/redisctl/engine/thll"
	"io"

	"github.com/redisctl/redisctl/engine/config"
)

// LoadConfig builds the configuration from redis-server style arguments: an optional
// configuration file path first, then "--directive value ..." pairs (and "-" to read the
// configuration from stdin), exactly as redis-server's command line. The returned error is
// a *config.FileError (with Report() giving Redis's fatal report) or an *config.OpenError.
func LoadConfig(args []string, stdin io.Reader) (*config.Config, error) {
	cfg := config.New()
	a := config.ParseArgs(args)
	var in io.Reader
	if a.FromStdin {
		in = stdin
	}
	if err := cfg.LoadServer(a.ConfigFile, in, a.Options); err != nil {
		return nil, err
	}
	return cfg, nil
}

// settingsDirectives are the directives copied into engine.Settings.
var settingsDirectives = []string{
	"hash-max-listpack-entries", "hash-max-listpack-value", "set-max-intset-entries",
	"zset-max-listpack-entries", "zset-max-listpack-value", "list-max-listpack-size",
	"list-compress-depth", "stream-node-max-bytes", "stream-node-max-entries", "hz",
	"active-expire-effort", "lazyfree-lazy-expire", "lazyfree-lazy-eviction",
	"lazyfree-lazy-user-del", "lazyfree-lazy-user-flush", "maxmemory-policy", "maxmemory",
	"maxmemory-samples", "lfu-log-factor", "lfu-decay-time", "notify-keyspace-events",
	"sanitize-dump-payload", "hll-sparse-max-bytes", "maxmemory-eviction-tenacity",
}

// applySettingsLocked copies the configuration into the engine's settings. Lock held.
func (s *Server) applySettingsLocked() {
	c := s.cfg
	set := &s.eng.Set
	set.HashMaxListpackEntries = int(c.HashMaxListpackEntries())
	set.HashMaxListpackValue = int(c.HashMaxListpackValue())
	set.SetMaxIntsetEntries = int(c.SetMaxIntsetEntries())
	set.ZSetMaxListpackEntries = int(c.ZsetMaxListpackEntries())
	set.ZSetMaxListpackValue = int(c.ZsetMaxListpackValue())
	set.ListMaxListpackSize = c.ListMaxListpackSize()
	set.ListCompressDepth = c.ListCompressDepth()
	set.StreamNodeMaxBytes = int(c.StreamNodeMaxBytes())
	set.StreamNodeMaxEntries = int(c.StreamNodeMaxEntries())
	set.Hz = c.Hz()
	if s.hz == 0 {
		s.hz = set.Hz
	}
	set.ActiveExpireEffort = c.ActiveExpireEffort()
	set.LazyfreeLazyExpire = c.LazyfreeLazyExpire()
	set.LazyfreeLazyEvict = c.LazyfreeLazyEviction()
	set.LazyfreeUserDel = c.LazyfreeLazyUserDel()
	set.LazyfreeUserFlush = c.LazyfreeLazyUserFlush()
	set.MaxmemoryPolicy, _ = c.Value("maxmemory-policy")
	set.Maxmemory = int64(c.Maxmemory())
	set.MaxmemorySamples = c.MaxmemorySamples()
	set.LFULogFactor = c.LFULogFactor()
	set.LFUDecayTime = c.LFUDecayTime()
	s.eng.SetEvictionTenacity(c.MaxmemoryEvictionTenacity())
	set.NotifyKeyspaceEvent = c.NotifyKeyspaceEvents()
	set.ProtoMaxBulkLen = c.ProtoMaxBulkLen()
	set.SanitizeDumpPayload, _ = c.Value("sanitize-dump-payload")
	thll.SetSparseMaxBytes(int64(c.HllSparseMaxBytes()))
}

// registerAppliers installs the CONFIG SET callbacks. They run inside CONFIG SET, which
// runs under the engine lock, so they never take it.
func (s *Server) registerAppliers() error {
	c := s.cfg
	errs := []error{
		c.OnApply(func() error { s.applySettingsLocked(); return nil }, settingsDirectives...),
		c.OnApply(func() error { s.cfgGen.Add(1); s.eng.Set.ProtoMaxBulkLen = c.ProtoMaxBulkLen(); return nil },
			"proto-max-bulk-len", "client-query-buffer-limit"),
		c.OnApply(func() error { s.log.SetLevel(c.Loglevel()); return nil }, "loglevel"),
		c.OnApply(s.applyPort, "port"),
		c.OnApply(s.applyBind, "bind"),
		c.OnApply(func() error { s.slowlog.trim(int(c.SlowlogMaxLen())); return nil }, "slowlog-max-len"),
	}
	return errors.Join(errs...)
}

// applyPort re-binds the TCP listeners to the new port (changeListenPort).
func (s *Server) applyPort() error {
	return s.rebind(s.cfg.Port(), s.cfg.Bind(), errors.New("Unable to listen on this port. Check server logs."))
}

// applyBind re-binds the TCP listeners to the new addresses (changeBindAddr).
func (s *Server) applyBind() error {
	return s.rebind(s.cfg.Port(), s.cfg.Bind(), errors.New("Failed to bind to specified addresses."))
}

func (s *Server) rebind(port int, binds []string, failure error) error {
	lns, err := s.openTCP(port, binds)
	if err != nil {
		return failure
	}
	s.lnMu.Lock()
	old := s.tcp
	s.tcp = lns
	if len(lns) > 0 {
		s.tcpPort = port
	}
	if s.serving {
		for _, ln := range lns {
			s.startAccept(ln, false)
		}
	}
	s.lnMu.Unlock()
	for _, ln := range old {
		ln.Close()
	}
	return nil
}

// String renders a configuration error as redis-server prints it before exiting.
func ConfigErrorReport(err error) string {
	var fe *config.FileError
	if errors.As(err, &fe) {
		return fe.Report()
	}
	return fmt.Sprintf("%v\n", err)
}
