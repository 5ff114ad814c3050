package redistest

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"unicode/utf8"
)

// Record is one key of a dataset in the canonical form shared by the
// fixtures' expected .jsonl files and by every test that compares our
// output with Redis's. One JSON object per line, fields in this order:
//
//	{"db":0,"key":"k","type":"hash","encoding":"listpack","expire_at_ms":null,"value":...}
//
// Value, by Type:
//
//	string  Bytes
//	list    []Bytes, head to tail
//	set     []Bytes, sorted bytewise ascending
//	hash    []Pair {field, value}, sorted by field bytewise
//	zset    []Pair {member, score}, ascending score then member, the score
//	        as Redis 7.0 replies to RESP2 (FormatScore)
//	stream  *Stream
//
// Records of a dataset are sorted by (db, key bytewise): SortRecords.
type Record struct {
	DB         int    `json:"db"`
	Key        Bytes  `json:"key"`
	Type       string `json:"type"`
	Encoding   string `json:"encoding"`
	ExpireAtMs *int64 `json:"expire_at_ms"`
	Value      any    `json:"value"`
}

// Bytes is a byte string. It marshals as a JSON string when it is valid
// UTF-8 and as {"hex":"..."} (lowercase) otherwise.
type Bytes string

// MarshalJSON implements json.Marshaler.
func (b Bytes) MarshalJSON() ([]byte, error) {
	if utf8.ValidString(string(b)) {
		return marshalNoEscape(string(b))
	}
	return []byte(`{"hex":"` + hex.EncodeToString([]byte(b)) + `"}`), nil
}

// UnmarshalJSON implements json.Unmarshaler.
func (b *Bytes) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '{' {
		var h struct {
			Hex string `json:"hex"`
		}
		if err := json.Unmarshal(data, &h); err != nil {
			return err
		}
		raw, err := hex.DecodeString(h.Hex)
		if err != nil {
			return fmt.Errorf("redistest: bad hex byte string %q: %w", h.Hex, err)
		}
		*b = Bytes(raw)
		return nil
	}
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return err
	}
	*b = Bytes(s)
	return nil
}

// Pair is a hash {field, value} or a zset {member, score}.
type Pair [2]Bytes

// Stream is the value of a stream key, as XINFO STREAM key FULL and
// XRANGE report it.
type Stream struct {
	Length               int64         `json:"length"`
	LastGeneratedID      string        `json:"last_generated_id"`
	MaxDeletedEntryID    string        `json:"max_deleted_entry_id"`
	EntriesAdded         int64         `json:"entries_added"`
	RecordedFirstEntryID string        `json:"recorded_first_entry_id"`
	Entries              []StreamEntry `json:"entries"`
	Groups               []StreamGroup `json:"groups"` // sorted by name
}

// StreamEntry is one stream entry.
type StreamEntry struct {
	ID     string `json:"id"`
	Fields []Pair `json:"fields"` // in entry order
}

// StreamGroup is one consumer group.
type StreamGroup struct {
	Name            Bytes            `json:"name"`
	LastDeliveredID string           `json:"last_delivered_id"`
	EntriesRead     *int64           `json:"entries_read"`
	PEL             []StreamPending  `json:"pel"`       // by id
	Consumers       []StreamConsumer `json:"consumers"` // sorted by name
}

// StreamPending is one entry of a group's pending entries list.
type StreamPending struct {
	ID            string `json:"id"`
	Consumer      Bytes  `json:"consumer"`
	DeliveryTime  int64  `json:"delivery_time"`
	DeliveryCount int64  `json:"delivery_count"`
}

// StreamConsumer is one consumer of a group.
type StreamConsumer struct {
	Name     Bytes    `json:"name"`
	SeenTime int64    `json:"seen_time"`
	PEL      []string `json:"pel"` // ids, in PEL order
}

// Library is one function library, from FUNCTION LIST WITHCODE.
type Library struct {
	Name      string     `json:"library_name"`
	Engine    string     `json:"engine"`
	Functions []Function `json:"functions"` // sorted by name
	Code      string     `json:"library_code"`
}

// Function is one function of a library.
type Function struct {
	Name        string   `json:"name"`
	Description *string  `json:"description"`
	Flags       []string `json:"flags"`
}

