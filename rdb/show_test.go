package rdb

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func TestShowCorpus(t *testing.T) {
	if os.Getenv("RDB_SHOW") == "" {
		t.Skip("set RDB_SHOW=1")
	}
	for _, path := range corpusFiles(t) {
		data, _ := os.ReadFile(path)
		d := NewDecoder(bytes.NewReader(data), nil)
		types := map[string]int{}
		keys := 0
		var sample string
		for d.Next() {
			switch d.Kind() {
			case RecKeyBegin:
				keys++
				types[d.Type().String()]++
			case RecKeyEnd:
				types["enc:"+d.LoadedEncoding()]++
				if sample == "" || os.Getenv("RDB_SHOW") == "2" {
					sample += fmt.Sprintf(" [%q exp=%d n=%d %s]", d.Key(), d.Expire(), d.Len(), d.LoadedEncoding())
				}
			case RecEOF:
				types["csum:"+d.Checksum().Status.String()]++
			}
		}
		fmt.Printf("%s v%d keys=%d err=%v %v%s\n", filepath.Base(path), d.Version(), keys, d.Err(), types, sample)
	}
}
