package getambassador

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/emissary-go/emissary/internal/api/getambassador.io/convert"
	v2 "github.com/emissary-go/emissary/internal/api/getambassador.io/v2"
	"github.com/emissary-go/emissary/internal/api/getambassador.io/v3alpha1"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// Every testdata object survives a trip through every other served version
// byte for byte: v1 and v2 objects through the hub, hub objects through
// each spoke.
func TestConversionRoundTripIsLossless(t *testing.T) {
	for _, gv := range Versions {
		for _, kind := range kindsInTestdata {
			if !scheme.Recognizes(gv.WithKind(kind)) {
				continue
			}
			for i, obj := range loadTestdata(t, gv.Version, strings.ToLower(kind)) {
				want := mustJSON(t, obj)
				for _, via := range Versions {
					if via == gv || !scheme.Recognizes(via.WithKind(kind)) || (gv != HubVersion && via != HubVersion) {
						continue
					}
					got, err := roundTrip(obj, gv, via)
					if err != nil {
						t.Errorf("%s %s #%d via %s: %v", gv.Version, kind, i+1, via.Version, err)
						continue
					}
					if have := mustJSON(t, got); have != want {
						t.Errorf("%s %s #%d via %s changed:\n want %s\n  got %s", gv.Version, kind, i+1, via.Version, want, have)
					}
				}
			}
		}
	}
}

func roundTrip(obj client.Object, from, via schema.GroupVersion) (client.Object, error) {
	if from == HubVersion {
		spoke, err := FromHub(obj, via)
		if err != nil {
			return nil, err
		}
		return ToHub(spoke)
	}
	hub, err := ToHub(obj)
	if err != nil {
		return nil, err
	}
	return FromHub(hub, from)
}

// What v2 objects mean in v3alpha1, reviewed in testdata/golden. Run
// `go test ./internal/api/getambassador.io -run Golden -update` to rewrite.
func TestConversionToHubGolden(t *testing.T) {
	for _, kind := range kindsInTestdata {
		if !scheme.Recognizes(v2.GroupVersion.WithKind(kind)) {
			continue
		}
		var docs []string
		for i, obj := range loadTestdata(t, "v2", strings.ToLower(kind)) {
			hub, err := ToHub(obj)
			if err != nil {
				t.Errorf("v2 %s #%d: %v", kind, i+1, err)
				continue
			}
			b, err := yaml.Marshal(hub)
			if err != nil {
				t.Fatal(err)
			}
			docs = append(docs, string(b))
		}
		got := "---\n" + strings.Join(docs, "---\n")
		path := filepath.Join("testdata", "golden", "v2-to-v3alpha1", strings.ToLower(kind)+".yaml")
		if *update {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with -update to create it)", err)
		}
		if string(want) != got {
			t.Errorf("%s differs from what conversion produces now; review and run with -update:\n%s", path, got)
		}
	}
}

// A carried original is restored only while the spec it was converted
// into is unchanged: an edit made in the other version wins.
func TestEditInTheOtherVersionWinsOverTheCarriedOriginal(t *testing.T) {
	in := &v2.Mapping{}
	in.Name, in.Namespace = "quote", "default"
	in.Spec.Prefix, in.Spec.Service = "/quote/", "quote"
	in.Spec.AmbassadorID = v2.NewAmbassadorIDString("blue")

	hubObj, err := ToHub(in)
	if err != nil {
		t.Fatal(err)
	}
	hub := hubObj.(*v3alpha1.Mapping)
	if _, ok := hub.Annotations[convert.SpokeDataAnnotation]; !ok {
		t.Fatalf("the string-shaped ambassador_id should be carried, annotations: %v", hub.Annotations)
	}

	unchanged, err := FromHub(hub.DeepCopy(), v2.GroupVersion)
	if err != nil {
		t.Fatal(err)
	}
	if id := unchanged.(*v2.Mapping).Spec.AmbassadorID; id == nil || !id.IsString {
		t.Errorf("unedited: ambassador_id should come back as the string it was, got %+v", id)
	}

	hub.Spec.Prefix = "/quote/v2/"
	edited, err := FromHub(hub, v2.GroupVersion)
	if err != nil {
		t.Fatal(err)
	}
	m := edited.(*v2.Mapping)
	if m.Spec.Prefix != "/quote/v2/" {
		t.Errorf("the edit was lost: prefix %q", m.Spec.Prefix)
	}
	if ids := m.Spec.AmbassadorID.IDs(); len(ids) != 1 || ids[0] != "blue" || m.Spec.AmbassadorID.IsString {
		t.Errorf("edited: ambassador_id should be the hub's list [blue], got %+v", m.Spec.AmbassadorID)
	}
	if _, ok := m.Annotations[convert.SpokeDataAnnotation]; ok {
		t.Error("the stale annotation must not survive")
	}
}

func TestCorruptConversionAnnotationIsAnError(t *testing.T) {
	hub := &v3alpha1.Mapping{}
	hub.Name, hub.Namespace = "quote", "default"
	hub.Annotations = map[string]string{convert.SpokeDataAnnotation: "{not json"}
	if _, err := FromHub(hub, v2.GroupVersion); err == nil || !strings.Contains(err.Error(), convert.SpokeDataAnnotation) {
		t.Errorf("err = %v, want one naming the annotation", err)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
