package rdbobj

import "testing"

// SetCompressionForTest flips rdbcompression for one test.
func SetCompressionForTest(t testing.TB, on bool) {
	old := RDBCompression()
	SetRDBCompression(on)
	t.Cleanup(func() { SetRDBCompression(old) })
}
