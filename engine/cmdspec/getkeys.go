package cmdspec

// KeyRef is one key argument: its index in argv (argv[0] is the command name) and how
// the command uses it (what COMMAND GETKEYSANDFLAGS reports; 0 when Redis's own
// extraction gives no flags).
type KeyRef struct {
	Pos   int
	Flags KeyFlag
}

// getKeysProc is one of Redis's per-command key extractors (getkeys_proc), used where
// the key specs are incomplete or have variable flags, or fail on the given arguments.
type getKeysProc func(argv [][]byte, dst []KeyRef) []KeyRef

// getKeysProcs lists the commands that have a getkeys_proc in Redis 7.0 (its
// commands.c). TestMovableKeysHaveProcs checks every movablekeys command is here, and
// the differential test compares the results with the real server.
var getKeysProcs = map[string]getKeysProc{
	"zunionstore": genericGetKeys(1, 2, 3, 1),
	"zinterstore": genericGetKeys(1, 2, 3, 1),
	"zdiffstore":  genericGetKeys(1, 2, 3, 1),
	"zunion":      genericGetKeys(0, 1, 2, 1),
	"zinter":      genericGetKeys(0, 1, 2, 1),
	"zdiff":       genericGetKeys(0, 1, 2, 1),
	"zintercard":  genericGetKeys(0, 1, 2, 1),
	"sintercard":  genericGetKeys(0, 1, 2, 1),
	"eval":        genericGetKeys(0, 2, 3, 1),
	"evalsha":     genericGetKeys(0, 2, 3, 1),
	"eval_ro":     genericGetKeys(0, 2, 3, 1),
	"evalsha_ro":  genericGetKeys(0, 2, 3, 1),
	"fcall":       genericGetKeys(0, 2, 3, 1),
	"fcall_ro":    genericGetKeys(0, 2, 3, 1),
	"lmpop":       genericGetKeys(0, 1, 2, 1),
	"zmpop":       genericGetKeys(0, 1, 2, 1),
	"blmpop":      genericGetKeys(0, 2, 3, 1),
	"bzmpop":      genericGetKeys(0, 2, 3, 1),

	"sort":              sortGetKeys,
	"sort_ro":           sortROGetKeys,
	"migrate":           migrateGetKeys,
	"georadius":         georadiusGetKeys,
	"georadiusbymember": georadiusGetKeys,
	"xread":             xreadGetKeys,
	"xreadgroup":        xreadGetKeys,
	"set":               setGetKeys,
	"bitfield":          bitfieldGetKeys,
}

// GetKeys answers COMMAND GETKEYS for s and the full command line argv (argv[0] is the
// command name, argv[1] the subcommand name of a subcommand): the indexes of the key
// arguments, or Redis's error (ErrInvalidCommand for a nil s, ErrNoKeyArguments,
// ErrInvalidArgCount, ErrInvalidArguments). A command flagged no_mandatory_keys that
// finds no key answers an empty list.
func GetKeys(s *Spec, argv [][]byte) ([]int, error) {
	refs, err := GetKeysAndFlags(s, argv)
	if err != nil {
		return nil, err
	}
	out := make([]int, len(refs))
	for i, r := range refs {
		out[i] = r.Pos
	}
	return out, nil
}

// GetKeysAndFlags answers COMMAND GETKEYSANDFLAGS: GetKeys with each key's flags.
func GetKeysAndFlags(s *Spec, argv [][]byte) ([]KeyRef, error) {
	if s == nil {
		return nil, ErrInvalidCommand
	}
	if !s.hasKeys {
		return nil, ErrNoKeyArguments
	}
	if !s.CheckArity(len(argv)) {
		return nil, ErrInvalidArgCount
	}
	refs := s.AppendKeys(nil, argv)
	if len(refs) == 0 {
		if s.Flags&FlagNoMandatoryKeys != 0 {
			return []KeyRef{}, nil
		}
		return nil, ErrInvalidArguments
	}
	return refs, nil
}

// AppendKeys appends the keys of argv to dst, as Redis's getKeysFromCommandWithSpecs:
// the key specs when they are complete and their flags fixed, else (or when they fail
// on these arguments) the command's own extractor. It reports no error: a wrong arity
// or wrong arguments give no keys, and the command itself reports them. It does not
// allocate when dst has room.
func (s *Spec) AppendKeys(dst []KeyRef, argv [][]byte) []KeyRef {
	if !s.CheckArity(len(argv)) {
		return dst // Redis's extractors rely on the arity check done before them
	}
	if s.hasKeyspec() && s.allFlags&KeyVariableFlags == 0 {
		if out, ok := s.keysFromSpecs(dst, argv); ok {
			return out
		}
	}
	if s.getkeys != nil {
		return s.getkeys(argv, dst)
	}
	return dst
}

// hasKeyspec: at least one key spec is a real key (not not_key).
func (s *Spec) hasKeyspec() bool {
	for i := range s.KeySpecs {
		if s.KeySpecs[i].Flags&KeyNotKey == 0 {
			return true
		}
	}
	return false
}

