package server

import (
	"sort"
	"strconv"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/cmdspec"
)

// Client-side caching (CLIENT TRACKING), as Redis 7.0's tracking.c.
//
// The tracking table maps every key a tracking client read to the ids of those clients;
// a modification of the key (the engine's KeyModifiedHook, so every write, expiry,
// eviction and DEL) sends each of them one invalidation and forgets the key. Clients in
// BCAST mode are not in the table: they subscribe to key prefixes, and the keys modified
// under a prefix are collected and sent once per event-loop turn (after each batch of
// commands, and after the cron's expiry), as Redis's beforeSleep does. FLUSHDB and
// FLUSHALL invalidate everything with a null. Invalidations are RESP3 pushes
// (">2 invalidate [keys]"), or, with REDIRECT, messages on __redis__:invalidate to a
// RESP2 redirect client that is in the pub/sub context.
//
// Disconnected clients are forgotten lazily: ids of gone clients stay in the table until
// their keys are invalidated, as in Redis, and tracking states of gone clients are
// pruned before anyone counts or iterates them.
//
// Everything here runs under the engine lock.

// Tracking flags of a client (CLIENT_TRACKING_*).
const (
	trackOn          = 1 << iota // CLIENT_TRACKING
	trackBrokenRedir             // the redirect client is gone
	trackBcast
	trackOptin
	trackOptout
	trackCaching // CLIENT CACHING yes/no given for the next command
	trackNoloop
)

// invalidateChannel is the pub/sub channel of RESP2 redirect clients.
const invalidateChannel = "__redis__:invalidate"

// trackClient is one client's tracking state.
type trackClient struct {
	c        *engine.Client
	flags    int
	redirect int64
	prefixes []string // BCAST prefixes, sorted (client_tracking_prefixes)
}

// bcastState is a prefix's subscribers and the keys modified under it since the last
// broadcast, each with the client that modified it last (nil: expiry, eviction).
type bcastState struct {
	keys    map[string]*engine.Client
	clients map[int64]*trackClient
}

// pendingInv is an invalidation for the running client itself, sent after its reply
// (server.tracking_pending_keys); null means "everything" (a flush).
type pendingInv struct {
	key  string
	null bool
}

// tracking is the server's tracking state.
type tracking struct {
	enabled  bool                          // the table exists (a client ever enabled tracking)
	table    map[string]map[int64]struct{} // key → ids of clients that may cache it
	items    int64                         // ids stored across the table
	prefixes map[string]*bcastState
	clients  map[int64]*trackClient
	pending  []pendingInv
	// limitRounds is trackingLimitUsedSlots's timeout_counter.
	limitRounds int
	// expiredSeen is the engine's expired-keys count at the last modification signal.
	expiredSeen int64
	// limiting is set while the table limit invalidates keys.
	limiting bool
	// current is the connection's client whose command is being processed, from before
	// the engine's checks to its reply (server.current_client outside the call itself).
	current *engine.Client
	// pruneAt is the size of clients at which enabling tracking first forgets the
	// clients that are gone (so their states cannot pile up between INFOs).
	pruneAt int
}

func (t *tracking) init() {
	if t.enabled {
		return
	}
	t.enabled = true
	t.table = map[string]map[int64]struct{}{}
	t.prefixes = map[string]*bcastState{}
	if t.clients == nil {
		t.clients = map[int64]*trackClient{}
	}
}

// state returns c's tracking state, nil when tracking is off.
func (s *Server) trackState(c *engine.Client) *trackClient {
	if c == nil {
		return nil
	}
	tc := s.trk.clients[c.ID]
	if tc == nil || tc.c != c {
		return nil
	}
	return tc
}

// pruneTracking forgets the tracking state of clients that are gone (freeClient's
// disableTracking).
func (s *Server) pruneTracking() {
	for id, tc := range s.trk.clients {
		if s.eng.ClientByID(id) != tc.c {
			s.disableTracking(tc)
		}
	}
}

// disableTracking is disableTracking: leave every prefix, drop the state.
func (s *Server) disableTracking(tc *trackClient) {
	t := &s.trk
	if tc.flags&trackBcast != 0 {
		for _, p := range tc.prefixes {
			bs := t.prefixes[p]
			if bs == nil {
				continue
			}
			delete(bs.clients, tc.c.ID)
			if len(bs.clients) == 0 {
				delete(t.prefixes, p)
			}
		}
	}
	delete(t.clients, tc.c.ID)
}

