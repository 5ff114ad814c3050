package engine

import "time"

// Active expiry, as Redis's activeExpireCycle (slow cycle): every db is sampled through its
// expires dict with the SCAN cursor; expired keys are deleted; a db is revisited while more
// than the acceptable share of sampled keys was stale, within a time budget.
const (
	activeExpireKeysPerLoop  = 20
	activeExpireSlowCyclePct = 25 // percent of each cron period
	activeExpireAcceptStale  = 10 // percent
)

// ActiveExpireCycle runs one slow expiry cycle and returns how many keys it deleted. The
// server calls it from its cron, hz times a second, with the lock held.
func (e *Engine) ActiveExpireCycle() int {
	if !e.Set.ActiveExpireEnabled {
		return 0
	}
	e.UpdateClock()
	effort := e.Set.ActiveExpireEffort - 1
	if effort < 0 {
		effort = 0
	}
	perLoop := activeExpireKeysPerLoop + activeExpireKeysPerLoop/4*effort
	hz := e.Set.Hz
	if hz <= 0 {
		hz = 10
	}
	budget := time.Second * time.Duration(activeExpireSlowCyclePct+2*effort) / 100 / time.Duration(hz)
	acceptStale := activeExpireAcceptStale - effort
	start := time.Now()
	deadline := start.Add(budget)
	total := 0
	for _, db := range e.dbs {
		for iter := 0; ; iter++ {
			n := db.expires.Len()
			if n == 0 {
				db.avgTTL = 0
				break
			}
			sampled, expired := 0, 0
			var ttlSum int64
			ttlSamples := 0
			num := perLoop
			if num > n {
				num = n
			}
			maxBuckets := num * 20
			checked := 0
			var victims [][]byte
			for sampled < num && checked < maxBuckets {
				db.expiresCursor = db.expires.Scan(db.expiresCursor, func(ent *dictEntryInt64) {
					sampled++
					if e.nowMs > ent.Value {
						victims = append(victims, []byte(ent.Key))
					} else {
						ttlSum += ent.Value - e.nowMs
						ttlSamples++
					}
				})
				checked++
				if db.expiresCursor == 0 {
					break
				}
			}
			for _, k := range victims {
				if db.isExpired(k) {
					db.deleteExpired(k)
					expired++
				}
			}
			total += expired
			if ttlSamples > 0 {
				avg := ttlSum / int64(ttlSamples)
				if db.avgTTL == 0 {
					db.avgTTL = avg
				} else {
					db.avgTTL = (db.avgTTL/50)*49 + avg/50
				}
			}
			if iter&0xf == 0 && time.Now().After(deadline) {
				break
			}
			if sampled == 0 || expired*100/sampled <= acceptStale {
				break
			}
		}
		if time.Now().After(deadline) {
			break
		}
	}
	e.Stats.ActiveExpired += int64(total)
	e.Stats.ExpireCycleCPU += time.Since(start)
	return total
}