// keysFromSpecs is Redis's getKeysUsingKeySpecs without its partial mode: ok is false
// when a spec is invalid for these arguments or incomplete.
func (s *Spec) keysFromSpecs(dst []KeyRef, argv [][]byte) ([]KeyRef, bool) {
	argc := len(argv)
	start := len(dst)
	for j := range s.KeySpecs {
		ks := &s.KeySpecs[j]
		if ks.Flags&KeyNotKey != 0 {
			continue
		}
		first := 0
		switch ks.BeginSearch {
		case BeginIndex:
			first = ks.Index
		case BeginKeyword:
			from := ks.StartFrom
			startIdx, endIdx := from, argc-1
			if from <= 0 {
				startIdx, endIdx = argc+from, 1
			}
			for i := startIdx; i != endIdx; {
				if i >= argc || i < 1 {
					break
				}
				if equalFold(argv[i], ks.Keyword) {
					first = i + 1
					break
				}
				if startIdx <= endIdx {
					i++
				} else {
					i--
				}
			}
			if first == 0 {
				continue // keyword not found: this spec has no keys here
			}
		default:
			return dst[:start], false
		}
		var last, step int
		switch ks.FindKeys {
		case FindRange:
			step = ks.KeyStep
			switch {
			case ks.LastKey >= 0:
				last = first + ks.LastKey
			case ks.Limit == 0:
				last = argc + ks.LastKey
			default:
				last = first + ((argc-first)/ks.Limit + ks.LastKey)
			}
		case FindKeynum:
			step = ks.KeyStep
			if ks.KeyNumIdx >= argc || first+ks.KeyNumIdx >= argc {
				return dst[:start], false
			}
			n, ok := string2ll(argv[first+ks.KeyNumIdx])
			if !ok || n < 0 || n > int64(argc) {
				return dst[:start], false
			}
			first += ks.FirstKey
			last = first + int(n) - 1
		default:
			return dst[:start], false
		}
		if last >= argc || last < first || first >= argc || step < 1 {
			return dst[:start], false
		}
		for i := first; i <= last; i += step {
			dst = append(dst, KeyRef{Pos: i, Flags: ks.Flags})
		}
		if ks.Flags&KeyIncomplete != 0 {
			return dst[:start], false
		}
	}
	return dst, true
}

// equalFold compares an argument with a keyword, ASCII case-insensitively, as strcasecmp.
func equalFold(a []byte, kw string) bool {
	if len(a) != len(kw) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], kw[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// string2ll is Redis's strict integer parser: no spaces, no '+', no leading zeros, no
// "-0", within int64.
func string2ll(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	if len(b) == 1 && b[0] == '0' {
		return 0, true
	}
	neg := false
	p := b
	if p[0] == '-' {
		neg = true
		p = p[1:]
		if len(p) == 0 {
			return 0, false
		}
	}
	if p[0] < '1' || p[0] > '9' {
		return 0, false
	}
	var v uint64
	for _, c := range p {
		if c < '0' || c > '9' {
			return 0, false
		}
		if v > (1<<64-1)/10 {
			return 0, false
		}
		v *= 10
		if v > 1<<64-1-uint64(c-'0') {
			return 0, false
		}
		v += uint64(c - '0')
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return -int64(v), true
	}
	if v > 1<<63-1 {
		return 0, false
	}
	return int64(v), true
}

// atoi is C's atoi as glibc has it: (int)strtol(s, NULL, 10), which skips leading
// white space, takes a sign, stops at the first non-digit, clamps to the long range,
// and is then truncated to 32 bits.
func atoi(b []byte) int {
	i := 0
	for i < len(b) && (b[i] == ' ' || (b[i] >= '\t' && b[i] <= '\r')) {
		i++
	}
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	var v uint64
	over := false
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		if v > (1<<63)/10+1 {
			over = true
			continue
		}
		v = v*10 + uint64(b[i]-'0')
	}
	var l int64
	switch {
	case neg && (over || v >= 1<<63):
		l = -1 << 63
	case !neg && (over || v > 1<<63-1):
		l = 1<<63 - 1
	case neg:
		l = -int64(v)
	default:
		l = int64(v)
	}
	return int(int32(l))
}

// genericGetKeys is Redis's genericGetKeys: [store] numkeys key... , with no flags.
func genericGetKeys(storeOfs, countOfs, firstOfs, step int) getKeysProc {
	return func(argv [][]byte, dst []KeyRef) []KeyRef {
		if countOfs >= len(argv) {
			return dst
		}
		num := atoi(argv[countOfs])
		if num < 1 || num > (len(argv)-firstOfs)/step {
			return dst
		}
		for i := 0; i < num; i++ {
			dst = append(dst, KeyRef{Pos: firstOfs + i*step})
		}
		if storeOfs != 0 {
			dst = append(dst, KeyRef{Pos: storeOfs})
		}
		return dst
	}
}

