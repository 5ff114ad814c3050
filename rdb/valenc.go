package rdb

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"slices"

	"github.com/redisctl/redisctl/rdb/intset"
	"github.com/redisctl/redisctl/rdb/listpack"
	"github.com/redisctl/redisctl/rdb/ziplist"
)

// valueEncoder appends values in the layout a given RDB version uses, with
// the encoding choices Redis of that version makes (rdb.c#rdbSaveObject,
// #rdbSaveObjectType). It is shared by Encoder and EncodeDump.
type valueEncoder struct {
	// keepPacked: the value being encoded came from a packed encoding (Value.PackedSource).
	keepPacked bool
	ver        int
	cfg        Config
	sw         stringWriter
	lp         []byte
	zl         []byte
	ms         []ZMember
	is         []int64
	hf         []HashField
	body       []byte
	node       streamNode
}

func newValueEncoder(ver int, cfg Config) *valueEncoder {
	return &valueEncoder{ver: ver, cfg: cfg, sw: stringWriter{compress: cfg.RDBCompression}}
}

// packedThreshold is quicklist's packed_threshold default (1 GB): bigger
// elements get a PLAIN node of their own (Redis 7.0+).
const packedThreshold = 1 << 30

// appendValue appends v's payload (without the type byte) and returns its
// type.
func (e *valueEncoder) appendValue(dst []byte, v *Value) (Type, []byte, error) {
	switch v.Kind {
	case KindString:
		return TypeString, e.sw.appendString(dst, v.String), nil
	case KindList:
		return e.appendList(dst, v.List)
	case KindSet:
		return e.appendSet(dst, v.Set)
	case KindHash:
		return e.appendHash(dst, v.Hash)
	case KindZSet:
		return e.appendZSet(dst, v.ZSet)
	case KindStream:
		if v.Stream == nil {
			return 0, dst, fmt.Errorf("rdb: stream value without a Stream")
		}
		return e.appendStream(dst, v.Stream)
	case KindModule:
		if v.Module == nil {
			return 0, dst, fmt.Errorf("rdb: module value without a Module")
		}
		if e.ver < 8 {
			return 0, dst, fmt.Errorf("%w: module values need RDB 8+", ErrUnsupported)
		}
		dst = AppendLen(dst, v.Module.ID)
		return TypeModule2, append(dst, v.Module.Raw...), nil
	}
	return 0, dst, fmt.Errorf("rdb: cannot encode value kind %v", v.Kind)
}

// ---- lists -------------------------------------------------------------------

// nodeAllows is quicklist.c#_quicklistNodeAllowInsert for a node of sz
// bytes and count entries receiving an element of n bytes.
func (e *valueEncoder) nodeAllows(sz, count, n int) bool {
	if count == 0 {
		return true
	}
	if e.ver >= 10 && n >= packedThreshold {
		return false
	}
	overhead := 1
	if n >= 254 {
		overhead = 5
	}
	switch {
	case n < 64:
		overhead++
	case n < 16384:
		overhead += 2
	default:
		overhead += 5
	}
	newSz := sz + n + overhead
	limBytes, limCount := e.cfg.listNodeLimit()
	if limBytes > 0 {
		return newSz <= limBytes
	}
	if newSz > 8192 {
		return false
	}
	return count < limCount
}

// listNodes calls emit for each quicklist node as Redis would build it by
// pushing elems to the tail: [start, end) and whether it is a PLAIN node.
func (e *valueEncoder) listNodes(elems [][]byte, emit func(start, end int, plain bool)) {
	start, sz, count, prev := 0, 0, 0, 0
	for i, el := range elems {
		if e.ver >= 10 && len(el) >= packedThreshold {
			if count > 0 {
				emit(start, i, false)
			}
			emit(i, i+1, true)
			start, sz, count = i+1, 0, 0
			continue
		}
		if count > 0 && !e.nodeAllows(sz, count, len(el)) {
			emit(start, i, false)
			start, sz, count = i, 0, 0
		}
		if count == 0 {
			sz, prev = e.emptyNodeSize(), 0
		}
		es := e.entrySize(el, prev)
		sz += es
		prev = es
		count++
	}
	if count > 0 {
		emit(start, len(elems), false)
	}
}

func (e *valueEncoder) emptyNodeSize() int {
	if e.ver >= 10 {
		return 7
	}
	return 11
}

