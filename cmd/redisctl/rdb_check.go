package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/redisctl/redisctl/analyze"
	"github.com/redisctl/redisctl/rdb"
	"github.com/spf13/cobra"
)

func newRDBCheckCommand() *cobra.Command {
	var partial, noChecksum bool
	var format string
	c := &cobra.Command{
		Use:   "check FILE",
		Short: "Validate an RDB file completely, containers included; exit 3 when it is damaged",
		Long: `Validate every record of an RDB file: lengths, strings, LZF data, every listpack,
ziplist, intset and zipmap entry, stream structures, module opcodes and the CRC-64 trailer.

Exit status: 0 sound, 3 damaged (the offset, db, key and reason are printed), 1 on other
errors. With --partial every key read before the damage is listed (db, type, key).`,
		Example: `  redisctl rdb check dump.rdb
  redisctl rdb check --partial --format json broken.rdb`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format, "text", "json"); err != nil {
				return err
			}
			in, d, err := openRDB(args[0], &rdb.Options{Deep: true, SkipChecksum: noChecksum})
			if err != nil {
				return err
			}
			defer in.Close()
			out := bufio.NewWriter(cmd.OutOrStdout())
			defer out.Flush()
			var keys []analyze.KeyStat
			stop := startProgress(cmd, in, "checking")
			rep, derr := analyze.Check(d, func(k analyze.KeyStat) {
				if partial {
					if format == "text" {
						fmt.Fprintf(out, "db=%d type=%s key=%s\n", k.DB, k.Type, printable(k.Key))
					} else {
						keys = append(keys, k)
					}
				}
			})
			stop()
			if format == "json" {
				type damage struct {
					Offset int64  `json:"offset"`
					DB     int    `json:"db"`
					Key    any    `json:"key"`
					Reason string `json:"reason"`
				}
				res := struct {
					File   string            `json:"file"`
					Sound  bool              `json:"sound"`
					Report *analyze.CheckRep `json:"report"`
					Damage *damage           `json:"damage,omitempty"`
					Keys   []analyze.KeyStat `json:"keys_read,omitempty"`
				}{File: args[0], Sound: derr == nil, Report: rep, Keys: keys}
				var re *rdb.Error
				if errors.As(derr, &re) {
					res.Damage = &damage{Offset: re.Offset, DB: re.DB, Key: analyze.Bytes(re.Key), Reason: re.Error()}
				} else if derr != nil {
					res.Damage = &damage{Offset: -1, DB: -1, Reason: derr.Error()}
				}
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				if err := enc.Encode(res); err != nil {
					return err
				}
			} else {
				fmt.Fprintf(out, "%s: %s (RDB version %d), %d keys in %d databases, %d bytes read, checksum %s\n",
					args[0], rep.Magic, rep.Version, rep.Keys, rep.DBs, rep.Bytes, rep.Checksum)
				if derr == nil {
					fmt.Fprintln(out, "RDB looks OK")
				} else {
					var re *rdb.Error
					if errors.As(derr, &re) {
						key := "-"
						if re.Key != nil {
							key = printable(re.Key)
						}
						fmt.Fprintf(out, "DAMAGED at offset %d (db %s, key %s): %v\n", re.Offset, dbText(re.DB), key, derr)
					} else {
						fmt.Fprintf(out, "FAILED: %v\n", derr)
					}
					fmt.Fprintf(out, "%d keys were read before the damage\n", rep.Keys)
				}
			}
			if err := out.Flush(); err != nil {
				return err
			}
			if derr != nil {
				if isDamage(derr) {
					return withCode(exitDamaged, nil)
				}
				return fmt.Errorf("%s: %w", args[0], derr)
			}
			return nil
		},
	}
	c.Flags().BoolVar(&partial, "partial", false, "list every key read before the damage")
	c.Flags().BoolVar(&noChecksum, "ignore-checksum", false, "do not compare the CRC-64 trailer")
	c.Flags().StringVar(&format, "format", "text", "text or json")
	return c
}

func dbText(db int) string {
	if db < 0 {
		return "-"
	}
	return strconv.Itoa(db)
}
