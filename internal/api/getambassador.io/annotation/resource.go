package annotation

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/controller-runtime/pkg/client"
	sigsjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"

	getambassador "github.com/emissary-go/emissary/internal/api/getambassador.io"
)

// legacyGroup is the apiVersion prefix of Ambassador's first resources:
// ambassador/vN means getambassador.io/vN.
const legacyGroup = "ambassador"

// The keys of a flat resource that are not spec fields.
var (
	// topLevelKeys stay where they are.
	topLevelKeys = []string{"apiVersion", "kind", "metadata", "spec", "status"}
	// metadataKeys move into metadata under the same name.
	metadataKeys = []string{"name", "namespace", "generation"}
)

// labelsKey is the flat spelling of metadata.labels.
const labelsKey = "metadata_labels"

// resource turns one document into a typed v3alpha1 object. It returns
// nil and no error for a document that is null; the returned Error has
// the document's own findings, and Parse says where the document is.
func (c *catalog) resource(doc document, parent client.Object) (client.Object, *Other, *Error) {
	// A strict parse (a repeated key is an error) gives what a lenient
	// one does for the documents that have no repeated key, nearly all:
	// one parse then serves both, and the strict check below is done.
	raw, err := yaml.YAMLToJSONStrict(doc.source())
	noRepeatedKey := err == nil
	if err != nil {
		if raw, err = yaml.YAMLToJSON(doc.source()); err != nil {
			return nil, nil, &Error{Err: yamlError(err, doc.lineOffset())}
		}
	}
	var value any
	if err := utiljson.Unmarshal(raw, &value); err != nil {
		return nil, nil, &Error{Err: err}
	}
	if value == nil {
		return nil, nil, nil
	}
	flat, ok := value.(map[string]any)
	if !ok {
		return nil, nil, &Error{Err: fmt.Errorf("a resource must be a mapping, not %s", jsonType(value))}
	}
	if other := otherGroup(flat, raw); other != nil {
		return nil, other, nil
	}

	obj, errs := structure(flat)
	bad := &Error{Fields: errs}
	bad.Kind, _ = obj["kind"].(string)
	bad.Name, _ = metadata(obj)["name"].(string)
	if bad.Name == "" {
		bad.Name, _ = flat["name"].(string) // structure failed before moving it
	}
	if len(errs) > 0 {
		return nil, nil, bad
	}
	inherit(obj, parent)

	gvk, errs := c.kindOf(obj)
	if len(errs) > 0 {
		bad.Fields = errs
		return nil, nil, bad
	}
	strict := gvk.GroupVersion() == getambassador.HubVersion
	if strict && !noRepeatedKey {
		// v3alpha1 is read strictly: a repeated key is an error, where
		// v1/v2 keep the last value as Emissary always did.
		if _, err := yaml.YAMLToJSONStrict(doc.source()); err != nil {
			bad.Err = yamlError(err, doc.lineOffset())
			return nil, nil, bad
		}
	}
	errs = metadataErrors(metadata(obj))
	schemaErrs, unknown := c.schemas[gvk].admit(obj, strict)
	errs = append(errs, schemaErrs...)
	if len(errs) > 0 {
		bad.Fields = append(errs, unknown...)
		return nil, nil, bad
	}

	typed, moreUnknown, err := c.decode(gvk, obj, strict)
	if err != nil {
		if errs = c.blame(gvk, obj); len(errs) == 0 {
			bad.Err = err
		}
	}
	if bad.Err != nil || len(errs) > 0 {
		bad.Fields = errs
		return nil, nil, bad
	}
	// Unknown fields are reported, and dropped; the rest of the resource
	// is used, as the API server would keep it after pruning them.
	if unknown = append(unknown, moreUnknown...); len(unknown) > 0 {
		bad.Fields, bad.Kept = unknown, true
	} else {
		bad = nil
	}
	hub, err := getambassador.ToHub(typed)
	if err != nil {
		if bad == nil {
			bad = &Error{Kind: gvk.Kind, Name: typed.GetName()}
		}
		bad.Err, bad.Kept = err, false
		return nil, nil, bad
	}
	hub.GetObjectKind().SetGroupVersionKind(getambassador.HubVersion.WithKind(gvk.Kind))
	return hub, nil, bad // bad, if set, only reports dropped unknown fields
}

// unsupportedAPIVersion is the error for an apiVersion we do not serve.
func unsupportedAPIVersion(apiVersion string) *field.Error {
	served := make([]string, 0, len(getambassador.Versions))
	for _, v := range getambassador.Versions {
		served = append(served, v.String())
	}
	return field.NotSupported(field.NewPath("apiVersion"), apiVersion, served)
}

