package difftest

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redisctl/redisctl/engine/cmdspec"
	"github.com/redisctl/redisctl/resp"
)

// The two sides of a Pair.
const (
	Redis = 0 // the real redis-server, the oracle
	Ours  = 1 // redisctl serve
)

// SideName names a side in messages.
var SideName = [2]string{"redis", "redisctl"}

// Pair is the same client connected to two servers: every command goes to both, and the
// replies must be the same, or differ only as a written-down Rule allows. Commands are
// grouped into Links (named connections, one socket per side) so that pub/sub, WATCH and
// CLIENT tests can use several clients.
type Pair struct {
	Addr [2]string
	// Cov receives one count per command run (nil: not counted).
	Cov *Coverage
	// Source is where coverage counts go: SourceWritten or SourceRandom.
	Source Source
	// Known lists the mismatches accepted on purpose (see KnownDiff).
	Known []*KnownDiff
	// Implemented holds the names (as COMMAND LIST prints them, "client|list" for a
	// subcommand) of the commands redisctl serves: the random generator only uses these,
	// and script lines for other commands are skipped (on both sides).
	Implemented map[string]bool
	// Skipped counts script lines not sent because redisctl lacks the command.
	Skipped     map[string]int
	lastSkipped bool

	mu    sync.Mutex
	links map[string]*Link
	ctl   [2]*Conn // the harness's polling connections (blocking.go)
}

// Link is one client connected to both servers, with the connection state a reply
// depends on, tracked from Redis's replies.
type Link struct {
	Name  string
	C     [2]*Conn
	Proto int
	DB    int
	// InMulti is true between MULTI and EXEC/DISCARD; Queued holds the commands Redis
	// answered QUEUED (EXEC's reply is compared element by element with their rules).
	InMulti bool
	Queued  [][][]byte
	// Subscriptions (channels, patterns, shard channels), from the replies.
	Channels, Patterns, Shards map[string]bool
	// Monitor is set once MONITOR succeeded: the link then receives the feed.
	Monitor bool
	// ids are the link's client ids (CLIENT ID), asked by blocking lines; 0 = unknown.
	ids [2]int64
}

// Subscribed reports whether the link is in the pub/sub context.
func (l *Link) Subscribed() bool {
	return len(l.Channels)+len(l.Patterns)+len(l.Shards) > 0
}

// NewPair connects the "main" link to both servers and asks redisctl which commands it
// implements (COMMAND LIST).
func NewPair(redisAddr, oursAddr string) (*Pair, error) {
	p := &Pair{Addr: [2]string{redisAddr, oursAddr}, links: map[string]*Link{},
		Skipped: map[string]int{}}
	l, err := p.Link("main")
	if err != nil {
		return nil, err
	}
	// Sent to both so that both servers have seen the same commands (CLIENT LIST's cmd=,
	// SLOWLOG ids, LATENCY HISTOGRAM, INFO commandstats).
	_, v, err := p.Both(l, "COMMAND", "LIST")
	if err != nil {
		return nil, err
	}
	if v.IsError() || !isAggregate(v) {
		return nil, fmt.Errorf("difftest: COMMAND LIST on redisctl answered %s", Show(v))
	}
	p.Implemented = map[string]bool{}
	for _, e := range v.Elems {
		p.Implemented[strings.ToLower(string(e.Str))] = true
	}
	return p, nil
}

// Link returns the named link, connecting it on first use (RESP2, db 0).
func (p *Pair) Link(name string) (*Link, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if l := p.links[name]; l != nil {
		return l, nil
	}
	l := &Link{Name: name, Proto: 2}
	for s := range p.Addr {
		c, err := Dial(p.Addr[s], 5*time.Second)
		if err != nil {
			if s == Ours {
				l.C[Redis].Close()
			}
			return nil, err
		}
		l.C[s] = c
	}
	l.resetSubs()
	p.links[name] = l
	return l, nil
}

// Reconnect replaces a link's sockets (after a broken connection), restoring its
// protocol and database.
func (p *Pair) Reconnect(l *Link) error {
	for s := range l.C {
		l.C[s].Close()
		c, err := Dial(p.Addr[s], 5*time.Second)
		if err != nil {
			return err
		}
		l.C[s] = c
	}
	proto, db := l.Proto, l.DB
	l.Proto, l.DB, l.InMulti, l.Queued = 2, 0, false, nil
	l.ids = [2]int64{}
	l.resetSubs()
	if proto == 3 {
		if _, _, err := p.Both(l, "HELLO", "3"); err != nil {
			return err
		}
		l.Proto = 3
	}
	if db != 0 {
		if _, _, err := p.Both(l, "SELECT", strconv.Itoa(db)); err != nil {
			return err
		}
		l.DB = db
	}
	return nil
}

