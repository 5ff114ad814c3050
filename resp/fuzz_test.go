package resp

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

func fuzzSeeds(f *testing.F) {
	for _, tc := range protocolErrorCases {
		if len(tc.in) < 1000 {
			f.Add([]byte(tc.in))
		}
	}
	f.Add([]byte("*2\r\n$4\r\nECHO\r\n$5\r\nhello\r\nPING\r\n"))
	f.Add([]byte(`SET "a\x41" 'b\'c' d` + "\r\n\r\n"))
	f.Add([]byte("+OK\r\n-ERR x\r\n:1\r\n$-1\r\n*-1\r\n_\r\n,1.5\r\n#t\r\n(12\r\n!1\r\nx\r\n=5\r\ntxt:a\r\n%1\r\n:1\r\n:2\r\n~1\r\n:1\r\n|1\r\n:1\r\n:2\r\n:3\r\n>1\r\n:1\r\n"))
	f.Add(AppendCommandString([]byte("#TS:1\r\n"), "SET", "k", "v"))
}

type parsed struct {
	cmds []string
	err  string
}

func parseWith(rd io.Reader) parsed { return parseWithOpts(rd, false, false) }

// parseWithOpts parses rd, optionally with authentication required (the unauthenticated
// limits) and with a Peek after every command, as the server does before a pipeline.
func parseWithOpts(rd io.Reader, auth, peek bool) parsed {
	r := NewReader(rd, WithBufferSize(32))
	r.SetAuthRequired(auth)
	var peeked []Peeked
	var p parsed
	var args [][]byte
	for {
		var err error
		args, err = r.ReadCommand(args)
		if err != nil {
			var pe *ProtocolError
			if errors.As(err, &pe) {
				p.err = pe.Msg
			} else if errors.Is(err, io.ErrUnexpectedEOF) {
				p.err = "incomplete"
			}
			return p
		}
		p.cmds = append(p.cmds, string(bytes.Join(args, []byte{0xff})))
		if peek {
			peeked = r.Peek(peeked[:0], 15)
			for {
				more, ok, err := r.TryCommand(nil)
				if err != nil || !ok {
					break
				}
				p.cmds = append(p.cmds, string(bytes.Join(more, []byte{0xff})))
			}
		}
	}
}

// FuzzReader: the request parser never panics, and its result does not
// depend on how the bytes are split into reads (for inputs under the 64KB
// limits, where Redis's result does not either).
func FuzzReader(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) > 8<<10 { // one-byte reads of big inputs only slow the fuzzer down
			return
		}
		whole := parseWith(bytes.NewReader(in))
		one := parseWith(iotest.OneByteReader(bytes.NewReader(in)))
		half := parseWith(iotest.DataErrReader(iotest.HalfReader(bytes.NewReader(in))))
		if whole.err != one.err || whole.err != half.err ||
			len(whole.cmds) != len(one.cmds) || len(whole.cmds) != len(half.cmds) {
			t.Fatalf("split-dependent result: %+v / %+v / %+v", whole, one, half)
		}
		for i := range whole.cmds {
			if whole.cmds[i] != one.cmds[i] || whole.cmds[i] != half.cmds[i] {
				t.Fatalf("command %d differs", i)
			}
		}
		// Peeking ahead (and the parse it remembers) changes nothing, with or without
		// the unauthenticated limits.
		for _, auth := range []bool{false, true} {
			plain := parseWithOpts(bytes.NewReader(in), auth, false)
			peek := parseWithOpts(iotest.HalfReader(bytes.NewReader(in)), auth, true)
			if plain.err != peek.err || len(plain.cmds) != len(peek.cmds) {
				t.Fatalf("auth=%v: peeking changed the result: %+v / %+v", auth, plain, peek)
			}
			for i := range plain.cmds {
				if plain.cmds[i] != peek.cmds[i] {
					t.Fatalf("auth=%v: command %d differs with peeking", auth, i)
				}
			}
		}
	})
}

// FuzzReplyReader: no panic; whatever parses re-encodes (AppendValue) to
// bytes that parse to an Equal value.
func FuzzReplyReader(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		r := NewReplyReader(bytes.NewReader(in), WithMaxDepth(64))
		for i := 0; i < 100; i++ {
			v, err := r.ReadValue()
			if err != nil {
				if !errors.Is(err, io.EOF) && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrTruncated) {
					t.Fatalf("unclassified error %v", err)
				}
				return
			}
			_ = v.String()
			enc := AppendValue(nil, v)
			v2, err := NewReplyReader(bytes.NewReader(enc), WithMaxDepth(200)).ReadValue()
			if err != nil {
				t.Fatalf("re-encoded value does not parse: %v\n%q", err, enc)
			}
			if !v.Equal(v2) {
				t.Fatalf("round trip differs:\n%s\n%s", v, v2)
			}
		}
	})
}

