// Package enginetest runs commands against an in-process engine for unit tests: no server,
// no sockets. Replies are parsed back into resp.Values.
//
// It must only be imported by tests.
package enginetest

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/resp"
)

// Harness is an engine with one client.
type Harness struct {
	t    testing.TB
	E    *engine.Engine
	C    *engine.Client
	out  bytes.Buffer
	W    *resp.Writer
	now  time.Time
	real bool
}

// New builds an engine with the core commands plus the given command lists.
func New(t testing.TB, families ...[]*engine.Command) *Harness {
	tbl := engine.NewTable()
	tbl.Register(engine.CoreCommands()...)
	for _, f := range families {
		tbl.Register(f...)
	}
	h := &Harness{t: t, now: time.UnixMilli(1_700_000_000_000)}
	h.E = engine.New(engine.DefaultSettings(), tbl)
	h.E.SetClock(func() time.Time { return h.now })
	h.W = resp.NewWriter(&h.out)
	h.E.Lock()
	h.C = h.E.NewClient(h.W)
	h.C.Authenticated = true
	h.E.Unlock()
	return h
}

// RealClock makes the engine follow the wall clock (for comparisons with a real server).
func (h *Harness) RealClock() {
	h.real = true
	h.E.SetClock(time.Now)
}

// Advance moves the engine's clock forward.
func (h *Harness) Advance(d time.Duration) { h.now = h.now.Add(d) }

// SetProto switches the client's protocol (2 or 3).
func (h *Harness) SetProto(v int) { h.W.SetProtocol(v) }

// Do runs one command (arguments as strings) and returns its reply.
func (h *Harness) Do(args ...string) resp.Value {
	h.t.Helper()
	b := make([][]byte, len(args))
	for i, a := range args {
		b[i] = []byte(a)
	}
	return h.DoBytes(b...)
}

// DoBytes runs one command and returns its reply.
func (h *Harness) DoBytes(args ...[]byte) resp.Value {
	h.t.Helper()
	h.E.Lock()
	h.E.Exec(h.C, args)
	h.E.Unlock()
	if err := h.W.Flush(); err != nil {
		h.t.Fatalf("flush: %v", err)
	}
	r := resp.NewReplyReader(&h.out)
	v, err := r.ReadValue()
	if err != nil {
		h.t.Fatalf("%s: reading reply: %v", strings.Join(toStrings(args), " "), err)
	}
	if h.out.Len() != 0 {
		h.t.Fatalf("%s: more than one reply (%q left)", strings.Join(toStrings(args), " "), h.out.String())
	}
	h.out.Reset()
	return v
}

// Text runs a command and renders its reply as redis-cli would.
func (h *Harness) Text(args ...string) string {
	h.t.Helper()
	return h.Do(args...).String()
}

func toStrings(b [][]byte) []string {
	out := make([]string, len(b))
	for i, a := range b {
		out[i] = string(a)
	}
	return out
}
