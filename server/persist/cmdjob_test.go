package persist

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/redisctl/redisctl/aof"
	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/engine/thash"
	"github.com/redisctl/redisctl/engine/tlist"
	"github.com/redisctl/redisctl/engine/tset"
	"github.com/redisctl/redisctl/engine/tstream"
	"github.com/redisctl/redisctl/engine/tstring"
	"github.com/redisctl/redisctl/engine/tzset"
	"github.com/redisctl/redisctl/resp"
)

// TestCmdJob: a command base's big value, written in steps (cmdJob over the value's RDB
// job), detached part-way and the value then changed in place, still writes the commands
// of the value as it was: replayed into an empty engine, they make the value the whole
// rewrite (aof.CommandRewriter) makes of the untouched value, and in the same bytes for
// a string or a list. Commands hold 64 elements each but the last, as Redis writes them.
// Listpacks and intsets (lph, lpz, is) are rendered whole (renderJob); a big stream (st)
// is written by a cmdJob of its own (cmdStreamJob), in the same bytes as the whole rewrite.
func TestCmdJob(t *testing.T) {
	h, changes := detachFixture(t)
	e := h.E
	// Lists of plain nodes among packed ones (a lower packed threshold: 1 GB in
	// production), and of LZF nodes (list-compress-depth): the record's node forms.
	require.True(t, tlist.SetPackedThreshold(1000))
	t.Cleanup(func() { tlist.SetPackedThreshold(1 << 30) })
	e.Lock()
	e.Set.ListCompressDepth = 1
	e.Unlock()
	for k := 0; k < 3000; k++ {
		el := "element " + strconv.Itoa(k) + " " + strings.Repeat("p", k%7)
		if k%10 == 3 {
			el = strings.Repeat(strconv.Itoa(k), 2000/len(strconv.Itoa(k))+1) // a plain node
		}
		if k == 1500 {
			el = strings.Repeat("big plain node ", 7000) // taken aside (elemQueue)
		}
		h.Do("RPUSH", "plainl", el)
		h.Do("RPUSH", "lzfl", "compressible element "+strconv.Itoa(k%100)+strings.Repeat(" again", k%9))
	}
	e.Lock()
	var plain, lzfNodes int
	for _, k := range []string{"plainl", "lzfl"} {
		tlist.FromObject(e.DB(0).LookupReadNoTouch([]byte(k))).Nodes(func(n tlist.NodeView) bool {
			plain += map[bool]int{true: 1}[n.Plain]
			lzfNodes += map[bool]int{true: 1}[n.Compressed]
			return true
		})
	}
	e.Unlock()
	require.Positive(t, plain)
	require.Positive(t, lzfNodes)
	changes["plainl"] = [][]string{{"LSET", "plainl", "3", "now small"}, {"LPUSH", "plainl", "x"}, {"LINSERT", "plainl", "BEFORE", "element 2000 ppppp", strings.Repeat("z", 3000)},
		{"RPOP", "plainl"}, {"LSET", "plainl", "1500", "was big"}}
	changes["lzfl"] = [][]string{{"LSET", "lzfl", "1000", "changed"}, {"LPOP", "lzfl"}, {"RPUSH", "lzfl", "x"}, {"LTRIM", "lzfl", "10", "-10"}}
	enc := NewCommandEncoder().(*cmdEncoder)
	rdbEnc := NewRDBEncoder(e, false)
	expireAt := time.Now().Add(time.Hour).UnixMilli()
	for _, key := range []string{"h", "s", "l", "str", "bigstr", "lph", "lpz", "is", "z", "fath", "fats", "fatz", "fatl", "plainl", "lzfl", "st"} {
		for _, steps := range []int{0, 1, 3} {
			t.Run(key+"/after "+strconv.Itoa(steps)+" steps", func(t *testing.T) {
				exp := int64(-1)
				if steps == 1 {
					exp = expireAt
				}
				e.Lock()
				defer e.Unlock()
				hdr := *e.DB(0).LookupReadNoTouch([]byte(key)) // the walker's copy of the header
				want, err := enc.AppendEntry(nil, 0, key, &hdr, exp)
				require.NoError(t, err)
				wantVal := decodeRecord(t, mustEntry(t, rdbEnc, key, &hdr))
				job := enc.BeginBig(0, key, &hdr, exp)
				require.NotNil(t, job)
				switch {
				case slices.Contains([]string{"lph", "lpz", "is"}, key):
					require.IsType(t, &renderJob{}, job)
				case key == "st":
					require.IsType(t, &cmdStreamJob{}, job)
				default:
					require.IsType(t, &cmdJob{}, job)
				}
				got := detachAndChange(t, h, job, steps, changes[key])

				cmds := parseCommands(t, got)
				if key != "st" { // XADD per entry, then XSETID, XGROUP, XCLAIM
					checkBatches(t, cmds, key, exp)
				}
				r := replay(t, cmds)
				r.E.Lock()
				o := r.E.DB(0).LookupReadNoTouch([]byte(key))
				require.NotNil(t, o, "the commands made no key")
				require.Equal(t, wantVal, decodeRecord(t, mustEntry(t, NewRDBEncoder(r.E, false), key, o)))
				r.E.Unlock()
				if slices.Contains([]string{"l", "str", "bigstr", "fatl", "plainl", "lzfl", "st"}, key) {
					require.True(t, bytes.Equal(want, got), "%d bytes written, want %d", len(got), len(want))
				}
			})
		}
	}
}

