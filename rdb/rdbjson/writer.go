package rdbjson

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"

	"github.com/redisctl/redisctl/rdb"
)

// DefaultSpillThreshold is how much of one value the Writer keeps in memory before it
// spills the rest to a temporary file.
const DefaultSpillThreshold = 8 << 20

// WriterOptions tune a Writer.
type WriterOptions struct {
	// TempDir holds spill files (default: os.TempDir()).
	TempDir string
	// SpillThreshold is the in-memory budget per value (default DefaultSpillThreshold).
	SpillThreshold int
}

// Writer renders the keys of an RDB stream as JSON lines.
type Writer struct {
	w    io.Writer
	noNL bool
	line []byte
	body spillBuf
	zs   backwardRecords
	zmem []zentry // small zsets, and zsets that need sorting
	grp  []byte   // rendered groups of a stream
	tmp  []byte
}

type zentry struct {
	member []byte
	score  float64
}

// NewWriter returns a Writer that writes lines to w.
func NewWriter(w io.Writer, opts *WriterOptions) *Writer {
	jw := &Writer{w: w}
	t := DefaultSpillThreshold
	dir := ""
	if opts != nil {
		if opts.SpillThreshold > 0 {
			t = opts.SpillThreshold
		}
		dir = opts.TempDir
	}
	jw.body = spillBuf{threshold: t, dir: dir}
	jw.zs = backwardRecords{buf: spillBuf{threshold: t, dir: dir}}
	return jw
}

// Close releases spill files.
func (jw *Writer) Close() { jw.body.Close(); jw.zs.Reset() }

// KeyInfo is what a JSON line says about a key besides its value; WriteKey returns it so
// callers (CSV output, statistics) need not decode twice.
type KeyInfo struct {
	DB       int
	Key      []byte // valid until the next WriteKey
	Kind     rdb.ValueKind
	TypeName string
	Encoding string
	Expire   int64 // unix ms, -1 for none
	Elements int64
}

// WriteKey consumes the records of one key from d, which must be positioned at a
// RecKeyBegin record, up to its RecKeyEnd, and writes one JSON line. It returns the
// decoder's error if the key is damaged (nothing is written then).
func (jw *Writer) WriteKey(d *rdb.Decoder) (KeyInfo, error) {
	info, err := jw.Render(d, nil)
	if err != nil {
		return info, err
	}
	return info, nil
}

// WriteKeyTo is WriteKey writing to w, with or without the line's trailing newline (for
// wrapping records in a JSON array).
func (jw *Writer) WriteKeyTo(d *rdb.Decoder, w io.Writer, newline bool) (KeyInfo, error) {
	saved, savedNL := jw.w, jw.noNL
	jw.w, jw.noNL = w, !newline
	defer func() { jw.w, jw.noNL = saved, savedNL }()
	return jw.WriteKey(d)
}

