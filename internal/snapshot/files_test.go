package snapshot

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/emissary-go/emissary/internal/api/getambassador.io/v3alpha1"
)

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestFromFiles(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"a/mappings.yaml": `
apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata: {name: quote}
spec: {hostname: "*", prefix: /quote/, service: quote}
---
apiVersion: getambassador.io/v2
kind: Mapping
metadata: {name: legacy, namespace: shop}
spec: {prefix: /legacy/, service: legacy, tls: true, ambassador_id: blue}
---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata: {name: broken}
spec: {hostname: "*", prefix: /broken/}
`,
		"b/services.yml": `
apiVersion: v1
kind: Service
metadata:
  name: quote
  annotations:
    getambassador.io/config: |
      apiVersion: getambassador.io/v3alpha1
      kind: Mapping
      name: quote-annotated
      prefix: /annotated/
      service: quote
spec:
  ports: [{port: 80}]
---
apiVersion: v1
kind: Secret
metadata: {name: tls-cert, namespace: shop}
type: kubernetes.io/tls
data: {tls.crt: "", tls.key: ""}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: quote}
`,
		"c/notes.txt":          "not yaml, not read",
		".hidden/skip.yaml":    "apiVersion: getambassador.io/v3alpha1\nkind: Mapping\nmetadata: {name: hidden}\nspec: {prefix: /, service: s}\n",
		"d/..data/dup.yaml":    "apiVersion: getambassador.io/v3alpha1\nkind: Mapping\nmetadata: {name: dup}\nspec: {prefix: /, service: s}\n",
		"e/listener.json":      `{"apiVersion": "getambassador.io/v3alpha1", "kind": "Listener", "metadata": {"name": "http"}, "spec": {"port": 8080, "protocol": "HTTP", "securityModel": "XFP", "hostBinding": {"namespace": {"from": "ALL"}}}}`,
		"f/malformed.yaml":     "apiVersion: v1\nkind: Service\nmetadata: {name: [unclosed\n",
		"g/unknown-field.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: typo}\nspec: {portz: []}\n",
	})

	s, err := FromFiles([]string{dir}, "emissary")
	if err != nil {
		t.Fatal(err)
	}
	k := s.Kubernetes

	var names []string
	for _, m := range k.Mappings {
		names = append(names, m.Namespace+"/"+m.Name)
	}
	if got, want := strings.Join(names, " "), "emissary/quote shop/legacy"; got != want {
		t.Errorf("mappings = %s, want %s (defaulted namespace, hidden entries skipped, broken one invalid)", got, want)
	}
	if legacy := k.Mappings[1]; legacy.Spec.Service != "https://legacy" || len(legacy.Spec.AmbassadorID) != 1 {
		t.Errorf("v2 Mapping should be read as v3alpha1: %+v", legacy.Spec)
	}
	if len(k.Listeners) != 1 || len(k.Services) != 1 || len(k.Secrets) != 1 {
		t.Errorf("listeners %d services %d secrets %d, want 1 each", len(k.Listeners), len(k.Services), len(k.Secrets))
	}
	ann := k.Annotations["Service/quote.emissary"]
	if len(ann) != 1 || ann[0].(*v3alpha1.Mapping).Spec.Prefix != "/annotated/" {
		t.Errorf("annotations = %v, want the Service's Mapping under Service/quote.emissary", k.Annotations)
	}

	wantInvalid := []string{
		"mappings.yaml, document 3 (line 12): Mapping broken: spec.service: Required value",
		"apps/v1 Deployment is not a kind the gateway reads",
		"malformed.yaml",
		`unknown field "spec.portz"`,
	}
	var got []string
	for _, u := range s.Invalid {
		got = append(got, u.Object["errors"].(string))
	}
	for _, w := range wantInvalid {
		found := false
		for _, g := range got {
			found = found || strings.Contains(g, w)
		}
		if !found {
			t.Errorf("no invalid entry mentions %q; invalid: %q", w, got)
		}
	}
	if len(s.Invalid) != len(wantInvalid) {
		t.Errorf("%d invalid entries, want %d: %q", len(s.Invalid), len(wantInvalid), got)
	}
}

