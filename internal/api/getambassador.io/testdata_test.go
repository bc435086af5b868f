package getambassador

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	k8svalidation "k8s.io/apimachinery/pkg/util/validation"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/kube-openapi/pkg/validation/spec"
	"k8s.io/kube-openapi/pkg/validation/strfmt"
	"k8s.io/kube-openapi/pkg/validation/validate"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"
)

// Test data
//
// testdata/<version>/<kind>.yaml holds, for each served version of each
// kind, realistic objects that together use every field of that version's
// schema (and, in v1/v2, every JSON shape of the union fields). The tests
// below prove that; conversion tests reuse the objects through
// loadTestdata.

// testdataDoc is one document of a testdata file, as JSON.
type testdataDoc struct {
	file  string
	index int    // 0-based, counting non-empty documents only
	name  string // namespace/name, when the document has them
	json  []byte
}

func (d testdataDoc) String() string {
	if d.name == "" {
		return fmt.Sprintf("%s document %d", d.file, d.index)
	}
	return fmt.Sprintf("%s document %d (%s)", d.file, d.index, d.name)
}

// testdataFile is the path of the testdata file of a version and kind.
func testdataFile(version, kind string) string {
	return filepath.Join("testdata", version, strings.ToLower(kind)+".yaml")
}

// readTestdata splits a testdata file into its (non-empty) documents.
func readTestdata(t testing.TB, version, kind string) []testdataDoc {
	t.Helper()
	file := testdataFile(version, kind)
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("reading testdata: %v", err)
	}
	reader := utilyaml.NewYAMLReader(bufioReader(data))
	var docs []testdataDoc
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: splitting documents after document %d: %v", file, len(docs)-1, err)
		}
		j, err := yaml.YAMLToJSON(doc)
		if err != nil {
			t.Fatalf("%s document %d: %v", file, len(docs), err)
		}
		if s := bytes.TrimSpace(j); len(s) == 0 || bytes.Equal(s, []byte("null")) {
			continue // empty document or comments only
		}
		var meta struct {
			Metadata struct{ Name, Namespace string } `json:"metadata"`
		}
		name := ""
		if json.Unmarshal(j, &meta) == nil && meta.Metadata.Name != "" {
			name = meta.Metadata.Namespace + "/" + meta.Metadata.Name
		}
		docs = append(docs, testdataDoc{file: file, index: len(docs), name: name, json: j})
	}
	if len(docs) == 0 {
		t.Fatalf("%s has no documents", file)
	}
	return docs
}

// testdataGVK resolves version ("v2") and kind ("Mapping" or "mapping") to
// a GroupVersionKind the scheme knows.
func testdataGVK(t testing.TB, version, kind string) schema.GroupVersionKind {
	t.Helper()
	gv := schema.GroupVersion{Group: Group, Version: version}
	for known := range scheme.KnownTypes(gv) {
		if strings.EqualFold(known, kind) && !strings.HasSuffix(known, "List") {
			return gv.WithKind(known)
		}
	}
	t.Fatalf("the scheme has no kind %q in %s", kind, gv)
	return schema.GroupVersionKind{}
}

// decodeStrict decodes JSON into out, refusing unknown fields and trailing
// data.
func decodeStrict(data []byte, out any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(out); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data after the object")
	}
	return nil
}

// loadTestdata returns the objects of testdata/<version>/<kind>.yaml (kind
// in any case, e.g. "Mapping"), each decoded strictly into the Go type of
// that version and kind. Any error fails the test, naming the file and the
// document's index.
func loadTestdata(t *testing.T, version, kind string) []client.Object {
	t.Helper()
	gvk := testdataGVK(t, version, kind)
	var objs []client.Object
	for _, doc := range readTestdata(t, version, kind) {
		var head struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
			Metadata   struct {
				Name      string `json:"name"`
				Namespace string `json:"namespace"`
			} `json:"metadata"`
		}
		if err := json.Unmarshal(doc.json, &head); err != nil {
			t.Fatalf("%s: %v", doc, err)
		}
		if head.APIVersion != gvk.GroupVersion().String() || head.Kind != gvk.Kind {
			t.Fatalf("%s: is %s %s, want %s %s", doc, head.APIVersion, head.Kind, gvk.GroupVersion(), gvk.Kind)
		}
		if head.Metadata.Name == "" || head.Metadata.Namespace == "" {
			t.Fatalf("%s: metadata.name and metadata.namespace are required", doc)
		}
		raw, err := scheme.New(gvk)
		if err != nil {
			t.Fatalf("%s: %v", doc, err)
		}
		obj, ok := raw.(client.Object)
		if !ok {
			t.Fatalf("%s: %T is not a client.Object", doc, raw)
		}
		if err := decodeStrict(doc.json, obj); err != nil {
			t.Fatalf("%s: decoding into %T: %v", doc, obj, err)
		}
		objs = append(objs, obj)
	}
	return objs
}

