package resp

import (
	"bytes"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func bulkV(s string) Value { return Value{Type: TypeBulk, Str: []byte(s)} }
func intV(n int64) Value   { return Value{Type: TypeInteger, Int: n} }
func arrV(e ...Value) Value {
	if e == nil {
		e = []Value{}
	}
	return Value{Type: TypeArray, Elems: e}
}

func TestReplyReaderValues(t *testing.T) {
	tests := []struct {
		in   string
		want Value
		cli  string
	}{
		{"+OK\r\n", Value{Type: TypeSimpleString, Str: []byte("OK")}, "OK"},
		{"-ERR no\r\n", Value{Type: TypeError, Str: []byte("ERR no")}, "(error) ERR no"},
		{":-7\r\n", intV(-7), "(integer) -7"},
		{"$3\r\na\"\x01\r\n", bulkV("a\"\x01"), `"a\"\x01"`},
		{"$-1\r\n", Value{Type: TypeBulk, Null: true}, "(nil)"},
		{"*-1\r\n", Value{Type: TypeArray, Null: true}, "(nil)"},
		{"_\r\n", Value{Type: TypeNull}, "(nil)"},
		{"*0\r\n", arrV(), "(empty array)"},
		{",1.5\r\n", Value{Type: TypeDouble, Float: 1.5, Str: []byte("1.5")}, "(double) 1.5"},
		{",-inf\r\n", Value{Type: TypeDouble, Float: math.Inf(-1), Str: []byte("-inf")}, "(double) -inf"},
		{"#t\r\n", Value{Type: TypeBoolean, Bool: true}, "(true)"},
		{"(-123\r\n", Value{Type: TypeBigNumber, Str: []byte("-123")}, "(big number) -123"},
		{"!5\r\nERR x\r\n", Value{Type: TypeBlobError, Str: []byte("ERR x")}, "(error) ERR x"},
		{"=6\r\ntxt:hi\r\n", Value{Type: TypeVerbatim, Format: "txt", Str: []byte("hi")}, "hi"},
		{"~1\r\n:1\r\n", Value{Type: TypeSet, Elems: []Value{intV(1)}}, "1~ (integer) 1"},
		{"%1\r\n$1\r\nk\r\n:1\r\n", Value{Type: TypeMap, Elems: []Value{bulkV("k"), intV(1)}}, `1# "k" => (integer) 1`},
		{"|1\r\n+a\r\n:1\r\n:2\r\n", Value{Type: TypeInteger, Int: 2, Attrs: []Value{{Type: TypeSimpleString, Str: []byte("a")}, intV(1)}}, "(integer) 2"},
		{"*3\r\n$1\r\na\r\n*2\r\n:1\r\n*1\r\n$1\r\nb\r\n*0\r\n",
			arrV(bulkV("a"), arrV(intV(1), arrV(bulkV("b"))), arrV()),
			"1) \"a\"\n2) 1) (integer) 1\n   2) 1) \"b\"\n3) (empty array)"},
	}
	for _, tc := range tests {
		r := NewReplyReader(strings.NewReader(tc.in))
		v, err := r.ReadValue()
		require.NoError(t, err, tc.in)
		assert.True(t, tc.want.Equal(v), "%q: got %#v", tc.in, v)
		assert.Equal(t, tc.cli, v.String(), tc.in)
		_, err = r.ReadValue()
		assert.Equal(t, io.EOF, err)
	}
}

func TestReplyReaderCLIWideIndex(t *testing.T) {
	var e []Value
	for i := 0; i < 10; i++ {
		e = append(e, intV(int64(i)))
	}
	e[9] = arrV(bulkV("x"), bulkV("y"))
	got := arrV(e...).String()
	assert.True(t, strings.HasPrefix(got, " 1) (integer) 0\n 2) (integer) 1\n"), got)
	assert.True(t, strings.HasSuffix(got, "10) 1) \"x\"\n    2) \"y\""), got)
}

func TestReplyReaderErrors(t *testing.T) {
	for _, tc := range []struct {
		in     string
		trunc  bool
		offset int64
	}{
		{"$5\r\nab", true, 0},
		{"*2\r\n:1\r\n", true, 0},
		{":1\r\n*2\r\n:1\r\n", true, 4},
		{"+OK", true, 0},
		{"?x\r\n", false, 0},
		{":12a\r\n", false, 1},
		{"$3\r\nabcd\r\n", false, 7},
		{"$-2\r\n", false, 1},
		{"$99999999999\r\n", false, 1},
		{"+a\nb\r\n", false, 2},
		{"#x\r\n", false, 1},
		{"_x\r\n", false, 1},
		{"=2\r\nab\r\n", false, 0},
		{"~-1\r\n", false, 1},
		{",abc\r\n", false, 1},
		{"(12a\r\n", false, 1},
	} {
		r := NewReplyReader(strings.NewReader(tc.in))
		var err error
		for err == nil {
			_, err = r.ReadValue()
		}
		if tc.trunc {
			var te *TruncatedError
			require.ErrorAs(t, err, &te, tc.in)
			assert.Equal(t, tc.offset, te.LastGood, tc.in)
			assert.ErrorIs(t, err, ErrTruncated)
		} else {
			var se *SyntaxError
			require.ErrorAs(t, err, &se, tc.in)
			assert.Equal(t, tc.offset, se.Offset, tc.in)
			assert.ErrorIs(t, err, ErrCorrupt)
		}
		_, err2 := r.ReadValue()
		assert.Equal(t, err, err2, "sticky")
	}
}

func TestReplyReaderDepth(t *testing.T) {
	in := strings.Repeat("*1\r\n", 100) + ":1\r\n"
	_, err := NewReplyReader(strings.NewReader(in), WithMaxDepth(50)).ReadValue()
	assert.ErrorIs(t, err, ErrCorrupt)
	v, err := NewReplyReader(strings.NewReader(in)).ReadValue()
	require.NoError(t, err)
	assert.Equal(t, TypeArray, v.Type)
}

func TestReplyReaderHugeLengths(t *testing.T) {
	// Announced sizes are not allocated up front.
	for _, in := range []string{"$536870912\r\nabc", "*2147483647\r\n:1\r\n", "%2147483647\r\n"} {
		_, err := NewReplyReader(strings.NewReader(in)).ReadValue()
		assert.ErrorIs(t, err, ErrTruncated, in)
	}
}

// randValue builds a random reply tree that survives a round trip through
// the Writer for the given protocol.
func randValue(rng *rand.Rand, depth, proto int) Value {
	k := rng.IntN(14)
	if depth > 3 {
		k %= 8
	}
	randBytes := func() []byte {
		b := make([]byte, rng.IntN(40))
		for i := range b {
			b[i] = byte(rng.IntN(256))
		}
		return b
	}
	switch k {
	case 0:
		return Value{Type: TypeSimpleString, Str: []byte("OK")}
	case 1:
		return Value{Type: TypeError, Str: []byte("ERR something")}
	case 2:
		return intV(rng.Int64() - rng.Int64())
	case 3, 4:
		return Value{Type: TypeBulk, Str: randBytes()}
	case 5:
		if proto == 3 {
			return Value{Type: TypeNull}
		}
		return Value{Type: TypeBulk, Null: true}
	case 6:
		f := rng.NormFloat64() * math.Pow(10, float64(rng.IntN(40)-20))
		text := AppendDoubleText(nil, f)
		if proto == 2 {
			return Value{Type: TypeBulk, Str: text}
		}
		return Value{Type: TypeDouble, Float: f, Str: text}
	case 7:
		b := rng.IntN(2) == 1
		if proto == 2 {
			if b {
				return intV(1)
			}
			return intV(0)
		}
		return Value{Type: TypeBoolean, Bool: b}
	default:
		n := rng.IntN(5)
		elems := []Value{}
		t := []Type{TypeArray, TypeMap, TypeSet, TypePush}[rng.IntN(4)]
		cnt := n
		if t == TypeMap {
			cnt = 2 * n
		}
		for i := 0; i < cnt; i++ {
			elems = append(elems, randValue(rng, depth+1, proto))
		}
		if proto == 2 {
			t = TypeArray
		}
		return Value{Type: t, Elems: elems}
	}
}

// writeValue writes v with the Writer's methods (not AppendValue), using a
// deferred length for every other aggregate.
func writeValue(w *Writer, v Value, useDeferred bool) {
	switch v.Type {
	case TypeSimpleString:
		w.WriteSimpleString(string(v.Str))
	case TypeError:
		w.WriteError(string(v.Str))
	case TypeInteger:
		w.WriteInt(v.Int)
	case TypeBulk:
		if v.Null {
			w.WriteNull()
		} else {
			w.WriteBulk(v.Str)
		}
	case TypeNull:
		w.WriteNull()
	case TypeDouble:
		w.WriteDouble(v.Float)
	case TypeBoolean:
		w.WriteBool(v.Bool)
	default:
		n := len(v.Elems)
		var d Deferred
		if useDeferred {
			d = w.WriteDeferredLen()
		} else {
			switch v.Type {
			case TypeMap:
				w.WriteMapLen(n / 2)
			case TypeSet:
				w.WriteSetLen(n)
			case TypePush:
				w.WritePushLen(n)
			default:
				w.WriteArrayLen(n)
			}
		}
		for i, e := range v.Elems {
			writeValue(w, e, (i+n)%2 == 0)
		}
		if useDeferred {
			switch v.Type {
			case TypeMap:
				w.SetMapLen(d, n/2)
			case TypeSet:
				w.SetSetLen(d, n)
			case TypePush:
				w.SetPushLen(d, n)
			default:
				w.SetArrayLen(d, n)
			}
		}
	}
}

func TestRoundTripRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, proto := range []int{2, 3} {
		var out bytes.Buffer
		w := NewWriter(&out)
		w.SetProtocol(proto)
		var vals []Value
		for i := 0; i < 2000; i++ {
			v := randValue(rng, 0, proto)
			vals = append(vals, v)
			writeValue(w, v, i%3 == 0)
			if i%7 == 0 {
				require.NoError(t, w.Flush())
			}
		}
		require.NoError(t, w.Flush())
		wire := out.Bytes()
		// AppendValue produces the same bytes as the Writer.
		var again []byte
		for _, v := range vals {
			again = AppendValue(again, v)
		}
		require.Equal(t, string(wire), string(again), "RESP%d", proto)
		for _, rm := range readerMakers {
			r := NewReplyReader(rm.fn(bytes.NewReader(wire)), WithBufferSize(64))
			for i, want := range vals {
				got, err := r.ReadValue()
				require.NoError(t, err, "%s #%d", rm.name, i)
				require.True(t, want.Equal(got), "%s #%d:\nwant %s\ngot  %s", rm.name, i, want, got)
			}
			_, err := r.ReadValue()
			assert.Equal(t, io.EOF, err)
		}
	}
}

