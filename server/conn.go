package server

import (
	"errors"
	"io"
	"net"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/resp"
)

// readBufSize is the initial read buffer of a connection. It is small so that many idle
// connections cost little; the reader grows it when one request does not fit.
const readBufSize = 4096

// conn is one client connection: the socket, the request reader, the engine's client and
// its two reply writers (see the package comment for how they are swapped).
type conn struct {
	srv  *Server
	sock clientSock
	rd   *resp.Reader
	cl   *engine.Client
	w    [2]resp.Writer
	cur  int
	null resp.Writer // replies of CLIENT REPLY OFF/SKIP go here and are dropped
	args [][]byte
	peek []resp.Peeked // the leading arguments of a pipeline's commands, for prefetch

	id      int64
	addr    string // peer "ip:port", or "<unixsocket>:0"
	laddr   string
	fd      int
	unix    bool
	local   bool
	created time.Time
	lastIO  atomic.Int64 // unix ms of the last read or write (Redis's lastinteraction)
	inBytes int64        // bytes read since the last batch (connection goroutine only)
	cfgGen  int64        // configuration generation the reader limits were set from

	wmu      sync.Mutex
	inflight atomic.Int64 // bytes being written by a flush right now
	outBytes atomic.Int64 // written since last folded into the server's totals
	writes   atomic.Int64

	// Under the engine lock.
	closeASAP  bool // CLIENT KILL, output buffer limit, shutdown: close without more replies
	freed      bool
	kick       chan struct{}
	flusher    bool
	monitor    bool
	softSince  int64 // unix ms the soft output limit was first exceeded, 0 when under it
	curArgs    [][]byte
	qbuf       int // query buffer figures as of the last batch, for others to read
	qbufCap    int
	blocked    *blockState
	replyToRaw *resp.Writer // the real writer while a REPLY OFF/SKIP command runs
	pending    [][]byte     // a command its loop runs first: read before registration (busy.go), or one that leaves the event loop

	// Served by the event loop (evloop.go), and the loop's round it last had a turn in.
	// Set by the accept goroutine before the loop sees the connection; afterwards the
	// loop's, until the connection leaves it.
	looped bool
	evGen  uint64
}

// blockState is a client waiting inside a command (WAIT) or before one (CLIENT PAUSE).
type blockState struct {
	deadline time.Time // zero: no timeout
	onWake   func(cn *conn)
	ch       chan struct{} // closed by release
	released bool          // under the engine lock
	resume   [][]byte      // a paused command to run once released
}

// release wakes the blocked connection. Lock held.
func (b *blockState) release() {
	if !b.released {
		b.released = true
		close(b.ch)
	}
}

// countingReader counts the bytes read from the socket.
type countingReader struct{ cn *conn }

func (r countingReader) Read(p []byte) (int, error) {
	n, err := r.cn.sock.Read(p)
	r.cn.inBytes += int64(n)
	return n, err
}

// connWriter writes replies to the socket and counts them.
type connWriter struct{ cn *conn }

func (w connWriter) Write(p []byte) (int, error) {
	cn := w.cn
	cn.inflight.Store(int64(len(p)))
	n, err := cn.sock.Write(p)
	cn.inflight.Store(0)
	cn.outBytes.Add(int64(n))
	cn.writes.Add(1)
	cn.touch()
	return n, err
}

// touch records I/O now (lastIO), storing only when the millisecond changed: an atomic
// store per request costs more than the load that usually finds it equal.
func (cn *conn) touch() {
	if now := cn.srv.clockMs.Load(); cn.lastIO.Load() != now {
		cn.lastIO.Store(now)
	}
}

// newConn registers a client (createClient). nil: the server is exiting (the socket
// closed). False: loop was set and a script runs (lockForRegister); nothing is
// registered, the socket left open.
func (s *Server) newConn(nc net.Conn, unix, local, loop bool) (*conn, bool) {
	sock, fd := newClientSock(nc)
	var addr, laddr string
	if !unix {
		addr, laddr = nc.RemoteAddr().String(), nc.LocalAddr().String()
	}
	return s.newConnSock(sock, fd, addr, laddr, unix, local, loop)
}

