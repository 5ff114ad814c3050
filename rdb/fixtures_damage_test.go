package rdb_test

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/redisctl/redisctl/fixtures"
	"github.com/redisctl/redisctl/rdb"
)

func decodeAll(data []byte) error {
	d := rdb.NewDecoder(bytes.NewReader(data), &rdb.Options{Deep: true})
	for d.Next() {
		if d.Kind() == rdb.RecKeyBegin {
			// Read values too, so container damage is reached.
			if _, err := d.ReadValue(); err != nil {
				return err
			}
		}
	}
	return d.Err()
}

// TestFixtureDamage: every truncation point (all of them for small files, 3000 spread over
// bigger ones plus the whole tail) and a set of bit flips of every fixture written by real
// Redis give an error, never a panic; truncation is reported as truncation.
func TestFixtureDamage(t *testing.T) {
	m := fixtures.MustLoad(t)
	for _, fx := range m.RDB {
		data, err := os.ReadFile(fixtures.Path(fx.File))
		if err != nil {
			t.Fatal(err)
		}
		t.Run(fx.Name, func(t *testing.T) {
			if err := decodeAll(data); err != nil {
				t.Fatalf("intact file: %v", err)
			}
			var cuts []int
			if len(data) <= 8192 || testing.Short() && len(data) <= 2048 {
				for i := 0; i < len(data); i++ {
					cuts = append(cuts, i)
				}
			} else {
				n := 3000
				if testing.Short() {
					n = 300
				}
				for i := 0; i < n; i++ {
					cuts = append(cuts, i*len(data)/n)
				}
				for i := len(data) - 64; i < len(data); i++ {
					cuts = append(cuts, i)
				}
			}
			for _, cut := range cuts {
				err := decodeAll(data[:cut])
				if !errors.Is(err, rdb.ErrTruncated) {
					t.Fatalf("truncated at %d of %d: want ErrTruncated, got %v", cut, len(data), err)
				}
			}
			r := rand.New(rand.NewPCG(uint64(len(data)), 7))
			flips := 400
			if testing.Short() {
				flips = 50
			}
			buf := make([]byte, len(data))
			for i := 0; i < flips; i++ {
				copy(buf, data)
				pos := r.IntN(len(buf))
				buf[pos] ^= 1 << r.IntN(8)
				if err := decodeAll(buf); err == nil {
					t.Fatalf("bit flip at %d decoded without error (the CRC-64 trailer must catch it)", pos)
				}
			}
		})
	}
}
