package server

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"reflect"
	"syscall"
	"unsafe"

	"github.com/redisctl/redisctl/resp"
)

// clientSock is a client connection's socket. Read is called by the connection goroutine
// only (inside Hold once serving starts); Write by one goroutine at a time (the connection
// goroutine, or a flush under wmu); Shutdown from anywhere, under any lock, without
// blocking; Close once, by the connection goroutine, at the end, outside Hold.
type clientSock interface {
	// Hold runs loop (the connection's whole serving loop) with the socket held for
	// reading, so that Read can wait for readiness without losing an edge (netSock).
	Hold(loop func())
	Read([]byte) (int, error)
	Write([]byte) (int, error)
	// Shutdown ends both directions: a Read returns EOF and a Write fails from now on,
	// a goroutine waiting in either wakes. The descriptor stays open until Close.
	Shutdown()
	Close() error
	PeerClosed() bool
}

// newClientSock wraps an accepted connection.
//
// Reads and writes go through the socket's syscall.RawConn with raw system calls: the fd
// stays on Go's netpoller (a read that finds nothing, or a write that finds the send
// buffer full, parks the goroutine exactly as net.Conn would), but the call itself skips
// the runtime's blocking-syscall bookkeeping, which costs on every call and, on the way
// out, wakes the runtime's monitor thread when it sleeps: at -P 1 that was a context
// switch per request. A socket read or write with O_NONBLOCK never blocks, so holding the
// P through it is safe. The calls are recvfrom and sendto (with MSG_NOSIGNAL) rather
// than read and write: on a socket they reach the same protocol code without the VFS
// layer's file-position lock, permission hook and iterator set-up, which were about 2%
// of the server's CPU at -P 1 in perf.
//
// Design note, the read that finds nothing: net.Conn.Read (and each RawConn.Read) first
// resets the fd's readiness and then tries the read, so a request/reply round trip costs
// one read returning EAGAIN before the goroutine parks, a read Redis's event loop does not
// pay (it reads only what epoll reported): at -P 1 it was the whole CPU gap to Redis
// (2 reads per request against 1, by perf stat; user-space CPU per request at parity).
// Skipping the try is not safe on a fresh RawConn.Read, because the reset drops a
// readiness the runtime already recorded (data that arrived after the last read). So the
// connection's loop runs inside one RawConn.Read callback for its whole life (Hold): the
// read lock is held, the fd cannot be destroyed under us, and no reset happens. After a
// short read (the socket was drained) the next Read first waits on the fd's poll
// descriptor (the runtime's own internal/poll wait, which consumes a recorded readiness
// or parks until the next edge) and only then reads. The descriptor is found once per
// connection through the net package's unexported fields; if that layout is not there
// (another Go version), Hold and Read fall back to the plain path above.
//
// Because the read lock is held while the loop waits for the engine lock, Close (which
// waits for it) is only ever called by the connection goroutine after Hold returns;
// everyone else ends a connection with Shutdown, a shutdown(2) that wakes the loop.
//
// Tried and not kept: a poller of our own (the sockets detached from the netpoller, one
// edge-triggered epoll goroutine waking the connection goroutines) saved the read but
// cost more in goroutine hand-offs and blocking-syscall scheduling (server CPU per
// request at -P 1 rose from ~4.7 µs to ~6.6 µs). The event loop (evloop.go) is that
// poller without the hand-offs: it runs the clients' turns itself.
func newClientSock(nc net.Conn) (clientSock, int) {
	ns := &netSock{nc: nc, fd: -1}
	if sc, ok := nc.(syscall.Conn); ok {
		if raw, err := sc.SyscallConn(); err == nil {
			_ = raw.Control(func(fd uintptr) { ns.fd = int(fd) })
			ns.rc = raw
			ns.rfn, ns.wfn = ns.rawRead, ns.rawWrite
			ns.pd = pollDescOf(nc, ns.fd)
		}
	}
	return ns, ns.fd
}

