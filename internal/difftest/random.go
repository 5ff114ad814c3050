package difftest

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/redisctl/redisctl/engine/cmdspec"
	"github.com/redisctl/redisctl/resp"
)

// RandomConfig configures one seeded random run.
type RandomConfig struct {
	Seed  int64
	N     int // commands to send (a MULTI block counts each of its commands)
	Proto int // 2 or 3
	// CheckEvery compares the whole dataset (every key's type, value, encoding and TTL in
	// dbs 0, 1, 2 and 15) after this many commands, and at the end; 0 means 1000.
	CheckEvery int
	// MaxReports bounds the mismatches reported (0 means 25); the run goes on after a
	// mismatch, with the keys involved deleted on both sides.
	MaxReports int
	// Bin and Directives, when Bin is set, let a mismatch be replayed on fresh servers to
	// find the shortest reproduction that still mismatches (the command alone, the
	// history of its keys, the whole recent history).
	Bin        string
	Directives []string
	// MaxReplays bounds the replays (0 means 12).
	MaxReplays int
	// Avoid lists invocations never to send (Command and Args patterns of KnownDiff):
	// the ones that crash or wedge redisctl, which no comparison can survive. Each is
	// counted in its Hits and named in the report.
	Avoid []*KnownDiff
	// StatsEvery, when true, compares INFO stats' keyspace_hits, keyspace_misses and
	// evicted_keys after every command, to find the command whose counting differs
	// (slow; for investigations).
	StatsEvery bool
}

// Report is one mismatch of a random run, with what is needed to reproduce it.
type Report struct {
	Seed  int64
	Proto int
	Index int
	Res   *Result
	// Check is set for a dataset checkpoint mismatch: what differs.
	Check string
	// Repro are the preceding commands on the same keys (and the global ones), ending
	// with the mismatching command.
	Repro [][][]byte
	// Reproduced says what replaying Repro on fresh servers gave ("" when not tried).
	Reproduced string
}

// String renders the report: seed, index, command, both replies, reproduction.
func (r *Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "seed=%d proto=RESP%d index=%d: ", r.Seed, r.Proto, r.Index)
	if r.Check != "" {
		fmt.Fprintf(&b, "dataset check: %s\n", r.Check)
	} else {
		b.WriteString(r.Res.Describe())
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "  reproduction (%d commands", len(r.Repro))
	if r.Reproduced != "" {
		fmt.Fprintf(&b, "; replayed on fresh servers: %s", r.Reproduced)
	}
	b.WriteString("):\n")
	if r.Proto == 3 {
		b.WriteString("    HELLO 3\n")
	}
	for _, c := range r.Repro {
		b.WriteString("    " + ShowArgs(c) + "\n")
	}
	return b.String()
}

type histEntry struct {
	db   int
	args [][]byte
	name string
}

// RandomRun is the state of one run.
type RandomRun struct {
	p       *Pair
	l       *Link
	cfg     RandomConfig
	Gen     *Gen
	hist    []histEntry
	Reports []*Report
	// Ran counts the commands sent; Known the accepted differences met; Avoided the
	// invocations not sent because cfg.Avoid lists them.
	Ran, Known, Avoided int
	// Time is the wall time spent per command name (both servers, probes included).
	Time    map[string]time.Duration
	seen    map[string]int
	replays int
}

// NewRandomRun prepares a run on the pair's "rand" link.
func (p *Pair) NewRandomRun(cfg RandomConfig) (*RandomRun, error) {
	if cfg.CheckEvery <= 0 {
		cfg.CheckEvery = 1000
	}
	if cfg.MaxReports <= 0 {
		cfg.MaxReports = 25
	}
	if cfg.MaxReplays <= 0 {
		cfg.MaxReplays = 12
	}
	l, err := p.Link("rand")
	if err != nil {
		return nil, err
	}
	if cfg.Proto == 3 {
		if _, _, err := p.Both(l, "HELLO", "3"); err != nil {
			return nil, err
		}
		l.Proto = 3
	}
	g := NewGen(cfg.Seed, p.Implemented)
	g.Proto = cfg.Proto
	rr := &RandomRun{p: p, l: l, cfg: cfg, Gen: g, seen: map[string]int{}, Time: map[string]time.Duration{}}
	rr.capturePayloads()
	return rr, nil
}

