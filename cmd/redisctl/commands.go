package main

import "github.com/spf13/cobra"

// addCommands registers every top-level command. Only finished commands are listed here.
func addCommands(root *cobra.Command) {
	root.AddCommand(newRDBCommand())
	root.AddCommand(newServeCommand())
}
