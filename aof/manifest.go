package aof

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/redisctl/redisctl/engine/config"
)

// FileType is a manifest entry's type byte.
type FileType byte

// The three file types of a manifest (aof_file_type).
const (
	TypeBase    FileType = 'b'
	TypeHistory FileType = 'h'
	TypeIncr    FileType = 'i'
)

// FileInfo is one line of a manifest (aofInfo).
type FileInfo struct {
	Name string
	Seq  int64
	Type FileType
}

// Manifest is the list of files of a multi-part AOF (aofManifest).
type Manifest struct {
	Base    *FileInfo
	Incrs   []FileInfo // in sequence order; the last one is the file being written
	History []FileInfo
	// CurBaseSeq and CurIncrSeq are the sequence numbers of the newest base and incr file
	// ever created (curr_base_file_seq, curr_incr_file_seq).
	CurBaseSeq int64
	CurIncrSeq int64
}

// ManifestMaxLine is MANIFEST_MAX_LINE: a manifest line (with its "\n") is at most this long.
const ManifestMaxLine = 1024

// ManifestError is a manifest Redis refuses, with the text Redis logs after
// "*** FATAL AOF MANIFEST FILE ERROR ***".
type ManifestError struct {
	Line    int    // the 1-based line number Redis reports ("at line %d")
	Content string // the trimmed line (">>> '%s'"), "(null)" when there was none
	Msg     string // e.g. "Invalid AOF manifest file format"
}

func (e *ManifestError) Error() string {
	return fmt.Sprintf("aof manifest: %s (line %d: %q)", e.Msg, e.Line, e.Content)
}

// LogLines are the lines Redis logs for this error (serverLog at LL_WARNING), in order.
func (e *ManifestError) LogLines() []string {
	return []string{
		"\n*** FATAL AOF MANIFEST FILE ERROR ***\n",
		fmt.Sprintf("Reading the manifest file, at line %d\n", e.Line),
		fmt.Sprintf(">>> '%s'\n", e.Content),
		e.Msg + "\n",
	}
}

// ErrManifest matches every *ManifestError with errors.Is.
var ErrManifest = errors.New("aof: invalid manifest")

// Is makes errors.Is(err, ErrManifest) true.
func (e *ManifestError) Is(target error) bool { return target == ErrManifest }

