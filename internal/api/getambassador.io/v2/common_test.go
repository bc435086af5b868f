package v2

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// roundTrip decodes in into a fresh *T and encodes it again.
func roundTrip[T any](in string) (string, error) {
	v := new(T)
	if err := json.Unmarshal([]byte(in), v); err != nil {
		return "", err
	}
	out, err := json.Marshal(v)
	return string(out), err
}

// checkSame asserts that each input survives decode -> encode byte for byte.
func checkSame[T any](t *testing.T, inputs ...string) {
	t.Helper()
	for _, in := range inputs {
		out, err := roundTrip[T](in)
		if err != nil {
			t.Errorf("%T: %s: unexpected error: %v", *new(T), in, err)
			continue
		}
		if out != in {
			t.Errorf("%T: %s: round trip gave %s", *new(T), in, out)
		}
	}
}

// checkRejects asserts that each input fails to decode with an error that
// names the type.
func checkRejects[T any](t *testing.T, typeName string, inputs ...string) {
	t.Helper()
	for _, in := range inputs {
		_, err := roundTrip[T](in)
		if err == nil {
			t.Errorf("%s: %s: expected an error", typeName, in)
			continue
		}
		if !strings.Contains(err.Error(), "v2."+typeName) {
			t.Errorf("%s: %s: error does not name the type: %v", typeName, in, err)
		}
	}
}

func TestAmbassadorID(t *testing.T) {
	checkSame[AmbassadorID](t, `"x"`, `["x"]`, `["a","b"]`, `[]`, `null`, `"a,b"`)
	checkRejects[AmbassadorID](t, "AmbassadorID", `1`, `true`, `{}`, `["a",1]`, `["a",null]`)

	var a AmbassadorID
	if err := json.Unmarshal([]byte(`"x"`), &a); err != nil || !a.IsString || !reflect.DeepEqual(a.IDs(), []string{"x"}) {
		t.Errorf("string form decoded to %+v, %v", a, err)
	}
	if got := (*AmbassadorID)(nil).IDs(); got != nil {
		t.Errorf("nil IDs() = %v", got)
	}
	if NewAmbassadorID(nil) != nil {
		t.Errorf("NewAmbassadorID(nil) should be nil")
	}
	for _, c := range []struct {
		v    *AmbassadorID
		want string
	}{
		{NewAmbassadorID([]string{"a", "b"}), `["a","b"]`},
		{NewAmbassadorID([]string{}), `[]`},
		{NewAmbassadorIDString("a"), `"a"`},
		// The string shape needs exactly one value; otherwise the list is kept.
		{&AmbassadorID{Values: []string{"a", "b"}, IsString: true}, `["a","b"]`},
	} {
		out, err := json.Marshal(c.v)
		if err != nil || string(out) != c.want {
			t.Errorf("marshal %+v = %s, %v; want %s", *c.v, out, err, c.want)
		}
	}
}

func TestStringOrStringList(t *testing.T) {
	checkSame[StringOrStringList](t, `"x-foo"`, `"GET,POST"`, `["GET","POST"]`, `[]`, `null`)
	checkRejects[StringOrStringList](t, "StringOrStringList", `false`, `{"a":"b"}`, `[true]`)

	var l StringOrStringList
	if err := json.Unmarshal([]byte(`"GET,POST"`), &l); err != nil || !reflect.DeepEqual(l.Strings(), []string{"GET,POST"}) {
		t.Errorf("a single string must not be split: %+v, %v", l, err)
	}
}

func TestOriginList(t *testing.T) {
	checkSame[OriginList](t, `"https://a.example,https://b.example"`, `"https://a.example, https://b.example"`,
		`"*"`, `""`, `["https://a.example","https://b.example"]`, `[]`, `null`)
	checkRejects[OriginList](t, "OriginList", `1`, `{}`)

	var o OriginList
	if err := json.Unmarshal([]byte(`"a,b"`), &o); err != nil || !o.CommaSeparated || !reflect.DeepEqual(o.Values, []string{"a", "b"}) {
		t.Errorf("comma-separated origins decoded to %+v, %v", o, err)
	}
}