func (e *valueEncoder) entrySize(el []byte, prev int) int {
	if e.ver >= 10 {
		return listpack.EntrySize(el)
	}
	return ziplistEntrySize(el, prev)
}

func (e *valueEncoder) appendList(dst []byte, elems [][]byte) (Type, []byte, error) {
	if len(elems) == 0 {
		return 0, dst, fmt.Errorf("rdb: empty list")
	}
	nodes := 0
	e.listNodes(elems, func(int, int, bool) { nodes++ })
	dst = AppendLen(dst, uint64(nodes))
	t := TypeListQuicklist2
	if e.ver < 10 {
		t = TypeListQuicklist
	}
	e.listNodes(elems, func(start, end int, plain bool) {
		switch {
		case plain:
			dst = AppendLen(dst, containerPlain)
			dst = e.sw.appendString(dst, elems[start])
		case e.ver >= 10:
			lp := append(e.lp[:0], listpack.New()...)
			for _, el := range elems[start:end] {
				lp = listpack.Append(lp, el)
			}
			e.lp = lp
			dst = AppendLen(dst, containerPacked)
			dst = e.sw.appendString(dst, lp)
		default:
			zl := append(e.zl[:0], ziplist.New()...)
			for _, el := range elems[start:end] {
				zl = ziplist.Append(zl, el)
			}
			e.zl = zl
			dst = e.sw.appendString(dst, zl)
		}
	})
	return t, dst, nil
}

// ---- sets --------------------------------------------------------------------

func (e *valueEncoder) appendSet(dst []byte, members [][]byte) (Type, []byte, error) {
	if len(members) == 0 {
		return 0, dst, fmt.Errorf("rdb: empty set")
	}
	if int64(len(members)) <= e.cfg.SetMaxIntsetEntries {
		is := e.is[:0]
		for _, m := range members {
			v, ok := parseCanonicalInt(m)
			if !ok {
				is = nil
				break
			}
			is = append(is, v)
		}
		if is != nil {
			e.is = is
			return TypeSetIntset, e.sw.appendString(dst, e.buildIntset(is)), nil
		}
	}
	if e.ver >= 11 && int64(len(members)) <= e.cfg.SetMaxListpackEntries && maxLen(members) <= e.cfg.SetMaxListpackValue {
		lp := append(e.lp[:0], listpack.New()...)
		for _, m := range members {
			lp = listpack.Append(lp, m)
		}
		e.lp = lp
		return TypeSetListpack, e.sw.appendString(dst, lp), nil
	}
	dst = AppendLen(dst, uint64(len(members)))
	for _, m := range members {
		dst = e.sw.appendString(dst, m)
	}
	return TypeSet, dst, nil
}

func maxLen(bs [][]byte) int64 {
	m := 0
	for _, b := range bs {
		m = max(m, len(b))
	}
	return int64(m)
}

// buildIntset lays vs out as the intset Redis builds by adding them: sorted,
// without duplicates, in the narrowest width that holds them all.
func (e *valueEncoder) buildIntset(vs []int64) []byte {
	is := append(e.zl[:0], intset.New()...)
	for _, v := range vs {
		is, _ = intset.Add(is, v)
	}
	e.zl = is
	return is
}

// ---- hashes ------------------------------------------------------------------

func (e *valueEncoder) hashFits(fields []HashField) bool {
	if int64(len(fields)) > e.cfg.HashMaxListpackEntries {
		return false
	}
	for i := 0; !e.keepPacked && i < len(fields); i++ {
		if int64(len(fields[i].Field)) > e.cfg.HashMaxListpackValue || int64(len(fields[i].Value)) > e.cfg.HashMaxListpackValue {
			return false
		}
	}
	return true
}

// hashExpireMax is EB_EXPIRE_TIME_MAX: field expiry times are 48-bit.
const hashExpireMax = 1<<48 - 1

