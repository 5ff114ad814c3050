package redistest

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"
)

// Snapshot reads the whole dataset of a live server over the protocol
// and returns it as canonical, sorted records (see Record). It asks only
// the server: TYPE, OBJECT ENCODING, PEXPIRETIME, and LRANGE, SMEMBERS,
// HGETALL, ZRANGE WITHSCORES, XINFO STREAM FULL and XRANGE for values.
//
// c must speak RESP2 (NewClient, Server.Client): scores and XINFO are read
// as RESP2 replies. The databases holding keys are found with INFO
// keyspace. The dataset must not change while it runs.
func Snapshot(ctx context.Context, c *redis.Client) ([]Record, error) {
	if c.Options().Protocol != 2 {
		return nil, errors.New("redistest: Snapshot needs a RESP2 client (redis.Options.Protocol = 2)")
	}
	info, err := c.Info(ctx, "keyspace").Result()
	if err != nil {
		return nil, fmt.Errorf("redistest: INFO keyspace: %w", err)
	}
	dbs := keyspaceDBs(info)
	conn := c.Conn()
	defer conn.Close()
	var out []Record
	for _, db := range dbs {
		if err := conn.Select(ctx, db).Err(); err != nil {
			return nil, fmt.Errorf("redistest: SELECT %d: %w", db, err)
		}
		keys, err := scanKeys(ctx, conn)
		if err != nil {
			return nil, fmt.Errorf("redistest: db %d: %w", db, err)
		}
		for _, k := range keys {
			rec, err := snapshotKey(ctx, conn, db, k)
			if err != nil {
				return nil, fmt.Errorf("redistest: db %d key %q: %w", db, k, err)
			}
			out = append(out, rec)
		}
	}
	for i := range out {
		out[i].Canonicalize()
	}
	SortRecords(out)
	return out, nil
}

// SnapshotKey reads one key of database db, in the same canonical form as
// Snapshot. DUMP payload expectations are built from it.
func SnapshotKey(ctx context.Context, c *redis.Client, db int, key string) (Record, error) {
	conn := c.Conn()
	defer conn.Close()
	if err := conn.Select(ctx, db).Err(); err != nil {
		return Record{}, fmt.Errorf("redistest: SELECT %d: %w", db, err)
	}
	r, err := snapshotKey(ctx, conn, db, key)
	if err != nil {
		return r, fmt.Errorf("redistest: db %d key %q: %w", db, key, err)
	}
	r.Canonicalize()
	return r, nil
}

// keyspaceDBs parses INFO keyspace ("db3:keys=1,expires=0,...").
func keyspaceDBs(info string) []int {
	var dbs []int
	for _, line := range strings.Split(info, "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "db") {
			continue
		}
		name, _, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		if n, err := strconv.Atoi(strings.TrimPrefix(name, "db")); err == nil {
			dbs = append(dbs, n)
		}
	}
	sort.Ints(dbs)
	return dbs
}

