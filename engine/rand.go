package engine

import "math/rand/v2"

// The engine's randomness (RANDOMKEY, SRANDMEMBER, eviction sampling, LFU) needs speed,
// not unpredictability; math/rand/v2's global source is safe for concurrent use and fast.

func fastRandFloat() float64 { return rand.Float64() }

// RandIntn returns a uniform random int in [0, n).
func RandIntn(n int) int { return rand.IntN(n) }

// RandUint64 returns a random 64-bit value.
func RandUint64() uint64 { return rand.Uint64() }
