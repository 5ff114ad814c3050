// Package redistest runs real Redis as the oracle for tests, and reads a
// live dataset back in the canonical record form the fixtures use.
//
// What it provides:
//
//   - Start(t, opts...) starts the installed redis-server on a free
//     127.0.0.1 port picked at run time, in its own t.TempDir, with
//     --save "" and --appendonly no, waits (bounded, 10 s by default) for
//     PONG, and stops it by PID at cleanup (SHUTDOWN NOSAVE, SIGTERM,
//     SIGKILL, each after a bounded wait) and reaps it. StartBinary does
//     the same for any RESP server binary, e.g. `redisctl serve`.
//   - When redis-server is not installed the test is skipped and says so;
//     under CI=true it fails instead (CI must install Redis 7.0).
//   - CheckRDB and CheckAOF run redis-check-rdb and redis-check-aof.
//   - Snapshot dumps the whole dataset of a live server (Redis or ours)
//     as sorted canonical Records, asking only over the protocol; the
//     fixtures' expected .jsonl files are written by it, and interop tests
//     compare with it. Record, ReadRecords, WriteRecords and FormatScore
//     let a decoder produce the same form.
//   - Launch, LaunchRedis and Process are the same machinery without
//     testing.TB, for generators such as fixtures/gen.
//
// What it must never do: touch a process it did not start (it stops only
// its own PIDs, never by name), bind anything but loopback, wait without
// a bound, or build expectations with any decoder of this project: the
// expectations come from what Redis itself replies.
//
// It is imported by tests and by fixtures/gen only, never by the product.
package redistest