// A snapshot survives its own JSON form: what watt serves is what diagd
// reads.
func TestSnapshotJSONRoundTrip(t *testing.T) {
	s, err := FromFiles([]string{filepath.Join("..", "..", "examples")}, "default")
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Kubernetes.Mappings) == 0 {
		t.Fatal("examples/ should have Mappings")
	}
	first, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var back Snapshot
	if err := json.Unmarshal(first, &back); err != nil {
		t.Fatal(err)
	}
	second, err := json.Marshal(&back)
	if err != nil {
		t.Fatal(err)
	}
	if string(first) != string(second) {
		t.Errorf("snapshot changed through JSON:\n%s\n%s", first, second)
	}
}

func TestMissingPathIsAnError(t *testing.T) {
	if _, err := FromFiles([]string{filepath.Join(t.TempDir(), "nope")}, "default"); err == nil {
		t.Error("a path that does not exist should be an error")
	}
}

// A snapshot with a document that could not be parsed at all (no kind)
// still reads back, as diagd reads what watt serves.
func TestSnapshotWithUnparsableDocumentRoundTrips(t *testing.T) {
	s := FromYAML("bad.yaml", []byte("kind: Mapping\n  spec: [\n"), "default")
	if len(s.Invalid) != 1 {
		t.Fatalf("invalid: %v", s.Invalid)
	}
	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var back Snapshot
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatalf("reading the snapshot back: %v", err)
	}
	if len(back.Invalid) != 1 || !strings.Contains(fmt.Sprint(back.Invalid[0].Object["errors"]), "bad.yaml") {
		t.Errorf("invalid after a round trip: %v", back.Invalid)
	}
}

// Decode reads what json.Unmarshal reads, and refuses what it refuses.
func TestDecodeIsUnmarshal(t *testing.T) {
	s := FromYAML("in.yaml", []byte(`apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata: {name: quote, namespace: default}
spec: {prefix: /q/, service: quote}
---
kind: Mapping
  spec: [
`), "default")
	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var want Snapshot
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatal(err)
	}
	got, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Kubernetes.Mappings) != 1 || len(got.Invalid) != 1 || !reflect.DeepEqual(got, &want) {
		t.Errorf("Decode = %+v, want %+v", got, &want)
	}
	for _, bad := range []string{"", "{", `{"Kubernetes": 1}`, `{"Kubernetes": {}} x`} {
		if _, err := Decode([]byte(bad)); err == nil {
			t.Errorf("Decode(%q) took it", bad)
		}
	}
}

// A FileCache gives the snapshots reading without it gives, however the
// tree changes, and each snapshot owns its objects.
func TestFileCacheReadsWhatFromFilesReads(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mapping := func(name, prefix string) string {
		return "apiVersion: getambassador.io/v3alpha1\nkind: Mapping\nmetadata: {name: " + name + "}\nspec: {prefix: " + prefix + ", service: s}\n"
	}
	write("a.yaml", mapping("a", "/a/")+"---\napiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 80}]}\n---\nkind: Mapping\n  spec: [\n")
	write("b.yaml", mapping("b", "/b/"))
	cache := &FileCache{}
	check := func(step string) *Snapshot {
		t.Helper()
		got, err := cache.FromFiles([]string{dir}, "default")
		if err != nil {
			t.Fatal(err)
		}
		want, err := FromFiles([]string{dir}, "default")
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: cached read differs:\n%+v\nwant\n%+v", step, got, want)
		}
		return got
	}
	first := check("first read")
	if len(first.Kubernetes.Mappings) != 2 || len(first.Kubernetes.Services) != 1 || len(first.Invalid) != 1 {
		t.Fatalf("first read: %d Mappings, %d Services, %d invalid", len(first.Kubernetes.Mappings), len(first.Kubernetes.Services), len(first.Invalid))
	}
	// What a reader does to one snapshot's objects is not in the next.
	first.Kubernetes.Mappings[0].Spec.Prefix = "/changed-by-a-reader/"
	first.Kubernetes.Services[0].Spec.Ports[0].Port = 1
	check("unchanged tree")
	write("b.yaml", mapping("b", "/b2/"))
	if s := check("one file changed"); !slices.ContainsFunc(s.Kubernetes.Mappings, func(m *v3alpha1.Mapping) bool { return m.Spec.Prefix == "/b2/" }) {
		t.Error("the changed file was not read again")
	}
	if err := os.Remove(filepath.Join(dir, "b.yaml")); err != nil {
		t.Fatal(err)
	}
	if s := check("a file removed"); len(s.Kubernetes.Mappings) != 1 {
		t.Errorf("after the removal: %d Mappings", len(s.Kubernetes.Mappings))
	}
}
