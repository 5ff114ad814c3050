package rawresp

import (
	"bytes"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseAndConvert(t *testing.T) {
	tests := []struct{ in, resp2 string }{
		{"+OK\r\n", "+OK\r\n"},
		{"$3\r\nfoo\r\n", "$3\r\nfoo\r\n"},
		{"$-1\r\n", "$-1\r\n"},
		{"*-1\r\n", "*-1\r\n"},
		{"_\r\n", "$-1\r\n"},
		{"%1\r\n+a\r\n~2\r\n:1\r\n:2\r\n", "*2\r\n+a\r\n*2\r\n:1\r\n:2\r\n"},
		{",1.5\r\n", "$3\r\n1.5\r\n"},
		{"#t\r\n", ":1\r\n"},
		{"#f\r\n", ":0\r\n"},
		{"=7\r\ntxt:abc\r\n", "$3\r\nabc\r\n"},
		{"*2\r\n%0\r\n~0\r\n", "*2\r\n*0\r\n*0\r\n"},
	}
	for _, tc := range tests {
		v, rest, err := Parse([]byte(tc.in + "+next\r\n"))
		require.NoError(t, err, tc.in)
		assert.Equal(t, "+next\r\n", string(rest))
		assert.Equal(t, tc.in, string(v.Raw))
		assert.Equal(t, tc.in, string(Append(nil, &v)))
		assert.Equal(t, tc.resp2, string(ToRESP2(nil, &v)), tc.in)
	}
}

func TestParseErrors(t *testing.T) {
	for _, in := range []string{"", "+OK", "$3\r\nfo", "*2\r\n:1\r\n", "%1\r\n+a\r\n", "$99999999999\r\n"} {
		_, _, err := Parse([]byte(in))
		assert.ErrorIs(t, err, ErrIncomplete, "%q", in)
	}
	for _, in := range []string{"?x\r\n", "$-2\r\n", "*x\r\n", "$3\r\nfoox\r\n", "+a\rb\r\n", "_x\r\n"} {
		_, _, err := Parse([]byte(in))
		assert.ErrorIs(t, err, ErrSyntax, "%q", in)
	}
	deep := bytes.Repeat([]byte("*1\r\n"), MaxDepth+2)
	_, _, err := Parse(append(deep, ":1\r\n"...))
	assert.ErrorIs(t, err, ErrSyntax)
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"+OK\r\n", "*2\r\n$1\r\na\r\n%1\r\n:1\r\n~1\r\n_\r\n", "|1\r\n+a\r\n+b\r\n:1\r\n", "=7\r\ntxt:abc\r\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, _, err := Parse(b)
		if err != nil {
			if !errors.Is(err, ErrIncomplete) && !errors.Is(err, ErrSyntax) {
				t.Fatalf("unexpected error class: %v", err)
			}
			return
		}
		if out := Append(nil, &v); !bytes.Equal(out, v.Raw) && v.Type != '|' {
			t.Fatalf("round trip: %q -> %q", v.Raw, out)
		}
		r2 := ToRESP2(nil, &v)
		if _, rest, err := Parse(r2); err != nil || len(rest) != 0 {
			t.Fatalf("RESP2 form %q does not parse: %v", r2, err)
		}
	})
}
