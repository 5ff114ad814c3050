package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"time"

	"github.com/redisctl/redisctl/analyze"
	"github.com/spf13/cobra"
)

func newRDBDiffCommand() *cobra.Command {
	var format string
	c := &cobra.Command{
		Use:   "diff A B",
		Short: "Compare two RDB files key by key: added, removed and changed keys (type, value, TTL)",
		Long: `Compare two RDB files in bounded memory (keys are digested into hash partitions on
disk first). Sets, hashes and sorted sets compare by content, whatever their encoding or
order in the file. Exit status: 0 when equal, 1 when different, 3 when a file is damaged.`,
		Example: `  redisctl rdb diff yesterday.rdb today.rdb
  redisctl rdb diff --format jsonl a.rdb b.rdb.gz | jq .`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format, "text", "jsonl"); err != nil {
				return err
			}
			ina, da, err := openRDB(args[0], nil)
			if err != nil {
				return err
			}
			defer ina.Close()
			inb, db, err := openRDB(args[1], nil)
			if err != nil {
				return err
			}
			defer inb.Close()
			parts := 64
			if ina.Size > 0 {
				parts = int(min(4096, max(64, ina.Size/(16<<20))))
			}
			out := bufio.NewWriter(cmd.OutOrStdout())
			defer out.Flush()
			enc := json.NewEncoder(out)
			sum, err := analyze.Diff(da, db, analyze.DiffOptions{Partitions: parts}, func(d analyze.KeyDiff) error {
				if format == "jsonl" {
					return enc.Encode(d)
				}
				switch d.Change {
				case analyze.Added:
					fmt.Fprintf(out, "+ db=%d %s (%s)\n", d.DB, printable(d.Key), d.TypeB)
				case analyze.Removed:
					fmt.Fprintf(out, "- db=%d %s (%s)\n", d.DB, printable(d.Key), d.TypeA)
				case analyze.Changed:
					what := ""
					if d.TypeA != d.TypeB {
						what += fmt.Sprintf(" type %s -> %s", d.TypeA, d.TypeB)
					} else if d.ValueChanged {
						what += " value"
					}
					if d.ExpireA != d.ExpireB {
						what += fmt.Sprintf(" ttl %s -> %s", expText(d.ExpireA), expText(d.ExpireB))
					}
					fmt.Fprintf(out, "~ db=%d %s:%s\n", d.DB, printable(d.Key), what)
				}
				return nil
			})
			if err != nil {
				out.Flush()
				return decodeFailure(args[0]+" / "+args[1], err)
			}
			if format == "text" {
				fmt.Fprintf(out, "%d keys in A, %d in B: %d added, %d removed, %d changed, %d equal\n",
					sum.KeysA, sum.KeysB, sum.Added, sum.Removed, sum.Changed, sum.Same)
			}
			if err := out.Flush(); err != nil {
				return err
			}
			if sum.Added+sum.Removed+sum.Changed > 0 {
				return withCode(exitFailure, nil)
			}
			return nil
		},
	}
	c.Flags().StringVar(&format, "format", "text", "text or jsonl")
	return c
}

func expText(ms int64) string {
	if ms < 0 {
		return "none"
	}
	return time.UnixMilli(ms).UTC().Format(time.RFC3339Nano)
}
