package rdbjson

import (
	"strconv"

	"github.com/redisctl/redisctl/rdb"
)

// streamState renders a stream: entries stream into the Writer's body; metadata, groups,
// PELs and consumers are small and kept here until the key ends.
type streamState struct {
	meta       rdb.StreamMeta
	haveMeta   bool
	firstEntry bool
	inEntry    bool
	firstField bool
	firstLive  rdb.StreamID
	haveLive   bool
	skipEntry  bool

	groups []byte

	// the group being read
	gname     []byte
	glast     rdb.StreamID
	gread     int64
	pel       []pendingRow
	pelIndex  map[rdb.StreamID]int
	consumers []consumerRow
	inGroup   bool
}

type pendingRow struct {
	id       rdb.StreamID
	consumer []byte
	time     int64
	count    uint64
}

type consumerRow struct {
	name   []byte
	seen   int64
	active int64
	pel    []rdb.StreamID
}

func (st *streamState) init() {
	*st = streamState{firstEntry: true, pelIndex: map[rdb.StreamID]int{}}
}

func (st *streamState) record(jw *Writer, d *rdb.Decoder) {
	switch d.Kind() {
	case rdb.RecStreamEntry:
		st.closeEntry(jw)
		if d.EntryDeleted() {
			st.skipEntry = true
			return
		}
		st.skipEntry = false
		id := d.StreamID()
		if !st.haveLive {
			st.firstLive, st.haveLive = id, true
		}
		b := jw.line[:0]
		if !st.firstEntry {
			b = append(b, ',')
		}
		st.firstEntry = false
		b = append(b, `{"id":"`...)
		b = append(b, id.String()...)
		b = append(b, `","fields":[`...)
		jw.line = b
		jw.body.Write(b)
		st.inEntry, st.firstField = true, true
	case rdb.RecStreamField:
		if st.skipEntry {
			return
		}
		b := jw.line[:0]
		if !st.firstField {
			b = append(b, ',')
		}
		st.firstField = false
		b = append(b, '[')
		b = AppendBytes(b, d.Field())
		b = append(b, ',')
		b = AppendBytes(b, d.Value())
		b = append(b, ']')
		jw.line = b
		jw.body.Write(b)
	case rdb.RecStreamMeta:
		st.closeEntry(jw)
		st.meta, st.haveMeta = d.StreamMeta(), true
	case rdb.RecStreamGroup:
		st.closeEntry(jw)
		st.closeGroup()
		g := d.StreamGroup()
		st.gname = append(st.gname[:0], g.Name...)
		st.glast = g.LastID
		st.gread = g.EntriesRead
		if !st.meta.HasV2 {
			st.gread = st.estimateEntriesRead(g.LastID)
		}
		st.inGroup = true
	case rdb.RecStreamPending:
		p := d.StreamPending()
		st.pelIndex[p.ID] = len(st.pel)
		st.pel = append(st.pel, pendingRow{id: p.ID, time: p.DeliveryTime, count: p.DeliveryCount})
	case rdb.RecStreamConsumer:
		c := d.StreamConsumer()
		st.consumers = append(st.consumers, consumerRow{name: append([]byte(nil), c.Name...),
			seen: c.SeenTime, active: c.ActiveTime})
	case rdb.RecStreamConsumerPending:
		id := d.StreamID()
		if n := len(st.consumers); n > 0 {
			c := &st.consumers[n-1]
			c.pel = append(c.pel, id)
			if i, ok := st.pelIndex[id]; ok {
				st.pel[i].consumer = c.name
			}
		}
	}
}

func (st *streamState) closeEntry(jw *Writer) {
	if st.inEntry {
		jw.body.Write([]byte("]}"))
		st.inEntry = false
	}
}