// Render is WriteKey with a filter: when keep is non-nil and returns false for the key's
// header, the key's records are consumed and nothing is written.
func (jw *Writer) Render(d *rdb.Decoder, keep func(info *KeyInfo) bool) (KeyInfo, error) {
	info := KeyInfo{DB: d.DB(), Key: append(jw.tmp[:0], d.Key()...), Kind: d.ValueKind(),
		Expire: d.Expire()}
	jw.tmp = info.Key
	info.TypeName = info.Kind.String()
	if keep != nil && !keep(&info) {
		for d.Next() {
			if d.Kind() == rdb.RecKeyEnd {
				info.Encoding = d.LoadedEncoding()
				info.Elements = d.Len()
				return info, nil
			}
		}
		return info, d.Err()
	}
	jw.body.Reset()
	jw.zs.Reset()
	jw.zmem = jw.zmem[:0]
	jw.grp = jw.grp[:0]
	var (
		first        = true
		zsetOrder    = zsetOrderOf(d.Type())
		zsetOK       = true
		lastZ        zentry
		haveLast     bool
		st           streamState
		moduleName   string
		moduleHeader []byte
	)
	if info.Kind == rdb.KindStream {
		st.init()
	}
	elem := func() {
		if first {
			first = false
		} else {
			jw.body.Write(comma)
		}
	}
	for d.Next() {
		switch d.Kind() {
		case rdb.RecString:
			jw.body.Write(AppendBytes(jw.line[:0], d.Value()))
		case rdb.RecListElement, rdb.RecSetMember:
			elem()
			jw.body.Write(AppendBytes(jw.line[:0], d.Value()))
		case rdb.RecHashField:
			elem()
			b := append(jw.line[:0], '[')
			b = AppendBytes(b, d.Field())
			b = append(b, ',')
			b = AppendBytes(b, d.Value())
			if exp := d.FieldExpire(); exp >= 0 {
				b = append(b, ',')
				b = strconv.AppendInt(b, exp, 10)
			}
			b = append(b, ']')
			jw.line = b
			jw.body.Write(b)
		case rdb.RecZSetMember:
			z := zentry{score: d.Score()}
			switch zsetOrder {
			case zsetAscending:
				jw.zmem = append(jw.zmem, zentry{member: bytes.Clone(d.Value()), score: z.score})
				if len(jw.zmem) > 4096 {
					// Big ascending zsets are written as they come (never listpack-loaded).
					jw.flushZAscending(&first)
				}
			case zsetDescending:
				z.member = d.Value()
				if haveLast && !zLess(z, lastZ) {
					zsetOK = false
				}
				lastZ = zentry{member: append(lastZ.member[:0], z.member...), score: z.score}
				haveLast = true
				rec := strconv.AppendUint(jw.line[:0], math.Float64bits(z.score), 16)
				rec = append(rec, ' ')
				rec = append(rec, z.member...)
				jw.line = rec
				jw.zs.Add(rec)
			default:
				jw.zmem = append(jw.zmem, zentry{member: bytes.Clone(d.Value()), score: z.score})
			}
		case rdb.RecStreamEntry, rdb.RecStreamField, rdb.RecStreamNode, rdb.RecStreamMeta,
			rdb.RecStreamGroup, rdb.RecStreamPending, rdb.RecStreamConsumer,
			rdb.RecStreamConsumerPending, rdb.RecStreamProducer, rdb.RecStreamIID, rdb.RecStreamIDMP:
			st.record(jw, d)
		case rdb.RecModule:
			m := d.Module()
			moduleName = m.Name
			b := append(jw.line[:0], `{"module":`...)
			b = AppendString(b, []byte(m.Name))
			b = append(b, `,"encver":`...)
			b = strconv.AppendInt(b, int64(m.EncVer), 10)
			b = append(b, `,"raw":`...)
			b = append(b, `{"hex":"`...)
			b = appendHex(b, d.Value())
			b = append(b, `"}}`...)
			jw.line = b
			moduleHeader = b
			jw.body.Write(b)
		case rdb.RecKeyEnd:
			info.Encoding = d.LoadedEncoding()
			info.Elements = d.Len()
			if info.Kind == rdb.KindModule {
				info.TypeName = moduleName
				_ = moduleHeader
			}
			return info, jw.finish(d, &info, zsetOrder, zsetOK, &first, &st)
		default:
			return info, fmt.Errorf("rdbjson: unexpected %s record inside key %q", d.Kind(), info.Key)
		}
	}
	if err := d.Err(); err != nil {
		return info, err
	}
	return info, fmt.Errorf("rdbjson: input ended inside key %q", info.Key)
}

var comma = []byte{','}

type zsetOrderKind int

const (
	zsetUnordered  zsetOrderKind = iota // type 3: dict order
	zsetAscending                       // listpack, ziplist
	zsetDescending                      // ZSET_2: saved greatest first
)

func zsetOrderOf(t rdb.Type) zsetOrderKind {
	switch t {
	case rdb.TypeZSetZiplist, rdb.TypeZSetListpack:
		return zsetAscending
	case rdb.TypeZSet2:
		return zsetDescending
	}
	return zsetUnordered
}

func zLess(a, b zentry) bool {
	if a.score != b.score {
		return a.score < b.score
	}
	return bytes.Compare(a.member, b.member) < 0
}

// appendScore renders a score as Redis 7.0 replies it in RESP2 ("%.17g", inf, -inf).
// A -0 becomes 0 when Redis holds the zset as a listpack (it stores integral scores as
// integers there).
func appendScore(dst []byte, f float64, listpack bool) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	case f == 0 && listpack:
		return append(dst, '0')
	}
	return appendG17(dst, f)
}

