// Command aofgen writes a multi-part AOF directory of N commands (a Redis 7.0 manifest
// with one incr file) for load benchmarks: SET, INCR, RPUSH, HSET, SADD, ZADD and EXPIRE-
// free writes over 100k keys per type, in the form Redis propagates them.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/redisctl/redisctl/aof"
)

func main() {
	n := flag.Int("n", 1000000, "commands")
	out := flag.String("out", "appendonlydir", "directory to create")
	flag.Parse()
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	m := &aof.Manifest{}
	name := m.NewIncr("appendonly.aof")
	f, err := os.Create(filepath.Join(*out, name))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	enc := aof.NewEncoder(false)
	var buf []byte
	val := []byte("value-0123456789-abcdefghij")
	for i := 0; i < *n; i++ {
		k := strconv.Itoa(i % 100000)
		var args [][]byte
		switch i % 6 {
		case 0:
			args = [][]byte{[]byte("SET"), []byte("s:" + k), val}
		case 1:
			args = [][]byte{[]byte("INCR"), []byte("n:" + k)}
		case 2:
			args = [][]byte{[]byte("RPUSH"), []byte("l:" + strconv.Itoa(i%1000)), []byte(k)}
		case 3:
			args = [][]byte{[]byte("HSET"), []byte("h:" + strconv.Itoa(i%1000)), []byte("f" + k), val}
		case 4:
			args = [][]byte{[]byte("SADD"), []byte("set:" + strconv.Itoa(i%1000)), []byte(k)}
		default:
			args = [][]byte{[]byte("ZADD"), []byte("z:" + strconv.Itoa(i%1000)), []byte(strconv.Itoa(i)), []byte("m" + k)}
		}
		buf = enc.Append(buf[:0], 0, args, 0)
		w.Write(buf)
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	f.Close()
	if err := os.WriteFile(filepath.Join(*out, aof.ManifestName("appendonly.aof")), m.Bytes(), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
