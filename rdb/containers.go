package rdb

import (
	"encoding/binary"

	"github.com/redisctl/redisctl/rdb/intset"
	"github.com/redisctl/redisctl/rdb/listpack"
	"github.com/redisctl/redisctl/rdb/ziplist"
	"github.com/redisctl/redisctl/rdb/zipmap"
)

// elemIter iterates the entries of a listpack or a ziplist blob through the
// leaf packages, filling slots without allocating.
type elemIter struct {
	zl bool
	n  int // entries from the header, -1 if unknown
	lp listpack.Iter
	z  ziplist.Iter
}

func (it *elemIter) initListpack(b []byte) bool {
	if len(b) < 7 || int(binary.LittleEndian.Uint32(b)) != len(b) || b[len(b)-1] != 0xff {
		return false
	}
	it.zl = false
	it.n = int(binary.LittleEndian.Uint16(b[4:]))
	if it.n == 65535 {
		it.n = -1
	}
	lp, err := listpack.NewIter(b)
	if err != nil {
		return false
	}
	it.lp = lp
	return true
}

func (it *elemIter) initZiplist(b []byte) bool {
	if len(b) < 11 || int(binary.LittleEndian.Uint32(b)) != len(b) || b[len(b)-1] != 0xff {
		return false
	}
	it.zl = true
	it.n = int(binary.LittleEndian.Uint16(b[8:]))
	if it.n == 65535 {
		it.n = -1
	}
	z, err := ziplist.NewIter(b)
	if err != nil {
		return false
	}
	it.z = z
	return true
}

func (it *elemIter) count() int { return it.n }

func (it *elemIter) doing() string {
	if it.zl {
		return "reading ziplist entry"
	}
	return "reading listpack entry"
}

// next fills s with the next entry; false at the end or on damage (see err).
func (it *elemIter) next(s *slot) bool {
	var (
		b     []byte
		n     int64
		isInt bool
	)
	if it.zl {
		if !it.z.Next() {
			return false
		}
		b, n, isInt = it.z.Value()
	} else {
		if !it.lp.Next() {
			return false
		}
		b, n, isInt = it.lp.Value()
	}
	if isInt {
		s.setInt(n)
	} else {
		s.setBytes(b)
	}
	return true
}

func (it *elemIter) err() error {
	if it.zl {
		return it.z.Err()
	}
	return it.lp.Err()
}

type zipmapIter struct{ it zipmap.Iter }

func (z *zipmapIter) init(b []byte) error {
	it, err := zipmap.NewIter(b)
	z.it = it
	return err
}

func (z *zipmapIter) next() (f, v []byte, ok bool) {
	if !z.it.Next() {
		return nil, nil, false
	}
	f, v = z.it.Pair()
	return f, v, true
}

func (z *zipmapIter) err() error { return z.it.Err() }

func validateListpack(b []byte) (int, error) { return listpack.Validate(b) }
func validateZiplist(b []byte) (int, error)  { return ziplist.Validate(b) }
func validateIntset(b []byte) error {
	_, err := intset.Validate(b)
	return err
}
func validateZipmap(b []byte) error {
	_, err := zipmap.Validate(b)
	return err
}
