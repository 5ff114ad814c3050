package tscript

import (
	"encoding/binary"
	"fmt"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/rdb"
	"github.com/redisctl/redisctl/rdb/crc64"
	"github.com/redisctl/redisctl/rdb/lzf"
)

const (
	opFunction2  = 245
	dumpVersion  = 10 // RDB version of Redis 7.0
	dumpMinBytes = 10
)

// AppendFunctionDump appends FUNCTION DUMP's payload for the given library codes: a
// FUNCTION2 record per library (the code as rdbSaveRawString writes it, LZF-compressed
// when compress is set and it pays), the 2-byte RDB version and the CRC-64.
func AppendFunctionDump(dst []byte, codes [][]byte, compress bool) []byte {
	start := len(dst)
	var tmp []byte
	for _, code := range codes {
		dst = append(dst, opFunction2)
		if compress && len(code) > 20 {
			budget := len(code) - 4
			if cap(tmp) < budget {
				tmp = make([]byte, budget)
			}
			if n := lzf.Compress(tmp[:budget], code); n > 0 {
				dst = append(dst, 0xC3)
				dst = rdb.AppendLen(dst, uint64(n))
				dst = rdb.AppendLen(dst, uint64(len(code)))
				dst = append(dst, tmp[:n]...)
				continue
			}
		}
		dst = rdb.AppendRawString(dst, code)
	}
	dst = binary.LittleEndian.AppendUint16(dst, dumpVersion)
	crc := crc64.Checksum(dst[start:])
	return binary.LittleEndian.AppendUint64(dst, crc)
}

// ParseFunctionDump checks a FUNCTION RESTORE payload (version and CRC, as
// verifyDumpPayload) and returns the library codes it holds.
func ParseFunctionDump(p []byte) ([][]byte, error) {
	if len(p) < dumpMinBytes {
		return nil, errBadPayload
	}
	footer := p[len(p)-10:]
	ver := binary.LittleEndian.Uint16(footer[:2])
	if ver > dumpVersion {
		return nil, errBadPayload
	}
	if crc64.Checksum(p[:len(p)-8]) != binary.LittleEndian.Uint64(footer[2:]) {
		return nil, errBadPayload
	}
	body := p[:len(p)-10]
	var codes [][]byte
	for i := 0; i < len(body); {
		if body[i] != opFunction2 {
			return nil, replyErr("ERR given type is not a function")
		}
		i++
		code, n, err := readString(body[i:])
		if err != nil {
			return nil, replyErr("ERR " + err.Error())
		}
		codes = append(codes, code)
		i += n
	}
	return codes, nil
}

var errBadPayload = replyErr("ERR DUMP payload version or checksum are wrong")

// readLen reads an RDB length; enc reports a special encoding (0xC0 | type).
func readLen(b []byte) (v uint64, enc int, n int, err error) {
	if len(b) < 1 {
		return 0, -1, 0, fmt.Errorf("payload truncated reading a length")
	}
	switch b[0] >> 6 {
	case 0:
		return uint64(b[0] & 0x3F), -1, 1, nil
	case 1:
		if len(b) < 2 {
			return 0, -1, 0, fmt.Errorf("payload truncated reading a length")
		}
		return uint64(b[0]&0x3F)<<8 | uint64(b[1]), -1, 2, nil
	case 2:
		switch b[0] {
		case 0x80:
			if len(b) < 5 {
				return 0, -1, 0, fmt.Errorf("payload truncated reading a length")
			}
			return uint64(binary.BigEndian.Uint32(b[1:])), -1, 5, nil
		case 0x81:
			if len(b) < 9 {
				return 0, -1, 0, fmt.Errorf("payload truncated reading a length")
			}
			return binary.BigEndian.Uint64(b[1:]), -1, 9, nil
		}
		return 0, -1, 0, fmt.Errorf("unknown length encoding %#x", b[0])
	}
	return 0, int(b[0] & 0x3F), 1, nil
}

