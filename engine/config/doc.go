// Package config is Redis 7.0's configuration system, to the letter: the table of every
// directive redis-server 7.0.15 knows (names, aliases, types, flags, bounds, enum values,
// defaults), the redis.conf line grammar (sdssplitargs quoting, include, multi-argument
// directives, the "*** FATAL CONFIG FILE ERROR ***" report), redis-server's command-line
// options, CONFIG GET (glob patterns, values formatted as Redis formats them), CONFIG SET
// (several pairs applied atomically, validation, rollback, apply callbacks, Redis's exact
// error texts) and CONFIG REWRITE (Redis's in-place rewrite algorithm, written atomically).
//
// It imports nothing of the project. The hot values the engine and server read on every
// command (maxmemory, encoding thresholds, hz, ...) are kept in atomics and can be read
// without a lock; CONFIG SET is serialized by a mutex.
//
// What it must never do: touch a socket; act on a value (binding ports, chdir, eviction,
// resizing the backlog are the server's job, done in apply callbacks registered with
// OnApply); touch a file other than the configuration files it is asked to read or rewrite,
// the logfile open-test Redis performs at load time, and a stat of a new `dir`; panic or
// allocate without bound on a damaged configuration file.
package config
