package server

import (
	"net"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/resp"
)

// The event loop: one goroutine serves every plain request/reply connection, as Redis's
// main thread does (aeProcessEvents, then beforeSleep's handleClientsWithPendingWrites).
//
// With a goroutine per connection, every round trip parks the goroutine after its write
// and readies it again when the next request arrives: at -P 1 that scheduler work (park,
// findRunnable, netpoll, execute; about 0.3 µs) was the last thing redisctl paid per
// request that Redis does not. Here one goroutine asks its own epoll instance which
// sockets have data (edge-triggered, without blocking), runs one turn for each (read what
// is there, run the complete commands under one engine lock), and then writes every
// connection's replies in one pass, so they leave in a burst. Only when nothing is ready
// does it block, in epoll_pwait on its own descriptor, as Redis's aeApiPoll does: so the
// runtime's own scheduling is paid once per idle period, not per request.
//
// With more than one P, that descriptor is not on Go's netpoller. It was, and the loop
// parked on it like any socket; but an epoll descriptor watched by another epoll
// instance is reported again for every event added to it, so each request that arrived
// while the loop was busy woke the runtime's netpoll thread on the other core, which
// found nothing to run. Under appendfsync always at 50 clients that was 24 epoll calls
// and 16 context switches per fsync round, where Redis makes 1 and 3 (perf stat
// --per-thread); blocking in the system call instead brought them to 1 and 4, and the
// server's CPU per SET from 9.7-11.4 µs to 8.0-8.9 (Redis 8.4-9.0; BENCHMARKS.md,
// "appendfsync always: the loop off the netpoller"). While it blocks, its processor goes
// to other goroutines as for any long system call. With one P it parks instead, on
// another epoll instance that is on the netpoller and holds its own (parkFd), so that the
// scheduler polls the network for the connections on goroutines of their own whenever
// the loop parks. There the wake-ups above cannot happen: while the loop runs, no idle P
// waits in the netpoller.
//
// A connection leaves the loop for good, to a goroutine of its own running the ordinary
// connection loop (conn.loop), whenever serving it here could make the loop wait for it:
// a command that blocks (BLPOP, WAIT, CLIENT PAUSE), a write the socket has no room for,
// a script (the loop must stay free to answer BUSY while one runs; MULTI goes too, as
// EXEC may run one), or a command read before it was registered. Replies that must wait
// for the AOF (written, and fsynced under appendfsync always) do not leave: the round
// waits once, without the engine lock, for the furthest point its writes reached, then
// writes every reply, as Redis writes and fsyncs the AOF in beforeSleep. With a
// goroutine per connection instead, 50 clients under appendfsync always cost
// 13.4-13.9 µs of CPU per SET in wake-ups and context switches, against 7.7-8.8 µs with
// the wait per round (51k SETs/s against Redis's 87k on two cores, then 72-89k, in one
// quiet sitting; 0.91-0.99x Redis's in later ones: BENCHMARKS.md). Before it waits, a
// round whose replies wait for the AOF polls again (up to evExtend times) and takes in
// the connections whose requests came meanwhile, which Redis leaves to the next
// iteration and its next fsync: 29 SETs per fsync instead of 26, and 81-89k SETs/s
// against Redis's 71-80k (BENCHMARKS.md, "appendfsync always: the loop off the
// netpoller").
//
// While the loop serves a connection, its socket is a rawSock, on the loop's epoll
// instance only, so that Go's netpoller does not get every packet's event too (that
// double registration cost 1–4% of the CPU per request at -P 1): the descriptor the loop
// accepted (evaccept.go), or a duplicate of a net.Conn's, the net.Conn closed (add).
// Leaving the loop makes it a net.Conn (net.FileConn) before its goroutine starts.
//
// Writers other than the loop (the flusher of pub/sub messages and MONITOR lines) take
// cn.wmu as before; the loop holds it from a turn's reply swap to its write.
//
// Tried and not kept: under appendfsync always, handing the round's fsync to the AOF
// writer and serving the next connections while it runs, the replies held until it is
// done (the writer woke the loop through wakefd). The fsyncs ran back to back but each
// covered fewer commands (19.5 against 26: the clients a fsync releases only come back
// for the one after next), and the hand-offs cost 2 µs of CPU per SET: 61-75k SETs/s
// against 72-84k for this loop and Redis's 77-83k (2026-11-22).
//
// Tried and not kept: waiting up to 100 µs in epoll_pwait2 before parking, holding the
// processor. It brought the epoll calls to one per round, as Redis makes, but CPU per
// request at -P 1 INCR rose from 3.2 to 3.8 µs: the short timed sleeps cost far more in
// this VM (finish_task_switch, 30% of the profile) than the scheduler's polls they saved.

