// Package tstring implements Redis's string type: the int, embstr and raw encodings with
// Redis's rules for choosing them (tryObjectEncoding), and the string commands of Redis 7.0
// (GET, SET and its options, the INCR family, APPEND, SETRANGE, GETRANGE, MGET/MSET, …).
//
// It must never keep a reference to a request argument (values are copied into the
// keyspace) and never reply with anything but Redis's exact replies and error texts.
package tstring
