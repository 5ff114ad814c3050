// Command redisctl is a Redis persistence and forensics toolkit built around a
// Redis-compatible engine. See `redisctl --help`.
package main

import "os"

func main() {
	os.Exit(Execute(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
