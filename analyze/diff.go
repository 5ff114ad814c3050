package analyze

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"math"
	"os"
	"sort"

	"github.com/redisctl/redisctl/rdb"
)

// Change is how a key differs between two files.
type Change uint8

// The kinds of difference.
const (
	Added   Change = iota + 1 // only in B
	Removed                   // only in A
	Changed                   // in both, with a different type, value or TTL
)

func (c Change) String() string {
	switch c {
	case Added:
		return "added"
	case Removed:
		return "removed"
	case Changed:
		return "changed"
	}
	return "?"
}

// KeyDiff is one difference.
type KeyDiff struct {
	Change       Change `json:"change"`
	DB           int    `json:"db"`
	Key          Bytes  `json:"key"`
	TypeA        string `json:"type_a,omitempty"`
	TypeB        string `json:"type_b,omitempty"`
	ValueChanged bool   `json:"value_changed,omitempty"`
	ExpireA      int64  `json:"expire_at_ms_a"`
	ExpireB      int64  `json:"expire_at_ms_b"`
}

// DiffSummary counts the differences.
type DiffSummary struct {
	KeysA, KeysB, Added, Removed, Changed, Same int64
}

// DiffOptions tune Diff.
type DiffOptions struct {
	TempDir    string
	Partitions int // hash partitions of the spill (default 64)
}

// keyDigest is what Diff remembers of a key: where it is, what type, a digest of its value
// (independent of the order Redis leaves open: set members, hash fields, zset members) and
// its TTL.
type keyDigest struct {
	db     int
	key    []byte
	typ    string
	digest uint64
	expire int64
}

var diffSeed = maphash.MakeSeed()

// Diff compares two RDB streams key by key in memory bounded by one hash partition of A:
// both files are first digested into partition files, then each partition of A is loaded
// and matched against B's. fn receives every difference, in no particular order across
// partitions (sorted by db and key within one). It returns the counts.
func Diff(a, b *rdb.Decoder, opts DiffOptions, fn func(KeyDiff) error) (DiffSummary, error) {
	var sum DiffSummary
	p := opts.Partitions
	if p <= 0 {
		p = 64
	}
	dir, err := os.MkdirTemp(opts.TempDir, "redisctl-diff-*")
	if err != nil {
		return sum, err
	}
	defer os.RemoveAll(dir)
	na, err := digestFile(a, dir, "a", p)
	if err != nil {
		return sum, fmt.Errorf("first file: %w", err)
	}
	nb, err := digestFile(b, dir, "b", p)
	if err != nil {
		return sum, fmt.Errorf("second file: %w", err)
	}
	sum.KeysA, sum.KeysB = na, nb
	for i := 0; i < p; i++ {
		inA := map[string]keyDigest{}
		if err := readPartition(dir, "a", i, func(k keyDigest) {
			inA[partKey(k.db, k.key)] = k
		}); err != nil {
			return sum, err
		}
		var diffs []KeyDiff
		if err := readPartition(dir, "b", i, func(kb keyDigest) {
			id := partKey(kb.db, kb.key)
			ka, ok := inA[id]
			if !ok {
				diffs = append(diffs, KeyDiff{Change: Added, DB: kb.db, Key: kb.key, TypeB: kb.typ, ExpireA: -1, ExpireB: kb.expire})
				return
			}
			delete(inA, id)
			if ka.typ == kb.typ && ka.digest == kb.digest && ka.expire == kb.expire {
				sum.Same++
				return
			}
			diffs = append(diffs, KeyDiff{Change: Changed, DB: kb.db, Key: kb.key, TypeA: ka.typ, TypeB: kb.typ,
				ValueChanged: ka.typ != kb.typ || ka.digest != kb.digest, ExpireA: ka.expire, ExpireB: kb.expire})
		}); err != nil {
			return sum, err
		}
		for _, ka := range inA {
			diffs = append(diffs, KeyDiff{Change: Removed, DB: ka.db, Key: ka.key, TypeA: ka.typ, ExpireA: ka.expire, ExpireB: -1})
		}
		sort.Slice(diffs, func(i, j int) bool {
			if diffs[i].DB != diffs[j].DB {
				return diffs[i].DB < diffs[j].DB
			}
			return bytes.Compare(diffs[i].Key, diffs[j].Key) < 0
		})
		for _, d := range diffs {
			switch d.Change {
			case Added:
				sum.Added++
			case Removed:
				sum.Removed++
			case Changed:
				sum.Changed++
			}
			if err := fn(d); err != nil {
				return sum, err
			}
		}
	}
	return sum, nil
}

func partKey(db int, key []byte) string {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(db))
	return string(b[:]) + string(key)
}

func partOf(db int, key []byte, p int) int {
	var h maphash.Hash
	h.SetSeed(diffSeed)
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(db))
	h.Write(b[:])
	h.Write(key)
	return int(h.Sum64() % uint64(p))
}

// elemHash hashes the parts of one element.
func elemHash(parts ...[]byte) uint64 {
	var h maphash.Hash
	h.SetSeed(diffSeed)
	var l [8]byte
	for _, p := range parts {
		binary.LittleEndian.PutUint64(l[:], uint64(len(p)))
		h.Write(l[:])
		h.Write(p)
	}
	return h.Sum64()
}

