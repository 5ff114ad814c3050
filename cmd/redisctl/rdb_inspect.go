package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/olekukonko/tablewriter"
	"github.com/redisctl/redisctl/analyze"
	"github.com/spf13/cobra"
)

func newRDBInspectCommand() *cobra.Command {
	var format string
	var top int
	c := &cobra.Command{
		Use:   "inspect FILE",
		Short: "Summarise an RDB file: header, AUX fields, functions, counts by db, type and encoding, largest keys",
		Example: `  redisctl rdb inspect dump.rdb
  redisctl rdb inspect --format json --top 20 backup.rdb.gz`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format, "table", "json"); err != nil {
				return err
			}
			in, d, err := openRDB(args[0], nil)
			if err != nil {
				return err
			}
			defer in.Close()
			stop := startProgress(cmd, in, "inspecting")
			rep, derr := analyze.Inspect(d, analyze.InspectOptions{Top: top})
			stop()
			out := cmd.OutOrStdout()
			if format == "json" {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				if err := enc.Encode(rep); err != nil {
					return err
				}
			} else if err := renderInspect(out, rep); err != nil {
				return err
			}
			if derr != nil {
				return decodeFailure(args[0], derr)
			}
			return nil
		},
	}
	c.Flags().StringVar(&format, "format", "table", "output format: table or json")
	c.Flags().IntVar(&top, "top", 10, "how many of the largest keys to list")
	return c
}

func renderInspect(w io.Writer, r *analyze.InspectReport) error {
	fmt.Fprintf(w, "File: %s (RDB version %d), %d bytes, checksum %s\n", r.Magic, r.Version, r.FileBytes, r.Checksum)
	fmt.Fprintf(w, "Keys: %d (%d with a TTL), %d bytes of key records\n", r.Keys, r.Expires, r.KeyBytes)
	if len(r.Aux) > 0 {
		fmt.Fprintln(w, "\nAUX fields:")
		t := tablewriter.NewWriter(w)
		t.Header("name", "value")
		for _, a := range r.Aux {
			v := a.Value
			if a.Name == "ctime" {
				if n, err := strconv.ParseInt(v, 10, 64); err == nil {
					v += " (" + time.Unix(n, 0).UTC().Format(time.RFC3339) + ")"
				}
			}
			t.Append(a.Name, v)
		}
		if err := t.Render(); err != nil {
			return err
		}
	}
	if len(r.Functions) > 0 {
		fmt.Fprintln(w, "\nFunction libraries:")
		t := tablewriter.NewWriter(w)
		t.Header("library", "bytes")
		for _, f := range r.Functions {
			t.Append(f.Name, strconv.Itoa(f.Bytes))
		}
		if err := t.Render(); err != nil {
			return err
		}
	}
	if len(r.ModuleAux) > 0 {
		fmt.Fprintf(w, "\nModule AUX records: %v\n", r.ModuleAux)
	}
	if len(r.DBs) > 0 {
		fmt.Fprintln(w, "\nDatabases:")
		t := tablewriter.NewWriter(w)
		t.Header("db", "keys", "expires", "resizedb keys", "resizedb expires")
		for _, s := range r.DBs {
			t.Append(strconv.Itoa(s.DB), strconv.FormatInt(s.Keys, 10), strconv.FormatInt(s.Expires, 10),
				strconv.FormatInt(s.ResizeKeys, 10), strconv.FormatInt(s.ResizeExpires, 10))
		}
		if err := t.Render(); err != nil {
			return err
		}
	}
	for _, g := range []struct {
		title string
		rows  []analyze.GroupStats
	}{{"By type", r.Types}, {"By on-disk encoding", r.Encodings}} {
		if len(g.rows) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s:\n", g.title)
		t := tablewriter.NewWriter(w)
		t.Header("name", "keys", "bytes", "elements")
		for _, s := range g.rows {
			t.Append(s.Name, strconv.FormatInt(s.Keys, 10), strconv.FormatInt(s.Bytes, 10), strconv.FormatInt(s.Elements, 10))
		}
		if err := t.Render(); err != nil {
			return err
		}
	}
	if len(r.Largest) > 0 {
		fmt.Fprintln(w, "\nLargest keys:")
		t := tablewriter.NewWriter(w)
		t.Header("db", "key", "type", "encoding", "bytes", "elements", "expire")
		for _, k := range r.Largest {
			exp := "-"
			if k.ExpireMs >= 0 {
				exp = time.UnixMilli(k.ExpireMs).UTC().Format(time.RFC3339)
			}
			t.Append(strconv.Itoa(k.DB), printable(k.Key), k.Type, k.Encoding,
				strconv.FormatInt(k.Bytes, 10), strconv.FormatInt(k.Elements, 10), exp)
		}
		if err := t.Render(); err != nil {
			return err
		}
	}
	return nil
}

// printable renders a binary-safe key for a terminal, quoting it as redis-cli does when it
// holds anything but printable ASCII.
func printable(b []byte) string {
	for _, c := range b {
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return strconv.Quote(string(b))
		}
	}
	return string(b)
}
