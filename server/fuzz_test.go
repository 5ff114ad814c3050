package server

import (
	"bytes"
	"io"
	"testing"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/resp"
)

// FuzzServerCommands runs the server's own commands with arbitrary arguments on a client
// without a connection (as a script or AOF client would be): no input may panic, and
// every command must write a complete reply.
func FuzzServerCommands(f *testing.F) {
	seeds := [][]string{
		{"HELLO", "3", "AUTH", "default", "x", "SETNAME", "n"},
		{"CLIENT", "KILL", "ID", "1", "TYPE", "pubsub", "SKIPME", "no"},
		{"CLIENT", "LIST", "ID", "1", "2"},
		{"CLIENT", "REPLY", "SKIP"},
		{"CONFIG", "SET", "maxmemory", "1mb", "hz", "100"},
		{"CONFIG", "GET", "*max*"},
		{"COMMAND", "GETKEYS", "SET", "k", "v"},
		{"COMMAND", "LIST", "FILTERBY", "PATTERN", "c*"},
		{"SUBSCRIBE", "a", "b"},
		{"UNSUBSCRIBE"},
		{"PUBSUB", "NUMSUB", "a"},
		{"SLOWLOG", "GET", "-1"},
		{"LATENCY", "HISTOGRAM", "ping"},
		{"INFO", "everything"},
		{"DEBUG", "PROTOCOL", "map"},
		{"DEBUG", "OBJECT", "k"},
		{"WAIT", "1", "0"},
		{"AUTH", "a", "b"},
		{"RESET"},
		{"CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "a", "PREFIX", "b", "PREFIX", "bc", "NOLOOP"},
		{"CLIENT", "TRACKING", "on", "REDIRECT", "1", "OPTIN"},
		{"CLIENT", "CACHING", "yes"},
		{"CLIENT", "TRACKINGINFO"},
	}
	for _, s := range seeds {
		f.Add(bytes.Join(toBytes(s), []byte{0}))
	}
	srv, err := New(Options{Log: io.Discard})
	if err != nil {
		f.Fatal(err)
	}
	allowed := map[string]bool{}
	for _, c := range Commands() {
		allowed[c.Name] = true
	}
	// These would stop, stall or rewire the shared server.
	for _, n := range []string{"shutdown", "monitor", "quit"} {
		delete(allowed, n)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		args := bytes.Split(data, []byte{0})
		if len(args) == 0 || len(args) > 64 || !allowed[string(bytes.ToLower(args[0]))] {
			return
		}
		lower := bytes.ToLower(args[0])
		if string(lower) == "debug" && len(args) > 1 && bytes.EqualFold(args[1], []byte("sleep")) {
			return
		}
		if string(lower) == "client" && len(args) > 1 && bytes.EqualFold(args[1], []byte("pause")) {
			return
		}
		if string(lower) == "config" && len(args) > 1 && (bytes.EqualFold(args[1], []byte("set")) || bytes.EqualFold(args[1], []byte("rewrite"))) {
			return // real side effects on ports, files and the log level
		}
		var out bytes.Buffer
		w := resp.NewWriter(&out)
		e := srv.Engine()
		e.Lock()
		c := e.NewClient(w)
		c.Authenticated = true
		e.Exec(c, args)
		e.FreeClient(c)
		e.Unlock()
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		rd := resp.NewReplyReader(bytes.NewReader(out.Bytes()))
		for {
			_, err := rd.ReadValue()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%q: incomplete or bad reply %q: %v", args, out.Bytes(), err)
			}
		}
	})
}

func toBytes(s []string) [][]byte {
	out := make([][]byte, len(s))
	for i, a := range s {
		out[i] = []byte(a)
	}
	return out
}

var _ = engine.ClientPubSub