// enableTracking is enableTracking: flags reset to the new options, redirection
// replaced, BCAST prefixes added to those already there.
func (s *Server) enableTracking(c *engine.Client, redirect int64, options int, prefixes [][]byte) {
	t := &s.trk
	t.init()
	if len(t.clients) >= t.pruneAt {
		s.pruneTracking()
		t.pruneAt = 2*len(t.clients) + 16
	}
	tc := s.trackState(c)
	if tc == nil {
		tc = &trackClient{c: c}
		t.clients[c.ID] = tc
	}
	tc.flags = tc.flags&trackCaching | trackOn
	tc.redirect = redirect
	if options&trackBcast != 0 {
		tc.flags |= trackBcast
		if len(prefixes) == 0 {
			s.bcastPrefix(tc, "")
		}
		for _, p := range prefixes {
			s.bcastPrefix(tc, string(p))
		}
	}
	tc.flags |= options & (trackOptin | trackOptout | trackNoloop)
}

// bcastPrefix is enableBcastTrackingForPrefix.
func (s *Server) bcastPrefix(tc *trackClient, p string) {
	t := &s.trk
	bs := t.prefixes[p]
	if bs == nil {
		bs = &bcastState{keys: map[string]*engine.Client{}, clients: map[int64]*trackClient{}}
		t.prefixes[p] = bs
	}
	if _, ok := bs.clients[tc.c.ID]; ok {
		return
	}
	bs.clients[tc.c.ID] = tc
	i := sort.SearchStrings(tc.prefixes, p)
	if i < len(tc.prefixes) && tc.prefixes[i] == p {
		return
	}
	tc.prefixes = append(tc.prefixes, "")
	copy(tc.prefixes[i+1:], tc.prefixes[i:])
	tc.prefixes[i] = p
}

// prefixOverlap reports whether two prefixes would invalidate the same key.
func prefixOverlap(a, b []byte) bool {
	n := min(len(a), len(b))
	return string(a[:n]) == string(b[:n])
}

// checkPrefixCollisions is checkPrefixCollisionsOrReply. Like Redis, it reports an
// overlap inside the given list only for the first prefix without failing the command
// for a later one (Redis returns the prefix index as "ok" then): replied tells whether
// an error was written, ok whether the command goes on.
func checkPrefixCollisions(x *engine.Ctx, tc *trackClient, prefixes [][]byte) (ok bool) {
	for i, p := range prefixes {
		if tc != nil {
			for _, q := range tc.prefixes {
				if prefixOverlap([]byte(q), p) {
					x.Error("ERR Prefix '" + cstr(p) + "' overlaps with an existing prefix '" + cstr([]byte(q)) +
						"'. Prefixes for a single client must not overlap.")
					return false
				}
			}
		}
		for _, q := range prefixes[i+1:] {
			if prefixOverlap(p, q) {
				x.Error("ERR Prefix '" + cstr(p) + "' overlaps with another provided prefix '" + cstr(q) +
					"'. Prefixes for a single client must not overlap.")
				return i != 0
			}
		}
	}
	return true
}

