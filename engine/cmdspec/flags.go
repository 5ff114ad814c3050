package cmdspec

import "strings"

// Flag is a command flag as COMMAND INFO names it, as a bit for hot checks (the engine
// tests Spec.Flags&FlagWrite, not the strings). The bit values are ours, not Redis's
// CMD_* values, and never leave the process. When adding one, add its name to flagNames.
type Flag uint64

const (
	FlagWrite Flag = 1 << iota
	FlagReadonly
	FlagDenyOOM
	FlagModule
	FlagAdmin
	FlagPubSub
	FlagNoScript
	FlagBlocking
	FlagLoading
	FlagStale
	FlagSkipMonitor
	FlagSkipSlowlog
	FlagAsking
	FlagFast
	FlagNoAuth
	FlagMayReplicate
	FlagNoMandatoryKeys
	FlagNoMulti
	FlagMovableKeys
	FlagAllowBusy
	FlagNoAsyncLoading
	FlagModuleNoCluster
)

var flagNames = [...]string{
	"write", "readonly", "denyoom", "module", "admin", "pubsub", "noscript", "blocking",
	"loading", "stale", "skip_monitor", "skip_slowlog", "asking", "fast", "no_auth",
	"may_replicate", "no_mandatory_keys", "no_multi", "movablekeys", "allow_busy",
	"no_async_loading", "module_no_cluster",
}

// String lists the set flags by their COMMAND INFO names, space-separated.
func (f Flag) String() string { return bitNames(uint64(f), flagNames[:]) }

// ParseFlag returns the bit of a COMMAND INFO flag name, or 0.
func ParseFlag(name string) Flag { return Flag(bitOf(name, flagNames[:], false)) }

// ACLCat is an ACL category as a bit. The names are those of COMMAND INFO without the
// leading '@' (and of ACL CAT), compared case-insensitively as Redis does.
type ACLCat uint64

const (
	ACLKeyspace ACLCat = 1 << iota
	ACLRead
	ACLWrite
	ACLSet
	ACLSortedSet
	ACLList
	ACLHash
	ACLString
	ACLBitmap
	ACLHyperLogLog
	ACLGeo
	ACLStream
	ACLPubSub
	ACLAdmin
	ACLFast
	ACLSlow
	ACLBlocking
	ACLDangerous
	ACLConnection
	ACLTransaction
	ACLScripting
)

// aclCatNames is in the order of Redis 7.0's ACLCommandCategories (what ACL CAT lists).
var aclCatNames = [...]string{
	"keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap",
	"hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow", "blocking",
	"dangerous", "connection", "transaction", "scripting",
}

// ACLCategoryNames returns the category names in Redis's order (as ACL CAT lists them).
func ACLCategoryNames() []string { return append([]string(nil), aclCatNames[:]...) }

// String lists the categories, space-separated, without '@'.
func (c ACLCat) String() string { return bitNames(uint64(c), aclCatNames[:]) }

// ParseACLCat returns the bit of a category name (without '@', any case), or 0.
func ParseACLCat(name string) ACLCat { return ACLCat(bitOf(name, aclCatNames[:], true)) }

// KeyFlag is a key-spec flag (COMMAND INFO "flags" inside a key spec, and what COMMAND
// GETKEYSANDFLAGS returns), as a bit.
type KeyFlag uint32

const (
	KeyRO KeyFlag = 1 << iota
	KeyRW
	KeyOW
	KeyRM
	KeyAccess
	KeyUpdate
	KeyInsert
	KeyDelete
	KeyNotKey
	KeyIncomplete
	KeyVariableFlags
)

// keyFlagNames is in Redis's output order (addReplyFlagsForKeyArgs).
var keyFlagNames = [...]string{
	"RO", "RW", "OW", "RM", "access", "update", "insert", "delete", "not_key",
	"incomplete", "variable_flags",
}

// String lists the set flags by name, space-separated.
func (f KeyFlag) String() string { return bitNames(uint64(f), keyFlagNames[:]) }

// Names returns the set flags by name in Redis's order.
func (f KeyFlag) Names() []string {
	var out []string
	for i, n := range keyFlagNames {
		if f&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	return out
}

// ParseKeyFlag returns the bit of a key-spec flag name, or 0.
func ParseKeyFlag(name string) KeyFlag { return KeyFlag(bitOf(name, keyFlagNames[:], false)) }

func bitNames(v uint64, names []string) string {
	var b strings.Builder
	for i, n := range names {
		if v&(1<<i) != 0 {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(n)
		}
	}
	return b.String()
}

func bitOf(name string, names []string, fold bool) uint64 {
	for i, n := range names {
		if n == name || (fold && strings.EqualFold(n, name)) {
			return 1 << i
		}
	}
	return 0
}
