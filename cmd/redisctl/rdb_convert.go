package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/redisctl/redisctl/internal/fsutil"
	"github.com/redisctl/redisctl/rdb"
	"github.com/redisctl/redisctl/rdb/rdbconv"
	"github.com/spf13/cobra"
)

func newRDBConvertCommand() *cobra.Command {
	var version int
	var compress, from string
	c := &cobra.Command{
		Use:   "convert IN OUT",
		Short: "Re-encode an RDB file (version, compression) or build one from a jsonl dump",
		Long: `Write OUT (atomically; "-" for standard output) from IN, which is an RDB file or, when
it ends in .jsonl or --from jsonl is given, the output of "redisctl rdb dump". Values are
encoded as Redis of the target version would encode them (listpack/ziplist/intset by the
same thresholds, LZF for strings over 20 bytes when it saves space, CRC-64 trailer), so
dump → edit → convert round-trips.`,
		Example: `  redisctl rdb convert --rdb-version 9 dump.rdb dump-v9.rdb
  redisctl rdb dump dump.rdb > keys.jsonl && redisctl rdb convert keys.jsonl rebuilt.rdb`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(compress, "lzf", "none"); err != nil {
				return err
			}
			if from == "" {
				from = "rdb"
				if strings.HasSuffix(args[0], ".jsonl") || strings.HasSuffix(args[0], ".jsonl.gz") {
					from = "jsonl"
				}
			}
			if err := checkFormat(from, "rdb", "jsonl"); err != nil {
				return err
			}
			if version != 0 && (version < rdb.MinWriteVersion || version > rdb.MaxWriteVersion) {
				return usageError("--rdb-version must be between %d and %d", rdb.MinWriteVersion, rdb.MaxWriteVersion)
			}
			in, err := fsutil.Open(args[0])
			if err != nil {
				return err
			}
			defer in.Close()
			cfg := rdb.DefaultConfig()
			cfg.RDBCompression = compress == "lzf"

			var out io.Writer
			var commit func() error
			abort := func() {}
			if args[1] == "-" {
				bw := bufio.NewWriterSize(cmd.OutOrStdout(), 1<<20)
				out, commit = bw, bw.Flush
			} else {
				af, err := fsutil.CreateAtomic(args[1])
				if err != nil {
					return err
				}
				out, commit, abort = af, af.Commit, af.Abort
			}
			enc, err := rdb.NewEncoder(out, &rdb.EncoderOptions{Version: version, Config: &cfg})
			if err != nil {
				abort()
				return usageError("%v", err)
			}
			var st rdbconv.Stats
			stop := startProgress(cmd, in, "converting")
			defer stop()
			if from == "jsonl" {
				st, err = rdbconv.FromJSONL(in, enc)
			} else {
				st, err = rdbconv.Transcode(rdb.NewDecoder(in, nil), enc)
			}
			if err != nil {
				abort()
				var de *rdb.Error
				if errors.As(err, &de) {
					return withCode(exitDamaged, fmt.Errorf("%s: %w", args[0], err))
				}
				if from == "jsonl" && !errors.Is(err, rdb.ErrUnsupported) && !errors.Is(err, rdb.ErrVersion) {
					return withCode(exitDamaged, fmt.Errorf("%s: %w", args[0], err))
				}
				return fmt.Errorf("%s: %w", args[0], err)
			}
			if err := commit(); err != nil {
				return err
			}
			if st.DroppedFunctions > 0 {
				fmt.Fprintf(cmd.ErrOrStderr(), "warning: %d function libraries dropped: RDB version %d cannot hold functions\n",
					st.DroppedFunctions, enc.Version())
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "wrote %d keys to %s (RDB version %d)\n", st.Keys, args[1], enc.Version())
			return nil
		},
	}
	c.Flags().IntVar(&version, "rdb-version", 0, fmt.Sprintf("target RDB version %d..%d (default %d, what Redis 7.0 writes)", rdb.MinWriteVersion, rdb.MaxWriteVersion, rdb.DefaultVersion))
	c.Flags().StringVar(&compress, "compress", "lzf", "string compression: lzf or none")
	c.Flags().StringVar(&from, "from", "", "input format: rdb or jsonl (default: by IN's name)")
	return c
}
