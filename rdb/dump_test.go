package rdb

import (
	"encoding/binary"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/redisctl/redisctl/rdb/crc64"
)

func TestDumpRoundTrip(t *testing.T) {
	for _, v := range sampleValues() {
		for ver := MinWriteVersion; ver <= MaxWriteVersion; ver++ {
			p, err := EncodeDump(v, &DumpOptions{Version: ver})
			if errors.Is(err, ErrUnsupported) {
				continue
			}
			require.NoError(t, err)
			_, got, err := DecodeDumpValue(p, &Options{Deep: true})
			require.NoError(t, err)
			require.Equal(t, canon(v, ver, ver), canon(got, ver, ver))
		}
	}
}

func TestDumpChecks(t *testing.T) {
	p, err := EncodeDump(&Value{Kind: KindString, String: []byte("hello")}, nil)
	require.NoError(t, err)
	require.Equal(t, uint16(DumpVersion), binary.LittleEndian.Uint16(p[len(p)-10:]))

	_, err = DecodeDump(p[:9], nil)
	require.ErrorIs(t, err, ErrTruncated)
	require.EqualError(t, err, DumpErrorText)

	bad := append([]byte(nil), p...)
	bad[len(bad)-1] ^= 0xff
	_, err = DecodeDump(bad, nil)
	require.ErrorIs(t, err, ErrChecksum)
	_, err = DecodeDump(bad, &Options{SkipChecksum: true})
	require.NoError(t, err)

	// A future version, re-checksummed.
	fut := append([]byte(nil), p[:len(p)-10]...)
	fut = binary.LittleEndian.AppendUint16(fut, 14)
	fut = binary.LittleEndian.AppendUint64(fut, crc64.Update(0, fut))
	_, err = DecodeDump(fut, nil)
	require.ErrorIs(t, err, ErrVersion)

	// Damage inside the value is an *Error.
	body := append([]byte{byte(TypeList), 5}, 1, 'a')
	broken := finishDump(body, 10)
	d, err := DecodeDump(broken, nil)
	require.NoError(t, err)
	for d.Next() {
	}
	var e *Error
	require.True(t, errors.As(d.Err(), &e))
	require.ErrorIs(t, d.Err(), ErrTruncated)

	// An opcode is not a value.
	_, _, err = DecodeDumpValue(finishDump([]byte{byte(OpEOF)}, 10), nil)
	require.ErrorIs(t, err, ErrCorrupt)
}

func TestEncodeDumpRaw(t *testing.T) {
	p := EncodeDumpRaw(TypeString, []byte{0x03, 'a', 'b', 'c'}, 10)
	typ, v, err := DecodeDumpValue(p, nil)
	require.NoError(t, err)
	require.Equal(t, TypeString, typ)
	require.Equal(t, "abc", string(v.String))
}
