package server

import (
	"net"
	"os"
	"strconv"
	"syscall"
)

// The event loop accepts new clients itself, as Redis's main thread does
// (acceptTcpHandler on the listening socket's readable event): each listener's descriptor
// is on the loop's epoll instance (level-triggered), and the loop takes the waiting
// connections at the end of the round that saw it ready, and registers them at once.
//
// Accepting on goroutines (acceptLoop, then a goroutine per connection to register it)
// made a new client wait for Go's scheduler. During a snapshot both processors stay
// busy, one with the loop and one with the walker or the encoder: the accept goroutine
// could then wait for the runtime's monitor to poll the network (every 10 ms), and the
// goroutine registering the connection, readied by the loop's unlock of the engine,
// waited in the loop's run queue until the loop yielded or was preempted (17 ms in a
// runtime trace). A new connection's first reply took 10-39 ms (p99 24 ms, 112 of 1123
// over 10 ms; the open connections' p99 was 0.45 ms), and redis-benchmark opens its 20
// connections anew for every run.
//
// acceptLoop remains for servers without the loop, and takes over a listener the loop
// gives up on (accept failing for want of descriptors or memory: the level-triggered
// event would come back at every poll).

// evListener is a listening socket on the loop's epoll instance.
type evListener struct {
	id   int32 // its events' EpollEvent.Pad (a connection's is 0)
	ln   net.Listener
	rc   syscall.RawConn
	unix bool
}

// evMaxAccepts bounds the connections one round accepts from a listener (Redis's
// MAX_ACCEPTS_PER_CALL); the rest are reported by the next poll.
const evMaxAccepts = 1000

// listen puts ln's descriptor on the loop's epoll instance. False: the loop does not
// accept for it (acceptLoop does). s.lnMu held.
func (l *evLoop) listen(ln net.Listener, unix bool) bool {
	sc, ok := ln.(syscall.Conn)
	if !ok {
		return false
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	// Forget the listeners closed since (a rebind): the kernel dropped them already.
	live := l.lns[:0]
	for _, e := range l.lns {
		if e.rc.Control(func(uintptr) {}) == nil {
			live = append(live, e)
		}
	}
	clear(l.lns[len(live):])
	l.lns = live
	l.lnSeq++
	e := &evListener{id: l.lnSeq, ln: ln, rc: rc, unix: unix}
	// Control keeps the descriptor open while it runs (Close waits for it). Once ln
	// closes, the kernel drops it from the epoll instance: the loop holds no copy of it.
	cerr := rc.Control(func(fd uintptr) {
		ev := syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: int32(fd), Pad: e.id}
		err = syscall.EpollCtl(l.epfd, syscall.EPOLL_CTL_ADD, int(fd), &ev)
	})
	if cerr != nil || err != nil {
		return false
	}
	l.lns = append(l.lns, e)
	return true
}

// listener finds the listener of an event's id. l.mu held.
func (l *evLoop) listener(id int32) *evListener {
	for _, e := range l.lns {
		if e.id == id {
			return e
		}
	}
	return nil
}

// drop forgets a listener: closed, or left to its accept goroutine. l.mu held.
func (l *evLoop) drop(e *evListener) {
	for i, x := range l.lns {
		if x == e {
			l.lns = append(l.lns[:i], l.lns[i+1:]...)
			return
		}
	}
}

// acceptReady accepts on the listeners whose events the round saw (l.acc).
func (l *evLoop) acceptReady() {
	for i, id := range l.acc {
		dup := false
		for _, x := range l.acc[:i] {
			dup = dup || x == id
		}
		if dup {
			continue
		}
		l.mu.Lock()
		e := l.listener(id)
		l.mu.Unlock()
		if e != nil {
			l.accept(e)
		}
	}
	l.acc = l.acc[:0]
}

// accept takes e's waiting connections (evMaxAccepts at most) and serves them here.
func (l *evLoop) accept(e *evListener) {
	s := l.srv
	for range evMaxAccepts {
		nfd, err := -1, error(nil)
		var sa syscall.Sockaddr
		// Under lnMu, which closeListeners holds while it closes them: a connection taken
		// here is in connWG before Serve, the listeners closed, waits for connWG.
		s.lnMu.Lock()
		cerr := e.rc.Control(func(fd uintptr) {
			nfd, sa, err = syscall.Accept4(int(fd), syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC)
			if err == nil {
				s.connWG.Add(1)
			}
		})
		s.lnMu.Unlock()
		switch {
		case cerr != nil: // closed
			l.mu.Lock()
			l.drop(e)
			l.mu.Unlock()
			return
		case err == syscall.EAGAIN:
			return
		case err == syscall.EINTR || err == syscall.ECONNABORTED:
			continue
		case err != nil:
			l.giveUp(e)
			return
		}
		l.admit(nfd, sa, e.unix)
	}
}

