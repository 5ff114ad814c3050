// Command gen captures Redis's command table from the real redis-server into
// engine/cmdspec/data:
//
//	go run ./engine/cmdspec/gen            (from the module root)
//	go run ./engine/cmdspec/gen -out DIR -force
//
// It starts redis-server (PATH, or $REDISTEST_SERVER) on a free 127.0.0.1 port in a temp
// dir, asks COMMAND LIST for every top-level command, and for each asks COMMAND INFO and
// COMMAND DOCS in RESP3 (after HELLO 3) and in RESP2. Subcommands come back in the
// server's dict order, which is random per process (its hash seed is), so they are sorted
// by name before writing; everything else is the server's bytes. It checks that the RESP2
// replies are exactly the RESP3 ones converted (rawresp.ToRESP2), so storing RESP3 alone
// reproduces both protocols, then writes:
//
//	data/info.resp3  the reply to COMMAND INFO <every command, sorted> in RESP3
//	data/docs.resp3  the reply to COMMAND DOCS <every command, sorted> in RESP3
//	data/help.resp3  a RESP3 map: container name -> its reply to "<CONTAINER> HELP"
//	data/VERSION     the redis_version the data came from
//
// It refuses a server other than 7.0.x unless -force is given, and stops the server by
// its PID when done.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/redisctl/redisctl/engine/cmdspec/internal/oracle"
	"github.com/redisctl/redisctl/engine/cmdspec/internal/rawresp"
)

func main() {
	out := flag.String("out", "engine/cmdspec/data", "directory to write info.resp3, docs.resp3 and VERSION into")
	force := flag.Bool("force", false, "accept a redis-server other than 7.0.x")
	flag.Parse()
	if err := run(*out, *force); err != nil {
		fmt.Fprintln(os.Stderr, "cmdspec/gen:", err)
		os.Exit(1)
	}
}