// testdataVersion is one served version of a kind, with its schema.
type testdataVersion struct {
	kind    string
	version string
	schema  *apiextv1.JSONSchemaProps
}

// servedTestdataVersions lists, from the embedded CRDs, every served
// version of every kind.
func servedTestdataVersions(t *testing.T) []testdataVersion {
	t.Helper()
	crds, err := CRDs()
	if err != nil {
		t.Fatal(err)
	}
	var out []testdataVersion
	for _, crd := range crds {
		for _, v := range crd.Spec.Versions {
			if !v.Served {
				continue
			}
			if v.Schema == nil || v.Schema.OpenAPIV3Schema == nil {
				t.Fatalf("%s %s has no schema", crd.Spec.Names.Kind, v.Name)
			}
			out = append(out, testdataVersion{kind: crd.Spec.Names.Kind, version: v.Name, schema: v.Schema.OpenAPIV3Schema})
		}
	}
	return out
}

// Schema paths name a schema node from the object's root: ".name" for a
// property, "[]" for the items of a list and ".*" for the values of a map
// (additionalProperties): "spec.circuit_breakers[].priority",
// "spec.add_request_headers.*.append".

// schemaPaths lists every path under spec and status of an object schema.
// A preserve-unknown-fields node without properties is a leaf: its
// contents have no schema. Schemas that combine others (allOf, anyOf,
// oneOf, not) or list per-position items are not walked; finding one is an
// error, so that a schema change cannot quietly shrink what is checked.
func schemaPaths(root *apiextv1.JSONSchemaProps) ([]string, error) {
	var paths []string
	var unhandled []string
	var walk func(s *apiextv1.JSONSchemaProps, path string)
	walk = func(s *apiextv1.JSONSchemaProps, path string) {
		paths = append(paths, path)
		if len(s.AllOf)+len(s.AnyOf)+len(s.OneOf) > 0 || s.Not != nil || (s.Items != nil && len(s.Items.JSONSchemas) > 0) {
			unhandled = append(unhandled, path)
		}
		for name, prop := range s.Properties {
			walk(&prop, path+"."+name)
		}
		if s.Items != nil && s.Items.Schema != nil {
			walk(s.Items.Schema, path+"[]")
		}
		if s.AdditionalProperties != nil && s.AdditionalProperties.Schema != nil {
			walk(s.AdditionalProperties.Schema, path+".*")
		}
	}
	for _, top := range []string{"spec", "status"} {
		if s, ok := root.Properties[top]; ok {
			walk(&s, top)
		}
	}
	slices.Sort(paths)
	if len(unhandled) > 0 {
		return nil, fmt.Errorf("schemaPaths does not walk allOf/anyOf/oneOf/not or per-position items, found at %s", strings.Join(unhandled, ", "))
	}
	return paths, nil
}

// dataPaths marks, in seen, the schema path of every value present in obj
// (a decoded JSON object), following the schema to tell properties from
// map keys. Values the schema does not describe are ignored (they are the
// contents of preserve-unknown-fields nodes).
func dataPaths(root *apiextv1.JSONSchemaProps, obj map[string]any, seen map[string]bool) {
	var walk func(s *apiextv1.JSONSchemaProps, v any, path string)
	walk = func(s *apiextv1.JSONSchemaProps, v any, path string) {
		seen[path] = true
		switch v := v.(type) {
		case map[string]any:
			for key, child := range v {
				if prop, ok := s.Properties[key]; ok {
					walk(&prop, child, path+"."+key)
				} else if s.AdditionalProperties != nil && s.AdditionalProperties.Schema != nil {
					walk(s.AdditionalProperties.Schema, child, path+".*")
				}
			}
		case []any:
			if s.Items != nil && s.Items.Schema != nil {
				for _, item := range v {
					walk(s.Items.Schema, item, path+"[]")
				}
			}
		}
	}
	for _, top := range []string{"spec", "status"} {
		s, ok := root.Properties[top]
		if v, present := obj[top]; ok && present {
			walk(&s, v, top)
		}
	}
}

