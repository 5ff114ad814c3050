package rdb

import (
	"math"
	"strconv"
)

// sampleValues covers each kind and the encodings the encoder picks.
func sampleValues() []*Value {
	bs := func(n int, f func(i int) string) [][]byte {
		out := make([][]byte, n)
		for i := range out {
			out[i] = []byte(f(i))
		}
		return out
	}
	return []*Value{
		{Kind: KindString, String: []byte("hello")},
		{Kind: KindString, String: []byte("12345")},
		{Kind: KindString, String: []byte(string(make([]byte, 100)))},
		{Kind: KindList, List: bs(10, strconv.Itoa)},
		{Kind: KindList, List: bs(2000, func(i int) string { return "elem" + strconv.Itoa(i) })},
		{Kind: KindSet, Set: bs(10, strconv.Itoa)},
		{Kind: KindSet, Set: bs(10, func(i int) string { return "m" + strconv.Itoa(i) })},
		{Kind: KindHash, Hash: []HashField{{Field: []byte("a"), Value: []byte("b")}, {Field: []byte("c"), Value: []byte("1")}}},
		{Kind: KindHash, Hash: []HashField{{Field: []byte("a"), Value: []byte(string(make([]byte, 70)))}}},
		{Kind: KindZSet, ZSet: []ZMember{{[]byte("a"), 1.5}, {[]byte("b"), math.Inf(-1)}}},
		{Kind: KindStream, Stream: &Stream{Entries: []StreamEntry{{ID: StreamID{1, 1}, Fields: [][]byte{[]byte("f"), []byte("v")}}}, LastID: StreamID{1, 1}, FirstID: StreamID{1, 1}, EntriesAdded: 1,
			Groups: []StreamGroupValue{{Name: []byte("g"), LastID: StreamID{1, 1}, EntriesRead: 1, PEL: []StreamPending{{ID: StreamID{1, 1}, DeliveryTime: 5, DeliveryCount: 1}},
				Consumers: []StreamConsumerValue{{Name: []byte("c"), SeenTime: 5, ActiveTime: 5, PEL: []StreamID{{1, 1}}}}}}}},
	}
}