// estimateEntriesRead is Redis's streamEstimateDistanceFromFirstEverEntry, used when a v1
// stream's groups carry no entries_read.
func (st *streamState) estimateEntriesRead(id rdb.StreamID) int64 {
	m := st.meta
	added := int64(m.EntriesAdded)
	if !m.HasV2 {
		added = int64(m.Length)
	}
	if added == 0 {
		return 0
	}
	cmp := func(a, b rdb.StreamID) int {
		switch {
		case a.Less(b):
			return -1
		case b.Less(a):
			return 1
		}
		return 0
	}
	if m.Length == 0 && cmp(id, m.LastID) < 1 {
		return added
	}
	cl := cmp(id, m.LastID)
	if cl == 0 {
		return added
	} else if cl > 0 {
		return -1
	}
	first := st.firstID()
	cf := cmp(id, first)
	zero := rdb.StreamID{}
	if st.meta.MaxDeletedID == zero || cmp(st.meta.MaxDeletedID, first) < 0 {
		if cf < 0 {
			return added - int64(m.Length)
		} else if cf == 0 {
			return added - int64(m.Length) + 1
		}
	}
	return -1
}

func (st *streamState) firstID() rdb.StreamID {
	if st.meta.HasV2 {
		return st.meta.FirstID
	}
	if st.haveLive {
		return st.firstLive
	}
	return rdb.StreamID{}
}

func (st *streamState) closeGroup() {
	if !st.inGroup {
		return
	}
	st.inGroup = false
	b := st.groups
	if len(b) > 0 {
		b = append(b, ',')
	}
	b = append(b, `{"name":`...)
	b = AppendBytes(b, st.gname)
	b = append(b, `,"last_delivered_id":"`...)
	b = append(b, st.glast.String()...)
	b = append(b, `","entries_read":`...)
	if st.gread < 0 {
		b = append(b, "null"...)
	} else {
		b = strconv.AppendInt(b, st.gread, 10)
	}
	b = append(b, `,"pel":[`...)
	for i, p := range st.pel {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"id":"`...)
		b = append(b, p.id.String()...)
		b = append(b, `","consumer":`...)
		b = AppendBytes(b, p.consumer)
		b = append(b, `,"delivery_time":`...)
		b = strconv.AppendInt(b, p.time, 10)
		b = append(b, `,"delivery_count":`...)
		b = strconv.AppendUint(b, p.count, 10)
		b = append(b, '}')
	}
	b = append(b, `],"consumers":[`...)
	for i, c := range st.consumers {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"name":`...)
		b = AppendBytes(b, c.name)
		b = append(b, `,"seen_time":`...)
		b = strconv.AppendInt(b, c.seen, 10)
		if c.active >= 0 {
			b = append(b, `,"active_time":`...)
			b = strconv.AppendInt(b, c.active, 10)
		}
		b = append(b, `,"pel":[`...)
		for j, id := range c.pel {
			if j > 0 {
				b = append(b, ',')
			}
			b = append(b, '"')
			b = append(b, id.String()...)
			b = append(b, '"')
		}
		b = append(b, ']', '}')
	}
	b = append(b, ']', '}')
	st.groups = b
	st.pel = st.pel[:0]
	clear(st.pelIndex)
	st.consumers = st.consumers[:0]
}

// appendHead writes the stream object's opening, up to the entries array.
func (st *streamState) appendHead(b []byte) []byte {
	st.closeGroup()
	m := st.meta
	added := m.EntriesAdded
	maxDel := m.MaxDeletedID
	first := st.firstID()
	if !m.HasV2 {
		added = m.Length
		maxDel = rdb.StreamID{}
	}
	b = append(b, `{"length":`...)
	b = strconv.AppendUint(b, m.Length, 10)
	b = append(b, `,"last_generated_id":"`...)
	b = append(b, m.LastID.String()...)
	b = append(b, `","max_deleted_entry_id":"`...)
	b = append(b, maxDel.String()...)
	b = append(b, `","entries_added":`...)
	b = strconv.AppendUint(b, added, 10)
	b = append(b, `,"recorded_first_entry_id":"`...)
	b = append(b, first.String()...)
	b = append(b, `","entries":[`...)
	return b
}
