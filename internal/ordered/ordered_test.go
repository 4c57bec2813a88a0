package ordered

import (
	"runtime"
	"slices"
	"sync/atomic"
	"testing"
	"time"
)

// Results come in the order of the jobs whatever order they finish in, and no more
// than the window is in work or waiting ahead of use.
func TestEachInOrderWithinTheWindow(t *testing.T) {
	const n = 200
	var ahead, most atomic.Int64
	var got []int
	Each(n, func(i int) int {
		if a := ahead.Add(1); a > most.Load() {
			most.Store(a)
		}
		time.Sleep(time.Duration((n-i)%7) * 100 * time.Microsecond) // later jobs often finish first
		return i * i
	}, func(i, r int) {
		if r != i*i {
			t.Errorf("job %d gave %d", i, r)
		}
		got = append(got, i)
		ahead.Add(-1)
	})
	want := make([]int, n)
	for i := range want {
		want[i] = i
	}
	if !slices.Equal(got, want) {
		t.Errorf("order %v", got)
	}
	if limit := int64(4*runtime.GOMAXPROCS(0)) + 1; most.Load() > limit {
		t.Errorf("%d jobs ahead of use, at most %d", most.Load(), limit)
	}
}

func TestEachOfNothing(t *testing.T) {
	Each(0, func(int) int { t.Error("work called"); return 0 }, func(int, int) { t.Error("use called") })
}
