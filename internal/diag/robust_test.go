package diag

import (
	"math/rand"
	"os"
	"path/filepath"
	"testing"

	"github.com/emissary-go/emissary/internal/snapshot"
)

// TestMangledInputNeverPanics runs the whole translator over thousands of
// deterministic corruptions of the test inputs (bytes dropped, replaced,
// spliced). Unlike the fuzz target in package ir, it runs in every `go
// test`; a panic fails it with the input that caused it.
func TestMangledInputNeverPanics(t *testing.T) {
	seeds, err := filepath.Glob(filepath.Join("testdata", "*", "in.yaml"))
	if err != nil || len(seeds) == 0 {
		t.Fatalf("no seeds: %v", err)
	}
	var inputs [][]byte
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, data)
	}
	iterations := 2000
	if testing.Short() || raceEnabled {
		iterations = 300
	}
	r := rand.New(rand.NewSource(20261126))
	for i := 0; i < iterations; i++ {
		data := mangle(r, append([]byte(nil), inputs[r.Intn(len(inputs))]...))
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Fatalf("panic %v on input:\n%s", p, data)
				}
			}()
			out, err := Translate(snapshot.FromYAML("mangled.yaml", data, "default"), TranslateOptions{})
			if err == nil && out.Config == nil {
				t.Fatalf("no error and no configuration for:\n%s", data)
			}
		}()
	}
}

// mangle applies one to four random edits.
func mangle(r *rand.Rand, data []byte) []byte {
	for k := 0; k < 1+r.Intn(4) && len(data) > 0; k++ {
		p := r.Intn(len(data))
		switch r.Intn(4) {
		case 0: // drop a byte
			data = append(data[:p], data[p+1:]...)
		case 1: // replace a byte, often with YAML syntax
			syntax := []byte(":-{}[]\"'#&*!|>\n\t ")
			if r.Intn(2) == 0 {
				data[p] = syntax[r.Intn(len(syntax))]
			} else {
				data[p] = byte(r.Intn(256))
			}
		case 2: // splice the tail from elsewhere
			q := r.Intn(len(data))
			data = append(data[:p], append([]byte(nil), data[q:]...)...)
		case 3: // duplicate a chunk
			q := p + r.Intn(len(data)-p)
			data = append(data[:q], append(append([]byte(nil), data[p:q]...), data[q:]...)...)
		}
	}
	return data
}