// capturePayloads asks Redis for a few DUMP payloads RESTORE can use (sending the same
// commands to both sides, in db 15, so both stay alike).
func (rr *RandomRun) capturePayloads() {
	if !rr.p.Implemented["dump"] || !rr.p.Implemented["restore"] {
		return
	}
	cmds := [][]string{{"SELECT", "15"}, {"SET", "__dt:s", "hello"}, {"SET", "__dt:i", "12345"}}
	keys := []string{"__dt:s", "__dt:i"}
	if rr.p.Implemented["rpush"] {
		cmds = append(cmds, []string{"RPUSH", "__dt:l", "a", "b", "1"})
		keys = append(keys, "__dt:l")
	}
	if rr.p.Implemented["sadd"] {
		cmds = append(cmds, []string{"SADD", "__dt:S", "1", "2", "3"})
		keys = append(keys, "__dt:S")
	}
	if rr.p.Implemented["hset"] {
		cmds = append(cmds, []string{"HSET", "__dt:h", "f", "v"})
		keys = append(keys, "__dt:h")
	}
	if rr.p.Implemented["zadd"] {
		cmds = append(cmds, []string{"ZADD", "__dt:z", "1", "a", "2.5", "b"})
		keys = append(keys, "__dt:z")
	}
	for _, c := range cmds {
		rr.p.Both(rr.l, c...)
	}
	for _, k := range keys {
		r, _, err := rr.p.Both(rr.l, "DUMP", k)
		if err == nil && r.Type == resp.TypeBulk && !r.Null {
			rr.Gen.Payloads = append(rr.Gen.Payloads, string(r.Str))
		}
	}
	rr.p.Both(rr.l, "FLUSHDB")
	rr.p.Both(rr.l, "SELECT", "0")
}

// Run sends cfg.N commands and returns the reports.
func (rr *RandomRun) Run() []*Report {
	next := rr.cfg.CheckEvery
	for rr.Ran < rr.cfg.N && len(rr.Reports) < rr.cfg.MaxReports {
		for _, args := range rr.Gen.Next() {
			if rr.cfg.N == 0 {
				break
			}
			rr.step(args)
		}
		if rr.Ran >= next && !rr.l.InMulti {
			rr.checkpoint()
			next += rr.cfg.CheckEvery
		}
	}
	if len(rr.Reports) < rr.cfg.MaxReports {
		rr.checkpoint()
	}
	return rr.Reports
}

func (rr *RandomRun) step(args [][]byte) {
	name := CommandName(args)
	for _, a := range rr.cfg.Avoid {
		if a.match(&Result{Name: name, Args: args}) {
			rr.Avoided++
			return
		}
	}
	db := rr.l.DB
	start := time.Now()
	res := rr.p.Do(rr.l, args)
	defer func() { rr.Time[res.Name] += time.Since(start) }()
	rr.hist = append(rr.hist, histEntry{db: db, args: args, name: res.Name})
	rr.Ran++
	switch {
	case res.Known != nil:
		rr.Known++
		if res.R.IsError() && res.O.IsError() && res.Err[Redis] == nil && res.Err[Ours] == nil {
			// An error changes no data; only the error statistics may differ.
			if errPrefix(res.R) != errPrefix(res.O) {
				rr.resetStats()
			}
			return
		}
		rr.resync(res)
	case !res.OK:
		rr.report(&Report{Res: res})
		rr.resync(res)
	case res.Resync:
		rr.resync(res)
	default:
		if rr.cfg.StatsEvery && !rr.l.InMulti {
			rr.compareStats(res)
		}
	}
	if res.Name == "hello" && res.R.IsError() && !rr.l.InMulti {
		rr.syncName()
	}
}

// syncName gives both sides Redis's client name. A HELLO that fails after its SETNAME
// option has renamed the client in Redis but not in redisctl (a known difference, shown
// by the written server script); without this the name would differ in every later
// CLIENT GETNAME, CLIENT LIST and SLOWLOG entry.
func (rr *RandomRun) syncName() {
	r, _, err := rr.p.Both(rr.l, "CLIENT", "GETNAME")
	if err != nil || r.IsError() {
		return
	}
	rr.p.Both(rr.l, "CLIENT", "SETNAME", string(r.Str))
}

