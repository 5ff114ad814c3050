package aof

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func isPrint(c byte) bool { return c >= 0x20 && c <= 0x7e }

// needsRepr is sdsneedsrepr: whether a manifest file name must be written quoted.
func needsRepr(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' || c == '"' || c == '\n' || c == '\r' || c == '\t' || c == '\a' ||
			c == '\b' || !isPrint(c) || isSpace(c) {
			return true
		}
	}
	return false
}
