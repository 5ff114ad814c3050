package aof

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseManifest(t *testing.T) {
	tests := []struct {
		name, in string
		err      string
		line     int
		want     *Manifest
	}{
		{name: "redis", in: "file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n",
			want: &Manifest{Base: &FileInfo{"appendonly.aof.2.base.rdb", 2, TypeBase},
				Incrs: []FileInfo{{"appendonly.aof.2.incr.aof", 2, TypeIncr}}, CurBaseSeq: 2, CurIncrSeq: 2}},
		{name: "history and case", in: "FILE a seq 1 TYPE b\nfile h seq 3 type h\nfile x seq 1 type i\nfile y seq 5 type i\n",
			want: &Manifest{Base: &FileInfo{"a", 1, TypeBase}, History: []FileInfo{{"h", 3, TypeHistory}},
				Incrs: []FileInfo{{"x", 1, TypeIncr}, {"y", 5, TypeIncr}}, CurBaseSeq: 1, CurIncrSeq: 5}},
		{name: "quoted and extra pairs", in: "file \"a b\\x41\" seq 7 type b future value\r\n",
			want: &Manifest{Base: &FileInfo{"a bA", 7, TypeBase}, CurBaseSeq: 7}},
		{name: "comments", in: "# hello\nfile a seq 1 type i\n",
			want: &Manifest{Incrs: []FileInfo{{"a", 1, TypeIncr}}, CurIncrSeq: 1}},
		{name: "type first byte", in: "file a seq 1 type bogus\n",
			want: &Manifest{Base: &FileInfo{"a", 1, TypeBase}, CurBaseSeq: 1}},
		{name: "empty", in: "", err: "Found an empty AOF manifest", line: 0},
		{name: "empty line", in: "file a seq 1 type b\n\n", err: "Invalid AOF manifest file format", line: 2},
		{name: "no newline", in: "file a seq 1 type b", err: "The AOF manifest file contains too long line", line: 1},
		{name: "odd", in: "file a seq 1 type b x\n", err: "Invalid AOF manifest file format", line: 1},
		{name: "short", in: "file a seq 1\n", err: "Invalid AOF manifest file format", line: 1},
		{name: "missing type", in: "file a seq 1 typo b\n", err: "Invalid AOF manifest file format", line: 1},
		{name: "seq zero", in: "file a seq x type b\n", err: "Invalid AOF manifest file format", line: 1},
		{name: "path", in: "file a/b seq 1 type b\n", err: "File can't be a path, just a filename", line: 1},
		{name: "backslash path", in: "file \"a\\\\b\" seq 1 type b\n", err: "File can't be a path, just a filename", line: 1},
		{name: "two bases", in: "file a seq 1 type b\nfile b seq 2 type b\n", err: "Found duplicate base file information", line: 2},
		{name: "non monotonic", in: "file a seq 2 type i\nfile b seq 2 type i\n", err: "Found a non-monotonic sequence number", line: 2},
		{name: "unknown type", in: "file a seq 1 type x\n", err: "Unknown AOF file type", line: 1},
		{name: "unbalanced", in: "file \"a seq 1 type b\n", err: "Invalid AOF manifest file format", line: 1},
		{name: "long line", in: "file " + string(make1(1100)) + " seq 1 type b\n", err: "The AOF manifest file contains too long line", line: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := ParseManifest([]byte(tc.in))
			if tc.err != "" {
				var me *ManifestError
				require.True(t, errors.As(err, &me), "%v", err)
				require.Equal(t, tc.err, me.Msg)
				require.Equal(t, tc.line, me.Line)
				require.ErrorIs(t, err, ErrManifest)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, m)
		})
	}
}

func make1(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = 'a'
	}
	return b
}

