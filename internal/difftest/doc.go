// Package difftest is the differential acceptance harness of redisctl serve: it drives a
// real redis-server 7.0.15 and a redisctl serve with identical command sequences over
// raw RESP connections, in RESP2 and RESP3, and requires identical replies.
//
// What it provides:
//
//   - Conn: a raw RESP connection (commands out as multibulks or raw bytes, replies in
//     as resp.Values), every read bounded by a timeout.
//   - Pair and Link: the same client connected to both servers; Pair.Do sends one
//     command to both, tracks the connection state a reply depends on (db, protocol,
//     MULTI, subscriptions) and compares the replies by the command's Rule.
//   - Rules: every way a reply may legitimately differ (dict order, random picks,
//     wall-clock values, client ids, INFO measurements, the restricted COMMAND table),
//     each written down with its reason; everything else is compared exactly, errors
//     always. Some rules probe both servers (OBJECT ENCODING before accepting another
//     order, SMISMEMBER after a random pick, following SCAN cursors to the end).
//   - Pair.Run: written scripts (one command per line, several named clients, READ of
//     pub/sub messages); Pair.RawCase: protocol-level cases (inline commands, protocol
//     errors, whether the server closes the connection).
//   - Gen and RandomRun: seeded random invocations of every implemented command built
//     from COMMAND DOCS's argument trees over a small key and value space, with
//     mutations for the error paths, MULTI blocks, dataset checkpoints, resyncs after a
//     difference, and reproductions minimized by replaying on fresh servers.
//   - Coverage: per command, how many written and random invocations ran and how they
//     ended; the report lists the rules, the exclusions and the known differences.
//   - KnownDiff: a difference found in code the harness does not own, accepted by name
//     and argument pattern with its reason, counted apart from passes.
//   - Start, StartPair, StartFresh, Build: the servers (redistest's processes: free
//     loopback ports, own temp dirs, bounded waits, stopped by PID).
//
// What it must never do: hide a difference without a written rule or a named known
// difference; send a command to one server only, except where a rule says so (the
// cursor-following of scan-iteration, which pads the other side with the same number of
// calls); wait without a bound; touch a process it did not start; or build an
// expectation from redisctl's own code — the oracle is what Redis replies.
//
// It is imported by tests only (test/diff).
package difftest