// newConnSock is newConn for a socket already made: a net.Conn's, or a descriptor the
// event loop accepted (a rawSock). addr and laddr are ip:port (unused for unix).
func (s *Server) newConnSock(sock clientSock, fd int, addr, laddr string, unix, local, loop bool) (*conn, bool) {
	cn := &conn{srv: s, unix: unix, local: local, created: time.Now(), fd: -1}
	cn.lastIO.Store(cn.created.UnixMilli())
	if unix {
		cn.addr = s.cfg.Unixsocket() + ":0"
		cn.laddr = cn.addr
	} else {
		cn.addr, cn.laddr = addr, laddr
	}
	cn.sock, cn.fd = sock, fd
	cn.rd = resp.NewReader(countingReader{cn}, resp.WithBufferSize(readBufSize))
	out := connWriter{cn}
	cn.w[0].Reset(out)
	cn.w[1].Reset(out)
	cn.null.Reset(io.Discard)
	_, needAuth := s.cfg.Requirepass()

	e := s.eng
	pending, ok := cn.lockForRegister(loop)
	if !ok {
		return nil, false
	}
	cn.pending = pending
	if s.exiting {
		e.Unlock()
		cn.sock.Close()
		return nil, true
	}
	c := e.NewClient(&cn.w[0])
	c.Conn = cn
	c.Wake = cn.wake
	c.Authenticated = !needAuth
	c.User = "default"
	cn.cl = c
	cn.id = c.ID
	cn.qbufCap = readBufSize
	s.conns = append(s.conns, cn)
	s.stats.connsReceived++
	e.Unlock()
	cn.applyLimits()
	cn.rd.SetAuthRequired(needAuth)
	if s.log.Enabled(LevelVerbose) {
		if unix {
			s.log.Logf(LevelVerbose, "Accepted connection to %s", s.cfg.Unixsocket())
		} else {
			s.log.Logf(LevelVerbose, "Accepted %s", cn.addr)
		}
	}
	return cn, true
}

// applyLimits pushes proto-max-bulk-len, client-query-buffer-limit and the
// authentication requirement into the reader when the configuration changed.
func (cn *conn) applyLimits() {
	g := cn.srv.cfgGen.Load()
	if g == cn.cfgGen && cn.cfgGen != 0 {
		return
	}
	cn.cfgGen = g
	cfg := cn.srv.cfg
	cn.rd.SetMaxBulkLen(cfg.ProtoMaxBulkLen())
	q := cfg.ClientQueryBufferLimit()
	if q > 1<<62 {
		q = 1 << 62
	}
	cn.rd.SetMaxQueryBuffer(int(q))
}

// serve runs the connection loop with the socket held for reading (clientSock.Hold),
// then frees the client and closes the socket.
func (cn *conn) serve() {
	defer cn.teardown()
	cn.sock.Hold(cn.loop)
}

// loop is the connection loop: read a pipeline, run it under one lock, flush once.
func (cn *conn) loop() {
	resume := cn.pending
	cn.pending = nil
	for {
		args := resume
		resume = nil
		if args == nil {
			var err error
			args, err = cn.readCommand()
			if err != nil {
				cn.readError(err)
				return
			}
		}
		t, ok := cn.runTurn(args)
		if !ok {
			continue // answered during a busy script, without the lock
		}
		if !cn.finishTurn(&t, true) {
			return
		}
		if t.blocked != nil {
			if !cn.waitBlocked(t.blocked) {
				return
			}
			resume = t.blocked.resume
		}
	}
}

// readCommand reads the next command into cn.args' storage.
func (cn *conn) readCommand() ([][]byte, error) {
	args, err := cn.rd.ReadCommand(cn.args[:0])
	cn.args = args[:0]
	if err == nil {
		cn.touch()
		cn.applyLimits()
	}
	return args, err
}

// turn is what a batch left to do once the engine lock is released: the replies to
// write (w, with cn.wmu still held), the AOF position they must wait for, and whether
// the connection blocks or closes after them.
type turn struct {
	w       *resp.Writer
	dur     Durability
	point   int64
	stop    bool
	blocked *blockState
}

