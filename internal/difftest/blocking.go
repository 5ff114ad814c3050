package difftest

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redisctl/redisctl/resp"
)

// Blocking commands in scripts (BLPOP, BZPOPMIN, XREAD … BLOCK, …) need three things a
// one-reply-per-line script cannot express:
//
//	@a BLPOP k 0  #block    send on link a without reading, then wait (bounded) until
//	                        each server lists a's client as blocked (flag b), so the
//	                        next line runs against a blocked client on both sides
//	@a READ                 read and compare the reply when it comes (READ's bound)
//	@a CLOSE                hang up link a on both sides and wait until each server has
//	                        dropped the client (a client that disconnects while blocked)
//
// The waits poll CLIENT LIST ID on a control connection per server, both servers the
// same number of times.

// blockWait bounds how long a #block or CLOSE line waits for a server to agree (a
// command that is served or times out before the first probe costs the whole wait: use
// #block for commands that stay blocked until a later line).
const blockWait = 5 * time.Second

// clientIDs returns the link's client id on each side (CLIENT ID, asked once).
func (p *Pair) clientIDs(l *Link) ([2]int64, error) {
	if l.ids[Redis] != 0 && l.ids[Ours] != 0 {
		return l.ids, nil
	}
	r, o, err := p.Both(l, "CLIENT", "ID")
	if err != nil {
		return l.ids, err
	}
	for s, v := range [2]resp.Value{r, o} {
		if v.Type != resp.TypeInteger {
			return l.ids, fmt.Errorf("difftest: CLIENT ID on %s answered %s", SideName[s], Show(v))
		}
		l.ids[s] = v.Int
	}
	return l.ids, nil
}

// control returns the harness's own connection to side s (for polling only).
func (p *Pair) control(s int) (*Conn, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c := p.ctl[s]; c != nil && c.Broken() == nil {
		return c, nil
	}
	c, err := Dial(p.Addr[s], 5*time.Second)
	if err != nil {
		return nil, err
	}
	p.ctl[s] = c
	return c, nil
}

// clientFlags returns the flags= field of client id on side s, and whether the server
// still lists the client.
func (p *Pair) clientFlags(s int, id int64) (string, bool, error) {
	c, err := p.control(s)
	if err != nil {
		return "", false, err
	}
	v, err := c.Do("CLIENT", "LIST", "ID", strconv.FormatInt(id, 10))
	if err != nil {
		return "", false, err
	}
	line := v.Str
	if len(bytes.TrimSpace(line)) == 0 {
		return "", false, nil
	}
	i := bytes.Index(line, []byte(" flags="))
	if i < 0 {
		return "", true, nil
	}
	f := line[i+len(" flags="):]
	if j := bytes.IndexByte(f, ' '); j >= 0 {
		f = f[:j]
	}
	return string(f), true, nil
}

// SendBlocking sends a command expected to block to both sides without reading its
// reply, then waits until each server shows the client blocked (or blockWait passes:
// a command that did not block after all is read by a later READ line). It is counted
// in the coverage as a success; the reply is compared by READ. The two servers are
// probed in lockstep, the same number of times, so INFO commandstats and the slowlog
// stay comparable.
func (p *Pair) SendBlocking(l *Link, args [][]byte) error {
	ids, err := p.clientIDs(l)
	if err != nil {
		return err
	}
	if err := p.SendOnly(l, args); err != nil {
		return err
	}
	return p.probeUntil(ids, func(flags string, listed bool) bool {
		return !listed || strings.IndexByte(flags, 'b') >= 0
	}, false)
}

// probeUntil probes both servers' client ids[s] in lockstep until done holds for both
// (or blockWait passes: an error when must).
func (p *Pair) probeUntil(ids [2]int64, done func(flags string, listed bool) bool, must bool) error {
	deadline := time.Now().Add(blockWait)
	for {
		all := true
		for s := range ids {
			flags, listed, err := p.clientFlags(s, ids[s])
			if err != nil {
				return err
			}
			if !done(flags, listed) {
				all = false
			}
		}
		if all {
			return nil
		}
		if time.Now().After(deadline) {
			if must {
				return fmt.Errorf("difftest: the servers did not agree within %v", blockWait)
			}
			return nil
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// Hangup closes a link on both sides and waits until each server no longer lists its
// client.
func (p *Pair) Hangup(l *Link) error {
	ids, err := p.clientIDs(l)
	if err != nil {
		return err
	}
	p.mu.Lock()
	delete(p.links, l.Name)
	p.mu.Unlock()
	for s := range l.C {
		l.C[s].Close()
	}
	return p.probeUntil(ids, func(_ string, listed bool) bool { return !listed }, true)
}

// DoPerSide runs a command whose arguments differ between the sides (a client id) on
// link l, and compares the replies exactly. It is counted in the coverage under the
// name of the Redis side's arguments.
func (p *Pair) DoPerSide(l *Link, args [2][][]byte) *Result {
	res := &Result{Link: l, Args: args[Redis], Name: CommandName(args[Redis])}
	var got [2]resp.Value
	for s := range l.C {
		if res.Err[s] = l.C[s].Send(args[s]); res.Err[s] == nil {
			got[s], res.Err[s] = l.C[s].Read()
		}
	}
	res.R, res.O = got[Redis], got[Ours]
	if res.Err[Redis] != nil || res.Err[Ours] != nil {
		res.Why = "a side did not answer"
	} else if res.OK = res.R.Equal(res.O); !res.OK {
		res.Why = "different replies"
	}
	if !res.OK {
		res.Known = p.matchKnown(res)
	}
	if p.Cov != nil {
		p.Cov.Add(p.Source, res)
	}
	return res
}

// linkIDArgs replaces every argument "@name" of args by that link's client id on each
// side, in CLIENT commands (CLIENT UNBLOCK @a, CLIENT KILL ID @a, CLIENT LIST ID @a). ok
// is false when no argument names a link.
func (p *Pair) linkIDArgs(args []string) (out [2][][]byte, ok bool, err error) {
	for s := range out {
		out[s] = bytesArgs(args)
	}
	if len(args) < 3 || !strings.EqualFold(args[0], "client") {
		return out, false, nil
	}
	for i, a := range args {
		if i == 0 || len(a) < 2 || a[0] != '@' {
			continue
		}
		target, err := p.Link(a[1:])
		if err != nil {
			return out, false, err
		}
		ids, err := p.clientIDs(target)
		if err != nil {
			return out, false, err
		}
		for s := range out {
			out[s][i] = []byte(strconv.FormatInt(ids[s], 10))
		}
		ok = true
	}
	return out, ok, nil
}
