package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/cmdspec"
	"github.com/redisctl/redisctl/engine/config"
)

// Version is the Redis version the server reports (INFO, HELLO, logs).
const Version = "7.0.15"

// Options configure New. Only Config is required.
type Options struct {
	// Config holds every directive (loaded by LoadConfig or built with config.New).
	Config *config.Config
	// Table is the command table; nil means NewTable(). Persistence commands are added to
	// it when the Persistence provides them (see CommandProvider).
	Table *engine.Table
	// Persistence saves and loads the dataset; nil means none (nothing is saved).
	Persistence Persistence
	// Log receives the log lines; nil means the logfile directive (stderr when empty).
	Log io.Writer
	// MetricsAddr, when not empty, serves Prometheus metrics at http://MetricsAddr/metrics.
	MetricsAddr string
}

// Server is one running Redis-compatible server. Create it with New, call Listen, then
// Serve (which blocks until shutdown).
type Server struct {
	cfg     *config.Config
	eng     *engine.Engine
	specs   *cmdspec.Table
	log     *Logger
	logFile *os.File
	persist Persistence
	metrics *metrics

	startTime time.Time
	runID     string
	replID    string
	replID2   string

	// Listeners: changed only under the engine lock (CONFIG SET port/bind) or before Serve.
	lnMu      sync.Mutex
	tcp       []net.Listener
	unix      net.Listener
	tcpPort   int
	serving   bool
	acceptWG  sync.WaitGroup
	connWG    sync.WaitGroup
	ev        *evLoop // nil: every connection has its own goroutine
	numConns  atomic.Int64
	closeOnce sync.Once
	quit      chan struct{} // closed when the server stops
	done      chan struct{} // closed when Serve has returned its resources

	// Under the engine lock.
	conns      []*conn // every connected client, for the cron and CLIENT commands
	cronCursor int
	exiting    bool
	stats      serverStats
	hz         int
	monitors   []*conn
	slowlog    slowlog
	latency    latencyMonitor
	pause      pauseState
	hists      map[*engine.Command]*latencyHist
	protoErrs  int64 // protocol errors replied (counted with the engine's error stats)
	cfgGen     atomic.Int64
	clockMs    atomic.Int64 // unix ms, refreshed by the cron: for lastinteraction
	usedMem    atomic.Int64 // used_memory as of the cron's last tick (UsedMemory)
	// cachedNow is the engine's notion of "now" (Redis's cached mstime), refreshed at the
	// start of every batch, every clockEvery commands within one, after any slow command,
	// and by the cron: reading the clock per command was a fifth of the server's CPU at
	// -P 16. Under the engine lock.
	cachedNow time.Time

	shutdownErr error

	memLimitFor  int64 // maxmemory the Go memory limit was set for (memory.go)
	memLimitOrig int64 // the memory limit the process started with
	memLimitSet  int64 // the Go memory limit last set

	// DEBUG state (under the lock).
	quicklistPackedThreshold int64
	cronPaused               bool

	// Client-side caching (tracking.go), under the lock.
	trk tracking
}

// serverStats are the counters INFO stats reports beside the engine's (under the lock).
type serverStats struct {
	connsReceived    int64
	rejectedConns    int64
	netInput         int64
	netOutput        int64
	readsProcessed   int64
	writesProcessed  int64
	maxInputBuffer   int64
	maxOutputBuffer  int64
	evictedClients   int64
	instOps          instMetric
	instIn           instMetric
	instOut          instMetric
	lastSampleMs     int64
	expiredStalePerc float64
}