// evLoop is the event loop of one server.
type evLoop struct {
	srv    *Server
	epfd   int
	wakefd int         // an eventfd on epfd: stop writes it to wake the blocked loop
	closed atomic.Bool // stop was called: run returns

	// With one P the loop parks instead of blocking (see parkFd): pfd is an epoll
	// instance on Go's netpoller (pf, rc) that holds epfd while nested is set.
	pfd    int
	pf     *os.File
	rc     syscall.RawConn
	pollFn func(uintptr) bool
	nested bool

	// fdMu orders the descriptors' end: stop writes wakefd while run has not returned,
	// and whichever of the two comes last closes them.
	fdMu    sync.Mutex
	running bool
	fdsOpen bool

	mu    sync.Mutex
	conns []*conn // by fd; added by add (the loop's accepts, handle), removed by the loop
	count int     // connections in conns
	lns   []*evListener
	lnSeq int32

	events  []syscall.EpollEvent
	n       int // events from the last poll
	gen     uint64
	work    []*conn
	again   []*conn // not drained in their turn: served again next round
	flushes []evFlush
	acc     []int32   // listeners' events of this round (evaccept.go)
	last    time.Time // the last time the loop blocked (let the netpoller run)
	iter    int
	oneP    bool // GOMAXPROCS is 1 (read every 64 rounds)
}

// evFlush is a connection's turn whose replies are written at the end of the round.
type evFlush struct {
	cn *conn
	t  turn
}

// evBatch is how many events one poll takes.
const evBatch = 256

// evExtend bounds the polls that add connections to a round whose replies wait for the
// AOF.
const evExtend = 4

// evMaxBusy bounds how long the loop runs without blocking or parking. Go's netpoller
// (connections served by goroutines of their own) is polled when a processor has nothing
// to run, and otherwise only by the runtime's monitor, every 10 ms; and the goroutines
// the loop readies (by unlocking the engine, say) wait in its processor's run queue
// until it lets go, or until the monitor preempts it after 10 ms.
const evMaxBusy = 2 * time.Millisecond

// evYield is how long the loop parks after evMaxBusy. It must outlast the scheduler's
// first look at its timers: parked for 1 µs, the loop's timer had fired by then and put
// it back at the head of the run queue, ahead of the goroutines waiting there, and
// before the network poll (a runtime trace showed a goroutine that registers a new
// connection wait 17 ms behind three such parks). 20 µs every 2 ms of work at most.
const evYield = 20 * time.Microsecond

// newEvLoop creates the loop's epoll instance and its wake-up eventfd, or returns nil
// where the loop cannot run (no epoll or eventfd).
func newEvLoop(s *Server) *evLoop {
	if os.Getenv("REDISCTL_EVENT_LOOP") == "0" {
		return nil
	}
	epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return nil
	}
	wfd, _, errno := syscall.RawSyscall(syscall.SYS_EVENTFD2, 0, syscall.O_CLOEXEC|syscall.O_NONBLOCK, 0)
	if errno != 0 {
		syscall.Close(epfd)
		return nil
	}
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: int32(wfd)}
	if err := syscall.EpollCtl(epfd, syscall.EPOLL_CTL_ADD, int(wfd), &ev); err != nil {
		syscall.Close(int(wfd))
		syscall.Close(epfd)
		return nil
	}
	l := &evLoop{srv: s, epfd: epfd, wakefd: int(wfd), fdsOpen: true, pfd: -1,
		events: make([]syscall.EpollEvent, evBatch), last: time.Now(), oneP: runtime.GOMAXPROCS(0) == 1}
	l.parkFd()
	return l
}

