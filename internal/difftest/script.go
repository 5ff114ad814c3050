package difftest

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redisctl/redisctl/engine/config"
	"github.com/redisctl/redisctl/resp"
)

// Run runs a written script on both servers and reports each mismatch (and each
// known difference, as a log line) on t. One command per line, arguments split by
// Redis's own rules (sdssplitargs: quotes and \x escapes). Lines:
//
//	// comment
//	SET k v                 run on the "main" link
//	@b PUBLISH ch hi        run on the link named b (connected on first use)
//	@a READ 2               read 2 pending messages (pub/sub) on link a and compare
//	SLEEP 120               wait 120 ms (both servers see the same elapsed time)
//	GET k  #type            compare only the reply types
//	SRANDMEMBER s -5  #skip run, compare nothing (volatile set-up)
//	HGETALL h  #pairs       compare as field => value pairs, whatever the encoding
//	SMEMBERS s  #unordered  compare as a multiset, whatever the encoding
//	PING x  #noreply        send without reading (after CLIENT REPLY OFF or SKIP)
//	@a BLPOP k 0  #block    send without reading and wait until a is blocked on both
//	                        servers; its reply is compared by a later "@a READ"
//	@a CLOSE                hang up link a (and wait until both servers dropped it)
//	CLIENT UNBLOCK @a       "@a" as an argument is link a's client id on each server
//
// Every other comparison follows the command's Rule. A line whose command redisctl
// does not implement is sent to neither server (counted in p.Skipped), so a script
// keeps both sides in the same state while the families land; a READ right after a
// skipped line is skipped too.
func (p *Pair) Run(t testing.TB, script string) {
	t.Helper()
	for n, line := range strings.Split(script, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "//") {
			continue
		}
		if err := p.runLine(t, line); err != nil {
			t.Fatalf("script line %d %q: %v", n+1, line, err)
		}
	}
}

func (p *Pair) runLine(t testing.TB, line string) error {
	t.Helper()
	linkName := "main"
	if strings.HasPrefix(line, "@") {
		sp := strings.IndexByte(line, ' ')
		if sp < 0 {
			return fmt.Errorf("a link name needs a command")
		}
		linkName, line = line[1:sp], strings.TrimSpace(line[sp+1:])
	}
	tag := ""
	for _, tg := range []string{"#type", "#skip", "#pairs", "#unordered", "#noreply", "#block"} {
		if strings.HasSuffix(line, tg) {
			tag, line = tg, strings.TrimSpace(strings.TrimSuffix(line, tg))
		}
	}
	args, err := config.SplitArgs(line)
	if err != nil || len(args) == 0 {
		return fmt.Errorf("cannot split: %v", err)
	}
	l, err := p.Link(linkName)
	if err != nil {
		return err
	}
	skippedBefore := p.lastSkipped
	p.lastSkipped = false
	switch strings.ToUpper(args[0]) {
	case "READ":
		if skippedBefore {
			// What it would read was not sent: the previous line was skipped.
			p.lastSkipped = true
			return nil
		}
		n := 1
		if len(args) > 1 {
			n, _ = strconv.Atoi(args[1])
		}
		res := p.ReadPending(l, n)
		if !res.OK {
			t.Errorf("@%s %s", linkName, res.Describe())
		}
		return nil
	case "SLEEP":
		ms, _ := strconv.Atoi(args[1])
		time.Sleep(time.Duration(ms) * time.Millisecond)
		return nil
	case "CLOSE":
		return p.Hangup(l)
	}
	b := bytesArgs(args)
	name := CommandName(b)
	if name != "(unknown)" && !p.Implemented[name] {
		p.Skipped[name]++
		p.lastSkipped = true
		return nil
	}
	if perSide, ok, err := p.linkIDArgs(args); err != nil {
		return err
	} else if ok {
		// "CLIENT UNBLOCK @a": each server gets a's id on that server.
		if res := p.DoPerSide(l, perSide); res.Known != nil {
			t.Logf("known difference (%s): %s", res.Known.Reason, res.Describe())
		} else if !res.OK {
			t.Errorf("%s", res.Describe())
		}
		return nil
	}
	if tag == "#block" {
		return p.SendBlocking(l, b)
	}
	if tag == "#noreply" {
		// CLIENT REPLY OFF/SKIP and what they silence: nothing is read; a stray reply
		// would show up as the answer to the next line.
		return p.SendOnly(l, b)
	}
	res := p.Do(l, b)
	if tag != "" && res.Err[Redis] == nil && res.Err[Ours] == nil {
		counted := res.Mismatch() // what p.Do counted in the coverage
		ok := true
		switch tag {
		case "#type":
			ok = res.R.Type == res.O.Type && res.R.IsNull() == res.O.IsNull()
		case "#pairs":
			ok = res.R.Equal(res.O) || samePairs(res.R, res.O)
		case "#unordered":
			ok = res.R.Equal(res.O) || sameMultiset(res.R, res.O)
		}
		res.OK, res.Rule, res.Why = ok, tag, ""
		if !ok {
			res.Why = "different under " + tag
		}
		res.Known = nil
		if !ok {
			res.Known = p.matchKnown(res)
		}
		if counted && p.Cov != nil {
			p.Cov.Reclassify(p.Source, res.Name, res.OK, res.Known != nil)
		}
	}
	prefix := ""
	if linkName != "main" {
		prefix = "@" + linkName + " "
	}
	switch {
	case res.Known != nil:
		t.Logf("known difference (%s): %s%s", res.Known.Reason, prefix, res.Describe())
	case !res.OK:
		t.Errorf("%s%s", prefix, res.Describe())
	}
	if res.Err[Redis] != nil || res.Err[Ours] != nil {
		if res.OK {
			// Both closed the connection (QUIT): open a new one for what follows.
			return p.Reconnect(l)
		}
		return fmt.Errorf("connection lost: %v / %v", res.Err[Redis], res.Err[Ours])
	}
	return nil
}

