// Package cmdspec is Redis 7.0's command table as data (STYLE.md practice 15): for every
// command and subcommand, what COMMAND INFO says (arity, flags, legacy key range, ACL
// categories, tips, key specs, subcommands) and what COMMAND DOCS says (summary, since,
// group, complexity, doc flags, deprecation, history, the argument tree), parsed into
// Spec values, plus the logic the engine and the server need from it:
//
//   - Table.Lookup / LookupSub / LookupArgv / LookupFull: case-insensitive lookups that do
//     not allocate;
//   - Table.Resolve: command lookup and arity check with Redis's exact error texts
//     ("ERR unknown command 'foo', with args beginning with: 'a' ", "ERR unknown
//     subcommand 'x'. Try CONFIG HELP.", "ERR wrong number of arguments for 'config|get'
//     command");
//   - Spec.AppendKeys, GetKeys, GetKeysAndFlags: key positions from the key specs (index
//     or keyword, then range or keynum), falling back to Redis's per-command extractors
//     for movable or variable keys (EVAL, ZUNIONSTORE, SORT ... STORE, MIGRATE ... KEYS,
//     XREAD ... STREAMS, GEORADIUS ... STORE, LMPOP/ZMPOP/BLMPOP/BZMPOP, SET ... GET,
//     BITFIELD), with COMMAND GETKEYS's errors;
//   - AppendInfo, AppendDocs, AppendHelp and Table.Command: the replies of COMMAND,
//     COMMAND INFO/DOCS/COUNT/LIST [FILTERBY ...]/GETKEYS/GETKEYSANDFLAGS/HELP in RESP2 or
//     RESP3, appended to a []byte the server writes as is.
//
// # Where the data comes from
//
// data/info.resp3 and data/docs.resp3 are the real redis-server 7.0.15's replies to
// COMMAND INFO and COMMAND DOCS for every command, in RESP3, with subcommands sorted by
// name (the server lists them in random dict order); data/help.resp3 holds the replies to
// "<CONTAINER> HELP". They are embedded with go:embed and parsed once, on first use of
// Full. The renderers copy the captured bytes (converted to RESP2 when asked, a
// conversion the generator proves exact), so the replies are byte-identical to Redis's.
// Regenerate with the real server installed:
//
//	go run ./engine/cmdspec/gen
//
// The differential test (oracle_test.go) compares every reply with a live
// redis-server; it skips without one, unless CI=true.
//
// # Full table and the implemented table
//
// Full() is all of Redis 7.0 (240 commands, no module commands). An engine that does not
// implement everything builds its own table with Full().Restrict(names): "get" keeps a
// command and all its subcommands, "config|get" keeps a container with only the named
// subcommands. COMMAND COUNT/LIST/INFO/DOCS and the unknown-command errors of the
// restricted table then describe what the engine really serves.
//
// # What it must never do
//
//   - depend on anything of the project but its own internal packages (it is a leaf under
//     engine), touch a socket or a file at run time, or modify a Spec after Full built it;
//   - allocate on Lookup, LookupSub, LookupArgv, LookupFull, or on AppendKeys with room in dst;
//   - panic on any argv: every index it reads is checked against len(argv).
//
// Differences from Redis that are on purpose: lists Redis takes from its command dict
// (COMMAND, COMMAND LIST, the full COMMAND INFO/DOCS, and subcommands) are sorted by name
// here, where Redis's order is random per process; no client can depend on it.
package cmdspec
