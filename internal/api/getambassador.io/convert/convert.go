// Package convert moves getambassador.io objects between a spoke version
// (v1, v2) and the hub (v3alpha1) through their JSON form.
//
// Most fields have the same name and shape in every version, so an object
// is converted by rewriting only the fields whose meaning or shape differs
// (Rules) and then decoding the result strictly into the target type: a
// field that no rule handled and the target does not know is an error,
// never a silent loss.
//
// Rules carry meaning (v2's `tls: true` becomes an https:// service in
// v3alpha1, as Emissary does). Losslessness is the engine's job: after
// converting, it converts back, and every top-level spec field that would
// not come back the same is carried in an annotation on the result
// (SpokeDataAnnotation on a hub object, HubDataAnnotation on a spoke
// object) with a checksum of the spec it was produced with. On the way
// back the carried fields are restored, but only if that spec is still
// unchanged: an edit made in the other version wins over a stale original.
package convert

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Annotations that carry what a version cannot express.
const (
	// SpokeDataAnnotation, on a v3alpha1 object, holds how its v1/v2
	// original wrote what v3alpha1 cannot (a string instead of a list, ...).
	SpokeDataAnnotation = "conversion.getambassador.io/v2"
	// HubDataAnnotation, on a v1/v2 object, holds v3alpha1 fields that v2
	// has no place for.
	HubDataAnnotation = "conversion.getambassador.io/v3alpha1"
)

// Object is a JSON object, decoded with numbers kept as json.Number so that
// they survive unchanged.
type Object = map[string]any

// Rule converts one field, or a family of related fields, of a spec in
// place: Up from the spoke's shape to the hub's, Down back. Rules do not
// need to be lossless (the engine makes the conversion so); they must
// produce valid objects of the target version with the same meaning.
type Rule struct {
	Up   func(spec Object) error
	Down func(spec Object) error
}

// Rules are a kind's conversion, applied in order going Up and in reverse
// order going Down.
type Rules []Rule

func (rs Rules) up(spec Object) error {
	for _, r := range rs {
		if r.Up != nil {
			if err := r.Up(spec); err != nil {
				return err
			}
		}
	}
	return nil
}

func (rs Rules) down(spec Object) error {
	for _, r := range slices.Backward(rs) {
		if r.Down != nil {
			if err := r.Down(spec); err != nil {
				return err
			}
		}
	}
	return nil
}

// Convertible is what both sides of a conversion are: typed objects.
type Convertible interface {
	metav1.Object
}

// ToHub converts src (a spoke object) into dst (a pointer to the hub type).
func ToHub(src, dst Convertible, hubAPIVersion string, rules Rules) error {
	return convert(src, dst, hubAPIVersion, rules.up, rules.down, HubDataAnnotation, SpokeDataAnnotation)
}

// FromHub converts src (a hub object) into dst (a pointer to a spoke type).
func FromHub(src, dst Convertible, spokeAPIVersion string, rules Rules) error {
	return convert(src, dst, spokeAPIVersion, rules.down, rules.up, SpokeDataAnnotation, HubDataAnnotation)
}

// carried is what an annotation holds: the original values of the spec
// fields the conversion could not express (Absent lists fields that were
// not set), and the checksum of the spec they were converted into.
type carried struct {
	Fields Object   `json:"fields,omitempty"`
	Absent []string `json:"absent,omitempty"`
	Sum    string   `json:"sum"`
}

func convert(src, dst Convertible, apiVersion string, forward, backward func(Object) error, takeKey, putKey string) error {
	obj, err := toObject(src)
	if err != nil {
		return err
	}
	meta, _ := obj["metadata"].(Object)
	spec, _ := obj["spec"].(Object)
	if spec == nil {
		spec = Object{}
	}
	original := deepCopy(spec)

	// Strip both annotations from what is decoded: the one addressed to
	// this side is consumed here, and one addressed to the other side is
	// stale (it can only be there if the object came back unconverted).
	var restore *carried
	if annotations, ok := meta["annotations"].(Object); ok {
		if raw, ok := annotations[takeKey].(string); ok {
			restore = &carried{}
			if err := json.Unmarshal([]byte(raw), restore); err != nil {
				return fmt.Errorf("annotation %s: %w", takeKey, err)
			}
		}
		delete(annotations, takeKey)
		delete(annotations, putKey)
		if len(annotations) == 0 {
			delete(meta, "annotations")
		}
	}

	if err := forward(spec); err != nil {
		return err
	}
	if restore != nil && restore.Sum == checksum(original) {
		for k, v := range restore.Fields {
			spec[k] = v
		}
		for _, k := range restore.Absent {
			delete(spec, k)
		}
	}
	obj["spec"] = spec
	obj["apiVersion"] = apiVersion
	if err := fromObject(obj, dst); err != nil {
		return err
	}

	// Convert back and carry whatever would not return as it was.
	converted, err := toObject(dst)
	if err != nil {
		return err
	}
	convertedSpec, _ := converted["spec"].(Object)
	back := deepCopy(convertedSpec)
	if back == nil {
		back = Object{}
	}
	if err := backward(back); err != nil {
		return fmt.Errorf("converting back: %w", err)
	}
	keep := carried{Fields: Object{}, Sum: checksum(convertedSpec)}
	for _, k := range unionKeys(original, back) {
		was, wasSet := original[k]
		now, nowSet := back[k]
		switch {
		case wasSet && (!nowSet || !reflect.DeepEqual(was, now)):
			keep.Fields[k] = was
		case !wasSet && nowSet:
			keep.Absent = append(keep.Absent, k)
		}
	}
	if len(keep.Fields) == 0 && len(keep.Absent) == 0 {
		return nil
	}
	b, err := json.Marshal(keep) // map keys sorted: deterministic
	if err != nil {
		return err
	}
	annotations := dst.GetAnnotations()
	if annotations == nil {
		annotations = map[string]string{}
	}
	annotations[putKey] = string(b)
	dst.SetAnnotations(annotations)
	return nil
}

func toObject(v any) (Object, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return decodeObject(b)
}

func decodeObject(b []byte) (Object, error) {
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

// checksum identifies a spec's content; json.Marshal sorts map keys, so
// equal specs give equal sums.
func checksum(spec Object) string {
	b, err := json.Marshal(spec)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

func deepCopy(obj Object) Object {
	if obj == nil {
		return nil
	}
	b, err := json.Marshal(obj)
	if err != nil {
		panic(err) // obj came from JSON; it always encodes
	}
	c, err := decodeObject(b)
	if err != nil {
		panic(err)
	}
	return c
}

func unionKeys(a, b Object) []string {
	keys := make([]string, 0, len(a)+len(b))
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}