// ParseManifest reads a manifest as aofLoadManifestFromFile: lines read with fgets into a
// 1025-byte buffer, '#' comments, trimmed, split with sdssplitargs, pairs of
// case-insensitive keys (file, seq, type; unknown keys ignored), every key required, at
// most one base, strictly increasing incr sequence numbers. data is the whole file
// (a manifest is small; callers bound what they read).
func ParseManifest(data []byte) (*Manifest, error) {
	m := &Manifest{}
	var maxSeq int64
	linenum := 0
	fail := func(line []byte, hasLine bool, msg string) error {
		c := "(null)"
		if hasLine {
			c = string(line)
		}
		return &ManifestError{Line: linenum, Content: c, Msg: msg}
	}
	for len(data) > 0 {
		// fgets(buf, 1025): up to 1024 bytes, stopping after a '\n'.
		n := min(len(data), ManifestMaxLine)
		chunk := data[:n]
		if i := bytes.IndexByte(chunk, '\n'); i >= 0 {
			chunk = chunk[:i+1]
		}
		data = data[len(chunk):]
		linenum++
		// The C code sees the buffer as a string: it ends at a NUL byte.
		if i := bytes.IndexByte(chunk, 0); i >= 0 {
			chunk = chunk[:i]
		}
		if len(chunk) > 0 && chunk[0] == '#' {
			continue
		}
		if bytes.IndexByte(chunk, '\n') < 0 {
			return nil, fail(nil, false, "The AOF manifest file contains too long line")
		}
		line := bytes.Trim(chunk, " \t\r\n")
		if len(line) == 0 {
			return nil, fail(line, true, "Invalid AOF manifest file format")
		}
		argv, err := config.SplitArgs(string(line))
		if err != nil || len(argv) < 6 || len(argv)%2 != 0 {
			return nil, fail(line, true, "Invalid AOF manifest file format")
		}
		var fi FileInfo
		hasName := false
		for i := 0; i < len(argv); i += 2 {
			k, v := argv[i], []byte(argv[i+1])
			switch {
			case strings.EqualFold(k, "file"):
				// sdsnew: the value is a C string.
				if j := bytes.IndexByte(v, 0); j >= 0 {
					v = v[:j]
				}
				fi.Name, hasName = string(v), true
				if strings.ContainsAny(fi.Name, "/\\") {
					return nil, fail(line, true, "File can't be a path, just a filename")
				}
			case strings.EqualFold(k, "seq"):
				fi.Seq = atoll(v)
			case strings.EqualFold(k, "type"):
				fi.Type = 0
				if len(v) > 0 {
					fi.Type = FileType(v[0])
				}
			}
		}
		// sdsnew of an empty name is still a non-NULL sds: only a missing key fails.
		if !hasName || fi.Seq == 0 || fi.Type == 0 {
			return nil, fail(line, true, "Invalid AOF manifest file format")
		}
		switch fi.Type {
		case TypeBase:
			if m.Base != nil {
				return nil, fail(line, true, "Found duplicate base file information")
			}
			b := fi
			m.Base = &b
			m.CurBaseSeq = fi.Seq
		case TypeHistory:
			m.History = append(m.History, fi)
		case TypeIncr:
			if fi.Seq <= maxSeq {
				return nil, fail(line, true, "Found a non-monotonic sequence number")
			}
			m.Incrs = append(m.Incrs, fi)
			m.CurIncrSeq = fi.Seq
			maxSeq = fi.Seq
		default:
			return nil, fail(line, true, "Unknown AOF file type")
		}
	}
	if linenum == 0 {
		return nil, &ManifestError{Line: 0, Content: "(null)", Msg: "Found an empty AOF manifest"}
	}
	return m, nil
}

// ReadManifest reads and parses a manifest from r (at most 64 MB).
func ReadManifest(r io.Reader) (*Manifest, error) {
	data, err := io.ReadAll(io.LimitReader(r, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("aof: reading the manifest: %w", err)
	}
	return ParseManifest(data)
}

// atoll is C's atoll (strtoll base 10): leading spaces, a sign, digits; anything else
// stops it; out of range clamps.
func atoll(b []byte) int64 {
	i := 0
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	var n uint64
	over := false
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		d := uint64(b[i] - '0')
		if n > (math.MaxUint64-d)/10 {
			over = true
			continue
		}
		n = n*10 + d
	}
	switch {
	case neg && (over || n > 1<<63):
		return math.MinInt64
	case neg:
		return -int64(n)
	case over || n > math.MaxInt64:
		return math.MaxInt64
	}
	return int64(n)
}

// AppendInfo appends one manifest line as aofInfoFormat writes it.
func AppendInfo(dst []byte, fi FileInfo) []byte {
	dst = append(dst, "file "...)
	if needsRepr(fi.Name) {
		dst = append(dst, config.Repr(fi.Name)...)
	} else {
		dst = append(dst, fi.Name...)
	}
	dst = append(dst, " seq "...)
	dst = strconv.AppendInt(dst, fi.Seq, 10)
	dst = append(dst, " type "...)
	return append(dst, byte(fi.Type), '\n')
}

// Bytes is the manifest as getAofManifestAsString writes it: base, history, incr.
func (m *Manifest) Bytes() []byte {
	var b []byte
	if m.Base != nil {
		b = AppendInfo(b, *m.Base)
	}
	for _, h := range m.History {
		b = AppendInfo(b, h)
	}
	for _, i := range m.Incrs {
		b = AppendInfo(b, i)
	}
	return b
}