// add hands a new connection to the loop; false leaves it to a goroutine of its own.
// The socket becomes a rawSock: a duplicate descriptor on the loop's epoll instance, the
// net.Conn closed (which takes the descriptor off Go's netpoller).
func (l *evLoop) add(cn *conn) bool {
	ns, ok := cn.sock.(*netSock)
	if !ok || ns.rc == nil || cn.pending != nil {
		return false
	}
	fd := -1
	_ = ns.rc.Control(func(orig uintptr) {
		r, _, errno := syscall.Syscall(syscall.SYS_FCNTL, orig, syscall.F_DUPFD_CLOEXEC, 0)
		if errno == 0 {
			fd = int(r)
		}
	})
	if fd < 0 {
		return false
	}
	l.setSock(cn, &rawSock{fd: fd}, fd, false)
	if !l.addRaw(cn, fd) {
		l.setSock(cn, ns, ns.fd, false)
		syscall.Close(fd)
		return false
	}
	ns.Close()
	return true
}

// addRaw puts a connection whose socket is the rawSock fd in the loop's table and on its
// epoll instance; false (nothing done) when epoll refuses it.
func (l *evLoop) addRaw(cn *conn, fd int) bool {
	// The loop finds the connection only once it is in the table.
	cn.looped = true
	l.mu.Lock()
	l.set(fd, cn)
	l.mu.Unlock()
	// Data that arrived before this is reported at once: ADD checks readiness.
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLRDHUP | -syscall.EPOLLET, Fd: int32(fd)}
	if syscall.EpollCtl(l.epfd, syscall.EPOLL_CTL_ADD, fd, &ev) != nil {
		l.mu.Lock()
		l.set(fd, nil)
		l.mu.Unlock()
		cn.looped = false
		return false
	}
	return true
}

// poll reads the ready events without waiting.
func (l *evLoop) poll() int {
	r, _, errno := syscall.RawSyscall6(syscall.SYS_EPOLL_PWAIT, uintptr(l.epfd),
		uintptr(unsafe.Pointer(&l.events[0])), uintptr(len(l.events)), 0, 0, 0)
	if errno != 0 {
		return 0 // EINTR: the next round polls again
	}
	return int(r)
}

// parkFd sets up the second way to wait, for one P. Blocked in epoll_pwait, the loop
// holds the only processor in a system call, and the netpoller, which serves the
// connections on goroutines of their own, runs only when the runtime's
// monitor takes the processor back or polls itself, every 10 ms: under load such a
// connection's PING took 10-13 ms at p90 (4.2 ms at p99 when the loop parked). So with
// one P the loop parks on pfd, an epoll instance on the netpoller that holds epfd, and
// the scheduler polls the network whenever the loop parks. With more Ps another P polls
// it, and epfd must not be on the netpoller then (the wake-ups the package comment
// describes): nest takes it out of pfd. Without pfd, the loop always blocks.
func (l *evLoop) parkFd() {
	pfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return
	}
	if syscall.SetNonblock(pfd, true) != nil {
		syscall.Close(pfd)
		return
	}
	pf := os.NewFile(uintptr(pfd), "epoll")
	if pf.SetReadDeadline(time.Time{}) != nil { // not on the netpoller
		pf.Close()
		return
	}
	rc, err := pf.SyscallConn()
	if err != nil {
		pf.Close()
		return
	}
	l.pfd, l.pf, l.rc = pfd, pf, rc
	l.pollFn = l.pollReady
	l.nest(l.oneP)
}

// nest puts epfd in pfd (on) or takes it out.
func (l *evLoop) nest(on bool) {
	if l.pf == nil || on == l.nested {
		return
	}
	if on {
		ev := syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: int32(l.epfd)}
		l.nested = syscall.EpollCtl(l.pfd, syscall.EPOLL_CTL_ADD, l.epfd, &ev) == nil
		return
	}
	_ = syscall.EpollCtl(l.pfd, syscall.EPOLL_CTL_DEL, l.epfd, nil)
	l.nested = false
}

// pollReady is the RawConn.Read callback of pfd: false parks the loop until epfd has an
// event. It polls first and parks only when nothing is ready (one poll per round, not
// one here and another before: at -P 1 most rounds park). Should GOMAXPROCS have grown,
// it returns with no event and the loop blocks instead.
func (l *evLoop) pollReady(uintptr) bool {
	if l.n = l.poll(); l.n > 0 || l.closed.Load() || l.stopping() {
		return true
	}
	l.last = time.Now()
	l.setProcs()
	return !l.nested
}