// New builds a server: the engine with the configured settings, the command table, the
// logger. It opens no socket (see Listen).
func New(opts Options) (*Server, error) {
	cfg := opts.Config
	if cfg == nil {
		cfg = config.New()
	}
	s := &Server{cfg: cfg, persist: opts.Persistence, startTime: time.Now(),
		runID: randomHex(40), replID: randomHex(40), replID2: strings.Repeat("0", 40),
		quit: make(chan struct{}), done: make(chan struct{}), hists: map[*engine.Command]*latencyHist{}}
	s.clockMs.Store(time.Now().UnixMilli())
	if s.persist == nil {
		s.persist = noPersistence{start: time.Now().Unix()}
	}
	table := opts.Table
	if table == nil {
		var extra [][]*engine.Command
		if cp, ok := s.persist.(CommandProvider); ok {
			extra = append(extra, cp.Commands())
		}
		table = NewTable(extra...)
	}
	s.specs = specTable(table)
	set := engine.DefaultSettings()
	set.Databases = cfg.Databases()
	s.eng = engine.New(set, table)
	s.eng.Lock()
	s.applySettingsLocked()
	s.cachedNow = time.Now()
	s.eng.SetClock(s.clock)
	s.eng.Unlock()
	registerServer(s)

	if opts.Log != nil {
		s.log = NewLogger(opts.Log, cfg.Loglevel())
	} else if lf := cfg.Logfile(); lf != "" {
		f, err := os.OpenFile(lf, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			return nil, fmt.Errorf("server: can't open the log file %s: %w", lf, err)
		}
		s.logFile = f
		s.log = NewLogger(f, cfg.Loglevel())
	} else {
		s.log = NewLogger(os.Stderr, cfg.Loglevel())
	}
	s.eng.SetCallHook(s.callHook)
	s.eng.SetBlockHooks(s.onBlockKeys, s.onUnblockKeys)
	s.eng.SetUnblockStatsHook(s.unblockStatsHook)
	s.eng.CheckHook = s.checkHook
	s.eng.SetEvictionGuard(s.evictionSafe)
	s.eng.SetProcessMemory(processMemory)
	s.eng.KeyModifiedHook = s.trackingKeyModified
	s.installScriptingLocked()
	s.slowlog.init()
	s.latency.init()
	if err := s.registerAppliers(); err != nil {
		return nil, err
	}
	if opts.MetricsAddr != "" {
		s.metrics = newMetrics(s, opts.MetricsAddr)
	}
	s.ev = newEvLoop(s) // runs from Serve
	return s, nil
}

// servers maps an engine to its server, so command handlers (which get only the engine
// and the client) can reach the server even for clients without a connection.
var servers sync.Map

func registerServer(s *Server) { servers.Store(s.eng, s) }

func serverOf(x *engine.Ctx) *Server {
	v, _ := servers.Load(x.E)
	return v.(*Server)
}

// Engine returns the server's engine (take its lock to use it).
func (s *Server) Engine() *engine.Engine { return s.eng }

// Config returns the server's configuration.
func (s *Server) Config() *config.Config { return s.cfg }

// Logger returns the server's logger.
func (s *Server) Logger() *Logger { return s.log }

// Done is closed once the server has shut down.
func (s *Server) Done() <-chan struct{} { return s.done }

// Addr returns the first TCP listener's address (nil when not listening on TCP).
func (s *Server) Addr() net.Addr {
	s.lnMu.Lock()
	defer s.lnMu.Unlock()
	if len(s.tcp) == 0 {
		return nil
	}
	return s.tcp[0].Addr()
}

// UnixAddr returns the unix socket's address, or nil.
func (s *Server) UnixAddr() net.Addr {
	s.lnMu.Lock()
	defer s.lnMu.Unlock()
	if s.unix == nil {
		return nil
	}
	return s.unix.Addr()
}

func randomHex(n int) string {
	b := make([]byte, (n+1)/2)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)[:n]
}

// logStartup writes Redis's first log lines.
func (s *Server) logStartup() {
	s.log.Logf(LevelWarning, "oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo")
	s.log.Logf(LevelWarning, "Redis version=%s, bits=64, commit=00000000, modified=0, pid=%d, just started", Version, os.Getpid())
	if s.cfg.ConfigFile() == "" {
		s.log.Logf(LevelWarning, "Warning: no config file specified, using the default config. In order to specify a config file use %s /path/to/redis.conf", "redisctl serve")
	} else {
		s.log.Logf(LevelWarning, "Configuration loaded")
	}
}