// cstr is how %s prints an sds: up to the first NUL byte.
func cstr(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

// clientTracking is CLIENT TRACKING ON|OFF [REDIRECT id] [PREFIX p]... [BCAST] [OPTIN]
// [OPTOUT] [NOLOOP].
func clientTracking(x *engine.Ctx) {
	s := serverOf(x)
	var redir int64
	options := 0
	var prefixes [][]byte
	for j := 3; j < len(x.Args); j++ {
		more := j < len(x.Args)-1
		a := x.Args[j]
		switch {
		case engine.EqualFold(a, "redirect") && more:
			j++
			if redir != 0 {
				x.Error("ERR A client can only redirect to a single other client")
				return
			}
			v, ok := engine.ParseInt(x.Args[j])
			if !ok {
				x.Error(engine.ErrNotInteger)
				return
			}
			redir = v
			if s.eng.ClientByID(redir) == nil {
				x.Error("ERR The client ID you want redirect to does not exist")
				return
			}
		case engine.EqualFold(a, "bcast"):
			options |= trackBcast
		case engine.EqualFold(a, "optin"):
			options |= trackOptin
		case engine.EqualFold(a, "optout"):
			options |= trackOptout
		case engine.EqualFold(a, "noloop"):
			options |= trackNoloop
		case engine.EqualFold(a, "prefix") && more:
			j++
			prefixes = append(prefixes, x.Args[j])
		default:
			x.SyntaxError()
			return
		}
	}
	tc := s.trackState(x.C)
	switch {
	case engine.EqualFold(x.Args[2], "on"):
		if options&trackBcast == 0 && len(prefixes) > 0 {
			x.Error("ERR PREFIX option requires BCAST mode to be enabled")
			return
		}
		if tc != nil && (tc.flags&trackBcast != 0) != (options&trackBcast != 0) {
			x.Error("ERR You can't switch BCAST mode on/off before disabling tracking for this client, " +
				"and then re-enabling it with a different mode.")
			return
		}
		if options&trackBcast != 0 && options&(trackOptin|trackOptout) != 0 {
			x.Error("ERR OPTIN and OPTOUT are not compatible with BCAST")
			return
		}
		if options&trackOptin != 0 && options&trackOptout != 0 {
			x.Error("ERR You can't specify both OPTIN mode and OPTOUT mode")
			return
		}
		if tc != nil && (options&trackOptin != 0 && tc.flags&trackOptout != 0 ||
			options&trackOptout != 0 && tc.flags&trackOptin != 0) {
			x.Error("ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, " +
				"and then re-enabling it with a different mode.")
			return
		}
		if options&trackBcast != 0 && !checkPrefixCollisions(x, tc, prefixes) {
			return
		}
		s.enableTracking(x.C, redir, options, prefixes)
	case engine.EqualFold(x.Args[2], "off"):
		if tc != nil {
			s.disableTracking(tc)
		}
	default:
		x.SyntaxError()
		return
	}
	x.OK()
}

// clientCaching is CLIENT CACHING YES|NO.
func clientCaching(x *engine.Ctx) {
	tc := serverOf(x).trackState(x.C)
	if tc == nil {
		x.Error("ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled")
		return
	}
	switch {
	case engine.EqualFold(x.Args[2], "yes"):
		if tc.flags&trackOptin == 0 {
			x.Error("ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.")
			return
		}
	case engine.EqualFold(x.Args[2], "no"):
		if tc.flags&trackOptout == 0 {
			x.Error("ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.")
			return
		}
	default:
		x.SyntaxError()
		return
	}
	tc.flags |= trackCaching
	x.OK()
}

// clientGetredir is CLIENT GETREDIR: the redirection, 0 without one, -1 when not tracking.
func clientGetredir(x *engine.Ctx) {
	if tc := serverOf(x).trackState(x.C); tc != nil {
		x.Int(tc.redirect)
		return
	}
	x.Int(-1)
}

// clientTrackinginfo is CLIENT TRACKINGINFO.
func clientTrackinginfo(x *engine.Ctx) {
	tc := serverOf(x).trackState(x.C)
	flags := []string{"off"}
	redirect := int64(-1)
	var prefixes []string
	if tc != nil {
		flags[0] = "on"
		if tc.flags&trackBcast != 0 {
			flags = append(flags, "bcast")
		}
		if tc.flags&trackOptin != 0 {
			flags = append(flags, "optin")
			if tc.flags&trackCaching != 0 {
				flags = append(flags, "caching-yes")
			}
		}
		if tc.flags&trackOptout != 0 {
			flags = append(flags, "optout")
			if tc.flags&trackCaching != 0 {
				flags = append(flags, "caching-no")
			}
		}
		if tc.flags&trackNoloop != 0 {
			flags = append(flags, "noloop")
		}
		if tc.flags&trackBrokenRedir != 0 {
			flags = append(flags, "broken_redirect")
		}
		redirect = tc.redirect
		prefixes = tc.prefixes
	}
	w := x.W
	w.WriteMapLen(3)
	w.WriteBulkString("flags")
	w.WriteSetLen(len(flags))
	for _, f := range flags {
		w.WriteBulkString(f)
	}
	w.WriteBulkString("redirect")
	w.WriteInt(redirect)
	w.WriteBulkString("prefixes")
	w.WriteArrayLen(len(prefixes))
	for _, p := range prefixes {
		w.WriteBulkString(p)
	}
}

// trackingInfoFlags are CLIENT LIST's t, R and B flags and its redir= value.
func (s *Server) trackingInfoFlags(c *engine.Client, b []byte) []byte {
	tc := s.trackState(c)
	if tc == nil {
		return b
	}
	b = append(b, 't')
	if tc.flags&trackBrokenRedir != 0 {
		b = append(b, 'R')
	}
	if tc.flags&trackBcast != 0 {
		b = append(b, 'B')
	}
	return b
}

// trackingRedir is CLIENT LIST's redir=.
func (s *Server) trackingRedir(c *engine.Client) int64 {
	if tc := s.trackState(c); tc != nil {
		return tc.redirect
	}
	return -1
}

// trackingReset turns tracking off (RESET).
func (s *Server) trackingReset(c *engine.Client) {
	if tc := s.trackState(c); tc != nil {
		s.disableTracking(tc)
	}
}

// trackingAfterCall runs after every call (the CallHook): a read-only command of a
// tracking client remembers its keys (trackingRememberKeys); after a top-level command
// the invalidations meant for the caller itself are sent, after its reply
// (trackingHandlePendingKeyInvalidations).
func (s *Server) trackingAfterCall(c *engine.Client, args [][]byte) {
	t := &s.trk
	if !t.enabled {
		return
	}
	e := s.eng
	caller := c
	if e.InCall() {
		caller = e.CallerClient()
	}
	if tc := s.trackState(caller); tc != nil && tc.flags&trackBcast == 0 {
		s.trackingRememberKeys(tc, args)
	}
	if e.InCall() {
		return
	}
	s.trackingFlushPending(c)
}

// trackingFlushPending sends the invalidations meant for c, the client whose command just
// ended (trackingHandlePendingKeyInvalidations).
func (s *Server) trackingFlushPending(c *engine.Client) {
	t := &s.trk
	if len(t.pending) == 0 {
		return
	}
	pend := t.pending
	t.pending = nil
	if tc := s.trackState(c); tc != nil {
		for _, p := range pend {
			if p.null {
				s.sendTracking(tc, nil, true, nil)
			} else {
				s.sendTracking(tc, []byte(p.key), false, nil)
			}
		}
	}
}

// trackingResetClient runs after any command a connection sent, refused ones included:
// the invalidations for the client left over from before its command ran (an eviction
// in processCommand) follow its reply, and CLIENT CACHING's one-command flag ends
// (resetClient) unless the command was a CLIENT one or the client is in MULTI.
func (s *Server) trackingResetClient(c *engine.Client, args [][]byte) {
	s.trk.current = nil
	if !s.trk.enabled {
		return
	}
	s.trackingFlushPending(c)
	if tc := s.trackState(c); tc != nil && tc.flags&trackCaching != 0 &&
		c.Flags&engine.ClientMulti == 0 && !engine.EqualFold(args[0], "client") {
		tc.flags &^= trackCaching
	}
}

// trackingRememberKeys records the keys a read-only command read for tc.
func (s *Server) trackingRememberKeys(tc *trackClient, args [][]byte) {
	spec := cmdspec.Full().LookupArgv(args)
	if spec == nil || spec.Flags&cmdspec.FlagReadonly == 0 || spec.Flags&cmdspec.FlagPubSub != 0 {
		return
	}
	switch spec.Name {
	case "eval_ro", "evalsha_ro", "fcall_ro":
		return // the script's own commands are tracked instead
	}
	optin, optout, caching := tc.flags&trackOptin != 0, tc.flags&trackOptout != 0, tc.flags&trackCaching != 0
	if optin && !caching || optout && caching {
		return
	}
	pos, err := cmdspec.GetKeys(spec, args)
	if err != nil {
		return
	}
	t := &s.trk
	for _, p := range pos {
		k := string(args[p])
		ids := t.table[k]
		if ids == nil {
			ids = map[int64]struct{}{}
			t.table[k] = ids
		}
		if _, ok := ids[tc.c.ID]; !ok {
			ids[tc.c.ID] = struct{}{}
			t.items++
		}
	}
}

// trackingKeyModified is the engine's KeyModifiedHook (signalModifiedKey's tracking
// half).
func (s *Server) trackingKeyModified(_ *engine.DB, key []byte) {
	if !s.trk.enabled {
		return
	}
	e := s.eng
	current := e.CallerClient()
	if current == nil {
		current = s.trk.current // an eviction before the command runs
	}
	modifier := e.RunningClient()
	if n := e.Stats.ExpiredKeys; n != s.trk.expiredSeen {
		// An expiry (the counter moves right before its signal): Redis signals it with
		// no client, so even a NOLOOP client that read the key hears of it.
		s.trk.expiredSeen = n
		modifier = nil
	}
	s.trackingInvalidateKey(current, modifier, key, true)
}

// trackingInvalidateKey is trackingInvalidateKey: current is the client whose command is
// running (its own invalidations wait for its reply; a NOLOOP one gets none), modifier
// the one that changed the key (a script's own client inside a script, nil for expiry:
// what BCAST's NOLOOP compares with), bcast whether the key also goes to the BCAST
// prefixes.
func (s *Server) trackingInvalidateKey(current, modifier *engine.Client, key []byte, bcast bool) {
	t := &s.trk
	if bcast && len(t.prefixes) > 0 {
		for p, bs := range t.prefixes {
			if len(p) <= len(key) && string(key[:len(p)]) == p {
				bs.keys[string(key)] = modifier
			}
		}
	}
	ids, ok := t.table[string(key)]
	if !ok {
		return
	}
	for id := range ids {
		target := s.eng.ClientByID(id)
		tc := s.trackState(target)
		if tc == nil || tc.flags&trackBcast != 0 {
			continue
		}
		if tc.flags&trackNoloop != 0 && target == current {
			continue // 7.0.15 compares with the running client, whatever changed the key
		}
		// Its own invalidations follow the running command's reply; those of an eviction
		// before the command runs are sent at once (processCommand flushes them before
		// calling the command), those of the table limit wait for the reply too.
		if target == current && (s.eng.InCall() || t.limiting) {
			t.pending = append(t.pending, pendingInv{key: string(key)})
			continue
		}
		s.sendTracking(tc, key, false, nil)
	}
	t.items -= int64(len(ids))
	delete(t.table, string(key))
}

// sendTracking is sendTrackingMessage for tc's client: one key (an array of it), or null (a
// flush: the null of tc's own protocol), or raw (a broadcast array already encoded).
func (s *Server) sendTracking(tc *trackClient, key []byte, null bool, raw []byte) {
	c := tc.c
	target := c
	redirected := false
	if tc.redirect != 0 {
		r := s.eng.ClientByID(tc.redirect)
		if r == nil {
			tc.flags |= trackBrokenRedir
			if c.Proto() > 2 {
				c.W.WritePushLen(2)
				c.W.WriteBulkString("tracking-redir-broken")
				c.W.WriteInt(tc.redirect)
				wake(c)
			}
			return
		}
		target, redirected = r, true
	}
	w := target.W
	switch {
	case target.Proto() > 2:
		w.WritePushLen(2)
		w.WriteBulkString("invalidate")
	case redirected && target.Flags&engine.ClientPubSub != 0:
		w.WriteArrayLen(3)
		w.WriteBulkString("message")
		w.WriteBulkString(invalidateChannel)
	default:
		return
	}
	switch {
	case raw != nil:
		w.WriteRaw(raw)
	case null:
		if c.Proto() > 2 {
			w.WriteRaw([]byte("_\r\n"))
		} else {
			w.WriteRaw([]byte("$-1\r\n"))
		}
	default:
		w.WriteArrayLen(1)
		w.WriteBulk(key)
	}
	wake(target)
}

func wake(c *engine.Client) {
	if c.Wake != nil {
		c.Wake()
	}
}

// trackingFlushed is trackingInvalidateKeysOnFlush: every tracking client is told that
// everything is invalid, and the table is emptied. current is the client running the
// flush (its message waits for its reply).
func (s *Server) trackingFlushed(current *engine.Client) {
	t := &s.trk
	if !t.enabled {
		return
	}
	s.pruneTracking()
	for _, cn := range s.connsByID() {
		tc := s.trackState(cn.cl)
		if tc == nil {
			continue
		}
		if cn.cl == current {
			t.pending = append(t.pending, pendingInv{null: true})
		} else {
			s.sendTracking(tc, nil, true, nil)
		}
	}
	t.table = map[string]map[int64]struct{}{}
	t.items = 0
}

// trackingAfterFlushCommand sends the flush invalidations after a successful FLUSHDB or
// FLUSHALL (the CallHook sees every command; these have no hook of their own).
func (s *Server) trackingAfterFlushCommand(c *engine.Client, args [][]byte) {
	if !s.trk.enabled || len(args) > 2 {
		return
	}
	if !engine.EqualFold(args[0], "flushdb") && !engine.EqualFold(args[0], "flushall") {
		return
	}
	if len(args) == 2 && !engine.EqualFold(args[1], "sync") && !engine.EqualFold(args[1], "async") {
		return
	}
	cur := c
	if s.eng.InCall() {
		cur = s.eng.CallerClient()
	}
	s.trackingFlushed(cur)
}

// trackingLimit is trackingLimitUsedSlots: while the table holds more keys than
// tracking-table-max-keys, random keys are invalidated (as if modified, without the BCAST
// part), with an effort that grows each time the limit could not be reached.
func (s *Server) trackingLimit(current *engine.Client) {
	t := &s.trk
	if !t.enabled || len(t.clients) == 0 {
		return
	}
	max := s.cfg.TrackingTableMaxKeys()
	if max == 0 {
		return
	}
	if uint64(len(t.table)) <= max {
		t.limitRounds = 0
		return
	}
	effort := 100 * (t.limitRounds + 1)
	for ; effort > 0 && len(t.table) > 0; effort-- {
		var victim string
		for k := range t.table {
			victim = k
			break
		}
		t.limiting = true
		s.trackingInvalidateKey(current, nil, []byte(victim), false)
		t.limiting = false
		if uint64(len(t.table)) <= max {
			t.limitRounds = 0
			return
		}
	}
	t.limitRounds++
}

// trackingBroadcast is trackingBroadcastInvalidationMessages: each prefix's modified keys
// (sorted, as the radix tree walks them) go to its subscribers, without the keys a
// NOLOOP subscriber modified itself. Run once per event-loop turn.
func (s *Server) trackingBroadcast() {
	t := &s.trk
	if !t.enabled || len(t.prefixes) == 0 {
		return
	}
	dirty := false
	for _, bs := range t.prefixes {
		if len(bs.keys) > 0 {
			dirty = true
			break
		}
	}
	if !dirty {
		return
	}
	s.pruneTracking()
	names := make([]string, 0, len(t.prefixes))
	for p := range t.prefixes {
		names = append(names, p)
	}
	sort.Strings(names)
	for _, p := range names {
		bs := t.prefixes[p]
		if len(bs.keys) == 0 {
			continue
		}
		keys := make([]string, 0, len(bs.keys))
		for k := range bs.keys {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		all := broadcastArray(keys, bs.keys, nil)
		for _, tc := range bs.clients {
			if tc.flags&trackNoloop != 0 {
				if own := broadcastArray(keys, bs.keys, tc.c); own != nil {
					s.sendTracking(tc, nil, false, own)
				}
				continue
			}
			s.sendTracking(tc, nil, false, all)
		}
		bs.keys = map[string]*engine.Client{}
	}
}

// broadcastArray encodes keys as a RESP array, leaving out those last modified by
// skip (nil: none); nil when nothing is left.
func broadcastArray(keys []string, by map[string]*engine.Client, skip *engine.Client) []byte {
	n := 0
	for _, k := range keys {
		if skip == nil || by[k] != skip {
			n++
		}
	}
	if n == 0 && skip != nil {
		return nil
	}
	b := []byte{'*'}
	b = strconv.AppendInt(b, int64(n), 10)
	b = append(b, '\r', '\n')
	for _, k := range keys {
		if skip != nil && by[k] == skip {
			continue
		}
		b = append(b, '$')
		b = strconv.AppendInt(b, int64(len(k)), 10)
		b = append(b, '\r', '\n')
		b = append(b, k...)
		b = append(b, '\r', '\n')
	}
	return b
}

// trackingStats are INFO's tracking_clients, tracking_total_keys, tracking_total_items
// and tracking_total_prefixes.
func (s *Server) trackingStats() (clients, keys, items, prefixes int64) {
	s.pruneTracking()
	t := &s.trk
	return int64(len(t.clients)), int64(len(t.table)), t.items, int64(len(t.prefixes))
}
