package rdb

import (
	"bytes"
	"fmt"
	"os"
	"testing"
	"time"
)

// TestMinSpeed reports the best of many short decodes: on a shared
// machine the minimum is the closest to the uncontended speed. Run with
// RDB_SPEED=1.
func TestMinSpeed(t *testing.T) {
	if os.Getenv("RDB_SPEED") == "" {
		t.Skip("set RDB_SPEED=1")
	}
	for _, c := range []struct {
		name string
		pad  int
		read func(d *Decoder)
	}{
		{"mixed-consume", mixedPad, func(d *Decoder) { consume(d) }},
		{"mixed-skim", mixedPad, func(d *Decoder) {
			for d.Next() {
			}
		}},
		{"dense-consume", 0, func(d *Decoder) { consume(d) }},
		{"mixed-nocrc", mixedPad, nil},
	} {
		data, _ := writeModel(t, mixedModel(8<<20, c.pad), 10)
		best := time.Hour
		for i := 0; i < 40; i++ {
			start := time.Now()
			var d *Decoder
			if c.read == nil {
				d = NewDecoder(bytes.NewReader(data), &Options{SkipChecksum: true})
				d.in.crcOn = false
				consume(d)
			} else {
				d = NewDecoder(bytes.NewReader(data), nil)
				c.read(d)
			}
			if el := time.Since(start); el < best {
				best = el
			}
			if d.Err() != nil {
				t.Fatal(d.Err())
			}
		}
		fmt.Printf("%-14s %6.1f MB  best %6.2f ms  %7.1f MB/s\n", c.name, float64(len(data))/1e6, best.Seconds()*1e3, float64(len(data))/best.Seconds()/1e6)
	}
}