func (e *valueEncoder) appendHash(dst []byte, fields []HashField) (Type, []byte, error) {
	if len(fields) == 0 {
		return 0, dst, fmt.Errorf("rdb: empty hash")
	}
	minExp := int64(0)
	for i := range fields {
		if x := fields[i].Expire; x != 0 {
			if x < 0 || x > hashExpireMax {
				return 0, dst, fmt.Errorf("rdb: hash field expiry %d out of range", x)
			}
			if minExp == 0 || x < minExp {
				minExp = x
			}
		}
	}
	fits := e.hashFits(fields)
	if minExp != 0 {
		if e.ver < 12 {
			return 0, dst, fmt.Errorf("%w: hash field expiry needs RDB 12+", ErrUnsupported)
		}
		if fits {
			// listpackex keeps fields with a TTL sorted by it, the others last.
			hf := append(e.hf[:0], fields...)
			slices.SortStableFunc(hf, func(a, b HashField) int {
				switch {
				case a.Expire == b.Expire:
					return 0
				case a.Expire == 0:
					return 1
				case b.Expire == 0:
					return -1
				case a.Expire < b.Expire:
					return -1
				}
				return 1
			})
			e.hf = hf
			lp := append(e.lp[:0], listpack.New()...)
			for _, f := range hf {
				lp = listpack.Append(lp, f.Field)
				lp = listpack.Append(lp, f.Value)
				lp = listpack.AppendInt(lp, f.Expire)
			}
			e.lp = lp
			dst = binary.LittleEndian.AppendUint64(dst, uint64(minExp))
			return TypeHashListpackEx, e.sw.appendString(dst, lp), nil
		}
		dst = binary.LittleEndian.AppendUint64(dst, uint64(minExp))
		dst = AppendLen(dst, uint64(len(fields)))
		for _, f := range fields {
			ttl := uint64(0)
			if f.Expire != 0 {
				ttl = uint64(f.Expire-minExp) + 1
			}
			dst = AppendLen(dst, ttl)
			dst = e.sw.appendString(dst, f.Field)
			dst = e.sw.appendString(dst, f.Value)
		}
		return TypeHashMetadata, dst, nil
	}
	if fits {
		if e.ver >= 10 {
			lp := append(e.lp[:0], listpack.New()...)
			for _, f := range fields {
				lp = listpack.Append(lp, f.Field)
				lp = listpack.Append(lp, f.Value)
			}
			e.lp = lp
			return TypeHashListpack, e.sw.appendString(dst, lp), nil
		}
		zl := append(e.zl[:0], ziplist.New()...)
		for _, f := range fields {
			zl = ziplist.Append(zl, f.Field)
			zl = ziplist.Append(zl, f.Value)
		}
		e.zl = zl
		return TypeHashZiplist, e.sw.appendString(dst, zl), nil
	}
	dst = AppendLen(dst, uint64(len(fields)))
	for _, f := range fields {
		dst = e.sw.appendString(dst, f.Field)
		dst = e.sw.appendString(dst, f.Value)
	}
	return TypeHash, dst, nil
}

// ---- sorted sets -------------------------------------------------------------

func zcmp(a, b ZMember) int {
	switch {
	case a.Score < b.Score:
		return -1
	case a.Score > b.Score:
		return 1
	}
	return bytes.Compare(a.Member, b.Member)
}

func (e *valueEncoder) appendZSet(dst []byte, members []ZMember) (Type, []byte, error) {
	if len(members) == 0 {
		return 0, dst, fmt.Errorf("rdb: empty zset")
	}
	for i := range members {
		if math.IsNaN(members[i].Score) {
			return 0, dst, fmt.Errorf("rdb: zset score is NaN")
		}
	}
	ms := append(e.ms[:0], members...)
	slices.SortFunc(ms, zcmp)
	e.ms = ms
	fits := int64(len(ms)) <= e.cfg.ZSetMaxListpackEntries
	for i := 0; fits && !e.keepPacked && i < len(ms); i++ {
		fits = int64(len(ms[i].Member)) <= e.cfg.ZSetMaxListpackValue
	}
	if fits {
		var num [40]byte
		if e.ver >= 10 {
			lp := append(e.lp[:0], listpack.New()...)
			for _, m := range ms {
				lp = listpack.Append(lp, m.Member)
				lp = listpack.Append(lp, appendScoreText(num[:0], m.Score, e.ver))
			}
			e.lp = lp
			return TypeZSetListpack, e.sw.appendString(dst, lp), nil
		}
		zl := append(e.zl[:0], ziplist.New()...)
		for _, m := range ms {
			zl = ziplist.Append(zl, m.Member)
			zl = ziplist.Append(zl, appendScoreText(num[:0], m.Score, e.ver))
		}
		e.zl = zl
		return TypeZSetZiplist, e.sw.appendString(dst, zl), nil
	}
	// The skiplist is saved from the tail: greatest first.
	dst = AppendLen(dst, uint64(len(ms)))
	for i := len(ms) - 1; i >= 0; i-- {
		dst = e.sw.appendString(dst, ms[i].Member)
		if e.ver >= 8 {
			dst = appendBinDouble(dst, ms[i].Score)
		} else {
			dst = appendTextDouble(dst, ms[i].Score)
		}
	}
	if e.ver >= 8 {
		return TypeZSet2, dst, nil
	}
	return TypeZSet, dst, nil
}

