package config

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
)

// Version is the Redis version whose configuration system this package reproduces; it
// appears in the fatal configuration file report.
const Version = "7.0.15"

// SaveParam is one `save <seconds> <changes>` point.
type SaveParam struct {
	Seconds int64
	Changes int32
}

// ClientBufferLimit is one class of client-output-buffer-limit.
type ClientBufferLimit struct {
	HardBytes   uint64
	SoftBytes   uint64
	SoftSeconds int32
}

// Client classes of client-output-buffer-limit, in Redis's order.
const (
	ClassNormal = iota
	ClassReplica
	ClassPubsub
)

var classNames = [3]string{"normal", "slave", "pubsub"}

var defaultCOBL = [3]ClientBufferLimit{
	{0, 0, 0},
	{256 << 20, 64 << 20, 60},
	{32 << 20, 8 << 20, 60},
}

var defaultOOM = [3]int{0, 200, 800}

var defaultSave = []SaveParam{{3600, 1}, {300, 100}, {60, 10000}}

var defaultBind = []string{"*", "-::*"}

var defaultPercentiles = []float64{50, 99, 99.9}

// ReplicaOf is the master a replica follows.
type ReplicaOf struct {
	Host string
	Port int
}

// Keyspace notification flags (notify-keyspace-events), as Redis's NOTIFY_*.
const (
	NotifyKeyspace = 1 << 0
	NotifyKeyevent = 1 << 1
	NotifyGeneric  = 1 << 2
	NotifyString   = 1 << 3
	NotifyList     = 1 << 4
	NotifySet      = 1 << 5
	NotifyHash     = 1 << 6
	NotifyZset     = 1 << 7
	NotifyExpired  = 1 << 8
	NotifyEvicted  = 1 << 9
	NotifyStream   = 1 << 10
	NotifyKeyMiss  = 1 << 11
	NotifyLoaded   = 1 << 12
	NotifyModule   = 1 << 13
	NotifyNew      = 1 << 14
	NotifyAll      = NotifyGeneric | NotifyString | NotifyList | NotifySet | NotifyHash | NotifyZset |
		NotifyExpired | NotifyEvicted | NotifyStream | NotifyModule
)

// ApplyFunc reacts to a change made by CONFIG SET (bind the new port, resize the
// backlog, ...). Its error text becomes the CONFIG SET error, and the previous values
// are restored.
type ApplyFunc func() error

type applier struct{ fn ApplyFunc }

// DirectiveHandler handles a configuration file directive this package does not own
// (rename-command, user, loadmodule). Its error text is reported as Redis reports a bad
// line.
type DirectiveHandler func(args []string) error

type slot struct {
	num atomic.Int64
	str atomic.Pointer[string] // nil is Redis's NULL
}

// Config holds the current value of every directive.
//
// Reads (Get and the typed accessors) are lock-free; Set, the loaders and Rewrite are
// serialized by a mutex.
type Config struct {
	mu    sync.Mutex
	slots []slot

	save      atomic.Pointer[[]SaveParam]
	cobl      atomic.Pointer[[3]ClientBufferLimit]
	oom       atomic.Pointer[[3]int]
	bind      atomic.Pointer[[]string]
	replicaof atomic.Pointer[ReplicaOf]
	pct       atomic.Pointer[[]float64]
	dir       atomic.Pointer[string]

	appliers []*applier
	handlers map[string]DirectiveHandler

	configFile        string
	readingConfigFile bool
	saveLoaded        bool
	includeDepth      int
	moduleConfigs     [][2]string
	allowActiveDefrag bool
	sandbox           bool // tests and fuzzing: no file system access from directives
}

