package resp

// PeekKeys appends to dst the second argument (for most commands, the first key) of each
// complete multibulk command buffered after the one last returned, up to max commands,
// and returns dst. It consumes nothing and changes no state: what it returns is a hint
// for prefetching the keyspace entries a pipeline is about to touch, valid until the next
// ReadCommand. It stops, returning what it found so far, at an inline command, at a
// command that is not complete yet, at anything that does not parse, and while a
// command is partly parsed; errors are left for TryCommand to find and report.
func (r *Reader) PeekKeys(dst [][]byte, max int) [][]byte {
	if r.err != nil || r.mb {
		return dst
	}
	data := r.in.buf[r.in.r:r.in.w]
	for n := 0; n < max && len(data) > 0 && data[0] == '*'; n++ {
		nl := findCR(data)
		if nl < 0 || nl > len(data)-2 {
			return dst
		}
		argc, ok := parseInt(data[1:nl])
		if !ok || argc <= 0 || argc > MaxMultibulkLen {
			return dst
		}
		data = data[nl+2:]
		var key []byte
		for i := int64(0); i < argc; i++ {
			if len(data) == 0 || data[0] != '$' {
				return dst
			}
			nl := findCR(data)
			if nl < 0 || nl > len(data)-2 {
				return dst
			}
			ll, ok := parseInt(data[1:nl])
			if !ok || ll < 0 || ll > r.maxBulk || ll > int64(len(data)-nl-4) {
				return dst
			}
			data = data[nl+2:]
			if i == 1 {
				key = data[:ll:ll]
			}
			data = data[ll+2:]
		}
		if argc >= 2 {
			dst = append(dst, key) // only once the whole command is known to be buffered
		}
	}
	return dst
}
