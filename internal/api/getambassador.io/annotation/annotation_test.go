package annotation

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/emissary-go/emissary/internal/api/getambassador.io/v3alpha1"
)

func service(namespace, name string, labels map[string]string, config string) *corev1.Service {
	return &corev1.Service{ObjectMeta: metav1.ObjectMeta{
		Namespace: namespace, Name: name, Labels: labels,
		Annotations: map[string]string{Key: config},
	}}
}

func ingress(namespace, name string, labels map[string]string, config string) *networkingv1.Ingress {
	return &networkingv1.Ingress{ObjectMeta: metav1.ObjectMeta{
		Namespace: namespace, Name: name, Labels: labels,
		Annotations: map[string]string{Key: config},
	}}
}

func hubMeta(kind string) metav1.TypeMeta {
	return metav1.TypeMeta{APIVersion: v3alpha1.GroupVersion.String(), Kind: kind}
}

func mapping(namespace, name string, labels map[string]string, spec v3alpha1.MappingSpec) *v3alpha1.Mapping {
	return &v3alpha1.Mapping{
		TypeMeta:   hubMeta("Mapping"),
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name, Labels: labels},
		Spec:       spec,
	}
}

// wantResource is one resource Parse should return: exactly object, or,
// when check is set, an object check accepts.
type wantResource struct {
	document, line int
	object         client.Object
	check          func(t *testing.T, obj client.Object)
}

// wantError is one error Parse should return. Its message must name the
// parent, the document and its line, and contain each of contains; when
// message is set it must be exactly that.
type wantError struct {
	document, line int
	contains       []string
	message        string
}