func TestCommandReader(t *testing.T) {
	var aof []byte
	aof = AppendCommandString(aof, "SELECT", "0")
	aof = append(aof, "#TS:1700000000\r\n"...)
	aof = AppendCommandString(aof, "SET", "k", strings.Repeat("v", 70000))
	aof = AppendCommandString(aof, "DEL", "k")
	for _, rm := range readerMakers {
		cr := NewCommandReader(rm.fn(bytes.NewReader(aof)), WithBufferSize(32), WithBaseOffset(100))
		var got []string
		var offs []int64
		for cr.Next() {
			offs = append(offs, cr.Offset())
			if a := cr.Annotation(); a != nil {
				got = append(got, "#"+string(a))
				continue
			}
			var parts []string
			for _, a := range cr.Args() {
				parts = append(parts, string(a[:min(len(a), 6)]))
			}
			got = append(got, strings.Join(parts, " "))
		}
		require.NoError(t, cr.Err(), rm.name)
		assert.Equal(t, []string{"SELECT 0", "#TS:1700000000", "SET k vvvvvv", "DEL k"}, got, rm.name)
		assert.Equal(t, int64(100), offs[0])
		assert.Equal(t, int64(100+len(aof)), cr.LastGood())
	}
}

func TestCommandReaderDamage(t *testing.T) {
	good := AppendCommandString(nil, "SET", "a", "1")
	n := int64(len(good))
	for _, tc := range []struct {
		name   string
		tail   string
		trunc  bool
		offset int64 // LastGood for truncation, Offset for corruption
	}{
		{"cut in count", "*3\r", true, n},
		{"cut in bulk", "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$5\r\nab", true, n},
		{"cut before crlf", "*1\r\n$3\r\nabc", true, n},
		{"cut in length", "*1\r\n$1", true, n},
		{"cut in annotation", "#TS:12", true, n},
		{"garbage", "xyz", false, n},
		{"zero count", "*0\r\n", false, n + 1},
		{"bad count", "*a\r\n", false, n + 1},
		{"missing dollar", "*1\r\n+3\r\n", false, n + 4},
		{"bad length", "*1\r\n$-3\r\n", false, n + 5},
		{"bad trailer", "*1\r\n$3\r\nabcXY", false, n + 11},
		{"lf only", "*1\n", false, n + 2},
		{"huge length is just truncation", "*1\r\n$536870912\r\nabc", true, n},
		{"over max length", "*1\r\n$536870913\r\n", false, n + 5},
	} {
		cr := NewCommandReader(bytes.NewReader(append(append([]byte{}, good...), tc.tail...)))
		require.True(t, cr.Next(), tc.name)
		assert.False(t, cr.Next(), tc.name)
		err := cr.Err()
		if tc.trunc {
			var te *TruncatedError
			require.ErrorAs(t, err, &te, tc.name)
			assert.Equal(t, tc.offset, te.LastGood, tc.name)
			assert.Equal(t, tc.offset, cr.LastGood(), tc.name)
		} else {
			var se *SyntaxError
			require.ErrorAs(t, err, &se, tc.name)
			assert.Equal(t, tc.offset, se.Offset, tc.name)
			assert.True(t, errors.Is(err, ErrCorrupt))
		}
		assert.False(t, cr.Next(), "sticky")
		assert.Equal(t, err, cr.Err())
	}
}
