package server

import (
	"bytes"
	"io"
	"net"
	"testing"

	"github.com/redisctl/redisctl/resp"
)

// benchPipeline sends depth commands per round trip over loopback to an in-process
// server and reads the replies as raw bytes (the client side allocates nothing), so
// allocations reported are the server's.
func benchPipeline(b *testing.B, depth int, args ...string) {
	s := startServer(b)
	nc, err := net.Dial("tcp", s.addr)
	if err != nil {
		b.Fatal(err)
	}
	defer nc.Close()
	one := resp.AppendCommandString(nil, args...)
	req := bytes.Repeat(one, depth)
	// Learn the reply size once.
	if _, err := nc.Write(one); err != nil {
		b.Fatal(err)
	}
	probe := make([]byte, 4096)
	n, err := nc.Read(probe)
	if err != nil {
		b.Fatal(err)
	}
	reply := make([]byte, n*depth)
	b.SetBytes(int64(len(req)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := nc.Write(req); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(nc, reply); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*depth), "ns/cmd")
}

func BenchmarkServerPingP1(b *testing.B)  { benchPipeline(b, 1, "PING") }
func BenchmarkServerPingP16(b *testing.B) { benchPipeline(b, 16, "PING") }
func BenchmarkServerGetP16(b *testing.B)  { benchPipeline(b, 16, "GET", "nokey") }
func BenchmarkServerSetP16(b *testing.B)  { benchPipeline(b, 16, "SET", "key", "value") }

// TestSteadyStateNoAllocs pins the pipelined request path at zero allocations per
// round trip (server and client together, in process).
func TestSteadyStateNoAllocs(t *testing.T) {
	s := startServer(t)
	nc, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	req := bytes.Repeat(resp.AppendCommandString(nil, "PING"), 16)
	reply := make([]byte, len("+PONG\r\n")*16)
	round := func() {
		if _, err := nc.Write(req); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(nc, reply); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 100; i++ {
		round() // warm up: buffers reach their working size
	}
	if a := testing.AllocsPerRun(500, round); a > 0.2 {
		t.Errorf("%.2f allocations per pipelined round trip, want 0", a)
	}
}