// v2Mapping checks what every v1/v2 Mapping below becomes.
func v2Mapping(name string, ids v3alpha1.AmbassadorID, prefix, svc string) func(*testing.T, client.Object) {
	return func(t *testing.T, obj client.Object) {
		t.Helper()
		m, ok := obj.(*v3alpha1.Mapping)
		if !ok {
			t.Fatalf("got a %T, want a *v3alpha1.Mapping", obj)
		}
		if got := m.GroupVersionKind(); got != v3alpha1.GroupVersion.WithKind("Mapping") {
			t.Errorf("GVK is %s", got)
		}
		if m.Namespace != "default" || m.Name != name {
			t.Errorf("got %s/%s, want default/%s", m.Namespace, m.Name, name)
		}
		if !reflect.DeepEqual(m.Spec.AmbassadorID, ids) {
			t.Errorf("ambassador_id is %q, want %q", m.Spec.AmbassadorID, ids)
		}
		if m.Spec.Prefix != prefix || m.Spec.Service != svc {
			t.Errorf("got prefix %q service %q, want %q %q", m.Spec.Prefix, m.Spec.Service, prefix, svc)
		}
		if m.Spec.TLS != "" {
			t.Errorf("tls is %q, want none (v3alpha1's tls names a TLSContext)", m.Spec.TLS)
		}
	}
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name      string
		parent    client.Object
		resources []wantResource
		errors    []wantError
	}{
		{
			name:   "no annotation",
			parent: &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "quote"}},
		},
		{
			name:   "annotation with only comments and separators",
			parent: service("default", "quote", nil, "# nothing yet\n---\n---\n"),
		},
		{
			name: "flat form",
			parent: service("default", "quote", nil, `apiVersion: getambassador.io/v3alpha1
kind: Mapping
name: quote-backend
prefix: /backend/
service: quote:80
ambassador_id: [blue]
timeout_ms: 3000
`),
			resources: []wantResource{{document: 1, line: 1, object: mapping("default", "quote-backend", nil, v3alpha1.MappingSpec{
				AmbassadorID: v3alpha1.AmbassadorID{"blue"},
				Prefix:       "/backend/",
				Service:      "quote:80",
				Timeout:      new(v3alpha1.Milliseconds(3000)),
			})}},
		},
		{
			name: "structured form",
			parent: ingress("prod", "web", map[string]string{"app": "web"}, `apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata:
  name: web
  labels:
    tier: front
spec:
  prefix: /
  service: web.prod:8080
  hostname: web.example.com
`),
			resources: []wantResource{{document: 1, line: 1, object: mapping("prod", "web", map[string]string{"tier": "front"}, v3alpha1.MappingSpec{
				Prefix:   "/",
				Service:  "web.prod:8080",
				Hostname: "web.example.com",
			})}},
		},
		{
			name: "mixed documents and forms",
			parent: service("default", "quote", nil, `# routes for quote
---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
name: quote
prefix: /quote/
service: quote
---
apiVersion: getambassador.io/v3alpha1
kind: TLSContext
metadata:
  name: quote-tls
spec:
  hosts: [quote.example.com]
  secret: quote-cert
---
---
apiVersion: getambassador.io/v3alpha1
kind: Host
name: quote-host
metadata:
  annotations: {owner: team-quote}
spec:
  hostname: quote.example.com
tlsSecret: {name: quote-cert}
`),
			resources: []wantResource{
				{document: 1, line: 3, object: mapping("default", "quote", nil, v3alpha1.MappingSpec{Prefix: "/quote/", Service: "quote"})},
				{document: 2, line: 9, object: &v3alpha1.TLSContext{
					TypeMeta:   hubMeta("TLSContext"),
					ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "quote-tls"},
					Spec:       v3alpha1.TLSContextSpec{Hosts: []string{"quote.example.com"}, Secret: "quote-cert"},
				}},
				{document: 3, line: 18, object: &v3alpha1.Host{
					TypeMeta: hubMeta("Host"),
					ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "quote-host",
						Annotations: map[string]string{"owner": "team-quote"}},
					Spec: v3alpha1.HostSpec{Hostname: "quote.example.com", TLSSecret: &corev1.SecretReference{Name: "quote-cert"}},
				}},
			},
		},
		{
			name: "namespace and labels come from the parent unless given",
			parent: service("default", "quote", map[string]string{"app": "quote"}, `apiVersion: getambassador.io/v3alpha1
kind: Mapping
name: inherits
prefix: /a/
service: a
---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
name: overrides
namespace: other
metadata_labels:
  tier: edge
prefix: /b/
service: b
`),
			resources: []wantResource{
				{document: 1, line: 1, object: mapping("default", "inherits", map[string]string{"app": "quote"}, v3alpha1.MappingSpec{Prefix: "/a/", Service: "a"})},
				{document: 2, line: 7, object: mapping("other", "overrides", map[string]string{"tier": "edge"}, v3alpha1.MappingSpec{Prefix: "/b/", Service: "b"})},
			},
		},
		{
			name: "ambassador/ prefix means getambassador.io",
			parent: service("default", "quote", nil, `apiVersion: ambassador/v3alpha1
kind: Mapping
name: legacy
prefix: /legacy/
service: legacy
`),
			resources: []wantResource{{document: 1, line: 1, object: mapping("default", "legacy", nil, v3alpha1.MappingSpec{Prefix: "/legacy/", Service: "legacy"})}},
		},
		{
			name: "v2 Mapping with string ambassador_id and tls true becomes v3alpha1",
			parent: service("default", "quote", nil, `apiVersion: getambassador.io/v2
kind: Mapping
name: quote-v2
prefix: /v2/
service: quote:80
ambassador_id: blue
tls: true
`),
			resources: []wantResource{{document: 1, line: 1, check: v2Mapping("quote-v2", v3alpha1.AmbassadorID{"blue"}, "/v2/", "https://quote:80")}},
		},
		{
			name: "v2 Mapping written ambassador/v2 keeps its good neighbours and accepts unknown fields",
			parent: service("default", "quote", nil, `apiVersion: ambassador/v2
kind: Mapping
name: old-style
prefix: /old/
service: old
ambassador_id: [green]
not_a_field: v2 specs preserve unknown fields
---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
name: new-style
prefix: /new/
service: new
`),
			resources: []wantResource{
				{document: 1, line: 1, check: v2Mapping("old-style", v3alpha1.AmbassadorID{"green"}, "/old/", "old")},
				{document: 2, line: 9, object: mapping("default", "new-style", nil, v3alpha1.MappingSpec{Prefix: "/new/", Service: "new"})},
			},
		},
		{
			name: "v2 field the v2 schema leaves open but its type rejects",
			parent: service("default", "quote", nil, `apiVersion: getambassador.io/v2
kind: Mapping
name: numeric-id
prefix: /a/
service: a
ambassador_id: 5
`),
			errors: []wantError{{document: 1, line: 1, contains: []string{"Mapping numeric-id: spec.ambassador_id: Invalid value: 5: ", "expected a string or a list of strings"}}},
		},
		{
			name: "v1 Mapping becomes v3alpha1",
			parent: service("default", "quote", nil, `apiVersion: getambassador.io/v1
kind: Mapping
name: quote-v1
prefix: /v1/
service: quote
`),
			resources: []wantResource{{document: 1, line: 1, check: v2Mapping("quote-v1", nil, "/v1/", "quote")}},
		},
		{
			name: "malformed YAML",
			parent: service("default", "quote", nil, `apiVersion: getambassador.io/v3alpha1
kind: Mapping
name: before
prefix: /before/
service: before
---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
name: broken
prefix: /broken/
  service: broken
---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
name: after
prefix: /after/
service: after
`),
			resources: []wantResource{
				{document: 1, line: 1, object: mapping("default", "before", nil, v3alpha1.MappingSpec{Prefix: "/before/", Service: "before"})},
				{document: 3, line: 13, object: mapping("default", "after", nil, v3alpha1.MappingSpec{Prefix: "/after/", Service: "after"})},
			},
			errors: []wantError{{document: 2, line: 7, contains: []string{"yaml: line 11: mapping values are not allowed"}}},
		},
		{
			name: "unknown kind",
			parent: service("default", "quote", nil, `apiVersion: getambassador.io/v3alpha1
kind: Mapper
name: typo
prefix: /typo/
service: typo
---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
name: good
prefix: /good/
service: good
`),
			resources: []wantResource{{document: 2, line: 7, object: mapping("default", "good", nil, v3alpha1.MappingSpec{Prefix: "/good/", Service: "good"})}},
			errors:    []wantError{{document: 1, line: 1, contains: []string{`kind: Unsupported value: "Mapper"`, `"Mapping"`}}},
		},
		{
			name: "unknown apiVersion",
			parent: service("default", "quote", nil, `apiVersion: networking.k8s.io/v1
kind: Mapping
name: other-group
prefix: /a/
service: a
---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
name: good
prefix: /good/
service: good
---
apiVersion: getambassador.io/v4
kind: Mapping
name: future
prefix: /b/
service: b
`),
			resources: []wantResource{{document: 2, line: 7, object: mapping("default", "good", nil, v3alpha1.MappingSpec{Prefix: "/good/", Service: "good"})}},
			errors: []wantError{
				{document: 1, line: 1, contains: []string{`apiVersion: Unsupported value: "networking.k8s.io/v1"`, `"getambassador.io/v3alpha1"`}},
				{document: 3, line: 13, contains: []string{`apiVersion: Unsupported value: "getambassador.io/v4"`}},
			},
		},
		{
			name: "missing apiVersion, kind and name",
			parent: service("default", "quote", nil, `name: no-type
prefix: /a/
service: a
---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
name: good
prefix: /good/
service: good
---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
prefix: /anonymous/
service: anonymous
`),
			resources: []wantResource{{document: 2, line: 5, object: mapping("default", "good", nil, v3alpha1.MappingSpec{Prefix: "/good/", Service: "good"})}},
			errors: []wantError{
				{document: 1, line: 1, contains: []string{"apiVersion: Required value", "kind: Required value"}},
				{document: 3, line: 11, contains: []string{"Mapping: metadata.name: Required value"}},
			},
		},
		{
			name: "wrong field type",
			parent: service("default", "quote", nil, `apiVersion: getambassador.io/v3alpha1
kind: Mapping
name: heavy
prefix: /heavy/
service: heavy
weight: lots
---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
name: good
prefix: /good/
service: good
---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
name: numbered
metadata_labels: {release: 3}
prefix: /numbered/
service: numbered
`),
			resources: []wantResource{{document: 2, line: 8, object: mapping("default", "good", nil, v3alpha1.MappingSpec{Prefix: "/good/", Service: "good"})}},
			errors: []wantError{
				{document: 1, line: 1, contains: []string{"Mapping heavy: spec.weight: Invalid value", "must be of type integer"}},
				{document: 3, line: 14, contains: []string{"Mapping numbered: metadata.labels[release]: Invalid value: 3: must be a string"}},
			},
		},
		{
			name: "bad enum value",
			parent: ingress("prod", "web", nil, `apiVersion: getambassador.io/v3alpha1
kind: Mapping
name: good
prefix: /good/
service: good
---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
name: random
prefix: /random/
service: random
load_balancer:
  policy: random
`),
			resources: []wantResource{{document: 1, line: 1, object: mapping("prod", "good", nil, v3alpha1.MappingSpec{Prefix: "/good/", Service: "good"})}},
			errors: []wantError{{document: 2, line: 7, contains: []string{
				"Ingress web.prod: ",
				`Mapping random: spec.load_balancer.policy: Unsupported value: "random"`,
				`"round_robin"`,
			}}},
		},
		{
			name: "missing required field",
			parent: service("default", "quote", nil, `apiVersion: getambassador.io/v3alpha1
kind: Mapping
name: quote
prefix: /quote/
service: quote
---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
name: quote-backend
service: quote-backend
---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
name: quote-admin
prefix: /admin/
service: quote-admin
`),
			resources: []wantResource{
				{document: 1, line: 1, object: mapping("default", "quote", nil, v3alpha1.MappingSpec{Prefix: "/quote/", Service: "quote"})},
				{document: 3, line: 12, object: mapping("default", "quote-admin", nil, v3alpha1.MappingSpec{Prefix: "/admin/", Service: "quote-admin"})},
			},
			errors: []wantError{{document: 2, line: 7,
				message: "Service quote.default: annotation getambassador.io/config, document 2 (line 7): Mapping quote-backend: spec.prefix: Required value"}},
		},
		{
			// Unknown fields are reported and dropped; the resources are
			// still used, as the API server would keep them after pruning.
			name: "unknown field in v3alpha1",
			parent: service("default", "quote", nil, `apiVersion: getambassador.io/v3alpha1
kind: Mapping
name: good
prefix: /good/
service: good
---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
name: typos
prefix: /typos/
service: typos
timeout: 5s
cors:
  origins: [https://example.com]
  allow_credentials: true
---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata:
  name: meta-typo
  lables: {app: quote}
prefix: /meta/
service: meta
`),
			resources: []wantResource{
				{document: 1, line: 1, object: mapping("default", "good", nil, v3alpha1.MappingSpec{Prefix: "/good/", Service: "good"})},
				{document: 2, line: 7, object: mapping("default", "typos", nil, v3alpha1.MappingSpec{Prefix: "/typos/", Service: "typos", CORS: &v3alpha1.CORS{Origins: []string{"https://example.com"}}})},
				{document: 3, line: 17, object: mapping("default", "meta-typo", nil, v3alpha1.MappingSpec{Prefix: "/meta/", Service: "meta"})},
			},
			errors: []wantError{
				{document: 2, line: 7, contains: []string{
					"spec.timeout: Forbidden: unknown field",
					"spec.cors.allow_credentials: Forbidden: unknown field",
				}},
				{document: 3, line: 17, contains: []string{"Mapping meta-typo: metadata.lables: Forbidden: unknown field"}},
			},
		},
		{
			name: "repeated key in v3alpha1",
			parent: service("default", "quote", nil, `apiVersion: getambassador.io/v3alpha1
kind: Mapping
name: twice
prefix: /one/
prefix: /two/
service: twice
`),
			errors: []wantError{{document: 1, line: 1, contains: []string{`Mapping twice: `, `line 5: key "prefix" already set`}}},
		},
		{
			name: "document that is not a mapping",
			parent: service("default", "quote", nil, `- apiVersion: getambassador.io/v3alpha1
  kind: Mapping
`),
			errors: []wantError{{document: 1, line: 1, contains: []string{"a resource must be a mapping, not a list"}}},
		},
		{
			name: "flat key conflicting with its structured spelling",
			parent: service("default", "quote", nil, `apiVersion: getambassador.io/v3alpha1
kind: Mapping
name: flat
metadata:
  name: structured
prefix: /flat/
spec:
  prefix: /structured/
  service: both
`),
			errors: []wantError{{document: 1, line: 1, contains: []string{
				`name: Invalid value: "flat": conflicts with metadata.name`,
				`prefix: Invalid value: "/flat/": conflicts with spec.prefix`,
			}}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resources, errs := Parse(tc.parent)

			if len(resources) != len(tc.resources) {
				t.Errorf("got %d resources, want %d:\n%s", len(resources), len(tc.resources), dump(resources))
			}
			for i, want := range tc.resources {
				if i >= len(resources) {
					break
				}
				got := resources[i]
				if got.Document != want.document || got.Line != want.line {
					t.Errorf("resource %d: got document %d (line %d), want document %d (line %d)", i, got.Document, got.Line, want.document, want.line)
				}
				if want.check != nil {
					want.check(t, got.Object)
				} else if !reflect.DeepEqual(got.Object, want.object) {
					t.Errorf("resource %d:\ngot  %s\nwant %s", i, asJSON(got.Object), asJSON(want.object))
				}
			}

			if len(errs) != len(tc.errors) {
				t.Errorf("got %d errors, want %d: %v", len(errs), len(tc.errors), errs)
			}
			for i, want := range tc.errors {
				if i >= len(errs) {
					break
				}
				var e *Error
				if !errors.As(errs[i], &e) {
					t.Errorf("error %d is a %T, not an *Error: %v", i, errs[i], errs[i])
					continue
				}
				if e.Document != want.document || e.Line != want.line {
					t.Errorf("error %d: got document %d (line %d), want document %d (line %d)", i, e.Document, e.Line, want.document, want.line)
				}
				msg := errs[i].Error()
				t.Log(msg)
				where := fmt.Sprintf("%s: annotation %s, document %d (line %d): ", describe(tc.parent), Key, want.document, want.line)
				if !strings.HasPrefix(msg, where) {
					t.Errorf("error %d does not start with %q: %s", i, where, msg)
				}
				for _, s := range want.contains {
					if !strings.Contains(msg, s) {
						t.Errorf("error %d does not contain %q: %s", i, s, msg)
					}
				}
				if want.message != "" && msg != want.message {
					t.Errorf("error %d:\ngot  %s\nwant %s", i, msg, want.message)
				}
			}

			again, againErrs := Parse(tc.parent)
			if dump(again) != dump(resources) || fmt.Sprint(againErrs) != fmt.Sprint(errs) {
				t.Errorf("a second Parse gave a different result")
			}
		})
	}
}