func TestManifestFormat(t *testing.T) {
	m := &Manifest{}
	require.Equal(t, "appendonly.aof.1.base.rdb", m.NewBase("appendonly.aof", true))
	require.Equal(t, "appendonly.aof.1.incr.aof", m.NewIncr("appendonly.aof"))
	require.Equal(t, "appendonly.aof.2.incr.aof", m.NewIncr("appendonly.aof"))
	require.Equal(t, "appendonly.aof.2.base.aof", m.NewBase("appendonly.aof", false))
	m.MarkRewrittenIncrAsHistory(true)
	// As Redis: the incr files go in front of the history, the old base behind them.
	require.Equal(t, "file appendonly.aof.2.base.aof seq 2 type b\n"+
		"file appendonly.aof.1.incr.aof seq 1 type h\n"+
		"file appendonly.aof.1.base.rdb seq 1 type h\n"+
		"file appendonly.aof.2.incr.aof seq 2 type i\n", string(m.Bytes()))
	back, err := ParseManifest(m.Bytes())
	require.NoError(t, err)
	require.Equal(t, m, back)
	// With the AOF off every incr file becomes history.
	m.NewIncr("appendonly.aof")
	m.MarkRewrittenIncrAsHistory(false)
	require.Empty(t, m.Incrs)
	require.Equal(t, "appendonly.aof.2.incr.aof", m.History[0].Name)
	require.Equal(t, "appendonly.aof.3.incr.aof", m.History[1].Name)

	// Names that need quoting, as sdscatrepr.
	require.Equal(t, "file \"a b\\n\\x01\\\"\" seq 3 type i\n", string(AppendInfo(nil, FileInfo{"a b\n\x01\"", 3, TypeIncr})))
	m2 := &Manifest{Base: &FileInfo{"my file\t\xff.aof", 1, TypeBase}}
	back, err = ParseManifest(m2.Bytes())
	require.NoError(t, err)
	require.Equal(t, "my file\t\xff.aof", back.Base.Name)
}

func TestAppendG17(t *testing.T) {
	for d, want := range map[float64]string{1: "1", 0.1: "0.10000000000000001", 1.5: "1.5", 1e300: "1.0000000000000001e+300",
		-2.5e-5: "-2.5000000000000001e-05", 123456789012345678: "1.2345678901234568e+17", 1e16: "10000000000000000", 0.0001: "0.0001",
		-7: "-7", 999999999999999: "999999999999999", 1e15: "1000000000000000", 2.5: "2.5", 1e17: "1e+17", 123.456: "123.456"} {
		require.Equal(t, want, string(AppendG17(nil, d)), "%v", d)
	}
}

func FuzzAppendG17(f *testing.F) {
	f.Add(1.5)
	f.Add(1e-300)
	f.Add(1e16)
	f.Fuzz(func(t *testing.T, d float64) {
		if math.IsInf(d, 0) || math.IsNaN(d) {
			return
		}
		got := string(AppendG17(nil, d))
		// 17 significant digits always read back exactly.
		back, err := strconv.ParseFloat(got, 64)
		if err != nil || back != d {
			t.Fatalf("%v: %q reads back as %v (%v)", d, got, back, err)
		}
		// C uses the exponent form exactly when the exponent is < -4 or >= 17.
		exp := 0
		if d != 0 {
			exp, _ = strconv.Atoi(strings.SplitN(strconv.FormatFloat(d, 'e', 16, 64), "e", 2)[1])
		}
		if (exp < -4 || exp >= 17) != strings.Contains(got, "e") {
			t.Fatalf("%v (exp %d): %q", d, exp, got)
		}
		if d == math.Trunc(d) && math.Abs(d) < 1e17 && got != fmt.Sprintf("%.0f", d) {
			t.Fatalf("%v: %q", d, got)
		}
	})
}

func FuzzParseManifest(f *testing.F) {
	f.Add([]byte("file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n"))
	f.Add([]byte("# c\nfile \"a\\x00b\" seq -1 type h\n"))
	f.Add([]byte("file 'a\\'b' seq 99999999999999999999 type i extra x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseManifest(data)
		if err != nil {
			var me *ManifestError
			if !errors.As(err, &me) {
				t.Fatalf("not a ManifestError: %v", err)
			}
			return
		}
		// What we write back parses to the same manifest, unless the name cannot be
		// written so that sdssplitargs reads it back (Redis has the same limits).
		out := m.Bytes()
		m2, err := ParseManifest(out)
		if err != nil {
			return
		}
		if string(m2.Bytes()) != string(out) {
			t.Fatalf("round trip: %q -> %q", out, m2.Bytes())
		}
	})
}
