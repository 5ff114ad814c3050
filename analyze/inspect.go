package analyze

import (
	"bytes"
	"container/heap"
	"sort"

	"github.com/redisctl/redisctl/rdb"
)

// AuxField is one AUX record.
type AuxField struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// DBStats counts one database's keys.
type DBStats struct {
	DB            int   `json:"db"`
	Keys          int64 `json:"keys"`
	Expires       int64 `json:"expires"`
	ResizeKeys    int64 `json:"resizedb_keys"`
	ResizeExpires int64 `json:"resizedb_expires"`
}

// GroupStats counts keys of one type or one encoding.
type GroupStats struct {
	Name     string `json:"name"`
	Keys     int64  `json:"keys"`
	Bytes    int64  `json:"bytes"`
	Elements int64  `json:"elements"`
}

// KeyStat describes one key.
type KeyStat struct {
	DB       int    `json:"db"`
	Key      Bytes  `json:"key"`
	Type     string `json:"type"`
	Encoding string `json:"encoding"`
	Bytes    int64  `json:"bytes"`
	Elements int64  `json:"elements"`
	ExpireMs int64  `json:"expire_at_ms"`
}

// Function is one function library stored in the file.
type Function struct {
	Name  string `json:"name"`
	Bytes int    `json:"bytes"`
}

// InspectReport is the summary of one RDB file.
type InspectReport struct {
	Magic          string       `json:"magic"`
	Version        int          `json:"rdb_version"`
	Valkey         bool         `json:"valkey"`
	Aux            []AuxField   `json:"aux"`
	Functions      []Function   `json:"functions"`
	ModuleAux      []string     `json:"module_aux"`
	Keys           int64        `json:"keys"`
	Expires        int64        `json:"expires"`
	KeyBytes       int64        `json:"key_bytes"`
	FileBytes      int64        `json:"file_bytes"`
	DBs            []DBStats    `json:"dbs"`
	Types          []GroupStats `json:"types"`
	Encodings      []GroupStats `json:"encodings"`
	Largest        []KeyStat    `json:"largest"`
	Checksum       string       `json:"checksum"`
	ChecksumStored uint64       `json:"checksum_stored"`
	ChecksumCalc   uint64       `json:"checksum_computed"`
}

// InspectOptions tune Inspect.
type InspectOptions struct {
	Top int // how many of the largest keys to keep (default 10)
}

// Inspect reads a whole RDB stream and summarises it. On damage it returns the report of
// what was read so far together with the decoder's error.
func Inspect(d *rdb.Decoder, opts InspectOptions) (*InspectReport, error) {
	if opts.Top <= 0 {
		opts.Top = 10
	}
	r := &InspectReport{}
	dbs := map[int]*DBStats{}
	types := map[string]*GroupStats{}
	encs := map[string]*GroupStats{}
	top := &keyHeap{}
	db := func(n int) *DBStats {
		s := dbs[n]
		if s == nil {
			s = &DBStats{DB: n}
			dbs[n] = s
		}
		return s
	}
	var (
		keyStart int64
		cur      KeyStat
	)
	for d.Next() {
		switch d.Kind() {
		case rdb.RecAux:
			r.Aux = append(r.Aux, AuxField{string(d.Field()), string(d.Value())})
		case rdb.RecResizeDB:
			k, e := d.ResizeDB()
			s := db(d.DB())
			s.ResizeKeys += int64(k)
			s.ResizeExpires += int64(e)
		case rdb.RecFunction:
			r.Functions = append(r.Functions, Function{Name: libraryName(d.Value()), Bytes: len(d.Value())})
		case rdb.RecModuleAux:
			r.ModuleAux = append(r.ModuleAux, d.Module().Name)
		case rdb.RecKeyBegin:
			keyStart = d.Offset()
			cur = KeyStat{DB: d.DB(), Key: append(cur.Key[:0], d.Key()...), Type: d.ValueKind().String(),
				ExpireMs: d.Expire()}
			if d.ValueKind() == rdb.KindModule {
				cur.Type = "module"
			}
			cur.Encoding = d.Encoding()
		case rdb.RecKeyEnd:
			cur.Bytes = d.Offset() - keyStart
			cur.Elements = d.Len()
			r.Keys++
			r.KeyBytes += cur.Bytes
			s := db(cur.DB)
			s.Keys++
			if cur.ExpireMs >= 0 {
				s.Expires++
				r.Expires++
			}
			add(types, cur.Type, cur.Bytes, cur.Elements)
			add(encs, cur.Encoding, cur.Bytes, cur.Elements)
			top.offer(cur, opts.Top)
		case rdb.RecEOF:
			c := d.Checksum()
			r.Checksum = c.Status.String()
			r.ChecksumStored, r.ChecksumCalc = c.Stored, c.Computed
		}
	}
	r.Version, r.Valkey = d.Version(), d.Valkey()
	r.Magic = magicOf(r.Version, r.Valkey)
	r.FileBytes = d.InputOffset()
	for _, s := range dbs {
		r.DBs = append(r.DBs, *s)
	}
	sort.Slice(r.DBs, func(i, j int) bool { return r.DBs[i].DB < r.DBs[j].DB })
	r.Types = sortedGroups(types)
	r.Encodings = sortedGroups(encs)
	r.Largest = top.sorted()
	return r, d.Err()
}

