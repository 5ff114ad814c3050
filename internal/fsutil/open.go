package fsutil

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"sync/atomic"

	"github.com/pierrec/lz4/v4"
)

// Compression names the container an input was wrapped in.
type Compression string

// The containers Open recognises by their magic bytes.
const (
	None Compression = "none"
	Gzip Compression = "gzip"
	LZ4  Compression = "lz4"
)

var (
	magicGzip = []byte{0x1f, 0x8b}
	magicLZ4  = []byte{0x04, 0x22, 0x4d, 0x18} // LZ4 frame format, little-endian 0x184D2204
)

// readBufSize is the buffer put in front of every input. Decoders do their own buffering,
// so this only needs to be large enough for magic sniffing and efficient syscalls.
const readBufSize = 1 << 20

// Input is an opened input: the decompressed byte stream plus what is known about it.
type Input struct {
	io.Reader
	Name        string      // the path given, or "-" for standard input
	Compression Compression // the container the bytes came in
	Size        int64       // size of the underlying file in bytes, -1 when unknown (pipes)

	closers []io.Closer
	raw     *countingReader
}

// RawOffset reports how many bytes of the underlying (possibly compressed) input have been
// consumed so far; with Size it drives progress reporting.
// It is safe to call from another goroutine (a progress reporter).
func (in *Input) RawOffset() int64 { return in.raw.n.Load() }

// Close releases the input. Closing standard input is a no-op.
func (in *Input) Close() error {
	var first error
	for i := len(in.closers) - 1; i >= 0; i-- {
		if err := in.closers[i].Close(); err != nil && first == nil {
			first = err
		}
	}
	in.closers = nil
	return first
}

// Open opens path for reading ("-" means standard input) and transparently removes a gzip
// or LZ4 frame container, detected by magic bytes.
func Open(path string) (*Input, error) {
	if path == "-" {
		in, err := Wrap(os.Stdin, "-", -1)
		if err != nil {
			return nil, err
		}
		return in, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	size := int64(-1)
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		size = st.Size()
	}
	in, err := Wrap(f, path, size)
	if err != nil {
		f.Close()
		return nil, err
	}
	in.closers = append([]io.Closer{f}, in.closers...)
	return in, nil
}

// Wrap sniffs r's first bytes and returns an Input that yields the decompressed stream.
// It does not take ownership of r.
func Wrap(r io.Reader, name string, size int64) (*Input, error) {
	cr := &countingReader{r: r}
	br := bufio.NewReaderSize(cr, readBufSize)
	head, err := br.Peek(4)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: reading header: %w", name, err)
	}
	in := &Input{Name: name, Size: size, raw: cr, Compression: None, Reader: br}
	switch {
	case bytes.HasPrefix(head, magicGzip):
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("%s: opening gzip stream: %w", name, err)
		}
		in.Compression = Gzip
		in.Reader = zr
		in.closers = append(in.closers, zr)
	case bytes.HasPrefix(head, magicLZ4):
		in.Compression = LZ4
		in.Reader = lz4.NewReader(br)
	}
	return in, nil
}

type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}
