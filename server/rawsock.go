package server

import (
	"syscall"
	"unsafe"

	"github.com/redisctl/redisctl/resp"
)

// rawSock is a client socket served by the event loop: a descriptor of its own, on the
// loop's epoll instance only. The connection's net.Conn was closed after the descriptor
// was duplicated, so Go's netpoller does not watch it too (each of its packets would
// otherwise wake both epoll instances, and the scheduler's netpoll would collect events
// nobody waits for). When the connection leaves the loop it gets a net.Conn again
// (toNetSock).
//
// Read and the loop's flush (nbWrite) never wait. A Write by anyone else (the flusher
// of pub/sub messages, a BUSY answer) waits for room with poll(2), blocking its thread.
type rawSock struct {
	fd      int
	drained bool // the last read emptied the socket: the next bytes come with an edge
	nbWrite bool // the loop's flush: Write returns resp.ErrWouldBlock instead of waiting
}

// Hold runs loop plainly: a raw socket is never held (a connection leaving the loop gets
// a netSock first).
func (s *rawSock) Hold(loop func()) { loop() }

func (s *rawSock) Read(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	n, drained, err := recvNow(s.fd, b)
	s.drained = drained
	return n, err
}

func (s *rawSock) Write(b []byte) (int, error) {
	n := 0
	for {
		k, err := sendNow(s.fd, b[n:])
		n += k
		if err != resp.ErrWouldBlock || s.nbWrite {
			return n, err
		}
		if err := s.waitWritable(); err != nil {
			return n, err
		}
	}
}

// waitWritable blocks the calling thread in poll(2) until the socket has room (or is
// shut down: the next write then fails).
func (s *rawSock) waitWritable() error {
	fds := [1]struct {
		fd      int32
		events  int16
		revents int16
	}{{fd: int32(s.fd), events: 0x4}} // POLLOUT
	for {
		_, _, errno := syscall.Syscall6(syscall.SYS_PPOLL, uintptr(unsafe.Pointer(&fds[0])), 1, 0, 0, 0, 0)
		if errno == syscall.EINTR {
			continue
		}
		if errno != 0 {
			return errno
		}
		return nil
	}
}

// Shutdown: the owner closes the descriptor only after the client is freed (teardown),
// and the others call Shutdown under the engine lock on a client not yet freed, or under
// wmu before teardown takes it, so the descriptor is still this socket's.
func (s *rawSock) Shutdown() { _ = syscall.Shutdown(s.fd, syscall.SHUT_RDWR) }

func (s *rawSock) Close() error { return syscall.Close(s.fd) }

func (s *rawSock) PeerClosed() bool { return peerClosed(s.fd) }