// giveUp hands e to an accept loop of its own, which logs the error and backs off, after
// accept failed for want of descriptors or memory.
func (l *evLoop) giveUp(e *evListener) {
	s := l.srv
	l.mu.Lock()
	l.drop(e)
	l.mu.Unlock()
	// Under lnMu, with the listener still open, Serve is not yet waiting for acceptWG.
	s.lnMu.Lock()
	defer s.lnMu.Unlock()
	if e.rc.Control(func(fd uintptr) {
		_ = syscall.EpollCtl(l.epfd, syscall.EPOLL_CTL_DEL, int(fd), nil)
	}) != nil {
		return // closed meanwhile
	}
	s.acceptWG.Add(1)
	go func() {
		defer s.acceptWG.Done()
		s.acceptLoop(e.ln, e.unix)
	}()
}

// admit takes in a descriptor accept returned, as Redis's acceptCommonHandler and
// createClient do, in a few system calls: its addresses come from accept and getsockname,
// TCP_NODELAY and keep-alive are set as Redis sets them, and it joins the loop's epoll
// instance as a rawSock, without ever being a net.Conn (net.FileConn cost about 20
// system calls and the netpoller's registration per client). connWG counts it already.
func (l *evLoop) admit(fd int, sa syscall.Sockaddr, unix bool) {
	s := l.srv
	var addr, laddr string
	local := unix
	if !unix {
		addr, local = sockaddrString(sa)
		if lsa, err := syscall.Getsockname(fd); err == nil {
			laddr, _ = sockaddrString(lsa)
		}
		_ = syscall.SetsockoptInt(fd, syscall.IPPROTO_TCP, syscall.TCP_NODELAY, 1)
		if ka := s.cfg.TCPKeepalive(); ka > 0 {
			setKeepAlive(fd, ka)
		}
	}
	if msg := s.refuse(local); msg != "" {
		_, _ = syscall.Write(fd, []byte(msg))
		syscall.Close(fd)
		s.connWG.Done()
		return
	}
	cn, ok := s.newConnSock(&rawSock{fd: fd}, fd, addr, laddr, unix, local, true)
	if !ok {
		// A script runs: a goroutine answers the client (BUSY) until it can register it.
		s.numConns.Add(-1)
		f := os.NewFile(uintptr(fd), "client")
		nc, err := net.FileConn(f)
		f.Close()
		if err != nil {
			s.connWG.Done()
			return
		}
		go s.handle(nc, unix)
		return
	}
	if cn == nil {
		s.numConns.Add(-1)
		s.connWG.Done() // exiting: newConn closed it
		return
	}
	if !l.addRaw(cn, fd) {
		// Not on the epoll instance: served by a goroutine of its own, as a net.Conn.
		if l.detach(cn, false) {
			go s.serveConn(cn)
			return
		}
		l.close(cn)
	}
}

// sockaddrString is a socket address as ip:port, and whether it is a loopback one.
func sockaddrString(sa syscall.Sockaddr) (string, bool) {
	var ip net.IP
	var port int
	switch a := sa.(type) {
	case *syscall.SockaddrInet4:
		ip, port = net.IP(a.Addr[:]), a.Port
	case *syscall.SockaddrInet6:
		ip, port = net.IP(a.Addr[:]), a.Port
	default:
		return "", false
	}
	return net.JoinHostPort(ip.String(), strconv.Itoa(port)), ip.IsLoopback()
}

// setKeepAlive turns TCP keep-alive on as Redis's anetKeepAlive does: the first probe
// after interval seconds idle, then every interval/3 seconds, three before giving up.
func setKeepAlive(fd, interval int) {
	_ = syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_KEEPALIVE, 1)
	_ = syscall.SetsockoptInt(fd, syscall.IPPROTO_TCP, syscall.TCP_KEEPIDLE, interval)
	_ = syscall.SetsockoptInt(fd, syscall.IPPROTO_TCP, syscall.TCP_KEEPINTVL, max(interval/3, 1))
	_ = syscall.SetsockoptInt(fd, syscall.IPPROTO_TCP, syscall.TCP_KEEPCNT, 3)
}