// New returns a Config holding Redis 7.0.15's defaults. `dir` starts as the process's
// working directory, as in Redis.
func New() *Config {
	c := &Config{slots: make([]slot, len(directives)), appliers: make([]*applier, len(directives)),
		handlers: map[string]DirectiveHandler{}}
	for _, d := range directives {
		s := &c.slots[d.idx]
		switch d.Kind {
		case KindBool, KindNumeric, KindEnum:
			s.num.Store(d.DefaultNum)
		case KindString, KindSDS:
			if !(d.EmptyToNull && d.DefaultNull) {
				v := d.DefaultStr
				s.str.Store(&v)
			}
		}
	}
	save := append([]SaveParam(nil), defaultSave...)
	c.save.Store(&save)
	cobl := defaultCOBL
	c.cobl.Store(&cobl)
	oom := defaultOOM
	c.oom.Store(&oom)
	bind := append([]string(nil), defaultBind...)
	c.bind.Store(&bind)
	pct := append([]float64(nil), defaultPercentiles...)
	c.pct.Store(&pct)
	wd, err := os.Getwd()
	if err != nil {
		wd = ""
	}
	c.dir.Store(&wd)
	return c
}

// AllowActiveDefrag makes `activedefrag yes` acceptable. By default it is refused with
// the error of a Redis built without HAVE_DEFRAG (the build installed here), since the
// engine has no defragmenter.
func (c *Config) AllowActiveDefrag(ok bool) {
	c.mu.Lock()
	c.allowActiveDefrag = ok
	c.mu.Unlock()
}

// OnApply registers fn to run after CONFIG SET changed any of the named directives
// (primary names or aliases). A function registered for several directives runs once
// per CONFIG SET, as Redis dedups apply functions. It does not run at load time.
func (c *Config) OnApply(fn ApplyFunc, names ...string) error {
	a := &applier{fn: fn}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, n := range names {
		e := lookup(n)
		if e == nil {
			return errors.New("config: OnApply: unknown directive " + strconv.Quote(n))
		}
		c.appliers[e.d.idx] = a
	}
	return nil
}

// HandleDirective registers the handler of a file-only directive: "rename-command"
// (2 arguments), "user" (1 or more), "loadmodule" (1 or more). Without a handler those
// directives are refused with a clear error.
func (c *Config) HandleDirective(name string, h DirectiveHandler) {
	c.mu.Lock()
	c.handlers[toLowerASCII(name)] = h
	c.mu.Unlock()
}

// ConfigFile is the absolute path of the configuration file loaded by LoadServer, or "".
func (c *Config) ConfigFile() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.configFile
}

// ModuleConfigs returns the `module.name value` directives queued by the loader.
func (c *Config) ModuleConfigs() [][2]string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([][2]string(nil), c.moduleConfigs...)
}

// ---- formatting (CONFIG GET) ----

func (c *Config) format(d *Directive) string {
	s := &c.slots[d.idx]
	switch d.Kind {
	case KindBool:
		if s.num.Load() != 0 {
			return "yes"
		}
		return "no"
	case KindString, KindSDS:
		if p := s.str.Load(); p != nil {
			return *p
		}
		return ""
	case KindEnum:
		name, ok := enumName(d.Enum, int(s.num.Load()), d.Flags&FlagMultiArg != 0)
		if !ok {
			return "unknown"
		}
		return name
	case KindNumeric:
		v := s.num.Load()
		switch {
		case d.NumFlags&NumPercent != 0 && v < 0:
			return strconv.FormatInt(-v, 10) + "%"
		case d.NumFlags&NumMemory != 0:
			return strconv.FormatUint(uint64(v), 10)
		case d.NumFlags&NumOctal != 0:
			return strconv.FormatUint(uint64(v), 8)
		default:
			return strconv.FormatInt(v, 10)
		}
	}
	switch d.special {
	case spDir:
		return *c.dir.Load()
	case spSave:
		var b strings.Builder
		for i, p := range *c.save.Load() {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(strconv.FormatInt(p.Seconds, 10))
			b.WriteByte(' ')
			b.WriteString(strconv.FormatInt(int64(p.Changes), 10))
		}
		return b.String()
	case spCOBL:
		var b strings.Builder
		for i, l := range *c.cobl.Load() {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(classNames[i] + " " + strconv.FormatUint(l.HardBytes, 10) + " " +
				strconv.FormatUint(l.SoftBytes, 10) + " " + strconv.FormatInt(int64(l.SoftSeconds), 10))
		}
		return b.String()
	case spOOMValues:
		o := c.oom.Load()
		return strconv.Itoa(o[0]) + " " + strconv.Itoa(o[1]) + " " + strconv.Itoa(o[2])
	case spNotify:
		return notifyFlagsToString(int(c.slots[d.idx].num.Load()))
	case spBind:
		return strings.Join(*c.bind.Load(), " ")
	case spReplicaOf:
		if r := c.replicaof.Load(); r != nil {
			return r.Host + " " + strconv.Itoa(r.Port)
		}
		return ""
	case spPercentiles:
		p := *c.pct.Load()
		parts := make([]string, len(p))
		for i, f := range p {
			parts[i] = formatPercentile(f)
		}
		return strings.Join(parts, " ")
	}
	return ""
}

