// Package convert moves getambassador.io objects between a spoke version
// (v1, v2) and the hub (v3alpha1) through their JSON form.
//
// Most fields have the same name and shape in every version, so an object
// is converted by rewriting only the fields that differ (Rules) and then
// decoding the result strictly into the target type: a field that no rule
// handled and the target does not know is an error, never a silent loss.
//
// Conversions are lossless. What the target version cannot express is
// carried in an annotation and restored on the way back:
// SpokeDataAnnotation on a hub object holds how the v1/v2 original was
// written (a string instead of a list, an absent host, ...), and
// HubDataAnnotation on a spoke object holds hub fields the spoke has no
// place for. Each annotation is removed when it is consumed.
package convert

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Annotations that carry what a version cannot express.
const (
	SpokeDataAnnotation = "conversion.getambassador.io/v2"
	HubDataAnnotation   = "conversion.getambassador.io/v3alpha1"
)

// Object is a JSON object, decoded with numbers kept as json.Number so that
// they survive unchanged.
type Object = map[string]any

// Rule converts one field, or a family of related fields, of a spec.
type Rule struct {
	// Up rewrites spec from the spoke's shape to the hub's, and notes in
	// spoke what the hub cannot express.
	Up func(spec, spoke Object) error
	// Down rewrites spec from the hub's shape to the spoke's. spoke is what
	// Up noted (empty for an object that began in the hub version); what
	// the spoke cannot express goes into hub, keyed by field path, and is
	// put back into the hub spec by ToHub.
	Down func(spec, spoke, hub Object) error
}

// ToHub converts src (a spoke object) into dst (a pointer to the hub type).
func ToHub(src, dst any, hubAPIVersion string, rules []Rule) error {
	obj, err := toObject(src)
	if err != nil {
		return err
	}
	meta := child(obj, "metadata")
	hubData, err := takeAnnotation(meta, HubDataAnnotation)
	if err != nil {
		return err
	}
	spec := child(obj, "spec")
	spoke := Object{}
	for _, r := range rules {
		if r.Up == nil {
			continue
		}
		if err := r.Up(spec, spoke); err != nil {
			return err
		}
	}
	for _, path := range sortedKeys(hubData) {
		if hubData[path] == nil {
			deletePath(spec, path)
		} else {
			setPath(spec, path, hubData[path])
		}
	}
	if err := putAnnotation(meta, SpokeDataAnnotation, spoke); err != nil {
		return err
	}
	obj["apiVersion"] = hubAPIVersion
	return fromObject(obj, dst)
}

// FromHub converts src (a pointer to a hub object) into dst (a spoke type).
func FromHub(src, dst any, spokeAPIVersion string, rules []Rule) error {
	obj, err := toObject(src)
	if err != nil {
		return err
	}
	meta := child(obj, "metadata")
	spoke, err := takeAnnotation(meta, SpokeDataAnnotation)
	if err != nil {
		return err
	}
	spec := child(obj, "spec")
	hub := Object{}
	for _, r := range rules {
		if r.Down == nil {
			continue
		}
		if err := r.Down(spec, spoke, hub); err != nil {
			return err
		}
	}
	if err := putAnnotation(meta, HubDataAnnotation, hub); err != nil {
		return err
	}
	obj["apiVersion"] = spokeAPIVersion
	return fromObject(obj, dst)
}

func toObject(v any) (Object, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var obj Object
	if err := dec.Decode(&obj); err != nil {
		return nil, err
	}
	return obj, nil
}

func fromObject(obj Object, dst any) error {
	b, err := json.Marshal(obj)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return fmt.Errorf("converting to %T: %w", dst, err)
	}
	return nil
}

// child returns obj[key] as an object, creating it when absent.
func child(obj Object, key string) Object {
	if c, ok := obj[key].(Object); ok {
		return c
	}
	c := Object{}
	obj[key] = c
	return c
}

func takeAnnotation(meta Object, key string) (Object, error) {
	annotations, _ := meta["annotations"].(Object)
	raw, ok := annotations[key].(string)
	if !ok {
		return Object{}, nil
	}
	delete(annotations, key)
	if len(annotations) == 0 {
		delete(meta, "annotations")
	}
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	var data Object
	if err := dec.Decode(&data); err != nil {
		return nil, fmt.Errorf("annotation %s: %w", key, err)
	}
	if data == nil {
		data = Object{}
	}
	return data, nil
}

func putAnnotation(meta Object, key string, data Object) error {
	if len(data) == 0 {
		return nil
	}
	b, err := json.Marshal(data) // map keys are sorted: deterministic
	if err != nil {
		return err
	}
	annotations, ok := meta["annotations"].(Object)
	if !ok {
		annotations = Object{}
		meta["annotations"] = annotations
	}
	annotations[key] = string(b)
	return nil
}

// Paths name nested fields with dots: "cors.origins".

// getPath returns the value at path and whether it is present.
func getPath(obj Object, path string) (any, bool) {
	parts := strings.Split(path, ".")
	for _, p := range parts[:len(parts)-1] {
		next, ok := obj[p].(Object)
		if !ok {
			return nil, false
		}
		obj = next
	}
	v, ok := obj[parts[len(parts)-1]]
	return v, ok
}

// setPath sets the value at path, creating intermediate objects.
func setPath(obj Object, path string, v any) {
	parts := strings.Split(path, ".")
	for _, p := range parts[:len(parts)-1] {
		obj = child(obj, p)
	}
	obj[parts[len(parts)-1]] = v
}

// deletePath removes the value at path, if present.
func deletePath(obj Object, path string) {
	parts := strings.Split(path, ".")
	for _, p := range parts[:len(parts)-1] {
		next, ok := obj[p].(Object)
		if !ok {
			return
		}
		obj = next
	}
	delete(obj, parts[len(parts)-1])
}

// takePath removes and returns the value at path.
func takePath(obj Object, path string) (any, bool) {
	v, ok := getPath(obj, path)
	if ok {
		deletePath(obj, path)
	}
	return v, ok
}

func sortedKeys(obj Object) []string {
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
