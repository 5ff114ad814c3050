// Package rdbjson converts between RDB key records and redisctl's JSON record format, one
// JSON object per line (jsonl):
//
//	{"db":0,"key":"k","type":"hash","encoding":"listpack","expire_at_ms":null,"value":...}
//
// A byte string is a JSON string when it is valid UTF-8 and {"hex":"…"} otherwise. type is
// what Redis's TYPE says, encoding what OBJECT ENCODING says in Redis 7.0 right after
// loading the file with default settings. Values: a string; a list as an array head to
// tail; a set as an array; a hash as an array of [field, value] (with the field's expiry in
// ms as a third element when it has one); a zset as an array of [member, score] in
// ascending score order, the score as Redis replies it ("0.10000000000000001", "inf");
// a stream as an object named after XINFO STREAM … FULL (length, last_generated_id,
// max_deleted_entry_id, entries_added, recorded_first_entry_id, entries, groups).
//
// Writer streams: it never holds more than a bounded buffer of one value (big values spill
// to a temporary file), so a 1 GB list costs what a 1 KB one does. Reader parses jsonl back
// into keys for the RDB encoder, also element by element.
//
// This package must never change what it reads or writes beyond the format's rules, and
// never hold a whole file in memory.
package rdbjson
