package diff_test

import (
	"testing"

	"github.com/redisctl/redisctl/internal/difftest"
)

// pubsubScript runs between clients: sub subscribes, pub publishes, sub reads.
const pubsubScript = `
@sub SUBSCRIBE ch1 ch2
@pub PUBLISH ch1 hello
@sub READ
@pub PUBLISH ch2 ""
@sub READ
@pub PUBLISH nobody x
@sub PSUBSCRIBE news.* h?llo
@pub PUBLISH news.a x
@sub READ
@pub PUBLISH hello y
@sub READ
@pub PUBSUB CHANNELS
@pub PUBSUB CHANNELS ch*
@pub PUBSUB NUMSUB ch1 ch2 ch3
@pub PUBSUB NUMSUB
@pub PUBSUB NUMPAT
@pub PUBSUB SHARDCHANNELS
@pub PUBSUB SHARDNUMSUB ch1
@sub PING
@sub PING hi
@sub GET x
@sub SUBSCRIBE ch1
@sub UNSUBSCRIBE ch1 nothere
@sub UNSUBSCRIBE
@sub PUNSUBSCRIBE news.*
@sub PUNSUBSCRIBE
@sub PING
@sub GET x
@sub UNSUBSCRIBE
@sub PUNSUBSCRIBE
@sub3 HELLO 3
@sub3 SUBSCRIBE ch1
@pub PUBLISH ch1 three
@sub3 READ
@sub3 GET x
@sub3 PING
@sub3 PSUBSCRIBE p*
@pub PUBLISH pch msg
@sub3 READ
@sub3 PUBLISH ch1 self
@pub CLIENT LIST TYPE pubsub
@sub3 RESET
@pub PUBSUB NUMSUB ch1
@pub PUBSUB NUMPAT
@sub SSUBSCRIBE sch
@pub SPUBLISH sch m
@sub READ
@sub SUNSUBSCRIBE
@pub SUBSCRIBE
@pub PUBLISH
`

func testPubSub(t *testing.T) {
	p := startPair(t, difftest.SourceWritten)
	p.Run(t, pubsubScript)
}