// compareStats compares the counters of INFO stats that depend only on the commands
// sent; on a difference it reports the command just run and resets the statistics.
func (rr *RandomRun) compareStats(res *Result) {
	r, o, err := rr.p.Both(rr.l, "INFO", "stats")
	if err != nil {
		return
	}
	pick := func(v resp.Value) string {
		var kept []string
		for _, line := range strings.Split(string(v.Str), "\r\n") {
			k, _, _ := strings.Cut(line, ":")
			switch k {
			case "keyspace_hits", "keyspace_misses", "evicted_keys":
				kept = append(kept, line)
			}
		}
		return strings.Join(kept, " ")
	}
	if a, b := pick(r), pick(o); a != b {
		rr.report(&Report{Res: &Result{Name: res.Name, Args: res.Args, R: res.R, O: res.O},
			Check: fmt.Sprintf("after %s: redis %s / redisctl %s", ShowArgs(res.Args), a, b)})
		rr.resetStats()
	}
}

func timedOut(err error) bool {
	return err != nil && errors.Is(err, os.ErrDeadlineExceeded)
}

func errPrefix(v resp.Value) string {
	p, _, _ := strings.Cut(string(v.Str), " ")
	return p
}

// Slowest returns the n command names that took the most time, with their time.
func (rr *RandomRun) Slowest(n int) string {
	names := make([]string, 0, len(rr.Time))
	for k := range rr.Time {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool { return rr.Time[names[i]] > rr.Time[names[j]] })
	if len(names) > n {
		names = names[:n]
	}
	var parts []string
	for _, k := range names {
		parts = append(parts, fmt.Sprintf("%s %v", k, rr.Time[k].Round(time.Millisecond)))
	}
	return strings.Join(parts, ", ")
}

// report records a mismatch (at most 3 per command name) with its reproduction.
func (rr *RandomRun) report(rep *Report) {
	rep.Seed, rep.Proto, rep.Index = rr.cfg.Seed, rr.cfg.Proto, len(rr.hist)-1
	sig := "(check)"
	if rep.Res != nil {
		sig = rep.Res.Name
		// The same pair of errors again says nothing new.
		if rep.Res.R.IsError() && rep.Res.O.IsError() {
			e := sig + "\x00" + string(rep.Res.R.Str) + "\x00" + string(rep.Res.O.Str)
			if rr.seen[e]++; rr.seen[e] > 1 {
				return
			}
		}
	}
	rr.seen[sig]++
	if rr.seen[sig] > 3 {
		return
	}
	last := len(rr.hist) - 1
	if rep.Repro == nil {
		rep.Repro = rr.repro(last, 1)
	}
	if rr.cfg.Bin != "" && rep.Res != nil && rep.Check == "" {
		rep.Repro, rep.Reproduced = rr.minimize(last)
	}
	rr.Reports = append(rr.Reports, rep)
}

// minimize replays the three reproduction levels on fresh servers and returns the first
// that mismatches again, with what the replay showed.
func (rr *RandomRun) minimize(last int) ([][][]byte, string) {
	var tried []string
	for level := 0; level < 3; level++ {
		cand := rr.repro(last, level)
		if level > 0 && len(cand) == len(rr.repro(last, level-1)) {
			continue
		}
		if rr.replays >= rr.cfg.MaxReplays {
			return rr.repro(last, 1), "not replayed (replay budget spent)"
		}
		rr.replays++
		res, err := Reproduce(rr.cfg.Bin, rr.cfg.Directives, rr.cfg.Proto, cand)
		switch {
		case err != nil:
			tried = append(tried, fmt.Sprintf("level %d: %v", level, err))
		case res.Err[Redis] != nil || res.Err[Ours] != nil:
			return cand, fmt.Sprintf("no reply again (redis: %v; redisctl: %v)", res.Err[Redis], res.Err[Ours])
		case res.Mismatch():
			return cand, fmt.Sprintf("mismatches again (redis %s / redisctl %s)", Show(res.R), Show(res.O))
		default:
			tried = append(tried, fmt.Sprintf("%d commands: same replies", len(cand)))
		}
	}
	return rr.repro(last, 1), "did not mismatch on fresh servers (" + strings.Join(tried, "; ") + "): depends on timing or on state the reproduction misses"
}

// stateCommands change what keys hold beyond the keys they name: a key-history
// reproduction keeps them.
var stateCommands = map[string]bool{
	"flushall": true, "flushdb": true, "swapdb": true, "select": true, "config|set": true,
	"multi": true, "exec": true, "discard": true, "watch": true, "unwatch": true,
	"move": true, "copy": true, "debug": true,
}

