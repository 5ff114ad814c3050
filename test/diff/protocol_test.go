package diff_test

import (
	"strings"
	"testing"
	"time"

	"github.com/redisctl/redisctl/internal/difftest"
)

// protocolCases are raw requests: inline commands and protocol errors. Each is sent on
// a fresh connection, followed by a PING; the replies before its PONG and whether the
// server closed the connection must be the same.
var protocolCases = []struct {
	name    string
	payload string
}{
	{"inline ping", "PING\r\n"},
	{"inline set get", "SET k \"a b\"\r\nGET k\r\n"},
	{"inline single quotes", "ECHO 'it''s'\r\nECHO 'x\\'y'\r\n"},
	{"inline escapes", "ECHO \"\\x41\\n\\t\"\r\n"},
	{"inline LF only", "PING\nECHO x\n"},
	{"inline empty lines", "\r\n\r\n   \r\nPING\r\n"},
	{"inline tabs", "ECHO\ta\r\n"},
	{"inline unknown", "NOSUCH a b\r\n"},
	{"inline arity", "GET\r\n"},
	{"inline unbalanced quotes", "ECHO \"abc\r\n"},
	{"inline quote then char", "ECHO \"a\"b\r\n"},
	{"inline quit", "QUIT\r\n"},
	{"multibulk zero", "*0\r\n"},
	{"multibulk negative", "*-1\r\n"},
	{"multibulk bad length", "*abc\r\n"},
	{"multibulk too big", "*2147483648\r\n"},
	{"bulk expected dollar", "*1\r\nPING\r\n"},
	{"bulk bad length", "*1\r\n$abc\r\n"},
	{"bulk negative length", "*1\r\n$-1\r\n"},
	{"bulk too long", "*1\r\n$600000000\r\n"},
	{"bulk name with space", "*1\r\n$5\r\nFOO B\r\n"},
	{"dollar at top level", "$4\r\nPING\r\n"},
	{"pipelined mix", "*1\r\n$4\r\nPING\r\nECHO inline\r\n*2\r\n$4\r\nECHO\r\n$5\r\nmulti\r\n"},
	{"long unknown args", "*3\r\n$6\r\nNOSUCH\r\n$200\r\n" + strings.Repeat("a", 200) + "\r\n$1\r\nb\r\n"},
	{"many args", "*12\r\n$4\r\nMGET\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nf\r\n$1\r\ng\r\n$1\r\nh\r\n$1\r\ni\r\n$1\r\nj\r\n$1\r\nk\r\n"},
	{"big inline", strings.Repeat("a", 70000) + "\r\n"},
}

func testProtocol(t *testing.T) {
	p := startPair(t, difftest.SourceWritten)
	for _, tc := range protocolCases {
		r, o, err := p.RawCase([]byte(tc.payload), 2*time.Second)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !difftest.SameOutcome(r, o) {
			if k := knownRaw(tc.name); k != "" {
				t.Logf("known difference (%s): %s:\n  redis:    %s\n  redisctl: %s", k, tc.name,
					difftest.ShowOutcome(r), difftest.ShowOutcome(o))
				continue
			}
			t.Errorf("%s (%q):\n  redis:    %s\n  redisctl: %s", tc.name, short(tc.payload),
				difftest.ShowOutcome(r), difftest.ShowOutcome(o))
		}
	}
}

func short(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}
