package thash_test

import (
	"io"
	"testing"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/resp"
)

// bulkStrings flattens a reply into its strings: an HSCAN reply [cursor, [f, v, …]] gives
// cursor, f, v, …; a flat array gives its elements.
func bulkStrings(v resp.Value) []string {
	var out []string
	var walk func(v resp.Value)
	walk = func(v resp.Value) {
		if len(v.Elems) > 0 || v.Type == resp.TypeArray || v.Type == resp.TypeMap {
			for _, e := range v.Elems {
				walk(e)
			}
			return
		}
		out = append(out, string(v.Str))
	}
	walk(v)
	return out
}

// scanAll runs a complete HSCAN of key "h" with the given options and returns the pairs.
func scanAll(t *testing.T, do func(args ...string) []string, opts []string) map[string]string {
	t.Helper()
	got := map[string]string{}
	cursor := "0"
	for i := 0; ; i++ {
		if i > 100000 {
			t.Fatal("HSCAN does not terminate")
		}
		r := do(append([]string{"HSCAN", "h", cursor}, opts...)...)
		if len(r) == 0 || len(r)%2 != 1 {
			t.Fatalf("HSCAN reply %q", r)
		}
		for j := 1; j < len(r); j += 2 {
			got[r[j]] = r[j+1]
		}
		cursor = r[0]
		if cursor == "0" {
			return got
		}
	}
}

// directCtx runs commands straight through Engine.Exec with a client whose replies are
// discarded, for allocation tests and benchmarks (the harness parses every reply).
type directCtx struct {
	e *engine.Engine
	c *engine.Client
	w *resp.Writer
}

func newDirectCtx(h *enginetest.Harness) *directCtx {
	w := resp.NewWriter(io.Discard)
	h.E.Lock()
	c := h.E.NewClient(w)
	h.E.Unlock()
	c.Authenticated = true
	return &directCtx{e: h.E, c: c, w: w}
}

func (d *directCtx) run(args [][]byte) {
	d.e.Lock()
	d.e.Exec(d.c, args)
	d.e.Unlock()
	d.w.Flush()
}
