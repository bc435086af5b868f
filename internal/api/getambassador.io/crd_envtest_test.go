package getambassador

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/webhook"
	"sigs.k8s.io/controller-runtime/pkg/webhook/conversion"
	"sigs.k8s.io/yaml"

	"github.com/emissary-go/emissary/internal/testenv"
)

// startAPIServer runs a real kube-apiserver with build/crds.yaml installed
// and the CRDs' conversion webhook served by this test process with the
// package's conversions, so that reading an object in another version than
// it was written goes through them exactly as it would through apiext.
func startAPIServer(t *testing.T) client.Client {
	t.Helper()
	s := NewScheme()
	if err := corev1.AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	kube := testenv.StartKube(t, testenv.KubeOptions{
		CRDPaths: []string{filepath.Join("..", "..", "..", "build", "crds.yaml")},
		Scheme:   s,
	})
	opts := kube.Env.WebhookInstallOptions
	server := webhook.NewServer(webhook.Options{Host: opts.LocalServingHost, Port: opts.LocalServingPort, CertDir: opts.LocalServingCertDir})
	server.Register("/convert", conversion.NewWebhookHandler(s, conversion.NewRegistry()))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- server.Start(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("webhook server: %v", err)
		}
	})
	if err := apiextv1.AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	c, err := client.New(kube.Config, client.Options{Scheme: s})
	if err != nil {
		t.Fatal(err)
	}
	// Conversions must really go through the webhook, not through the API
	// server's apiVersion-only "None" strategy.
	crd := &apiextv1.CustomResourceDefinition{}
	if err := c.Get(context.Background(), client.ObjectKey{Name: "mappings.getambassador.io"}, crd); err != nil {
		t.Fatal(err)
	}
	if crd.Spec.Conversion == nil || crd.Spec.Conversion.Strategy != apiextv1.WebhookConverter {
		t.Fatalf("mappings.getambassador.io conversion = %+v, want the test webhook", crd.Spec.Conversion)
	}
	return c
}

var kindsInTestdata = []string{"AuthService", "ConsulResolver", "DevPortal", "Host", "KubernetesEndpointResolver", "KubernetesServiceResolver", "Listener", "LogService", "Mapping", "Module", "RateLimitService", "TCPMapping", "TLSContext", "TracingService"}

// Every testdata object, in every version, is accepted by the real API
// server, reads back unchanged in its own version, and reads in v3alpha1
// as our conversion makes it (through the webhook).
func TestAPIServerAcceptsEveryKindInEveryVersion(t *testing.T) {
	c := startAPIServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	created := 0
	for _, gv := range Versions {
		ns := "test-" + gv.Version
		if err := c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
			t.Fatal(err)
		}
		for _, kind := range kindsInTestdata {
			if !scheme.Recognizes(gv.WithKind(kind)) {
				continue
			}
			for i, obj := range loadTestdata(t, gv.Version, strings.ToLower(kind)) {
				name := fmt.Sprintf("%s %s #%d %s", gv.Version, kind, i+1, obj.GetName())
				obj.SetNamespace(ns)
				sent := obj.DeepCopyObject().(client.Object)
				if err := c.Create(ctx, obj); err != nil {
					t.Errorf("%s: create: %v", name, err)
					continue
				}
				created++

				got, _ := scheme.New(gv.WithKind(kind))
				if err := c.Get(ctx, client.ObjectKeyFromObject(obj), got.(client.Object)); err != nil {
					t.Errorf("%s: get: %v", name, err)
					continue
				}
				if want, have := specOf(t, sent), specOf(t, got); !reflect.DeepEqual(want, have) {
					t.Errorf("%s: read back differently\n sent %s\n read %s", name, toYAML(t, want), toYAML(t, have))
				}

				wantHub, err := ToHub(sent)
				if err != nil {
					t.Errorf("%s: %v", name, err)
					continue
				}
				gotHub, _ := scheme.New(HubVersion.WithKind(kind))
				if err := c.Get(ctx, client.ObjectKeyFromObject(obj), gotHub.(client.Object)); err != nil {
					t.Errorf("%s: get as %s: %v", name, HubVersion.Version, err)
					continue
				}
				if want, have := specOf(t, wantHub), specOf(t, gotHub); !reflect.DeepEqual(want, have) {
					t.Errorf("%s: read as %s differently\n want %s\n read %s", name, HubVersion.Version, toYAML(t, want), toYAML(t, have))
				}
			}
		}
	}
	if created == 0 {
		t.Fatal("no testdata objects were created")
	}
}

// The API server rejects what the schema forbids, naming the field.
func TestAPIServerRejectsInvalidObjects(t *testing.T) {
	c := startAPIServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	tests := []struct {
		name string
		yaml string
		want []string
	}{
		{"wrong type", `
apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata: {name: wrong-type, namespace: default}
spec: {hostname: "*", prefix: /q/, service: quote, timeout_ms: "soon"}`,
			[]string{"spec.timeout_ms", "integer"}},
		{"unknown enum value", `
apiVersion: getambassador.io/v3alpha1
kind: Listener
metadata: {name: ftp, namespace: default}
spec: {port: 2121, protocol: FTP, securityModel: XFP, hostBinding: {namespace: {from: ALL}}}`,
			[]string{"spec.protocol", `Unsupported value: "FTP"`}},
		{"missing required field", `
apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata: {name: no-service, namespace: default}
spec: {hostname: "*", prefix: /q/}`,
			[]string{"spec.service", "Required value"}},
		{"port out of range", `
apiVersion: getambassador.io/v3alpha1
kind: Listener
metadata: {name: huge-port, namespace: default}
spec: {port: 70000, protocol: HTTP, securityModel: XFP, hostBinding: {namespace: {from: ALL}}}`,
			[]string{"spec.port", "65535"}},
		{"v2 required field", `
apiVersion: getambassador.io/v2
kind: AuthService
metadata: {name: no-auth-service, namespace: default}
spec: {proto: grpc}`,
			[]string{"spec.auth_service", "Required value"}},
		{"v2 enum", `
apiVersion: getambassador.io/v2
kind: Mapping
metadata: {name: bad-redirect, namespace: default}
spec: {prefix: /q/, service: quote, redirect_response_code: 305}`,
			[]string{"spec.redirect_response_code", "305"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			obj := &unstructured.Unstructured{}
			if err := yaml.Unmarshal([]byte(tc.yaml), &obj.Object); err != nil {
				t.Fatal(err)
			}
			err := c.Create(ctx, obj)
			if !apierrors.IsInvalid(err) {
				t.Fatalf("create: %v, want the API server to reject it as invalid", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func specOf(t *testing.T, obj any) any {
	t.Helper()
	u, err := toUnstructured(obj)
	if err != nil {
		t.Fatal(err)
	}
	return u["spec"]
}

func toUnstructured(obj any) (map[string]any, error) {
	b, err := yaml.Marshal(obj)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	return m, yaml.Unmarshal(b, &m)
}

func toYAML(t *testing.T, v any) string {
	t.Helper()
	b, err := yaml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return "\n" + string(b)
}
