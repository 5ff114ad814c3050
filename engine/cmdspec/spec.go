package cmdspec

import (
	"fmt"

	"github.com/redisctl/redisctl/engine/cmdspec/internal/rawresp"
)

// Spec is one command or subcommand of Redis 7.0's table: what COMMAND INFO and COMMAND
// DOCS say of it, parsed, plus the exact reply bytes they were parsed from (which the
// renderers copy). A Spec is immutable and shared; never modify one.
type Spec struct {
	// Name is the lowercase full name: "get", or "config|get" for a subcommand.
	Name string
	// SubName is the subcommand's own name ("get" for "config|get"); "" for a command.
	SubName string
	// Parent is the container of a subcommand, nil for a command.
	Parent *Spec
	// Arity is Redis's: positive means exactly that many arguments including the command
	// name (and the subcommand name), negative means at least -Arity.
	Arity int
	// Flags is the bitmask of FlagNames, for hot checks.
	Flags Flag
	// FlagNames are the flags as COMMAND INFO lists them, in its order.
	FlagNames []string
	// FirstKey, LastKey and Step are the legacy key range of COMMAND INFO.
	FirstKey, LastKey, Step int
	// ACL is the bitmask of ACLCategories.
	ACL ACLCat
	// ACLCategories are the categories with their '@', in COMMAND INFO's order.
	ACLCategories []string
	// Tips are the command tips ("nondeterministic_output", "request_policy:all_shards").
	Tips []string
	// KeySpecs are the key specifications; GetKeys reads them.
	KeySpecs []KeySpec
	// Subcommands of a container, sorted by name; nil for other commands.
	Subcommands []*Spec

	// Documentation (COMMAND DOCS).
	Summary         string
	Since           string
	Group           string
	Complexity      string
	DocFlags        []string // "deprecated", "syscmd"
	DeprecatedSince string
	ReplacedBy      string
	History         []HistoryEntry
	Arguments       []Arg

	subIndex map[string]*Spec
	getkeys  getKeysProc
	hasKeys  bool // doesCommandHaveKeys: a getkeys proc, or a key spec that is a real key
	allFlags KeyFlag
	// Exact reply bytes, [0] RESP2 and [1] RESP3: the COMMAND INFO elements without the
	// array header (and without the subcommands of a container), and the COMMAND DOCS map pairs
	// (without the map header and the "subcommands" pair) and how many pairs they are.
	info      [2][]byte
	docs      [2][]byte
	docsPairs int
	help      [2][]byte // "<container> HELP" reply, for containers with a help subcommand
}

// HistoryEntry is one line of a command's history in COMMAND DOCS.
type HistoryEntry struct {
	Version     string
	Description string
}

// Arg is one node of COMMAND DOCS's argument tree.
type Arg struct {
	Name            string
	Type            string // string, integer, double, key, pattern, unix-time, pure-token, oneof, block
	KeySpecIndex    int    // index into Spec.KeySpecs for type "key", else -1
	Token           string
	Summary         string
	Since           string
	DeprecatedSince string
	Flags           []string // optional, multiple, multiple_token
	Value           string
	Arguments       []Arg // children of oneof and block
}

// BeginSearchType says how a key spec finds its first key.
type BeginSearchType uint8

const (
	BeginUnknown BeginSearchType = iota
	BeginIndex                   // at a fixed index
	BeginKeyword                 // after a keyword
)

// FindKeysType says how a key spec finds the keys after the first.
type FindKeysType uint8

const (
	FindUnknown FindKeysType = iota
	FindRange                // a range relative to the first key
	FindKeynum               // a count argument, then the keys
)

// KeySpec is one key specification as COMMAND INFO describes it.
type KeySpec struct {
	Notes     string
	Flags     KeyFlag
	FlagNames []string

	BeginSearch BeginSearchType
	Index       int    // BeginIndex: the argument index
	Keyword     string // BeginKeyword: the keyword (as given, compared case-insensitively)
	StartFrom   int    // BeginKeyword: where to start looking; negative counts from the end

	FindKeys  FindKeysType
	LastKey   int // FindRange: last key relative to the first; negative counts from the end
	KeyStep   int // FindRange and FindKeynum
	Limit     int // FindRange: with LastKey -1, only 1/Limit of the remaining args are keys
	KeyNumIdx int // FindKeynum: the count's index relative to the first key
	FirstKey  int // FindKeynum: the first key's index relative to the first key
}

// HasKeys reports whether the command can have key arguments at all (Redis's
// doesCommandHaveKeys: COMMAND GETKEYS answers "The command has no key arguments"
// otherwise).
func (s *Spec) HasKeys() bool { return s.hasKeys }

// IsContainer reports whether the command has subcommands.
func (s *Spec) IsContainer() bool { return s.Subcommands != nil }

// CheckArity reports whether argc arguments (the command name, and the subcommand name
// for a subcommand, included) satisfy the spec's arity.
func (s *Spec) CheckArity(argc int) bool {
	if s.Arity > 0 {
		return argc == s.Arity
	}
	return argc >= -s.Arity
}

