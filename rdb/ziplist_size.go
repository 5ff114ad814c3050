package rdb

// ziplistEntrySize is the size of el as a ziplist entry after an entry of
// prevSize bytes.
func ziplistEntrySize(el []byte, prevSize int) int {
	p := 1
	if prevSize >= 254 {
		p = 5
	}
	if v, ok := parseCanonicalInt(el); ok {
		switch {
		case v >= 0 && v <= 12:
			return p + 1
		case v >= -128 && v <= 127:
			return p + 2
		case v >= -32768 && v <= 32767:
			return p + 3
		case v >= -(1<<23) && v < 1<<23:
			return p + 4
		case v >= -(1<<31) && v < 1<<31:
			return p + 5
		}
		return p + 9
	}
	switch {
	case len(el) < 64:
		return p + 1 + len(el)
	case len(el) < 16384:
		return p + 2 + len(el)
	}
	return p + 5 + len(el)
}