// netSock is a client socket on Go's netpoller.
type netSock struct {
	nc net.Conn
	fd int
	rc syscall.RawConn // nil: plain net.Conn calls

	// The runtime's poll descriptor of fd (0: not found; Hold then runs the loop plainly).
	pd uintptr
	// Connection goroutine only: inside Hold's callback, and whether the last read
	// drained the socket (the next one waits for readiness first).
	held, drained bool

	// The raw read and write in progress (one of each at a time: see clientSock) and
	// the method values that perform them, built once so that a call allocates nothing.
	rfn, wfn func(uintptr) bool
	rb, wb   []byte
	rn, wn   int
	rerr     error
	werr     error
}

func (s *netSock) Hold(loop func()) {
	if s.rc == nil || s.pd == 0 {
		loop()
		return
	}
	ran := false
	_ = s.rc.Read(func(uintptr) bool { // returns true: called once, unless already closed
		ran = true
		s.held = true
		loop()
		s.held = false
		return true
	})
	if !ran {
		loop() // closed before serving started: the loop reads the error and ends
	}
}

func (s *netSock) Read(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	if s.held {
		return s.heldRead(b)
	}
	if s.rc == nil {
		return s.nc.Read(b)
	}
	s.rb, s.rn, s.rerr = b, 0, nil
	err := s.rc.Read(s.rfn)
	n := s.rn
	if err == nil {
		err = s.rerr
	}
	s.rb, s.rerr = nil, nil
	return n, err
}

// heldRead reads inside Hold: after a draining read it waits for readiness first.
func (s *netSock) heldRead(b []byte) (int, error) {
	for {
		if s.drained {
			if code := runtime_pollWait(s.pd, 'r'); code != 0 {
				return 0, pollError(code)
			}
			s.drained = false
		}
		if n, err := s.eventRead(b); err != resp.ErrWouldBlock {
			return n, err
		}
	}
}

// eventRead reads what is there, or returns resp.ErrWouldBlock (heldRead's try).
func (s *netSock) eventRead(b []byte) (int, error) {
	n, drained, err := recvNow(s.fd, b)
	s.drained = drained
	return n, err
}

// recvNow is one read of a non-blocking socket that never waits: the bytes there, io.EOF,
// or resp.ErrWouldBlock when there are none. drained reports that the socket was emptied
// (a short read or none): its next bytes come with a new readiness edge.
func recvNow(fd int, b []byte) (n int, drained bool, err error) {
	for {
		r, _, errno := syscall.RawSyscall6(syscall.SYS_RECVFROM, uintptr(fd), uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)), 0, 0, 0)
		switch errno {
		case 0:
			if r == 0 {
				return 0, false, io.EOF
			}
			return int(r), int(r) < len(b), nil
		case syscall.EINTR:
		case syscall.EAGAIN:
			return 0, true, resp.ErrWouldBlock
		default:
			return 0, false, errno
		}
	}
}

// sendNow writes b to a non-blocking socket until it is all written or the socket has no
// room (resp.ErrWouldBlock, with the bytes written so far), never waiting.
func sendNow(fd int, b []byte) (n int, err error) {
	for n < len(b) {
		p := b[n:]
		r, _, errno := syscall.RawSyscall6(syscall.SYS_SENDTO, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)), syscall.MSG_NOSIGNAL, 0, 0)
		switch errno {
		case 0:
			n += int(r)
		case syscall.EINTR:
		case syscall.EAGAIN:
			return n, resp.ErrWouldBlock
		default:
			return n, errno
		}
	}
	return n, nil
}