// readString reads an RDB string at the start of b and returns it with its encoded size.
func readString(b []byte) ([]byte, int, error) {
	l, enc, n, err := readLen(b)
	if err != nil {
		return nil, 0, err
	}
	switch enc {
	case -1:
		if uint64(len(b)-n) < l {
			return nil, 0, fmt.Errorf("payload truncated reading a string of %d bytes", l)
		}
		return engine.CopyBytes(b[n : n+int(l)]), n + int(l), nil
	case 0, 1, 2:
		size := 1 << enc
		if len(b) < n+size {
			return nil, 0, fmt.Errorf("payload truncated reading an integer")
		}
		var v int64
		switch enc {
		case 0:
			v = int64(int8(b[n]))
		case 1:
			v = int64(int16(binary.LittleEndian.Uint16(b[n:])))
		case 2:
			v = int64(int32(binary.LittleEndian.Uint32(b[n:])))
		}
		return appendInt(nil, v), n + size, nil
	case 3:
		clen, _, m1, err := readLen(b[n:])
		if err != nil {
			return nil, 0, err
		}
		ulen, _, m2, err := readLen(b[n+m1:])
		if err != nil {
			return nil, 0, err
		}
		off := n + m1 + m2
		// LZF expands at most ~88× (a 3-byte back reference copies 264 bytes): a larger
		// claimed length is damage, and is not allocated.
		if uint64(len(b)-off) < clen || ulen > 512<<20 || ulen > clen*100+64 {
			return nil, 0, fmt.Errorf("bad LZF string (%d→%d bytes)", clen, ulen)
		}
		out, err := lzf.Decompress(make([]byte, ulen), b[off:off+int(clen)])
		if err != nil || uint64(len(out)) != ulen {
			return nil, 0, fmt.Errorf("bad LZF string: %v", err)
		}
		return out, off + int(clen), nil
	}
	return nil, 0, fmt.Errorf("unknown string encoding %d", enc)
}

func cmdFunctionDump(x *engine.Ctx) {
	s := For(x.E)
	x.Bulk(AppendFunctionDump(nil, s.LibraryCodes(), true))
}

func cmdFunctionRestore(x *engine.Ctx) {
	s := For(x.E)
	policy := "append"
	if len(x.Args) == 4 {
		switch {
		case engine.EqualFold(x.Args[3], "flush"):
			policy = "flush"
		case engine.EqualFold(x.Args[3], "append"):
		case engine.EqualFold(x.Args[3], "replace"):
			policy = "replace"
		default:
			x.Error("ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.")
			return
		}
	} else if len(x.Args) > 4 {
		subcommandSyntaxError(x, "FUNCTION")
		return
	}
	codes, err := ParseFunctionDump(x.Args[2])
	if err != nil {
		x.Error(err.Error())
		return
	}
	// Load into a fresh set first, then merge by policy; on failure nothing changes.
	oldLibs, oldFuncs := s.libs, s.funcs
	s.libs, s.funcs = map[string]*library{}, map[string]*function{}
	for _, code := range codes {
		if _, err := s.loadLibrary(code, false); err != nil {
			s.libs, s.funcs = oldLibs, oldFuncs
			x.Error(err.Error())
			return
		}
	}
	newLibs, newFuncs := s.libs, s.funcs
	if policy == "flush" {
		x.Dirty(1)
		x.OK()
		return
	}
	merged, mergedF := map[string]*library{}, map[string]*function{}
	for k, v := range oldLibs {
		merged[k] = v
	}
	for k, v := range oldFuncs {
		mergedF[k] = v
	}
	for name, lib := range newLibs {
		if old := merged[name]; old != nil {
			if policy != "replace" {
				s.libs, s.funcs = oldLibs, oldFuncs
				x.Error("ERR Library " + name + " already exists")
				return
			}
			for fname := range old.funcs {
				delete(mergedF, fname)
			}
		}
		merged[name] = lib
	}
	for fname, f := range newFuncs {
		if o := mergedF[fname]; o != nil {
			s.libs, s.funcs = oldLibs, oldFuncs
			x.Error("ERR Function " + fname + " already exists")
			return
		}
		mergedF[fname] = f
	}
	s.libs, s.funcs = merged, mergedF
	x.Dirty(1)
	x.OK()
}

// AppendCRC appends the little-endian CRC-64 of b to b (a dump payload's last 8 bytes).
func AppendCRC(b []byte) []byte {
	return binary.LittleEndian.AppendUint64(b, crc64.Checksum(b))
}