// otherGroup returns the document as an Other when its apiVersion is
// neither getambassador.io's nor the legacy ambassador/ one.
func otherGroup(obj map[string]any, raw []byte) *Other {
	apiVersion, _ := obj["apiVersion"].(string)
	kind, _ := obj["kind"].(string)
	gv, err := schema.ParseGroupVersion(apiVersion)
	if apiVersion == "" || err != nil || gv.Group == getambassador.Group || gv.Group == legacyGroup {
		return nil
	}
	return &Other{
		APIVersion: apiVersion, Kind: kind, JSON: raw,
		unsupported: field.ErrorList{unsupportedAPIVersion(apiVersion)},
	}
}

// structure turns a flat resource into the structured one (apiVersion,
// kind, metadata, spec, status). A document may mix the two forms; a key
// given both ways is an error unless both say the same.
func structure(flat map[string]any) (map[string]any, field.ErrorList) {
	var errs field.ErrorList
	obj := map[string]any{}
	for _, key := range topLevelKeys {
		if v, ok := flat[key]; ok {
			obj[key] = v
		}
	}
	meta, errs := section(obj, "metadata", errs)
	spec, errs := section(obj, "spec", errs)
	if len(errs) > 0 {
		return obj, errs
	}
	for _, key := range slices.Sorted(maps.Keys(flat)) {
		if slices.Contains(topLevelKeys, key) {
			continue
		}
		into, where, name := spec, "spec", key
		switch {
		case slices.Contains(metadataKeys, key):
			into, where = meta, "metadata"
		case key == labelsKey:
			into, where, name = meta, "metadata", "labels"
		}
		if old, ok := into[name]; ok && !reflect.DeepEqual(old, flat[key]) {
			errs = append(errs, field.Invalid(field.NewPath(key), flat[key], fmt.Sprintf("conflicts with %s.%s", where, name)))
			continue
		}
		into[name] = flat[key]
	}
	if len(meta) > 0 {
		obj["metadata"] = meta
	}
	// Always a spec, even an empty one: in the flat form, no spec fields
	// is an empty spec, and its required fields are missing.
	obj["spec"] = spec
	return obj, errs
}

// section returns obj[key] as a map, a new empty one when absent.
func section(obj map[string]any, key string, errs field.ErrorList) (map[string]any, field.ErrorList) {
	switch v := obj[key].(type) {
	case map[string]any:
		return v, errs
	case nil:
		delete(obj, key)
		return map[string]any{}, errs
	default:
		return nil, append(errs, field.Invalid(field.NewPath(key), v, "must be a mapping"))
	}
}

// metadata returns obj's metadata map, or nil.
func metadata(obj map[string]any) map[string]any {
	m, _ := obj["metadata"].(map[string]any)
	return m
}

// inherit fills in what a resource takes from the object it annotates:
// the namespace, and the labels when it has none of its own.
func inherit(obj map[string]any, parent client.Object) {
	meta := metadata(obj)
	if meta == nil {
		meta = map[string]any{}
		obj["metadata"] = meta
	}
	if _, ok := meta["namespace"]; !ok && parent.GetNamespace() != "" {
		meta["namespace"] = parent.GetNamespace()
	}
	if _, ok := meta["labels"]; !ok && len(parent.GetLabels()) > 0 {
		labels := map[string]any{}
		for k, v := range parent.GetLabels() {
			labels[k] = v
		}
		meta["labels"] = labels
	}
}

// kindOf checks apiVersion and kind against what is served, and rewrites
// a legacy ambassador/vN apiVersion to getambassador.io/vN.
func (c *catalog) kindOf(obj map[string]any) (schema.GroupVersionKind, field.ErrorList) {
	var errs field.ErrorList
	apiVersion, errs := requiredString(obj, "apiVersion", field.NewPath("apiVersion"), errs)
	kind, errs := requiredString(obj, "kind", field.NewPath("kind"), errs)
	if len(errs) > 0 {
		return schema.GroupVersionKind{}, errs
	}
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err == nil && gv.Group == legacyGroup {
		gv.Group = getambassador.Group
	}
	if err != nil || gv.Group != getambassador.Group || c.kinds[gv.Version] == nil {
		return schema.GroupVersionKind{}, field.ErrorList{unsupportedAPIVersion(apiVersion)}
	}
	gvk := gv.WithKind(kind)
	if _, ok := c.schemas[gvk]; !ok {
		return gvk, field.ErrorList{field.NotSupported(field.NewPath("kind"), kind, c.kinds[gv.Version])}
	}
	obj["apiVersion"] = gv.String()
	return gvk, nil
}