// Close closes every link.
func (p *Pair) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, l := range p.links {
		l.C[Redis].Close()
		l.C[Ours].Close()
	}
	p.links = map[string]*Link{}
	for s, c := range p.ctl {
		if c != nil {
			c.Close()
			p.ctl[s] = nil
		}
	}
}

func (l *Link) resetSubs() {
	l.Channels, l.Patterns, l.Shards = map[string]bool{}, map[string]bool{}, map[string]bool{}
}

// Both sends a command to both sides and returns both replies without comparing,
// counting or tracking state: the harness's own probes (OBJECT ENCODING before an
// unordered comparison, membership checks after a random pick, resyncs).
func (p *Pair) Both(l *Link, args ...string) (r, o resp.Value, err error) {
	return p.bothBytes(l, bytesArgs(args))
}

func (p *Pair) bothBytes(l *Link, args [][]byte) (r, o resp.Value, err error) {
	for s := range l.C {
		if err := l.C[s].Send(args); err != nil {
			return r, o, err
		}
	}
	r, err = l.C[Redis].Read()
	if err != nil {
		return r, o, err
	}
	o, err = l.C[Ours].Read()
	return r, o, err
}

// Result is what one command did on both sides.
type Result struct {
	Link *Link
	Args [][]byte
	// Name is the command as COMMAND LIST names it ("get", "client|list"), or
	// "(unknown)".
	Name string
	R, O resp.Value
	// Err is set when a side did not answer (timeout, closed connection, bad reply).
	Err [2]error
	// OK is true when the replies are equal, or differ only as Rule allows.
	OK   bool
	Rule string
	// Why explains a mismatch.
	Why string
	// Known is the accepted difference that matched a mismatch (OK stays false).
	Known *KnownDiff
	// Resync is set when a rule accepted a write whose effects may differ: a random run
	// then deletes the command's keys on both sides.
	Resync bool
	// Pushes are the RESP3 push messages each side sent before the reply (a message to
	// a subscribed client publishing to itself, DEBUG PROTOCOL push); compared exactly.
	Pushes [2][]resp.Value
}

// Mismatch reports whether the result is a difference that no rule nor known
// difference accepts.
func (r *Result) Mismatch() bool { return !r.OK && r.Known == nil }

// Describe renders the result for a failure message.
func (r *Result) Describe() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n  redis:    %s\n  redisctl: %s", ShowArgs(r.Args), r.side(Redis), r.side(Ours))
	if r.Why != "" {
		fmt.Fprintf(&b, "\n  why:      %s", r.Why)
	}
	return b.String()
}

func (r *Result) side(s int) string {
	if r.Err[s] != nil {
		return "<" + r.Err[s].Error() + ">"
	}
	if s == Redis {
		return Show(r.R)
	}
	return Show(r.O)
}

// CommandName is the name COMMAND LIST uses for argv: "get", "config|get" for a known
// subcommand of a container, the container's name for a bare or unknown subcommand,
// "(unknown)" for a command Redis 7.0 does not have.
func CommandName(args [][]byte) string {
	if len(args) == 0 {
		return "(unknown)"
	}
	s := cmdspec.Full().Lookup(args[0])
	if s == nil {
		return "(unknown)"
	}
	if s.IsContainer() && len(args) > 1 {
		if sub := s.Sub(args[1]); sub != nil {
			return sub.Name
		}
	}
	return s.Name
}

// Do runs one command on the link on both sides, tracks the link's state, compares the
// replies by the command's rule, matches a mismatch against the known differences, and
// counts it in the coverage.
func (p *Pair) Do(l *Link, args [][]byte) *Result {
	res := &Result{Link: l, Args: args, Name: CommandName(args)}
	n := p.expectedReplies(l, res.Name, args)
	for s := range l.C {
		res.Err[s] = l.C[s].Send(args)
	}
	var got [2]resp.Value
	pushesAreReplies := isSubscribeCommand(res.Name)
	for s := range l.C {
		if res.Err[s] != nil {
			continue
		}
		got[s], res.Pushes[s], res.Err[s] = readReplies(l.C[s], n, pushesAreReplies)
	}
	res.R, res.O = got[Redis], got[Ours]
	if res.Err[Redis] != nil || res.Err[Ours] != nil {
		res.OK = res.Err[Redis] != nil && res.Err[Ours] != nil && bothClosed(res.Err)
		if !res.OK {
			res.Why = "a side did not answer"
		}
	} else {
		queued := l.Queued
		p.track(l, res)
		c := &call{p: p, l: l, name: res.Name, args: args, r: res.R, o: res.O,
			probe: !l.InMulti && !(l.Subscribed() && l.Proto == 2), queued: queued}
		res.OK, res.Rule, res.Why = compare(c)
		res.Known, res.Resync = c.known, c.resync
		if !samePushes(res.Pushes) {
			res.OK, res.Why = false, fmt.Sprintf("different push messages before the reply: %s vs %s",
				showAll(res.Pushes[Redis]), showAll(res.Pushes[Ours]))
		}
		if res.OK && res.Name == "quit" && !res.R.IsError() {
			p.checkClosed(l, res)
		}
	}
	if !res.OK && res.Known == nil {
		res.Known = p.matchKnown(res)
	}
	if p.Cov != nil {
		p.Cov.Add(p.Source, res)
	}
	return res
}

