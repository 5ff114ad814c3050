package server

import (
	"bytes"
	"math/bits"
	"sort"
	"strconv"
	"time"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/config"
	"github.com/redisctl/redisctl/resp"
)

// callHook runs after every executed command, under the engine lock: per-command latency
// histograms, the slowlog, the latency monitor and MONITOR feeds.
func (s *Server) callHook(c *engine.Client, cmd *engine.Command, args [][]byte, dbID int, dur time.Duration) {
	if dur > 100*time.Microsecond {
		s.cachedNow = s.cachedNow.Add(dur) // what follows a slow command sees time move on
	}
	if !c.IsBlocked() {
		// A command that blocked is measured when it is unblocked (unblockStatsHook).
		s.measure(c, cmd, args, dur, true)
	}
	if len(s.monitors) > 0 && cmd.Flags&(engine.FlagSkipMonitor|engine.FlagAdmin) == 0 {
		s.feedMonitors(c, cmd, args, dbID)
	}
	if s.trk.enabled {
		s.trackingAfterFlushCommand(c, args)
		s.trackingAfterCall(c, args)
	}
}

// unblockStatsHook measures a blocked command that was served (histogram and slowlog)
// or released by CLIENT UNBLOCK (histogram only), as Redis 7.0.15 does.
func (s *Server) unblockStatsHook(c *engine.Client, cmd *engine.Command, args [][]byte, dur time.Duration, slowlog bool) {
	s.measure(c, cmd, args, dur, slowlog)
}

// measure feeds the per-command latency histogram, the slowlog (when slowlog) and the
// latency monitor.
func (s *Server) measure(c *engine.Client, cmd *engine.Command, args [][]byte, dur time.Duration, slowlog bool) {
	if s.cfg.LatencyTracking() {
		h := s.hists[cmd]
		if h == nil {
			h = &latencyHist{}
			s.hists[cmd] = h
		}
		h.record(dur.Nanoseconds())
	}
	if t := s.cfg.SlowlogLogSlowerThan(); slowlog && t >= 0 && cmd.Flags&engine.FlagSkipSlowlog == 0 && dur.Microseconds() >= t {
		s.slowlog.push(s, c, cmd, args, dur)
	}
	if t := s.cfg.LatencyMonitorThreshold(); t > 0 && dur.Milliseconds() >= t {
		ev := "command"
		if cmd.Flags&engine.FlagFast != 0 {
			ev = "fast-command"
		}
		s.latency.add(ev, dur.Milliseconds())
	}
}

// checkHook refuses commands before they run: DEBUG unless enable-debug-command allows it
// for this connection.
func (s *Server) checkHook(c *engine.Client, cmd *engine.Command, args [][]byte) string {
	if s.trk.enabled {
		s.trackingLimit(c) // processCommand keeps the tracking table within its limit
	}
	if cmd.Name == "debug" {
		local := true
		if cn, ok := c.Conn.(*conn); ok {
			local = cn.local
		}
		switch s.cfg.EnableDebugCommand() {
		case config.ProtectedYes:
		case config.ProtectedLocal:
			if !local {
				return errDebugNotAllowed
			}
		default:
			return errDebugNotAllowed
		}
	}
	return ""
}

const errDebugNotAllowed = "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server."

// redactedArgs returns the arguments as MONITOR and SLOWLOG show them: the arguments
// Redis's command redacted (redactClientCommandArgument) become "(redacted)". A command
// redacts only once it got that far: AUTH once its arity is right, HELLO each AUTH pair
// its in-order walk met, CONFIG SET the sensitive values once the argument count is even.
func redactedArgs(s *Server, cmd *engine.Command, args [][]byte) [][]byte {
	var out [][]byte
	redact := func(i int) {
		if out == nil {
			out = append([][]byte(nil), args...)
		}
		out[i] = redacted
	}
	switch cmd.Name {
	case "auth":
		if len(args) > 3 {
			break // a syntax error before any redaction
		}
		for i := 1; i < len(args); i++ {
			redact(i)
		}
	case "hello":
		// helloCommand's walk: the version, then the options in order until one fails.
		if len(args) < 2 {
			break
		}
		if v, ok := engine.ParseInt(args[1]); !ok || v < 2 || v > 3 {
			break
		}
	walk:
		for j := 2; j < len(args); j++ {
			more := len(args) - 1 - j
			switch {
			case engine.EqualFold(args[j], "auth") && more >= 2:
				redact(j + 1)
				redact(j + 2)
				if !authenticate(s, args[j+1], args[j+2]) {
					break walk
				}
				j += 2
			case engine.EqualFold(args[j], "setname") && more >= 1:
				if !validClientName(args[j+1]) {
					break walk
				}
				j++
			default:
				break walk
			}
		}
	case "config|set":
		if len(args) < 4 || len(args)%2 != 0 {
			break // the arity error comes first
		}
		for i := 2; i+1 < len(args); i += 2 {
			if sensitiveConfig(args[i]) {
				redact(i + 1)
			}
		}
	}
	if out != nil {
		return out
	}
	return args
}

