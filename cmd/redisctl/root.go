package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
)

// Exit codes, as documented in the README and DESIGN.md.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
	exitDamaged = 3 // the input is damaged, or a CI threshold was crossed
)

// exitError carries a specific exit code out of a command. A nil Err with a code means
// "exit with this code, the command already said why".
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// withCode wraps err so that the process exits with code.
func withCode(code int, err error) error { return &exitError{code: code, err: err} }

// usageError marks a bad invocation (exit 2).
func usageError(format string, a ...any) error {
	return withCode(exitUsage, fmt.Errorf(format, a...))
}

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// newRootCommand builds the whole command tree. Tests drive it with SetArgs/SetOut.
func newRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "redisctl",
		Short: "Redis persistence and forensics toolkit",
		Long: `redisctl reads, checks, converts and compares Redis's own files (RDB snapshots,
DUMP payloads), with a Redis-compatible engine at its core.

Inputs may be plain, gzip or LZ4-framed (detected by magic bytes); "-" reads standard input.
Results go to stdout; progress, warnings and logs to stderr.

Exit codes: 0 success, 1 failure, 2 usage error, 3 damaged input or threshold crossed.`,
		Version:       version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return withCode(exitUsage, err)
	})
	addCommands(root)
	return root
}

// Execute runs the CLI with the given arguments and streams and returns the exit code.
func Execute(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRootCommand()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.Execute()
	if err == nil {
		return exitOK
	}
	code := exitFailure
	var ee *exitError
	if errors.As(err, &ee) {
		code = ee.code
	} else if isCobraUsageError(err) {
		code = exitUsage
	}
	if msg := err.Error(); !(ee != nil && ee.err == nil) && msg != "" {
		fmt.Fprintf(stderr, "redisctl: %s\n", msg)
	}
	return code
}

// isCobraUsageError recognises the argument errors cobra produces itself.
func isCobraUsageError(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag",
		"accepts ", "requires at least", "requires at most", "invalid argument",
		"flag needs an argument", "received "} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}