// parseCommands splits an AOF's commands into their arguments.
func parseCommands(t *testing.T, b []byte) [][]string {
	t.Helper()
	cr := resp.NewCommandReader(bytes.NewReader(b))
	var cmds [][]string
	for cr.Next() {
		var args []string
		for _, a := range cr.Args() {
			args = append(args, string(a))
		}
		cmds = append(cmds, args)
	}
	require.NoError(t, cr.Err())
	return cmds
}

// checkBatches checks the form of one key's rewrite: a SET, or commands of 64 elements
// but the last, then PEXPIREAT when exp is not -1.
func checkBatches(t *testing.T, cmds [][]string, key string, exp int64) {
	t.Helper()
	if exp != -1 {
		last := cmds[len(cmds)-1]
		require.Equal(t, []string{"PEXPIREAT", key, strconv.FormatInt(exp, 10)}, last)
		cmds = cmds[:len(cmds)-1]
	}
	for i, c := range cmds {
		require.GreaterOrEqual(t, len(c), 3, "command %d", i)
		require.Equal(t, key, c[1])
		per := map[string]int{"SET": 1, "RPUSH": 1, "SADD": 1, "ZADD": 2, "HMSET": 2}[c[0]]
		require.NotZero(t, per, "command %q", c[0])
		require.Equal(t, cmds[0][0], c[0])
		require.Zero(t, (len(c)-2)%per)
		if i < len(cmds)-1 {
			require.Equal(t, aof.ItemsPerCmd, (len(c)-2)/per, "command %d of %d", i, len(cmds))
		} else {
			require.LessOrEqual(t, (len(c)-2)/per, aof.ItemsPerCmd)
		}
	}
}

// replay runs commands in a new engine.
func replay(t *testing.T, cmds [][]string) *enginetest.Harness {
	t.Helper()
	r := enginetest.New(t, thash.Commands(), tset.Commands(), tlist.Commands(), tstring.Commands(), tzset.Commands(), tstream.Commands())
	for _, c := range cmds {
		v := r.Do(c...)
		require.False(t, v.IsError(), "%v: %s", c[0], v)
	}
	return r
}

// FuzzRecCmds: recCmds reads a record cut anywhere as it reads it whole, and damage
// never makes it panic or allocate beyond what it was given.
func FuzzRecCmds(f *testing.F) {
	h := enginetest.New(f, thash.Commands(), tset.Commands(), tlist.Commands(), tstring.Commands(), tzset.Commands())
	big := strings.Repeat("a fairly long element, ", 3000)
	for _, c := range [][]string{
		{"HSET", "h", "f", "v", "n", "12", "big", big},
		{"SADD", "s", "a", "-5", big},
		{"ZADD", "z", "1.5", "m", "-2", "n", "3", big},
		{"RPUSH", "l", "a", "1", "b", big, "c"},
		{"SET", "str", big},
	} {
		h.Do(c...)
	}
	h.E.Lock()
	steps := NewCommandEncoder().(*cmdEncoder).steps
	for _, k := range []string{"h", "s", "z", "l", "str"} {
		o := h.E.DB(0).LookupReadNoTouch([]byte(k))
		items := 0
		if o.Type() == engine.TypeList {
			items = tlist.FromObject(o).Len()
		}
		job := steps.BeginBig(0, k, o, -1)
		var rec []byte
		for done := false; !done; {
			var err error
			if rec, done, err = job.Step(rec, time.Time{}); err != nil {
				f.Fatal(err)
			}
		}
		f.Add(rec, uint16(len(rec)/2), uint8(items))
	}
	h.E.Unlock()
	f.Fuzz(func(t *testing.T, rec []byte, cut uint16, items uint8) {
		whole := recCmds{key: []byte("k"), items: int(items), expire: 7}
		out1, err1 := whole.feed(nil, rec)
		if err1 == nil {
			out1, err1 = whole.end(out1)
		}
		c := min(int(cut), len(rec))
		parts := recCmds{key: []byte("k"), items: int(items), expire: 7}
		out2, err2 := parts.feed(nil, rec[:c])
		if err2 == nil {
			out2, err2 = parts.feed(out2, rec[c:])
		}
		if err2 == nil {
			out2, err2 = parts.end(out2)
		}
		require.Equal(t, err1 == nil, err2 == nil, "whole: %v; cut at %d: %v", err1, c, err2)
		if err1 == nil {
			require.Equal(t, out1, out2)
			parseCommands(t, out1)
		}
	})
}

// BenchmarkCmdJobStep is the longest hold of the lock a command base's big value costs
// (the shapes of bench/persistgen's big keys: 100k elements, and a 16 MB string):
// "whole" writes its commands at once (AppendEntry), as a renderJob's first step did
// before cmdJob; "steps" is the longest Step of its cmdJob with the walker's 50 µs
// budget. Compare max-lock-µs; ns/op is the whole value's time either way.
func BenchmarkCmdJobStep(b *testing.B) {
	h := bigKeys(b)
	h.Do("SET", "str", string(strValue("text", 16<<20, 1)))
	e := h.E
	enc := NewCommandEncoder().(*cmdEncoder)
	e.Lock()
	defer e.Unlock()
	for _, key := range []string{"h", "s", "l", "z", "str"} {
		o := e.DB(0).LookupReadNoTouch([]byte(key))
		b.Run("whole/"+key, func(b *testing.B) {
			var dst []byte
			benchMaxLock(b, func() (err error) {
				dst, err = enc.AppendEntry(dst[:0], 0, key, o, -1)
				return err
			})
		})
		b.Run("steps/"+key, func(b *testing.B) {
			benchStepMaxLock(b, func() engine.SnapshotJob {
				hdr := *o
				return enc.BeginBig(0, key, &hdr, -1)
			}, false)
		})
	}
}