// sensitiveConfig: the directives of SENSITIVE_CONFIG (their values never shown).
func sensitiveConfig(name []byte) bool {
	return engine.EqualFold(name, "requirepass") || engine.EqualFold(name, "masterauth") ||
		engine.EqualFold(name, "masteruser")
}

var redacted = []byte("(redacted)")

// feedMonitors sends one MONITOR line to every monitor (replicationFeedMonitors):
//
//	+1339518083.107412 [0 127.0.0.1:60866] "keys" "*"
func (s *Server) feedMonitors(c *engine.Client, cmd *engine.Command, args [][]byte, dbID int) {
	now := time.Now()
	line := make([]byte, 0, 64)
	line = strconv.AppendInt(line, now.Unix(), 10)
	line = append(line, '.')
	us := now.Nanosecond() / 1000
	for d := 100000; d > 0; d /= 10 {
		line = append(line, byte('0'+us/d%10))
	}
	line = append(line, " ["...)
	line = strconv.AppendInt(line, int64(dbID), 10)
	line = append(line, ' ')
	switch cn, _ := c.Conn.(*conn); {
	case c.Flags&engine.ClientScript != 0:
		line = append(line, "lua"...)
	case cn != nil && cn.unix:
		line = append(line, "unix:"...)
		line = append(line, s.cfg.Unixsocket()...)
	case cn != nil:
		line = append(line, cn.addr...)
	}
	line = append(line, "] "...)
	for i, a := range redactedArgs(s, cmd, args) {
		if i > 0 {
			line = append(line, ' ')
		}
		line = resp.AppendRepr(line, a)
	}
	str := string(line)
	for _, m := range s.monitors {
		if m.closeASAP || m.freed {
			continue
		}
		m.cl.W.WriteSimpleString(str)
		if m.cl != c {
			m.wake()
		}
	}
}

// ---- SLOWLOG ----

const (
	slowlogMaxArgc   = 32
	slowlogMaxString = 128
)

type slowEntry struct {
	id    int64
	time  int64
	usec  int64
	args  [][]byte
	peer  string
	cname string
}

// slowlog keeps the newest entries first, at most slowlog-max-len.
type slowlog struct {
	entries []slowEntry
	nextID  int64
}

func (l *slowlog) init() {}

func (l *slowlog) push(s *Server, c *engine.Client, cmd *engine.Command, args [][]byte, dur time.Duration) {
	max := int(s.cfg.SlowlogMaxLen())
	if max == 0 {
		l.nextID++
		return
	}
	args = redactedArgs(s, cmd, args)
	argc := len(args)
	n := argc
	if n > slowlogMaxArgc {
		n = slowlogMaxArgc
	}
	e := slowEntry{id: l.nextID, time: time.Now().Unix(), usec: dur.Microseconds(), cname: string(c.Name)}
	l.nextID++
	e.args = make([][]byte, n)
	for j := 0; j < n; j++ {
		if j == slowlogMaxArgc-1 && argc > slowlogMaxArgc {
			e.args[j] = []byte("... (" + strconv.Itoa(argc-slowlogMaxArgc+1) + " more arguments)")
			break
		}
		a := args[j]
		if len(a) > slowlogMaxString {
			b := append([]byte(nil), a[:slowlogMaxString]...)
			b = append(b, "... ("+strconv.Itoa(len(a)-slowlogMaxString)+" more bytes)"...)
			e.args[j] = b
		} else {
			e.args[j] = append([]byte(nil), a...)
		}
	}
	if cn, ok := c.Conn.(*conn); ok {
		e.peer = cn.addr
	}
	l.entries = append(l.entries, slowEntry{})
	copy(l.entries[1:], l.entries)
	l.entries[0] = e
	l.trim(max)
}

func (l *slowlog) trim(max int) {
	if len(l.entries) > max {
		for i := max; i < len(l.entries); i++ {
			l.entries[i] = slowEntry{}
		}
		l.entries = l.entries[:max]
	}
}

