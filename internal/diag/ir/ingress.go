package ir

import (
	"fmt"
	"regexp"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/emissary-go/emissary/internal/api/getambassador.io/v3alpha1"
)

// The Ingress contract Emissary users rely on.
const (
	ingressController      = "getambassador.io/ingress-controller"
	ingressClassAnnotation = "kubernetes.io/ingress.class"
	ingressClassName       = "ambassador"
	ambassadorIDAnnotation = "getambassador.io/ambassador-id"
	// ingressLabel ties the Mappings of an Ingress with TLS to the Hosts
	// made from its TLS section.
	ingressLabel = "a10r-k8s-ingress"
)

// fromIngress is a Host or Mapping an Ingress means, and which Ingress.
type fromIngress struct {
	obj     client.Object
	ingress string
}

// ingressResources turns the Ingresses this installation owns into the
// Hosts and Mappings they mean, as Emissary does.
func ingressResources(ingresses []*networkingv1.Ingress, classes []*networkingv1.IngressClass, services []*corev1.Service, opts Options, d *Diagnostics) []fromIngress {
	if len(ingresses) == 0 {
		return nil // and no port table of every Service for nothing
	}
	ours := map[string]bool{}
	for _, c := range classes {
		if strings.ToLower(c.Spec.Controller) == ingressController && ownedByID(c.Annotations, opts) {
			ours[c.Name] = true
		}
	}
	servicePorts := map[string]map[string]int32{}
	for _, s := range services {
		ports := map[string]int32{}
		for _, p := range s.Spec.Ports {
			if p.Name != "" {
				ports[p.Name] = p.Port
			}
		}
		servicePorts[s.Namespace+"/"+s.Name] = ports
	}

	var out []fromIngress
	for _, ing := range ingresses {
		class := ing.Spec.IngressClassName
		byClass := class != nil && ours[*class]
		byAnnotation := strings.ToLower(ing.Annotations[ingressClassAnnotation]) == ingressClassName
		if !(byClass || byAnnotation) || !ownedByID(ing.Annotations, opts) {
			continue
		}
		if opts.SingleNamespace && ing.Namespace != opts.Namespace {
			continue
		}
		key := Key("Ingress", ing.Name, ing.Namespace)
		id := fmt.Sprintf("a10r-ingress-%s-%s", ing.Name, ing.Namespace)
		hasTLS := false
		for i, tls := range ing.Spec.TLS {
			if tls.SecretName == "" {
				continue
			}
			hasTLS = true
			names := tls.Hosts
			if len(names) == 0 {
				names = []string{"*"}
			}
			for j, hostname := range names {
				out = append(out, fromIngress{ingress: key, obj: &v3alpha1.Host{
					ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("%s-%d-%d", ing.Name, i, j), Namespace: ing.Namespace, Labels: ing.Labels},
					Spec: v3alpha1.HostSpec{
						Hostname:        hostname,
						TLSSecret:       &corev1.SecretReference{Name: tls.SecretName},
						MappingSelector: &metav1.LabelSelector{MatchLabels: map[string]string{ingressLabel: id}},
						RequestPolicy:   &v3alpha1.RequestPolicy{Insecure: &v3alpha1.InsecureRequestPolicy{Action: "Route"}},
					},
				}})
			}
		}
		labels := map[string]string{}
		for k, v := range ing.Labels {
			labels[k] = v
		}
		if hasTLS {
			labels[ingressLabel] = id
		}
		service := func(b *networkingv1.IngressServiceBackend) (string, bool) {
			if b == nil || b.Name == "" {
				return "", false
			}
			port := fmt.Sprint(b.Port.Number)
			if b.Port.Name != "" {
				port = b.Port.Name
				if n, ok := servicePorts[ing.Namespace+"/"+b.Name][b.Port.Name]; ok {
					port = fmt.Sprint(n)
				} else {
					d.Notice(key, "service %s has no port named %s", b.Name, b.Port.Name)
				}
			} else if b.Port.Number == 0 {
				return "", false
			}
			return fmt.Sprintf("%s.%s:%s", b.Name, ing.Namespace, port), true
		}
		newMapping := func(name string, spec v3alpha1.MappingSpec) *v3alpha1.Mapping {
			return &v3alpha1.Mapping{
				ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ing.Namespace, Labels: labels},
				Spec:       spec,
			}
		}
		if b := ing.Spec.DefaultBackend; b != nil {
			if svc, ok := service(b.Service); ok {
				out = append(out, fromIngress{ingress: key, obj: newMapping(ing.Name+"-default-backend", v3alpha1.MappingSpec{Hostname: "*", Prefix: "/", Service: svc})})
			}
		}
		for r, rule := range ing.Spec.Rules {
			if rule.HTTP == nil {
				continue
			}
			for p, path := range rule.HTTP.Paths {
				svc, ok := service(path.Backend.Service)
				if !ok {
					d.Notice(key, "rule %d path %d has no service backend: skipped", r, p)
					continue
				}
				spec := v3alpha1.MappingSpec{Prefix: firstNonEmpty(path.Path, "/"), Service: svc}
				if path.PathType != nil && *path.PathType == networkingv1.PathTypeExact {
					exact, precedence := true, 1
					spec.PrefixExact, spec.Precedence = &exact, &precedence
				}
				switch {
				case strings.HasPrefix(rule.Host, "*."):
					regex := true
					spec.Host = `^[a-z0-9]([-a-z0-9]*[a-z0-9])?` + regexp.QuoteMeta(rule.Host[1:]) + `$`
					spec.HostRegex = &regex
				case rule.Host != "":
					spec.Hostname = rule.Host
				case !hasTLS:
					spec.Hostname = "*"
				}
				out = append(out, fromIngress{ingress: key, obj: newMapping(fmt.Sprintf("%s-%d-%d", ing.Name, r, p), spec)})
			}
		}
	}
	return out
}

// ownedByID: Ingresses and IngressClasses name their installation with
// an annotation ("default" when absent).
func ownedByID(annotations map[string]string, opts Options) bool {
	return firstNonEmpty(annotations[ambassadorIDAnnotation], "default") == opts.AmbassadorID
}
