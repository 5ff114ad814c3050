package rdb

import (
	"math"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAppendInt(t *testing.T) {
	for _, v := range []int64{0, 1, 9, 10, 99, 100, 101, 12345, -1, -9, -10, -100, math.MaxInt64, math.MinInt64, 1 << 40, -(1 << 40)} {
		require.Equal(t, strconv.FormatInt(v, 10), string(appendInt(nil, v)))
	}
}