// enumName is configEnumGetName of Redis 7.0.15 (bit flags joined by spaces).
func enumName(ev []EnumValue, v int, bitflags bool) (string, bool) {
	var names []string
	unmatched := v
	for _, e := range ev {
		if e.Value == v {
			return e.Name, true
		}
		if bitflags && e.Value != 0 && e.Value == unmatched&e.Value {
			names = append(names, e.Name)
			unmatched &^= e.Value
		}
	}
	if len(names) == 0 || unmatched != 0 {
		return "", false
	}
	return strings.Join(names, " "), true
}

func notifyFlagsToString(f int) string {
	var b []byte
	if f&NotifyAll == NotifyAll {
		b = append(b, 'A')
	} else {
		for _, x := range []struct {
			f int
			c byte
		}{{NotifyGeneric, 'g'}, {NotifyString, '$'}, {NotifyList, 'l'}, {NotifySet, 's'}, {NotifyHash, 'h'},
			{NotifyZset, 'z'}, {NotifyExpired, 'x'}, {NotifyEvicted, 'e'}, {NotifyStream, 't'},
			{NotifyModule, 'd'}, {NotifyNew, 'n'}} {
			if f&x.f != 0 {
				b = append(b, x.c)
			}
		}
	}
	if f&NotifyKeyspace != 0 {
		b = append(b, 'K')
	}
	if f&NotifyKeyevent != 0 {
		b = append(b, 'E')
	}
	if f&NotifyKeyMiss != 0 {
		b = append(b, 'm')
	}
	return string(b)
}

// ParseNotifyKeyspaceEvents is keyspaceEventsStringToFlags; ok is false on an unknown
// class character.
func ParseNotifyKeyspaceEvents(s string) (int, bool) {
	f := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case 'A':
			f |= NotifyAll
		case 'g':
			f |= NotifyGeneric
		case '$':
			f |= NotifyString
		case 'l':
			f |= NotifyList
		case 's':
			f |= NotifySet
		case 'h':
			f |= NotifyHash
		case 'z':
			f |= NotifyZset
		case 'x':
			f |= NotifyExpired
		case 'e':
			f |= NotifyEvicted
		case 'K':
			f |= NotifyKeyspace
		case 'E':
			f |= NotifyKeyevent
		case 't':
			f |= NotifyStream
		case 'm':
			f |= NotifyKeyMiss
		case 'd':
			f |= NotifyModule
		case 'n':
			f |= NotifyNew
		case 0:
			return f, true
		default:
			return 0, false
		}
	}
	return f, true
}

// ---- CONFIG GET ----

