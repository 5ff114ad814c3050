package diff_test

import (
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redisctl/redisctl/internal/difftest"
	"github.com/redisctl/redisctl/resp"
)

// Client-side caching (CLIENT TRACKING) between named clients: "w" writes, the others
// track. RESP3 invalidations are pushes, compared by the harness as out-of-band messages
// before the next reply of the link that receives them (a PING collects them); RESP2
// redirection delivers messages on __redis__:invalidate, read with READ. Client ids
// differ between the two servers, so the commands that name or print one (REDIRECT,
// GETREDIR, TRACKINGINFO, CLIENT LIST's redir=) are sent with each side's own id and
// compared with that id masked (trackDo).

// trackingScript: RESP3 default mode, NOLOOP, OPTIN/OPTOUT, BCAST, flushes, expiry.
const trackingScript = `
// RESP3 default mode: keys read are remembered, a write invalidates once
@a HELLO 3
@a CLIENT TRACKINGINFO
@a CLIENT GETREDIR
@a CLIENT TRACKING on
@a CLIENT TRACKINGINFO
@a CLIENT GETREDIR
@a GET k1
@a MGET k2 k3
@a GET k1
@w SET k1 v
@a PING
@w SET k1 v2
@a PING
@a GET k1
@w MSET k2 a k3 b
@a PING
@a HGET h f
@a SMEMBERS s
@a ZSCORE z m
@a LRANGE l 0 -1
@a STRLEN k1
@a EXISTS e1 e2
@a TYPE t1
@a TTL t2
@a XRANGE x - +
@a ZUNION 2 z z2
@a SORT_RO l
@a LCS k2 k3
@w HSET h f v
@w SADD s m
@w ZADD z 1 m
@w RPUSH l 1
@w APPEND k1 x
@w SET e2 v
@w SET t1 v
@w EXPIRE t2 100
@w XADD x 1-1 f v
@w ZADD z2 1 m
@a PING
// writes by the tracking client itself: the invalidation follows its reply
@a GET k1
@a SET k1 mine
@a GET k1
@a DEL k1
@a PING
// a transaction: reads inside are tracked, invalidations come after EXEC's reply
@a MULTI
@a GET m1
@a SET m1 v
@a GET m2
@a EXEC
@w SET m2 v
@a PING
// nothing is sent for keys never read, nor twice
@w SET never v
@a PING
@a GET k2
@w DEL k2
@w DEL k2
@w SET k2 again
@a PING
// the writer's own reads are not tracked
@w GET k3
@w SET k3 x
@w PING
// FLUSHDB and FLUSHALL: a null invalidation for every tracking client
@a GET f1
@w FLUSHDB
@a PING
@a FLUSHALL
@a PING
@w FLUSHALL SYNC
@a PING
@w FLUSHALL bad
@a PING
// expiry: lazy (the active cycle off) and active
@w DEBUG SET-ACTIVE-EXPIRE 0
@w SET ex1 v PX 10
@a GET ex1
SLEEP 50
@a GET ex1
@a PING
@w DEBUG SET-ACTIVE-EXPIRE 1
@w SET ex2 v PX 10
@a GET ex2
SLEEP 400
@a PING
@a CLIENT TRACKING off
@a CLIENT TRACKINGINFO
@w SET ex2 w
@a GET ex2
@w SET ex2 z
@a PING
// NOLOOP: no invalidation for the client's own writes
@n HELLO 3
@n CLIENT TRACKING on NOLOOP
@n CLIENT TRACKINGINFO
@n GET nl1
@n SET nl1 x
@n PING
@n GET nl1
@w SET nl1 y
@n PING
// OPTIN: only reads right after CLIENT CACHING yes are tracked
@o HELLO 3
@o CLIENT CACHING yes
@o CLIENT TRACKING on OPTIN
@o CLIENT TRACKINGINFO
@o GET o1
@o CLIENT CACHING yes
@o CLIENT TRACKINGINFO
@o GET o2
@o GET o3
@o CLIENT TRACKINGINFO
@o CLIENT CACHING no
@o CLIENT CACHING maybe
@w MSET o1 1 o2 2 o3 3
@o PING
@o CLIENT CACHING yes
@o NOSUCHCOMMAND
@o GET o6
@o CLIENT CACHING yes
@o GET
@o GET o7
@o CLIENT CACHING yes
@o CLIENT ID #skip
@o GET o8
@w MSET o6 1 o7 2 o8 3
@o PING
@o CLIENT CACHING yes
@o MULTI
@o GET o4
@o GET o5
@o EXEC
@w MSET o4 1 o5 2
@o PING
@o CLIENT TRACKING on OPTOUT
@o CLIENT TRACKING off
// OPTOUT: reads are tracked except right after CLIENT CACHING no
@o CLIENT TRACKING on OPTOUT
@o CLIENT TRACKINGINFO
@o GET p1
@o CLIENT CACHING no
@o CLIENT TRACKINGINFO
@o GET p2
@o GET p3
@o CLIENT CACHING yes
@w MSET p1 1 p2 2 p3 3
@o PING
@o CLIENT TRACKING on OPTIN
@o CLIENT TRACKING off
// BCAST: every key under a prefix, one message per prefix per turn, keys sorted
@b HELLO 3
@b CLIENT TRACKING on BCAST PREFIX user: PREFIX obj:
@b CLIENT TRACKINGINFO
@w SET user:1 a
@b PING
@w MSET user:3 a user:2 b obj:1 c other d
@b PING
@b SET user:9 mine
@b PING
@b GET user:1
@w SET other x
@b PING
@b CLIENT TRACKING on BCAST PREFIX user:x
@b CLIENT TRACKING on BCAST PREFIX us
@b CLIENT TRACKING on BCAST PREFIX obj:
@b CLIENT TRACKING on BCAST PREFIX p PREFIX pq
@b CLIENT TRACKING on BCAST PREFIX q
@b CLIENT TRACKINGINFO
@w SET q1 v
@b PING
@b CLIENT TRACKING on
@b CLIENT TRACKING on OPTIN
@b CLIENT TRACKING on BCAST OPTIN
@b CLIENT TRACKING on BCAST OPTOUT
@w FLUSHALL
@b PING
@b CLIENT TRACKING off
@b CLIENT TRACKINGINFO
// BCAST without prefixes: every key; NOLOOP leaves out the client's own writes
@c HELLO 3
@c CLIENT TRACKING on BCAST NOLOOP
@c CLIENT TRACKINGINFO
@c SET bc1 mine
@c PING
@w SET bc2 theirs
@c PING
@c MSET bc3 a bc4 b
@w DEL bc3
@c PING
// a key the NOLOOP client set expires when it reads it: signalled without a client
@w DEBUG SET-ACTIVE-EXPIRE 0
@c SET bcx v PX 10
@c PING
SLEEP 50
@c GET bcx
@c PING
@w DEBUG SET-ACTIVE-EXPIRE 1
@c RESET
@c CLIENT TRACKINGINFO
// option errors
@e CLIENT TRACKING on foo
@e CLIENT TRACKING on REDIRECT x
@e CLIENT TRACKING on REDIRECT 999999
@e CLIENT TRACKING on PREFIX a
@e CLIENT TRACKING on OPTIN OPTOUT
@e CLIENT TRACKING on BCAST OPTIN
@e CLIENT TRACKING on BCAST PREFIX a PREFIX ab
@e CLIENT TRACKING on BCAST PREFIX ab PREFIX a
@e CLIENT TRACKING maybe
@e CLIENT TRACKING off PREFIX x
@e CLIENT TRACKING
@e CLIENT CACHING yes
@e CLIENT CACHING
@e CLIENT GETREDIR x
@e CLIENT TRACKINGINFO x
@e CLIENT TRACKING on
@e CLIENT TRACKING on
@e CLIENT TRACKING on NOLOOP
@e CLIENT TRACKINGINFO
@e CLIENT CACHING yes
@e CLIENT TRACKING off
@e CLIENT TRACKING off
// RESP2 without redirection: tracking is accepted, nothing can be delivered
@r2 CLIENT TRACKING on
@r2 GET r2k
@w SET r2k v
@r2 PING
@r2 CLIENT TRACKINGINFO
// scripts: the commands a script runs are tracked for its caller
@s HELLO 3
@s CLIENT TRACKING on
@s EVAL "return redis.call('get', KEYS[1])" 1 sk1
@s EVAL_RO "return redis.call('get', KEYS[1])" 1 sk2
@s EVAL "return redis.call('set', KEYS[1], 'x')" 1 sk3
@w MSET sk1 a sk2 b sk3 c
@s PING
@s GET sk4
@s EVAL "return redis.call('set', KEYS[1], 'x')" 1 sk4
@s PING
@s EVAL "redis.call('get', KEYS[1]); return redis.call('set', KEYS[1], 'y')" 1 sk5
@s PING
@w SET sk5 z
@s PING
@s CLIENT TRACKING on NOLOOP
@s GET sk6
@s EVAL "return redis.call('set', KEYS[1], 'x')" 1 sk6
@s PING
@w DEBUG SET-ACTIVE-EXPIRE 0
@s SET sk7 v PX 10
@s GET sk7
SLEEP 50
@s GET sk7
@s PING
@w DEBUG SET-ACTIVE-EXPIRE 1
@s CLIENT TRACKING off
@s CLIENT TRACKING on BCAST NOLOOP PREFIX sk
@s SET sk8 v
@s EVAL "return redis.call('set', KEYS[1], 'x')" 1 sk9
@s PING
@s CLIENT TRACKING off
@a PING
@n PING
@o PING
@b PING
@c PING
`

