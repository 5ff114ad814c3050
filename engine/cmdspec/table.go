package cmdspec

import (
	_ "embed"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/redisctl/redisctl/engine/cmdspec/internal/rawresp"
)

// The data captured from the real server by ./gen; see doc.go.
var (
	//go:embed data/info.resp3
	infoData []byte
	//go:embed data/docs.resp3
	docsData []byte
	//go:embed data/help.resp3
	helpData []byte
	//go:embed data/VERSION
	versionData string
)

// RedisVersion is the redis_version of the server the table was captured from.
func RedisVersion() string { return strings.TrimSpace(versionData) }

// maxNameLen bounds the names Lookup will lowercase on the stack; longer names are not
// in the table (the longest, "georadiusbymember_ro", has 20 bytes).
const maxNameLen = 64

// Table is a set of commands: the whole of Redis 7.0's (Full) or the part of it an
// engine implements (Restrict). A Table is immutable and safe for concurrent use.
type Table struct {
	cmds  []*Spec          // top-level commands, sorted by name
	index map[string]*Spec // lowercase name -> top-level command
}

var full struct {
	once sync.Once
	t    *Table
	err  error
}

// Full returns Redis 7.0's whole command table, parsed once from the embedded data. It
// panics if that data is damaged (the package tests prove it is not).
func Full() *Table {
	full.once.Do(func() { full.t, full.err = parseTable(infoData, docsData, helpData) })
	if full.err != nil {
		panic(fmt.Sprintf("cmdspec: embedded command table: %v", full.err))
	}
	return full.t
}

// Lookup is Full().Lookup.
func Lookup(name []byte) *Spec { return Full().Lookup(name) }

func parseTable(info, docs, help []byte) (*Table, error) {
	iv, rest, err := rawresp.Parse(info)
	if err != nil || len(rest) != 0 || iv.Type != '*' {
		return nil, fmt.Errorf("info.resp3: not one RESP3 array (%v)", err)
	}
	dv, rest, err := rawresp.Parse(docs)
	if err != nil || len(rest) != 0 || dv.Type != '%' {
		return nil, fmt.Errorf("docs.resp3: not one RESP3 map (%v)", err)
	}
	hv, rest, err := rawresp.Parse(help)
	if err != nil || len(rest) != 0 || hv.Type != '%' {
		return nil, fmt.Errorf("help.resp3: not one RESP3 map (%v)", err)
	}
	t := &Table{index: make(map[string]*Spec, len(iv.Elems))}
	for i := range iv.Elems {
		s, err := specFromInfo(&iv.Elems[i], nil)
		if err != nil {
			return nil, fmt.Errorf("info.resp3: %w", err)
		}
		if t.index[s.Name] != nil {
			return nil, fmt.Errorf("info.resp3: %q twice", s.Name)
		}
		t.cmds = append(t.cmds, s)
		t.index[s.Name] = s
	}
	for i := 0; i+1 < len(dv.Elems); i += 2 {
		name := str(&dv.Elems[i])
		s := t.index[name]
		if s == nil {
			return nil, fmt.Errorf("docs.resp3: %q is not in info.resp3", name)
		}
		if err := s.addDocs(&dv.Elems[i+1]); err != nil {
			return nil, fmt.Errorf("docs.resp3: %w", err)
		}
	}
	for i := 0; i+1 < len(hv.Elems); i += 2 {
		name := str(&hv.Elems[i])
		s := t.index[name]
		if s == nil || s.Subcommands == nil {
			return nil, fmt.Errorf("help.resp3: %q is not a container", name)
		}
		v := &hv.Elems[i+1]
		s.help[1] = v.Raw
		s.help[0] = rawresp.ToRESP2(nil, v)
	}
	sort.Slice(t.cmds, func(i, j int) bool { return t.cmds[i].Name < t.cmds[j].Name })
	for _, s := range t.cmds {
		s.finish()
		for _, sub := range s.Subcommands {
			sub.finish()
		}
	}
	return t, nil
}

// finish derives what GetKeys needs.
func (s *Spec) finish() {
	s.getkeys = getKeysProcs[s.Name]
	for i := range s.KeySpecs {
		s.allFlags |= s.KeySpecs[i].Flags
		if s.KeySpecs[i].Flags&KeyNotKey == 0 {
			s.hasKeys = true
		}
	}
	if s.getkeys != nil {
		s.hasKeys = true
	}
}

// Len returns the number of top-level commands (what COMMAND COUNT answers).
func (t *Table) Len() int { return len(t.cmds) }

// Commands returns the top-level commands sorted by name. The slice is shared: do not
// modify it.
func (t *Table) Commands() []*Spec { return t.cmds }

