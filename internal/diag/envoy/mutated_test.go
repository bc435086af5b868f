package envoy

import (
	"bytes"
	"math/rand"
	"os"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/emissary-go/emissary/internal/diag/ir"
	"github.com/emissary-go/emissary/internal/snapshot"
)

// Values users write by mistake, or that the CRDs take and Envoy does
// not: empty, control characters, globs, regex syntax, out-of-range
// numbers, the wrong type.
var awkwardValues = []any{
	"", " ", "\x00", "a\nb", "a\rb", "*", "**", "*.x", "[", "(", "\\", "é", strings.Repeat("a", 300), "-1", "0",
	"99999999999", "1e309", true, false, nil, []any{}, map[string]any{}, "::", ":0", "http://", "https://x:99999",
	"::1", "[::1]:80", "a..b", ".", "/", "//", "%", "%{", "%REQ(", "a b", "x:y:z", "-", "_", "0.0.0.0", "256.1.1.1",
	-1, 0, 65536, 2147483648, 9223372036854775807, 1.5, -0.5, "GET", "get", "TRACE", "\t", "ü:80", "host:-1",
	"a.b.c.d.e", "svc.ns:8080", "https://svc.ns:443", "{", "}", "\"", "'", "$", "^", "(?P<x", "a{1000}", "\u2028",
}

// mutate replaces about one value in twelve, at any depth, with an
// awkward one, and now and then drops a key.
func mutate(rng *rand.Rand, v any) any {
	switch t := v.(type) {
	case map[string]any:
		for _, k := range sortedKeys(t) {
			if rng.Intn(12) == 0 {
				t[k] = awkwardValues[rng.Intn(len(awkwardValues))]
			} else {
				t[k] = mutate(rng, t[k])
			}
		}
		if keys := sortedKeys(t); len(keys) > 0 && rng.Intn(30) == 0 {
			delete(t, keys[rng.Intn(len(keys))])
		}
	case []any:
		for i := range t {
			if rng.Intn(12) == 0 {
				t[i] = awkwardValues[rng.Intn(len(awkwardValues))]
			} else {
				t[i] = mutate(rng, t[i])
			}
		}
	}
	return v
}

// TestMutatedInputsStillTranslate translates the feature tests' inputs
// with awkward values put in at random (the same ones each run): none
// may make the translator panic or make the whole configuration invalid
// (what Envoy would refuse is left out, with an error on the resource
// at fault), and envoy.json must be what protojson writes. It found the
// settings that testdata/envoy-refuses now covers.
func TestMutatedInputsStillTranslate(t *testing.T) {
	rounds := 3000
	if testing.Short() {
		rounds = 300
	}
	seeds := goldenInputs(t)
	rng := rand.New(rand.NewSource(1))
	for round := range rounds {
		raw, err := os.ReadFile(seeds[rng.Intn(len(seeds))])
		if err != nil {
			t.Fatal(err)
		}
		var docs [][]byte
		for _, doc := range bytes.Split(raw, []byte("\n---")) {
			var v any
			if yaml.Unmarshal(doc, &v) != nil || v == nil {
				continue
			}
			if rng.Intn(2) == 0 {
				v = mutate(rng, v)
			}
			if b, err := yaml.Marshal(v); err == nil {
				docs = append(docs, b)
			}
		}
		in := bytes.Join(docs, []byte("\n---\n"))
		c, err := Translate(ir.Build(snapshot.FromYAML("mutated.yaml", in, "default"), ir.Options{}), Options{})
		if err != nil {
			t.Fatalf("round %d: the input made the whole configuration invalid: %v\n%s", round, err, in)
		}
		got, want, err := assembledAndWhole(c)
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if string(got) != string(want) {
			t.Fatalf("round %d: envoy.json differs from protojson's\n%s", round, in)
		}
	}
}
