package parallel

import (
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
)

func TestEachCallsEveryIndexOnce(t *testing.T) {
	for _, n := range []int{0, 1, 2, 1000} {
		calls := make([]atomic.Int32, n)
		if err := Each(n, func(i int) error { calls[i].Add(1); return nil }); err != nil {
			t.Fatal(err)
		}
		for i := range calls {
			if c := calls[i].Load(); c != 1 {
				t.Errorf("n=%d: index %d called %d times", n, i, c)
			}
		}
	}
}

func TestEachReturnsTheLowestFailure(t *testing.T) {
	err := Each(100, func(i int) error {
		if i == 7 || i == 40 {
			return fmt.Errorf("index %d", i)
		}
		return nil
	})
	if err == nil || err.Error() != "index 7" {
		t.Errorf("Each = %v, want index 7's error", err)
	}
	want := errors.New("only")
	if err := Each(1, func(int) error { return want }); err != want {
		t.Errorf("one index: %v", err)
	}
}
