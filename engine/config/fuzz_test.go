package config

import (
	"strings"
	"testing"
)

// FuzzLoadString feeds arbitrary configuration text to the loader: it must never panic,
// and whatever loads must survive a rewrite and load back to the same values.
func FuzzLoadString(f *testing.F) {
	for _, s := range []string{
		"", "port 7000\nsave 900 1\n", "save \"\"\n", `maxmemory "1gb"`, "bind 127.0.0.1 ::1\n",
		"client-output-buffer-limit normal 0 0 0 replica 1gb 1mb 60\n", "notify-keyspace-events KEA",
		"latency-tracking-info-percentiles 50 99.9\n", "requirepass \"a\\x00b\\\"c\"\n", "dir \"abc\n",
		"shutdown-on-sigint save now\n", "oom-score-adj-values 1 2 3\n", "replicaof host 1\n", "'a'b",
		"maxmemory-clients 10%\nunixsocketperm 700\n", "proc-title-template \"{title} {{\"\n", "x.y z\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		c := New()
		c.sandbox = true
		if err := c.LoadString(text); err != nil {
			return
		}
		before := c.Get("*")
		out := c.RewriteContent(text, RewriteOptions{})
		d := New()
		d.sandbox = true
		if err := d.LoadString(out); err != nil {
			if strings.Contains(err.Error(), "maxmemory") || strings.Contains(err.Error(), "cluster-link-sendbuf-limit") {
				return // Redis itself writes huge unsigned memory values as negative numbers
			}
			t.Fatalf("rewritten text does not load: %v\n%s", err, out)
		}
		after := d.Get("*")
		if strings.Join(before, "\x00") != strings.Join(after, "\x00") {
			t.Fatalf("values changed across rewrite:\n%q\n%q\n%s", before, after, out)
		}
	})
}

func FuzzSplitArgs(f *testing.F) {
	for _, s := range []string{"", "a b", `"a\x41" 'b\'c'`, `"unterminated`, "a\x00b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		args, err := SplitArgs(s)
		if err != nil {
			return
		}
		// Quoting every argument with Repr must split back to the same arguments.
		parts := make([]string, len(args))
		for i, a := range args {
			if strings.IndexByte(a, 0) >= 0 {
				return
			}
			parts[i] = Repr(a)
		}
		again, err := SplitArgs(strings.Join(parts, " "))
		if err != nil || strings.Join(again, "\x00") != strings.Join(args, "\x00") {
			t.Fatalf("%q -> %q -> %q (%v)", s, args, again, err)
		}
	})
}

func BenchmarkGetAll(b *testing.B) {
	c := New()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_ = c.Get("*")
	}
}

func BenchmarkHotAccessor(b *testing.B) {
	c := New()
	b.ReportAllocs()
	var sum uint64
	for i := 0; i < b.N; i++ {
		sum += c.Maxmemory() + c.HashMaxListpackEntries()
	}
	_ = sum
}

func BenchmarkSet(b *testing.B) {
	c := New()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_ = c.Set("maxmemory", "1gb", "hz", "10")
	}
}

func BenchmarkLoadString(b *testing.B) {
	text := strings.Repeat("# comment line\nmaxmemory 1gb\nsave 900 1\nclient-output-buffer-limit normal 0 0 0\n", 50)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		c := New()
		c.sandbox = true
		_ = c.LoadString(text)
	}
}