func slowlogGet(x *engine.Ctx) {
	s := serverOf(x)
	if len(x.Args) > 3 {
		subcommandSyntaxError(x)
		return
	}
	count := int64(10)
	if len(x.Args) == 3 {
		v, ok := engine.ParseInt(x.Args[2])
		if !ok || v < -1 {
			x.Error("ERR count should be greater than or equal to -1")
			return
		}
		count = v
		if count == -1 {
			count = int64(len(s.slowlog.entries))
		}
	}
	ents := s.slowlog.entries
	if int64(len(ents)) > count {
		ents = ents[:count]
	}
	w := x.W
	w.WriteArrayLen(len(ents))
	for _, e := range ents {
		w.WriteArrayLen(6)
		w.WriteInt(e.id)
		w.WriteInt(e.time)
		w.WriteInt(e.usec)
		w.WriteArrayLen(len(e.args))
		for _, a := range e.args {
			w.WriteBulk(a)
		}
		w.WriteBulkString(e.peer)
		w.WriteBulkString(e.cname)
	}
}

func slowlogLen(x *engine.Ctx) { x.Int(int64(len(serverOf(x).slowlog.entries))) }

func slowlogReset(x *engine.Ctx) {
	s := serverOf(x)
	s.slowlog.entries = nil
	x.OK()
}

// ---- LATENCY monitor ----

const latencyTSLen = 160

type latencySample struct {
	time    int64
	latency int64
}

type latencySeries struct {
	samples [latencyTSLen]latencySample
	idx     int
	max     int64
}

type latencyMonitor struct {
	events map[string]*latencySeries
}

func (m *latencyMonitor) init() { m.events = map[string]*latencySeries{} }

// add is latencyAddSample: one sample per second per event, keeping the maximum.
func (m *latencyMonitor) add(event string, ms int64) {
	ts := m.events[event]
	if ts == nil {
		ts = &latencySeries{}
		m.events[event] = ts
	}
	now := time.Now().Unix()
	prev := (ts.idx + latencyTSLen - 1) % latencyTSLen
	if ts.samples[prev].time == now {
		if ms > ts.samples[prev].latency {
			ts.samples[prev].latency = ms
		}
		if ms > ts.max {
			ts.max = ms
		}
		return
	}
	ts.samples[ts.idx] = latencySample{now, ms}
	if ms > ts.max {
		ts.max = ms
	}
	ts.idx = (ts.idx + 1) % latencyTSLen
}