// --- building specs from the captured replies ---

func str(v *rawresp.Value) string {
	if v == nil {
		return ""
	}
	return string(v.Str)
}

func num(v *rawresp.Value) (int, error) {
	if v == nil {
		return 0, nil
	}
	n, err := v.Int()
	return int(n), err
}

func strs(v *rawresp.Value) []string {
	if v == nil || len(v.Elems) == 0 {
		return nil
	}
	out := make([]string, len(v.Elems))
	for i := range v.Elems {
		out[i] = string(v.Elems[i].Str)
	}
	return out
}

// specFromInfo builds a Spec from one COMMAND INFO entry (RESP3), recursing into its
// subcommands.
func specFromInfo(e *rawresp.Value, parent *Spec) (*Spec, error) {
	if e.Type != '*' || len(e.Elems) != 10 {
		return nil, fmt.Errorf("COMMAND INFO entry: want a 10-element array, got %q with %d", e.Type, len(e.Elems))
	}
	s := &Spec{Name: str(&e.Elems[0]), Parent: parent}
	if parent != nil {
		prefix := parent.Name + "|"
		if len(s.Name) <= len(prefix) || s.Name[:len(prefix)] != prefix {
			return nil, fmt.Errorf("subcommand %q of %q: name lacks the parent prefix", s.Name, parent.Name)
		}
		s.SubName = s.Name[len(prefix):]
	}
	var err error
	if s.Arity, err = num(&e.Elems[1]); err != nil {
		return nil, fmt.Errorf("%s arity: %w", s.Name, err)
	}
	s.FlagNames = strs(&e.Elems[2])
	for _, f := range s.FlagNames {
		b := ParseFlag(f)
		if b == 0 {
			return nil, fmt.Errorf("%s: unknown flag %q", s.Name, f)
		}
		s.Flags |= b
	}
	if s.FirstKey, err = num(&e.Elems[3]); err != nil {
		return nil, err
	}
	if s.LastKey, err = num(&e.Elems[4]); err != nil {
		return nil, err
	}
	if s.Step, err = num(&e.Elems[5]); err != nil {
		return nil, err
	}
	s.ACLCategories = strs(&e.Elems[6])
	for _, c := range s.ACLCategories {
		b := ACLCat(0)
		if len(c) > 1 && c[0] == '@' {
			b = ParseACLCat(c[1:])
		}
		if b == 0 {
			return nil, fmt.Errorf("%s: unknown ACL category %q", s.Name, c)
		}
		s.ACL |= b
	}
	s.Tips = strs(&e.Elems[7])
	for i := range e.Elems[8].Elems {
		ks, err := keySpecFrom(&e.Elems[8].Elems[i])
		if err != nil {
			return nil, fmt.Errorf("%s key spec %d: %w", s.Name, i, err)
		}
		s.KeySpecs = append(s.KeySpecs, ks)
	}
	// A command without subcommands says so with an empty set (RESP3 "~0"), a container
	// with an array; keep the former, rebuild the latter (Restrict may drop some).
	n := 9
	if len(e.Elems[9].Elems) == 0 {
		n = 10
	}
	for i := 0; i < n; i++ {
		s.info[1] = append(s.info[1], e.Elems[i].Raw...)
		s.info[0] = rawresp.ToRESP2(s.info[0], &e.Elems[i])
	}
	if len(e.Elems[9].Elems) > 0 {
		s.subIndex = make(map[string]*Spec, len(e.Elems[9].Elems))
		for i := range e.Elems[9].Elems {
			sub, err := specFromInfo(&e.Elems[9].Elems[i], s)
			if err != nil {
				return nil, err
			}
			s.Subcommands = append(s.Subcommands, sub)
			s.subIndex[sub.SubName] = sub
		}
	}
	return s, nil
}

func keySpecFrom(v *rawresp.Value) (KeySpec, error) {
	var ks KeySpec
	if v.Type != '%' {
		return ks, fmt.Errorf("want a map, got %q", v.Type)
	}
	ks.Notes = str(v.MapGet("notes"))
	ks.FlagNames = strs(v.MapGet("flags"))
	for _, f := range ks.FlagNames {
		b := ParseKeyFlag(f)
		if b == 0 {
			return ks, fmt.Errorf("unknown key flag %q", f)
		}
		ks.Flags |= b
	}
	bs := v.MapGet("begin_search")
	fk := v.MapGet("find_keys")
	if bs == nil || fk == nil {
		return ks, fmt.Errorf("missing begin_search or find_keys")
	}
	var err error
	geti := func(m *rawresp.Value, k string) int {
		if err != nil || m == nil {
			return 0
		}
		n, e := num(m.MapGet(k))
		if e != nil {
			err = fmt.Errorf("%s: %w", k, e)
		}
		return n
	}
	bspec := bs.MapGet("spec")
	switch str(bs.MapGet("type")) {
	case "index":
		ks.BeginSearch = BeginIndex
		ks.Index = geti(bspec, "index")
	case "keyword":
		ks.BeginSearch = BeginKeyword
		ks.Keyword = str(bspec.MapGet("keyword"))
		ks.StartFrom = geti(bspec, "startfrom")
	case "unknown":
	default:
		return ks, fmt.Errorf("unknown begin_search type %q", str(bs.MapGet("type")))
	}
	fspec := fk.MapGet("spec")
	switch str(fk.MapGet("type")) {
	case "range":
		ks.FindKeys = FindRange
		ks.LastKey = geti(fspec, "lastkey")
		ks.KeyStep = geti(fspec, "keystep")
		ks.Limit = geti(fspec, "limit")
	case "keynum":
		ks.FindKeys = FindKeynum
		ks.KeyNumIdx = geti(fspec, "keynumidx")
		ks.FirstKey = geti(fspec, "firstkey")
		ks.KeyStep = geti(fspec, "keystep")
	case "unknown":
	default:
		return ks, fmt.Errorf("unknown find_keys type %q", str(fk.MapGet("type")))
	}
	return ks, err
}

