package cmdspec

import (
	"strconv"
)

// Proto is the RESP version a client speaks (HELLO 2 / HELLO 3).
type Proto uint8

const (
	RESP2 Proto = 2
	RESP3 Proto = 3
)

func (p Proto) idx() int {
	if p == RESP3 {
		return 1
	}
	return 0
}

func appendHeader(dst []byte, t byte, n int) []byte {
	dst = append(dst, t)
	dst = strconv.AppendInt(dst, int64(n), 10)
	return append(dst, '\r', '\n')
}

func appendBulk(dst []byte, s []byte) []byte {
	dst = appendHeader(dst, '$', len(s))
	dst = append(dst, s...)
	return append(dst, '\r', '\n')
}

func appendMapHeader(dst []byte, p Proto, pairs int) []byte {
	if p == RESP3 {
		return appendHeader(dst, '%', pairs)
	}
	return appendHeader(dst, '*', 2*pairs)
}

func appendSetHeader(dst []byte, p Proto, n int) []byte {
	if p == RESP3 {
		return appendHeader(dst, '~', n)
	}
	return appendHeader(dst, '*', n)
}

func appendNull(dst []byte, p Proto) []byte {
	if p == RESP3 {
		return append(dst, "_\r\n"...)
	}
	return append(dst, "$-1\r\n"...)
}

// AppendInfo appends s's COMMAND INFO entry (a 10-element array, subcommands included)
// exactly as Redis 7.0 writes it, except that subcommands come sorted by name where Redis
// uses its dict's (random, per process) order.
func AppendInfo(dst []byte, s *Spec, p Proto) []byte {
	dst = append(dst, "*10\r\n"...)
	dst = append(dst, s.info[p.idx()]...)
	if s.Subcommands == nil {
		return dst
	}
	dst = appendHeader(dst, '*', len(s.Subcommands))
	for _, sub := range s.Subcommands {
		dst = AppendInfo(dst, sub, p)
	}
	return dst
}

// AppendDocs appends s's COMMAND DOCS entry: its full name as a bulk string, then its
// documentation map (a flat array in RESP2), subcommands sorted by name.
func AppendDocs(dst []byte, s *Spec, p Proto) []byte {
	dst = appendBulk(dst, []byte(s.Name))
	pairs := s.docsPairs
	if s.Subcommands != nil {
		pairs++
	}
	dst = appendMapHeader(dst, p, pairs)
	dst = append(dst, s.docs[p.idx()]...)
	if s.Subcommands != nil {
		dst = append(dst, "$11\r\nsubcommands\r\n"...)
		dst = appendMapHeader(dst, p, len(s.Subcommands))
		for _, sub := range s.Subcommands {
			dst = AppendDocs(dst, sub, p)
		}
	}
	return dst
}

// AppendHelp appends the reply to "<CONTAINER> HELP" for a container that has one
// (captured from the real server), and reports whether it had one.
func AppendHelp(dst []byte, s *Spec, p Proto) ([]byte, bool) {
	h := s.help[p.idx()]
	if h == nil {
		return dst, false
	}
	return append(dst, h...), true
}