func TestBoolOrString(t *testing.T) {
	checkSame[BoolOrString](t, `true`, `false`, `"my-tls-context"`, `""`, `"true"`, `null`)
	checkRejects[BoolOrString](t, "BoolOrString", `1`, `[]`, `{}`)

	if _, err := json.Marshal(BoolOrString{Bool: new(bool), String: new(string)}); err == nil {
		t.Errorf("expected an error when both Bool and String are set")
	}
	if out, _ := json.Marshal(BoolOrStringFromBool(true)); string(out) != `true` {
		t.Errorf("BoolOrStringFromBool(true) = %s", out)
	}
	if out, _ := json.Marshal(BoolOrStringFromString("x")); string(out) != `"x"` {
		t.Errorf(`BoolOrStringFromString("x") = %s`, out)
	}
}

func TestAddedHeader(t *testing.T) {
	checkSame[AddedHeader](t, `"max-age=31536000"`, `""`, `{"value":"v"}`, `{"value":"v","append":false}`,
		`{"append":true}`, `{}`, `null`)
	checkRejects[AddedHeader](t, "AddedHeader", `true`, `1`, `["v"]`)
}

func TestMappingLabels(t *testing.T) {
	checkSame[MappingLabelSpecifier](t, `"source_cluster"`, `"rltest"`, `{"generic_key":"a"}`,
		`{"generic_key":"a","v3Key":"k"}`, `{"xratelimitid":{"header":"X-Ratelimit-Id","omit_if_not_present":true}}`,
		`{"id3":{"header":"X-Id3"}}`, `null`)
	checkRejects[MappingLabelSpecifier](t, "MappingLabelSpecifier", `1`, `[]`, `{"a":"b"}`, `{"a":{},"b":{}}`,
		`{"generic_key":{"value":"a"}}`)

	checkSame[MappingLabelGroup](t,
		`{"d0":["a",{"generic_key":"b"},{"xid":{"header":"X-Id","omit_if_not_present":false}},null]}`,
		`{"request_label_group":["minute"]}`, `{"g":[]}`, `{"g":null}`)
	checkRejects[MappingLabelGroup](t, "MappingLabelGroup", `[]`, `"g"`, `{}`, `{"a":[],"b":[]}`, `{"g":"x"}`, `{"g":[1]}`)
}

func TestUntypedDict(t *testing.T) {
	checkSame[UntypedDict](t, `{}`, `{"a":1,"b":{"z":[1,"two",null],"a":false},"c":null}`)
	checkRejects[UntypedDict](t, "UntypedDict", `[]`, `"x"`, `1`)
}

// TestMappingSpecRoundTrip checks that unions keep their shapes inside a
// whole spec, including after a deep copy.
func TestMappingSpecRoundTrip(t *testing.T) {
	in := `{
		"ambassador_id": "x",
		"prefix": "/a/",
		"service": "https://a",
		"tls": true,
		"remove_request_headers": "x-a",
		"remove_response_headers": ["x-b"],
		"add_request_headers": {"s": "v", "n": null, "o": {"value": "v", "append": true}},
		"headers": {"x-present": true, "x-value": "v", "x-null": null},
		"query_parameters": {"q": "true"},
		"cors": {"origins": "https://a,https://b", "methods": "GET, POST", "headers": ["x-h"], "credentials": false},
		"labels": {"ambassador": [{"g": ["source_cluster", {"generic_key": "a"}]}]},
		"envoy_override": {"per_filter_config": {"a": 1}},
		"modules": [{"m": true}],
		"timeout_ms": 0,
		"rewrite": ""
	}`
	var spec MappingSpec
	if err := json.Unmarshal([]byte(in), &spec); err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]*MappingSpec{"decoded": &spec, "deep copy": spec.DeepCopy()} {
		out, err := json.Marshal(s)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var want, got any
		_ = json.Unmarshal([]byte(in), &want)
		_ = json.Unmarshal(out, &got)
		if !reflect.DeepEqual(want, got) {
			t.Errorf("%s: round trip changed the spec:\n in: %v\nout: %v", name, want, got)
		}
	}

	if err := json.Unmarshal([]byte(`{"prefix":"/","service":"s","tls":1}`), new(MappingSpec)); err == nil ||
		!strings.Contains(err.Error(), "v2.BoolOrString") {
		t.Errorf("a numeric tls should fail naming v2.BoolOrString, got %v", err)
	}
}
