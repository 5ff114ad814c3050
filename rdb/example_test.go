package rdb_test

import (
	"bytes"
	"fmt"

	"github.com/redisctl/redisctl/rdb"
)

func Example() {
	// Write a small file as Redis 7.0 would...
	var buf bytes.Buffer
	e, _ := rdb.NewEncoder(&buf, &rdb.EncoderOptions{Ctime: 1700000000})
	e.SelectDB(0, 2, 1)
	e.WriteValue(&rdb.Key{Name: []byte("greeting"), Expire: 1893456000000},
		&rdb.Value{Kind: rdb.KindString, String: []byte("hello")})
	e.WriteValue(&rdb.Key{Name: []byte("fruits")},
		&rdb.Value{Kind: rdb.KindList, List: [][]byte{[]byte("apple"), []byte("pear")}})
	if err := e.Close(); err != nil {
		panic(err)
	}

	// ...and read it back, record by record.
	d := rdb.NewDecoder(&buf, nil)
	for d.Next() {
		switch d.Kind() {
		case rdb.RecKeyBegin:
			fmt.Printf("%s %s (%s) expire=%d\n", d.ValueKind(), d.Key(), d.Type(), d.Expire())
		case rdb.RecString, rdb.RecListElement:
			fmt.Printf("  %s\n", d.Value())
		case rdb.RecKeyEnd:
			fmt.Printf("  loads as %s\n", d.LoadedEncoding())
		case rdb.RecEOF:
			fmt.Println("checksum", d.Checksum().Status)
		}
	}
	if err := d.Err(); err != nil {
		panic(err)
	}
	// Output:
	// string greeting (string) expire=1893456000000
	//   hello
	//   loads as embstr
	// list fruits (list-quicklist2) expire=-1
	//   apple
	//   pear
	//   loads as quicklist
	// checksum verified
}

func ExampleEncodeDump() {
	payload, _ := rdb.EncodeDump(&rdb.Value{Kind: rdb.KindSet, Set: [][]byte{[]byte("3"), []byte("1"), []byte("2")}}, nil)
	typ, v, err := rdb.DecodeDumpValue(payload, nil)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s %q\n", typ, v.Set)
	// Output: set-intset ["1" "2" "3"]
}
