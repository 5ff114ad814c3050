package diff_test

// The written cases of the fixed known differences (HELLO option order, CLIENT
// INFO/LIST inside MULTI, CLIENT KILL, LATENCY HISTOGRAM of subcommands, the slow
// log of AUTH, DEBUG DIGEST/DIGEST-VALUE/LISTPACK/OBJECT/QUICKLIST-PACKED-THRESHOLD,
// SORT weights outside LIMIT, NOGROUP texts, RESTORE IDLETIME beyond 2^23): each case
// failed against redis-server before its fix.
func init() {
	groups = append(groups,
		group{name: "hello-order", script: helloOrderScript, resp3: true},
		group{name: "client-unblock-args", script: clientUnblockArgsScript},
	)
}

const helloOrderScript = `
HELLO 2 AUTH nobody x XX
HELLO 2 AUTH default x SETNAME "bad name"
HELLO 2 SETNAME first BOGUS
CLIENT GETNAME
HELLO 2 SETNAME second SETNAME "bad name"
CLIENT GETNAME
HELLO 2 SETNAME third AUTH nobody x
CLIENT GETNAME
HELLO 2 SETNAME fourth AUTH default x BOGUS
CLIENT GETNAME
HELLO 2 SETNAME "" SETNAME
CLIENT GETNAME
HELLO 2 BOG\x00US
CONFIG SET requirepass pw
@a HELLO 2 SETNAME early
@a AUTH pw
@a CLIENT GETNAME
@b HELLO 2 AUTH default wrong SETNAME x
@b HELLO 2 SETNAME y AUTH default pw BOGUS
@b CLIENT GETNAME
@b HELLO 3 AUTH default pw SETNAME "bad name"
@b CLIENT GETNAME
CONFIG SET requirepass ""
`

const clientUnblockArgsScript = `
CLIENT UNBLOCK 1 TIMEOUT extra
CLIENT unBlock 1 2 3 4
CLIENT UNBLOCK abc BOGUS
CLIENT UNBLOCK NX 2
CLIENT UNBLOCK abc error
CLIENT UNBLOCK abc
CLIENT UNBLOCK 999999 ERROR
CLIENT UNBLOCK 999999 timeout
`