// runTurn runs args and every complete command buffered behind it under one engine lock
// (the part of the connection loop between reading and writing). It returns with cn.wmu
// held, or ok=false when the command was answered during a busy script without the lock
// (wmu released).
func (cn *conn) runTurn(args [][]byte) (t turn, ok bool) {
	s := cn.srv
	e := s.eng
	cmds := cn.peekPipeline(args) // the reader is this goroutine's: no lock needed
	cn.wmu.Lock()
	if !cn.lockEngine(args) {
		cn.wmu.Unlock()
		return t, false
	}
	if len(cmds) > 1 {
		e.Prefetch(cn.cl, cmds)
	}
	clear(cmds) // they point into the read buffer
	s.cachedNow = time.Now()
	s.stats.netInput += cn.inBytes
	s.stats.readsProcessed++
	cn.inBytes = 0
	cn.foldStats()
	cn.qbufCap = cn.rd.BufferCap()
	if q := int64(cn.rd.Buffered()); q > s.stats.maxInputBuffer {
		s.stats.maxInputBuffer = q
	}
	stop, perr := cn.runBatch(args)
	s.evictionTimeEvent()
	s.trackingBroadcast() // beforeSleep: BCAST invalidations of this turn
	if perr != nil {
		cn.protocolErrorLocked(perr)
		stop = true
	}
	t.w = cn.swapLocked()
	t.stop = stop
	t.blocked = cn.blocked
	cn.qbuf, cn.qbufCap = cn.rd.Buffered(), cn.rd.BufferCap()
	t.dur, t.point = s.durablePointLocked()
	e.Unlock()
	return t, true
}

// finishTurn writes a turn's replies once they are durable and releases cn.wmu. It
// reports whether the connection goes on. yield lets the other connections that are
// ready run their batches before the write (goroutine per connection only).
func (cn *conn) finishTurn(t *turn, yield bool) bool {
	var ferr error
	if t.w != nil {
		if t.point != 0 {
			t.dur.WaitDurable(t.point)
			t.point = 0
		}
		if yield {
			// Let the other connections that are ready run their batches first, so
			// that the replies leave in a burst, as Redis writes every client's
			// replies in one pass before it sleeps. Waking the benchmark or
			// application process costs the sender an inter-processor interrupt when
			// that process is idle and almost nothing when it is already running:
			// one write per batch interleaved with the next batch's work paid that
			// wake-up on nearly every write (a quarter of the server's CPU at -P 16,
			// in sock_def_readable), the burst pays it about once per round.
			runtime.Gosched()
		}
		ferr = t.w.Flush()
	}
	cn.wmu.Unlock()
	return ferr == nil && !t.stop
}

// peekPipeline returns the leading arguments of the pipeline about to run (args, then the
// complete commands buffered behind it), for engine.Prefetch: their cache misses then
// overlap instead of being paid one command at a time. Nil when nothing is buffered.
func (cn *conn) peekPipeline(args [][]byte) []resp.Peeked {
	if cn.rd.Buffered() == 0 || len(args) < 2 {
		return nil
	}
	cmds := append(cn.peek[:0], resp.Peeked{Argc: len(args)})
	copy(cmds[0].Args[:], args)
	cmds = cn.rd.Peek(cmds, engine.PrefetchMax-1)
	cn.peek = cmds[:0]
	return cmds
}

// runBatch executes args and then every complete command already buffered. It returns
// stop=true when the connection must close after the replies are written. Lock held.
func (cn *conn) runBatch(args [][]byte) (stop bool, perr error) {
	s := cn.srv
	c := cn.cl
	// Each command's timing starts where the previous one's ended, the first's at the
	// batch's clock reading (one clock reading per command: engine StartClockChain).
	s.eng.StartClockChain(s.cachedNow)
	defer s.eng.StopClockChain()
	for n := 1; ; n++ {
		if n%clockEvery == 0 {
			s.cachedNow = time.Now()
		}
		if cn.closeASAP || s.exiting {
			return true, nil
		}
		if s.pause.active && cn.mustPause(args) {
			// Stop here; the command runs again when the pause ends.
			cn.blockForPause(args)
			return false, nil
		}
		if cn.looped && leavesLoop(args) {
			cn.pending = args // the connection's own goroutine runs it (evloop.go)
			return false, nil
		}
		cn.exec(args)
		if c.Flags&engine.ClientCloseAfterReply != 0 || cn.closeASAP {
			return true, nil
		}
		if cn.blocked != nil {
			return false, nil
		}
		var ok bool
		var err error
		args, ok, err = cn.rd.TryCommand(args[:0])
		if err != nil {
			return true, err
		}
		if !ok {
			return false, nil
		}
	}
}