// checkClosed requires both servers to close the connection after QUIT's +OK, then
// connects the link again.
func (p *Pair) checkClosed(l *Link, res *Result) {
	for s := range l.C {
		if _, err := l.C[s].ReadWithin(2 * time.Second); err == nil || timedOutErr(err) {
			res.OK, res.Why = false, SideName[s]+" did not close the connection after QUIT"
		}
	}
	if err := p.Reconnect(l); err != nil {
		res.OK, res.Why = false, "reconnecting after QUIT: "+err.Error()
	}
}

// SendOnly sends a command to both sides without reading a reply (a command whose
// reply CLIENT REPLY OFF/SKIP suppresses). It is counted in the coverage as a success.
func (p *Pair) SendOnly(l *Link, args [][]byte) error {
	for s := range l.C {
		if err := l.C[s].Send(args); err != nil {
			return err
		}
	}
	if p.Cov != nil {
		p.Cov.Add(p.Source, &Result{Name: CommandName(args), Args: args, OK: true,
			R: resp.Value{Type: resp.TypeSimpleString, Str: []byte("(no reply)")}})
	}
	return nil
}

func isSubscribeCommand(name string) bool {
	switch name {
	case "subscribe", "psubscribe", "ssubscribe", "unsubscribe", "punsubscribe", "sunsubscribe":
		return true
	}
	return false
}

// readReplies reads n replies; push messages that arrive first are out-of-band (unless
// pushes are the replies, as for SUBSCRIBE in RESP3) and are returned apart.
func readReplies(c *Conn, n int, pushesAreReplies bool) (resp.Value, []resp.Value, error) {
	if pushesAreReplies {
		v, err := readN(c, n)
		return v, nil, err
	}
	var pushes []resp.Value
	for i := 0; ; i++ {
		v, err := c.Read()
		if err != nil || v.Type != resp.TypePush || i >= 1000 {
			if err != nil || n == 1 {
				return v, pushes, err
			}
			rest, err := readN(c, n-1)
			agg := resp.Value{Type: resp.TypeArray, Elems: append([]resp.Value{v}, rest.Elems...)}
			if n-1 == 1 {
				agg.Elems = []resp.Value{v, rest}
			}
			return agg, pushes, err
		}
		pushes = append(pushes, v)
	}
}

func samePushes(p [2][]resp.Value) bool {
	if len(p[0]) != len(p[1]) {
		return false
	}
	for i := range p[0] {
		if !p[0][i].Equal(p[1][i]) {
			return false
		}
	}
	return true
}

func showAll(vs []resp.Value) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = Show(v)
	}
	return "[" + strings.Join(parts, " ; ") + "]"
}

// readN reads n replies; more than one are wrapped into one array (SUBSCRIBE a b).
func readN(c *Conn, n int) (resp.Value, error) {
	if n == 1 {
		return c.Read()
	}
	agg := resp.Value{Type: resp.TypeArray}
	for i := 0; i < n; i++ {
		v, err := c.Read()
		if err != nil {
			return agg, err
		}
		agg.Elems = append(agg.Elems, v)
	}
	return agg, nil
}

func bothClosed(errs [2]error) bool {
	return strings.Contains(errs[0].Error(), "closed") && strings.Contains(errs[1].Error(), "closed")
}

// expectedReplies is how many replies a command sends: one, except the pub/sub
// (un)subscribe commands, which answer once per channel (or once per current
// subscription, at least once, when called without channels).
func (p *Pair) expectedReplies(l *Link, name string, args [][]byte) int {
	if l.InMulti {
		return 1
	}
	switch name {
	case "subscribe", "psubscribe", "ssubscribe":
		if len(args) > 1 {
			return len(args) - 1
		}
	case "unsubscribe", "punsubscribe", "sunsubscribe":
		if len(args) > 1 {
			return len(args) - 1
		}
		set := map[string]map[string]bool{"unsubscribe": l.Channels, "punsubscribe": l.Patterns,
			"sunsubscribe": l.Shards}[name]
		if len(set) > 0 {
			return len(set)
		}
	}
	return 1
}

