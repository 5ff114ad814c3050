package tsort

// PartialSort sorts v so that the positions lo..hi (inclusive) hold what a full sort would
// put there, exactly as Redis's pqsort (pqsort.c, a Bentley–McIlroy quicksort that skips
// partitions outside the wanted range) does, step for step: with a comparison that has
// ties, the order of equal elements in lo..hi is the one Redis returns for SORT … BY …
// LIMIT. Positions outside lo..hi are left partly sorted. hi may be lo-1 (an empty range).
func PartialSort[T any](v []T, cmp func(a, b *T) int, lo, hi int) {
	pqsort(v, 0, len(v), cmp, lo, hi)
}

func pqsort[T any](v []T, a, n int, cmp func(a, b *T) int, lo, hi int) {
loop:
	if n < 7 {
		for pm := a + 1; pm < a+n; pm++ {
			for pl := pm; pl > a && cmp(&v[pl-1], &v[pl]) > 0; pl-- {
				v[pl], v[pl-1] = v[pl-1], v[pl]
			}
		}
		return
	}
	pm := a + n/2
	if n > 7 {
		pl, pn := a, a+n-1
		if n > 40 {
			d := n / 8
			pl = med3(v, pl, pl+d, pl+2*d, cmp)
			pm = med3(v, pm-d, pm, pm+d, cmp)
			pn = med3(v, pn-2*d, pn-d, pn, cmp)
		}
		pm = med3(v, pl, pm, pn, cmp)
	}
	v[a], v[pm] = v[pm], v[a]
	pa, pb := a+1, a+1
	pc, pd := a+n-1, a+n-1
	for {
		for pb <= pc {
			r := cmp(&v[pb], &v[a])
			if r > 0 {
				break
			}
			if r == 0 {
				v[pa], v[pb] = v[pb], v[pa]
				pa++
			}
			pb++
		}
		for pb <= pc {
			r := cmp(&v[pc], &v[a])
			if r < 0 {
				break
			}
			if r == 0 {
				v[pc], v[pd] = v[pd], v[pc]
				pd--
			}
			pc--
		}
		if pb > pc {
			break
		}
		v[pb], v[pc] = v[pc], v[pb]
		pb++
		pc--
	}
	pn := a + n
	r := min(pa-a, pb-pa)
	vecswap(v, a, pb-r, r)
	r = min(pd-pc, pn-pd-1)
	vecswap(v, pb, pn-r, r)
	if r = pb - pa; r > 1 && !outside(a, r, lo, hi) {
		pqsort(v, a, r, cmp, lo, hi)
	}
	if r = pd - pc; r > 1 {
		// Iterate rather than recurse, as pqsort.c does.
		a, n = pn-r, r
		if !outside(a, n, lo, hi) {
			goto loop
		}
	}
}

// outside reports whether the partition [a, a+n) lies wholly before or after lo..hi, the
// test pqsort.c makes with byte pointers (the range's last byte is hi's last byte).
func outside(a, n, lo, hi int) bool {
	return (lo < a && hi < a) || (lo >= a+n && hi >= a+n)
}

func med3[T any](v []T, a, b, c int, cmp func(a, b *T) int) int {
	if cmp(&v[a], &v[b]) < 0 {
		if cmp(&v[b], &v[c]) < 0 {
			return b
		}
		if cmp(&v[a], &v[c]) < 0 {
			return c
		}
		return a
	}
	if cmp(&v[b], &v[c]) > 0 {
		return b
	}
	if cmp(&v[a], &v[c]) < 0 {
		return a
	}
	return c
}

func vecswap[T any](v []T, i, j, n int) {
	for k := 0; k < n; k++ {
		v[i+k], v[j+k] = v[j+k], v[i+k]
	}
}

// mergeSort is a stable sort with a scratch buffer as long as v, the algorithm of glibc's
// qsort (msort): what Redis's qsort calls do on glibc, so equal elements keep their order.
func mergeSort[T any](v, tmp []T, cmp func(a, b *T) int) {
	n := len(v)
	if n <= 1 {
		return
	}
	if n <= 12 { // insertion sort: stable, and cheaper than merging tiny runs
		for i := 1; i < n; i++ {
			for j := i; j > 0 && cmp(&v[j-1], &v[j]) > 0; j-- {
				v[j], v[j-1] = v[j-1], v[j]
			}
		}
		return
	}
	h := n / 2
	mergeSort(v[:h], tmp[:h], cmp)
	mergeSort(v[h:], tmp[h:], cmp)
	if cmp(&v[h-1], &v[h]) <= 0 {
		return // already in order
	}
	copy(tmp, v)
	i, j, k := 0, h, 0
	for i < h && j < n {
		if cmp(&tmp[i], &tmp[j]) <= 0 {
			v[k] = tmp[i]
			i++
		} else {
			v[k] = tmp[j]
			j++
		}
		k++
	}
	k += copy(v[k:], tmp[i:h])
	copy(v[k:], tmp[j:n])
}