// objectJSON is obj marshalled back to JSON and decoded generically (with
// integers as int64, as the API server decodes them).
func objectJSON(t *testing.T, obj client.Object) map[string]any {
	t.Helper()
	data, err := json.Marshal(obj)
	if err != nil {
		t.Fatalf("%s/%s: encoding: %v", obj.GetNamespace(), obj.GetName(), err)
	}
	var out map[string]any
	if err := utiljson.Unmarshal(data, &out); err != nil {
		t.Fatalf("%s/%s: %v", obj.GetNamespace(), obj.GetName(), err)
	}
	return out
}

// Every property path of every served version's schema occurs in at least
// one testdata object of that kind and version, after decoding into the
// Go type (so a field the Go type drops does not count).
func TestTestdataCoversEverySchemaField(t *testing.T) {
	for _, tv := range servedTestdataVersions(t) {
		t.Run(tv.version+"/"+tv.kind, func(t *testing.T) {
			seen := map[string]bool{}
			for _, obj := range loadTestdata(t, tv.version, tv.kind) {
				dataPaths(tv.schema, objectJSON(t, obj), seen)
			}
			paths, err := schemaPaths(tv.schema)
			if err != nil {
				t.Fatal(err)
			}
			var missing []string
			for _, path := range paths {
				if !seen[path] {
					missing = append(missing, path)
				}
			}
			if len(missing) > 0 {
				t.Errorf("%s: %d schema fields of %s %s are in no object:\n\t%s",
					testdataFile(tv.version, tv.kind), len(missing), tv.version, tv.kind, strings.Join(missing, "\n\t"))
			}
		})
	}
}

// openAPISchema turns a CRD schema into the kube-openapi form that the API
// server validates custom resources with (what apiextensions-apiserver's
// validation.ConvertJSONSchemaProps does: the JSON is the same except for
// x-kubernetes-int-or-string, which becomes a two-type union).
func openAPISchema(t *testing.T, in *apiextv1.JSONSchemaProps) *spec.Schema {
	t.Helper()
	data, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	out := &spec.Schema{}
	if err := json.Unmarshal(data, out); err != nil {
		t.Fatal(err)
	}
	var fix func(s *spec.Schema)
	fix = func(s *spec.Schema) {
		if v, ok := s.Extensions.GetBool("x-kubernetes-int-or-string"); ok && v {
			s.Type = spec.StringOrArray{"integer", "string"}
		}
		for name, p := range s.Properties {
			fix(&p)
			s.Properties[name] = p
		}
		if s.Items != nil && s.Items.Schema != nil {
			fix(s.Items.Schema)
		}
		if s.AdditionalProperties != nil && s.AdditionalProperties.Schema != nil {
			fix(s.AdditionalProperties.Schema)
		}
	}
	fix(out)
	return out
}

// Every testdata document is valid against its version's CRD schema, both
// as written and as the Go type writes it back.
func TestTestdataIsValidAgainstTheSchema(t *testing.T) {
	for _, tv := range servedTestdataVersions(t) {
		t.Run(tv.version+"/"+tv.kind, func(t *testing.T) {
			validator := validate.NewSchemaValidator(openAPISchema(t, tv.schema), nil, "", strfmt.Default)
			check := func(what string, data []byte) {
				var obj map[string]any
				if err := utiljson.Unmarshal(data, &obj); err != nil {
					t.Fatalf("%s: %v", what, err)
				}
				if result := validator.Validate(obj); !result.IsValid() {
					for _, err := range result.Errors {
						t.Errorf("%s: %v", what, err)
					}
				}
			}
			docs := readTestdata(t, tv.version, tv.kind)
			objs := loadTestdata(t, tv.version, tv.kind)
			for i, doc := range docs {
				// The API server also checks the names.
				for _, msg := range k8svalidation.IsDNS1123Subdomain(objs[i].GetName()) {
					t.Errorf("%s: metadata.name: %s", doc, msg)
				}
				for _, msg := range k8svalidation.IsDNS1123Label(objs[i].GetNamespace()) {
					t.Errorf("%s: metadata.namespace: %s", doc, msg)
				}
				check(doc.String(), doc.json)
				encoded, err := json.Marshal(objs[i])
				if err != nil {
					t.Fatalf("%s: encoding: %v", doc, err)
				}
				check(doc.String()+" (re-encoded)", encoded)
			}
		})
	}
}