// UnmarshalJSON decodes a record, giving Value the Go type its Type calls
// for (see Record).
func (r *Record) UnmarshalJSON(data []byte) error {
	var raw struct {
		DB         int             `json:"db"`
		Key        Bytes           `json:"key"`
		Type       string          `json:"type"`
		Encoding   string          `json:"encoding"`
		ExpireAtMs *int64          `json:"expire_at_ms"`
		Value      json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	*r = Record{DB: raw.DB, Key: raw.Key, Type: raw.Type, Encoding: raw.Encoding, ExpireAtMs: raw.ExpireAtMs}
	var err error
	switch raw.Type {
	case "string":
		var v Bytes
		err = json.Unmarshal(raw.Value, &v)
		r.Value = v
	case "list", "set":
		var v []Bytes
		err = json.Unmarshal(raw.Value, &v)
		r.Value = v
	case "hash", "zset":
		var v []Pair
		err = json.Unmarshal(raw.Value, &v)
		r.Value = v
	case "stream":
		var v Stream
		err = json.Unmarshal(raw.Value, &v)
		r.Value = &v
	default:
		var v any
		err = json.Unmarshal(raw.Value, &v)
		r.Value = v
	}
	if err != nil {
		return fmt.Errorf("redistest: record db %d key %q type %s: %w", raw.DB, raw.Key, raw.Type, err)
	}
	return nil
}

// Canonicalize sorts what the canonical form leaves unordered: set
// members, hash fields, stream groups and consumers. Lists, zsets and
// stream entries keep the order they come in, which must already be
// Redis's. Call it on records built by a decoder before comparing.
func (r *Record) Canonicalize() {
	switch v := r.Value.(type) {
	case []Bytes:
		if r.Type == "set" {
			sort.Slice(v, func(i, j int) bool { return v[i] < v[j] })
		}
	case []Pair:
		if r.Type == "hash" {
			sort.Slice(v, func(i, j int) bool { return v[i][0] < v[j][0] })
		}
	case *Stream:
		sort.Slice(v.Groups, func(i, j int) bool { return v.Groups[i].Name < v.Groups[j].Name })
		for gi := range v.Groups {
			cs := v.Groups[gi].Consumers
			sort.Slice(cs, func(i, j int) bool { return cs[i].Name < cs[j].Name })
		}
		v.fillEmpty()
	}
}

// fillEmpty turns nil slices into empty ones so they marshal as [].
func (s *Stream) fillEmpty() {
	if s.Entries == nil {
		s.Entries = []StreamEntry{}
	}
	if s.Groups == nil {
		s.Groups = []StreamGroup{}
	}
	for i := range s.Entries {
		if s.Entries[i].Fields == nil {
			s.Entries[i].Fields = []Pair{}
		}
	}
	for gi := range s.Groups {
		g := &s.Groups[gi]
		if g.PEL == nil {
			g.PEL = []StreamPending{}
		}
		if g.Consumers == nil {
			g.Consumers = []StreamConsumer{}
		}
		for ci := range g.Consumers {
			if g.Consumers[ci].PEL == nil {
				g.Consumers[ci].PEL = []string{}
			}
		}
	}
}

// SortRecords orders records by (db, key bytewise).
func SortRecords(rs []Record) {
	sort.SliceStable(rs, func(i, j int) bool {
		if rs[i].DB != rs[j].DB {
			return rs[i].DB < rs[j].DB
		}
		return rs[i].Key < rs[j].Key
	})
}

// MarshalLine returns the canonical JSON line of r, without the newline.
// HTML characters are not escaped.
func MarshalLine(r Record) ([]byte, error) {
	return marshalNoEscape(r)
}

// WriteRecords canonicalizes and sorts rs in place and writes them as
// JSON lines.
func WriteRecords(w io.Writer, rs []Record) error {
	for i := range rs {
		rs[i].Canonicalize()
	}
	SortRecords(rs)
	bw := bufio.NewWriter(w)
	for _, r := range rs {
		line, err := MarshalLine(r)
		if err != nil {
			return fmt.Errorf("redistest: marshal db %d key %q: %w", r.DB, r.Key, err)
		}
		bw.Write(line)
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// ReadRecords reads JSON lines of records (blank lines are skipped).
func ReadRecords(r io.Reader) ([]Record, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 64<<20)
	var out []Record
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var rec Record
		if err := json.Unmarshal(line, &rec); err != nil {
			return out, fmt.Errorf("redistest: line %d: %w", n, err)
		}
		out = append(out, rec)
	}
	return out, sc.Err()
}

// FormatScore formats a zset score the way Redis 7.0 replies to a RESP2
// client: "inf", "-inf", else printf's %.17g (so 0.1 is
// "0.10000000000000001" and negative zero is "-0").
func FormatScore(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	return strconv.FormatFloat(f, 'g', 17, 64)
}

func marshalNoEscape(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}
