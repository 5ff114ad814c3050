package rdbconv

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/redisctl/redisctl/rdb"
)

// FromJSONL reads records in redisctl's jsonl format (see rdb/rdbjson) and writes them to
// e, then closes it. Each record's "value" must come after "db", "key", "type" and
// "expire_at_ms" (the order redisctl writes). Records of one database need not be
// contiguous, but every change of database starts a new SELECTDB.
func FromJSONL(r io.Reader, e *rdb.Encoder) (Stats, error) {
	var st Stats
	dec := json.NewDecoder(r)
	dec.UseNumber()
	openDB := -1
	line := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return st, fmt.Errorf("record %d: %w", line+1, err)
		}
		line++
		if d, ok := tok.(json.Delim); !ok || d != '{' {
			return st, fmt.Errorf("record %d: expected an object, got %v", line, tok)
		}
		if err := readRecord(dec, e, &openDB); err != nil {
			return st, fmt.Errorf("record %d: %w", line, err)
		}
		st.Keys++
	}
	return st, e.Close()
}

type recHead struct {
	db      int
	key     []byte
	typ     string
	expire  int64
	haveKey bool
}

func readRecord(dec *json.Decoder, e *rdb.Encoder, openDB *int) error {
	h := recHead{expire: -1}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		name, _ := tok.(string)
		switch name {
		case "db":
			var n json.Number
			if err := dec.Decode(&n); err != nil {
				return err
			}
			v, err := n.Int64()
			if err != nil || v < 0 {
				return fmt.Errorf("bad db %q", n)
			}
			h.db = int(v)
		case "key":
			b, err := readBytes(dec)
			if err != nil {
				return fmt.Errorf("key: %w", err)
			}
			h.key, h.haveKey = b, true
		case "type":
			if err := dec.Decode(&h.typ); err != nil {
				return err
			}
		case "expire_at_ms":
			var n *json.Number
			if err := dec.Decode(&n); err != nil {
				return err
			}
			if n != nil {
				v, err := n.Int64()
				if err != nil {
					return fmt.Errorf("bad expire_at_ms %q", *n)
				}
				h.expire = v
			}
		case "value":
			if !h.haveKey || h.typ == "" {
				return errors.New(`"value" must come after "key" and "type"`)
			}
			if h.db != *openDB {
				if err := e.SelectDB(h.db, 0, 0); err != nil {
					return err
				}
				*openDB = h.db
			}
			if err := readValue(dec, e, &h); err != nil {
				return fmt.Errorf("key %q: %w", h.key, err)
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return err
			}
		}
	}
	_, err := dec.Token() // '}'
	return err
}

// readBytes reads a byte string: a JSON string or {"hex": "..."}.
func readBytes(dec *json.Decoder) ([]byte, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case string:
		return []byte(t), nil
	case json.Delim:
		if t != '{' {
			return nil, fmt.Errorf("expected a string, got %v", t)
		}
		var out []byte
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return nil, err
			}
			var s string
			if err := dec.Decode(&s); err != nil {
				return nil, err
			}
			if k != "hex" {
				return nil, fmt.Errorf("unknown byte string form %q", k)
			}
			out, err = hex.DecodeString(s)
			if err != nil {
				return nil, err
			}
		}
		if _, err := dec.Token(); err != nil {
			return nil, err
		}
		return out, nil
	}
	return nil, fmt.Errorf("expected a string, got %v", tok)
}

func expect(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("expected %q, got %v", want, tok)
	}
	return nil
}

func parseScore(s string) (float64, error) {
	switch strings.ToLower(s) {
	case "inf", "+inf":
		return math.Inf(1), nil
	case "-inf":
		return math.Inf(-1), nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) {
		return 0, fmt.Errorf("bad score %q", s)
	}
	return f, nil
}

