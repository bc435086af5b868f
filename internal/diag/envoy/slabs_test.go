package envoy

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"unsafe"

	bootstrapv3 "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	"google.golang.org/protobuf/proto"
)

// envoy.json's pieces are written into memory sized by the last one's
// total: whatever that hint (none, far too small, far too large), and
// with pieces larger than a slab, the document is the same.
func TestEnvoyJSONWhateverTheMemoryHint(t *testing.T) {
	c := validConfig(t)
	for i := range 300 {
		cl := proto.Clone(c.Clusters[0]).(*clusterv3.Cluster)
		cl.Name = fmt.Sprintf("cluster_%d_%s", i, strings.Repeat("x", i))
		c.Clusters = append(c.Clusters, cl)
	}
	big := proto.Clone(c.Clusters[0]).(*clusterv3.Cluster)
	big.Name = "big_" + strings.Repeat("y", 3*slabSize) // over three slabs
	c.Clusters = append(c.Clusters, big)
	want, err := marshal(&bootstrapv3.Bootstrap{StaticResources: &bootstrapv3.Bootstrap_StaticResources{
		Listeners: c.Listeners, Clusters: c.Clusters,
	}}, false)
	if err != nil {
		t.Fatal(err)
	}
	defer lastJSON.Store(lastJSON.Load())
	for _, hint := range []int64{0, 1, 5000, int64(len(want)), 1 << 24} {
		lastJSON.Store(hint)
		got, err := c.EnvoyJSON()
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("hint %d: envoy.json differs from the whole marshal", hint)
		}
		if w := lastJSON.Load(); w < int64(len(big.Name)) || w > int64(len(want)) {
			t.Errorf("hint %d: %d bytes recorded as written; want the pieces' total, under the document's %d", hint, w, len(want))
		}
	}
}

func TestSlabsAreDisjoint(t *testing.T) {
	for _, size := range []int{0, 3 * slabSize} {
		s := newSlabs(size)
		var (
			mu  sync.Mutex
			got [][]byte
			wg  sync.WaitGroup
		)
		for range 4 {
			wg.Go(func() {
				for range 5 {
					b := s.slab()
					mu.Lock()
					got = append(got, b)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		fromMem := 0
		for i, b := range got {
			if len(b) != 0 || cap(b) < slabSize {
				t.Fatalf("size %d: slab %d has len %d cap %d", size, i, len(b), cap(b))
			}
			if at, lo := uintptr(unsafe.Pointer(unsafe.SliceData(b))), uintptr(unsafe.Pointer(unsafe.SliceData(s.mem))); size > 0 && at >= lo && at < lo+uintptr(len(s.mem)) {
				fromMem++
			}
			// Writing a slab to its capacity leaves every other unchanged.
			b = b[:cap(b)]
			for j := range b {
				b[j] = byte(i)
			}
		}
		for i, b := range got {
			for _, v := range b[:cap(b)] {
				if v != byte(i) {
					t.Fatalf("size %d: slab %d was written by another", size, i)
				}
			}
		}
		if want := min(len(s.mem)/slabSize, len(got)); fromMem != want {
			t.Errorf("size %d: %d slabs from the shared memory, want %d", size, fromMem, want)
		}
	}
}
