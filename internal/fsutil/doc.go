// Package fsutil is the one place where redisctl opens its inputs and writes its outputs.
//
// Every command that reads a file goes through Open, so every command accepts the same
// things: a plain file, a gzip or LZ4-framed file (detected by magic bytes, never by name),
// or "-" for standard input. Every file the toolkit writes goes through AtomicFile: a
// temporary name in the target's directory, fsync, rename over the target, fsync of the
// directory, so a crash leaves either the old file or the new one, never a mix.
//
// This package must never interpret what it reads (that is the codecs' job), never buffer a
// whole input in memory, and never leave a temporary file behind on failure.
package fsutil
