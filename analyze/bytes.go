package analyze

import "github.com/redisctl/redisctl/rdb/rdbjson"

// Bytes is a binary-safe string that marshals like every byte string of redisctl's JSON:
// a JSON string when it is valid UTF-8, else {"hex":"…"}.
type Bytes []byte

// MarshalJSON implements json.Marshaler.
func (b Bytes) MarshalJSON() ([]byte, error) { return rdbjson.AppendBytes(nil, b), nil }
