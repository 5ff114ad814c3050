// Package tscript is Redis 7.0's scripting on the engine: EVAL, EVALSHA, EVAL_RO,
// EVALSHA_RO, SCRIPT …, FUNCTION …, FCALL and FCALL_RO, running Lua 5.1 scripts on
// gopher-lua with Redis's sandbox and "redis" library (call, pcall, error_reply,
// status_reply, sha1hex, log, setresp, set_repl, replicate_commands, breakpoint, debug,
// register_function), the cjson, cmsgpack, bit and struct libraries, and the exact reply
// conversions of Redis 7.0 in both directions for RESP2 and RESP3.
//
// Execution model: a script runs inside the command that started it, under the engine
// lock, so it is atomic. Commands called from a script go through engine.Call on a fake
// client (engine.ClientScript) whose replies are parsed back into Lua values; what they
// propagate joins the script's propagation unit, which the engine wraps in MULTI/EXEC.
// While a script runs past busy-reply-threshold, the server answers other clients BUSY
// without taking the engine lock (Scripting.Busy, Scripting.Kill are lock-free), and
// SCRIPT KILL / FUNCTION KILL stop the script through a context the Lua VM checks.
//
// Hot path (EVALSHA of a short script): the run state, the command each redis.call name
// resolves to and the last script found are reused; an EVAL script that cannot keep a
// reference past its run reuses its KEYS/ARGV tables and, when it assigns no global,
// reads globals from the real table instead of the write-protected proxy (reuse.go);
// Lua strings made from bytes take one allocation (lstring.go).
//
// Function libraries are part of the dataset: Scripting implements engine.FunctionStore,
// and FUNCTION DUMP / RESTORE payloads are Redis 7.0's bytes (FUNCTION2 records, RDB
// version, CRC-64).
//
// This package must never block while holding the engine lock beyond the script's own run
// time, never let a script reach the file system, the OS or the network, and never keep a
// reference to request argument bytes after the command returns.
package tscript
