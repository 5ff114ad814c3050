package server

import (
	"strings"
	"testing"
	"time"

	"github.com/redisctl/redisctl/resp"
)

// TestBusyScript: while a script runs past busy-reply-threshold, other connections (one
// already open, one opened during the script) get BUSY without waiting for the engine
// lock; SCRIPT KILL stops it; a script that wrote is UNKILLABLE; FUNCTION KILL and
// FUNCTION STATS serve a busy function. Run it with -race: these paths are lock-free.
func TestBusyScript(t *testing.T) {
	s := startServer(t, "--busy-reply-threshold", "50")
	a, b := dial(t, s.addr), dial(t, s.addr)
	if got := b.str("PING"); got != "PONG" {
		t.Fatalf("PING: %s", got)
	}
	a.send(string(resp.AppendCommandString(nil, "EVAL", "local i = 0 while true do i = i + 1 end", "0")))
	time.Sleep(150 * time.Millisecond)
	if got := b.str("PING"); !strings.HasPrefix(got, "(error) BUSY") || !strings.Contains(got, "SCRIPT KILL") {
		t.Fatalf("PING during a busy script: %s", got)
	}
	c := dial(t, s.addr) // connected while the script runs: served before registration
	if got := c.str("GET", "x"); !strings.HasPrefix(got, "(error) BUSY") {
		t.Fatalf("GET from a new connection: %s", got)
	}
	if got := c.str("FUNCTION", "KILL"); !strings.HasPrefix(got, "(error) BUSY") {
		t.Fatalf("FUNCTION KILL during EVAL: %s", got)
	}
	if got := b.str("SCRIPT", "KILL"); got != "OK" {
		t.Fatalf("SCRIPT KILL: %s", got)
	}
	if got := a.read().String(); !strings.Contains(got, "Script killed by user with SCRIPT KILL...") {
		t.Fatalf("killed script's reply: %s", got)
	}
	if got := c.str("PING"); got != "PONG" {
		t.Fatalf("PING after the kill: %s", got)
	}

	// A script that wrote cannot be killed; it ends by itself here.
	a.send(string(resp.AppendCommandString(nil, "EVAL",
		"redis.call('set','w','1') local i = 0 while i < 500000 do i = i + 1 end return i", "0")))
	time.Sleep(100 * time.Millisecond)
	if got := b.str("SCRIPT", "KILL"); !strings.HasPrefix(got, "(error) UNKILLABLE") && got != "(error) NOTBUSY No scripts in execution right now." {
		t.Fatalf("SCRIPT KILL of a script that wrote: %s", got)
	}
	if got := a.read().String(); got != "(integer) 500000" {
		t.Fatalf("unkillable script's reply: %s", got)
	}

	// Functions: FUNCTION STATS shows the running one, FUNCTION KILL stops it.
	if got := b.str("FUNCTION", "LOAD", "#!lua name=spin\nredis.register_function('spin', function() local i = 0 while true do i = i + 1 end end)"); got != `"spin"` {
		t.Fatalf("FUNCTION LOAD: %s", got)
	}
	a.send(string(resp.AppendCommandString(nil, "FCALL", "spin", "0")))
	time.Sleep(150 * time.Millisecond)
	if got := b.str("PING"); !strings.Contains(got, "FUNCTION KILL") {
		t.Fatalf("PING during a busy function: %s", got)
	}
	if got := b.str("FUNCTION", "STATS"); !strings.Contains(got, `"spin"`) || !strings.Contains(got, "duration_ms") {
		t.Fatalf("FUNCTION STATS: %s", got)
	}
	if got := b.str("FUNCTION", "KILL"); got != "OK" {
		t.Fatalf("FUNCTION KILL: %s", got)
	}
	if got := a.read().String(); !strings.Contains(got, "Script killed by user") {
		t.Fatalf("killed function's reply: %s", got)
	}
	if got := b.str("SCRIPT", "KILL"); got != "(error) NOTBUSY No scripts in execution right now." {
		t.Fatalf("SCRIPT KILL with nothing running: %s", got)
	}
}
