package persist

import (
	"encoding/binary"
	"math"
	"strings"
	"time"
	"unsafe"
)

// bigElem is the length from which an element's string (a hash's field or value, a set's
// or zset's member) is written by a strJob, in LZF blocks over several steps, instead of
// at once where its container's job meets it: LZF of a 5 MB value held the lock 10-30 ms.
const bigElem = 64 << 10

// elem is a container's element as its record writes it, taken aside: its strings (the
// engine never rewrites an element's bytes in place: a change replaces them) and, for a
// zset, the score that follows the member.
type elem struct {
	s     [2]string // a hash's field and value; a member or a list node alone
	n     int       // strings in s
	score float64
	zset  bool
}

// bigElems reports whether a or b is long enough to go through an elemQueue.
func bigElems(a, b string) bool { return len(a) >= bigElem || len(b) >= bigElem }

// elemQueue writes elements taken aside, in order, in steps: a small string at once, a big
// one through a strJob, a block or a piece at a time.
type elemQueue struct {
	r    *RDBEncoder
	q    []elem
	part int // of q[0]: the strings written
	sub  *strJob
}

func (w *elemQueue) push(e elem) { w.q = append(w.q, e) }

// own copies the bytes the queue still has to write, for elements whose bytes may change
// from now on (a list's node, once its job is detached): the rest of the string being
// written (its strJob's Detach) and every string not begun.
func (w *elemQueue) own() {
	if w.sub != nil {
		w.sub.Detach()
	}
	for i := range w.q {
		e := &w.q[i]
		for k := range e.n {
			if i == 0 && (k < w.part || k == w.part && w.sub != nil) {
				continue // written, or its strJob's own now
			}
			e.s[k] = strings.Clone(e.s[k])
		}
	}
}

func (w *elemQueue) empty() bool { return len(w.q) == 0 }

// drain is step for a job's Step: it reports whether the Step must return now, with dst
// and err: the queue is not empty yet (its deadline passed), or writing failed.
func (w *elemQueue) drain(dst []byte, deadline time.Time) ([]byte, bool, error) {
	if len(w.q) == 0 {
		return dst, false, nil
	}
	dst, done, err := w.step(dst, deadline)
	return dst, err != nil || !done, err
}

// step writes until the queue is empty (true) or the deadline has passed (the zero time:
// to the end).
func (w *elemQueue) step(dst []byte, deadline time.Time) ([]byte, bool, error) {
	for len(w.q) > 0 {
		e := &w.q[0]
		if w.sub != nil {
			var done bool
			var err error
			if dst, done, err = w.sub.Step(dst, deadline); err != nil || !done {
				return dst, false, err
			}
			w.sub = nil
			w.part++
		}
		for ; w.part < e.n; w.part++ {
			s := e.s[w.part]
			if len(s) >= bigElem {
				w.sub = newStrJob(nil, unsafe.Slice(unsafe.StringData(s), len(s)), w.r.compress)
				break
			}
			dst = w.r.appendString(dst, s)
		}
		if w.sub != nil {
			continue
		}
		if e.zset {
			dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(e.score))
		}
		w.q[0] = elem{}
		w.q = w.q[1:]
		w.part = 0
		if !deadline.IsZero() && !time.Now().Before(deadline) && len(w.q) > 0 {
			return dst, false, nil
		}
	}
	w.q = nil
	return dst, true, nil
}