// addDocs fills the documentation of s (and its subcommands) from its COMMAND DOCS map.
func (s *Spec) addDocs(m *rawresp.Value) error {
	if m.Type != '%' {
		return fmt.Errorf("%s docs: want a map, got %q", s.Name, m.Type)
	}
	var subs *rawresp.Value
	for i := 0; i+1 < len(m.Elems); i += 2 {
		k, v := &m.Elems[i], &m.Elems[i+1]
		switch string(k.Str) {
		case "summary":
			s.Summary = str(v)
		case "since":
			s.Since = str(v)
		case "group":
			s.Group = str(v)
		case "complexity":
			s.Complexity = str(v)
		case "doc_flags":
			s.DocFlags = strs(v)
		case "deprecated_since":
			s.DeprecatedSince = str(v)
		case "replaced_by":
			s.ReplacedBy = str(v)
		case "history":
			for j := range v.Elems {
				h := &v.Elems[j]
				if len(h.Elems) != 2 {
					return fmt.Errorf("%s docs: history entry %d is not a pair", s.Name, j)
				}
				s.History = append(s.History, HistoryEntry{str(&h.Elems[0]), str(&h.Elems[1])})
			}
		case "arguments":
			args, err := argsFrom(v)
			if err != nil {
				return fmt.Errorf("%s docs: %w", s.Name, err)
			}
			s.Arguments = args
		case "subcommands":
			if i+2 != len(m.Elems) {
				return fmt.Errorf("%s docs: subcommands is not the last field", s.Name)
			}
			subs = v
			continue
		}
		s.docs[1] = append(s.docs[1], k.Raw...)
		s.docs[1] = append(s.docs[1], v.Raw...)
		s.docs[0] = rawresp.ToRESP2(s.docs[0], k)
		s.docs[0] = rawresp.ToRESP2(s.docs[0], v)
		s.docsPairs++
	}
	if (subs != nil) != (s.Subcommands != nil) || (subs != nil && len(subs.Elems) != 2*len(s.Subcommands)) {
		return fmt.Errorf("%s docs: subcommands differ from COMMAND INFO's", s.Name)
	}
	if subs != nil {
		for i := 0; i < len(subs.Elems); i += 2 {
			sub := s.subIndex[trimParent(str(&subs.Elems[i]), s.Name)]
			if sub == nil {
				return fmt.Errorf("%s docs: unknown subcommand %q", s.Name, str(&subs.Elems[i]))
			}
			if err := sub.addDocs(&subs.Elems[i+1]); err != nil {
				return err
			}
		}
	}
	return nil
}

func trimParent(full, parent string) string {
	if len(full) > len(parent)+1 && full[:len(parent)] == parent && full[len(parent)] == '|' {
		return full[len(parent)+1:]
	}
	return ""
}

func argsFrom(v *rawresp.Value) ([]Arg, error) {
	out := make([]Arg, 0, len(v.Elems))
	for i := range v.Elems {
		m := &v.Elems[i]
		if m.Type != '%' {
			return nil, fmt.Errorf("argument %d: want a map", i)
		}
		a := Arg{KeySpecIndex: -1}
		for j := 0; j+1 < len(m.Elems); j += 2 {
			k, val := string(m.Elems[j].Str), &m.Elems[j+1]
			switch k {
			case "name":
				a.Name = str(val)
			case "type":
				a.Type = str(val)
			case "key_spec_index":
				n, err := num(val)
				if err != nil {
					return nil, err
				}
				a.KeySpecIndex = n
			case "token":
				a.Token = str(val)
			case "summary":
				a.Summary = str(val)
			case "since":
				a.Since = str(val)
			case "deprecated_since":
				a.DeprecatedSince = str(val)
			case "flags":
				a.Flags = strs(val)
			case "value":
				a.Value = str(val)
			case "arguments":
				sub, err := argsFrom(val)
				if err != nil {
					return nil, err
				}
				a.Arguments = sub
			default:
				return nil, fmt.Errorf("argument %d: unknown field %q", i, k)
			}
		}
		out = append(out, a)
	}
	return out, nil
}