// KeyArgs returns the key arguments of a command line (by Redis 7.0's key specs).
func KeyArgs(args [][]byte) []string {
	s := cmdspec.Full().LookupArgv(args)
	if s == nil {
		return nil
	}
	pos, err := cmdspec.GetKeys(s, args)
	if err != nil {
		return nil
	}
	out := make([]string, 0, len(pos))
	for _, i := range pos {
		if i < len(args) {
			out = append(out, string(args[i]))
		}
	}
	return out
}

// repro builds a reproduction ending with history entry last, oldest first:
// level 0 is the command alone; level 1 adds the commands that touch its keys
// (transitively) and those that change state beyond their keys (at most 400); level 2 is
// the whole recent history (at most 3000 commands). A SELECT starts it when the first
// command ran in another db than 0.
func (rr *RandomRun) repro(last, level int) [][][]byte {
	picked := []int{last}
	switch level {
	case 1:
		want := map[string]bool{}
		add := func(db int, keys []string) {
			for _, k := range keys {
				want[strconv.Itoa(db)+"\x00"+k] = true
			}
		}
		e := rr.hist[last]
		add(e.db, KeyArgs(e.args))
		for i := last - 1; i >= 0 && len(picked) < 400; i-- {
			h := rr.hist[i]
			keys := KeyArgs(h.args)
			hit := stateCommands[h.name]
			for _, k := range keys {
				if want[strconv.Itoa(h.db)+"\x00"+k] {
					hit = true
				}
			}
			if hit {
				add(h.db, keys)
				picked = append(picked, i)
			}
		}
	case 2:
		for i := last - 1; i >= 0 && len(picked) < 3000; i-- {
			picked = append(picked, i)
		}
	}
	sort.Ints(picked)
	var out [][][]byte
	if db := rr.hist[picked[0]].db; db != 0 {
		out = append(out, [][]byte{[]byte("SELECT"), []byte(strconv.Itoa(db))})
	}
	for _, i := range picked {
		out = append(out, rr.hist[i].args)
	}
	return out
}

// resync brings both sides back to the same state after a difference: the command's
// keys are deleted on both, or, for a command without keys or with effects beyond them,
// both are flushed and the random CONFIG SET parameters restored.
func (rr *RandomRun) resync(res *Result) {
	if res.Err[Redis] != nil || res.Err[Ours] != nil {
		if timedOut(res.Err[Redis]) || timedOut(res.Err[Ours]) {
			// A server that does not answer is busy or wedged: everything after would
			// time out too.
			rr.Reports = append(rr.Reports, &Report{Seed: rr.cfg.Seed, Proto: rr.cfg.Proto,
				Index: len(rr.hist) - 1, Res: res, Repro: rr.repro(len(rr.hist)-1, 0),
				Check: "a server stopped answering; the run stops here"})
			rr.cfg.N = 0
			return
		}
		if err := rr.p.Reconnect(rr.l); err != nil {
			rr.Reports = append(rr.Reports, &Report{Seed: rr.cfg.Seed, Proto: rr.cfg.Proto,
				Index: len(rr.hist) - 1, Res: res, Check: "cannot reconnect: " + err.Error()})
			rr.cfg.N = 0 // stop
			return
		}
		rr.hardResync()
		return
	}
	switch res.Name {
	case "info", "slowlog|get", "slowlog|len", "latency|histogram", "client|list", "client|info":
		// Statistics and client state diverged: reset the statistics on both.
		rr.resetStats()
		return
	}
	keys := KeyArgs(res.Args)
	if len(keys) == 0 || stateCommands[res.Name] || rr.l.InMulti {
		rr.hardResync()
		return
	}
	args := []string{"DEL"}
	args = append(args, keys...)
	rr.p.Both(rr.l, args...)
}

func (rr *RandomRun) hardResync() {
	if rr.l.InMulti {
		rr.p.Both(rr.l, "DISCARD")
		rr.l.InMulti, rr.l.Queued = false, nil
	}
	rr.p.Both(rr.l, "FLUSHALL")
	for _, kv := range ConfigDefaults {
		rr.p.Both(rr.l, "CONFIG", "SET", kv[0], kv[1])
	}
	rr.p.Both(rr.l, "SELECT", strconv.Itoa(rr.l.DB))
	rr.resetStats()
}

func (rr *RandomRun) resetStats() {
	rr.p.Both(rr.l, "CONFIG", "RESETSTAT")
	rr.p.Both(rr.l, "SLOWLOG", "RESET")
}

