package envoy

import (
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
)

// TestSetMillisIsMillis holds the in-place duration of a message made
// with others (see clusterParts) to what millis makes.
func TestSetMillisIsMillis(t *testing.T) {
	for _, ms := range []int{0, 1, 999, 1000, 1001, 3000, 86_400_000, -1, -1500, 1<<31 + 7} {
		var d durationpb.Duration
		setMillis(&d, ms)
		if want := millis(ms); !proto.Equal(&d, want) {
			t.Errorf("setMillis(%d) = %v, want %v", ms, &d, want)
		}
	}
}