// Decoding a testdata document into its Go type and encoding it again
// gives the same JSON: nothing is dropped (not even inside the union and
// free-form fields, which do not refuse unknown keys) and nothing is
// normalised, so conversion tests can compare objects with the files.
func TestTestdataRoundTripsThroughTheGoTypes(t *testing.T) {
	for _, tv := range servedTestdataVersions(t) {
		t.Run(tv.version+"/"+tv.kind, func(t *testing.T) {
			docs := readTestdata(t, tv.version, tv.kind)
			for i, obj := range loadTestdata(t, tv.version, tv.kind) {
				var want map[string]any
				if err := utiljson.Unmarshal(docs[i].json, &want); err != nil {
					t.Fatal(err)
				}
				if diffs := jsonDiff("", want, objectJSON(t, obj)); len(diffs) > 0 {
					t.Errorf("%s changes when decoded and encoded again:\n\t%s", docs[i], strings.Join(diffs, "\n\t"))
				}
			}
		})
	}
}

// jsonDiff lists where two decoded JSON values differ, as
// "path: written X, encoded Y".
func jsonDiff(path string, written, encoded any) []string {
	show := func(v any, present bool) string {
		if !present {
			return "nothing"
		}
		b, _ := json.Marshal(v)
		return string(b)
	}
	wm, wok := written.(map[string]any)
	em, eok := encoded.(map[string]any)
	if wok && eok {
		keys := map[string]bool{}
		for k := range wm {
			keys[k] = true
		}
		for k := range em {
			keys[k] = true
		}
		var diffs []string
		for _, k := range slices.Sorted(maps.Keys(keys)) {
			w, win := wm[k]
			e, ein := em[k]
			if !win || !ein {
				diffs = append(diffs, fmt.Sprintf("%s: written %s, encoded %s", strings.TrimPrefix(path+"."+k, "."), show(w, win), show(e, ein)))
				continue
			}
			diffs = append(diffs, jsonDiff(strings.TrimPrefix(path+"."+k, "."), w, e)...)
		}
		return diffs
	}
	wl, wok := written.([]any)
	el, eok := encoded.([]any)
	if wok && eok && len(wl) == len(el) {
		var diffs []string
		for i := range wl {
			diffs = append(diffs, jsonDiff(fmt.Sprintf("%s[%d]", path, i), wl[i], el[i])...)
		}
		return diffs
	}
	if reflect.DeepEqual(written, encoded) {
		return nil
	}
	return []string{fmt.Sprintf("%s: written %s, encoded %s", path, show(written, true), show(encoded, true))}
}

// jsonShape names the JSON type of a decoded value.
func jsonShape(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return fmt.Sprint(v)
	case string:
		return "string"
	case []any:
		return "list"
	case map[string]any:
		return "object"
	default:
		return "number"
	}
}

// valuesAt returns every value at a dotted path in obj, where "*" stands
// for every value of a map and every element of a list.
func valuesAt(v any, path []string) []any {
	if len(path) == 0 {
		return []any{v}
	}
	var out []any
	switch v := v.(type) {
	case map[string]any:
		if path[0] == "*" {
			for _, child := range v {
				out = append(out, valuesAt(child, path[1:])...)
			}
		} else if child, ok := v[path[0]]; ok {
			out = append(out, valuesAt(child, path[1:])...)
		}
	case []any:
		if path[0] == "*" {
			for _, child := range v {
				out = append(out, valuesAt(child, path[1:])...)
			}
		}
	}
	return out
}

// labelSpecifierForm classifies one v2 rate-limit label the way
// v2.MappingLabelSpecifier decodes it.
func labelSpecifierForm(v any) string {
	switch v := v.(type) {
	case string:
		switch v {
		case "source_cluster", "destination_cluster", "remote_address":
			return "string:" + v
		}
		return "string:generic"
	case map[string]any:
		if _, ok := v["generic_key"]; ok {
			if _, ok := v["v3Key"]; ok {
				return "generic_key+v3Key"
			}
			return "generic_key"
		}
		for _, h := range v {
			if h, ok := h.(map[string]any); ok {
				if _, ok := h["omit_if_not_present"]; ok {
					return "header+omit_if_not_present"
				}
				return "header"
			}
		}
	}
	return jsonShape(v)
}