// Command appends the reply to a COMMAND command line (argv[0] is "COMMAND", in any
// case) for this table: COMMAND, COMMAND COUNT, COMMAND INFO [name ...], COMMAND DOCS
// [name ...], COMMAND LIST [FILTERBY MODULE m|ACLCAT c|PATTERN p], COMMAND GETKEYS,
// COMMAND GETKEYSANDFLAGS and COMMAND HELP. On an error it appends nothing and returns a
// ReplyError for the caller to send. argv must already have passed Resolve (so the
// subcommand exists and its arity holds).
//
// Replies are byte-identical to Redis 7.0's except for the order of elements Redis takes
// from its command dict, which is random per process: the list of every command
// (COMMAND, COMMAND INFO and COMMAND DOCS without names, COMMAND LIST) and the
// subcommands of containers. Here those come sorted by name.
func (t *Table) Command(dst []byte, argv [][]byte, p Proto) ([]byte, error) {
	if len(argv) < 2 {
		dst = appendHeader(dst, '*', len(t.cmds))
		for _, s := range t.cmds {
			dst = AppendInfo(dst, s, p)
		}
		return dst, nil
	}
	sub := argv[1]
	switch {
	case equalFold(sub, "count"):
		dst = append(dst, ':')
		dst = strconv.AppendInt(dst, int64(len(t.cmds)), 10)
		return append(dst, '\r', '\n'), nil
	case equalFold(sub, "info"):
		if len(argv) == 2 {
			return t.Command(dst, argv[:1], p)
		}
		dst = appendHeader(dst, '*', len(argv)-2)
		for _, name := range argv[2:] {
			if s := t.LookupFull(name); s != nil {
				dst = AppendInfo(dst, s, p)
			} else {
				dst = appendNull(dst, p)
			}
		}
		return dst, nil
	case equalFold(sub, "docs"):
		if len(argv) == 2 {
			dst = appendMapHeader(dst, p, len(t.cmds))
			for _, s := range t.cmds {
				dst = AppendDocs(dst, s, p)
			}
			return dst, nil
		}
		n := 0
		for _, name := range argv[2:] {
			if t.LookupFull(name) != nil {
				n++
			}
		}
		dst = appendMapHeader(dst, p, n)
		for _, name := range argv[2:] {
			if s := t.LookupFull(name); s != nil {
				dst = AppendDocs(dst, s, p)
			}
		}
		return dst, nil
	case equalFold(sub, "list"):
		return t.appendList(dst, argv[2:])
	case equalFold(sub, "getkeys"), equalFold(sub, "getkeysandflags"):
		if len(argv) < 3 {
			return dst, ArityError(t.LookupArgv(argv[:2]))
		}
		flags := len(sub) > len("getkeys")
		refs, err := GetKeysAndFlags(t.LookupArgv(argv[2:]), argv[2:])
		if err != nil {
			return dst, err
		}
		dst = appendHeader(dst, '*', len(refs))
		for _, r := range refs {
			if !flags {
				dst = appendBulk(dst, argv[2+r.Pos])
				continue
			}
			dst = append(dst, "*2\r\n"...)
			dst = appendBulk(dst, argv[2+r.Pos])
			dst = appendKeyFlags(dst, r.Flags, p)
		}
		return dst, nil
	case equalFold(sub, "help"):
		if s := t.Lookup(argv[0]); s != nil {
			if out, ok := AppendHelp(dst, s, p); ok {
				return out, nil
			}
		}
	}
	return dst, UnknownSubcommandError(argv[0], sub)
}

func appendKeyFlags(dst []byte, f KeyFlag, p Proto) []byte {
	n := 0
	for i := range keyFlagNames {
		if f&(1<<i) != 0 {
			n++
		}
	}
	dst = appendSetHeader(dst, p, n)
	for i, name := range keyFlagNames {
		if f&(1<<i) != 0 {
			dst = append(dst, '+')
			dst = append(dst, name...)
			dst = append(dst, '\r', '\n')
		}
	}
	return dst
}

// appendList answers COMMAND LIST [FILTERBY MODULE m|ACLCAT c|PATTERN p]: every full
// name (each command followed by its subcommands) that passes the filter. No command
// here comes from a module, so MODULE matches nothing; an unknown category matches
// nothing; PATTERN is Redis's glob, case-insensitive, against the full name.
func (t *Table) appendList(dst []byte, opts [][]byte) ([]byte, error) {
	const (
		none = iota
		module
		aclcat
		pattern
	)
	filter := none
	var arg []byte
	for i := 0; i < len(opts); i++ {
		more := len(opts) - 1 - i
		if !equalFold(opts[i], "filterby") || more != 2 {
			return dst, ErrSyntax
		}
		switch ft := opts[i+1]; {
		case equalFold(ft, "module"):
			filter = module
		case equalFold(ft, "aclcat"):
			filter = aclcat
		case equalFold(ft, "pattern"):
			filter = pattern
		default:
			return dst, ErrSyntax
		}
		arg = opts[i+2]
		i += 2
	}
	var cat ACLCat
	if filter == aclcat {
		cat = ParseACLCat(string(cstr(arg)))
	}
	match := func(s *Spec) bool {
		switch filter {
		case module:
			return false
		case aclcat:
			return s.ACL&cat != 0
		case pattern:
			return GlobMatch(cstr(arg), []byte(s.Name), true)
		}
		return true
	}
	n := 0
	for _, s := range t.cmds {
		if match(s) {
			n++
		}
		for _, sub := range s.Subcommands {
			if match(sub) {
				n++
			}
		}
	}
	dst = appendHeader(dst, '*', n)
	for _, s := range t.cmds {
		if match(s) {
			dst = appendBulk(dst, []byte(s.Name))
		}
		for _, sub := range s.Subcommands {
			if match(sub) {
				dst = appendBulk(dst, []byte(sub.Name))
			}
		}
	}
	return dst, nil
}