func (m *latencyMonitor) names() []string {
	out := make([]string, 0, len(m.events))
	for k := range m.events {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func latencyLatest(x *engine.Ctx) {
	m := &serverOf(x).latency
	names := m.names()
	x.ArrayLen(len(names))
	for _, n := range names {
		ts := m.events[n]
		last := ts.samples[(ts.idx+latencyTSLen-1)%latencyTSLen]
		x.ArrayLen(4)
		x.W.WriteBulkString(n)
		x.Int(last.time)
		x.Int(last.latency)
		x.Int(ts.max)
	}
}

func latencyHistory(x *engine.Ctx) {
	m := &serverOf(x).latency
	ts := m.events[string(x.Args[2])]
	if ts == nil {
		x.ArrayLen(0)
		return
	}
	var out []latencySample
	for j := 0; j < latencyTSLen; j++ {
		s := ts.samples[(ts.idx+j)%latencyTSLen]
		if s.time != 0 {
			out = append(out, s)
		}
	}
	x.ArrayLen(len(out))
	for _, s := range out {
		x.ArrayLen(2)
		x.Int(s.time)
		x.Int(s.latency)
	}
}

func latencyReset(x *engine.Ctx) {
	m := &serverOf(x).latency
	if len(x.Args) == 2 {
		n := len(m.events)
		m.events = map[string]*latencySeries{}
		x.Int(int64(n))
		return
	}
	n := 0
	for _, a := range x.Args[2:] {
		if _, ok := m.events[string(a)]; ok {
			delete(m.events, string(a))
			n++
		}
	}
	x.Int(int64(n))
}

// latencyHistogram is LATENCY HISTOGRAM [command ...]: for each command with calls, its
// call count and a cumulative histogram of latencies in microseconds.
func latencyHistogram(x *engine.Ctx) {
	s := serverOf(x)
	type named struct {
		name string
		h    *latencyHist
	}
	var list []named
	add := func(c *engine.Command) {
		if h := s.hists[c]; h != nil && h.total > 0 {
			list = append(list, named{c.Name, h})
		}
	}
	t := x.E.Table()
	if len(x.Args) == 2 {
		t.All(func(c *engine.Command) {
			add(c)
			for _, sc := range c.Subcommands {
				add(sc)
			}
		})
		sort.Slice(list, func(i, j int) bool { return list[i].name < list[j].name })
	} else {
		// latencySpecificCommandsFillCDF: in the order of the arguments (a name given
		// twice is reported twice), each name looked up as lookupCommandBySds does
		// ("parent|sub" finds a subcommand), then a container's subcommands in the
		// table's (alphabetical) order.
		for _, a := range x.Args[2:] {
			c := lookupCommandBySds(t, a)
			if c == nil {
				continue
			}
			add(c)
			if len(c.Subcommands) > 0 {
				subs := make([]*engine.Command, 0, len(c.Subcommands))
				for _, sc := range c.Subcommands {
					subs = append(subs, sc)
				}
				sort.Slice(subs, func(i, j int) bool { return subs[i].Name < subs[j].Name })
				for _, sc := range subs {
					add(sc)
				}
			}
		}
	}
	w := x.W
	w.WriteMapLen(len(list))
	for _, n := range list {
		w.WriteBulkString(n.name)
		w.WriteMapLen(2)
		w.WriteBulkString("calls")
		w.WriteInt(n.h.total)
		w.WriteBulkString("histogram_usec")
		pts := n.h.cdf()
		w.WriteMapLen(len(pts))
		for _, p := range pts {
			w.WriteInt(p[0])
			w.WriteInt(p[1])
		}
	}
}

// lookupCommandBySds finds "name" or "parent|sub" (any case); anything else (an empty
// part, a third part, a parent without subcommands) is no command.
func lookupCommandBySds(t *engine.Table, name []byte) *engine.Command {
	parent, sub, two := bytes.Cut(name, []byte("|"))
	if !two {
		return t.Lookup(name)
	}
	if bytes.IndexByte(sub, '|') >= 0 {
		return nil
	}
	c := t.Lookup(parent)
	if c == nil {
		return nil
	}
	return c.LookupSub(sub)
}

// ---- per-command latency histograms ----

// latencyHist records command durations in nanoseconds with the bucket layout of the
// HdrHistogram Redis uses (2 significant digits, 1 ns to 1 s): values below 256 ns are
// exact, each further power of two is split in 128 equal sub-buckets. Percentiles report
// the highest value equivalent to the bucket, as hdr_value_at_percentile does, so INFO
// latencystats prints the same numbers Redis would for the same samples.
type latencyHist struct {
	counts [histBuckets]int64
	total  int64
}

const (
	histMaxValue = 1_000_000_000
	histBuckets  = 256 + 22*128
)

func histIndex(v int64) int {
	if v < 1 {
		v = 1
	}
	if v > histMaxValue {
		v = histMaxValue
	}
	b := bits.Len64(uint64(v)|255) - 8
	sub := int(v >> uint(b))
	if b == 0 {
		return sub
	}
	return 256 + (b-1)*128 + (sub - 128)
}

// histHighest is the largest value that falls in bucket i.
func histHighest(i int) int64 {
	if i < 256 {
		return int64(i)
	}
	b := (i-256)/128 + 1
	sub := int64((i-256)%128 + 128)
	return (sub << uint(b)) + (1 << uint(b)) - 1
}

func (h *latencyHist) record(ns int64) {
	h.counts[histIndex(ns)]++
	h.total++
}

// percentile is hdr_value_at_percentile in nanoseconds.
func (h *latencyHist) percentile(p float64) int64 {
	if h.total == 0 {
		return 0
	}
	want := int64(p/100*float64(h.total) + 0.5)
	if want < 1 {
		want = 1
	}
	var cum int64
	for i, c := range h.counts {
		cum += c
		if cum >= want {
			return histHighest(i)
		}
	}
	return histHighest(histBuckets - 1)
}

// cdf returns (microseconds, cumulative count) points at power-of-two steps from 1024 ns,
// where the count grows (fillCommandCDF).
func (h *latencyHist) cdf() [][2]int64 {
	var out [][2]int64
	var cum, prev int64
	i := 0
	for level := int64(1024); ; level *= 2 {
		top := histHighest(histIndex(level))
		for i < histBuckets && histHighest(i) <= top {
			cum += h.counts[i]
			i++
		}
		if cum > prev {
			out = append(out, [2]int64{top / 1000, cum})
		}
		prev = cum
		if cum >= h.total || level > histMaxValue {
			break
		}
	}
	return out
}
