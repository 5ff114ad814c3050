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
//
// The commands it parses are remembered (where each starts and where its arguments are),
// so that TryCommand hands them out without parsing them a second time, as long as
// nothing that parsing depends on changed meanwhile.
func (r *Reader) Peek(dst []Peeked, max int) []Peeked {
	r.pq, r.pspans, r.phead = r.pq[:0], r.pspans[:0], 0
	if r.err != nil || r.mb {
		return dst
	}
	r.pauth, r.pmaxBulk = r.auth, r.maxBulk
	all := r.in.buf[r.in.r:r.in.w]
	data := all
	for n := 0; n < max && len(data) > 0 && data[0] == '*'; n++ {
		start := len(all) - len(data)
		nl := findCR(data)
		if nl < 0 || nl > len(data)-2 {
			return dst
		}
		argc, ok := parseInt(data[1:nl])
		if !ok || argc <= 0 || argc > peekMaxArgc || (argc > unauthMultibulkLen && r.auth) {
			return dst
		}
		data = data[nl+2:]
		p := Peeked{Argc: int(argc)}
		from := len(r.pspans)
		for i := int64(0); i < argc; i++ {
			if len(data) == 0 || data[0] != '$' {
				r.pspans = r.pspans[:from]
				return dst
			}
			nl := findCR(data)
			if nl < 0 || nl > len(data)-2 {
				r.pspans = r.pspans[:from]
				return dst
			}
			ll, ok := parseInt(data[1:nl])
			if !ok || ll < 0 || ll > r.maxBulk || ll > int64(len(data)-nl-4) || (ll > unauthBulkLen && r.auth) {
				r.pspans = r.pspans[:from]
				return dst
			}
			data = data[nl+2:]
			if i < PeekMaxArgs {
				p.Args[i] = data[:ll:ll]
			}
			at := len(all) - len(data)
			r.pspans = append(r.pspans, span{at - start, at - start + int(ll)})
			data = data[ll+2:]
		}
		// Only once the whole command is known to be buffered and valid.
		dst = append(dst, p)
		r.pq = append(r.pq, peekedCmd{
			off: r.in.offset() + int64(start), size: len(all) - len(data) - start,
			from: from, to: len(r.pspans),
		})
	}
	return dst
}

// peekMaxArgc bounds the commands Peek parses (and remembers): a longer one ends the peek
// and is parsed by TryCommand alone.
const peekMaxArgc = 1024

// peekedCmd is a command Peek parsed: its stream offset, its size, and its arguments'
// spans (relative to its start) in Reader.pspans[from:to].
type peekedCmd struct {
	off      int64
	size     int
	from, to int
}

// takePeeked returns the next command from what Peek parsed, if it starts where the
// reader is and nothing the parse depended on changed; otherwise it forgets Peek's work.
func (r *Reader) takePeeked(args [][]byte) ([][]byte, bool) {
	pc := &r.pq[r.phead]
	if r.mb || pc.off != r.in.offset() || r.auth != r.pauth || r.maxBulk != r.pmaxBulk ||
		r.in.w-r.in.r < pc.size {
		r.pq, r.pspans, r.phead = r.pq[:0], r.pspans[:0], 0
		return args[:0], false
	}
	data := r.in.buf[r.in.r : r.in.r+pc.size]
	args = args[:0]
	for _, s := range r.pspans[pc.from:pc.to] {
		args = append(args, data[s.start:s.end:s.end])
	}
	r.in.r += pc.size
	r.need = 0
	r.phead++
	if r.phead == len(r.pq) {
		r.pq, r.pspans, r.phead = r.pq[:0], r.pspans[:0], 0
	}
	return args, true
}
