package v2

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
)

// Union types
//
// v2 lets several fields take more than one JSON shape (a string or a list,
// a bool or a string, ...). Emissary's published v2 schema leaves those
// fields out, so the API server keeps whatever the user wrote (the spec
// preserves unknown fields). Each union below records which shape it was
// decoded from and writes that same shape back, so decode -> encode is
// lossless. Their schema is `x-kubernetes-preserve-unknown-fields: true` with
// no type (Type="" plus PreserveUnknownFields on the type), which keeps the
// schema structural while accepting every shape.
//
// In AmbassadorID, StringOrStringList, OriginList, BoolOrString, AddedHeader
// and MappingLabelSpecifier the zero value stands for JSON null. Unknown keys
// inside the object forms are ignored, as in the rest of the typed API.

// jsonKind names the JSON type of an encoded value, for error messages and
// for picking a union's shape.
func jsonKind(data []byte) string {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return "nothing"
	}
	switch data[0] {
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	case '[':
		return "array"
	case '{':
		return "object"
	default:
		return "number"
	}
}

// shapeError reports a JSON value of the wrong shape for a union type.
func shapeError(typeName, want string, data []byte) error {
	return fmt.Errorf("v2.%s: expected %s, got %s", typeName, want, jsonKind(data))
}

// decodeStringOrList decodes a string (returned as one value, isString=true),
// a list of strings, or null (nil, false).
func decodeStringOrList(typeName string, data []byte) (values []string, isString bool, err error) {
	switch jsonKind(data) {
	case "null":
		return nil, false, nil
	case "string":
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return nil, false, fmt.Errorf("v2.%s: %w", typeName, err)
		}
		return []string{s}, true, nil
	case "array":
		var raw []json.RawMessage
		if err := json.Unmarshal(data, &raw); err != nil {
			return nil, false, fmt.Errorf("v2.%s: %w", typeName, err)
		}
		// Check each element so that a null or a number inside the list is
		// an error instead of silently becoming "".
		values = make([]string, len(raw))
		for i, item := range raw {
			if k := jsonKind(item); k != "string" {
				return nil, false, fmt.Errorf("v2.%s: expected a list of strings, element %d is %s", typeName, i, k)
			}
			if err := json.Unmarshal(item, &values[i]); err != nil {
				return nil, false, fmt.Errorf("v2.%s: %w", typeName, err)
			}
		}
		return values, false, nil
	default:
		return nil, false, shapeError(typeName, "a string or a list of strings", data)
	}
}

// encodeStringOrList is decodeStringOrList's inverse. The string shape needs
// exactly one value; otherwise the list shape is used so no value is lost.
func encodeStringOrList(values []string, isString bool) ([]byte, error) {
	switch {
	case isString && len(values) == 1:
		return json.Marshal(values[0])
	case values == nil && !isString:
		return []byte("null"), nil
	case values == nil:
		return []byte("[]"), nil
	default:
		return json.Marshal(values)
	}
}

// AmbassadorID names the Emissary instances (by AMBASSADOR_ID) that act on a
// resource. v2 accepts a single string or a list of strings; absent means
// ["default"].
//
// +kubebuilder:validation:Type=""
// +kubebuilder:pruning:PreserveUnknownFields
type AmbassadorID struct {
	// Values are the ids; a single string is one value.
	Values []string `json:"-"`
	// IsString records that the JSON was a single string.
	IsString bool `json:"-"`
}

// NewAmbassadorID returns an AmbassadorID written as a list, or nil for a
// nil list (so that an absent id stays absent).
func NewAmbassadorID(ids []string) *AmbassadorID {
	if ids == nil {
		return nil
	}
	return &AmbassadorID{Values: append([]string{}, ids...)}
}

// NewAmbassadorIDString returns an AmbassadorID written as a single string.
func NewAmbassadorIDString(id string) *AmbassadorID {
	return &AmbassadorID{Values: []string{id}, IsString: true}
}