// Get implements CONFIG GET: each argument is an exact name (any case, hidden
// directives included, answered under the name as given) or a glob pattern matched
// case-insensitively against every non-hidden name and alias. It returns name/value
// pairs, each directive once, values formatted exactly as Redis formats them.
func (c *Config) Get(patterns ...string) []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range patterns {
		if !strings.ContainsAny(p, "[*?") {
			k := toLowerASCII(p)
			if seen[k] {
				continue
			}
			if e := lookup(p); e != nil {
				seen[k] = true
				out = append(out, p, c.format(e.d))
			}
			continue
		}
		for i := range entries {
			e := &entries[i]
			if e.d.Flags&FlagHidden != 0 || seen[e.name] {
				continue
			}
			if StringMatch(p, e.name, true) {
				seen[e.name] = true
				out = append(out, e.name, c.format(e.d))
			}
		}
	}
	return out
}

// Value returns the value of one directive (name or alias, any case) as CONFIG GET
// formats it.
func (c *Config) Value(name string) (string, bool) {
	e := lookup(name)
	if e == nil {
		return "", false
	}
	return c.format(e.d), true
}

// ---- CONFIG SET ----

// Error is an error reply, its text exactly as Redis sends it (without the leading '-').
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

// SetContext describes the client and the server state of a CONFIG SET.
type SetContext struct {
	// Local is true when the client connects over loopback or a unix socket
	// (enable-protected-configs local).
	Local bool
	// Loading is true while the server loads its dataset (DENY_LOADING configs fail).
	Loading bool
}

// Set implements CONFIG SET name value [name value ...] for a remote client of a
// server that is not loading. See SetWith.
func (c *Config) Set(args ...string) error { return c.SetWith(SetContext{}, args...) }

type backup struct {
	num   int64
	str   *string
	save  *[]SaveParam
	cobl  *[3]ClientBufferLimit
	oom   *[3]int
	bind  *[]string
	repl  *ReplicaOf
	pct   *[]float64
	dir   *string
	saveL bool
}

func (c *Config) snapshot(d *Directive) backup {
	s := &c.slots[d.idx]
	return backup{num: s.num.Load(), str: s.str.Load(), save: c.save.Load(), cobl: c.cobl.Load(), oom: c.oom.Load(),
		bind: c.bind.Load(), repl: c.replicaof.Load(), pct: c.pct.Load(), dir: c.dir.Load()}
}

func (c *Config) restore(d *Directive, b backup) {
	s := &c.slots[d.idx]
	switch d.Kind {
	case KindBool, KindNumeric, KindEnum:
		s.num.Store(b.num)
	case KindString, KindSDS:
		s.str.Store(b.str)
	default:
		switch d.special {
		case spNotify:
			s.num.Store(b.num)
		case spSave:
			c.save.Store(b.save)
		case spCOBL:
			c.cobl.Store(b.cobl)
		case spOOMValues:
			c.oom.Store(b.oom)
		case spBind:
			c.bind.Store(b.bind)
		case spReplicaOf:
			c.replicaof.Store(b.repl)
		case spPercentiles:
			c.pct.Store(b.pct)
		case spDir:
			c.dir.Store(b.dir)
		}
	}
}