// The union (multi-shape) fields of v1 and v2 appear in every shape they
// accept, so conversions are tested on each.
func TestTestdataCoversEveryUnionShape(t *testing.T) {
	type want struct {
		kind, path string
		shapes     []string
		classify   func(any) string
	}
	idKinds := []string{"AuthService", "ConsulResolver", "DevPortal", "KubernetesEndpointResolver", "KubernetesServiceResolver",
		"LogService", "Mapping", "Module", "RateLimitService", "TCPMapping", "TLSContext", "TracingService"}
	var wants []want
	for _, kind := range idKinds {
		wants = append(wants, want{kind: kind, path: "spec.ambassador_id", shapes: []string{"string", "list"}})
	}
	for _, kind := range []string{"AuthService", "Mapping", "RateLimitService", "TCPMapping"} {
		wants = append(wants, want{kind: kind, path: "spec.tls", shapes: []string{"true", "false", "string"}})
	}
	wants = append(wants,
		want{kind: "Mapping", path: "spec.headers.*", shapes: []string{"string", "true", "false"}},
		want{kind: "Mapping", path: "spec.query_parameters.*", shapes: []string{"string", "true", "false"}},
		want{kind: "Mapping", path: "spec.add_request_headers.*", shapes: []string{"string", "object", "null"}},
		want{kind: "Mapping", path: "spec.add_response_headers.*", shapes: []string{"string", "object", "null"}},
		want{kind: "Mapping", path: "spec.remove_request_headers", shapes: []string{"string", "list"}},
		want{kind: "Mapping", path: "spec.remove_response_headers", shapes: []string{"string", "list"}},
		want{kind: "Mapping", path: "spec.cors.origins", shapes: []string{"string", "list"}},
		want{kind: "Mapping", path: "spec.cors.methods", shapes: []string{"string", "list"}},
		want{kind: "Mapping", path: "spec.cors.headers", shapes: []string{"string", "list"}},
		want{kind: "Mapping", path: "spec.cors.exposed_headers", shapes: []string{"string", "list"}},
		want{kind: "Mapping", path: "spec.modules.*", shapes: []string{"object"}},
		want{kind: "Mapping", path: "spec.envoy_override", shapes: []string{"object"}},
		want{kind: "Mapping", path: "spec.labels.*.*.*.*", classify: labelSpecifierForm, shapes: []string{
			"string:source_cluster", "string:destination_cluster", "string:remote_address", "string:generic",
			"generic_key", "generic_key+v3Key", "header", "header+omit_if_not_present"}},
		want{kind: "Module", path: "spec.config", shapes: []string{"object"}},
		want{kind: "Host", path: "spec.ambassador_id", shapes: []string{"string", "list"}},
		want{kind: "Host", path: "spec.ambassadorId", shapes: []string{"string", "list"}},
	)
	for _, version := range []string{"v1", "v2"} {
		for _, w := range wants {
			if w.kind == "Host" && version == "v1" {
				continue // Host has no v1
			}
			classify := w.classify
			if classify == nil {
				classify = jsonShape
			}
			found := map[string]bool{}
			for _, obj := range loadTestdata(t, version, w.kind) {
				for _, v := range valuesAt(objectJSON(t, obj), strings.Split(w.path, ".")) {
					found[classify(v)] = true
				}
			}
			var missing []string
			for _, shape := range w.shapes {
				if !found[shape] {
					missing = append(missing, shape)
				}
			}
			if len(missing) > 0 {
				t.Errorf("%s: no %s %s has %s as %s", testdataFile(version, w.kind), version, w.kind, w.path, strings.Join(missing, ", "))
			}
		}
	}
}

// The v2 Mappings include the cases conversion treats specially.
func TestTestdataHasTheSpecialV2Mappings(t *testing.T) {
	var noHost, hostRegex, v3Only bool
	for _, obj := range loadTestdata(t, "v2", "Mapping") {
		spec := objectJSON(t, obj)["spec"].(map[string]any)
		if _, ok := spec["host"]; !ok {
			noHost = true
		}
		if spec["host_regex"] == true {
			hostRegex = true
		}
		ids, _ := spec["ambassador_id"].([]any)
		if len(ids) > 0 && !slices.ContainsFunc(ids, func(id any) bool {
			s, _ := id.(string)
			return !strings.HasPrefix(s, "--apiVersion-v3alpha1-only--")
		}) {
			v3Only = true
		}
	}
	for _, c := range []struct {
		found bool
		what  string
	}{
		{noHost, "a Mapping without host"},
		{hostRegex, "a Mapping with host_regex: true"},
		{v3Only, "a Mapping stored from v3alpha1 (every ambassador_id starting with --apiVersion-v3alpha1-only--)"},
	} {
		if !c.found {
			t.Errorf("%s has no %s", testdataFile("v2", "Mapping"), c.what)
		}
	}
}

