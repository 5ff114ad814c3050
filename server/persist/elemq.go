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
	a, b  string // b: a hash's value; empty and unused (two false) otherwise
	two   bool
	score float64
	zset  bool
}

// bigElems reports whether one of s's strings is long enough to go through an elemQueue.
func bigElems(a, b string) bool { return len(a) >= bigElem || len(b) >= bigElem }

// elemQueue writes elements taken aside, in order, in steps: a small string at once, a big
// one through a strJob, a block or a piece at a time.
type elemQueue struct {
	r    *RDBEncoder
	q    []elem
	part int // of q[0]: 0 its first string, 1 its second, 2 the score
	sub  *strJob
}

func (w *elemQueue) push(e elem) { w.q = append(w.q, e) }

// own copies the bytes the queue still has to write, for elements whose bytes may change
// from now on (a list's node, once its job is detached): the rest of the string being
// written (its strJob's Detach) and every string not begun.
func (w *elemQueue) own() {
	for i := range w.q {
		e := &w.q[i]
		if i > 0 || w.part == 0 && w.sub == nil {
			e.a = strings.Clone(e.a)
		}
		if i > 0 || w.part <= 1 && !(w.part == 1 && w.sub != nil) {
			e.b = strings.Clone(e.b)
		}
	}
	if w.sub != nil {
		w.sub.Detach()
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
		switch {
		case w.sub != nil:
			var done bool
			var err error
			if dst, done, err = w.sub.Step(dst, deadline); err != nil || !done {
				return dst, false, err
			}
			w.sub = nil
			w.part++
		case w.part == 0 || w.part == 1 && e.two:
			s := e.a
			if w.part == 1 {
				s = e.b
			}
			if len(s) < bigElem {
				dst = w.r.appendString(dst, s)
				w.part++
				continue
			}
			w.sub = newStrJob(nil, unsafe.Slice(unsafe.StringData(s), len(s)), w.r.compress)
			continue
		case w.part < 2:
			w.part = 2
		default:
			if e.zset {
				dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(e.score))
			}
			w.q[0] = elem{}
			w.q = w.q[1:]
			w.part = 0
		}
		if !deadline.IsZero() && !time.Now().Before(deadline) && len(w.q) > 0 {
			return dst, false, nil
		}
	}
	w.q = nil
	return dst, true, nil
}
