package redistest_test

import (
	"bytes"
	"testing"

	"github.com/redisctl/redisctl/internal/redistest"
)

// Any byte string survives the canonical JSON form unchanged.
func FuzzBytesRoundTrip(f *testing.F) {
	for _, s := range []string{"", "a", "\xff", "é", "<&>", "\x00\n\"\\", "\xed\xa0\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		in := []redistest.Record{{Key: redistest.Bytes(s), Type: "list", Encoding: "quicklist",
			Value: []redistest.Bytes{redistest.Bytes(s)}}}
		var buf bytes.Buffer
		if err := redistest.WriteRecords(&buf, in); err != nil {
			t.Fatal(err)
		}
		out, err := redistest.ReadRecords(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if len(out) != 1 || string(out[0].Key) != s || string(out[0].Value.([]redistest.Bytes)[0]) != s {
			t.Fatalf("round trip of %q gave %#v", s, out)
		}
	})
}