// FuzzCommandReader: no panic; the records read re-encode to exactly the
// input up to LastGood.
func FuzzCommandReader(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		cr := NewCommandReader(iotest.HalfReader(bytes.NewReader(in)), WithBufferSize(16))
		var out []byte
		for cr.Next() {
			if a := cr.Annotation(); a != nil {
				out = append(out, '#')
				out = append(out, a...)
				out = append(out, '\r', '\n')
				continue
			}
			out = AppendCommand(out, cr.Args()...)
		}
		err := cr.Err()
		if err != nil && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrTruncated) {
			t.Fatalf("unclassified error %v", err)
		}
		good := cr.LastGood()
		if good > int64(len(in)) {
			t.Fatalf("LastGood %d past input %d", good, len(in))
		}
		// Annotations may end in a bare "\n"; compare commands only then.
		if !bytes.Contains(in[:good], []byte("#")) && !bytes.Equal(out, in[:good]) {
			t.Fatalf("re-encoding differs:\n%q\n%q", out, in[:good])
		}
		if err == nil && good != int64(len(in)) {
			t.Fatalf("clean end at %d of %d", good, len(in))
		}
	})
}

// refSplitArgs is a direct, allocating transcription of sdssplitargs's
// rules, the reference for the in-place splitArgs.
func refSplitArgs(line []byte) ([]string, bool) {
	at := func(i int) byte {
		if i < len(line) {
			return line[i]
		}
		return 0
	}
	var out []string
	p := 0
	for {
		for at(p) != 0 && isSpace(at(p)) {
			p++
		}
		if at(p) == 0 {
			return out, true
		}
		var cur []byte
		inq, insq := false, false
		for done := false; !done; {
			c := at(p)
			if inq {
				if c == '\\' && at(p+1) == 'x' && isHex(at(p+2)) && isHex(at(p+3)) {
					cur = append(cur, hexVal(at(p+2))*16+hexVal(at(p+3)))
					p += 3
				} else if c == '\\' && at(p+1) != 0 {
					p++
					m := map[byte]byte{'n': '\n', 'r': '\r', 't': '\t', 'b': '\b', 'a': '\a'}
					if e, ok := m[at(p)]; ok {
						cur = append(cur, e)
					} else {
						cur = append(cur, at(p))
					}
				} else if c == '"' {
					if at(p+1) != 0 && !isSpace(at(p+1)) {
						return nil, false
					}
					done = true
				} else if c == 0 {
					return nil, false
				} else {
					cur = append(cur, c)
				}
			} else if insq {
				if c == '\\' && at(p+1) == '\'' {
					p++
					cur = append(cur, '\'')
				} else if c == '\'' {
					if at(p+1) != 0 && !isSpace(at(p+1)) {
						return nil, false
					}
					done = true
				} else if c == 0 {
					return nil, false
				} else {
					cur = append(cur, c)
				}
			} else {
				switch c {
				case ' ', '\n', '\r', '\t', 0:
					done = true
				case '"':
					inq = true
				case '\'':
					insq = true
				default:
					cur = append(cur, c)
				}
			}
			if at(p) != 0 {
				p++
			}
		}
		out = append(out, string(cur))
	}
}

func FuzzSplitArgs(f *testing.F) {
	for _, s := range []string{`SET "a\x41" 'b\'c' d`, `a"b c" e`, "x\v\fy z", `"\q\n" ''`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if bytes.IndexByte(in, 0) >= 0 {
			return
		}
		want, wok := refSplitArgs(in)
		got, ok := splitArgs(nil, append([]byte{}, in...))
		if ok != wok {
			t.Fatalf("ok %v, reference %v", ok, wok)
		}
		if !ok {
			return
		}
		if len(got) != len(want) {
			t.Fatalf("%d args, reference %d", len(got), len(want))
		}
		for i := range got {
			if string(got[i]) != want[i] {
				t.Fatalf("arg %d %q, reference %q", i, got[i], want[i])
			}
		}
	})
}

// FuzzPeek: no panic, nothing consumed, and the commands peeked are, in order, a prefix of
// the commands TryCommand then returns, with the same argument count and leading arguments.
func FuzzPeek(f *testing.F) {
	fuzzSeeds(f)
	f.Add([]byte("*2\r\n$3\r\nGET\r\n$1\r\na\r\n*3\r\n$3\r\nSET\r\n$2\r\nbb\r\n$1\r\nx\r\n*1\r\n$4\r\nPING\r\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		r := NewReader(bytes.NewReader(in))
		if _, err := r.ReadCommand(nil); err != nil {
			return
		}
		before := r.Buffered()
		peeked := r.Peek(nil, 64)
		if r.Buffered() != before {
			t.Fatalf("Peek consumed input")
		}
		for i, p := range peeked {
			args, ok, err := r.TryCommand(nil)
			if !ok || err != nil {
				t.Fatalf("peeked %d commands, command %d does not parse (%v)", len(peeked), i, err)
			}
			if len(args) != p.Argc {
				t.Fatalf("command %d: peeked argc %d, parsed %d", i, p.Argc, len(args))
			}
			for j := 0; j < PeekMaxArgs && j < len(args); j++ {
				if !bytes.Equal(p.Args[j], args[j]) {
					t.Fatalf("command %d arg %d: peeked %q, parsed %q", i, j, p.Args[j], args[j])
				}
			}
		}
	})
}