func readValue(dec *json.Decoder, e *rdb.Encoder, h *recHead) error {
	k := rdb.Key{Name: h.key}
	if h.expire >= 0 {
		k.Expire = max(h.expire, 1)
	}
	switch h.typ {
	case "string":
		b, err := readBytes(dec)
		if err != nil {
			return err
		}
		return e.WriteValue(&k, &rdb.Value{Kind: rdb.KindString, String: b})
	case "stream":
		var s jsonStream
		if err := dec.Decode(&s); err != nil {
			return err
		}
		v, err := s.value()
		if err != nil {
			return err
		}
		return e.WriteValue(&k, &rdb.Value{Kind: rdb.KindStream, Stream: v})
	}
	var kind rdb.ValueKind
	switch h.typ {
	case "list":
		kind = rdb.KindList
	case "set":
		kind = rdb.KindSet
	case "hash":
		kind = rdb.KindHash
	case "zset":
		kind = rdb.KindZSet
	default:
		return fmt.Errorf("unsupported type %q", h.typ)
	}
	if err := expect(dec, '['); err != nil {
		return err
	}
	vw, err := e.BeginValue(&k, kind)
	if err != nil {
		return err
	}
	for dec.More() {
		switch kind {
		case rdb.KindList, rdb.KindSet:
			b, err := readBytes(dec)
			if err != nil {
				vw.Abort()
				return err
			}
			err = vw.Add(b)
		case rdb.KindHash, rdb.KindZSet:
			if err = expect(dec, '['); err != nil {
				break
			}
			var a, b []byte
			if a, err = readBytes(dec); err != nil {
				break
			}
			if kind == rdb.KindHash {
				if b, err = readBytes(dec); err != nil {
					break
				}
				exp := int64(0)
				if dec.More() {
					var n json.Number
					if err = dec.Decode(&n); err != nil {
						break
					}
					if exp, err = n.Int64(); err != nil {
						break
					}
				}
				err = vw.AddField(a, b, exp)
			} else {
				var s string
				if err = dec.Decode(&s); err != nil {
					break
				}
				var f float64
				if f, err = parseScore(s); err != nil {
					break
				}
				err = vw.AddMember(a, f)
			}
			if err == nil {
				err = expect(dec, ']')
			}
		}
		if err != nil {
			vw.Abort()
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		vw.Abort()
		return err
	}
	return vw.Close()
}

// jsonStream is the stream object of the jsonl format.
type jsonStream struct {
	Length               int64  `json:"length"`
	LastGeneratedID      string `json:"last_generated_id"`
	MaxDeletedEntryID    string `json:"max_deleted_entry_id"`
	EntriesAdded         int64  `json:"entries_added"`
	RecordedFirstEntryID string `json:"recorded_first_entry_id"`
	Entries              []struct {
		ID     string              `json:"id"`
		Fields [][]json.RawMessage `json:"fields"`
	} `json:"entries"`
	Groups []struct {
		Name            json.RawMessage `json:"name"`
		LastDeliveredID string          `json:"last_delivered_id"`
		EntriesRead     *int64          `json:"entries_read"`
		PEL             []struct {
			ID            string          `json:"id"`
			Consumer      json.RawMessage `json:"consumer"`
			DeliveryTime  int64           `json:"delivery_time"`
			DeliveryCount uint64          `json:"delivery_count"`
		} `json:"pel"`
		Consumers []struct {
			Name       json.RawMessage `json:"name"`
			SeenTime   int64           `json:"seen_time"`
			ActiveTime *int64          `json:"active_time"`
			PEL        []string        `json:"pel"`
		} `json:"consumers"`
	} `json:"groups"`
}

func parseID(s string) (rdb.StreamID, error) {
	ms, seq, ok := strings.Cut(s, "-")
	if !ok {
		return rdb.StreamID{}, fmt.Errorf("bad stream id %q", s)
	}
	a, err1 := strconv.ParseUint(ms, 10, 64)
	b, err2 := strconv.ParseUint(seq, 10, 64)
	if err1 != nil || err2 != nil {
		return rdb.StreamID{}, fmt.Errorf("bad stream id %q", s)
	}
	return rdb.StreamID{Ms: a, Seq: b}, nil
}

func rawBytes(m json.RawMessage) ([]byte, error) {
	return readBytes(json.NewDecoder(strings.NewReader(string(m))))
}

func (s *jsonStream) value() (*rdb.Stream, error) {
	out := &rdb.Stream{EntriesAdded: uint64(s.EntriesAdded)}
	var err error
	if out.LastID, err = parseID(s.LastGeneratedID); err != nil {
		return nil, err
	}
	if out.MaxDeletedID, err = parseID(s.MaxDeletedEntryID); err != nil {
		return nil, err
	}
	if out.FirstID, err = parseID(s.RecordedFirstEntryID); err != nil {
		return nil, err
	}
	for _, en := range s.Entries {
		id, err := parseID(en.ID)
		if err != nil {
			return nil, err
		}
		se := rdb.StreamEntry{ID: id}
		for _, p := range en.Fields {
			if len(p) != 2 {
				return nil, fmt.Errorf("entry %s: a field must be a [field, value] pair", en.ID)
			}
			f, err := rawBytes(p[0])
			if err != nil {
				return nil, err
			}
			v, err := rawBytes(p[1])
			if err != nil {
				return nil, err
			}
			se.Fields = append(se.Fields, f, v)
		}
		out.Entries = append(out.Entries, se)
	}
	for _, g := range s.Groups {
		name, err := rawBytes(g.Name)
		if err != nil {
			return nil, err
		}
		gv := rdb.StreamGroupValue{Name: name, EntriesRead: -1}
		if gv.LastID, err = parseID(g.LastDeliveredID); err != nil {
			return nil, err
		}
		if g.EntriesRead != nil {
			gv.EntriesRead = *g.EntriesRead
		}
		for _, p := range g.PEL {
			id, err := parseID(p.ID)
			if err != nil {
				return nil, err
			}
			gv.PEL = append(gv.PEL, rdb.StreamPending{ID: id, DeliveryTime: p.DeliveryTime, DeliveryCount: p.DeliveryCount})
		}
		for _, c := range g.Consumers {
			cn, err := rawBytes(c.Name)
			if err != nil {
				return nil, err
			}
			cv := rdb.StreamConsumerValue{Name: cn, SeenTime: c.SeenTime, ActiveTime: -1}
			if c.ActiveTime != nil {
				cv.ActiveTime = *c.ActiveTime
			}
			for _, ids := range c.PEL {
				id, err := parseID(ids)
				if err != nil {
					return nil, err
				}
				cv.PEL = append(cv.PEL, id)
			}
			gv.Consumers = append(gv.Consumers, cv)
		}
		out.Groups = append(out.Groups, gv)
	}
	return out, nil
}
