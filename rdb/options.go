package rdb

// DefaultMaxLen is the largest string or container blob the decoder accepts
// unless Options.MaxLen says otherwise: Redis's proto-max-bulk-len default.
const DefaultMaxLen = 512 << 20

// DefaultBufferSize is the decoder's read buffer.
const DefaultBufferSize = 1 << 20

// Options tune a Decoder. The zero value is the default: checksum verified,
// no deep validation, Redis 7.0 encodings and thresholds.
type Options struct {
	// SkipChecksum does not compare the CRC-64 trailer; the EOF record then
	// reports ChecksumSkipped (or ChecksumMismatch, which is not an error).
	SkipChecksum bool
	// Deep validates every listpack, ziplist, intset and zipmap entry by
	// entry before iterating it, as Redis does with sanitize-dump-payload
	// (the `check` command turns this on).
	Deep bool
	// AllowEmptyKeys delivers empty lists, sets, zsets and hashes instead
	// of failing on them. Real Redis skips them with a log line when
	// loading; redis-check-rdb reports them as damage, as this decoder does
	// by default.
	AllowEmptyKeys bool
	// MaxLen bounds every string and container blob (default DefaultMaxLen).
	MaxLen int64
	// BufferSize is the read buffer (default DefaultBufferSize, at least 64).
	BufferSize int
	// Config holds the thresholds used by LoadedEncoding (nil: defaults).
	Config *Config
	// Target is the Redis release whose loading rules LoadedEncoding follows.
	Target Target
}

// Target names the Redis release whose object encodings LoadedEncoding
// reports.
type Target uint8

const (
	// Redis70 (the default): no listpack lists or sets, no listpackex.
	Redis70 Target = iota
	// Redis72 adds listpack lists (one small quicklist node) and listpack
	// sets.
	Redis72
	// Redis74 adds hash field expiry (listpackex).
	Redis74
)

// Config holds the encoding thresholds Redis applies when it loads or
// builds values, under Redis's own configuration names. The decoder uses
// them for LoadedEncoding and the encoder to choose what to write.
type Config struct {
	HashMaxListpackEntries int64 // hash-max-listpack-entries (512)
	HashMaxListpackValue   int64 // hash-max-listpack-value (64)
	SetMaxIntsetEntries    int64 // set-max-intset-entries (512)
	SetMaxListpackEntries  int64 // set-max-listpack-entries (128), 7.2+
	SetMaxListpackValue    int64 // set-max-listpack-value (64), 7.2+
	ZSetMaxListpackEntries int64 // zset-max-listpack-entries (128)
	ZSetMaxListpackValue   int64 // zset-max-listpack-value (64)
	ListMaxListpackSize    int64 // list-max-listpack-size (-2: 8 KB nodes)
	StreamNodeMaxBytes     int64 // stream-node-max-bytes (4096)
	StreamNodeMaxEntries   int64 // stream-node-max-entries (100)
	// RDBCompression is rdbcompression: LZF-compress strings over 20 bytes
	// when it saves space. DefaultConfig sets it, as Redis does.
	RDBCompression bool
}

// DefaultConfig returns Redis 7's defaults.
func DefaultConfig() Config {
	return Config{
		HashMaxListpackEntries: 512,
		HashMaxListpackValue:   64,
		SetMaxIntsetEntries:    512,
		SetMaxListpackEntries:  128,
		SetMaxListpackValue:    64,
		ZSetMaxListpackEntries: 128,
		ZSetMaxListpackValue:   64,
		ListMaxListpackSize:    -2,
		StreamNodeMaxBytes:     4096,
		StreamNodeMaxEntries:   100,
		RDBCompression:         true,
	}
}

// listNodeLimit returns the byte limit of a list node for
// list-max-listpack-size (negative: 4 KB << (-n-1), capped at 64 KB), or 0
// with a count limit for positive sizes.
func (c *Config) listNodeLimit() (bytes int, count int) {
	s := c.ListMaxListpackSize
	if s >= 0 {
		if s == 0 {
			s = 1
		}
		return 0, int(s)
	}
	n := -s
	if n > 5 {
		n = 5
	}
	return 4096 << (n - 1), 0
}