// ---- streams -------------------------------------------------------------------

func (e *valueEncoder) streamType() (Type, int, error) {
	switch {
	case e.ver >= 13:
		return TypeStreamListpacks4, 4, nil
	case e.ver >= 11:
		return TypeStreamListpacks3, 3, nil
	case e.ver >= 10:
		return TypeStreamListpacks2, 2, nil
	case e.ver >= 9:
		return TypeStreamListpacks, 1, nil
	}
	return 0, 0, fmt.Errorf("%w: streams need RDB 9+", ErrUnsupported)
}

// streamNode accumulates one stream listpack node as streamAppendItem
// (t_stream.c) builds it.
type streamNode struct {
	lp      []byte
	master  StreamID
	fields  [][]byte // master fields (alias the caller's entry)
	count   int
	entries int
}

func (e *valueEncoder) appendStream(dst []byte, s *Stream) (Type, []byte, error) {
	t, sver, err := e.streamType()
	if err != nil {
		return 0, dst, err
	}
	maxBytes := int(e.cfg.StreamNodeMaxBytes)
	if maxBytes <= 0 || maxBytes > 1<<30 {
		maxBytes = 1 << 30
	}
	maxEntries := int(e.cfg.StreamNodeMaxEntries)

	// The nodes go to e.body first: their count precedes them.
	body := e.body[:0]
	nodes := 0
	node := &e.node
	node.count = 0
	var prev StreamID
	for i := range s.Entries {
		en := &s.Entries[i]
		if len(en.Fields)%2 != 0 || len(en.Fields) == 0 {
			return 0, dst, fmt.Errorf("rdb: stream entry %v has %d field/value items", en.ID, len(en.Fields))
		}
		if i > 0 && !prev.Less(en.ID) {
			return 0, dst, fmt.Errorf("rdb: stream entry %v is not after %v", en.ID, prev)
		}
		prev = en.ID
		tot := 0
		for _, f := range en.Fields {
			tot += len(f)
		}
		if node.count > 0 && (len(node.lp)+tot >= maxBytes || maxEntries > 0 && node.count >= maxEntries) {
			body = e.flushStreamNode(body)
			nodes++
		}
		if node.count == 0 {
			node.master = en.ID
			lp := append(node.lp[:0], listpack.New()...)
			lp = listpack.AppendInt(lp, 1)
			lp = listpack.AppendInt(lp, 0)
			lp = listpack.AppendInt(lp, int64(len(en.Fields)/2))
			node.fields = node.fields[:0]
			for j := 0; j < len(en.Fields); j += 2 {
				lp = listpack.Append(lp, en.Fields[j])
				node.fields = append(node.fields, en.Fields[j])
			}
			lp = listpack.AppendInt(lp, 0)
			node.lp = lp
		}
		same := len(node.fields) == len(en.Fields)/2
		for j := 0; same && j < len(node.fields); j++ {
			same = bytes.Equal(node.fields[j], en.Fields[2*j])
		}
		lp := node.lp
		flags := int64(0)
		if same {
			flags = streamFlagSameFields
		}
		nf := int64(len(en.Fields) / 2)
		lp = listpack.AppendInt(lp, flags)
		lp = listpack.AppendInt(lp, int64(en.ID.Ms-node.master.Ms))
		lp = listpack.AppendInt(lp, int64(en.ID.Seq-node.master.Seq))
		if !same {
			lp = listpack.AppendInt(lp, nf)
		}
		for j := 0; j < len(en.Fields); j += 2 {
			if !same {
				lp = listpack.Append(lp, en.Fields[j])
			}
			lp = listpack.Append(lp, en.Fields[j+1])
		}
		lpCount := nf + 3
		if !same {
			lpCount += nf + 1
		}
		lp = listpack.AppendInt(lp, lpCount)
		node.count++
		// The master count tracks the node's entries in place
		// (lpReplaceInteger), which can change the listpack's size.
		setStreamMasterCount(&lp, node.count)
		node.lp = lp
	}
	if node.count > 0 {
		body = e.flushStreamNode(body)
		nodes++
	}
	for i := range node.fields {
		node.fields[i] = nil
	}
	e.body = body
	dst = AppendLen(dst, uint64(nodes))
	dst = append(dst, body...)
	length := s.Length
	if length == 0 {
		length = uint64(len(s.Entries))
	}
	dst = AppendLen(dst, length)
	dst = AppendLen(dst, s.LastID.Ms)
	dst = AppendLen(dst, s.LastID.Seq)
	if sver >= 2 {
		added := s.EntriesAdded
		if added == 0 {
			added = length
		}
		dst = AppendLen(dst, s.FirstID.Ms)
		dst = AppendLen(dst, s.FirstID.Seq)
		dst = AppendLen(dst, s.MaxDeletedID.Ms)
		dst = AppendLen(dst, s.MaxDeletedID.Seq)
		dst = AppendLen(dst, added)
	}
	groups := slices.Clone(s.Groups)
	slices.SortFunc(groups, func(a, b StreamGroupValue) int { return bytes.Compare(a.Name, b.Name) })
	dst = AppendLen(dst, uint64(len(groups)))
	for _, g := range groups {
		dst = e.sw.appendString(dst, g.Name)
		dst = AppendLen(dst, g.LastID.Ms)
		dst = AppendLen(dst, g.LastID.Seq)
		if sver >= 2 {
			dst = AppendLen(dst, uint64(g.EntriesRead))
		}
		pel := slices.Clone(g.PEL)
		slices.SortFunc(pel, func(a, b StreamPending) int { return cmpID(a.ID, b.ID) })
		dst = AppendLen(dst, uint64(len(pel)))
		for _, p := range pel {
			dst = appendRawID(dst, p.ID)
			dst = binary.LittleEndian.AppendUint64(dst, uint64(p.DeliveryTime))
			dst = AppendLen(dst, p.DeliveryCount)
		}
		cons := slices.Clone(g.Consumers)
		slices.SortFunc(cons, func(a, b StreamConsumerValue) int { return bytes.Compare(a.Name, b.Name) })
		dst = AppendLen(dst, uint64(len(cons)))
		for _, c := range cons {
			dst = e.sw.appendString(dst, c.Name)
			dst = binary.LittleEndian.AppendUint64(dst, uint64(c.SeenTime))
			if sver >= 3 {
				at := c.ActiveTime
				if at < 0 {
					at = c.SeenTime
				}
				dst = binary.LittleEndian.AppendUint64(dst, uint64(at))
			}
			ids := slices.Clone(c.PEL)
			slices.SortFunc(ids, cmpID)
			dst = AppendLen(dst, uint64(len(ids)))
			for _, id := range ids {
				dst = appendRawID(dst, id)
			}
		}
	}
	if sver >= 4 {
		dst = append(dst, 0, 0, 0, 0, 0) // no IDMP: duration, max, producers, added, duplicates
	}
	return t, dst, nil
}

func cmpID(a, b StreamID) int {
	switch {
	case a.Less(b):
		return -1
	case b.Less(a):
		return 1
	}
	return 0
}

func appendRawID(dst []byte, id StreamID) []byte {
	dst = binary.BigEndian.AppendUint64(dst, id.Ms)
	return binary.BigEndian.AppendUint64(dst, id.Seq)
}

// flushStreamNode appends the current stream node (master ID, listpack) to
// body.
func (e *valueEncoder) flushStreamNode(body []byte) []byte {
	node := &e.node
	var key [16]byte
	binary.BigEndian.PutUint64(key[:], node.master.Ms)
	binary.BigEndian.PutUint64(key[8:], node.master.Seq)
	body = e.sw.appendString(body, key[:])
	body = e.sw.appendString(body, node.lp)
	node.count = 0
	return body
}

// setStreamMasterCount rewrites the master entry's count (the first entry)
// as lpReplaceInteger does.
func setStreamMasterCount(lp *[]byte, n int) {
	off := listpack.First(*lp)
	*lp = listpack.ReplaceInt(*lp, off, int64(n))
}