// IDs returns a copy of the ids as written (nil when a is nil or null); it
// does not apply the ["default"] default.
func (a *AmbassadorID) IDs() []string {
	if a == nil || a.Values == nil {
		return nil
	}
	return append([]string{}, a.Values...)
}

// MarshalJSON writes the shape the value was decoded from.
func (a AmbassadorID) MarshalJSON() ([]byte, error) {
	return encodeStringOrList(a.Values, a.IsString)
}

// UnmarshalJSON accepts a string, a list of strings, or null.
func (a *AmbassadorID) UnmarshalJSON(data []byte) error {
	values, isString, err := decodeStringOrList("AmbassadorID", data)
	if err != nil {
		return err
	}
	*a = AmbassadorID{Values: values, IsString: isString}
	return nil
}

// StringOrStringList is a single string or a list of strings (Mapping
// remove_*_headers, cors methods/headers/exposed_headers). A single string
// is kept whole: it is not split on commas.
//
// +kubebuilder:validation:Type=""
// +kubebuilder:pruning:PreserveUnknownFields
type StringOrStringList struct {
	// Values are the strings; a single string is one value.
	Values []string `json:"-"`
	// IsString records that the JSON was a single string.
	IsString bool `json:"-"`
}

// NewStringList returns a StringOrStringList written as a list, or nil for a
// nil list.
func NewStringList(values []string) *StringOrStringList {
	if values == nil {
		return nil
	}
	return &StringOrStringList{Values: append([]string{}, values...)}
}

// NewSingleString returns a StringOrStringList written as one string.
func NewSingleString(s string) *StringOrStringList {
	return &StringOrStringList{Values: []string{s}, IsString: true}
}

// Strings returns a copy of the values (nil when l is nil or null).
func (l *StringOrStringList) Strings() []string {
	if l == nil || l.Values == nil {
		return nil
	}
	return append([]string{}, l.Values...)
}

// MarshalJSON writes the shape the value was decoded from.
func (l StringOrStringList) MarshalJSON() ([]byte, error) {
	return encodeStringOrList(l.Values, l.IsString)
}

// UnmarshalJSON accepts a string, a list of strings, or null.
func (l *StringOrStringList) UnmarshalJSON(data []byte) error {
	values, isString, err := decodeStringOrList("StringOrStringList", data)
	if err != nil {
		return err
	}
	*l = StringOrStringList{Values: values, IsString: isString}
	return nil
}

// OriginList is Mapping cors.origins: a list of origins or one
// comma-separated string of them. A string is split on "," (nothing is
// trimmed) and joined again when written, which reproduces it exactly.
//
// +kubebuilder:validation:Type=""
// +kubebuilder:pruning:PreserveUnknownFields
type OriginList struct {
	// Values are the origins.
	Values []string `json:"-"`
	// CommaSeparated records that the JSON was one comma-separated string.
	CommaSeparated bool `json:"-"`
}

// MarshalJSON writes the shape the value was decoded from.
func (o OriginList) MarshalJSON() ([]byte, error) {
	switch {
	case o.CommaSeparated:
		return json.Marshal(strings.Join(o.Values, ","))
	case o.Values == nil:
		return []byte("null"), nil
	default:
		return json.Marshal(o.Values)
	}
}

// UnmarshalJSON accepts a comma-separated string, a list of strings, or null.
func (o *OriginList) UnmarshalJSON(data []byte) error {
	values, isString, err := decodeStringOrList("OriginList", data)
	if err != nil {
		return err
	}
	if isString {
		values = strings.Split(values[0], ",")
	}
	*o = OriginList{Values: values, CommaSeparated: isString}
	return nil
}

// BoolOrString is a boolean or a string: "tls" (true/false, or the name of
// a TLSContext) and the values of Mapping headers/query_parameters (true
// means "present", a string means "equals"). At most one field is set;
// neither means JSON null.
//
// +kubebuilder:validation:Type=""
// +kubebuilder:pruning:PreserveUnknownFields
type BoolOrString struct {
	// Bool is set when the JSON was a boolean.
	Bool *bool `json:"-"`
	// String is set when the JSON was a string.
	String *string `json:"-"`
}

