package coretest

import "testing"

func TestCoreRESP3AgainstRedis(t *testing.T) {
	p := newPair(t)
	p.SetProto(3)
	q := p.NewClient()
	p.Run(`
RANDOMKEY
OBJECT ENCODING nokey
OBJECT HELP
MEMORY USAGE nokey
SET a 1
SCAN 0
KEYS *
EXISTS a
TTL a
MULTI
GET a
OBJECT ENCODING nokey
HSET h f v
HGETALL h
EXEC
WATCH a
`)
	q.Run("SET a 2")
	p.Run(`
MULTI
GET a
EXEC
`)
}