// exec runs one command for the client. Lock held.
func (cn *conn) exec(args [][]byte) {
	s := cn.srv
	c := cn.cl
	cn.curArgs = args
	s.trk.current = c // tracking's server.current_client until trackingResetClient
	if c.Flags&(engine.ClientReplyOff|engine.ClientReplySkip) != 0 {
		real := c.W
		cn.null.SetProtocol(real.Protocol())
		cn.replyToRaw = real
		c.W = &cn.null
		s.eng.Exec(c, args)
		if c.W == &cn.null {
			c.W = real
		}
		real.SetProtocol(cn.null.Protocol())
		cn.replyToRaw = nil
		cn.null.Reset(io.Discard)
	} else {
		s.eng.Exec(c, args)
	}
	cn.curArgs = nil
	s.trackingResetClient(c, args)
	// resetClient: SKIP applies to exactly one command.
	c.Flags &^= engine.ClientReplySkip
	if c.Flags&engine.ClientReplySkipNext != 0 {
		c.Flags = c.Flags&^engine.ClientReplySkipNext | engine.ClientReplySkip
	}
	cn.rd.SetAuthRequired(!c.Authenticated)
	cn.checkOutputLimitLocked()
}

// Durability is implemented by a Persistence whose writes must be in the AOF before the
// replies that acknowledge them leave (Redis's beforeSleep writes the AOF, and fsyncs it
// under appendfsync always, before it writes any reply). DurablePoint is called with the
// engine lock held at the end of a batch and names the position the batch's writes
// reached (0: nothing to wait for); WaitDurable is called without the lock and returns
// once that position is durable. Replies of many connections thus share one fsync.
type Durability interface {
	DurablePoint() int64
	WaitDurable(point int64)
}

// durablePointLocked is the seam's DurablePoint, when the persistence has one. Lock held.
func (s *Server) durablePointLocked() (Durability, int64) {
	d, ok := s.persist.(Durability)
	if !ok {
		return nil, 0
	}
	return d, d.DurablePoint()
}

// swapLocked takes the full reply writer out of the client's hands, so it can be flushed
// after the engine lock is released; it returns nil when there is nothing to write.
func (cn *conn) swapLocked() *resp.Writer {
	old := cn.cl.W
	if old.Buffered() == 0 && old.Err() == nil {
		return nil
	}
	if n := int64(old.Buffered()); n > cn.srv.stats.maxOutputBuffer {
		cn.srv.stats.maxOutputBuffer = n
	}
	cn.cur ^= 1
	nw := &cn.w[cn.cur]
	nw.SetProtocol(old.Protocol())
	cn.cl.W = nw
	return old
}

// wake is the engine client's Wake hook: output was added by someone else. Lock held.
func (cn *conn) wake() {
	if cn.freed || cn.closeASAP {
		return
	}
	cn.checkOutputLimitLocked()
	if cn.closeASAP {
		return
	}
	if !cn.flusher {
		cn.flusher = true
		cn.kick = make(chan struct{}, 1)
		go cn.flushLoop(cn.kick)
	}
	select {
	case cn.kick <- struct{}{}:
	default:
	}
}

// flushLoop writes output produced for this client by others.
func (cn *conn) flushLoop(kick chan struct{}) {
	e := cn.srv.eng
	for range kick {
		cn.wmu.Lock()
		e.Lock()
		var w *resp.Writer
		if !cn.freed {
			w = cn.swapLocked()
		}
		dur, point := cn.srv.durablePointLocked()
		e.Unlock()
		if w != nil && point != 0 {
			dur.WaitDurable(point)
		}
		if w != nil {
			if err := w.Flush(); err != nil {
				cn.sock.Shutdown()
			}
		}
		cn.wmu.Unlock()
	}
}

// closeASAPLocked closes the connection without writing anything more (freeClientAsync):
// the connection goroutine sees the socket closed and cleans up. Lock held.
func (cn *conn) closeASAPLocked() {
	if cn.closeASAP {
		return
	}
	cn.closeASAP = true
	if !cn.freed {
		cn.sock.Shutdown()
	}
	if b := cn.blocked; b != nil {
		b.release()
	}
	cn.srv.eng.DropBlocked(cn.cl) // leaves the key queues now: nothing more is served to it
}