// checkpoint makes sure both reply streams are still in step (an ECHO of a fresh
// nonce must come back), then compares the whole dataset of dbs 0, 1, 2 and 15.
func (rr *RandomRun) checkpoint() {
	p, l := rr.p, rr.l
	nonce := "difftest-sync-" + strconv.Itoa(len(rr.hist))
	r, o, err := p.Both(l, "ECHO", nonce)
	if err != nil || string(r.Str) != nonce || string(o.Str) != nonce {
		rr.checkReport(0, "", fmt.Sprintf("reply streams out of step: ECHO %s answered %s / %s (a command sent an extra reply or none); reconnecting",
			nonce, Show(r), Show(o)))
		if err := p.Reconnect(l); err != nil {
			rr.cfg.N = 0
			return
		}
		rr.hardResync()
	}
	defer p.Both(l, "SELECT", strconv.Itoa(l.DB))
	for _, db := range []int{0, 1, 2, 15} {
		if _, _, err := p.Both(l, "SELECT", strconv.Itoa(db)); err != nil {
			return
		}
		r, o, err := p.Both(l, "KEYS", "*")
		if err != nil {
			return
		}
		if !sameMultiset(r, o) {
			rr.checkReport(db, "", fmt.Sprintf("db %d: KEYS * differ: %s", db,
				listDiff(sortedCanon(r.Elems), sortedCanon(o.Elems))))
			continue
		}
		for _, k := range r.Elems {
			if why := rr.compareKey(k.Str); why != "" {
				rr.checkReport(db, string(k.Str), fmt.Sprintf("db %d key %q: %s", db, k.Str, why))
				p.Both(l, "DEL", string(k.Str))
			}
		}
	}
}

// compareKey compares one key's type, encoding, TTL and whole value.
func (rr *RandomRun) compareKey(key []byte) string {
	p, l := rr.p, rr.l
	k := string(key)
	r, o, err := p.Both(l, "TYPE", k)
	if err != nil {
		return err.Error()
	}
	if !r.Equal(o) {
		return fmt.Sprintf("TYPE %s vs %s", Show(r), Show(o))
	}
	typ := string(r.Str)
	var read []string
	unordered, pairs := false, false
	switch typ {
	case "string":
		read = []string{"GET", k}
	case "list":
		read = []string{"LRANGE", k, "0", "-1"}
	case "set":
		read, unordered = []string{"SMEMBERS", k}, true
	case "hash":
		read, pairs = []string{"HGETALL", k}, true
	case "zset":
		read = []string{"ZRANGE", k, "0", "-1", "WITHSCORES"}
	case "stream":
		read = []string{"XRANGE", k, "-", "+"}
	}
	if read != nil && p.Implemented[strings.ToLower(read[0])] {
		r, o, err := p.Both(l, read...)
		if err != nil {
			return err.Error()
		}
		same := r.Equal(o) || (unordered && sameMultiset(r, o)) || (pairs && samePairs(r, o))
		if !same {
			return fmt.Sprintf("%s: %s vs %s", strings.Join(read, " "), Show(r), Show(o))
		}
	}
	if p.Implemented["object|encoding"] || p.Implemented["object"] {
		r, o, err := p.Both(l, "OBJECT", "ENCODING", k)
		if err != nil {
			return err.Error()
		}
		if !r.Equal(o) {
			return fmt.Sprintf("OBJECT ENCODING %s vs %s", Show(r), Show(o))
		}
	}
	if p.Implemented["pttl"] {
		r, o, err := p.Both(l, "PTTL", k)
		if err != nil {
			return err.Error()
		}
		ok, _, why := tolerance(2000)(&call{r: r, o: o})
		if !r.Equal(o) && !ok {
			return fmt.Sprintf("PTTL %s vs %s (%s)", Show(r), Show(o), why)
		}
	}
	return ""
}

func (rr *RandomRun) checkReport(db int, key, what string) {
	rep := &Report{Check: what}
	if key != "" && len(rr.hist) > 0 {
		// The reproduction is the history of that key.
		want := strconv.Itoa(db) + "\x00" + key
		last := -1
		for i := len(rr.hist) - 1; i >= 0; i-- {
			for _, k := range KeyArgs(rr.hist[i].args) {
				if strconv.Itoa(rr.hist[i].db)+"\x00"+k == want {
					last = i
				}
			}
			if last >= 0 {
				break
			}
		}
		if last >= 0 {
			rep.Repro = rr.repro(last, 1)
		}
	}
	if rep.Repro == nil {
		rep.Repro = [][][]byte{}
	}
	rr.report(rep)
}
