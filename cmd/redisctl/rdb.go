package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/redisctl/redisctl/internal/fsutil"
	"github.com/redisctl/redisctl/rdb"
	"github.com/spf13/cobra"
)

func newRDBCommand() *cobra.Command {
	c := &cobra.Command{
		Use:   "rdb",
		Short: "Inspect, dump, check, convert and compare RDB files",
		Long: `Work offline on RDB files written by any Redis (RDB 1 to 13) or Valkey (8, 9).
FILE may be plain, gzip or LZ4-framed, or "-" for standard input.`,
	}
	c.AddCommand(newRDBInspectCommand(), newRDBDumpCommand(), newRDBCheckCommand(),
		newRDBConvertCommand(), newRDBDiffCommand())
	return c
}

// openRDB opens an input and returns a decoder over it.
func openRDB(path string, opts *rdb.Options) (*fsutil.Input, *rdb.Decoder, error) {
	in, err := fsutil.Open(path)
	if err != nil {
		return nil, nil, err
	}
	return in, rdb.NewDecoder(in, opts), nil
}

// isDamage reports whether err says the input itself is damaged (exit 3), as opposed to
// an I/O or usage failure (exit 1).
func isDamage(err error) bool {
	return errors.Is(err, rdb.ErrCorrupt) || errors.Is(err, rdb.ErrTruncated) ||
		errors.Is(err, rdb.ErrChecksum) || errors.Is(err, rdb.ErrVersion) ||
		errors.Is(err, rdb.ErrUnsupported)
}

// decodeFailure turns a decoder error into the command's error with the right exit code.
func decodeFailure(path string, err error) error {
	if isDamage(err) {
		return withCode(exitDamaged, fmt.Errorf("%s: %w", path, err))
	}
	return fmt.Errorf("%s: %w", path, err)
}

func checkFormat(got string, allowed ...string) error {
	for _, a := range allowed {
		if got == a {
			return nil
		}
	}
	return usageError("unknown --format %q (want %s)", got, strings.Join(allowed, ", "))
}

type flushWriter interface {
	io.Writer
	Flush() error
}