func TestSnapshotKey(t *testing.T) {
	for _, tc := range []struct {
		name   string
		parent client.Object
		want   string
	}{
		{"Service, kind from its Go type", &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "quote"}}, "Service/quote.default"},
		{"Ingress, kind from its Go type", &networkingv1.Ingress{ObjectMeta: metav1.ObjectMeta{Namespace: "prod", Name: "web"}}, "Ingress/web.prod"},
		{"kind from the GVK when set", &metav1.PartialObjectMetadata{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
			ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "quote"},
		}, "Service/quote.default"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := SnapshotKey(tc.parent); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func dump(resources []Resource) string {
	var b strings.Builder
	for _, r := range resources {
		fmt.Fprintf(&b, "document %d (line %d): %s\n", r.Document, r.Line, asJSON(r.Object))
	}
	return b.String()
}

func asJSON(obj client.Object) string {
	b, err := json.Marshal(obj)
	if err != nil {
		return err.Error()
	}
	return string(b)
}

// A long stream is read on every core; what comes back is in document
// order, with each problem on its document, as a stream read one
// document at a time gives.
func TestParseFileKeepsDocumentOrder(t *testing.T) {
	var stream strings.Builder
	for i := range 200 {
		switch {
		case i%7 == 3:
			fmt.Fprintf(&stream, "---\napiVersion: getambassador.io/v3alpha1\nkind: Mapping\nmetadata: {name: m-%d}\nspec: {prefix: 7}\n", i)
		case i%11 == 5:
			fmt.Fprintf(&stream, "---\napiVersion: v1\nkind: Service\nmetadata: {name: s-%d}\n", i)
		default:
			fmt.Fprintf(&stream, "---\napiVersion: getambassador.io/v3alpha1\nkind: Mapping\nmetadata: {name: m-%d}\nspec: {prefix: /%d/, service: s}\n", i, i)
		}
	}
	resources, others, errs := ParseFile("stream.yaml", []byte(stream.String()), "default")
	var want []string
	var wantOthers, wantErrs []int // document numbers, from 1
	for i := range 200 {
		switch {
		case i%7 == 3:
			wantErrs = append(wantErrs, i+1)
		case i%11 == 5:
			wantOthers = append(wantOthers, i+1)
		default:
			want = append(want, fmt.Sprintf("m-%d", i))
		}
	}
	var got []string
	for n, r := range resources {
		got = append(got, r.Object.GetName())
		if n > 0 && r.Document <= resources[n-1].Document {
			t.Errorf("resource %d (document %d) after document %d", n, r.Document, resources[n-1].Document)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("resources %v, want %v", got, want)
	}
	var gotOthers, gotErrs []int
	for _, o := range others {
		gotOthers = append(gotOthers, o.Document)
	}
	for _, err := range errs {
		var bad *Error
		if !errors.As(err, &bad) {
			t.Fatalf("error %v is not an *Error", err)
		}
		gotErrs = append(gotErrs, bad.Document)
	}
	if !slices.Equal(gotOthers, wantOthers) {
		t.Errorf("other documents at %v, want %v", gotOthers, wantOthers)
	}
	if !slices.Equal(gotErrs, wantErrs) {
		t.Errorf("errors at documents %v, want %v", gotErrs, wantErrs)
	}
}

// v1 and v2 keep the last of a repeated key, as Emissary always did; only
// v3alpha1 refuses it (TestParse).
func TestRepeatedKeyInV2KeepsTheLast(t *testing.T) {
	resources, _, errs := ParseFile("in.yaml", []byte(`apiVersion: getambassador.io/v2
kind: Mapping
metadata: {name: twice}
spec:
  prefix: /one/
  prefix: /two/
  service: twice
`), "default")
	if len(errs) > 0 || len(resources) != 1 {
		t.Fatalf("resources %v, errors %v", resources, errs)
	}
	if m, ok := resources[0].Object.(*v3alpha1.Mapping); !ok || m.Spec.Prefix != "/two/" {
		t.Errorf("read %+v, want prefix /two/", resources[0].Object)
	}
}