// track updates the link's state from Redis's reply.
func (p *Pair) track(l *Link, res *Result) {
	r := res.R
	ok := !r.IsError()
	if l.InMulti {
		switch res.Name {
		case "exec", "discard":
			l.InMulti, l.Queued = false, nil
			return
		case "multi", "watch", "reset", "quit":
			// Not queued: run at once (MULTI and WATCH answer an error).
		default:
			if r.Type == resp.TypeSimpleString && string(r.Str) == "QUEUED" {
				l.Queued = append(l.Queued, cloneArgs(res.Args))
			}
			return
		}
	}
	switch res.Name {
	case "multi":
		if ok {
			l.InMulti, l.Queued = true, nil
		}
	case "select":
		if ok {
			l.DB, _ = strconv.Atoi(string(res.Args[1]))
		}
	case "monitor":
		if ok {
			l.Monitor = true
		}
	case "hello":
		if ok && len(res.Args) > 1 {
			l.Proto, _ = strconv.Atoi(string(res.Args[1]))
		}
	case "reset":
		if ok {
			l.Proto, l.DB, l.InMulti, l.Queued = 2, 0, false, nil
			l.resetSubs()
		}
	case "subscribe", "psubscribe", "ssubscribe", "unsubscribe", "punsubscribe", "sunsubscribe":
		msgs := []resp.Value{r}
		if r.Type == resp.TypeArray && len(r.Elems) > 0 && isAggregate(r.Elems[0]) {
			msgs = r.Elems
		}
		for _, m := range msgs {
			if !isAggregate(m) || len(m.Elems) < 2 {
				continue
			}
			kind, ch := strings.ToLower(string(m.Elems[0].Str)), string(m.Elems[1].Str)
			switch kind {
			case "subscribe":
				l.Channels[ch] = true
			case "psubscribe":
				l.Patterns[ch] = true
			case "ssubscribe":
				l.Shards[ch] = true
			case "unsubscribe":
				delete(l.Channels, ch)
			case "punsubscribe":
				delete(l.Patterns, ch)
			case "sunsubscribe":
				delete(l.Shards, ch)
			}
		}
	}
}

func cloneArgs(args [][]byte) [][]byte {
	out := make([][]byte, len(args))
	for i, a := range args {
		out[i] = bytes.Clone(a)
	}
	return out
}

// ReadPending reads n messages already sent to the link (pub/sub messages) on both
// sides and compares them exactly.
func (p *Pair) ReadPending(l *Link, n int) *Result {
	res := &Result{Link: l, Args: [][]byte{[]byte("(read pending)")}, Name: "(read)"}
	var got [2]resp.Value
	for s := range l.C {
		got[s], res.Err[s] = readN(l.C[s], n)
	}
	res.R, res.O = got[Redis], got[Ours]
	if res.Err[Redis] != nil || res.Err[Ours] != nil {
		res.Why = "a side did not deliver"
		return res
	}
	if l.Monitor {
		res.R, res.O = maskMonitor(res.R), maskMonitor(res.O)
		res.Rule = "monitor-mask"
	}
	res.OK = res.R.Equal(res.O)
	if !res.OK {
		res.Why = "different messages"
	}
	return res
}

// maskMonitor masks the timestamp and client address of MONITOR lines:
// "1700000000.123456 [0 127.0.0.1:1234] \"set\" \"a\"" → "<ts> [0 <addr>] \"set\" \"a\"".
func maskMonitor(v resp.Value) resp.Value {
	if v.Type == resp.TypeArray && !v.Null {
		v.Elems = append([]resp.Value(nil), v.Elems...)
		for i := range v.Elems {
			v.Elems[i] = maskMonitor(v.Elems[i])
		}
		return v
	}
	if v.Type != resp.TypeSimpleString {
		return v
	}
	s := string(v.Str)
	ts, rest, ok := strings.Cut(s, " [")
	if !ok || len(ts) == 0 {
		return v
	}
	db, rest, ok := strings.Cut(rest, " ")
	if !ok {
		return v
	}
	_, cmd, ok := strings.Cut(rest, "] ")
	if !ok {
		return v
	}
	v.Str = []byte("<ts> [" + db + " <addr>] " + cmd)
	return v
}
