package difftest

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/redisctl/redisctl/resp"
)

// randomPick checks SRANDMEMBER, HRANDFIELD, ZRANDMEMBER, RANDOMKEY and SPOP by what must
// hold of a random pick (see the random-pick Rule), and resyncs both sides after SPOP.
func randomPick(c *call) (bool, string, string) {
	const rule = "random-pick"
	if c.r.Type != c.o.Type || c.r.IsNull() != c.o.IsNull() {
		return false, rule, "different reply types"
	}
	if c.r.IsNull() {
		return true, rule, ""
	}
	with := len(c.args) > 3 && (strings.EqualFold(string(c.args[3]), "withvalues") ||
		strings.EqualFold(string(c.args[3]), "withscores"))
	pr, vr, ok1 := picks(c.r, with)
	po, vo, ok2 := picks(c.o, with)
	if !ok1 || !ok2 {
		return false, rule, "unexpected reply shapes"
	}
	if len(pr) != len(po) {
		return false, rule, fmt.Sprintf("picked %d vs %d elements", len(pr), len(po))
	}
	if len(c.args) > 2 && c.name != "randomkey" {
		if n, err := strconv.ParseInt(string(c.args[2]), 10, 64); err == nil && n > 0 {
			if d := dup(po); d != "" {
				return false, rule, "redisctl picked " + d + " twice with a positive count"
			}
		}
	}
	if !c.probe {
		return true, rule, ""
	}
	switch c.name {
	case "spop":
		return c.spopCheck(pr, po)
	case "randomkey":
		for s, p := range [][]byte{pr[0], po[0]} {
			r, o, err := c.p.bothBytes(c.l, [][]byte{[]byte("EXISTS"), p})
			if err != nil || r.Int != 1 || o.Int != 1 {
				return false, rule, fmt.Sprintf("%s picked %q, which does not exist on both sides", SideName[s], p)
			}
		}
		return true, rule, ""
	}
	probe := map[string]string{"srandmember": "SMISMEMBER", "hrandfield": "HMGET", "zrandmember": "ZMSCORE"}[c.name]
	all := append(append([][]byte{}, pr...), po...)
	vals := append(append([][]byte{}, vr...), vo...)
	args := append([][]byte{[]byte(probe), c.args[1]}, all...)
	r, o, err := c.p.bothBytes(c.l, args)
	if err != nil {
		return false, rule, err.Error()
	}
	for s, v := range []resp.Value{r, o} {
		if v.IsError() || len(v.Elems) != len(all) {
			return false, rule, fmt.Sprintf("%s on %s answered %s", probe, SideName[s], Show(v))
		}
		for i, e := range v.Elems {
			if e.IsNull() || (c.name == "srandmember" && e.Int != 1) {
				return false, rule, fmt.Sprintf("%q picked by %s is not a member on %s", all[i],
					SideName[i/len(pr)], SideName[s])
			}
			if with && string(e.Str) != string(vals[i]) {
				return false, rule, fmt.Sprintf("%q picked by %s with %q, but %s holds %q", all[i],
					SideName[i/len(pr)], vals[i], SideName[s], e.Str)
			}
		}
	}
	return true, rule, ""
}

// spopCheck: what redisctl popped must have been a member (it is still one on Redis
// unless Redis popped it too), and the same the other way; then both sides get Redis's
// result: SADD the union of the pops, SREM Redis's pops.
func (c *call) spopCheck(pr, po [][]byte) (bool, string, string) {
	const rule = "random-pick"
	inR, inO := set(pr), set(po)
	all := append(append([][]byte{}, pr...), po...)
	r, o, err := c.p.bothBytes(c.l, append([][]byte{[]byte("SMISMEMBER"), c.args[1]}, all...))
	if err != nil {
		return false, rule, err.Error()
	}
	if len(r.Elems) != len(all) || len(o.Elems) != len(all) {
		return false, rule, fmt.Sprintf("SMISMEMBER answered %s / %s", Show(r), Show(o))
	}
	for i, m := range all {
		wantR := !inR[string(m)] // still on Redis unless Redis popped it
		wantO := !inO[string(m)]
		if (r.Elems[i].Int == 1) != wantR || (o.Elems[i].Int == 1) != wantO {
			return false, rule, fmt.Sprintf("member %q: after the pops Redis has it=%v, redisctl has it=%v", m,
				r.Elems[i].Int == 1, o.Elems[i].Int == 1)
		}
	}
	if _, _, err := c.p.bothBytes(c.l, append([][]byte{[]byte("SADD"), c.args[1]}, all...)); err != nil {
		return false, rule, err.Error()
	}
	if _, _, err := c.p.bothBytes(c.l, append([][]byte{[]byte("SREM"), c.args[1]}, pr...)); err != nil {
		return false, rule, err.Error()
	}
	return true, rule, ""
}

// picks extracts the picked elements (and their values or scores) of a random reply:
// a bulk, a flat array, a flat array of pairs (RESP2 WITH...), or an array of pairs
// (RESP3 WITH...).
func picks(v resp.Value, with bool) (elems, vals [][]byte, ok bool) {
	if v.Type == resp.TypeBulk {
		return [][]byte{v.Str}, nil, true
	}
	if !isAggregate(v) {
		return nil, nil, false
	}
	if !with {
		for _, e := range v.Elems {
			elems = append(elems, e.Str)
		}
		return elems, nil, true
	}
	if len(v.Elems) > 0 && isAggregate(v.Elems[0]) {
		for _, e := range v.Elems {
			if len(e.Elems) != 2 {
				return nil, nil, false
			}
			elems, vals = append(elems, e.Elems[0].Str), append(vals, e.Elems[1].Str)
		}
		return elems, vals, true
	}
	if len(v.Elems)%2 != 0 {
		return nil, nil, false
	}
	for i := 0; i < len(v.Elems); i += 2 {
		elems, vals = append(elems, v.Elems[i].Str), append(vals, v.Elems[i+1].Str)
	}
	return elems, vals, true
}

func set(b [][]byte) map[string]bool {
	m := make(map[string]bool, len(b))
	for _, x := range b {
		m[string(x)] = true
	}
	return m
}

func dup(b [][]byte) string {
	seen := map[string]bool{}
	for _, x := range b {
		if seen[string(x)] {
			return strconv.Quote(string(x))
		}
		seen[string(x)] = true
	}
	return ""
}
