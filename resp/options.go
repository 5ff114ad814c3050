package resp

// Option configures a Reader, ReplyReader or CommandReader.
type Option func(*options)

type options struct {
	maxBulk  int64
	maxQuery int
	bufSize  int
	base     int64
	maxDepth int
}

func defaultOptions() options {
	return options{maxBulk: DefaultMaxBulkLen, bufSize: defaultBufSize, maxDepth: defaultMaxDepth}
}

// WithMaxBulkLen sets the largest bulk length accepted (Redis's
// proto-max-bulk-len, default 512MB). Values < 1 keep the default.
func WithMaxBulkLen(n int64) Option {
	return func(o *options) {
		if n > 0 {
			o.maxBulk = n
		}
	}
}

// WithMaxQueryBuffer makes Reader fail with ErrQueryBufferLimit when more
// than n unparsed bytes are pending (Redis's client-query-buffer-limit).
// 0, the default, means no limit.
func WithMaxQueryBuffer(n int) Option { return func(o *options) { o.maxQuery = n } }

// WithBufferSize sets the initial read buffer size (default 16KB).
func WithBufferSize(n int) Option {
	return func(o *options) {
		if n > 0 {
			o.bufSize = n
		}
	}
}

// WithBaseOffset sets the stream offset of the first byte read, so that
// offsets in records and errors are positions in a larger file (for example
// the RESP part of an AOF after its RDB preamble).
func WithBaseOffset(off int64) Option { return func(o *options) { o.base = off } }

// WithMaxDepth caps the nesting depth of aggregate replies read by
// ReplyReader (default 512).
func WithMaxDepth(n int) Option {
	return func(o *options) {
		if n > 0 {
			o.maxDepth = n
		}
	}
}