// SetWith implements CONFIG SET as Redis 7.0.15's configSetCommand: every name is
// checked first (unknown, immutable, protected, deny-loading, duplicate), then all values
// are set, then the apply functions run; any failure restores every previous value.
// The error is an *Error whose text is Redis's reply.
func (c *Config) SetWith(ctx SetContext, args ...string) error {
	if len(args) < 2 {
		return &Error{"ERR wrong number of arguments for 'config|set' command"}
	}
	if len(args)%2 != 0 {
		return &Error{"ERR syntax error"}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	n := len(args) / 2
	set := make([]*entry, n)
	var invalidArg, errArg, errstr string
	invalid, unknown, denyLoading := false, false, false
	for i := 0; i < n; i++ {
		name := args[2*i]
		e := lookup(name)
		if e == nil {
			if !invalid {
				invalidArg = name
				invalid, unknown = true, true
			}
			continue
		}
		if invalid {
			continue
		}
		d := e.d
		if d.Flags&FlagImmutable != 0 || (d.Flags&FlagProtected != 0 && !c.allowProtected(ctx)) {
			if d.Flags&FlagImmutable != 0 {
				errstr = "can't set immutable config"
			} else {
				errstr = "can't set protected config"
			}
			errArg = name
			invalid = true
			continue
		}
		if ctx.Loading && d.Flags&FlagDenyLoading != 0 {
			denyLoading = true
			invalid = true
			continue
		}
		for j := 0; j < i; j++ {
			if set[j] == e {
				errstr = "duplicate parameter"
				errArg = name
				invalid = true
				break
			}
		}
		set[i] = e
	}
	if !invalid {
		olds := make([]backup, n)
		for i, e := range set {
			olds[i] = c.snapshot(e.d)
		}
		var appl []*applier
		var applOwner []string
		hzChanged, backlogChanged := false, false
		failed := false
		for i, e := range set {
			var argv []string
			if e.d.Flags&FlagMultiArg != 0 {
				argv = splitLen(args[2*i+1], " ")
			} else {
				argv = []string{args[2*i+1]}
			}
			res, msg := c.setDirective(e.d, argv)
			if res == 0 {
				for j := i; j >= 0; j-- {
					c.restore(set[j].d, olds[j])
				}
				errArg, errstr = e.name, msg
				failed = true
				break
			}
			if res == 1 {
				switch e.d.idx {
				case idxHz:
					hzChanged = true
				case idxReplBacklogSize:
					backlogChanged = true
				}
				if a := c.appliers[e.d.idx]; a != nil {
					dup := false
					for _, x := range appl {
						if x == a {
							dup = true
							break
						}
					}
					if !dup {
						appl = append(appl, a)
						applOwner = append(applOwner, e.name)
					}
				}
			}
		}
		if !failed {
			if hzChanged {
				c.clampHz()
			}
			if backlogChanged && c.slots[idxReplBacklogSize].num.Load() < minReplBacklogSize {
				// resizeReplicationBacklog's floor, applied on CONFIG SET only.
				c.slots[idxReplBacklogSize].num.Store(minReplBacklogSize)
			}
			for k, a := range appl {
				if err := a.fn(); err != nil {
					for j := n - 1; j >= 0; j-- {
						c.restore(set[j].d, olds[j])
					}
					for _, b := range appl {
						_ = b.fn()
					}
					errArg, errstr = applOwner[k], err.Error()
					failed = true
					break
				}
			}
		}
		if !failed {
			return nil
		}
	}
	switch {
	case denyLoading:
		return &Error{"LOADING Redis is loading the dataset in memory"}
	case unknown:
		// Redis formats the name with %s: it ends at a NUL byte.
		if i := strings.IndexByte(invalidArg, 0); i >= 0 {
			invalidArg = invalidArg[:i]
		}
		return &Error{"ERR Unknown option or number of arguments for CONFIG SET - '" + invalidArg + "'"}
	case errstr != "":
		return &Error{"ERR CONFIG SET failed (possibly related to argument '" + errArg + "') - " + errstr}
	default:
		return &Error{"ERR CONFIG SET failed (possibly related to argument '" + errArg + "')"}
	}
}

const minReplBacklogSize = 16 * 1024

func (c *Config) allowProtected(ctx SetContext) bool {
	v := c.slots[idxEnableProtectedConfigs].num.Load()
	return v == ProtectedYes || (v == ProtectedLocal && ctx.Local)
}

func (c *Config) clampHz() {
	s := &c.slots[idxHz]
	if v := s.num.Load(); v < 1 {
		s.num.Store(1)
	} else if v > 500 {
		s.num.Store(500)
	}
}

// setDirective is the type interface's set(): 0 error (with a message), 1 changed,
// 2 unchanged.
func (c *Config) setDirective(d *Directive, argv []string) (int, string) {
	s := &c.slots[d.idx]
	switch d.Kind {
	case KindBool:
		var yn int64
		switch strings.ToLower(argv[0]) {
		case "yes":
			yn = 1
		case "no":
			yn = 0
		default:
			return 0, "argument must be 'yes' or 'no'"
		}
		if d.Name == "activedefrag" && yn == 1 && !c.allowActiveDefrag {
			return 0, "Active defragmentation cannot be enabled: it requires a Redis server compiled with a modified Jemalloc like the one shipped by default with the Redis source distribution"
		}
		if s.num.Load() != yn {
			s.num.Store(yn)
			return 1, ""
		}
		return 2, ""
	case KindString, KindSDS:
		v := argv[0]
		if d.validStr != nil {
			if msg := d.validStr(c, v); msg != "" {
				return 0, msg
			}
		}
		prev := s.str.Load()
		var nv *string
		if !(d.EmptyToNull && v == "") {
			nv = &v
		}
		if (nv == nil) != (prev == nil) || (nv != nil && *nv != *prev) {
			s.str.Store(nv)
			return 1, ""
		}
		return 2, ""
	case KindEnum:
		v, ok := enumValue(d.Enum, argv, d.Flags&FlagMultiArg != 0)
		if !ok {
			msg := "argument(s) must be one of the following: "
			for i, e := range d.Enum {
				if i > 0 {
					msg += ", "
				}
				msg += e.Name
			}
			if len(msg) > 255 {
				msg = msg[:255]
			}
			return 0, msg
		}
		if d.Flags&FlagMultiArg != 0 && v&ShutdownNoSave != 0 && v&ShutdownSave != 0 {
			return 0, "shutdown options SAVE and NOSAVE can't be used simultaneously"
		}
		if s.num.Load() != int64(v) {
			s.num.Store(int64(v))
			return 1, ""
		}
		return 2, ""
	case KindNumeric:
		ll, msg := parseNumeric(d, argv[0])
		if msg != "" {
			return 0, msg
		}
		if msg := boundaryCheck(d, ll); msg != "" {
			return 0, msg
		}
		if s.num.Load() != ll {
			s.num.Store(castNumeric(d.NumType, ll))
			return 1, ""
		}
		return 2, ""
	}
	return c.setSpecial(d, argv)
}

func enumValue(ev []EnumValue, argv []string, bitflags bool) (int, bool) {
	if len(argv) == 0 || (!bitflags && len(argv) != 1) {
		return 0, false
	}
	v := 0
	for _, a := range argv {
		matched := false
		for _, e := range ev {
			if strings.EqualFold(a, e.Name) && !strings.ContainsRune(a, 0) {
				v |= e.Value
				matched = true
			}
		}
		if !matched {
			return 0, false
		}
	}
	return v, true
}

func parseNumeric(d *Directive, v string) (int64, string) {
	if d.NumFlags&NumMemory != 0 {
		if u, ok := memtoull(v); ok {
			return int64(u), ""
		}
	}
	if d.NumFlags&NumPercent != 0 && len(v) > 1 && v[len(v)-1] == '%' {
		if ll, ok := string2ll(v[:len(v)-1]); ok && ll >= 0 {
			return -ll, ""
		}
	}
	if d.NumFlags&NumOctal != 0 {
		ll, rest, overflow := strtoll(v, 8)
		if !overflow && rest == "" && !strings.ContainsRune(v, 0) {
			return ll, ""
		}
	}
	if d.NumFlags == 0 {
		if ll, ok := string2ll(v); ok {
			return ll, ""
		}
	}
	switch {
	case d.NumFlags&NumMemory != 0 && d.NumFlags&NumPercent != 0:
		return 0, "argument must be a memory or percent value"
	case d.NumFlags&NumMemory != 0:
		return 0, "argument must be a memory value"
	case d.NumFlags&NumOctal != 0:
		return 0, "argument couldn't be parsed as an octal number"
	default:
		return 0, "argument couldn't be parsed into an integer"
	}
}

func boundaryCheck(d *Directive, ll int64) string {
	switch d.NumType {
	case NumULongLong, NumUInt, NumSizeT:
		u, lo, hi := uint64(ll), uint64(d.Lower), uint64(d.Upper)
		if u > hi || u < lo {
			if d.NumFlags&NumOctal != 0 {
				return "argument must be between " + strconv.FormatUint(lo, 8) + " and " + strconv.FormatUint(hi, 8) + " inclusive"
			}
			return "argument must be between " + strconv.FormatUint(lo, 10) + " and " + strconv.FormatUint(hi, 10) + " inclusive"
		}
		return ""
	}
	if d.NumFlags&NumPercent != 0 && ll < 0 {
		if ll < d.Lower {
			return "percentage argument must be less or equal to " + strconv.FormatInt(-d.Lower, 10)
		}
		return ""
	}
	if ll > d.Upper || ll < d.Lower {
		return "argument must be between " + strconv.FormatInt(d.Lower, 10) + " and " + strconv.FormatInt(d.Upper, 10) + " inclusive"
	}
	return ""
}

// castNumeric stores v in the directive's C type and reads it back as a long long.
func castNumeric(t NumType, v int64) int64 {
	switch t {
	case NumInt:
		return int64(int32(v))
	case NumUInt:
		return int64(uint32(v))
	}
	return v
}

var errnoText = map[syscall.Errno]string{
	syscall.ENOENT:       "No such file or directory",
	syscall.ENOTDIR:      "Not a directory",
	syscall.EACCES:       "Permission denied",
	syscall.ELOOP:        "Too many levels of symbolic links",
	syscall.ENAMETOOLONG: "File name too long",
	syscall.EIO:          "Input/output error",
	syscall.EPERM:        "Operation not permitted",
	syscall.EEXIST:       "File exists",
	syscall.EISDIR:       "Is a directory",
	syscall.ENOSPC:       "No space left on device",
	syscall.EROFS:        "Read-only file system",
}

// Strerror renders an error as C's strerror would, for the errno values Redis reports.
func Strerror(err error) string {
	var en syscall.Errno
	if errors.As(err, &en) {
		if s, ok := errnoText[en]; ok {
			return s
		}
		s := en.Error()
		if s != "" {
			return strings.ToUpper(s[:1]) + s[1:]
		}
	}
	return err.Error()
}

func (c *Config) resolve(p string) string {
	if filepath.IsAbs(p) || p == "" {
		return p
	}
	return filepath.Join(*c.dir.Load(), p)
}

func (c *Config) setSpecial(d *Directive, argv []string) (int, string) {
	switch d.special {
	case spDir:
		if len(argv) != 1 {
			return 0, "wrong number of arguments"
		}
		p := c.resolve(argv[0])
		if p == "" {
			return 0, "No such file or directory"
		}
		if c.sandbox {
			p = filepath.Clean(p)
			c.dir.Store(&p)
			return 1, ""
		}
		fi, err := os.Stat(p)
		if err != nil {
			return 0, Strerror(err)
		}
		if !fi.IsDir() {
			return 0, "Not a directory"
		}
		if err := syscall.Access(p, 1); err != nil {
			return 0, Strerror(err)
		}
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		p = filepath.Clean(p)
		c.dir.Store(&p)
		return 1, ""
	case spSave:
		reset := false
		if len(argv) == 1 && argv[0] == "" {
			// save "" empties the save points, even in the middle of a file.
			argv = nil
			reset = true
		}
		if len(argv)%2 != 0 {
			return 0, "Invalid save parameters"
		}
		params := make([]SaveParam, 0, len(argv)/2)
		for j := 0; j < len(argv); j += 2 {
			sec, rest, _ := strtoll(argv[j], 10)
			if rest != "" || sec < 1 {
				return 0, "Invalid save parameters"
			}
			ch, rest, _ := strtoll(argv[j+1], 10)
			if rest != "" || ch < 0 {
				return 0, "Invalid save parameters"
			}
			params = append(params, SaveParam{Seconds: sec, Changes: int32(ch)})
		}
		if c.readingConfigFile && c.saveLoaded && !reset {
			old := *c.save.Load()
			params = append(append([]SaveParam(nil), old...), params...)
		}
		if c.readingConfigFile {
			c.saveLoaded = true
		}
		c.save.Store(&params)
		return 1, ""
	case spCOBL:
		if len(argv)%4 != 0 {
			return 0, "Wrong number of arguments in buffer limit configuration."
		}
		next := *c.cobl.Load()
		for j := 0; j < len(argv); j += 4 {
			class := ClientTypeByName(argv[j])
			if class < 0 {
				return 0, "Invalid client class specified in buffer limit configuration."
			}
			hard, ok1 := memtoull(argv[j+1])
			soft, ok2 := memtoull(argv[j+2])
			ss, rest, _ := strtoll(argv[j+3], 10)
			secs := int32(ss)
			if !ok1 || !ok2 || secs < 0 || rest != "" {
				return 0, "Error in hard, soft or soft_seconds setting in buffer limit configuration."
			}
			next[class] = ClientBufferLimit{HardBytes: hard, SoftBytes: soft, SoftSeconds: secs}
		}
		c.cobl.Store(&next)
		return 1, ""
	case spOOMValues:
		if len(argv) != 3 {
			return 0, "wrong number of arguments"
		}
		var vals [3]int
		for i, a := range argv {
			v, rest, _ := strtoll(a, 10)
			if rest != "" || v < -2000 || v > 2000 {
				return 0, "Invalid oom-score-adj-values, elements must be between -2000 and 2000."
			}
			vals[i] = int(v)
		}
		if *c.oom.Load() == vals {
			return 2, ""
		}
		c.oom.Store(&vals)
		return 1, ""
	case spNotify:
		if len(argv) != 1 {
			return 0, "wrong number of arguments"
		}
		f, ok := ParseNotifyKeyspaceEvents(argv[0])
		if !ok {
			return 0, "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."
		}
		c.slots[d.idx].num.Store(int64(f))
		return 1, ""
	case spBind:
		if len(argv) > 16 {
			return 0, "Too many bind addresses specified."
		}
		if len(argv) == 1 && argv[0] == "" {
			argv = nil
		}
		b := append([]string{}, argv...)
		c.bind.Store(&b)
		return 1, ""
	case spReplicaOf:
		if len(argv) != 2 {
			return 0, "wrong number of arguments"
		}
		c.replicaof.Store(nil)
		if strings.EqualFold(argv[0], "no") && strings.EqualFold(argv[1], "one") {
			return 1, ""
		}
		port, rest, _ := strtoll(argv[1], 10)
		if port < 0 || port > 65535 || rest != "" {
			return 0, "Invalid master port"
		}
		c.replicaof.Store(&ReplicaOf{Host: argv[0], Port: int(port)})
		return 1, ""
	case spPercentiles:
		if len(argv) == 1 && argv[0] == "" {
			argv = nil
		}
		p := make([]float64, 0, len(argv))
		for _, a := range argv {
			f, ok := string2d(a)
			if !ok {
				return 0, "Invalid latency-tracking-info-percentiles parameters"
			}
			if f > 100 || f < 0 {
				return 0, "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]"
			}
			p = append(p, f)
		}
		c.pct.Store(&p)
		return 1, ""
	}
	return 0, "unknown directive type"
}

// ClientTypeByName is getClientTypeByName restricted to the classes
// client-output-buffer-limit accepts: normal, slave/replica, pubsub (-1 otherwise).
func ClientTypeByName(s string) int {
	switch strings.ToLower(s) {
	case "normal":
		return ClassNormal
	case "slave", "replica":
		return ClassReplica
	case "pubsub":
		return ClassPubsub
	}
	return -1
}
