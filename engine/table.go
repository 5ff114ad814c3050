package engine

import "strings"

// Flags are a command's properties that dispatch checks (a subset of Redis's CMD_*).
type Flags uint32

// Command flags, named as Redis's command flags.
const (
	FlagWrite        Flags = 1 << iota // may modify the keyspace
	FlagReadOnly                       // reads only
	FlagDenyOOM                        // refused when over maxmemory
	FlagAdmin                          // administrative
	FlagPubSub                         // pub/sub related
	FlagNoScript                       // not allowed from scripts
	FlagBlocking                       // may block the client
	FlagLoading                        // allowed while loading
	FlagStale                          // allowed on a stale replica
	FlagSkipMonitor                    // not shown to MONITOR
	FlagSkipSlowlog                    // not logged in the slowlog
	FlagFast                           // O(1) or O(log N)
	FlagNoAuth                         // allowed before AUTH
	FlagNoMulti                        // not allowed inside MULTI
	FlagAllowBusy                      // allowed while a script is busy
	FlagNoPropagate                    // never propagated even if it dirties (e.g. no-op writes)
	FlagMultiControl                   // MULTI, EXEC, DISCARD, WATCH, UNWATCH: not queued
)

// HandlerFunc executes a command. It replies through x and never blocks.
type HandlerFunc func(x *Ctx)

// Command is one entry of the command table. Arity follows Redis: positive means exactly
// that many arguments including the name, negative means at least -Arity.
type Command struct {
	Name     string // lower case, as COMMAND reports it; "parent|sub" for subcommands
	Arity    int
	Flags    Flags
	FirstKey int // position of the first key (0: none)
	LastKey  int // position of the last key; negative counts from the end
	Step     int
	Fn       HandlerFunc

	// Subcommands by lower-case name; a container command (CONFIG, CLIENT, OBJECT…) has
	// Fn == nil and dispatch goes to the subcommand.
	Subcommands map[string]*Command
	Parent      *Command

	// memberArg is the argument Prefetch takes for a member of the key (prefetch.go).
	memberArg int8

	// Statistics for INFO commandstats.
	Calls         int64
	Usec          int64
	RejectedCalls int64
	FailedCalls   int64
}

// FullName is "parent|sub" for subcommands and the name otherwise.
func (c *Command) FullName() string { return c.Name }

// Table is the command table: every command the engine (and the server) implements.
type Table struct {
	cmds map[string]*Command
}

// NewTable returns an empty table.
func NewTable() *Table { return &Table{cmds: map[string]*Command{}} }

// Register adds commands. Registering a name twice panics: that is a programming error.
func (t *Table) Register(cmds ...*Command) {
	for _, c := range cmds {
		c.Name = strings.ToLower(c.Name)
		if _, dup := t.cmds[c.Name]; dup {
			panic("engine: command registered twice: " + c.Name)
		}
		for name, s := range c.Subcommands {
			s.Parent = c
			if s.Name == "" {
				s.Name = c.Name + "|" + name
			}
		}
		c.memberArg = memberArgs[c.Name]
		t.cmds[c.Name] = c
	}
}

// Lookup finds a command by name, case-insensitively, without allocating.
func (t *Table) Lookup(name []byte) *Command {
	if len(name) > 64 {
		return nil
	}
	var buf [64]byte
	lower := buf[:len(name)]
	for i, ch := range name {
		if 'A' <= ch && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		lower[i] = ch
	}
	return t.cmds[string(lower)]
}

// LookupSub finds a subcommand of c.
func (c *Command) LookupSub(name []byte) *Command {
	if c.Subcommands == nil || len(name) > 64 {
		return nil
	}
	var buf [64]byte
	lower := buf[:len(name)]
	for i, ch := range name {
		if 'A' <= ch && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		lower[i] = ch
	}
	return c.Subcommands[string(lower)]
}

// All calls fn for every top-level command.
func (t *Table) All(fn func(c *Command)) {
	for _, c := range t.cmds {
		fn(c)
	}
}

// Names lists every top-level command name.
func (t *Table) Names() []string {
	out := make([]string, 0, len(t.cmds))
	for n := range t.cmds {
		out = append(out, n)
	}
	return out
}

// ResetStats clears every command's statistics (CONFIG RESETSTAT).
func (t *Table) ResetStats() {
	var reset func(c *Command)
	reset = func(c *Command) {
		c.Calls, c.Usec, c.RejectedCalls, c.FailedCalls = 0, 0, 0, 0
		for _, s := range c.Subcommands {
			reset(s)
		}
	}
	for _, c := range t.cmds {
		reset(c)
	}
}

func arityOK(arity, n int) bool {
	return (arity > 0 && n == arity) || (arity < 0 && n >= -arity)
}