func testTracking(t *testing.T) {
	p := startPair(t, difftest.SourceWritten, "--enable-debug-command", "yes")
	p.Run(t, trackingScript)
	trackInfo(t, p, "after the script")
	testTrackingRedirect(t, p)
	testTrackingPrefixQuirk(t, p)
	testTrackingLimit(t, p)
	p.Run(t, `
// eviction invalidates like a modification
FLUSHALL
@w SET victim v
@ev HELLO 3
@ev CLIENT TRACKING on
@ev GET victim
CONFIG SET maxmemory-policy allkeys-random
CONFIG SET maxmemory 1
@ev PING
CONFIG SET maxmemory 0
@ev GET victim
// an eviction before the tracking client's own command: after its reply
@w SET victim2 v
@ev GET victim2
CONFIG SET maxmemory-policy noeviction
CONFIG SET maxmemory 1
CONFIG SET maxmemory-policy allkeys-random
@ev PING
@ev PING
CONFIG SET maxmemory 0
// the same with NOLOOP: the client's own processing evicted it, nothing is sent
@ev CLIENT TRACKING on NOLOOP
@w SET victim3 v
@ev GET victim3
CONFIG SET maxmemory-policy noeviction
CONFIG SET maxmemory 1
CONFIG SET maxmemory-policy allkeys-random
@ev PING
@ev PING
CONFIG SET maxmemory 0
@ev CLIENT TRACKING off
`)
	trackInfo(t, p, "at the end")
}

