package cmdspec

import "bytes"

// ReplyError is an error whose text is exactly what Redis 7.0 sends after the '-' of an
// error reply ("ERR wrong number of arguments for 'get' command"). Unlike the project's
// other errors it carries no package prefix: the server writes Error() to the client as
// it is.
type ReplyError string

func (e ReplyError) Error() string { return string(e) }

// The fixed texts of COMMAND GETKEYS / GETKEYSANDFLAGS and COMMAND LIST.
const (
	ErrInvalidCommand   ReplyError = "ERR Invalid command specified"
	ErrNoKeyArguments   ReplyError = "ERR The command has no key arguments"
	ErrInvalidArgCount  ReplyError = "ERR Invalid number of arguments specified for command"
	ErrInvalidArguments ReplyError = "ERR Invalid arguments specified for command"
	ErrSyntax           ReplyError = "ERR syntax error"
)

// Resolve finds the command argv runs and checks its arity, as Redis's processCommand
// does before anything else. On failure it returns Redis's exact error:
//
//	ERR unknown command 'foo', with args beginning with: 'a' 'b'   (note the trailing space)
//	ERR unknown subcommand 'x'. Try CONFIG HELP.
//	ERR wrong number of arguments for 'get' command
//	ERR wrong number of arguments for 'config|get' command
//	EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command
//
// It allocates only to build an error.
func (t *Table) Resolve(argv [][]byte) (*Spec, error) {
	if len(argv) == 0 {
		return nil, UnknownCommandError(argv)
	}
	base := t.Lookup(argv[0])
	if base == nil {
		return nil, UnknownCommandError(argv)
	}
	s := base
	if len(argv) > 1 && base.subIndex != nil {
		s = base.Sub(argv[1])
		if s == nil {
			return nil, UnknownSubcommandError(argv[0], argv[1])
		}
	}
	if !s.CheckArity(len(argv)) {
		if s.Name == "exec" {
			// Redis rejects EXEC through execCommandAbort, MULTI or not; the server
			// must also discard the transaction, as for any rejected EXEC.
			return nil, ReplyError("EXECABORT Transaction discarded because of: " + string(ArityError(s))[len("ERR "):])
		}
		return nil, ArityError(s)
	}
	return s, nil
}

// cstr is what C's %s prints of an argument: the bytes up to the first NUL.
func cstr(b []byte) []byte {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return b[:i]
	}
	return b
}

func trunc(b []byte, n int) []byte {
	if n < 0 {
		n = 0
	}
	if len(b) > n {
		return b[:n]
	}
	return b
}

// mapNewlines turns CR and LF into spaces, as rejectCommandFormat does so that user
// bytes cannot break the protocol.
func mapNewlines(s []byte) ReplyError {
	for i, c := range s {
		if c == '\r' || c == '\n' {
			s[i] = ' '
		}
	}
	return ReplyError(s)
}

// UnknownCommandError is Redis 7.0's reply to a command name it does not know: the name
// cut to 128 bytes, then each argument quoted and followed by a space while the list is
// shorter than 128 bytes, each cut to what remains of the 128.
func UnknownCommandError(argv [][]byte) ReplyError {
	var name []byte
	if len(argv) > 0 {
		name = trunc(cstr(argv[0]), 128)
	}
	var args []byte
	for i := 1; i < len(argv) && len(args) < 128; i++ {
		args = append(args, '\'')
		args = append(args, trunc(cstr(argv[i]), 128-len(args)+1)...)
		args = append(args, '\'', ' ')
	}
	b := make([]byte, 0, 64+len(name)+len(args))
	b = append(b, "ERR unknown command '"...)
	b = append(b, name...)
	b = append(b, "', with args beginning with: "...)
	b = append(b, args...)
	return mapNewlines(b)
}

// UnknownSubcommandError is Redis 7.0's reply to an unknown subcommand of a container:
// "ERR unknown subcommand 'x'. Try CONFIG HELP." with the container name upper-cased as
// typed and the subcommand cut to 128 bytes.
func UnknownSubcommandError(container, sub []byte) ReplyError {
	b := make([]byte, 0, 48+len(sub)+len(container))
	b = append(b, "ERR unknown subcommand '"...)
	b = append(b, trunc(cstr(sub), 128)...)
	b = append(b, "'. Try "...)
	for _, c := range cstr(container) {
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		b = append(b, c)
	}
	b = append(b, " HELP."...)
	return mapNewlines(b)
}

// ArityError is "ERR wrong number of arguments for '<full name>' command".
func ArityError(s *Spec) ReplyError {
	return ReplyError("ERR wrong number of arguments for '" + s.Name + "' command")
}
