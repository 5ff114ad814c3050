package difftest

import (
	"sort"
	"strconv"
	"strings"

	"github.com/redisctl/redisctl/resp"
)

// Canon renders a reply as an unambiguous one-line string: type byte, then length and
// bytes or children, so that two replies are equal exactly when their Canon strings
// are. Attributes come first in "|{...}". It is the form multiset comparisons sort.
func Canon(v resp.Value) string {
	var b strings.Builder
	appendCanon(&b, v)
	return b.String()
}

func appendCanon(b *strings.Builder, v resp.Value) {
	if len(v.Attrs) > 0 {
		b.WriteString("|{")
		for _, a := range v.Attrs {
			appendCanon(b, a)
			b.WriteByte(' ')
		}
		b.WriteString("}")
	}
	b.WriteByte(byte(v.Type))
	if v.Null {
		b.WriteString("nil")
		return
	}
	switch v.Type {
	case resp.TypeInteger:
		b.WriteString(strconv.FormatInt(v.Int, 10))
	case resp.TypeBoolean:
		b.WriteString(strconv.FormatBool(v.Bool))
	case resp.TypeNull:
	case resp.TypeArray, resp.TypeSet, resp.TypeMap, resp.TypePush, resp.TypeAttribute:
		b.WriteString(strconv.Itoa(len(v.Elems)))
		b.WriteByte('[')
		for i, e := range v.Elems {
			if i > 0 {
				b.WriteByte(' ')
			}
			appendCanon(b, e)
		}
		b.WriteByte(']')
	default:
		if v.Format != "" {
			b.WriteString(v.Format)
			b.WriteByte(':')
		}
		b.WriteString(strconv.Quote(string(v.Str)))
	}
}

// Show renders a reply for a failure message: redis-cli's rendering on one line.
func Show(v resp.Value) string {
	s := v.String()
	if len(v.Attrs) > 0 {
		s = "(attr " + Canon(resp.Value{Type: resp.TypeArray, Elems: v.Attrs}) + ") " + s
	}
	s = strings.ReplaceAll(s, "\n", " | ")
	const max = 600
	if len(s) > max {
		s = s[:max] + "... (" + strconv.Itoa(len(s)) + " chars)"
	}
	return s
}

// ShowArgs renders a command as a redis-cli line, quoting what needs it.
func ShowArgs(args [][]byte) string {
	var b strings.Builder
	for i, a := range args {
		if i > 0 {
			b.WriteByte(' ')
		}
		if needsQuote(a) {
			b.Write(resp.AppendRepr(nil, a))
		} else {
			b.Write(a)
		}
	}
	s := b.String()
	const max = 400
	if len(s) > max {
		s = s[:max] + "... (" + strconv.Itoa(len(args)) + " args)"
	}
	return s
}

func needsQuote(a []byte) bool {
	if len(a) == 0 {
		return true
	}
	for _, c := range a {
		if c <= ' ' || c >= 0x7f || c == '"' || c == '\'' || c == '\\' {
			return true
		}
	}
	return false
}

// sortedCanon returns the Canon strings of elems, sorted.
func sortedCanon(elems []resp.Value) []string {
	out := make([]string, len(elems))
	for i, e := range elems {
		out[i] = Canon(e)
	}
	sort.Strings(out)
	return out
}

// pairCanon returns "key => value" Canon strings of a flat pair list, sorted.
func pairCanon(elems []resp.Value) ([]string, bool) {
	if len(elems)%2 != 0 {
		return nil, false
	}
	out := make([]string, 0, len(elems)/2)
	for i := 0; i < len(elems); i += 2 {
		out = append(out, Canon(elems[i])+" => "+Canon(elems[i+1]))
	}
	sort.Strings(out)
	return out, true
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func isAggregate(v resp.Value) bool {
	switch v.Type {
	case resp.TypeArray, resp.TypeSet, resp.TypeMap, resp.TypePush:
		return !v.Null
	}
	return false
}
