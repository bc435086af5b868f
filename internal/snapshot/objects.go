package snapshot

import (
	"encoding/json"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/emissary-go/emissary/internal/api/getambassador.io/annotation"
)

// FromObjects builds a snapshot from objects as a watcher holds them (in
// whatever served version they were read), the same way FromFiles reads
// documents: getambassador.io kinds become v3alpha1, annotations are
// read, and what cannot be read goes to Invalid. Only the Secrets the
// configuration can reference are kept (and ambassadorNamespace's
// fallback-self-signed-cert): Secret data goes no further than needed.
func FromObjects(objs []*unstructured.Unstructured, ambassadorNamespace string) *Snapshot {
	s := newSnapshot()
	for _, o := range objs {
		data, err := o.MarshalJSON()
		if err != nil {
			s.invalid(o.GetAPIVersion(), o.GetKind(), o.GetName(), o.GetNamespace(), err)
			continue
		}
		if strings.HasPrefix(o.GetAPIVersion(), "getambassador.io/") {
			obj, err := decodeObject(data)
			if err != nil {
				s.invalid(o.GetAPIVersion(), o.GetKind(), o.GetName(), o.GetNamespace(), err)
				continue
			}
			s.Kubernetes.add(obj)
			continue
		}
		other := annotation.Other{APIVersion: o.GetAPIVersion(), Kind: o.GetKind(), JSON: data}
		if err := s.Kubernetes.addOther(other, ""); err != nil {
			s.invalid(o.GetAPIVersion(), o.GetKind(), o.GetName(), o.GetNamespace(), err)
		}
	}
	s.readAnnotations()
	s.Kubernetes.Secrets = slices.DeleteFunc(s.Kubernetes.Secrets, func(secret *corev1.Secret) bool {
		return !s.referencesSecret(secret.Name, secret.Namespace, ambassadorNamespace)
	})
	return s
}

// referencesSecret reports whether some resource of the snapshot may use
// the Secret name in namespace. References are matched by name (a
// "name.namespace" reference by both): a few Secrets too many is
// harmless, one too few breaks TLS.
func (s *Snapshot) referencesSecret(name, namespace, ambassadorNamespace string) bool {
	if name == "fallback-self-signed-cert" && namespace == ambassadorNamespace {
		return true
	}
	matches := func(ref string) bool {
		if ref == "" {
			return false
		}
		if ref == name {
			return true
		}
		n, ns, ok := strings.Cut(ref, ".")
		return ok && n == name && ns == namespace
	}
	k := s.Kubernetes
	for _, h := range k.Hosts {
		if h.Spec.TLSSecret != nil && matches(h.Spec.TLSSecret.Name) {
			return true
		}
		if h.Spec.TLS != nil && matches(h.Spec.TLS.CASecret) {
			return true
		}
	}
	for _, tc := range k.TLSContexts {
		if matches(tc.Spec.Secret) || matches(tc.Spec.CASecret) {
			return true
		}
	}
	for _, ing := range k.Ingresses {
		for _, t := range ing.Spec.TLS {
			if t.SecretName == name && ing.Namespace == namespace {
				return true
			}
		}
	}
	// The tls Module, and resources in annotations, name their Secrets
	// in free-form fields: any string equal to the name counts.
	mentions := func(v any) bool {
		b, err := json.Marshal(v)
		return err == nil && (strings.Contains(string(b), `"`+name+`"`) || strings.Contains(string(b), `"`+name+"."+namespace+`"`))
	}
	for _, m := range k.Modules {
		if mentions(m.Spec.Config) {
			return true
		}
	}
	for _, list := range k.Annotations {
		for _, obj := range list {
			if mentions(obj) {
				return true
			}
		}
	}
	return false
}

// Objects are every Kubernetes object of the snapshot (not those from
// annotations), each with its kind.
func (k *Kubernetes) Objects() []KindedObject {
	var out []KindedObject
	add := func(kind string, objs []client.Object) {
		for _, o := range objs {
			out = append(out, KindedObject{Kind: kind, Object: o})
		}
	}
	add("IngressClass", objects(k.IngressClasses))
	add("Ingress", objects(k.Ingresses))
	add("Service", objects(k.Services))
	add("Endpoints", objects(k.Endpoints))
	add("EndpointSlice", objects(k.EndpointSlices))
	add("Listener", objects(k.Listeners))
	add("Host", objects(k.Hosts))
	add("Mapping", objects(k.Mappings))
	add("TCPMapping", objects(k.TCPMappings))
	add("Module", objects(k.Modules))
	add("TLSContext", objects(k.TLSContexts))
	add("AuthService", objects(k.AuthServices))
	add("RateLimitService", objects(k.RateLimitServices))
	add("LogService", objects(k.LogServices))
	add("TracingService", objects(k.TracingServices))
	add("DevPortal", objects(k.DevPortals))
	add("ConsulResolver", objects(k.ConsulResolvers))
	add("KubernetesEndpointResolver", objects(k.KubernetesEndpointResolvers))
	add("KubernetesServiceResolver", objects(k.KubernetesServiceResolvers))
	add("Secret", objects(k.Secrets))
	add("ConfigMap", objects(k.ConfigMaps))
	return out
}

// KindedObject is an object and its kind (typed objects do not always
// carry their TypeMeta).
type KindedObject struct {
	Kind   string
	Object client.Object
}

func objects[T client.Object](list []T) []client.Object {
	out := make([]client.Object, len(list))
	for i, o := range list {
		out[i] = o
	}
	return out
}
