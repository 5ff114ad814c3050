package rdb

import (
	"bytes"
	"os"
	"testing"
)

// TestInstrWork decodes the mixed file a fixed number of times: a stable
// workload for `perf stat -e instructions` comparisons (RDB_INSTR=1).
func TestInstrWork(t *testing.T) {
	if os.Getenv("RDB_INSTR") == "" {
		t.Skip("set RDB_INSTR=1")
	}
	data, err := os.ReadFile(os.Getenv("RDB_INSTR_FILE"))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		d := NewDecoder(bytes.NewReader(data), nil)
		consume(d)
		if d.Err() != nil {
			t.Fatal(d.Err())
		}
	}
}
