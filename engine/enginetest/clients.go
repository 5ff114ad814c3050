package enginetest

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/internal/redistest"
	"github.com/redisctl/redisctl/resp"
)

// NewClient returns a Harness for a further client of the same engine (its own Client,
// selected database, MULTI/WATCH state and reply buffer): WATCH across clients, pub/sub
// receivers. The clock stays the first harness's: call Advance on that one.
func (h *Harness) NewClient() *Harness {
	h.t.Helper()
	c := &Harness{t: h.t, E: h.E, now: h.now, real: h.real}
	c.W = resp.NewWriter(&c.out)
	h.E.Lock()
	c.C = h.E.NewClient(c.W)
	c.C.Authenticated = true
	h.E.Unlock()
	h.t.Cleanup(func() {
		h.E.Lock()
		h.E.FreeClient(c.C)
		h.E.Unlock()
	})
	return c
}

// Pushed returns every reply written to this client outside of its own commands (published
// messages, keyspace notifications) since the last call.
func (h *Harness) Pushed() []resp.Value {
	h.t.Helper()
	h.E.Lock()
	err := h.W.Flush()
	h.E.Unlock()
	if err != nil {
		h.t.Fatalf("flush: %v", err)
	}
	data := bytes.NewReader(h.out.Bytes())
	r := resp.NewReplyReader(data)
	var out []resp.Value
	for {
		v, err := r.ReadValue()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			h.t.Fatalf("reading pushed replies: %v", err)
		}
		out = append(out, v)
	}
	h.out.Reset()
	return out
}

// NewConn opens a further connection to the same redis-server.
func (o *Oracle) NewConn() *Oracle {
	o.t.Helper()
	conn, err := net.DialTimeout("tcp", o.Srv.Addr, 5*time.Second)
	if err != nil {
		o.t.Fatalf("dial oracle: %v", err)
	}
	o.t.Cleanup(func() { conn.Close() })
	return &Oracle{t: o.t, Srv: o.Srv, conn: conn, r: resp.NewReplyReader(conn), bw: bufio.NewWriter(conn)}
}

// Pushed returns the replies the server sent on this connection without a command
// (published messages): it sends a PING and collects everything before its answer. On a
// RESP2 subscriber connection the PING answer is ["pong", ""].
func (o *Oracle) Pushed() []resp.Value {
	o.t.Helper()
	_ = o.conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := o.bw.Write(resp.AppendCommand(nil, []byte("PING"))); err != nil {
		o.t.Fatalf("oracle write: %v", err)
	}
	if err := o.bw.Flush(); err != nil {
		o.t.Fatalf("oracle flush: %v", err)
	}
	var out []resp.Value
	for {
		v, err := o.r.ReadValue()
		if err != nil {
			o.t.Fatalf("oracle read: %v", err)
		}
		if v.Type == resp.TypeSimpleString && string(v.Str) == "PONG" {
			return out
		}
		if len(v.Elems) == 2 && string(v.Elems[0].Str) == "pong" {
			return out
		}
		out = append(out, v)
	}
}

// NewClient returns a Pair for a second client on both sides: a new engine client and a
// new connection to the same redis-server.
func (p *Pair) NewClient() *Pair {
	return &Pair{t: p.t, H: p.H.NewClient(), O: p.O.NewConn()}
}

// NewPairWith is NewPair with options for the oracle's redis-server (for example
// redistest.WithArgs("--enable-debug-command", "yes")).
func NewPairWith(t testing.TB, opts []redistest.Option, families ...[]*engine.Command) *Pair {
	h := New(t, families...)
	h.RealClock()
	return &Pair{t: t, H: h, O: NewOracle(t, opts...)}
}