// readError handles the end of the request stream.
func (cn *conn) readError(err error) {
	s := cn.srv
	var pe *resp.ProtocolError
	switch {
	case errors.As(err, &pe):
		cn.wmu.Lock()
		s.eng.Lock()
		cn.protocolErrorLocked(pe)
		w := cn.swapLocked()
		s.eng.Unlock()
		if w != nil {
			_ = w.Flush()
		}
		cn.wmu.Unlock()
	case errors.Is(err, resp.ErrQueryBufferLimit):
		s.eng.Lock()
		info := cn.infoString(nil)
		s.eng.Unlock()
		s.log.Logf(LevelWarning, "Closing client that reached max query buffer length: %s (qbuf initial bytes: \"\")", info)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		if s.log.Enabled(LevelVerbose) {
			s.eng.Lock()
			info := cn.infoString(nil)
			s.eng.Unlock()
			s.log.Logf(LevelVerbose, "Client closed connection %s", info)
		}
	}
}

// protocolErrorLocked replies Redis's protocol error; the connection closes after it.
func (cn *conn) protocolErrorLocked(err error) {
	var pe *resp.ProtocolError
	if !errors.As(err, &pe) {
		return
	}
	s := cn.srv
	s.protoErrs++
	cn.cl.W.WriteError(pe.Reply())
	cn.cl.Flags |= engine.ClientCloseAfterReply
	if s.log.Enabled(LevelVerbose) {
		s.log.Logf(LevelVerbose, "Protocol error (%s) from client: %s. %s", pe.Msg, cn.infoString(nil), "")
	}
}

// teardown frees the client: it leaves the engine (unwatch, unsubscribe), the server's
// lists, and closes the socket.
func (cn *conn) teardown() {
	cn.sock.Shutdown() // a flusher stuck on a full socket gives up
	s := cn.srv
	s.eng.Lock()
	cn.freeLocked()
	s.stats.netInput += cn.inBytes
	cn.inBytes = 0
	cn.foldStats()
	s.eng.Unlock()
	// No flush can start now (freed); wait for one in progress, then close.
	cn.wmu.Lock()
	cn.sock.Close()
	cn.wmu.Unlock()
}

// freeLocked frees the client on the server's side (freeClient without the socket): it
// leaves the engine and the server's lists, and its flusher stops. CLIENT KILL calls it
// at once, as Redis frees another client at once; the connection's goroutine then only
// closes the socket. Lock held; a second call does nothing.
func (cn *conn) freeLocked() {
	if cn.freed {
		return
	}
	s := cn.srv
	cn.freed = true
	s.eng.FreeClient(cn.cl)
	s.removeConnLocked(cn)
	if cn.flusher {
		close(cn.kick)
	}
}

// foldStats moves the connection's write counters into the server's totals. Lock held.
func (cn *conn) foldStats() {
	st := &cn.srv.stats
	st.netOutput += cn.outBytes.Swap(0)
	st.writesProcessed += cn.writes.Swap(0)
}

func (s *Server) removeConnLocked(cn *conn) {
	for i, o := range s.conns {
		if o == cn {
			last := len(s.conns) - 1
			s.conns[i] = s.conns[last]
			s.conns[last] = nil
			s.conns = s.conns[:last]
			break
		}
	}
	if cn.monitor {
		for i, o := range s.monitors {
			if o == cn {
				s.monitors = append(s.monitors[:i], s.monitors[i+1:]...)
				break
			}
		}
	}
}

// clientClass is the client-output-buffer-limit class (getClientType).
func (cn *conn) clientClass() int {
	if cn.cl.Flags&engine.ClientPubSub != 0 {
		return 2
	}
	return 0
}

// outputBytes is the reply memory Redis's limits look at (getClientOutputBufferMemoryUsage).
func (cn *conn) outputBytes() int64 {
	return int64(cn.cl.W.Buffered()) + cn.inflight.Load()
}

// checkOutputLimitLocked closes the client when its pending output crosses the hard limit
// of its class, or stays over the soft limit for the configured seconds
// (closeClientOnOutputBufferLimitReached). Lock held.
func (cn *conn) checkOutputLimitLocked() {
	if cn.closeASAP {
		return
	}
	lim := cn.srv.cfg.ClientOutputBufferLimits()[cn.clientClass()]
	if lim.HardBytes == 0 && lim.SoftBytes == 0 {
		return
	}
	used := uint64(cn.outputBytes())
	hard := lim.HardBytes != 0 && used >= lim.HardBytes
	soft := lim.SoftBytes != 0 && used >= lim.SoftBytes
	now := time.Now().UnixMilli()
	if soft && !hard {
		if cn.softSince == 0 {
			cn.softSince = now
			soft = false
		} else if (now-cn.softSince)/1000 <= int64(lim.SoftSeconds) {
			soft = false
		}
	} else if !soft {
		cn.softSince = 0
	}
	if hard || soft {
		s := cn.srv
		s.log.Logf(LevelWarning, "Client %s scheduled to be closed ASAP for overcoming of output buffer limits.", cn.infoString(nil))
		cn.closeASAPLocked()
	}
}

