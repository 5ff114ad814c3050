// Package rdbconv converts RDB data between forms: RDB to RDB at another version or
// compression (Transcode), jsonl records to RDB (FromJSONL), and RDB keys to the Redis
// commands that rebuild them (RESPWriter).
//
// Every path streams list, set, hash and sorted-set values element by element, so memory
// does not grow with a key's size (streams and module values are the exception: they are
// read whole). This package must never drop data silently: anything the target cannot
// hold is an error or is counted in the returned Stats.
package rdbconv