// digestFile streams one file into p partition files of (db, key, type, digest, expire).
func digestFile(d *rdb.Decoder, dir, side string, p int) (int64, error) {
	files := make([]*os.File, p)
	ws := make([]*bufio.Writer, p)
	defer func() {
		for _, f := range files {
			if f != nil {
				f.Close()
			}
		}
	}()
	for i := range files {
		f, err := os.Create(fmt.Sprintf("%s/%s.%d", dir, side, i))
		if err != nil {
			return 0, err
		}
		files[i] = f
		ws[i] = bufio.NewWriterSize(f, 32<<10)
	}
	var (
		n       int64
		cur     keyDigest
		ordered uint64 // running hash for ordered values (lists, strings, streams)
		unord   uint64 // commutative sum for sets, hashes, zsets
		buf     []byte
		scratch [8]byte
	)
	for d.Next() {
		switch d.Kind() {
		case rdb.RecKeyBegin:
			cur = keyDigest{db: d.DB(), key: append(cur.key[:0], d.Key()...), typ: d.ValueKind().String(), expire: d.Expire()}
			ordered, unord = 0, 0
		case rdb.RecString, rdb.RecListElement, rdb.RecModule:
			ordered = ordered*1099511628211 ^ elemHash(d.Value())
		case rdb.RecSetMember:
			unord += elemHash(d.Value())
		case rdb.RecHashField:
			binary.LittleEndian.PutUint64(scratch[:], uint64(d.FieldExpire()))
			unord += elemHash(d.Field(), d.Value(), scratch[:])
		case rdb.RecZSetMember:
			s := d.Score()
			if s == 0 {
				s = 0 // -0 and 0 are the same score
			}
			binary.LittleEndian.PutUint64(scratch[:], math.Float64bits(s))
			unord += elemHash(d.Value(), scratch[:])
		case rdb.RecStreamEntry:
			id := d.StreamID()
			del := byte(0)
			if d.EntryDeleted() {
				del = 1
			}
			ordered = ordered*1099511628211 ^ elemHash([]byte(id.String()), []byte{del})
		case rdb.RecStreamField:
			ordered = ordered*1099511628211 ^ elemHash(d.Field(), d.Value())
		case rdb.RecStreamMeta:
			m := d.StreamMeta()
			ordered = ordered*1099511628211 ^ elemHash([]byte(fmt.Sprint(m.Length, m.LastID, m.MaxDeletedID, m.EntriesAdded)))
		case rdb.RecStreamGroup:
			g := d.StreamGroup()
			ordered = ordered*1099511628211 ^ elemHash(g.Name, []byte(fmt.Sprint(g.LastID, g.EntriesRead)))
		case rdb.RecStreamPending:
			pe := d.StreamPending()
			ordered = ordered*1099511628211 ^ elemHash([]byte(fmt.Sprint(pe.ID, pe.DeliveryTime, pe.DeliveryCount)))
		case rdb.RecStreamConsumer:
			c := d.StreamConsumer()
			ordered = ordered*1099511628211 ^ elemHash(c.Name, []byte(fmt.Sprint(c.SeenTime)))
		case rdb.RecStreamConsumerPending:
			ordered = ordered*1099511628211 ^ elemHash([]byte(d.StreamID().String()))
		case rdb.RecKeyEnd:
			cur.digest = ordered ^ unord*31
			buf = appendDigest(buf[:0], &cur)
			if _, err := ws[partOf(cur.db, cur.key, p)].Write(buf); err != nil {
				return n, err
			}
			n++
		}
	}
	if err := d.Err(); err != nil {
		return n, err
	}
	for _, w := range ws {
		if err := w.Flush(); err != nil {
			return n, err
		}
	}
	return n, nil
}

func appendDigest(b []byte, k *keyDigest) []byte {
	b = binary.AppendUvarint(b, uint64(k.db))
	b = binary.AppendUvarint(b, uint64(len(k.key)))
	b = append(b, k.key...)
	b = binary.AppendUvarint(b, uint64(len(k.typ)))
	b = append(b, k.typ...)
	b = binary.LittleEndian.AppendUint64(b, k.digest)
	b = binary.AppendVarint(b, k.expire)
	return b
}

var errBadPartition = errors.New("analyze: damaged diff partition file")

func readPartition(dir, side string, i int, fn func(keyDigest)) error {
	f, err := os.Open(fmt.Sprintf("%s/%s.%d", dir, side, i))
	if err != nil {
		return err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 64<<10)
	for {
		db, err := binary.ReadUvarint(r)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return errBadPartition
		}
		kl, err := binary.ReadUvarint(r)
		if err != nil || kl > 1<<32 {
			return errBadPartition
		}
		key := make([]byte, kl)
		if _, err := io.ReadFull(r, key); err != nil {
			return errBadPartition
		}
		tl, err := binary.ReadUvarint(r)
		if err != nil || tl > 64 {
			return errBadPartition
		}
		typ := make([]byte, tl)
		if _, err := io.ReadFull(r, typ); err != nil {
			return errBadPartition
		}
		var dg [8]byte
		if _, err := io.ReadFull(r, dg[:]); err != nil {
			return errBadPartition
		}
		exp, err := binary.ReadVarint(r)
		if err != nil {
			return errBadPartition
		}
		fn(keyDigest{db: int(db), key: key, typ: string(typ), digest: binary.LittleEndian.Uint64(dg[:]), expire: exp})
	}
}
