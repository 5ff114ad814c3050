// Command rdbgen writes large synthetic RDB files for benchmarks: a mixed dataset of every
// type (many small keys, some big ones, some TTLs) or one huge list. It uses redisctl's
// encoder, so real redis-check-rdb reading the result is also an interop check.
//
//	go run ./bench/rdbgen -kind mixed -size 1G -out /tmp/mixed.rdb
//	go run ./bench/rdbgen -kind list -size 1G -out /tmp/biglist.rdb
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"

	"github.com/redisctl/redisctl/rdb"
)

type countingWriter struct {
	w *bufio.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func parseSize(s string) (int64, error) {
	mult := int64(1)
	switch {
	case strings.HasSuffix(s, "G"):
		mult, s = 1<<30, strings.TrimSuffix(s, "G")
	case strings.HasSuffix(s, "M"):
		mult, s = 1<<20, strings.TrimSuffix(s, "M")
	}
	v, err := strconv.ParseInt(s, 10, 64)
	return v * mult, err
}

func main() {
	kind := flag.String("kind", "mixed", "mixed or list")
	sizeS := flag.String("size", "1G", "target file size (e.g. 64M, 1G)")
	out := flag.String("out", "", "output file")
	flag.Parse()
	size, err := parseSize(*sizeS)
	if err != nil || *out == "" {
		fmt.Fprintln(os.Stderr, "usage: rdbgen -kind mixed|list -size 1G -out FILE")
		os.Exit(2)
	}
	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	cw := &countingWriter{w: bufio.NewWriterSize(f, 4<<20)}
	enc, err := rdb.NewEncoder(cw, &rdb.EncoderOptions{TempDir: os.TempDir()})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	r := rand.New(rand.NewPCG(1, 2))
	switch *kind {
	case "list":
		err = bigList(enc, cw, size)
	default:
		err = mixed(enc, cw, size, r)
	}
	if err == nil {
		err = enc.Close()
	}
	if err == nil {
		err = cw.w.Flush()
	}
	if err == nil {
		err = f.Close()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("%s: %d bytes\n", *out, cw.n)
}

func bigList(enc *rdb.Encoder, cw *countingWriter, size int64) error {
	if err := enc.SelectDB(0, 1, 0); err != nil {
		return err
	}
	vw, err := enc.BeginValue(&rdb.Key{Name: []byte("biglist")}, rdb.KindList)
	if err != nil {
		return err
	}
	// Random printable bytes: LZF cannot shrink them, so the file is as big as asked.
	r := rand.New(rand.NewPCG(3, 4))
	pool := make([]byte, 1<<20)
	for i := range pool {
		pool[i] = byte(33 + r.IntN(94))
	}
	for i := int64(0); i*1010 < size; i++ {
		off := r.IntN(len(pool) - 1000)
		if err := vw.Add(pool[off : off+1000]); err != nil {
			return err
		}
	}
	return vw.Close()
}

func mixed(enc *rdb.Encoder, cw *countingWriter, size int64, r *rand.Rand) error {
	if err := enc.SelectDB(0, 0, 0); err != nil {
		return err
	}
	word := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = 'a' + byte(r.IntN(26))
		}
		return b
	}
	var v rdb.Value
	for i := 0; cw.n < size; i++ {
		k := rdb.Key{Name: []byte(fmt.Sprintf("key:%09d", i))}
		if i%10 == 0 {
			k.Expire = 4102444800000 + int64(i)
		}
		v = rdb.Value{}
		switch p := r.IntN(100); {
		case p < 40:
			v.Kind = rdb.KindString
			if p < 10 {
				v.String = strconv.AppendInt(nil, r.Int64N(1<<40), 10)
			} else {
				v.String = word(16 + r.IntN(200))
			}
		case p < 55:
			v.Kind = rdb.KindList
			for j := 0; j < 5+r.IntN(30); j++ {
				v.List = append(v.List, word(5+r.IntN(20)))
			}
		case p < 70:
			v.Kind = rdb.KindHash
			for j := 0; j < 5+r.IntN(20); j++ {
				v.Hash = append(v.Hash, rdb.HashField{Field: []byte("f" + strconv.Itoa(j)), Value: word(5 + r.IntN(30))})
			}
		case p < 80:
			v.Kind = rdb.KindSet
			for j := 0; j < 5+r.IntN(30); j++ {
				if p < 75 {
					v.Set = append(v.Set, strconv.AppendInt(nil, int64(j*7+r.IntN(5)), 10))
				} else {
					v.Set = append(v.Set, append(word(8), strconv.Itoa(j)...))
				}
			}
		case p < 90:
			v.Kind = rdb.KindZSet
			for j := 0; j < 5+r.IntN(30); j++ {
				v.ZSet = append(v.ZSet, rdb.ZMember{Member: append(word(8), strconv.Itoa(j)...), Score: r.Float64() * 1000})
			}
		case p < 99:
			v.Kind = rdb.KindString
			v.String = word(500 + r.IntN(1500))
		default:
			// A big key now and then: a 2000-field hash, a 1000-member zset, a 5000-element list.
			switch r.IntN(3) {
			case 0:
				v.Kind = rdb.KindHash
				for j := 0; j < 2000; j++ {
					v.Hash = append(v.Hash, rdb.HashField{Field: []byte("field:" + strconv.Itoa(j)), Value: word(40)})
				}
			case 1:
				v.Kind = rdb.KindZSet
				for j := 0; j < 1000; j++ {
					v.ZSet = append(v.ZSet, rdb.ZMember{Member: []byte("m:" + strconv.Itoa(j)), Score: float64(j) / 3})
				}
			default:
				v.Kind = rdb.KindList
				for j := 0; j < 5000; j++ {
					v.List = append(v.List, word(30))
				}
			}
		}
		if err := enc.WriteValue(&k, &v); err != nil {
			return err
		}
	}
	return nil
}
