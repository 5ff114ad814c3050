package rdb

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/redisctl/redisctl/rdb/crc64"
)

// DumpVersion is the RDB version EncodeDump writes by default: Redis 7.0.
const DumpVersion = 10

// DumpErrorText is Redis's reply when verifyDumpPayload rejects a payload;
// DumpBadFormatText when the value inside does not parse.
const (
	DumpErrorText     = "DUMP payload version or checksum are wrong"
	DumpBadFormatText = "Bad data format"
)

// DumpError is returned by VerifyDump and DecodeDump for a payload Redis
// would reject before parsing it. Its text is Redis's; errors.Is matches
// ErrChecksum, ErrVersion or ErrTruncated (too short) as appropriate.
type DumpError struct {
	Class  error
	Detail string
}

func (e *DumpError) Error() string { return DumpErrorText }

// Is matches the class sentinel.
func (e *DumpError) Is(target error) bool { return target == e.Class }

// Unwrap returns nothing: the class is matched through Is.
func (e *DumpError) Unwrap() error { return nil }

// DumpFooter splits a DUMP payload into the value bytes, the RDB version
// and the stored CRC-64, without checking anything but the length.
func DumpFooter(payload []byte) (body []byte, version int, crc uint64, ok bool) {
	if len(payload) < 10 {
		return nil, 0, 0, false
	}
	n := len(payload)
	return payload[:n-10], int(binary.LittleEndian.Uint16(payload[n-10:])), binary.LittleEndian.Uint64(payload[n-8:]), true
}

// VerifyDump applies Redis's verifyDumpPayload checks: at least 10 bytes, a
// version this package reads (up to MaxVersion, or a Valkey version), and a
// CRC-64 over everything before the checksum. skipChecksum skips the last
// check, as DEBUG SET-SKIP-CHECKSUM-VALIDATION does.
func VerifyDump(payload []byte, skipChecksum bool) (version int, err error) {
	_, version, stored, ok := DumpFooter(payload)
	if !ok {
		return 0, &DumpError{ErrTruncated, fmt.Sprintf("payload of %d bytes is shorter than 10", len(payload))}
	}
	if version > MaxVersion && (version < MinValkeyVersion || version > MaxValkeyVersion) {
		return version, &DumpError{ErrVersion, fmt.Sprintf("rdb version %d", version)}
	}
	if !skipChecksum {
		if sum := crc64.Update(0, payload[:len(payload)-8]); sum != stored {
			return version, &DumpError{ErrChecksum, fmt.Sprintf("stored %016x, computed %016x", stored, sum)}
		}
	}
	return version, nil
}

// DecodeDump verifies a DUMP payload and returns a decoder over its value:
// RecKeyBegin (with an empty key), the value's records, RecKeyEnd, then
// Next returns false. With Options.SkipChecksum the CRC is not checked.
// Errors from the checks are *DumpError; errors while decoding the value
// are *Error (Redis answers those with DumpBadFormatText).
func DecodeDump(payload []byte, opts *Options) (*Decoder, error) {
	var skip bool
	if opts != nil {
		skip = opts.SkipChecksum
	}
	version, err := VerifyDump(payload, skip)
	if err != nil {
		return nil, err
	}
	d := &Decoder{}
	d.setOptions(opts)
	d.in.initBytes(payload[:len(payload)-10])
	d.reset()
	d.dump = true
	d.version = version
	d.valkey = version >= MinValkeyVersion
	d.st = stTop
	return d, nil
}

// DecodeDumpValue decodes a whole DUMP payload into a Value.
func DecodeDumpValue(payload []byte, opts *Options) (Type, *Value, error) {
	d, err := DecodeDump(payload, opts)
	if err != nil {
		return 0, nil, err
	}
	if !d.Next() {
		if d.Err() != nil {
			return 0, nil, d.Err()
		}
		return 0, nil, errors.New("rdb: empty DUMP payload")
	}
	v, err := d.ReadValue()
	return d.Type(), v, err
}

// DumpOptions configure EncodeDump.
type DumpOptions struct {
	Version int     // RDB version of the payload (0: DumpVersion)
	Config  *Config // thresholds and rdbcompression (nil: DefaultConfig())
}

// EncodeDump returns the DUMP payload Redis of the given version (default
// 7.0) produces for v: type byte, value, 2-byte version, CRC-64.
func EncodeDump(v *Value, opts *DumpOptions) ([]byte, error) {
	ver := DumpVersion
	cfg := DefaultConfig()
	if opts != nil {
		if opts.Version != 0 {
			ver = opts.Version
		}
		if opts.Config != nil {
			cfg = *opts.Config
		}
	}
	if ver < MinWriteVersion || ver > MaxWriteVersion {
		return nil, fmt.Errorf("%w: cannot write DUMP version %d", ErrVersion, ver)
	}
	e := newValueEncoder(ver, cfg)
	out := []byte{0}
	t, out, err := e.appendValue(out, v)
	if err != nil {
		return nil, err
	}
	out[0] = byte(t)
	return finishDump(out, ver), nil
}

// EncodeDumpRaw wraps an already encoded value payload of type t.
func EncodeDumpRaw(t Type, payload []byte, version int) []byte {
	out := make([]byte, 0, len(payload)+11)
	out = append(out, byte(t))
	out = append(out, payload...)
	return finishDump(out, version)
}

func finishDump(out []byte, version int) []byte {
	out = binary.LittleEndian.AppendUint16(out, uint16(version))
	return binary.LittleEndian.AppendUint64(out, crc64.Update(0, out))
}
