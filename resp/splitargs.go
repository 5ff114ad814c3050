package resp

// splitArgs splits an inline request line the way Redis's sdssplitargs
// does, appending the arguments to args. It unescapes in place: every
// argument is written over the bytes it was read from (an argument is never
// longer than its source), so the results are sub-slices of line and
// nothing is allocated. It returns ok=false for "unbalanced quotes".
//
// The rules (sds.c, Redis 7.0):
//   - blanks between arguments are C isspace: ' ', \t, \n, \v, \f, \r;
//   - an unquoted argument ends at ' ', \n, \r, \t or the end of the line
//     (not at \v or \f);
//   - a double or single quote anywhere in an argument opens a quoted part that is
//     joined to what came before it;
//   - inside "...": \xHH (two hex digits) is a byte, \n \r \t \b \a are
//     control characters, a backslash before any other byte is that byte;
//   - inside '...': only \' is an escape;
//   - a closing quote must be followed by a blank or the end of the line,
//     and a quote left open is an error.
//
// line must not contain NUL bytes (the Reader never passes one: Redis would
// not see past it).
func splitArgs(args [][]byte, line []byte) ([][]byte, bool) {
	n := len(line)
	at := func(i int) byte {
		if i < n {
			return line[i]
		}
		return 0
	}
	p, w := 0, 0
	for {
		for p < n && isSpace(line[p]) {
			p++
		}
		if p >= n {
			return args, true
		}
		// Fast path: a token without quotes is copied (or left) as is.
		q := p
		for q < n {
			c := line[q]
			if c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '"' || c == '\'' {
				break
			}
			q++
		}
		if q == n || (line[q] != '"' && line[q] != '\'') {
			if w != p {
				copy(line[w:], line[p:q])
			}
			end := w + q - p
			args = append(args, line[w:end:end])
			w, p = end, q
			if p < n {
				p++
			}
			continue
		}
		start := w
		inq, insq, done := false, false, false
		for !done {
			c := at(p)
			switch {
			case inq:
				switch {
				case c == '\\' && at(p+1) == 'x' && isHex(at(p+2)) && isHex(at(p+3)):
					line[w] = hexVal(at(p+2))<<4 | hexVal(at(p+3))
					w++
					p += 3
				case c == '\\' && at(p+1) != 0:
					p++
					e := line[p]
					switch e {
					case 'n':
						e = '\n'
					case 'r':
						e = '\r'
					case 't':
						e = '\t'
					case 'b':
						e = '\b'
					case 'a':
						e = '\a'
					}
					line[w] = e
					w++
				case c == '"':
					if nx := at(p + 1); nx != 0 && !isSpace(nx) {
						return args, false
					}
					done = true
				case c == 0:
					return args, false
				default:
					line[w] = c
					w++
				}
			case insq:
				switch {
				case c == '\\' && at(p+1) == '\'':
					p++
					line[w] = '\''
					w++
				case c == '\'':
					if nx := at(p + 1); nx != 0 && !isSpace(nx) {
						return args, false
					}
					done = true
				case c == 0:
					return args, false
				default:
					line[w] = c
					w++
				}
			default:
				switch c {
				case ' ', '\n', '\r', '\t', 0:
					done = true
				case '"':
					inq = true
				case '\'':
					insq = true
				default:
					line[w] = c
					w++
				}
			}
			if p < n {
				p++
			}
		}
		args = append(args, line[start:w:w])
	}
}

func isSpace(c byte) bool {
	return c == ' ' || (c >= '\t' && c <= '\r')
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func hexVal(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}