// setProcs reads GOMAXPROCS, which changes with the AOF and snapshots, and puts epfd in
// pfd with one P, or takes it out.
func (l *evLoop) setProcs() {
	l.oneP = runtime.GOMAXPROCS(0) == 1
	l.nest(l.oneP)
}

// next waits for the next round's events: it polls when connections are left over from
// the last round, and otherwise parks (one P) or blocks until one is ready. False: the
// loop ends (the server stops).
func (l *evLoop) next() bool {
	if len(l.again) > 0 {
		l.n = l.poll()
		return true
	}
	if l.nested {
		return l.rc.Read(l.pollFn) == nil
	}
	if l.n = l.poll(); l.n > 0 {
		return true
	}
	if l.closed.Load() || l.stopping() {
		return false
	}
	l.last = time.Now()
	l.setProcs()
	if l.nested { // down to one P
		return l.rc.Read(l.pollFn) == nil
	}
	l.n = l.wait()
	return true
}

// wait blocks in epoll_pwait until a descriptor is ready (a connection, or wakefd). It is
// an ordinary system call: if it lasts, the runtime hands the processor to other
// goroutines, and the loop takes one back when it returns.
func (l *evLoop) wait() int {
	r, _, errno := syscall.Syscall6(syscall.SYS_EPOLL_PWAIT, uintptr(l.epfd),
		uintptr(unsafe.Pointer(&l.events[0])), uintptr(len(l.events)), ^uintptr(0), 0, 0)
	if errno != 0 {
		return 0 // EINTR: the next round polls again
	}
	return int(r)
}

func (l *evLoop) stopping() bool {
	select {
	case <-l.srv.quit:
		l.mu.Lock()
		defer l.mu.Unlock()
		return l.count == 0
	default:
		return false
	}
}

// run is the loop. It returns once the server is shutting down and has no connection
// left here, or once stop is called.
func (l *evLoop) run() {
	l.fdMu.Lock()
	if !l.fdsOpen {
		l.fdMu.Unlock()
		return // stopped before it started
	}
	l.running = true
	l.fdMu.Unlock()
	defer func() {
		l.fdMu.Lock()
		l.running = false
		if l.closed.Load() {
			l.closeFds() // else stop does, once Serve saw every connection end
		}
		l.fdMu.Unlock()
	}()
	for {
		if !l.next() || l.closed.Load() || (l.n == 0 && l.stopping()) {
			return
		}
		l.round()
		l.iter++
		if l.iter&63 == 0 {
			l.setProcs() // a loop that never waits still follows GOMAXPROCS
		}
		if l.iter&63 == 0 && time.Since(l.last) > evMaxBusy {
			// Park for a moment: the processor runs its queue and polls the network
			// before the loop comes back.
			time.Sleep(evYield)
			l.last = time.Now()
		} else if l.iter&3 == 0 && l.oneP {
			// Let the other goroutines run (timers, the snapshot walker, flushers):
			// every fourth round is every few dozen requests at most. With more Ps
			// they run on another one, unless it is busy too (evYield above); a yield
			// then only sent this goroutine to another thread while this one slept in
			// the netpoller (15% of the CPU samples under appendfsync always).
			runtime.Gosched()
		}
	}
}

// stop ends the loop (after Serve saw every connection end): it wakes a running loop,
// which closes the descriptors as it returns, or closes them itself.
func (l *evLoop) stop() {
	l.closed.Store(true)
	l.fdMu.Lock()
	defer l.fdMu.Unlock()
	if l.running {
		one := uint64(1)
		_, _ = syscall.Write(l.wakefd, (*[8]byte)(unsafe.Pointer(&one))[:])
		return
	}
	l.closeFds()
}

// closeFds closes the epoll instance and the eventfd, once. l.fdMu held.
func (l *evLoop) closeFds() {
	if l.fdsOpen {
		l.fdsOpen = false
		if l.pf != nil {
			l.pf.Close()
		}
		syscall.Close(l.wakefd)
		syscall.Close(l.epfd)
	}
}