// BoolOrStringFromBool returns a BoolOrString holding b.
func BoolOrStringFromBool(b bool) *BoolOrString { return &BoolOrString{Bool: &b} }

// BoolOrStringFromString returns a BoolOrString holding s.
func BoolOrStringFromString(s string) *BoolOrString { return &BoolOrString{String: &s} }

// IsNull reports whether neither a boolean nor a string is held.
func (b BoolOrString) IsNull() bool { return b.Bool == nil && b.String == nil }

// MarshalJSON writes the boolean, the string, or null.
func (b BoolOrString) MarshalJSON() ([]byte, error) {
	switch {
	case b.Bool != nil && b.String != nil:
		return nil, fmt.Errorf("v2.BoolOrString: both Bool and String are set")
	case b.Bool != nil:
		return json.Marshal(*b.Bool)
	case b.String != nil:
		return json.Marshal(*b.String)
	default:
		return []byte("null"), nil
	}
}

// UnmarshalJSON accepts a boolean, a string, or null.
func (b *BoolOrString) UnmarshalJSON(data []byte) error {
	switch jsonKind(data) {
	case "null":
		*b = BoolOrString{}
	case "boolean":
		var v bool
		if err := json.Unmarshal(data, &v); err != nil {
			return fmt.Errorf("v2.BoolOrString: %w", err)
		}
		*b = BoolOrString{Bool: &v}
	case "string":
		var v string
		if err := json.Unmarshal(data, &v); err != nil {
			return fmt.Errorf("v2.BoolOrString: %w", err)
		}
		*b = BoolOrString{String: &v}
	default:
		return shapeError("BoolOrString", "a boolean or a string", data)
	}
	return nil
}

// AddedHeader is one value of Mapping add_request_headers /
// add_response_headers: a bare string, a {value, append} object, or null.
// At most one field is set; neither means null.
//
// +kubebuilder:validation:Type=""
// +kubebuilder:pruning:PreserveUnknownFields
type AddedHeader struct {
	// String is set when the JSON was a bare string (the header value).
	String *string `json:"-"`
	// Object is set when the JSON was a {value, append} object.
	Object *AddedHeaderObject `json:"-"`
}

// AddedHeaderObject is the long form of an added header.
type AddedHeaderObject struct {
	// Value is the header value.
	Value string `json:"value,omitempty"`
	// Append adds the value next to existing ones instead of replacing them.
	Append *bool `json:"append,omitempty"`
}

// MarshalJSON writes the string, the object, or null.
func (h AddedHeader) MarshalJSON() ([]byte, error) {
	switch {
	case h.String != nil && h.Object != nil:
		return nil, fmt.Errorf("v2.AddedHeader: both String and Object are set")
	case h.String != nil:
		return json.Marshal(*h.String)
	case h.Object != nil:
		return json.Marshal(h.Object)
	default:
		return []byte("null"), nil
	}
}

// UnmarshalJSON accepts a string, a {value, append} object, or null.
func (h *AddedHeader) UnmarshalJSON(data []byte) error {
	switch jsonKind(data) {
	case "null":
		*h = AddedHeader{}
	case "string":
		var v string
		if err := json.Unmarshal(data, &v); err != nil {
			return fmt.Errorf("v2.AddedHeader: %w", err)
		}
		*h = AddedHeader{String: &v}
	case "object":
		var v AddedHeaderObject
		if err := json.Unmarshal(data, &v); err != nil {
			return fmt.Errorf("v2.AddedHeader: %w", err)
		}
		*h = AddedHeader{Object: &v}
	default:
		return shapeError("AddedHeader", "a string, a {value, append} object or null", data)
	}
	return nil
}