// testTrackingRedirect: RESP2 redirection to a pub/sub client, RESP3 redirection, and
// the broken redirection when the redirect client goes away.
func testTrackingRedirect(t *testing.T, p *difftest.Pair) {
	sub, h3 := trackID(t, p, "sub"), trackID(t, p, "h3")
	p.Run(t, `
FLUSHALL
@sub SUBSCRIBE __redis__:invalidate
@h3 HELLO 3
`)
	// g (RESP2) sends its invalidations to sub as pub/sub messages.
	trackDo(t, p, "g", sub, "CLIENT", "TRACKING", "on", "REDIRECT", "%id")
	trackDo(t, p, "g", sub, "CLIENT", "GETREDIR")
	trackDo(t, p, "g", sub, "CLIENT", "TRACKINGINFO")
	trackDo(t, p, "g", sub, "CLIENT", "LIST")
	trackDo(t, p, "g", sub, "CLIENT", "INFO")
	p.Run(t, `
@g GET rk1
@g MGET rk2 rk3
@w SET rk1 v
@sub READ
@w MSET rk2 a rk3 b
@sub READ 2
@g GET rk2
@g SET rk2 mine
@sub READ
@g GET rk3
@g FLUSHALL
@sub READ
@w FLUSHDB
@sub READ
@g PING
`)
	// g2 (RESP2) redirects to h3 (RESP3): pushes, whatever g2's protocol.
	trackDo(t, p, "g2", h3, "CLIENT", "TRACKING", "on", "REDIRECT", "%id")
	// g3 (RESP3) redirects to h3 (RESP3): pushes go to h3.
	p.Run(t, "@g3 HELLO 3")
	trackDo(t, p, "g3", h3, "CLIENT", "TRACKING", "on", "REDIRECT", "%id")
	p.Run(t, `
@g3 GET rk4
@w SET rk4 v
@h3 PING
@g3 PING
@g2 GET rk5
@w SET rk5 v
@g2 PING
@h3 PING
`)
	// h3 goes away: g3 (RESP3) is told "tracking-redir-broken" at the next invalidation,
	// g (RESP2, redirecting to sub) is only flagged.
	p.Run(t, `
@g3 GET rk6
@g GET rk6
@h3 QUIT
@sub UNSUBSCRIBE
@sub QUIT
SLEEP 100
@w SET rk6 v
`)
	trackDo(t, p, "g3", h3, "PING")
	p.Run(t, "@g PING")
	trackDo(t, p, "g3", h3, "CLIENT", "TRACKINGINFO")
	trackDo(t, p, "g", sub, "CLIENT", "TRACKINGINFO")
	trackDo(t, p, "g", sub, "CLIENT", "LIST")
	p.Run(t, "@g3 GET rk7\n@w SET rk7 v")
	trackDo(t, p, "g3", h3, "PING")
	p.Run(t, `
@g3 CLIENT TRACKING off
@g CLIENT TRACKING off
@g2 CLIENT TRACKING off
@g CLIENT LIST
`)
}