// round serves the connections that had an event or were not drained, then writes their
// replies.
func (l *evLoop) round() {
	l.gen++
	work := l.work[:0]
	for _, cn := range l.again {
		if cn.evGen != l.gen {
			cn.evGen = l.gen
			work = append(work, cn)
		}
	}
	clear(l.again)
	l.again = l.again[:0]
	l.serve(l.ready(work, false))
	// Requests that came in while the round ran join it when its replies wait for the
	// AOF: they share its write and fsync instead of waiting for the next one.
	for k := 0; k < evExtend && l.durablePoint() != 0; k++ {
		if l.n = l.poll(); l.n == 0 {
			break
		}
		l.serve(l.ready(l.work[:0], true))
	}
	// Under an AOF, the round's replies leave once its writes are in the file (fsynced
	// under appendfsync always): one wait for the furthest point, so every connection
	// of the round shares the write and the fsync, as Redis's beforeSleep writes and
	// fsyncs the AOF once before it writes any reply.
	if point := l.durablePoint(); point != 0 {
		l.flushes[0].t.dur.WaitDurable(point) // every turn has the server's Durability
	}
	for i := range l.flushes {
		l.finish(&l.flushes[i], false)
		l.flushes[i] = evFlush{}
	}
	l.flushes = l.flushes[:0]
	if len(l.acc) > 0 {
		l.acceptReady() // after the replies: the round's clients do not wait for it
	}
}

// turn reads what cn has and runs its complete commands (conn.loop's body, without the
// waits).
func (l *evLoop) turn(cn *conn) {
	rs := cn.sock.(*rawSock)
	args, err := cn.readCommand()
	if err == resp.ErrWouldBlock {
		return
	}
	if err != nil {
		cn.readError(err)
		l.close(cn)
		return
	}
	t, ok := cn.runTurn(args)
	if !ok {
		l.again = append(l.again, cn) // answered BUSY: go on with what is buffered
		return
	}
	switch {
	case t.blocked != nil || cn.pending != nil: // cn.pending: leavesLoop
		rest := t // only this path's copy goes to the heap
		l.leave(cn, &rest)
		return
	case t.stop:
		// Its last replies, then the end (by its own goroutine if they do not fit).
		l.finish(&evFlush{cn: cn, t: t}, true)
		return
	case t.w != nil:
		l.flushes = append(l.flushes, evFlush{cn: cn, t: t})
	default:
		cn.wmu.Unlock()
	}
	if !rs.drained {
		l.again = append(l.again, cn)
	}
}

// ready adds to work the connections of the polled events not yet in this round. late:
// the round has served work already; a connection it served (its replies wait in
// l.flushes) has its next turn in the next round.
func (l *evLoop) ready(work []*conn, late bool) []*conn {
	l.mu.Lock()
	for i := 0; i < l.n; i++ {
		if id := l.events[i].Pad; id != 0 {
			l.acc = append(l.acc, id) // a listener
			continue
		}
		fd := int(l.events[i].Fd)
		if fd == l.wakefd {
			continue // stop: run sees closed
		}
		if fd < 0 || fd >= len(l.conns) {
			continue
		}
		cn := l.conns[fd]
		switch {
		case cn == nil:
		case cn.evGen != l.gen:
			cn.evGen = l.gen
			work = append(work, cn)
		case late:
			l.again = append(l.again, cn)
		}
	}
	l.mu.Unlock()
	return work
}

// serve gives each connection of work its turn.
func (l *evLoop) serve(work []*conn) {
	for _, cn := range work {
		if cn.looped {
			l.turn(cn)
		}
	}
	clear(work)
	l.work = work[:0]
}

// durablePoint is the furthest AOF position the round's replies wait for (0: none).
func (l *evLoop) durablePoint() int64 {
	var point int64
	for i := range l.flushes {
		point = max(point, l.flushes[i].t.point)
	}
	return point
}

// finish writes a turn's replies without waiting for room in the socket, and closes the
// connection after them when last.
func (l *evLoop) finish(f *evFlush, last bool) {
	cn := f.cn
	rs := cn.sock.(*rawSock)
	var err error
	if f.t.w != nil {
		if f.t.point != 0 {
			f.t.dur.WaitDurable(f.t.point) // returns at once after round's wait
		}
		rs.nbWrite = true
		err = f.t.w.Flush()
		rs.nbWrite = false
	}
	if err == resp.ErrWouldBlock {
		// The rest is written by the connection's own goroutine, which waits for room.
		t := f.t
		l.leave(cn, &t)
		return
	}
	cn.wmu.Unlock()
	if err != nil || last {
		l.close(cn)
	}
}

