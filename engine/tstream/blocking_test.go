package tstream_test

import (
	"bytes"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/engine/tstream"
	"github.com/redisctl/redisctl/engine/tstring"
	"github.com/redisctl/redisctl/resp"
)

// TestServeBlockedAgainstRedis blocks a client in XREAD / XREADGROUP on the real server
// and compares what it receives when an XADD arrives with what ServeBlocked writes for
// the request BlockHook captured.
func TestServeBlockedAgainstRedis(t *testing.T) {
	var saved *tstream.BlockRequest
	serve := &engine.Command{Name: "testserveblocked", Arity: 2, Flags: engine.FlagWrite, Fn: func(x *engine.Ctx) {
		o := x.DB.LookupWrite(x.Args[1])
		if o == nil || !tstream.ServeBlocked(x, x.Args[1], o, saved) {
			x.W.WriteSimpleString("NOT SERVED")
		}
	}}
	h := enginetest.New(t, tstream.Commands(), tstring.Commands(), []*engine.Command{serve})
	h.RealClock()
	o := enginetest.NewOracle(t)
	tstream.BlockHook = func(x *engine.Ctx, req *tstream.BlockRequest) bool {
		cp := *req
		cp.Keys = nil
		for _, k := range req.Keys {
			cp.Keys = append(cp.Keys, bytes.Clone(k))
		}
		cp.Group, cp.Consumer = bytes.Clone(req.Group), bytes.Clone(req.Consumer)
		saved = &cp
		x.W.WriteSimpleString("BLOCKED") // the harness expects one reply per command
		return true
	}
	defer func() { tstream.BlockHook = nil }()

	both := func(args ...string) {
		t.Helper()
		w, g := o.Do(args...), h.Do(args...)
		if w.String() != g.String() {
			t.Fatalf("%v: redis %s, here %s", args, w.String(), g.String())
		}
	}
	both("XADD", "s", "1-1", "a", "1")
	both("XGROUP", "CREATE", "s", "g", "$")
	for _, tc := range []struct{ block, add []string }{
		{[]string{"XREAD", "BLOCK", "0", "STREAMS", "s", "$"}, []string{"XADD", "s", "2-1", "a", "2"}},
		{[]string{"XREAD", "COUNT", "1", "BLOCK", "0", "STREAMS", "x", "s", "0", "2-1"}, []string{"XADD", "s", "3-1", "a", "3"}},
		{[]string{"XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">"}, nil},
		{[]string{"XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">"}, []string{"XADD", "s", "4-1", "a", "4"}},
		{[]string{"XREADGROUP", "GROUP", "g", "bob", "NOACK", "COUNT", "5", "BLOCK", "0", "STREAMS", "s", ">"}, []string{"XADD", "s", "5-1", "a", "5"}},
	} {
		conn, err := net.Dial("tcp", o.Srv.Addr)
		if err != nil {
			t.Fatal(err)
		}
		args := make([][]byte, len(tc.block))
		for i, a := range tc.block {
			args[i] = []byte(a)
		}
		if _, err := conn.Write(resp.AppendCommand(nil, args...)); err != nil {
			t.Fatal(err)
		}
		saved = nil
		if tc.add == nil {
			// Served at once: compare directly.
			r := resp.NewReplyReader(conn)
			want, _ := r.ReadValue()
			got := h.Do(tc.block...)
			if !similar(want, got, nil, nil) {
				t.Fatalf("%v: redis %s, here %s", tc.block, want.String(), got.String())
			}
			conn.Close()
			continue
		}
		h.Do(tc.block...)
		if saved == nil {
			t.Fatalf("%v did not block", tc.block)
		}
		time.Sleep(50 * time.Millisecond)
		both(tc.add...)
		_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
		want, err := resp.NewReplyReader(conn).ReadValue()
		if err != nil {
			t.Fatal(err)
		}
		got := h.Do("testserveblocked", tc.add[1])
		if !similar(want, got, nil, nil) {
			t.Errorf("%s then %s:\n  redis %s\n  here  %s", strings.Join(tc.block, " "), strings.Join(tc.add, " "),
				want.String(), got.String())
		}
		conn.Close()
	}
	for _, args := range [][]string{{"XINFO", "STREAM", "s", "FULL"}, {"XINFO", "GROUPS", "s"}} {
		w, g := o.Do(args...), h.Do(args...)
		if !similar(w, g, nil, nil) {
			t.Errorf("%v: redis %s, here %s", args, w.String(), g.String())
		}
	}
}