// The v2* fields of the v3alpha1 test data are in the combinations that
// converting a v2 object produces, so conversion tests start from data
// that can occur.
func TestTestdataV2FieldsAreConsistent(t *testing.T) {
	spec := func(obj client.Object) map[string]any {
		s, _ := objectJSON(t, obj)["spec"].(map[string]any)
		return s
	}
	str := func(m map[string]any, key string) string { s, _ := m[key].(string); return s }
	obj := func(m map[string]any, key string) map[string]any { o, _ := m[key].(map[string]any); return o }
	name := func(o client.Object) string {
		return testdataFile("v3alpha1", o.GetObjectKind().GroupVersionKind().Kind) + " " + o.GetNamespace() + "/" + o.GetName()
	}

	// v2ExplicitTLS: "bool:true" means v2 originated TLS with no TLSContext,
	// which v3alpha1 spells as an https:// service; serviceScheme is how v2
	// spelled that service's scheme.
	services := map[string]string{"AuthService": "auth_service", "Mapping": "service", "RateLimitService": "service", "TCPMapping": "service"}
	for kind, serviceField := range services {
		for _, o := range loadTestdata(t, "v3alpha1", kind) {
			s := spec(o)
			explicit := obj(s, "v2ExplicitTLS")
			if explicit == nil {
				continue
			}
			service := str(s, serviceField)
			scheme := ""
			if i := strings.Index(service, "://"); i >= 0 {
				scheme = service[:i+3]
			}
			if str(explicit, "tls") == "bool:true" && (scheme != "https://" || str(s, "tls") != "") {
				t.Errorf("%s: v2ExplicitTLS.tls is bool:true but %s is %q and tls is %q", name(o), serviceField, service, str(s, "tls"))
			}
			if want, ok := explicit["serviceScheme"].(string); ok && want != "" && !strings.EqualFold(want, scheme) {
				t.Errorf("%s: v2ExplicitTLS.serviceScheme %q does not match %s %q", name(o), want, serviceField, service)
			}
		}
	}

	for _, o := range loadTestdata(t, "v3alpha1", "Mapping") {
		s := spec(o)
		// A v2 `name: true` match is regex ".*" in v3alpha1.
		for _, pair := range [][3]string{{"v2BoolHeaders", "headers", "regex_headers"}, {"v2BoolQueryParameters", "query_parameters", "regex_query_parameters"}} {
			names, _ := s[pair[0]].([]any)
			for _, n := range names {
				n, _ := n.(string)
				if _, exact := obj(s, pair[1])[n]; exact || str(obj(s, pair[2]), n) != ".*" {
					t.Errorf("%s: %s names %q, which must be only in %s, as \".*\"", name(o), pair[0], n, pair[2])
				}
			}
		}
		// Comma-separated origins became a list of single origins.
		if cors := obj(s, "cors"); cors["v2CommaSeparatedOrigins"] == true {
			origins, _ := cors["origins"].([]any)
			if len(origins) == 0 {
				t.Errorf("%s: v2CommaSeparatedOrigins without origins", name(o))
			}
			for _, origin := range origins {
				if origin, _ := origin.(string); strings.Contains(origin, ",") {
					t.Errorf("%s: v2CommaSeparatedOrigins, but origin %q holds a comma", name(o), origin)
				}
			}
		}
		// A bare-string v2 header has only a value; a null one has nothing.
		for _, field := range []string{"add_request_headers", "add_response_headers"} {
			for header, h := range obj(s, field) {
				h, _ := h.(map[string]any)
				_, hasValue := h["value"]
				_, hasAppend := h["append"]
				switch h["v2Representation"] {
				case "string":
					if !hasValue || hasAppend {
						t.Errorf("%s: %s[%s] was a v2 string, so it has a value and no append", name(o), field, header)
					}
				case "null":
					if hasValue || hasAppend {
						t.Errorf("%s: %s[%s] was a v2 null, so it has neither value nor append", name(o), field, header)
					}
				}
			}
		}
		// A v2 shorthand label is a generic_key with the default key.
		for _, label := range valuesAt(objectJSON(t, o), strings.Split("spec.labels.*.*.*.*", ".")) {
			l, _ := label.(map[string]any)
			generic := obj(l, "generic_key")
			if generic["v2Shorthand"] == true && str(generic, "key") != "" {
				t.Errorf("%s: generic_key %q has v2Shorthand and key %q; v2 shorthands have no key", name(o), str(generic, "value"), str(generic, "key"))
			}
		}
	}
}