func scanKeys(ctx context.Context, conn *redis.Conn) ([]string, error) {
	seen := map[string]struct{}{}
	var cursor uint64
	for {
		keys, next, err := conn.Scan(ctx, cursor, "", 1000).Result()
		if err != nil {
			return nil, fmt.Errorf("SCAN %d: %w", cursor, err)
		}
		for _, k := range keys {
			seen[k] = struct{}{}
		}
		if next == 0 {
			break
		}
		cursor = next
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out, nil
}

func snapshotKey(ctx context.Context, conn *redis.Conn, db int, key string) (Record, error) {
	rec := Record{DB: db, Key: Bytes(key)}
	typ, err := conn.Type(ctx, key).Result()
	if err != nil {
		return rec, fmt.Errorf("TYPE: %w", err)
	}
	rec.Type = typ
	enc, err := conn.ObjectEncoding(ctx, key).Result()
	if err != nil {
		return rec, fmt.Errorf("OBJECT ENCODING: %w", err)
	}
	rec.Encoding = enc
	exp, err := conn.Do(ctx, "PEXPIRETIME", key).Int64()
	if err != nil {
		return rec, fmt.Errorf("PEXPIRETIME: %w", err)
	}
	if exp == -2 {
		return rec, errors.New("key vanished while reading it")
	}
	if exp >= 0 {
		rec.ExpireAtMs = &exp
	}
	switch typ {
	case "string":
		v, err := conn.Get(ctx, key).Result()
		if err != nil {
			return rec, fmt.Errorf("GET: %w", err)
		}
		rec.Value = Bytes(v)
	case "list":
		v, err := conn.LRange(ctx, key, 0, -1).Result()
		if err != nil {
			return rec, fmt.Errorf("LRANGE: %w", err)
		}
		rec.Value = toBytes(v)
	case "set":
		v, err := conn.SMembers(ctx, key).Result()
		if err != nil {
			return rec, fmt.Errorf("SMEMBERS: %w", err)
		}
		rec.Value = toBytes(v)
	case "hash":
		v, err := conn.Do(ctx, "HGETALL", key).StringSlice()
		if err != nil {
			return rec, fmt.Errorf("HGETALL: %w", err)
		}
		pairs, err := toPairs(v)
		if err != nil {
			return rec, fmt.Errorf("HGETALL: %w", err)
		}
		rec.Value = pairs
	case "zset":
		v, err := conn.Do(ctx, "ZRANGE", key, 0, -1, "WITHSCORES").StringSlice()
		if err != nil {
			return rec, fmt.Errorf("ZRANGE: %w", err)
		}
		pairs, err := toPairs(v)
		if err != nil {
			return rec, fmt.Errorf("ZRANGE: %w", err)
		}
		rec.Value = pairs
	case "stream":
		s, err := snapshotStream(ctx, conn, key)
		if err != nil {
			return rec, err
		}
		rec.Value = s
	default:
		return rec, fmt.Errorf("type %q is not supported by Snapshot", typ)
	}
	return rec, nil
}

func toBytes(v []string) []Bytes {
	out := make([]Bytes, len(v))
	for i, s := range v {
		out[i] = Bytes(s)
	}
	return out
}

func toPairs(v []string) ([]Pair, error) {
	if len(v)%2 != 0 {
		return nil, fmt.Errorf("odd reply length %d", len(v))
	}
	out := make([]Pair, 0, len(v)/2)
	for i := 0; i < len(v); i += 2 {
		out = append(out, Pair{Bytes(v[i]), Bytes(v[i+1])})
	}
	return out, nil
}

// snapshotStream reads XINFO STREAM key FULL COUNT 0 (every entry and
// every PEL entry) and XRANGE key - +.
func snapshotStream(ctx context.Context, conn *redis.Conn, key string) (*Stream, error) {
	raw, err := conn.Do(ctx, "XINFO", "STREAM", key, "FULL", "COUNT", 0).Result()
	if err != nil {
		return nil, fmt.Errorf("XINFO STREAM FULL: %w", err)
	}
	info, err := kvMap(raw)
	if err != nil {
		return nil, fmt.Errorf("XINFO STREAM FULL: %w", err)
	}
	s := &Stream{}
	var perr error
	get := func(m map[string]any, k string) any {
		v, ok := m[k]
		if !ok && perr == nil {
			perr = fmt.Errorf("XINFO STREAM FULL: no field %q", k)
		}
		return v
	}
	s.Length = asInt(get(info, "length"), &perr)
	s.LastGeneratedID = asString(get(info, "last-generated-id"), &perr)
	s.MaxDeletedEntryID = asString(get(info, "max-deleted-entry-id"), &perr)
	s.EntriesAdded = asInt(get(info, "entries-added"), &perr)
	s.RecordedFirstEntryID = asString(get(info, "recorded-first-entry-id"), &perr)
	groups, _ := get(info, "groups").([]any)
	for _, graw := range groups {
		gm, err := kvMap(graw)
		if err != nil {
			return nil, fmt.Errorf("XINFO STREAM FULL group: %w", err)
		}
		g := StreamGroup{
			Name:            Bytes(asString(get(gm, "name"), &perr)),
			LastDeliveredID: asString(get(gm, "last-delivered-id"), &perr),
		}
		if er := get(gm, "entries-read"); er != nil {
			n := asInt(er, &perr)
			g.EntriesRead = &n
		}
		pel, _ := get(gm, "pending").([]any)
		for _, praw := range pel {
			p, _ := praw.([]any)
			if len(p) != 4 {
				return nil, fmt.Errorf("XINFO STREAM FULL: group PEL entry %v", praw)
			}
			g.PEL = append(g.PEL, StreamPending{
				ID:            asString(p[0], &perr),
				Consumer:      Bytes(asString(p[1], &perr)),
				DeliveryTime:  asInt(p[2], &perr),
				DeliveryCount: asInt(p[3], &perr),
			})
		}
		consumers, _ := get(gm, "consumers").([]any)
		for _, craw := range consumers {
			cm, err := kvMap(craw)
			if err != nil {
				return nil, fmt.Errorf("XINFO STREAM FULL consumer: %w", err)
			}
			c := StreamConsumer{
				Name:     Bytes(asString(get(cm, "name"), &perr)),
				SeenTime: asInt(get(cm, "seen-time"), &perr),
				PEL:      []string{},
			}
			cpel, _ := get(cm, "pending").([]any)
			for _, praw := range cpel {
				p, _ := praw.([]any)
				if len(p) != 3 {
					return nil, fmt.Errorf("XINFO STREAM FULL: consumer PEL entry %v", praw)
				}
				c.PEL = append(c.PEL, asString(p[0], &perr))
			}
			g.Consumers = append(g.Consumers, c)
		}
		s.Groups = append(s.Groups, g)
	}
	if perr != nil {
		return nil, perr
	}
	xr, err := conn.Do(ctx, "XRANGE", key, "-", "+").Slice()
	if err != nil {
		return nil, fmt.Errorf("XRANGE: %w", err)
	}
	for _, eraw := range xr {
		e, _ := eraw.([]any)
		if len(e) != 2 {
			return nil, fmt.Errorf("XRANGE: entry %v", eraw)
		}
		fv, _ := e[1].([]any)
		ent := StreamEntry{ID: asString(e[0], &perr), Fields: make([]Pair, 0, len(fv)/2)}
		for i := 0; i+1 < len(fv); i += 2 {
			ent.Fields = append(ent.Fields, Pair{Bytes(asString(fv[i], &perr)), Bytes(asString(fv[i+1], &perr))})
		}
		s.Entries = append(s.Entries, ent)
	}
	if perr != nil {
		return nil, perr
	}
	s.fillEmpty()
	return s, nil
}

// kvMap turns a flat RESP2 array of name, value, ... into a map.
func kvMap(v any) (map[string]any, error) {
	a, ok := v.([]any)
	if !ok || len(a)%2 != 0 {
		return nil, fmt.Errorf("expected a flat key/value array, got %T", v)
	}
	m := make(map[string]any, len(a)/2)
	for i := 0; i < len(a); i += 2 {
		k, ok := a[i].(string)
		if !ok {
			return nil, fmt.Errorf("key %v is %T, not a string", a[i], a[i])
		}
		m[k] = a[i+1]
	}
	return m, nil
}

func asString(v any, perr *error) string {
	switch x := v.(type) {
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	}
	if *perr == nil {
		*perr = fmt.Errorf("expected a string, got %T %v", v, v)
	}
	return ""
}

func asInt(v any, perr *error) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case string:
		if n, err := strconv.ParseInt(x, 10, 64); err == nil {
			return n
		}
	}
	if *perr == nil {
		*perr = fmt.Errorf("expected an integer, got %T %v", v, v)
	}
	return 0
}