func run(out string, force bool) error {
	tmp, err := os.MkdirTemp("", "cmdspec-gen-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	srv, err := oracle.Start(tmp)
	if err != nil {
		return err
	}
	defer srv.Stop()
	fmt.Fprintf(os.Stderr, "cmdspec/gen: redis-server pid %d on %s\n", srv.PID, srv.Addr)

	c2, err := srv.Dial()
	if err != nil {
		return err
	}
	defer c2.Close()
	c3, err := srv.Dial()
	if err != nil {
		return err
	}
	defer c3.Close()
	hello, err := c3.Do("HELLO", "3")
	if err != nil {
		return err
	}
	hv, _, err := rawresp.Parse(hello)
	if err != nil || hv.Type != '%' {
		return fmt.Errorf("HELLO 3: unexpected reply %q", hello)
	}
	version := ""
	if v := hv.MapGet("version"); v != nil {
		version = v.Text()
	}
	if !strings.HasPrefix(version, "7.0.") && !force {
		return fmt.Errorf("redis-server is %q, not 7.0.x (use -force to accept)", version)
	}

	names, err := topLevelNames(c2)
	if err != nil {
		return err
	}
	info := rawresp.AppendHeader(nil, '*', len(names))
	docs := rawresp.AppendHeader(nil, '%', len(names))
	for _, name := range names {
		i3, err := capture(c3, "INFO", name)
		if err != nil {
			return err
		}
		i2, err := capture(c2, "INFO", name)
		if err != nil {
			return err
		}
		d3, err := capture(c3, "DOCS", name)
		if err != nil {
			return err
		}
		d2, err := capture(c2, "DOCS", name)
		if err != nil {
			return err
		}
		if got := rawresp.ToRESP2(nil, &i3); !bytes.Equal(got, rawresp.Append(nil, &i2)) {
			return fmt.Errorf("COMMAND INFO %s: RESP2 reply is not the RESP3 one converted", name)
		}
		if got := rawresp.ToRESP2(nil, &d3); !bytes.Equal(got, rawresp.Append(nil, &d2)) {
			return fmt.Errorf("COMMAND DOCS %s: RESP2 reply is not the RESP3 one converted", name)
		}
		info = rawresp.Append(info, &i3.Elems[0])
		docs = rawresp.Append(docs, &d3.Elems[0])
		docs = rawresp.Append(docs, &d3.Elems[1])
	}
	help, err := captureHelp(c2, c3, names)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	files := map[string][]byte{
		"info.resp3": info,
		"docs.resp3": docs,
		"help.resp3": help,
		"VERSION":    []byte(version + "\n"),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(out, name), data, 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "cmdspec/gen: %d commands from redis %s: info %d bytes, docs %d bytes\n",
		len(names), version, len(info), len(docs))
	return nil
}

func topLevelNames(c *oracle.Conn) ([]string, error) {
	raw, err := c.Do("COMMAND", "LIST")
	if err != nil {
		return nil, err
	}
	v, _, err := rawresp.Parse(raw)
	if err != nil {
		return nil, err
	}
	if v.Type != '*' {
		return nil, fmt.Errorf("COMMAND LIST: unexpected reply %q", raw)
	}
	var names []string
	for _, e := range v.Elems {
		if !strings.Contains(e.Text(), "|") {
			names = append(names, e.Text())
		}
	}
	sort.Strings(names)
	return names, nil
}

// capture asks COMMAND what name and returns the reply with subcommands sorted by name:
// for INFO a one-element array, for DOCS a one-pair map (a flat array in RESP2).
func capture(c *oracle.Conn, what, name string) (rawresp.Value, error) {
	raw, err := c.Do("COMMAND", what, name)
	if err != nil {
		return rawresp.Value{}, err
	}
	v, rest, err := rawresp.Parse(raw)
	if err != nil {
		return rawresp.Value{}, fmt.Errorf("COMMAND %s %s: %w", what, name, err)
	}
	if len(rest) != 0 {
		return rawresp.Value{}, fmt.Errorf("COMMAND %s %s: trailing bytes", what, name)
	}
	switch what {
	case "INFO":
		if len(v.Elems) != 1 || len(v.Elems[0].Elems) != 10 {
			return rawresp.Value{}, fmt.Errorf("COMMAND INFO %s: want one 10-element entry, got %q", name, raw)
		}
		sortInfo(&v.Elems[0])
	case "DOCS":
		if len(v.Elems) != 2 || v.Elems[0].Text() != name {
			return rawresp.Value{}, fmt.Errorf("COMMAND DOCS %s: want one entry, got %q", name, raw)
		}
		if err := sortDocs(&v.Elems[1]); err != nil {
			return rawresp.Value{}, fmt.Errorf("COMMAND DOCS %s: %w", name, err)
		}
	}
	return v, nil
}

func sortInfo(entry *rawresp.Value) {
	subs := &entry.Elems[9]
	sort.SliceStable(subs.Elems, func(i, j int) bool {
		return subs.Elems[i].Elems[0].Text() < subs.Elems[j].Elems[0].Text()
	})
}

func sortDocs(doc *rawresp.Value) error {
	subs := doc.MapGet("subcommands")
	if subs == nil {
		return nil
	}
	if len(subs.Elems)%2 != 0 {
		return errors.New("odd subcommands map")
	}
	type pair struct{ k, v rawresp.Value }
	pairs := make([]pair, 0, len(subs.Elems)/2)
	for i := 0; i < len(subs.Elems); i += 2 {
		pairs = append(pairs, pair{subs.Elems[i], subs.Elems[i+1]})
	}
	sort.SliceStable(pairs, func(i, j int) bool { return pairs[i].k.Text() < pairs[j].k.Text() })
	for i, p := range pairs {
		subs.Elems[2*i], subs.Elems[2*i+1] = p.k, p.v
	}
	return nil
}

// captureHelp asks "<NAME> HELP" of every container that has a help subcommand.
func captureHelp(c2, c3 *oracle.Conn, names []string) ([]byte, error) {
	var body []byte
	n := 0
	for _, name := range names {
		raw, err := c2.Do("COMMAND", "INFO", name+"|help")
		if err != nil {
			return nil, err
		}
		if string(raw) == "*1\r\n$-1\r\n" {
			continue
		}
		r3, err := c3.Do(strings.ToUpper(name), "HELP")
		if err != nil {
			return nil, err
		}
		r2, err := c2.Do(strings.ToUpper(name), "HELP")
		if err != nil {
			return nil, err
		}
		v3, _, err := rawresp.Parse(r3)
		if err != nil {
			return nil, err
		}
		if v3.Type == '-' {
			// CLUSTER HELP without cluster mode: an error, not help.
			fmt.Fprintf(os.Stderr, "cmdspec/gen: skipping %s HELP: %s", name, r3)
			continue
		}
		if v3.Type != '*' || !bytes.Equal(rawresp.ToRESP2(nil, &v3), r2) {
			return nil, fmt.Errorf("%s HELP: unexpected reply or RESP2 differs: %q", name, r3)
		}
		body = rawresp.AppendHeader(body, '$', len(name))
		body = append(body, name...)
		body = append(body, '\r', '\n')
		body = append(body, r3...)
		n++
	}
	return append(rawresp.AppendHeader(nil, '%', n), body...), nil
}
