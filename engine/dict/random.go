package dict

import "math/rand/v2"

// fairSamples is how many entries FairRandom samples (Redis's GETFAIR_NUM_ENTRIES).
const fairSamples = 15

// Random returns a random entry, or nil if the dict is empty (Redis's dictGetRandomKey). It
// picks a random non-empty bucket, then a random entry of its chain, so entries in short
// chains are favoured; use FairRandom where that matters.
func (d *Dict[V]) Random() *Entry[V] {
	if d.Len() == 0 {
		return nil
	}
	d.step()
	var head *Entry[V]
	if d.ht[1].buckets != nil {
		// Buckets of ht[0] below rehashIdx are empty: draw from the rest of ht[0] and all
		// of ht[1] as one range.
		s0 := len(d.ht[0].buckets)
		span := uint64(s0 + len(d.ht[1].buckets) - d.rehashIdx)
		for head == nil {
			i := d.rehashIdx + int(rand.Uint64N(span))
			if i >= s0 {
				head = d.ht[1].buckets[i-s0]
			} else {
				head = d.ht[0].buckets[i]
			}
		}
	} else {
		b := d.ht[0].buckets
		m := uint64(len(b) - 1)
		for head == nil {
			head = b[rand.Uint64()&m]
		}
	}
	n := 0
	for e := head; e != nil; e = e.next {
		n++
	}
	e := head
	for k := rand.IntN(n); k > 0; k-- {
		e = e.next
	}
	return e
}

// FairRandom returns a random entry with a distribution closer to uniform than Random's, or
// nil if the dict is empty (Redis's dictGetFairRandomKey, used by RANDOMKEY and SPOP/
// SRANDMEMBER): it samples with SomeKeys and picks one sample, falling back to Random when
// the sample comes back empty.
func (d *Dict[V]) FairRandom() *Entry[V] {
	var buf [fairSamples]*Entry[V]
	s := d.SomeKeys(buf[:0], fairSamples)
	if len(s) == 0 {
		return d.Random()
	}
	return s[rand.IntN(len(s))]
}

// SomeKeys appends up to n entries sampled from the dict to dst and returns it (Redis's
// dictGetSomeKeys, the eviction and active-expiry sampler). It walks consecutive buckets of
// both tables from a random point, jumping elsewhere after a run of empty buckets, and gives
// up after 10n buckets, so it may return fewer than n entries even when Len() ≥ n. An entry
// may (rarely) appear twice when a jump lands on buckets already walked. While rehashing it
// first does up to n rehash steps.
func (d *Dict[V]) SomeKeys(dst []*Entry[V], n int) []*Entry[V] {
	if n > d.Len() {
		n = d.Len()
	}
	if n <= 0 {
		return dst
	}
	for j := 0; j < n && d.ht[1].buckets != nil && d.paused == 0; j++ {
		d.rehash(RehashStepBuckets)
	}
	tables := 1
	maxMask := uint64(len(d.ht[0].buckets) - 1)
	if d.ht[1].buckets != nil {
		tables = 2
		maxMask = max(maxMask, uint64(len(d.ht[1].buckets)-1))
	}
	i := rand.Uint64() & maxMask
	emptyRun, stored := 0, 0
	for steps := n * 10; stored < n && steps > 0; steps-- {
		for t := 0; t < tables; t++ {
			if tables == 2 && t == 0 && i < uint64(d.rehashIdx) {
				// ht[0] below rehashIdx is empty. If i is also past the end of ht[1]
				// (shrinking), both tables are empty up to rehashIdx: jump there.
				if i < uint64(len(d.ht[1].buckets)) {
					continue
				}
				i = uint64(d.rehashIdx)
			}
			b := d.ht[t].buckets
			if i >= uint64(len(b)) {
				continue
			}
			e := b[i]
			if e == nil {
				emptyRun++
				if emptyRun >= 5 && emptyRun > n {
					i = rand.Uint64() & maxMask
					emptyRun = 0
				}
				continue
			}
			emptyRun = 0
			for ; e != nil; e = e.next {
				dst = append(dst, e)
				stored++
				if stored == n {
					return dst
				}
			}
		}
		i = (i + 1) & maxMask
	}
	return dst
}
