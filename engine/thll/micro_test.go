package thll

import (
	"strconv"
	"testing"
)

func denseOf(n int) []byte {
	s := NewEmpty()
	for i := 0; i < n; i++ {
		s, _ = Add(s, []byte(strconv.Itoa(i)))
	}
	return s
}

func BenchmarkMergeIntoDense(b *testing.B) {
	s := denseOf(20000)
	var max [Registers]uint8
	b.ReportAllocs()
	for b.Loop() {
		_ = MergeInto(&max, s)
	}
}

func BenchmarkCountRaw(b *testing.B) {
	var max [Registers]uint8
	_ = MergeInto(&max, denseOf(20000))
	b.ReportAllocs()
	for b.Loop() {
		CountRaw(&max)
	}
}
