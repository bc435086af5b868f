package ambex_test

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/emissary-go/emissary/internal/ambex"
	"github.com/emissary-go/emissary/internal/diag"
	"github.com/emissary-go/emissary/internal/diag/diagtest"
	"github.com/emissary-go/emissary/internal/xdstest"
)

// BenchmarkReloadToEnvoy is the time from SIGHUP (Reload) to an Envoy-like
// client holding the new configuration, alternating between two versions
// that differ in one route: for about 10,000 routes (1,400 Mappings), and
// for 10,000 Mappings (72,180 routes in 30 virtual hosts, 12,001
// clusters). It reports the heap ambex holds afterwards (with the
// client's copy, which is of the same size).
func BenchmarkReloadToEnvoy(b *testing.B) {
	for _, mappings := range []int{1400, 10000} {
		b.Run(fmt.Sprintf("mappings=%d", mappings), func(b *testing.B) { benchmarkReload(b, mappings) })
	}
}

func benchmarkReload(b *testing.B, mappings int) {
	// envoy.json and envoy.pb, as diagd writes them.
	var configs, binaries [2][]byte
	for i := range configs {
		snap := diagtest.Snapshot(mappings)
		snap.Kubernetes.Mappings[0].Spec.Prefix = []string{"/a/", "/b/"}[i]
		out, err := diag.Translate(snap, diag.TranslateOptions{})
		if err != nil {
			b.Fatal(err)
		}
		configs[i] = out.EnvoyJSON()
		if binaries[i], err = out.XDSBinary(); err != nil {
			b.Fatal(err)
		}
	}
	dir := b.TempDir()
	writeFile(b, filepath.Join(dir, ambex.BinaryFile), binaries[0])
	writeFile(b, filepath.Join(dir, ambex.ConfigFile), configs[0])
	s := startAmbex(b, dir, "")
	if err := s.a.Reload(context.Background()); err != nil {
		b.Fatal(err)
	}
	c := dial(b, s.addr, "test-id", nil)
	state := wait(b, c, "the first configuration", complete)
	routes := 0
	for _, rc := range state.Routes {
		for _, vh := range rc.GetVirtualHosts() {
			routes += len(vh.GetRoutes())
		}
	}
	i := 0
	for b.Loop() {
		b.StopTimer()
		i++
		writeFile(b, filepath.Join(dir, ambex.BinaryFile), binaries[i%2])
		writeFile(b, filepath.Join(dir, ambex.ConfigFile), configs[i%2])
		before := state.Versions[xdstest.RouteType]
		want := []string{"/a/", "/b/"}[i%2]
		b.StartTimer()
		if err := s.a.Reload(context.Background()); err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		var err error
		state, err = c.Wait(ctx, func(st xdstest.State) bool {
			return st.Versions[xdstest.RouteType] != before && hasPrefix(st, want)
		})
		cancel()
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	b.ReportMetric(float64(m.HeapAlloc)/(1<<20), "heap-MB-held")
	b.ReportMetric(float64(routes), "routes")
}

// hasPrefix: some route matches prefix.
func hasPrefix(s xdstest.State, prefix string) bool {
	for _, rc := range s.Routes {
		for _, vh := range rc.GetVirtualHosts() {
			for _, r := range vh.GetRoutes() {
				if r.GetMatch().GetPrefix() == prefix {
					return true
				}
			}
		}
	}
	return false
}