// SnapshotFunctions returns the function libraries of a live server
// (FUNCTION LIST WITHCODE), sorted by library name, functions by name.
func SnapshotFunctions(ctx context.Context, c *redis.Client) ([]Library, error) {
	raw, err := c.Do(ctx, "FUNCTION", "LIST", "WITHCODE").Slice()
	if err != nil {
		return nil, fmt.Errorf("redistest: FUNCTION LIST WITHCODE: %w", err)
	}
	var perr error
	out := []Library{}
	for _, lraw := range raw {
		lm, err := kvMap(lraw)
		if err != nil {
			return nil, fmt.Errorf("redistest: FUNCTION LIST: %w", err)
		}
		lib := Library{
			Name:      asString(lm["library_name"], &perr),
			Engine:    asString(lm["engine"], &perr),
			Code:      asString(lm["library_code"], &perr),
			Functions: []Function{},
		}
		fns, _ := lm["functions"].([]any)
		for _, fraw := range fns {
			fm, err := kvMap(fraw)
			if err != nil {
				return nil, fmt.Errorf("redistest: FUNCTION LIST function: %w", err)
			}
			f := Function{Name: asString(fm["name"], &perr), Flags: []string{}}
			if d, ok := fm["description"].(string); ok {
				f.Description = &d
			}
			flags, _ := fm["flags"].([]any)
			for _, fl := range flags {
				f.Flags = append(f.Flags, asString(fl, &perr))
			}
			sort.Strings(f.Flags)
			lib.Functions = append(lib.Functions, f)
		}
		sort.Slice(lib.Functions, func(i, j int) bool { return lib.Functions[i].Name < lib.Functions[j].Name })
		out = append(out, lib)
	}
	if perr != nil {
		return nil, fmt.Errorf("redistest: FUNCTION LIST: %w", perr)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