// Lookup finds a top-level command by name, case-insensitively (ASCII, as Redis), without
// allocating. It returns nil for unknown names.
func (t *Table) Lookup(name []byte) *Spec { return lookupFold(t.index, name) }

// lookupFold looks name up in m case-insensitively. m[string(b)] does not allocate, and
// the buffer stays on the stack.
func lookupFold(m map[string]*Spec, name []byte) *Spec {
	if len(name) > maxNameLen {
		return nil
	}
	var buf [maxNameLen]byte
	upper := false
	for i, c := range name {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
			upper = true
		}
		buf[i] = c
	}
	if !upper {
		return m[string(name)]
	}
	return m[string(buf[:len(name)])]
}

// LookupSub finds a subcommand of parent by its own name ("get" for CONFIG GET),
// case-insensitively, without allocating. It returns nil when parent is nil, has no
// subcommands, or has no such one (in this table).
func (t *Table) LookupSub(parent *Spec, sub []byte) *Spec { return parent.Sub(sub) }

// Sub is LookupSub on the subcommands of s.
func (s *Spec) Sub(sub []byte) *Spec {
	if s == nil || s.subIndex == nil {
		return nil
	}
	return lookupFold(s.subIndex, sub)
}

// LookupArgv finds the command a command line runs, as Redis's lookupCommand: argv[0]
// names the command, and for a container with at least two arguments argv[1] names the
// subcommand. A container called alone resolves to the container itself (whose arity
// then fails). It returns nil when nothing matches; it does not allocate.
func (t *Table) LookupArgv(argv [][]byte) *Spec {
	if len(argv) == 0 {
		return nil
	}
	base := t.Lookup(argv[0])
	if base == nil || len(argv) == 1 || base.subIndex == nil {
		return base
	}
	return base.Sub(argv[1])
}

// LookupFull finds a command by its full name, "get" or "config|get", case-insensitively,
// as COMMAND INFO and COMMAND DOCS do (Redis's lookupCommandBySds).
func (t *Table) LookupFull(name []byte) *Spec {
	for i, c := range name {
		if c == '|' {
			base := t.Lookup(name[:i])
			if base == nil || base.subIndex == nil {
				return nil
			}
			return base.Sub(name[i+1:]) // a second '|' is in no name, so it misses
		}
	}
	return t.Lookup(name)
}

// Restrict returns a table holding only the named commands, so that COMMAND COUNT,
// COMMAND LIST, COMMAND INFO/DOCS and the unknown-command errors describe what an engine
// really implements. A name is either a top-level command ("get", "config"), which keeps
// it with all of its subcommands, or "parent|sub" ("config|get"), which keeps the
// container with only the named subcommands; case does not matter. An unknown name is an
// error, so a typo in the engine's list fails loudly. The receiver is not changed; Specs
// of commands kept whole are shared with it, and containers that lose subcommands are
// copied.
func (t *Table) Restrict(names []string) (*Table, error) {
	whole := map[string]bool{}
	subs := map[string]map[string]bool{}
	for _, n := range names {
		ln := strings.ToLower(n)
		s := t.LookupFull([]byte(ln))
		if s == nil {
			return nil, fmt.Errorf("cmdspec: restrict: no command %q in the table", n)
		}
		if s.Parent == nil {
			whole[s.Name] = true
			continue
		}
		if subs[s.Parent.Name] == nil {
			subs[s.Parent.Name] = map[string]bool{}
		}
		subs[s.Parent.Name][s.SubName] = true
	}
	r := &Table{index: make(map[string]*Spec, len(whole)+len(subs))}
	for _, s := range t.cmds {
		keep := subs[s.Name]
		switch {
		case whole[s.Name]:
			r.cmds = append(r.cmds, s)
		case keep != nil:
			c := *s
			c.Subcommands = nil
			c.subIndex = make(map[string]*Spec, len(keep))
			for _, sub := range s.Subcommands {
				if keep[sub.SubName] {
					cs := *sub
					cs.Parent = &c
					c.Subcommands = append(c.Subcommands, &cs)
					c.subIndex[cs.SubName] = &cs
				}
			}
			r.cmds = append(r.cmds, &c)
		default:
			continue
		}
		r.index[s.Name] = r.cmds[len(r.cmds)-1]
	}
	// Subcommands of copied containers point at their copy; those of shared ones at the
	// original, which is the same value.
	return r, nil
}

// Names returns the full names of every command and subcommand in the table: each
// top-level command followed by its subcommands, sorted.
func (t *Table) Names() []string {
	var out []string
	for _, s := range t.cmds {
		out = append(out, s.Name)
		for _, sub := range s.Subcommands {
			out = append(out, sub.Name)
		}
	}
	return out
}
