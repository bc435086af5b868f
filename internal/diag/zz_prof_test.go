package diag

import (
	"testing"

	"github.com/emissary-go/emissary/internal/diag/envoy"
	"github.com/emissary-go/emissary/internal/diag/ir"
)

func BenchmarkZZBuild(b *testing.B) {
	snap := generatedSnapshot(10000)
	x := ir.Build(snap, ir.Options{})
	for b.Loop() {
		envoy.Build(x, envoy.Options{})
	}
}
func BenchmarkZZIR(b *testing.B) {
	snap := generatedSnapshot(10000)
	for b.Loop() {
		ir.Build(copySnapshot(b, snap), ir.Options{})
	}
}