// MappingLabelGroup is one entry of a Mapping's labels list: an object with
// exactly one key, the group name, whose value is the group's label
// specifiers. Its schema is a preserve-unknown object with one property.
//
// +kubebuilder:validation:Type=object
// +kubebuilder:pruning:PreserveUnknownFields
// +kubebuilder:validation:MinProperties=1
// +kubebuilder:validation:MaxProperties=1
type MappingLabelGroup struct {
	// Name is the group's only key.
	Name string `json:"-"`
	// Labels are the specifiers under that key.
	Labels []MappingLabelSpecifier `json:"-"`
}

// MarshalJSON writes {Name: Labels}.
func (g MappingLabelGroup) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string][]MappingLabelSpecifier{g.Name: g.Labels})
}

// UnmarshalJSON accepts an object with exactly one key whose value is a list.
func (g *MappingLabelGroup) UnmarshalJSON(data []byte) error {
	if jsonKind(data) != "object" {
		return shapeError("MappingLabelGroup", "a single-key object", data)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return fmt.Errorf("v2.MappingLabelGroup: %w", err)
	}
	if len(m) != 1 {
		return fmt.Errorf("v2.MappingLabelGroup: expected exactly one key, got %d", len(m))
	}
	for name, raw := range m {
		if k := jsonKind(raw); k != "array" && k != "null" {
			return fmt.Errorf("v2.MappingLabelGroup: group %q: expected a list of labels, got %s", name, k)
		}
		var labels []MappingLabelSpecifier
		if err := json.Unmarshal(raw, &labels); err != nil {
			return fmt.Errorf("v2.MappingLabelGroup: group %q: %w", name, err)
		}
		*g = MappingLabelGroup{Name: name, Labels: labels}
	}
	return nil
}

// MappingLabelSpecifier is one rate-limit label. v2 spells it as a string
// ("source_cluster", "destination_cluster", "remote_address", or any other
// string as a generic_key value), as {"generic_key": ..., "v3Key": ...}, or
// as {"<label key>": {"header": ..., "omit_if_not_present": ...}}. At most
// one field is set; neither means null.
type MappingLabelSpecifier struct {
	// String is set for the bare-string form.
	String *string `json:"-"`
	// Generic is set for the {"generic_key": ...} form.
	Generic *MappingLabelGeneric `json:"-"`
	// Header is set for the {"<key>": {"header": ...}} form.
	Header *MappingLabelHeader `json:"-"`
}

// MappingLabelGeneric is the long form of a generic_key label.
type MappingLabelGeneric struct {
	// GenericKey is the label value.
	GenericKey string `json:"generic_key"`
	// V3Key is the descriptor key (default "generic_key").
	V3Key string `json:"v3Key,omitempty"`
}

// MappingLabelHeader sets a label from a request header.
type MappingLabelHeader struct {
	// Key is the label key (the JSON object's only key).
	Key string `json:"-"`
	// Header is the request header to read.
	Header string `json:"header"`
	// OmitIfNotPresent skips the label when the header is missing.
	OmitIfNotPresent *bool `json:"omit_if_not_present,omitempty"`
}

// MarshalJSON writes the shape that is set, or null.
func (s MappingLabelSpecifier) MarshalJSON() ([]byte, error) {
	n := 0
	for _, set := range []bool{s.String != nil, s.Generic != nil, s.Header != nil} {
		if set {
			n++
		}
	}
	switch {
	case n > 1:
		return nil, fmt.Errorf("v2.MappingLabelSpecifier: more than one of String, Generic and Header is set")
	case s.String != nil:
		return json.Marshal(*s.String)
	case s.Generic != nil:
		return json.Marshal(s.Generic)
	case s.Header != nil:
		return json.Marshal(map[string]*MappingLabelHeader{s.Header.Key: s.Header})
	default:
		return []byte("null"), nil
	}
}