func magicOf(v int, valkey bool) string {
	if v == 0 {
		return ""
	}
	if valkey {
		return "VALKEY" + pad3(v)
	}
	return "REDIS" + pad4(v)
}

func pad3(v int) string { s := itoa(v); return "000"[:max(0, 3-len(s))] + s }
func pad4(v int) string { s := itoa(v); return "0000"[:max(0, 4-len(s))] + s }

func itoa(v int) string {
	if v == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for v > 0 {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
	}
	return string(b[i:])
}

// libraryName extracts the name from a library's "#!lua name=…" shebang line.
func libraryName(code []byte) string {
	line := code
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	for _, f := range bytes.Fields(line) {
		if bytes.HasPrefix(f, []byte("name=")) {
			return string(f[5:])
		}
	}
	return ""
}

func add(m map[string]*GroupStats, name string, b, el int64) {
	g := m[name]
	if g == nil {
		g = &GroupStats{Name: name}
		m[name] = g
	}
	g.Keys++
	g.Bytes += b
	g.Elements += el
}

func sortedGroups(m map[string]*GroupStats) []GroupStats {
	out := make([]GroupStats, 0, len(m))
	for _, g := range m {
		out = append(out, *g)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Bytes != out[j].Bytes {
			return out[i].Bytes > out[j].Bytes
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// keyHeap keeps the N largest keys by serialized bytes (a min-heap).
type keyHeap []KeyStat

func (h keyHeap) Len() int { return len(h) }
func (h keyHeap) Less(i, j int) bool {
	if h[i].Bytes != h[j].Bytes {
		return h[i].Bytes < h[j].Bytes
	}
	return bytes.Compare(h[i].Key, h[j].Key) > 0
}
func (h keyHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *keyHeap) Push(x any)   { *h = append(*h, x.(KeyStat)) }
func (h *keyHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

func (h *keyHeap) offer(k KeyStat, n int) {
	if h.Len() < n {
		k.Key = bytes.Clone(k.Key)
		heap.Push(h, k)
		return
	}
	if (*h)[0].Bytes < k.Bytes {
		k.Key = bytes.Clone(k.Key)
		(*h)[0] = k
		heap.Fix(h, 0)
	}
}

func (h *keyHeap) sorted() []KeyStat {
	out := append([]KeyStat(nil), *h...)
	sort.Slice(out, func(i, j int) bool {
		if out[i].Bytes != out[j].Bytes {
			return out[i].Bytes > out[j].Bytes
		}
		return bytes.Compare(out[i].Key, out[j].Key) < 0
	})
	return out
}
