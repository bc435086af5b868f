package entrypoint_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emissary-go/emissary/internal/xdstest"
)

// BenchmarkEditToEnvoy is the time from a Mapping file written in files
// mode to an Envoy-like xDS client holding the changed route, with 1,000
// Mappings configured: watt, diagd, ambex as the gateway runs them.
func BenchmarkEditToEnvoy(b *testing.B) {
	const n = 1000
	dir := b.TempDir()
	var all strings.Builder
	all.WriteString(listener)
	for i := range n {
		all.WriteString("---\n" + mappingYAML(fmt.Sprintf("m-%d", i), fmt.Sprintf("/m/%d/", i), fmt.Sprintf("svc-%d", i)))
	}
	writeFile(b, filepath.Join(dir, "mappings.yaml"), all.String())
	writeFile(b, filepath.Join(dir, "edited.yaml"), mappingYAML("edited", "/edited/0/", "edited"))
	g := startGateway(b, dir)
	g.waitReady(b)
	c := dial(b, g.ads)
	wait(b, c, "the configuration", func(s xdstest.State) bool { return routeTo(s, "/edited/0/", "cluster_edited_default") })
	round := 0
	for b.Loop() {
		round++
		prefix := fmt.Sprintf("/edited/%d/", round)
		writeFile(b, filepath.Join(dir, "edited.yaml"), mappingYAML("edited", prefix, "edited"))
		wait(b, c, "the edit", func(s xdstest.State) bool { return routeTo(s, prefix, "cluster_edited_default") })
	}
	b.StopTimer()
}
