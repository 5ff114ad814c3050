package cmdspec

// GlobMatch is Redis's stringmatchlen: '*', '?', '[...]' with '^' negation, ranges
// (reversed ones swapped) and '\' escapes; nocase folds ASCII case. It behaves as Redis
// does on malformed patterns (an unclosed '[' matches what it has read). COMMAND LIST
// FILTERBY PATTERN uses it with nocase; the engine may use it for KEYS and SCAN MATCH.
func GlobMatch(pattern, s []byte, nocase bool) bool {
	skip := false
	return globMatch(pattern, s, nocase, &skip)
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func globMatch(p, s []byte, nocase bool, skipLonger *bool) bool {
	// at reads the pattern as the NUL-terminated C string Redis reads.
	at := func(i int) byte {
		if i < len(p) {
			return p[i]
		}
		return 0
	}
	pi, si := 0, 0
	for pi < len(p) && si < len(s) {
		switch p[pi] {
		case '*':
			for pi < len(p) && at(pi+1) == '*' {
				pi++
			}
			if len(p)-pi == 1 {
				return true
			}
			for si < len(s) {
				if globMatch(p[pi+1:], s[si:], nocase, skipLonger) {
					return true
				}
				if *skipLonger {
					return false
				}
				si++
			}
			*skipLonger = true
			return false
		case '?':
			si++
		case '[':
			pi++
			not := at(pi) == '^'
			if not {
				pi++
			}
			match := false
			for {
				if at(pi) == '\\' && len(p)-pi >= 2 {
					pi++
					if p[pi] == s[si] {
						match = true
					}
				} else if at(pi) == ']' {
					break
				} else if pi >= len(p) {
					pi-- // so that the step after the switch lands on the end
					break
				} else if len(p)-pi >= 3 && p[pi+1] == '-' {
					start, end, c := p[pi], p[pi+2], s[si]
					if start > end {
						start, end = end, start
					}
					if nocase {
						start, end, c = lower(start), lower(end), lower(c)
					}
					pi += 2
					if c >= start && c <= end {
						match = true
					}
				} else if p[pi] == s[si] || (nocase && lower(p[pi]) == lower(s[si])) {
					match = true
				}
				pi++
			}
			if not {
				match = !match
			}
			if !match {
				return false
			}
			si++
		case '\\':
			if len(p)-pi >= 2 {
				pi++
			}
			fallthrough
		default:
			if p[pi] != s[si] && !(nocase && lower(p[pi]) == lower(s[si])) {
				return false
			}
			si++
		}
		pi++
		if si == len(s) {
			for at(pi) == '*' {
				pi++
			}
			break
		}
	}
	return pi >= len(p) && si == len(s)
}
