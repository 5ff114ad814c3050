package difftest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"time"

	"github.com/redisctl/redisctl/resp"
)

// DefaultReplyTimeout bounds the wait for one reply. A server that does not answer
// within it is reported as a mismatch ("no reply"), never waited on longer.
const DefaultReplyTimeout = 10 * time.Second

// Conn is one raw RESP connection to a server: commands go out as RESP multibulks (or
// raw bytes), replies come back as resp.Values. It speaks no client library, so what is
// compared is exactly what the server sent. A read error (timeout, closed connection,
// unparsable reply) is sticky: the connection is then Broken and must be replaced.
type Conn struct {
	Addr    string
	Timeout time.Duration

	nc  net.Conn
	bw  *bufio.Writer
	rd  *resp.ReplyReader
	buf []byte
	err error
}

// Dial connects to addr (a loopback "host:port"), bounded by timeout.
func Dial(addr string, timeout time.Duration) (*Conn, error) {
	nc, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return nil, fmt.Errorf("difftest: dial %s: %w", addr, err)
	}
	return &Conn{Addr: addr, Timeout: DefaultReplyTimeout, nc: nc, bw: bufio.NewWriter(nc),
		rd: resp.NewReplyReader(nc)}, nil
}

// Broken returns the sticky error that made the connection unusable, or nil.
func (c *Conn) Broken() error { return c.err }

// Send writes one command as a RESP multibulk and flushes it.
func (c *Conn) Send(args [][]byte) error {
	c.buf = resp.AppendCommand(c.buf[:0], args...)
	return c.SendRaw(c.buf)
}

// SendRaw writes bytes as they are (inline commands, protocol errors) and flushes.
func (c *Conn) SendRaw(b []byte) error {
	if c.err != nil {
		return c.err
	}
	_ = c.nc.SetWriteDeadline(time.Now().Add(c.timeout()))
	if _, err := c.bw.Write(b); err != nil {
		c.err = fmt.Errorf("difftest: write to %s: %w", c.Addr, err)
		return c.err
	}
	if err := c.bw.Flush(); err != nil {
		c.err = fmt.Errorf("difftest: write to %s: %w", c.Addr, err)
		return c.err
	}
	return nil
}

// Read reads one reply, waiting at most the connection's timeout.
func (c *Conn) Read() (resp.Value, error) { return c.ReadWithin(c.timeout()) }

// ReadWithin reads one reply, waiting at most d.
func (c *Conn) ReadWithin(d time.Duration) (resp.Value, error) {
	if c.err != nil {
		return resp.Value{}, c.err
	}
	_ = c.nc.SetReadDeadline(time.Now().Add(d))
	v, err := c.rd.ReadValue()
	if err != nil {
		switch {
		case errors.Is(err, io.EOF), errors.Is(err, syscall.ECONNRESET):
			c.err = fmt.Errorf("difftest: %s closed the connection: %w", c.Addr, err)
		case errors.Is(err, os.ErrDeadlineExceeded):
			c.err = fmt.Errorf("difftest: no reply from %s within %v: %w", c.Addr, d, err)
		default:
			c.err = fmt.Errorf("difftest: reading from %s: %w", c.Addr, err)
		}
		return resp.Value{}, c.err
	}
	return v, nil
}

// Do sends one command and reads its reply.
func (c *Conn) Do(args ...string) (resp.Value, error) {
	if err := c.Send(bytesArgs(args)); err != nil {
		return resp.Value{}, err
	}
	return c.Read()
}

// Outcome is what a connection does after a request in a bounded window: the replies it
// sent, and whether it then closed the connection. Protocol-error cases compare it.
type Outcome struct {
	Replies []resp.Value
	Closed  bool
	// Silent is true when nothing at all arrived and the connection stayed open.
	Silent bool
}

// Drain reads replies until the server closes the connection or sends nothing for
// quiet (the connection is broken afterwards: use it for protocol-error probes only).
func (c *Conn) Drain(quiet time.Duration, max int) Outcome {
	var o Outcome
	for len(o.Replies) < max {
		v, err := c.ReadWithin(quiet)
		if err != nil {
			o.Closed = !errors.Is(err, os.ErrDeadlineExceeded)
			break
		}
		o.Replies = append(o.Replies, v)
	}
	o.Silent = len(o.Replies) == 0 && !o.Closed
	return o
}

// Close closes the socket.
func (c *Conn) Close() error { return c.nc.Close() }

func (c *Conn) timeout() time.Duration {
	if c.Timeout <= 0 {
		return DefaultReplyTimeout
	}
	return c.Timeout
}

func bytesArgs(args []string) [][]byte {
	b := make([][]byte, len(args))
	for i, a := range args {
		b[i] = []byte(a)
	}
	return b
}

func timedOutErr(err error) bool { return errors.Is(err, os.ErrDeadlineExceeded) }
