// Package diagtest makes inputs for tests and benchmarks of the
// translator and of what consumes its output.
package diagtest

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/emissary-go/emissary/internal/api/getambassador.io/v3alpha1"
	"github.com/emissary-go/emissary/internal/snapshot"
)

// Snapshot is a realistic installation with n Mappings: two
// Listeners (8080 cleartext, 8443 TLS, both XFP), ten TLS Hosts with their
// Secrets, an AuthService and a RateLimitService, a Service per Mapping
// across twenty namespaces, and Mappings with headers, rewrites,
// canaries, rate limit labels (1 in 4), retry policies (1 in 3), CORS
// (1 in 6) and auth bypassed or with context (1 in 9 each) sprinkled in.
func Snapshot(n int) *snapshot.Snapshot {
	k := &snapshot.Kubernetes{}
	for i, port := range []int32{8080, 8443} {
		protocol := v3alpha1.ProtocolType("HTTP")
		if i == 1 {
			protocol = "HTTPS"
		}
		k.Listeners = append(k.Listeners, &v3alpha1.Listener{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("listener-%d", port), Namespace: "default"},
			Spec: v3alpha1.ListenerSpec{Port: port, Protocol: protocol, SecurityModel: "XFP",
				HostBinding: v3alpha1.HostBinding{Namespace: &v3alpha1.NamespaceBinding{From: "ALL"}}},
		})
	}
	const hosts = 10
	for h := 0; h < hosts; h++ {
		name := fmt.Sprintf("host-%d", h)
		k.Secrets = append(k.Secrets, &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Name: name + "-cert", Namespace: "default"},
			Type:       corev1.SecretTypeTLS,
			Data:       map[string][]byte{"tls.crt": []byte("cert-" + name), "tls.key": []byte("key-" + name)},
		})
		k.Hosts = append(k.Hosts, &v3alpha1.Host{
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default"},
			Spec: v3alpha1.HostSpec{Hostname: name + ".example.com",
				TLSSecret: &corev1.SecretReference{Name: name + "-cert"}},
		})
	}
	k.AuthServices = append(k.AuthServices, &v3alpha1.AuthService{
		ObjectMeta: metav1.ObjectMeta{Name: "auth", Namespace: "default"},
		Spec:       v3alpha1.AuthServiceSpec{AuthService: "auth.default:3000", Proto: "http", PathPrefix: "/extauth", AllowedRequestHeaders: []string{"x-tenant"}},
	})
	k.RateLimitServices = append(k.RateLimitServices, &v3alpha1.RateLimitService{
		ObjectMeta: metav1.ObjectMeta{Name: "ratelimit", Namespace: "default"},
		Spec:       v3alpha1.RateLimitServiceSpec{Service: "ratelimit.default:8081", ProtocolVersion: "v3"},
	})
	for i := 0; i < n; i++ {
		ns := fmt.Sprintf("team-%d", i%20)
		svc := fmt.Sprintf("svc-%d", i)
		k.Services = append(k.Services, &corev1.Service{
			ObjectMeta: metav1.ObjectMeta{Name: svc, Namespace: ns},
			Spec:       corev1.ServiceSpec{Ports: []corev1.ServicePort{{Port: 8080}}},
		})
		m := &v3alpha1.Mapping{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("mapping-%d", i), Namespace: ns},
			Spec: v3alpha1.MappingSpec{
				Hostname: fmt.Sprintf("host-%d.example.com", i%hosts),
				Prefix:   fmt.Sprintf("/api/%d/", i),
				Service:  svc + ":8080",
			},
		}
		if i%10 == 0 {
			m.Spec.Headers = map[string]string{"x-tenant": fmt.Sprintf("tenant-%d", i)}
		}
		if i%7 == 0 {
			rewrite := fmt.Sprintf("/v2/%d/", i)
			m.Spec.Rewrite = &rewrite
		}
		if i%4 == 0 {
			m.Spec.Labels = v3alpha1.DomainMap{"ambassador": {
				{"per_client": {{RemoteAddress: &v3alpha1.MappingLabelRemoteAddress{Key: "remote_address"}}, {GenericKey: &v3alpha1.MappingLabelGenericKey{Value: svc}}}},
				{"per_user": {{RequestHeaders: &v3alpha1.MappingLabelRequestHeaders{Key: "user", HeaderName: "x-user"}}}},
			}}
		}
		if i%3 == 0 {
			m.Spec.RetryPolicy = &v3alpha1.RetryPolicy{RetryOn: "5xx", NumRetries: ptr(3)}
		}
		if i%6 == 0 {
			m.Spec.CORS = &v3alpha1.CORS{Origins: []string{"https://app.example.com"}, Methods: []string{"GET", "POST"}, MaxAge: "86400"}
		}
		switch i % 9 {
		case 1:
			m.Spec.BypassAuth = ptr(true)
		case 2:
			m.Spec.AuthContextExtensions = map[string]string{"team": ns}
		}
		k.Mappings = append(k.Mappings, m)
		if i%5 == 0 {
			canary := m.DeepCopy()
			canary.Name += "-canary"
			canary.Spec.Service = svc + "-canary:8080"
			weight := 10
			canary.Spec.Weight = &weight
			k.Mappings = append(k.Mappings, canary)
		}
	}
	return &snapshot.Snapshot{Kubernetes: k}
}

func ptr[T any](v T) *T { return &v }
