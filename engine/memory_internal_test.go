package engine

import "testing"

func TestMemQuantize(t *testing.T) {
	prev := int64(0)
	for _, n := range []int64{1, 2, 100, 2047, 2048, 2049, 4095, 4096, 4097, 1 << 20, 1<<20 + 1,
		123456789, 1 << 40, 1<<41 + 12345} {
		c := memEncode(n)
		d := memDecode(c)
		if d < n {
			t.Fatalf("decode(encode(%d)) = %d, below", n, d)
		}
		if n >= 2048 && float64(d-n) > float64(n)/1024 {
			t.Fatalf("decode(encode(%d)) = %d: error over 1/1024", n, d)
		}
		if n < 2048 && d != n {
			t.Fatalf("decode(encode(%d)) = %d, want exact", n, d)
		}
		if d < prev {
			t.Fatalf("not monotonic at %d", n)
		}
		prev = d
		if c == 0 || c == memDead {
			t.Fatalf("encode(%d) gave reserved code %#x", n, c)
		}
	}
	if memDecode(memEncode(1<<62)) == 0 {
		t.Fatal("huge size lost")
	}
}

func TestEvictionPoolInsert(t *testing.T) {
	e := &Engine{}
	// Fill with idle 10..160 and check order and the drop of the smallest on overflow.
	for i := 16; i >= 1; i-- {
		e.poolInsert(uint64(i*10), "k", 0)
	}
	for k := 0; k < evpoolSize; k++ {
		if got := e.evict.pool[k].idle; got != uint64((k+1)*10) {
			t.Fatalf("pool[%d].idle = %d, want %d", k, got, (k+1)*10)
		}
	}
	e.poolInsert(5, "worse", 0) // worse than everything: ignored
	if e.evict.pool[0].idle != 10 {
		t.Fatalf("worse candidate inserted")
	}
	e.poolInsert(1000, "best", 0)
	if p := e.evict.pool[evpoolSize-1]; p.idle != 1000 || p.key != "best" {
		t.Fatalf("best candidate not at the right: %+v", p)
	}
	if e.evict.pool[0].idle != 20 {
		t.Fatalf("smallest not dropped: %d", e.evict.pool[0].idle)
	}
}

func TestEvictionTimeLimit(t *testing.T) {
	e := &Engine{}
	for _, c := range []struct {
		ten  int
		want int64 // µs
	}{{0, 0}, {10, 500}, {11, 575}, {100, -1}} {
		e.evict.tenacity = c.ten
		got := e.evictionTimeLimit().Microseconds()
		if c.want < 0 {
			if got < 1e12 {
				t.Fatalf("tenacity 100: limit %dµs, want unlimited", got)
			}
			continue
		}
		if got != c.want {
			t.Fatalf("tenacity %d: %dµs, want %d", c.ten, got, c.want)
		}
	}
}