// Clone is a deep copy (aofManifestDup).
func (m *Manifest) Clone() *Manifest {
	c := &Manifest{CurBaseSeq: m.CurBaseSeq, CurIncrSeq: m.CurIncrSeq}
	if m.Base != nil {
		b := *m.Base
		c.Base = &b
	}
	c.Incrs = append([]FileInfo(nil), m.Incrs...)
	c.History = append([]FileInfo(nil), m.History...)
	return c
}

// Empty reports a manifest without base and incr files.
func (m *Manifest) Empty() bool { return m.Base == nil && len(m.Incrs) == 0 }

// Files are the base then the incr files, in load order.
func (m *Manifest) Files() []FileInfo {
	var out []FileInfo
	if m.Base != nil {
		out = append(out, *m.Base)
	}
	return append(out, m.Incrs...)
}

// File name suffixes (aof.c).
const (
	BaseSuffix     = ".base"
	IncrSuffix     = ".incr"
	RDBFormatExt   = ".rdb"
	AOFFormatExt   = ".aof"
	ManifestSuffix = ".manifest"
	TempPrefix     = "temp-"
)

// ManifestName is getAofManifestFileName: "<appendfilename>.manifest".
func ManifestName(appendfilename string) string { return appendfilename + ManifestSuffix }

// TempManifestName is getTempAofManifestFileName.
func TempManifestName(appendfilename string) string {
	return TempPrefix + appendfilename + ManifestSuffix
}

// TempIncrName is getTempIncrAofName: "temp-<appendfilename>.incr".
func TempIncrName(appendfilename string) string {
	return TempPrefix + appendfilename + IncrSuffix
}

// NewBase adds the next base file, marking the current one as history
// (getNewBaseFileNameAndMarkPreAsHistory), and returns its name.
func (m *Manifest) NewBase(appendfilename string, rdbPreamble bool) string {
	if m.Base != nil {
		b := *m.Base
		b.Type = TypeHistory
		m.History = append([]FileInfo{b}, m.History...) // listAddNodeHead
	}
	ext := AOFFormatExt
	if rdbPreamble {
		ext = RDBFormatExt
	}
	m.CurBaseSeq++
	name := appendfilename + "." + strconv.FormatInt(m.CurBaseSeq, 10) + BaseSuffix + ext
	m.Base = &FileInfo{Name: name, Seq: m.CurBaseSeq, Type: TypeBase}
	return name
}

// NewIncr adds the next incr file (getNewIncrAofName) and returns its name.
func (m *Manifest) NewIncr(appendfilename string) string {
	m.CurIncrSeq++
	name := appendfilename + "." + strconv.FormatInt(m.CurIncrSeq, 10) + IncrSuffix + AOFFormatExt
	m.Incrs = append(m.Incrs, FileInfo{Name: name, Seq: m.CurIncrSeq, Type: TypeIncr})
	return name
}

// LastIncrName is the incr file being written (getLastIncrAofName), "" when none.
func (m *Manifest) LastIncrName() string {
	if len(m.Incrs) == 0 {
		return ""
	}
	return m.Incrs[len(m.Incrs)-1].Name
}

// MarkRewrittenIncrAsHistory moves the incr files to the history, all but the last one
// when skipLast (the AOF is on and writes it: markRewrittenIncrAofAsHistory). They go in
// front of the history in their order, as Redis adds them at the list's head walking
// from the tail.
func (m *Manifest) MarkRewrittenIncrAsHistory(skipLast bool) {
	n := len(m.Incrs)
	if skipLast {
		n--
	}
	if n <= 0 {
		return
	}
	moved := make([]FileInfo, 0, n+len(m.History))
	for _, fi := range m.Incrs[:n] {
		fi.Type = TypeHistory
		moved = append(moved, fi)
	}
	m.History = append(moved, m.History...)
	m.Incrs = append([]FileInfo(nil), m.Incrs[n:]...)
}
