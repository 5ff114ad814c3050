// Command persistgen writes the RDB the persistence benchmark (bench/persist.sh) loads into
// redis-server and redisctl serve: -keys keys (default 5M) of mixed types, about 1 GB on
// disk: 60% strings (integers and 16–250-byte words), small hashes, lists, sets (intset and
// hashtable) and zsets of 3–12 elements, 10% of keys with a TTL in 2100, and a few big keys
// (100k-element hashes, sets, zsets and lists) so a snapshot meets values that take more
// than a slice to write. Keys are named as redis-benchmark -r names its random keys
// (key:000000001234), so a SET load with -r 5000000 overwrites the dataset.
//
//	go run ./bench/persistgen -keys 5000000 -out /tmp/persistbench/mixed5m.rdb
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"

	"github.com/redisctl/redisctl/rdb"
)

func main() {
	keys := flag.Int("keys", 5_000_000, "number of keys")
	big := flag.Int("big", 40, "number of 100k-element keys among them")
	bigstr := flag.Int("bigstr", 0, "number of big text strings added (bigstr:N)")
	bigstrMB := flag.Int("bigstr-mb", 8, "size of each big string in MB")
	bigstrIn := flag.String("bigstr-in", "string", "where the big strings go: string (one per key), hash or list (two halves per key)")
	out := flag.String("out", "", "output file")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "usage: persistgen [-keys N] [-big N] [-bigstr N [-bigstr-mb M]] -out FILE")
		os.Exit(2)
	}
	if *bigstrIn != "string" && *bigstrIn != "hash" && *bigstrIn != "list" {
		fmt.Fprintln(os.Stderr, "persistgen: -bigstr-in is string, hash or list")
		os.Exit(2)
	}
	if err := run(*keys, *big, *bigstr, *bigstrMB<<20, *bigstrIn, *out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(keys, big, bigstr, bigstrBytes int, bigstrIn, out string) error {
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 4<<20)
	enc, err := rdb.NewEncoder(bw, nil)
	if err != nil {
		return err
	}
	expires := uint64(keys / 10)
	if err := enc.SelectDB(0, uint64(keys+bigstr), expires); err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(5, 6))
	word := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = 'a' + byte(r.IntN(26))
		}
		return b
	}
	bigEvery := keys / max(big, 1)
	var v rdb.Value
	for i := 0; i < keys; i++ {
		// redis-benchmark -r's key:__rand_int__ names: its SETs overwrite these keys.
		k := rdb.Key{Name: fmt.Appendf(nil, "key:%012d", i)}
		if i%10 == 0 {
			k.Expire = 4102444800000 + int64(i)
		}
		v = rdb.Value{}
		if big > 0 && i%bigEvery == bigEvery/2 {
			switch (i / bigEvery) % 4 {
			case 0:
				v.Kind = rdb.KindHash
				for j := 0; j < 100_000; j++ {
					v.Hash = append(v.Hash, rdb.HashField{Field: []byte("field:" + strconv.Itoa(j)), Value: word(20)})
				}
			case 1:
				v.Kind = rdb.KindSet
				for j := 0; j < 100_000; j++ {
					v.Set = append(v.Set, []byte("member:"+strconv.Itoa(j)))
				}
			case 2:
				v.Kind = rdb.KindZSet
				for j := 0; j < 100_000; j++ {
					v.ZSet = append(v.ZSet, rdb.ZMember{Member: []byte("m:" + strconv.Itoa(j)), Score: float64(j)})
				}
			default:
				v.Kind = rdb.KindList
				for j := 0; j < 100_000; j++ {
					v.List = append(v.List, word(20))
				}
			}
		} else {
			switch p := r.IntN(100); {
			case p < 15:
				v.Kind = rdb.KindString
				v.String = strconv.AppendInt(nil, r.Int64N(1<<40), 10)
			case p < 60:
				v.Kind = rdb.KindString
				v.String = word(16 + r.IntN(235))
			case p < 72:
				v.Kind = rdb.KindHash
				for j := 0; j < 3+r.IntN(10); j++ {
					v.Hash = append(v.Hash, rdb.HashField{Field: []byte("f" + strconv.Itoa(j)), Value: word(4 + r.IntN(20))})
				}
			case p < 82:
				v.Kind = rdb.KindList
				for j := 0; j < 3+r.IntN(10); j++ {
					v.List = append(v.List, word(4+r.IntN(16)))
				}
			case p < 91:
				v.Kind = rdb.KindSet
				for j := 0; j < 3+r.IntN(10); j++ {
					if p < 86 {
						v.Set = append(v.Set, strconv.AppendInt(nil, int64(j*7+r.IntN(5)), 10))
					} else {
						v.Set = append(v.Set, append(word(6), strconv.Itoa(j)...))
					}
				}
			default:
				v.Kind = rdb.KindZSet
				for j := 0; j < 3+r.IntN(10); j++ {
					v.ZSet = append(v.ZSet, rdb.ZMember{Member: append(word(6), strconv.Itoa(j)...), Score: float64(r.IntN(10000)) / 8})
				}
			}
		}
		if err := enc.WriteValue(&k, &v); err != nil {
			return err
		}
	}
	// Big strings: lines of 12 words from a vocabulary of 5000.
	vocab := make([][]byte, 5000)
	for i := range vocab {
		vocab[i] = word(3 + r.IntN(7))
	}
	for i := 0; i < bigstr; i++ {
		s := make([]byte, 0, bigstrBytes+128)
		s = fmt.Appendf(s, "bigstr:%d\n", i)
		for len(s) < bigstrBytes {
			for w := 0; w < 12; w++ {
				s = append(append(s, vocab[r.IntN(len(vocab))]...), ' ')
			}
			s[len(s)-1] = '\n'
		}
		k := rdb.Key{Name: fmt.Appendf(nil, "bigstr:%d", i)}
		s = s[:bigstrBytes]
		switch h := len(s) / 2; bigstrIn {
		case "hash":
			v = rdb.Value{Kind: rdb.KindHash, Hash: []rdb.HashField{{Field: []byte("a"), Value: s[:h]}, {Field: []byte("b"), Value: s[h:]}}}
		case "list":
			v = rdb.Value{Kind: rdb.KindList, List: [][]byte{s[:h], s[h:]}}
		default:
			v = rdb.Value{Kind: rdb.KindString, String: s}
		}
		if err := enc.WriteValue(&k, &v); err != nil {
			return err
		}
	}
	if err := enc.Close(); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return f.Close()
}