// sentinel ends a raw case: its PONG says the server has answered everything before it.
var sentinel = []byte("*1\r\n$4\r\nPING\r\n")

// RawCase sends payload on a fresh connection to each server (both at once), followed by
// a PING whose PONG marks the end, and collects each side's replies until that PONG,
// until the server closes the connection, or until wait passes: for protocol errors and
// inline commands. The PONG is not part of the outcome.
func (p *Pair) RawCase(payload []byte, wait time.Duration) (r, o Outcome, err error) {
	var out [2]Outcome
	var errs [2]error
	var wg sync.WaitGroup
	for s := range p.Addr {
		wg.Add(1)
		go func(s int) {
			defer wg.Done()
			c, err := Dial(p.Addr[s], 5*time.Second)
			if err != nil {
				errs[s] = err
				return
			}
			defer c.Close()
			if err := c.SendRaw(append(append([]byte{}, payload...), sentinel...)); err != nil {
				errs[s] = err
				return
			}
			deadline := time.Now().Add(wait)
			for {
				v, err := c.ReadWithin(time.Until(deadline))
				if err != nil {
					out[s].Closed = !errors.Is(err, os.ErrDeadlineExceeded)
					break
				}
				if v.Type == resp.TypeSimpleString && string(v.Str) == "PONG" {
					break
				}
				out[s].Replies = append(out[s].Replies, v)
			}
			out[s].Silent = len(out[s].Replies) == 0 && !out[s].Closed
		}(s)
	}
	wg.Wait()
	if errs[0] != nil {
		return r, o, errs[0]
	}
	return out[Redis], out[Ours], errs[1]
}

// SameOutcome compares two raw outcomes exactly.
func SameOutcome(r, o Outcome) bool {
	if r.Closed != o.Closed || len(r.Replies) != len(o.Replies) {
		return false
	}
	for i := range r.Replies {
		if !r.Replies[i].Equal(o.Replies[i]) {
			return false
		}
	}
	return true
}

// ShowOutcome renders an outcome for a message.
func ShowOutcome(o Outcome) string {
	var parts []string
	for _, v := range o.Replies {
		parts = append(parts, Show(v))
	}
	s := "[" + strings.Join(parts, " ; ") + "]"
	if o.Closed {
		s += " then closed"
	}
	return s
}
