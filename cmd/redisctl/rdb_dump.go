package main

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"strconv"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/rdb"
	"github.com/redisctl/redisctl/rdb/rdbconv"
	"github.com/redisctl/redisctl/rdb/rdbjson"
	"github.com/spf13/cobra"
)

// keyFilter selects keys by db, glob and type.
type keyFilter struct {
	dbs   []int
	globs []string
	types []string
}

func (f *keyFilter) add(c *cobra.Command) {
	c.Flags().IntSliceVar(&f.dbs, "db", nil, "only keys of this database (repeatable)")
	c.Flags().StringArrayVar(&f.globs, "key", nil, "only keys matching this glob, Redis KEYS syntax (repeatable)")
	c.Flags().StringArrayVar(&f.types, "type", nil, "only keys of this type: string, list, set, zset, hash, stream, module (repeatable)")
}

func (f *keyFilter) validate() error {
	for _, t := range f.types {
		switch t {
		case "string", "list", "set", "zset", "hash", "stream", "module":
		default:
			return usageError("unknown --type %q", t)
		}
	}
	return nil
}

func (f *keyFilter) keep(db int, key []byte, kind rdb.ValueKind) bool {
	if len(f.dbs) > 0 {
		ok := false
		for _, d := range f.dbs {
			ok = ok || d == db
		}
		if !ok {
			return false
		}
	}
	if len(f.types) > 0 {
		ok := false
		for _, t := range f.types {
			ok = ok || t == kind.String()
		}
		if !ok {
			return false
		}
	}
	if len(f.globs) > 0 {
		ok := false
		for _, g := range f.globs {
			ok = ok || engine.Match([]byte(g), key, false)
		}
		if !ok {
			return false
		}
	}
	return true
}

// skipKey consumes the records of the current key up to RecKeyEnd.
func skipKey(d *rdb.Decoder) {
	for d.Next() {
		if d.Kind() == rdb.RecKeyEnd {
			return
		}
	}
}

func newRDBDumpCommand() *cobra.Command {
	var format string
	var f keyFilter
	c := &cobra.Command{
		Use:   "dump FILE",
		Short: "Print every key of an RDB file as jsonl, json, RESP commands or csv",
		Long: `Print one record per key, streaming: a huge key costs no more memory than a small one.

Formats:
  jsonl  one JSON object per key: {"db":0,"key":…,"type":…,"encoding":…,"expire_at_ms":…,"value":…}
  json   the same records as one JSON array
  resp   the Redis commands that rebuild the data (pipe into redis-cli --pipe)
  csv    db,key,type,encoding,elements,serialized_bytes,expire_at_ms`,
		Example: `  redisctl rdb dump dump.rdb
  redisctl rdb dump --key 'user:*' --type hash --db 0 dump.rdb
  redisctl rdb dump --format resp dump.rdb | redis-cli --pipe`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format, "jsonl", "json", "resp", "csv"); err != nil {
				return err
			}
			if err := f.validate(); err != nil {
				return err
			}
			in, d, err := openRDB(args[0], nil)
			if err != nil {
				return err
			}
			defer in.Close()
			out := bufio.NewWriterSize(cmd.OutOrStdout(), 1<<20)
			defer out.Flush()
			var derr error
			stop := startProgress(cmd, in, "dumping")
			switch format {
			case "jsonl", "json":
				derr = dumpJSON(d, out, &f, format == "json")
			case "resp":
				derr = dumpRESP(d, out, &f)
			case "csv":
				derr = dumpCSV(d, out, &f)
			}
			stop()
			if err := out.Flush(); err != nil {
				return err
			}
			if derr != nil {
				return decodeFailure(args[0], derr)
			}
			return nil
		},
	}
	c.Flags().StringVar(&format, "format", "jsonl", "jsonl, json, resp or csv")
	f.add(c)
	return c
}

func dumpJSON(d *rdb.Decoder, out *bufio.Writer, f *keyFilter, array bool) error {
	jw := rdbjson.NewWriter(out, nil)
	defer jw.Close()
	n := 0
	if array {
		out.WriteString("[")
	}
	for d.Next() {
		if d.Kind() != rdb.RecKeyBegin {
			continue
		}
		if !f.keep(d.DB(), d.Key(), d.ValueKind()) {
			skipKey(d)
			continue
		}
		if array {
			if n > 0 {
				out.WriteString(",")
			}
			out.WriteString("\n")
		}
		if array {
			if _, err := jw.WriteKeyTo(d, out, false); err != nil {
				return err
			}
		} else if _, err := jw.WriteKey(d); err != nil {
			return err
		}
		n++
	}
	if array {
		out.WriteString("\n]\n")
	}
	return d.Err()
}

func dumpRESP(d *rdb.Decoder, out *bufio.Writer, f *keyFilter) error {
	rw := rdbconv.NewRESPWriter(out)
	for d.Next() {
		if d.Kind() != rdb.RecKeyBegin {
			continue
		}
		if !f.keep(d.DB(), d.Key(), d.ValueKind()) {
			skipKey(d)
			continue
		}
		if err := rw.WriteKey(d); err != nil {
			return err
		}
	}
	if err := rw.Flush(); err != nil {
		return err
	}
	return d.Err()
}

func dumpCSV(d *rdb.Decoder, out *bufio.Writer, f *keyFilter) error {
	w := csv.NewWriter(out)
	w.Write([]string{"db", "key", "type", "encoding", "elements", "serialized_bytes", "expire_at_ms"})
	for d.Next() {
		if d.Kind() != rdb.RecKeyBegin {
			continue
		}
		db, kind, exp := d.DB(), d.ValueKind(), d.Expire()
		if !f.keep(db, d.Key(), kind) {
			skipKey(d)
			continue
		}
		key := string(d.Key())
		start := d.Offset()
		typ := kind.String()
		if kind == rdb.KindModule {
			typ = d.Module().Name
		}
		skipKey(d)
		if d.Kind() != rdb.RecKeyEnd {
			break
		}
		expS := ""
		if exp >= 0 {
			expS = strconv.FormatInt(exp, 10)
		}
		w.Write([]string{strconv.Itoa(db), key, typ, d.LoadedEncoding(),
			strconv.FormatInt(d.Len(), 10), strconv.FormatInt(d.Offset()-start, 10), expS})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return fmt.Errorf("writing csv: %w", err)
	}
	return d.Err()
}
