package resp

// PeekMaxArgs is how many leading arguments Peek reports per command.
const PeekMaxArgs = 4

// Peeked is what Peek reports of one buffered command: its argument count and its first
// arguments (up to PeekMaxArgs; the rest are nil).
type Peeked struct {
	Argc int
	Args [PeekMaxArgs][]byte
}

// Peek appends to dst the leading arguments of each complete multibulk command buffered
// after the one last returned, up to max commands, and returns dst. It consumes nothing
// and changes no state: what it returns is a hint for prefetching the keyspace entries a
// pipeline is about to touch, valid until the next ReadCommand. It stops, returning what
// it found so far, at an inline command, at a command that is not complete yet, at
// anything that does not parse, and while a command is partly parsed; errors are left for
// TryCommand to find and report.
func (r *Reader) Peek(dst []Peeked, max int) []Peeked {
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
		p := Peeked{Argc: int(argc)}
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
			if i < PeekMaxArgs {
				p.Args[i] = data[:ll:ll]
			}
			data = data[ll+2:]
		}
		dst = append(dst, p) // only once the whole command is known to be buffered
	}
	return dst
}