// Listen loads the dataset (through the Persistence) and opens the listeners: TCP on every
// bind address (a leading '-' makes an address optional, as in Redis) unless port is 0, and
// the unix socket when configured.
func (s *Server) Listen() error {
	s.logStartup()
	s.log.SetRole('M')
	s.log.Logf(LevelNotice, "monotonic clock: POSIX clock_gettime")
	if err := s.listenTCP(s.cfg.Port(), s.cfg.Bind()); err != nil {
		return err
	}
	if path := s.cfg.Unixsocket(); path != "" {
		_ = os.Remove(path)
		ln, err := net.Listen("unix", path)
		if err != nil {
			s.log.Logf(LevelWarning, "Failed opening Unix socket: %s", err)
			return fmt.Errorf("server: unix socket %s: %w", path, err)
		}
		if perm := s.cfg.Int("unixsocketperm"); perm != 0 {
			_ = os.Chmod(path, os.FileMode(perm))
		}
		s.unix = ln
	}
	if len(s.tcp) == 0 && s.unix == nil {
		s.log.Logf(LevelWarning, "Configured to not listen anywhere, exiting.")
		return errors.New("server: configured to not listen anywhere")
	}
	if s.metrics != nil {
		if err := s.metrics.listen(); err != nil {
			s.closeListeners()
			return err
		}
	}
	s.log.Logf(LevelNotice, "Running mode=standalone, port=%d.", s.cfg.Port())
	s.log.Logf(LevelWarning, "Server initialized")
	if err := s.persist.Load(s.eng, s.log); err != nil {
		s.closeListeners()
		return fmt.Errorf("server: loading the dataset: %w", err)
	}
	if pf := s.cfg.String("pidfile"); pf != "" {
		_ = os.WriteFile(pf, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644)
	}
	return nil
}

// bindSpec turns a bind address into a network and an address to listen on.
func bindSpec(addr string, port int) (network, hostport string, optional bool) {
	if strings.HasPrefix(addr, "-") {
		optional = true
		addr = addr[1:]
	}
	switch addr {
	case "*":
		return "tcp4", net.JoinHostPort("0.0.0.0", strconv.Itoa(port)), optional
	case "::*":
		return "tcp6", net.JoinHostPort("::", strconv.Itoa(port)), optional
	}
	if strings.Contains(addr, ":") {
		return "tcp6", net.JoinHostPort(addr, strconv.Itoa(port)), optional
	}
	return "tcp4", net.JoinHostPort(addr, strconv.Itoa(port)), optional
}

// openTCP opens one listener per bind address; on failure it closes what it opened.
func (s *Server) openTCP(port int, binds []string) ([]net.Listener, error) {
	if port == 0 {
		return nil, nil
	}
	lc := net.ListenConfig{KeepAlive: -1}
	var out []net.Listener
	var split []string
	for _, b := range binds {
		// A single command-line value may hold several addresses ("--bind 'a b'").
		split = append(split, strings.Fields(b)...)
	}
	for _, b := range split {
		network, hp, optional := bindSpec(b, port)
		ln, err := lc.Listen(context.Background(), network, hp)
		if err != nil {
			if optional && (errors.Is(err, syscall.EADDRNOTAVAIL) || errors.Is(err, syscall.EAFNOSUPPORT) ||
				errors.Is(err, syscall.EPROTONOSUPPORT) || errors.Is(err, syscall.ESOCKTNOSUPPORT) ||
				errors.Is(err, syscall.EINVAL)) {
				continue
			}
			s.log.Logf(LevelWarning, "Warning: Could not create server TCP listening socket %s:%d: %s",
				strings.TrimPrefix(b, "-"), port, sysErrText(err))
			for _, l := range out {
				l.Close()
			}
			return nil, fmt.Errorf("server: listening on %s: %w", hp, err)
		}
		out = append(out, ln)
	}
	return out, nil
}

func (s *Server) listenTCP(port int, binds []string) error {
	lns, err := s.openTCP(port, binds)
	if err != nil {
		s.log.Logf(LevelWarning, "Failed listening on port %d (TCP), aborting.", port)
		return err
	}
	s.lnMu.Lock()
	s.tcp = lns
	if len(lns) > 0 {
		s.tcpPort = lns[0].Addr().(*net.TCPAddr).Port
	}
	s.lnMu.Unlock()
	return nil
}

