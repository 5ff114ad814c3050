package resp

import "io"

const (
	// defaultBufSize is the initial read buffer, Redis's PROTO_IOBUF_LEN.
	defaultBufSize = 16 * 1024
	// shrinkAbove: an empty read buffer bigger than this is given back when
	// the recent peak of pending bytes used less than a quarter of it.
	shrinkAbove = 256 * 1024
)

// inbuf is the growable read buffer shared by Reader and CommandReader.
// Unread bytes are buf[r:w]; base is the stream offset of buf[0].
//
// Invariants:
//  1. 0 <= r <= w <= len(buf).
//  2. The buffer grows only when it is full of pending bytes, by doubling,
//     and never past the size the parser says it needs (need), so memory is
//     at most twice what actually arrived, whatever a length field claims.
//  3. fill is the only method that moves bytes (compaction, growth), so
//     slices handed out stay valid until the next fill.
type inbuf struct {
	rd   io.Reader
	buf  []byte
	r, w int
	base int64
	peak int   // largest pending size since the last shrink check
	rerr error // read error to report once the buffered bytes are used up
	size int   // initial/shrunk size
}

func (b *inbuf) reset(rd io.Reader, size int) {
	if size <= 0 {
		size = defaultBufSize
	}
	if cap(b.buf) < size || cap(b.buf) > shrinkAbove {
		b.buf = make([]byte, size)
	}
	b.buf = b.buf[:cap(b.buf)]
	b.rd, b.r, b.w, b.base, b.peak, b.rerr, b.size = rd, 0, 0, 0, 0, nil, size
}

// offset is the stream offset of buf[r].
func (b *inbuf) offset() int64 { return b.base + int64(b.r) }

// fill reads once from the underlying reader. need, when > 0, is the number
// of pending bytes (from r) the parser needs to make progress; it bounds
// growth. It returns the read error, if any, once no progress was made; every error but
// ErrWouldBlock is kept and returned again by later calls.
func (b *inbuf) fill(need int) error {
	if b.rerr != nil {
		return b.rerr
	}
	if b.r == b.w {
		b.base += int64(b.r)
		b.r, b.w = 0, 0
		if len(b.buf) > shrinkAbove {
			if b.peak < len(b.buf)/4 {
				b.buf = make([]byte, b.size)
			}
			b.peak = 0
		}
	} else if b.r > 0 && len(b.buf)-b.w < len(b.buf)/2 {
		copy(b.buf, b.buf[b.r:b.w])
		b.base += int64(b.r)
		b.w -= b.r
		b.r = 0
	}
	if b.w == len(b.buf) {
		pending := b.w - b.r // r == 0 here: a full buffer with r > 0 was compacted
		n := 2 * len(b.buf)
		if need > pending && n > need {
			n = need
		}
		nb := make([]byte, n)
		copy(nb, b.buf[b.r:b.w])
		b.base += int64(b.r)
		b.buf, b.w, b.r = nb, pending, 0
	}
	for tries := 0; tries < 100; tries++ {
		n, err := b.rd.Read(b.buf[b.w:])
		if n < 0 || n > len(b.buf)-b.w {
			n = 0
			err = io.ErrNoProgress
		}
		b.w += n
		if p := b.w - b.r; p > b.peak {
			b.peak = p
		}
		if err == ErrWouldBlock {
			if n > 0 {
				return nil
			}
			return err
		}
		if err != nil {
			b.rerr = err
			if n > 0 {
				return nil
			}
			return err
		}
		if n > 0 {
			return nil
		}
	}
	b.rerr = io.ErrNoProgress
	return b.rerr
}