// peerClosed reports whether the peer closed a socket that has no unread bytes.
func peerClosed(fd int) bool {
	var b [1]byte
	n, _, err := syscall.Recvfrom(fd, b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
	return n == 0 && err == nil
}

// rawRead is the RawConn.Read callback: false asks to wait until the socket is readable.
func (s *netSock) rawRead(fd uintptr) bool {
	n, _, err := recvNow(int(fd), s.rb)
	if err == resp.ErrWouldBlock {
		return false
	}
	s.rn, s.rerr = n, err
	return true
}

func (s *netSock) Write(b []byte) (int, error) {
	if s.rc == nil || len(b) == 0 {
		return s.nc.Write(b)
	}
	s.wb, s.wn, s.werr = b, 0, nil
	err := s.rc.Write(s.wfn)
	n := s.wn
	if err == nil {
		err = s.werr
	}
	s.wb, s.werr = nil, nil
	return n, err
}

// rawWrite is the RawConn.Write callback: it writes until done, and returns false to wait
// for room in the send buffer.
func (s *netSock) rawWrite(fd uintptr) bool {
	n, err := sendNow(int(fd), s.wb[s.wn:])
	s.wn += n
	if err == resp.ErrWouldBlock {
		return false
	}
	s.werr = err
	return true
}

// Shutdown shuts the socket down both ways (Control holds a reference, not the read
// lock, so this never waits for the connection's loop; on a closed socket it does
// nothing). The peer sees the connection end as when Redis closes it.
func (s *netSock) Shutdown() {
	if s.rc == nil {
		s.nc.Close()
		return
	}
	_ = s.rc.Control(func(fd uintptr) { _ = syscall.Shutdown(int(fd), syscall.SHUT_RDWR) })
}

func (s *netSock) Close() error { return s.nc.Close() }

func (s *netSock) PeerClosed() bool {
	if s.rc == nil {
		return false
	}
	closed := false
	_ = s.rc.Control(func(fd uintptr) { closed = peerClosed(int(fd)) })
	return closed
}

// runtime_pollWait is internal/poll's wait on a poll descriptor ('r' or 'w'): it returns
// at once when the runtime recorded readiness since the last reset (consuming it), and
// otherwise parks the goroutine until the next event. 0 means ready; the other codes are
// pollError's.
//
//go:linkname runtime_pollWait internal/poll.runtime_pollWait
func runtime_pollWait(ctx uintptr, mode int) int

// pollError maps the runtime's poll error codes as internal/poll does.
func pollError(code int) error {
	switch code {
	case 1:
		return net.ErrClosed
	case 2:
		return os.ErrDeadlineExceeded
	case 3:
		return errNotPollable
	}
	return fmt.Errorf("server: unexpected poll error code %d", code)
}

var errNotPollable = errors.New("server: socket not pollable")

// pollDescOf finds the runtime poll descriptor of a *net.TCPConn or *net.UnixConn:
// conn.fd (*netFD) .pfd (internal/poll.FD) .pd (pollDesc) .runtimeCtx. It checks the
// path's kinds and that the FD's Sysfd is fd, and returns 0 when anything differs.
func pollDescOf(nc net.Conn, fd int) (pd uintptr) {
	defer func() {
		if recover() != nil {
			pd = 0
		}
	}()
	v := reflect.ValueOf(nc)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return 0
	}
	nfd := v.Elem().FieldByName("conn")
	if !nfd.IsValid() || nfd.Kind() != reflect.Struct {
		return 0
	}
	nfd = nfd.FieldByName("fd")
	if !nfd.IsValid() || nfd.Kind() != reflect.Pointer || nfd.IsNil() || nfd.Elem().Kind() != reflect.Struct {
		return 0
	}
	pfd := nfd.Elem().FieldByName("pfd")
	if !pfd.IsValid() || pfd.Kind() != reflect.Struct {
		return 0
	}
	sysfd := pfd.FieldByName("Sysfd")
	if !sysfd.IsValid() || sysfd.Kind() != reflect.Int || int(sysfd.Int()) != fd {
		return 0
	}
	ctx := pfd.FieldByName("pd")
	if !ctx.IsValid() || ctx.Kind() != reflect.Struct {
		return 0
	}
	ctx = ctx.FieldByName("runtimeCtx")
	if !ctx.IsValid() || ctx.Kind() != reflect.Uintptr {
		return 0
	}
	return uintptr(ctx.Uint())
}