func sortROGetKeys(argv [][]byte, dst []KeyRef) []KeyRef {
	return append(dst, KeyRef{Pos: 1, Flags: KeyRO | KeyAccess})
}

// sortGetKeys: the sort key, and the key after the last STORE, skipping the arguments of
// LIMIT (2), GET (1) and BY (1).
func sortGetKeys(argv [][]byte, dst []KeyRef) []KeyRef {
	dst = append(dst, KeyRef{Pos: 1, Flags: KeyRO | KeyAccess})
	store := -1
	skips := [...]struct {
		name string
		skip int
	}{{"limit", 2}, {"get", 1}, {"by", 1}}
	for i := 2; i < len(argv); i++ {
		for _, sk := range skips {
			if equalFold(argv[i], sk.name) {
				i += sk.skip
				break
			} else if equalFold(argv[i], "store") && i+1 < len(argv) {
				store = i + 1
				break
			}
		}
	}
	if store >= 0 {
		dst = append(dst, KeyRef{Pos: store, Flags: KeyOW | KeyUpdate})
	}
	return dst
}

// migrateGetKeys: argv[3], or with an empty argv[3] the arguments after KEYS.
func migrateGetKeys(argv [][]byte, dst []KeyRef) []KeyRef {
	first, num := 3, 1
	skips := [...]struct {
		name string
		skip int
	}{{"copy", 0}, {"replace", 0}, {"auth", 1}, {"auth2", 2}}
	if len(argv) > 6 {
		for i := 6; i < len(argv); i++ {
			if equalFold(argv[i], "keys") {
				if len(argv[3]) > 0 {
					num = 0
				} else {
					first = i + 1
					num = len(argv) - first
				}
				break
			}
			for _, sk := range skips {
				if equalFold(argv[i], sk.name) {
					i += sk.skip
					break
				}
			}
		}
	}
	if first+num > len(argv) {
		return dst
	}
	for i := 0; i < num; i++ {
		dst = append(dst, KeyRef{Pos: first + i, Flags: KeyRW | KeyAccess | KeyDelete})
	}
	return dst
}

// georadiusGetKeys: the key, and the key after the last STORE or STOREDIST.
func georadiusGetKeys(argv [][]byte, dst []KeyRef) []KeyRef {
	stored := -1
	for i := 5; i < len(argv); i++ {
		if (equalFold(argv[i], "store") || equalFold(argv[i], "storedist")) && i+1 < len(argv) {
			stored = i + 1
			i++
		}
	}
	dst = append(dst, KeyRef{Pos: 1})
	if stored >= 0 {
		dst = append(dst, KeyRef{Pos: stored})
	}
	return dst
}

// xreadGetKeys: after the first STREAMS that follows the options, half of the
// remaining arguments are keys.
func xreadGetKeys(argv [][]byte, dst []KeyRef) []KeyRef {
	streams := -1
loop:
	for i := 1; i < len(argv); i++ {
		switch {
		case equalFold(argv[i], "block"), equalFold(argv[i], "count"):
			i++
		case equalFold(argv[i], "group"):
			i += 2
		case equalFold(argv[i], "noack"):
		case equalFold(argv[i], "streams"):
			streams = i
			break loop
		default:
			break loop
		}
	}
	if streams < 0 {
		return dst
	}
	num := len(argv) - streams - 1
	if num == 0 || num%2 != 0 {
		return dst
	}
	num /= 2
	for i := streams + 1; i < len(argv)-num; i++ {
		dst = append(dst, KeyRef{Pos: i})
	}
	return dst
}

// setGetKeys: the key, read and written when GET is given, else only overwritten.
func setGetKeys(argv [][]byte, dst []KeyRef) []KeyRef {
	for i := 3; i < len(argv); i++ {
		if equalFold(argv[i], "get") {
			return append(dst, KeyRef{Pos: 1, Flags: KeyRW | KeyAccess | KeyUpdate})
		}
	}
	return append(dst, KeyRef{Pos: 1, Flags: KeyOW | KeyUpdate})
}

// bitfieldGetKeys: the key, read-only when only GET and OVERFLOW appear.
func bitfieldGetKeys(argv [][]byte, dst []KeyRef) []KeyRef {
	readonly := true
	for i := 2; i < len(argv); i++ {
		rem := len(argv) - i - 1
		switch {
		case equalFold(argv[i], "get") && rem >= 2:
			i += 2
		case (equalFold(argv[i], "set") || equalFold(argv[i], "incrby")) && rem >= 3:
			readonly = false
			i = len(argv)
		case equalFold(argv[i], "overflow") && rem >= 1:
			i++
		default:
			readonly = false
			i = len(argv)
		}
	}
	if readonly {
		return append(dst, KeyRef{Pos: 1, Flags: KeyRO | KeyAccess})
	}
	return append(dst, KeyRef{Pos: 1, Flags: KeyRW | KeyAccess | KeyUpdate})
}