// testTrackingPrefixQuirk: Redis 7.0 answers an overlap between two given prefixes that
// are not the first with an error and then +OK, and enables tracking with all of them.
func testTrackingPrefixQuirk(t *testing.T, p *difftest.Pair) {
	l, err := p.Link("quirk")
	if err != nil {
		t.Fatal(err)
	}
	args := [][]byte{[]byte("CLIENT"), []byte("TRACKING"), []byte("on"), []byte("BCAST"),
		[]byte("PREFIX"), []byte("z"), []byte("PREFIX"), []byte("y"), []byte("PREFIX"), []byte("yz")}
	var got [2][]resp.Value
	for s := range l.C {
		if err := l.C[s].Send(args); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 2; i++ {
			v, err := l.C[s].ReadWithin(2 * time.Second)
			if err != nil {
				t.Fatalf("%s: reply %d: %v", difftest.SideName[s], i, err)
			}
			got[s] = append(got[s], v)
		}
	}
	if !sameValues(got[0], got[1]) {
		t.Errorf("prefix overlap quirk:\n  redis:    %s\n  redisctl: %s", showValues(got[0]), showValues(got[1]))
	}
	p.Run(t, "@quirk CLIENT TRACKINGINFO\n@quirk CLIENT TRACKING off")
}

// testTrackingLimit: tracking-table-max-keys evicts keys from the table (the victim is
// random in both servers), invalidating them as if modified.
func testTrackingLimit(t *testing.T, p *difftest.Pair) {
	p.Run(t, `
FLUSHALL
@lim HELLO 3
@lim CLIENT TRACKING on
@lim GET lim1
CONFIG SET tracking-table-max-keys 1
@lim PING
@lim MGET lim2 lim3
`)
	l, err := p.Link("lim")
	if err != nil {
		t.Fatal(err)
	}
	// The table holds 3 keys over a limit of 1: the cron (or the next command) evicts two
	// random ones. After the cron surely ran, a PING collects the invalidations.
	time.Sleep(400 * time.Millisecond)
	var keys [2][]string
	for s := range l.C {
		if err := l.C[s].Send([][]byte{[]byte("PING")}); err != nil {
			t.Fatal(err)
		}
		for i := 0; ; i++ {
			v, err := l.C[s].ReadWithin(2 * time.Second)
			if err != nil || i > 2 {
				t.Fatalf("%s: waiting for PONG: %s (%v)", difftest.SideName[s], difftest.Show(v), err)
			}
			if v.Type != resp.TypePush {
				break
			}
			if len(v.Elems) != 2 || len(v.Elems[1].Elems) != 1 {
				t.Fatalf("%s: invalidation %d: %s", difftest.SideName[s], i, difftest.Show(v))
			}
			keys[s] = append(keys[s], string(v.Elems[1].Elems[0].Str))
		}
	}
	for s := range keys {
		if k := keys[s]; len(k) != 2 || k[0] == k[1] || !strings.HasPrefix(k[0], "lim") || !strings.HasPrefix(k[1], "lim") {
			t.Errorf("%s: evicted %v from the table", difftest.SideName[s], k)
		}
	}
	trackInfo(t, p, "after the limit")
	p.Run(t, "CONFIG SET tracking-table-max-keys 0\n@lim CLIENT TRACKING off")
}