func (jw *Writer) appendZ(b []byte, z zentry, listpack bool) []byte {
	b = append(b, '[')
	b = AppendBytes(b, z.member)
	b = append(b, ',', '"')
	b = appendScore(b, z.score, listpack)
	return append(b, '"', ']')
}

func (jw *Writer) flushZAscending(first *bool) {
	for _, z := range jw.zmem {
		if !*first {
			jw.body.Write(comma)
		}
		*first = false
		jw.line = jw.appendZ(jw.line[:0], z, false)
		jw.body.Write(jw.line)
	}
	jw.zmem = jw.zmem[:0]
}

func (jw *Writer) finish(d *rdb.Decoder, info *KeyInfo, zo zsetOrderKind, zsetOK bool, first *bool, st *streamState) error {
	listpack := info.Encoding == "listpack"
	if info.Kind == rdb.KindZSet {
		switch {
		case zo == zsetDescending && zsetOK:
			err := jw.zs.Reverse(func(rec []byte) error {
				sp := bytes.IndexByte(rec, ' ')
				bitsv, _ := strconv.ParseUint(string(rec[:sp]), 16, 64)
				if !*first {
					jw.body.Write(comma)
				}
				*first = false
				jw.line = jw.appendZ(jw.line[:0], zentry{member: rec[sp+1:], score: math.Float64frombits(bitsv)}, listpack)
				jw.body.Write(jw.line)
				return nil
			})
			if err != nil {
				return err
			}
		case zo == zsetDescending:
			// Not in the order Redis writes: sort in memory (only files from other writers).
			if err := jw.zs.Reverse(func(rec []byte) error {
				sp := bytes.IndexByte(rec, ' ')
				bitsv, _ := strconv.ParseUint(string(rec[:sp]), 16, 64)
				jw.zmem = append(jw.zmem, zentry{member: bytes.Clone(rec[sp+1:]), score: math.Float64frombits(bitsv)})
				return nil
			}); err != nil {
				return err
			}
			fallthrough
		default:
			if zo != zsetAscending {
				sort.Slice(jw.zmem, func(i, j int) bool { return zLess(jw.zmem[i], jw.zmem[j]) })
			}
			for _, z := range jw.zmem {
				if !*first {
					jw.body.Write(comma)
				}
				*first = false
				jw.line = jw.appendZ(jw.line[:0], z, listpack)
				jw.body.Write(jw.line)
			}
			jw.zmem = jw.zmem[:0]
		}
	}

	b := append(jw.line[:0], `{"db":`...)
	b = strconv.AppendInt(b, int64(info.DB), 10)
	b = append(b, `,"key":`...)
	b = AppendBytes(b, info.Key)
	b = append(b, `,"type":`...)
	b = AppendString(b, []byte(info.TypeName))
	b = append(b, `,"encoding":`...)
	b = AppendString(b, []byte(info.Encoding))
	b = append(b, `,"expire_at_ms":`...)
	if info.Expire >= 0 {
		b = strconv.AppendInt(b, info.Expire, 10)
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"value":`...)
	switch info.Kind {
	case rdb.KindList, rdb.KindSet, rdb.KindHash, rdb.KindZSet:
		b = append(b, '[')
	case rdb.KindStream:
		b = st.appendHead(b)
	}
	jw.line = b
	if _, err := jw.w.Write(b); err != nil {
		return err
	}
	if _, err := jw.body.WriteTo(jw.w); err != nil {
		return err
	}
	var tail []byte
	switch info.Kind {
	case rdb.KindList, rdb.KindSet, rdb.KindHash, rdb.KindZSet:
		tail = append(tail, ']')
	case rdb.KindStream:
		tail = append(tail, `],"groups":[`...)
		tail = append(tail, st.groups...)
		tail = append(tail, ']', '}')
	}
	tail = append(tail, '}')
	if !jw.noNL {
		tail = append(tail, '\n')
	}
	_, err := jw.w.Write(tail)
	return err
}

// appendG17 is C's printf("%.17g"), which strconv's 'g' with precision 17 reproduces.
func appendG17(dst []byte, f float64) []byte { return strconv.AppendFloat(dst, f, 'g', 17, 64) }

func appendHex(dst, b []byte) []byte {
	for _, c := range b {
		dst = append(dst, hexDigits[c>>4], hexDigits[c&0xf])
	}
	return dst
}