// waitBlocked waits, without any lock, until a blocked client is released or its
// deadline passes, then lets the blocking command reply. It returns false when the
// connection must close.
func (cn *conn) waitBlocked(b *blockState) bool {
	s := cn.srv
	var timer <-chan time.Time
	if !b.deadline.IsZero() {
		t := time.NewTimer(time.Until(b.deadline))
		defer t.Stop()
		timer = t.C
	}
	// A client that closes its side while blocked is noticed by a one-byte read.
	gone := make(chan struct{})
	stopWatch := make(chan struct{})
	watchDone := make(chan struct{})
	go cn.watchClose(gone, stopWatch, watchDone)
	hungUp := false
	select {
	case <-timer:
	case <-b.ch:
	case <-gone:
		hungUp = true
	case <-s.quit:
	}
	close(stopWatch)
	<-watchDone
	cn.wmu.Lock()
	s.eng.Lock()
	s.cachedNow = time.Now()
	if cn.blocked == b {
		cn.blocked = nil
		if hungUp {
			// A client that disconnects while blocked leaves the key queues without a
			// reply (freeClient → unblockClient).
			s.eng.DropBlocked(cn.cl)
		} else if b.onWake != nil && !cn.closeASAP && !s.exiting {
			b.onWake(cn)
		}
	}
	w := cn.swapLocked()
	closing := cn.closeASAP || s.exiting
	s.eng.Unlock()
	if w != nil {
		_ = w.Flush()
	}
	cn.wmu.Unlock()
	select {
	case <-gone:
		return false
	default:
	}
	return !closing
}

// watchClose notices a peer that hangs up while the client is blocked, by peeking every
// 100 ms (bytes that arrive meanwhile stay in the socket). It closes done when it returns.
func (cn *conn) watchClose(gone, stop, done chan struct{}) {
	defer close(done)
	for {
		select {
		case <-stop:
			return
		default:
		}
		if cn.sock.PeerClosed() {
			close(gone)
			return
		}
		select {
		case <-stop:
			return
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// block makes the running command wait: the connection stops processing commands until
// unblock is closed or the deadline passes, then onWake runs (under the lock) to reply.
// Lock held.
func (cn *conn) block(deadline time.Time, onWake func(cn *conn)) *blockState {
	b := &blockState{deadline: deadline, onWake: onWake, ch: make(chan struct{})}
	cn.blocked = b
	return b
}

// onBlockKeys is the engine's BlockHook: a command blocked its client on keys (BLPOP,
// BZPOPMIN, XREAD BLOCK, …). The connection stops processing commands until the engine
// serves it, CLIENT UNBLOCK resolves it, or the deadline passes (the timeout reply is
// written under the lock by BlockTimedOut, which does nothing if it was served meanwhile).
// Lock held.
func (s *Server) onBlockKeys(c *engine.Client, deadlineMs int64) {
	cn, ok := c.Conn.(*conn)
	if !ok {
		s.eng.BlockTimedOut(c) // no connection to wait on: behave as timed out
		return
	}
	var deadline time.Time
	if deadlineMs > 0 {
		deadline = time.UnixMilli(deadlineMs)
	}
	cn.block(deadline, func(cn *conn) { cn.srv.eng.BlockTimedOut(cn.cl) })
}

// onUnblockKeys is the engine's unblock hook: the client blocked on keys got its reply
// (served, timed out, CLIENT UNBLOCK). Lock held.
func (s *Server) onUnblockKeys(c *engine.Client) {
	if cn, ok := c.Conn.(*conn); ok {
		cn.unblockLocked()
	}
}

// unblockLocked releases a blocked client early (CLIENT UNBLOCK, pause end). Lock held.
func (cn *conn) unblockLocked() {
	if b := cn.blocked; b != nil {
		b.release()
	}
}

// peerID is Redis's getClientPeerId.
func (cn *conn) peerID() string { return cn.addr }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