// UnmarshalJSON accepts the three v2 forms or null.
func (s *MappingLabelSpecifier) UnmarshalJSON(data []byte) error {
	const want = `a string, a {"generic_key": ...} object or a {"<key>": {"header": ...}} object`
	switch jsonKind(data) {
	case "null":
		*s = MappingLabelSpecifier{}
		return nil
	case "string":
		var v string
		if err := json.Unmarshal(data, &v); err != nil {
			return fmt.Errorf("v2.MappingLabelSpecifier: %w", err)
		}
		*s = MappingLabelSpecifier{String: &v}
		return nil
	case "object":
	default:
		return shapeError("MappingLabelSpecifier", want, data)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return fmt.Errorf("v2.MappingLabelSpecifier: %w", err)
	}
	if raw, ok := m["generic_key"]; ok {
		if k := jsonKind(raw); k != "string" {
			return fmt.Errorf("v2.MappingLabelSpecifier: generic_key must be a string, got %s", k)
		}
		var v MappingLabelGeneric
		if err := json.Unmarshal(data, &v); err != nil {
			return fmt.Errorf("v2.MappingLabelSpecifier: %w", err)
		}
		*s = MappingLabelSpecifier{Generic: &v}
		return nil
	}
	if len(m) == 1 {
		for key, raw := range m {
			if jsonKind(raw) != "object" {
				break
			}
			v := MappingLabelHeader{Key: key}
			if err := json.Unmarshal(raw, &v); err != nil {
				return fmt.Errorf("v2.MappingLabelSpecifier: label %q: %w", key, err)
			}
			*s = MappingLabelSpecifier{Header: &v}
			return nil
		}
	}
	return fmt.Errorf("v2.MappingLabelSpecifier: expected %s, got an object with keys %v", want, sortedKeys(m))
}

// sortedKeys lists a map's keys in order, for error messages.
func sortedKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Other shared types

// Milliseconds is a duration written as a whole number of milliseconds (the
// *_ms fields). It stays an integer so values round-trip exactly.
type Milliseconds int

// Duration converts m to a time.Duration.
func (m Milliseconds) Duration() time.Duration { return time.Duration(m) * time.Millisecond }

// Seconds is a duration written as a whole number of seconds (LogService
// flush_interval_time).
type Seconds int

// Duration converts s to a time.Duration.
func (s Seconds) Duration() time.Duration { return time.Duration(s) * time.Second }

// UntypedDict is a free-form JSON object passed through without a schema
// (Module config, Mapping envoy_override and modules). Values holds each
// top-level key's raw JSON; writing it sorts the keys.
//
// +kubebuilder:validation:Type=object
// +kubebuilder:pruning:PreserveUnknownFields
type UntypedDict struct {
	// Values maps each key to its raw JSON value.
	Values map[string]apiextv1.JSON `json:"-"`
}

// MarshalJSON writes the object; a nil map is written as {} since the
// schema does not allow null.
func (u UntypedDict) MarshalJSON() ([]byte, error) {
	if u.Values == nil {
		return []byte("{}"), nil
	}
	return json.Marshal(u.Values)
}

// UnmarshalJSON accepts a JSON object (null leaves the dict empty).
func (u *UntypedDict) UnmarshalJSON(data []byte) error {
	switch jsonKind(data) {
	case "null":
		*u = UntypedDict{}
		return nil
	case "object":
	default:
		return shapeError("UntypedDict", "an object", data)
	}
	var values map[string]apiextv1.JSON
	if err := json.Unmarshal(data, &values); err != nil {
		return fmt.Errorf("v2.UntypedDict: %w", err)
	}
	u.Values = values
	return nil
}

// CircuitBreaker caps the load sent to an upstream cluster.
type CircuitBreaker struct {
	// Priority is the routing priority these limits apply to.
	// +kubebuilder:validation:Enum=default;high
	Priority string `json:"priority,omitempty"`
	// MaxConnections caps concurrent connections.
	MaxConnections *int `json:"max_connections,omitempty"`
	// MaxPendingRequests caps requests waiting for a connection.
	MaxPendingRequests *int `json:"max_pending_requests,omitempty"`
	// MaxRequests caps concurrent requests.
	MaxRequests *int `json:"max_requests,omitempty"`
	// MaxRetries caps concurrent retries.
	MaxRetries *int `json:"max_retries,omitempty"`
}
