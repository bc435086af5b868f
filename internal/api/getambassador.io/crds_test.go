package getambassador

import "testing"

// The embedded CRDs are the same kinds and versions the Go types register.
func TestEmbeddedCRDsMatchTheScheme(t *testing.T) {
	crds, err := CRDs()
	if err != nil {
		t.Fatal(err)
	}
	if len(crds) != 14 {
		t.Fatalf("got %d CRDs, want 14", len(crds))
	}
	for _, crd := range crds {
		for _, v := range crd.Spec.Versions {
			gvk := crd.Spec.Group + "/" + v.Name + ", Kind=" + crd.Spec.Names.Kind
			if _, err := scheme.New(HubVersion.WithKind(crd.Spec.Names.Kind).GroupKind().WithVersion(v.Name)); err != nil {
				t.Errorf("%s is in crds.yaml but not in the scheme: %v", gvk, err)
			}
		}
	}
}
