package ir

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/emissary-go/emissary/internal/snapshot"
)

// FuzzBuild feeds arbitrary YAML through snapshot reading and the IR: no
// input may make them panic; bad input becomes diagnostics.
func FuzzBuild(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("..", "testdata", "*", "in.yaml"))
	examples, _ := filepath.Glob(filepath.Join("..", "..", "..", "examples", "*.yaml"))
	for _, path := range append(seeds, examples...) {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("apiVersion: getambassador.io/v3alpha1\nkind: Mapping\nmetadata: {name: m}\nspec: {prefix: '', service: ':'}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		x := Build(snapshot.FromYAML("fuzz.yaml", data, "default"), Options{})
		if x == nil || x.Diagnostics == nil {
			t.Fatal("Build must always return an IR with diagnostics")
		}
	})
}