// trackID returns the client id of a link on each side.
func trackID(t *testing.T, p *difftest.Pair, link string) [2]int64 {
	t.Helper()
	l, err := p.Link(link)
	if err != nil {
		t.Fatal(err)
	}
	r, o, err := p.Both(l, "CLIENT", "ID")
	if err != nil {
		t.Fatal(err)
	}
	return [2]int64{r.Int, o.Int}
}

// trackDo runs a command on a link with "%id" replaced by each side's id, and compares
// both sides' pushes and reply with that id masked.
func trackDo(t *testing.T, p *difftest.Pair, link string, id [2]int64, args ...string) {
	t.Helper()
	l, err := p.Link(link)
	if err != nil {
		t.Fatal(err)
	}
	var got [2][]resp.Value
	for s := range l.C {
		b := make([][]byte, len(args))
		for i, a := range args {
			b[i] = []byte(strings.ReplaceAll(a, "%id", strconv.FormatInt(id[s], 10)))
		}
		if err := l.C[s].Send(b); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 100; i++ {
			v, err := l.C[s].ReadWithin(2 * time.Second)
			if err != nil {
				t.Fatalf("@%s %s: %s: %v", link, strings.Join(args, " "), difftest.SideName[s], err)
			}
			got[s] = append(got[s], maskTrackID(v, id[s]))
			if v.Type != resp.TypePush {
				break
			}
		}
	}
	if strings.EqualFold(args[0], "client") && (strings.EqualFold(args[1], "list") || strings.EqualFold(args[1], "info")) {
		for s := range got {
			last := &got[s][len(got[s])-1]
			last.Str = []byte(normalizeClientList(string(last.Str)))
		}
	}
	if !sameValues(got[0], got[1]) {
		t.Errorf("@%s %s:\n  redis:    %s\n  redisctl: %s", link, strings.Join(args, " "),
			showFull(got[0]), showFull(got[1]))
	}
}

// maskTrackID replaces the id (an integer, or redir=<id> in client lines) with "ID".
func maskTrackID(v resp.Value, id int64) resp.Value {
	switch {
	case v.Type == resp.TypeInteger && v.Int == id:
		return resp.Value{Type: resp.TypeSimpleString, Str: []byte("ID")}
	case len(v.Elems) > 0:
		out := v
		out.Elems = make([]resp.Value, len(v.Elems))
		for i, e := range v.Elems {
			out.Elems[i] = maskTrackID(e, id)
		}
		return out
	case v.Type == resp.TypeBulk || v.Type == resp.TypeVerbatim:
		out := v
		out.Str = bytes.ReplaceAll(v.Str, []byte(fmt.Sprintf("redir=%d ", id)), []byte("redir=ID "))
		return out
	}
	return v
}

// redirField is a redirection to another client (its id differs between the servers).
var redirField = regexp.MustCompile(`redir=[1-9][0-9]*`)

// normalizeClientList masks the volatile fields of client lines and the ids of
// redirections, and sorts the lines.
func normalizeClientList(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = redirField.ReplaceAllString(difftest.NormalizeClientLine(l), "redir=<id>")
	}
	sort.Strings(lines) // Redis's clients cron rotates its list of clients
	return strings.Join(lines, "\n")
}

// trackInfo compares INFO's tracking fields exactly (the harness compares INFO fields by
// name only).
func trackInfo(t *testing.T, p *difftest.Pair, when string) {
	t.Helper()
	l, err := p.Link("main")
	if err != nil {
		t.Fatal(err)
	}
	r, o, err := p.Both(l, "INFO", "everything")
	if err != nil {
		t.Fatal(err)
	}
	pick := func(v resp.Value) string {
		var out []string
		for _, line := range strings.Split(string(v.Str), "\r\n") {
			if strings.HasPrefix(line, "tracking_") {
				out = append(out, line)
			}
		}
		return strings.Join(out, " ")
	}
	if a, b := pick(r), pick(o); a != b {
		t.Errorf("INFO tracking fields %s:\n  redis:    %s\n  redisctl: %s", when, a, b)
	}
}

func showFull(vs []resp.Value) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = v.String()
	}
	return strings.Join(parts, " ; ")
}