// sysErrText is the strerror text of a socket error.
func sysErrText(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return config.Strerror(errno)
	}
	return err.Error()
}

// Serve accepts clients and runs the cron until the server shuts down (SHUTDOWN, a signal
// through Shutdown, or Close). It returns nil after a clean shutdown.
func (s *Server) Serve() error {
	s.lnMu.Lock()
	s.serving = true
	evDone := make(chan struct{})
	if s.ev != nil {
		go func() {
			defer close(evDone)
			s.ev.run()
		}()
	} else {
		close(evDone)
	}
	for _, ln := range s.tcp {
		s.startAccept(ln, false)
	}
	hasUnix := s.unix != nil
	if hasUnix {
		s.startAccept(s.unix, true)
	}
	s.lnMu.Unlock()
	if s.metrics != nil {
		s.metrics.serve()
	}
	if hasUnix {
		s.log.Logf(LevelNotice, "The server is now ready to accept connections at %s", s.cfg.Unixsocket())
	}
	s.log.Logf(LevelNotice, "Ready to accept connections")
	go s.cron()
	<-s.quit
	s.acceptWG.Wait()
	s.connWG.Wait()
	if s.ev != nil {
		s.ev.stop()
	}
	<-evDone
	if s.metrics != nil {
		s.metrics.stop()
	}
	if s.logFile != nil {
		s.logFile.Close()
	}
	close(s.done)
	return s.shutdownErr
}

// startAccept hands ln to the event loop, which accepts its clients (evaccept.go), or
// else runs an accept loop for it. lnMu held.
func (s *Server) startAccept(ln net.Listener, unix bool) {
	if s.ev != nil && s.ev.listen(ln, unix) {
		return
	}
	s.acceptWG.Add(1)
	go func() {
		defer s.acceptWG.Done()
		s.acceptLoop(ln, unix)
	}()
}

func (s *Server) acceptLoop(ln net.Listener, unix bool) {
	var backoff time.Duration
	for {
		nc, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			select {
			case <-s.quit:
				return
			default:
			}
			s.log.Logf(LevelWarning, "Error accepting a client connection: %s", err)
			if backoff == 0 {
				backoff = 5 * time.Millisecond
			} else if backoff < time.Second {
				backoff *= 2
			}
			time.Sleep(backoff)
			continue
		}
		backoff = 0
		s.connWG.Add(1)
		go s.handle(nc, unix)
	}
}

const protectedModeError = "-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n"

// isLocal reports whether a connection comes from the loopback interface or a unix socket.
func isLocal(nc net.Conn, unix bool) bool {
	if unix {
		return true
	}
	if a, ok := nc.RemoteAddr().(*net.TCPAddr); ok {
		return a.IP.IsLoopback()
	}
	return false
}

// handle runs one client connection (acceptCommonHandler, then the connection loop).
// connWG counts it already.
func (s *Server) handle(nc net.Conn, unix bool) {
	cn, _ := s.admit(nc, unix, false)
	if cn == nil {
		s.connWG.Done()
		return
	}
	if s.ev != nil && s.ev.add(cn) {
		return // the event loop's connections are done when they close
	}
	s.serveConn(cn)
}

// serveConn runs cn's connection loop on the calling goroutine to its end.
func (s *Server) serveConn(cn *conn) {
	defer s.connWG.Done()
	cn.serve()
	s.numConns.Add(-1)
}

// admit is acceptCommonHandler: it sets the socket up, refuses the client past maxclients
// or in protected mode (the reply written, nc closed), and registers it. nil: refused.
// False: loop was set and a script runs, nothing done (newConn); handle then registers
// the client on a goroutine of its own.
func (s *Server) admit(nc net.Conn, unix, loop bool) (*conn, bool) {
	local := isLocal(nc, unix)
	if tc, ok := nc.(*net.TCPConn); ok {
		if ka := s.cfg.TCPKeepalive(); ka > 0 {
			if rc, err := tc.SyscallConn(); err == nil {
				_ = rc.Control(func(fd uintptr) { setKeepAlive(int(fd), ka) })
			}
		}
	}
	if msg := s.refuse(local); msg != "" {
		_, _ = io.WriteString(nc, msg)
		nc.Close()
		return nil, true
	}
	cn, ok := s.newConn(nc, unix, local, loop)
	if cn == nil {
		s.numConns.Add(-1)
	}
	return cn, ok
}