// set records the connection served for fd (nil: none). l.mu held.
func (l *evLoop) set(fd int, cn *conn) {
	if fd >= len(l.conns) {
		l.conns = append(l.conns, make([]*conn, fd+1-len(l.conns))...)
	}
	if (l.conns[fd] == nil) != (cn == nil) {
		if cn == nil {
			l.count--
		} else {
			l.count++
		}
	}
	l.conns[fd] = cn
}

// remove takes cn off the loop's epoll instance and table.
func (l *evLoop) remove(cn *conn) {
	rs := cn.sock.(*rawSock)
	_ = syscall.EpollCtl(l.epfd, syscall.EPOLL_CTL_DEL, rs.fd, nil)
	l.mu.Lock()
	l.set(rs.fd, nil)
	l.mu.Unlock()
	cn.looped = false
}

// detach takes cn out of the loop and gives it a net.Conn again (on Go's netpoller), for
// its own goroutine. wmuHeld: the loop holds cn.wmu (a turn in progress). False when the
// socket could not be made a net.Conn: the caller closes the connection.
func (l *evLoop) detach(cn *conn, wmuHeld bool) bool {
	l.remove(cn)
	rs := cn.sock.(*rawSock)
	f := os.NewFile(uintptr(rs.fd), "client")
	nc, err := net.FileConn(f) // a duplicate of its own
	if err != nil {
		f.Close() // the descriptor is f's now (its finalizer would close it too)
		rs.fd = -1
		return false
	}
	ns, fd := newClientSock(nc)
	l.setSock(cn, ns, fd, wmuHeld)
	f.Close() // the loop's descriptor
	return true
}

// setSock swaps cn's socket: others use cn.sock under cn.wmu or the engine lock
// (Shutdown, flushes), so it changes under both. wmuHeld: the caller holds cn.wmu.
func (l *evLoop) setSock(cn *conn, to clientSock, fd int, wmuHeld bool) {
	if !wmuHeld {
		cn.wmu.Lock()
		defer cn.wmu.Unlock()
	}
	l.srv.eng.Lock()
	cn.sock, cn.fd = to, fd
	l.srv.eng.Unlock()
}

// close ends a connection the loop serves (what handle does after conn.serve).
func (l *evLoop) close(cn *conn) {
	if cn.looped {
		l.remove(cn)
	}
	cn.teardown()
	cn.srv.numConns.Add(-1)
	cn.srv.connWG.Done()
}

// leave hands cn to a goroutine of its own (serveAlone with t, which holds cn.wmu when
// not nil), or closes it when its socket cannot leave the loop.
func (l *evLoop) leave(cn *conn, t *turn) {
	if l.detach(cn, t != nil) {
		go cn.serveAlone(t)
		return
	}
	if t != nil {
		cn.wmu.Unlock()
	}
	l.close(cn)
}

// serveAlone serves a connection that left the event loop on a goroutine of its own: it
// completes the turn in progress (t, with cn.wmu held), then runs the connection loop.
func (cn *conn) serveAlone(t *turn) {
	s := cn.srv
	defer s.connWG.Done()
	defer s.numConns.Add(-1)
	defer cn.teardown()
	if t != nil {
		if !cn.finishTurn(t, false) {
			return
		}
		if t.blocked != nil {
			if !cn.waitBlocked(t.blocked) {
				return
			}
			cn.pending = t.blocked.resume
		}
	}
	cn.sock.Hold(cn.loop)
}

// leavesLoop reports the commands a connection leaves the event loop before: scripts
// (the loop must stay free to answer BUSY while one runs) and MULTI (EXEC may run one).
// runBatch checks every command of a batch, so one behind others in a pipeline is caught
// too; its goroutine runs it (cn.pending).
func leavesLoop(args [][]byte) bool {
	if len(args) == 0 {
		return false
	}
	n := args[0]
	switch len(n) {
	case 4:
		return engine.EqualFold(n, "eval")
	case 5:
		return engine.EqualFold(n, "fcall") || engine.EqualFold(n, "multi")
	case 7:
		return engine.EqualFold(n, "evalsha") || engine.EqualFold(n, "eval_ro")
	case 8:
		return engine.EqualFold(n, "fcall_ro")
	case 10:
		return engine.EqualFold(n, "evalsha_ro")
	}
	return false
}
