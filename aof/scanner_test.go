package aof

import (
	"bytes"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestScanner(t *testing.T) {
	e := NewEncoder(true)
	var b []byte
	b = e.Append(b, 0, [][]byte{[]byte("SET"), []byte("k"), []byte("v")}, 100)
	b = e.Append(b, 0, [][]byte{[]byte("INCR"), []byte("n")}, 100)
	b = e.Append(b, 3, [][]byte{[]byte("DEL"), []byte("k")}, 101)
	require.Equal(t, "#TS:100\r\n*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"+
		"*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n#TS:101\r\n*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n*2\r\n$3\r\nDEL\r\n$1\r\nk\r\n", string(b))

	sc := NewScanner("f", bytes.NewReader(b), 0)
	var cmds []string
	var ts []int64
	for sc.Next() {
		if a := sc.Annotation(); a != nil {
			v, ok := ParseTimestamp(a)
			require.True(t, ok)
			ts = append(ts, v)
			continue
		}
		cmds = append(cmds, string(bytes.Join(sc.Args(), []byte(" "))))
	}
	require.NoError(t, sc.Err())
	require.Equal(t, []string{"SELECT 0", "SET k v", "INCR n", "SELECT 3", "DEL k"}, cmds)
	require.Equal(t, []int64{100, 101}, ts)

	// A cut inside a command or an annotation is a truncation back to the end of the
	// last complete command (annotations do not count, as Redis's valid_up_to).
	last := int64(bytes.LastIndex(b, []byte("#TS:101")))
	sel := last + int64(len("#TS:101\r\n"))
	del := int64(bytes.LastIndex(b, []byte("*2\r\n$3\r\nDEL")))
	for cut := last + 1; cut < int64(len(b)); cut++ {
		want := last
		switch {
		case cut == sel || cut == del:
			continue // clean ends
		case cut > del:
			want = del
		}
		sc := NewScanner("f", bytes.NewReader(b[:cut]), 0)
		for sc.Next() {
		}
		var te *TruncatedError
		require.True(t, errors.As(sc.Err(), &te), "cut %d: %v", cut, sc.Err())
		require.Equal(t, want, te.LastGood, "cut %d", cut)
	}
	// Damage in the middle is a format error with its offset.
	bad := append([]byte(nil), b...)
	bad[13] = 'X'
	sc = NewScanner("f", bytes.NewReader(bad), 0)
	for sc.Next() {
	}
	var fe *FormatError
	require.True(t, errors.As(sc.Err(), &fe), "%v", sc.Err())
	require.Equal(t, "f", fe.File)
	require.Equal(t, int64(13), fe.Offset)
}

func FuzzScanner(f *testing.F) {
	f.Add([]byte("*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n#TS:1\r\n*1\r\n$5\r\nMULTI\r\n"))
	f.Add([]byte("*1\r\n$-1\r\n"))
	f.Add([]byte("#\n*3\r\n$3\r\nSET\r\n$1\r\nk"))
	f.Fuzz(func(t *testing.T, data []byte) {
		sc := NewScanner("f", bytes.NewReader(data), 0)
		prev := int64(0)
		for sc.Next() {
			if sc.Offset() < prev || sc.End() > int64(len(data)) {
				t.Fatalf("offsets %d..%d after %d (len %d)", sc.Offset(), sc.End(), prev, len(data))
			}
			prev = sc.End()
		}
		var te *TruncatedError
		if errors.As(sc.Err(), &te) && (te.LastGood > int64(len(data)) || te.LastGood > prev) {
			t.Fatalf("last good %d beyond %d", te.LastGood, prev)
		}
	})
}