// refuse counts a new client in numConns, or refuses it past maxclients, or from another
// host in protected mode without a password: it returns the reply to write before
// closing it ("": admitted).
func (s *Server) refuse(local bool) string {
	if n := s.numConns.Add(1); n > int64(s.cfg.Maxclients()) {
		s.numConns.Add(-1)
		// Counted before the reply: a client that sees the refusal and asks INFO at once
		// finds it counted.
		s.eng.Lock()
		s.stats.rejectedConns++
		s.eng.Unlock()
		return "-ERR max number of clients reached\r\n"
	}
	if !local && s.cfg.ProtectedMode() {
		if _, ok := s.cfg.Requirepass(); !ok {
			s.numConns.Add(-1)
			s.eng.Lock()
			s.stats.rejectedConns++
			s.eng.Unlock()
			return protectedModeError
		}
	}
	return ""
}

// Shutdown stops the server as SIGTERM does in Redis: the shutdown hooks run (a final save
// when save points are configured, unless mode says otherwise), then every client is
// disconnected and Serve returns. It waits for Serve to finish or ctx to end.
func (s *Server) Shutdown(ctx context.Context, mode ShutdownMode) error {
	s.eng.Lock()
	s.cachedNow = time.Now()
	err := s.prepareForShutdownLocked(mode, false)
	s.eng.Unlock()
	if err != nil {
		return err
	}
	select {
	case <-s.done:
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}

// Close stops the server without saving and waits for Serve to return (if it runs).
func (s *Server) Close() error {
	s.eng.Lock()
	if !s.exiting {
		s.exiting = true
		s.stopLocked()
	}
	serving := s.serving
	s.eng.Unlock()
	if serving {
		<-s.done
	} else {
		s.closeListeners()
		if s.ev != nil {
			s.ev.stop()
		}
	}
	return nil
}

func (s *Server) closeListeners() {
	s.lnMu.Lock()
	for _, ln := range s.tcp {
		ln.Close()
	}
	s.tcp = nil
	if s.unix != nil {
		s.unix.Close()
		s.unix = nil
		if p := s.cfg.Unixsocket(); p != "" {
			_ = os.Remove(p)
		}
	}
	s.lnMu.Unlock()
}

// stopLocked closes the listeners and every client and ends Serve. Engine lock held.
func (s *Server) stopLocked() {
	s.closeOnce.Do(func() {
		s.closeListeners()
		for _, cn := range s.conns {
			cn.closeASAPLocked()
		}
		close(s.quit)
	})
}

// prepareForShutdownLocked is Redis's prepareForShutdown + finishShutdown: the final
// save, the pid file, then the stop. With force, a failed save does not prevent the exit.
func (s *Server) prepareForShutdownLocked(mode ShutdownMode, force bool) error {
	if s.exiting {
		return nil
	}
	s.log.Logf(LevelWarning, "User requested shutdown...")
	if err := s.persist.Shutdown(s.eng, mode, s.log); err != nil {
		if !force {
			s.log.Logf(LevelWarning, "Error trying to save the DB, can't exit.")
			return err
		}
		s.log.Logf(LevelWarning, "Error trying to save the DB. Exit anyway.")
	}
	if pf := s.cfg.String("pidfile"); pf != "" {
		s.log.Logf(LevelNotice, "Removing the pid file.")
		_ = os.Remove(pf)
	}
	s.log.Logf(LevelWarning, "Redis is now ready to exit, bye bye...")
	s.exiting = true
	s.stopLocked()
	return nil
}

// clock is the engine's time source (see cachedNow). Lock held.
func (s *Server) clock() time.Time { return s.cachedNow }

// clockEvery is how many commands of one batch share a clock reading.
const clockEvery = 32