// metadataErrors checks the metadata fields a resource's author writes.
// The name is not held to Kubernetes' naming rules: Emissary never did,
// and annotations are full of names like quote_mapping.
func metadataErrors(meta map[string]any) field.ErrorList {
	path := field.NewPath("metadata")
	var errs field.ErrorList
	_, errs = requiredString(meta, "name", path.Child("name"), errs)
	if v, ok := meta["namespace"]; ok {
		if _, isString := v.(string); !isString {
			errs = append(errs, field.Invalid(path.Child("namespace"), v, "must be a string"))
		}
	}
	if v, ok := meta["generation"]; ok {
		if _, isInt := v.(int64); !isInt {
			errs = append(errs, field.Invalid(path.Child("generation"), v, "must be an integer"))
		}
	}
	for _, key := range []string{"labels", "annotations"} {
		v, ok := meta[key]
		if !ok {
			continue
		}
		m, isMap := v.(map[string]any)
		if !isMap {
			errs = append(errs, field.Invalid(path.Child(key), v, "must be a mapping of strings"))
			continue
		}
		for _, k := range slices.Sorted(maps.Keys(m)) {
			if _, isString := m[k].(string); !isString {
				errs = append(errs, field.Invalid(path.Child(key).Key(k), m[k], "must be a string"))
			}
		}
	}
	return errs
}

// requiredString returns obj[key], which must be a non-empty string.
func requiredString(obj map[string]any, key string, path *field.Path, errs field.ErrorList) (string, field.ErrorList) {
	v, ok := obj[key]
	if !ok || v == nil || v == "" {
		return "", append(errs, field.Required(path, ""))
	}
	s, ok := v.(string)
	if !ok {
		return "", append(errs, field.Invalid(path, v, "must be a string"))
	}
	return s, errs
}

// decode turns obj, already validated, into its Go type: strictly for
// v3alpha1 (an unknown field is an error), leniently for v1/v2, whose
// schemas preserve unknown fields that their Go types have no place for.
// Both are case-sensitive, as the API server is.
func (c *catalog) decode(gvk schema.GroupVersionKind, obj map[string]any, strict bool) (client.Object, field.ErrorList, error) {
	raw, err := json.Marshal(obj)
	if err != nil {
		return nil, nil, err
	}
	out, err := c.scheme.New(gvk)
	if err != nil {
		return nil, nil, err
	}
	typed, ok := out.(client.Object)
	if !ok {
		return nil, nil, fmt.Errorf("%s is not an object kind", gvk)
	}
	if !strict {
		return typed, nil, sigsjson.UnmarshalCaseSensitivePreserveInts(raw, typed)
	}
	strictErrs, err := sigsjson.UnmarshalStrict(raw, typed, sigsjson.DisallowUnknownFields)
	if err != nil {
		return nil, nil, err
	}
	// The schema has already turned away unknown fields of the spec and
	// status; these are metadata's, or fields the Go type lacks.
	var unknown field.ErrorList
	for _, e := range strictErrs {
		var fe sigsjson.FieldError
		if !errors.As(e, &fe) {
			return nil, nil, e
		}
		unknown = append(unknown, unknownField(fe.FieldPath()))
	}
	return typed, unknown, nil
}

// blame says which spec fields a decoding error comes from, by decoding
// them one at a time. Decoding fails only where a Go type is stricter
// than the schema (v1/v2 unions that the schema leaves open), and the
// error the Go type gives does not say where it was.
func (c *catalog) blame(gvk schema.GroupVersionKind, obj map[string]any) field.ErrorList {
	spec, _ := obj["spec"].(map[string]any)
	var errs field.ErrorList
	for _, key := range slices.Sorted(maps.Keys(spec)) {
		one := maps.Clone(obj)
		one["spec"] = map[string]any{key: spec[key]}
		if _, _, err := c.decode(gvk, one, false); err != nil {
			errs = append(errs, field.Invalid(field.NewPath("spec", key), spec[key], err.Error()))
		}
	}
	return errs
}

// unknownField is the error for a field the schema does not have.
func unknownField(path string) *field.Error {
	return &field.Error{Type: field.ErrorTypeForbidden, Field: path, Detail: "unknown field"}
}

// yamlLine finds the line numbers in the YAML parser's messages.
var yamlLine = regexp.MustCompile(`\bline (\d+)`)

// yamlError puts the YAML parser's (sometimes multi-line) message on one
// line, with its line numbers counted from the start of the whole value.
func yamlError(err error, offset int) error {
	lines := strings.Split(err.Error(), "\n")
	for i := range lines {
		lines[i] = strings.TrimSpace(lines[i])
	}
	msg := yamlLine.ReplaceAllStringFunc(strings.Join(lines, " "), func(m string) string {
		n, _ := strconv.Atoi(m[len("line "):])
		return "line " + strconv.Itoa(n+offset)
	})
	return errors.New(msg)
}

func jsonType(v any) string {
	switch v.(type) {
	case []any:
		return "a list"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case int64, float64:
		return "a number"
	default:
		return fmt.Sprintf("%T", v)
	}
}
