package main

import (
	"os"
	"time"

	"github.com/redisctl/redisctl/internal/fsutil"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// startProgress shows a progress bar on standard error while in is read, when standard
// error is a terminal and the input's size is known; piped or redirected runs stay quiet.
// The returned function stops and clears the bar.
func startProgress(cmd *cobra.Command, in *fsutil.Input, label string) func() {
	if in.Size <= 0 || cmd.ErrOrStderr() != os.Stderr || !term.IsTerminal(int(os.Stderr.Fd())) {
		return func() {}
	}
	bar := progressbar.NewOptions64(in.Size,
		progressbar.OptionSetWriter(os.Stderr),
		progressbar.OptionSetDescription(label),
		progressbar.OptionShowBytes(true),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				_ = bar.Set64(in.RawOffset())
			}
		}
	}()
	return func() {
		close(done)
		<-stopped
		_ = bar.Finish()
		_ = bar.Clear()
	}
}
