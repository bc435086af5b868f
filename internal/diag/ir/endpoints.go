package ir

import (
	"cmp"
	"net"
	"slices"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/emissary-go/emissary/internal/snapshot"
)

// Endpoint is one address of an EDS cluster.
type Endpoint struct {
	Address string `json:"address"`
	Port    int    `json:"port"`
}

func (e Endpoint) String() string { return net.JoinHostPort(e.Address, strconv.Itoa(e.Port)) }

// Endpoints are an EDS cluster's endpoints in the snapshot: the ready
// addresses of its Kubernetes Service (Endpoints and EndpointSlices) or
// its Consul service, by its EDS name (k8s/<namespace>/<service>/<port>,
// consul/<datacenter>/<service>), sorted.
func Endpoints(snap *snapshot.Snapshot, c *Cluster) []Endpoint {
	e := endpointIndex{snap: snap}
	if snap == nil {
		return nil
	}
	parts := strings.Split(c.EDSName, "/")
	var out []Endpoint
	switch {
	case len(parts) == 4 && parts[0] == "k8s" && e.snap.Kubernetes != nil:
		namespace, service := parts[1], parts[2]
		port := e.endpointPort(namespace, service, parts[3])
		for _, ep := range e.snap.Kubernetes.Endpoints {
			if ep.Namespace != namespace || ep.Name != service {
				continue
			}
			for _, s := range ep.Subsets {
				for _, p := range s.Ports {
					if port(p.Name, p.Port) {
						for _, a := range s.Addresses {
							out = append(out, Endpoint{a.IP, int(p.Port)})
						}
					}
				}
			}
		}
		for _, s := range e.snap.Kubernetes.EndpointSlices {
			if s.Namespace != namespace || s.Labels["kubernetes.io/service-name"] != service {
				continue
			}
			for _, p := range s.Ports {
				if p.Port == nil || !port(ptrValue(p.Name), *p.Port) {
					continue
				}
				for _, ep := range s.Endpoints {
					if ep.Conditions.Ready != nil && !*ep.Conditions.Ready {
						continue
					}
					for _, a := range ep.Addresses {
						out = append(out, Endpoint{a, int(*p.Port)})
					}
				}
			}
		}
	case len(parts) == 3 && parts[0] == "consul" && e.snap.Consul != nil:
		for _, ep := range e.snap.Consul.Endpoints[parts[2]].Endpoints {
			out = append(out, Endpoint{ep.Address, ep.Port})
		}
	}
	slices.SortFunc(out, func(a, b Endpoint) int {
		return cmp.Or(cmp.Compare(a.Address, b.Address), cmp.Compare(a.Port, b.Port))
	})
	return slices.Compact(out)
}

type endpointIndex struct {
	snap *snapshot.Snapshot
}

// endpointPort says which endpoint ports serve a Service's port: the
// Service's targetPort, by number or name (the port itself when the
// Service is not in the snapshot).
func (e endpointIndex) endpointPort(namespace, service, servicePort string) func(name string, number int32) bool {
	for _, svc := range e.snap.Kubernetes.Services {
		if svc.Namespace != namespace || svc.Name != service {
			continue
		}
		for _, p := range svc.Spec.Ports {
			if strconv.Itoa(int(p.Port)) != servicePort {
				continue
			}
			target := p.TargetPort
			return func(name string, number int32) bool {
				switch {
				case target.Type == intstr.String:
					return name == target.StrVal
				case target.IntVal != 0:
					return number == target.IntVal
				default:
					return number == p.Port
				}
			}
		}
	}
	return func(_ string, number int32) bool { return strconv.Itoa(int(number)) == servicePort }
}

func ptrValue[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
