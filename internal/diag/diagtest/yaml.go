package diagtest

import (
	"bytes"
	"encoding/json"
	"fmt"

	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"
)

// yamlKinds are the kinds Snapshot makes, in the order a user would
// apply them (the gateway's own resources first), with their apiVersions.
var yamlKinds = []struct{ kind, apiVersion string }{
	{"Listener", "getambassador.io/v3alpha1"},
	{"Host", "getambassador.io/v3alpha1"},
	{"Secret", "v1"},
	{"AuthService", "getambassador.io/v3alpha1"},
	{"RateLimitService", "getambassador.io/v3alpha1"},
	{"Service", "v1"},
	{"Mapping", "getambassador.io/v3alpha1"},
}

// YAML is Snapshot(n) as the multi-document Kubernetes YAML a user would
// `kubectl apply`: the form other translators (Emissary's, for the
// benchmark comparison) read.
func YAML(n int) ([]byte, error) {
	byKind := map[string][]client.Object{}
	for _, o := range Snapshot(n).Kubernetes.Objects() {
		byKind[o.Kind] = append(byKind[o.Kind], o.Object)
	}
	var out bytes.Buffer
	for _, k := range yamlKinds {
		for _, obj := range byKind[k.kind] {
			b, err := objectYAML(obj, k.kind, k.apiVersion)
			if err != nil {
				return nil, err
			}
			out.WriteString("---\n")
			out.Write(b)
		}
		delete(byKind, k.kind)
	}
	for kind := range byKind {
		return nil, fmt.Errorf("diagtest: no apiVersion for kind %s", kind)
	}
	return out.Bytes(), nil
}

// objectYAML is one object's document, with its kind and apiVersion.
func objectYAML(o client.Object, kind, version string) ([]byte, error) {
	raw, err := json.Marshal(o)
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	doc["apiVersion"], doc["kind"] = version, kind
	// Typed objects carry an empty creationTimestamp a user would not write.
	if meta, ok := doc["metadata"].(map[string]any); ok && meta["creationTimestamp"] == nil {
		delete(meta, "creationTimestamp")
	}
	return yaml.Marshal(doc)
}
