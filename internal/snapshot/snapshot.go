// Package snapshot is the contract between watt and diagd: everything the
// translator needs to know about the world at one moment, as JSON. The
// field names are Emissary's, so snapshots (and the tools that read
// them) carry over.
package snapshot

import (
	"encoding/json"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	getambassador "github.com/emissary-go/emissary/internal/api/getambassador.io"
	"github.com/emissary-go/emissary/internal/api/getambassador.io/v3alpha1"
)

// Snapshot is one consistent view of the inputs.
type Snapshot struct {
	AmbassadorMeta *AmbassadorMeta `json:"AmbassadorMeta"`
	Kubernetes     *Kubernetes     `json:"Kubernetes"`
	Consul         *Consul         `json:"Consul"`
	// Deltas are the changes since the previous snapshot.
	Deltas []Delta `json:"Deltas"`
	// Invalid are resources that could not be read; each carries an
	// "errors" field saying why.
	Invalid []*unstructured.Unstructured `json:"Invalid"`
	// Warnings are resources that were read, and are used, but not all of
	// them (unknown fields were dropped); in the same form as Invalid.
	Warnings []*unstructured.Unstructured `json:"Warnings,omitempty"`
}

// AmbassadorMeta identifies the installation that took the snapshot.
type AmbassadorMeta struct {
	ClusterID         string `json:"cluster_id"`
	AmbassadorID      string `json:"ambassador_id"`
	AmbassadorVersion string `json:"ambassador_version"`
	KubeVersion       string `json:"kube_version"`
}

// Kubernetes holds the watched Kubernetes resources. getambassador.io
// resources are always v3alpha1 here, whatever version they were written in.
type Kubernetes struct {
	IngressClasses []*networkingv1.IngressClass `json:"ingressclasses"`
	Ingresses      []*networkingv1.Ingress      `json:"ingresses"`
	Services       []*corev1.Service            `json:"service"`
	Endpoints      []*corev1.Endpoints          `json:"Endpoints"`
	EndpointSlices []*discoveryv1.EndpointSlice `json:"EndpointSlice"`

	Listeners   []*v3alpha1.Listener   `json:"Listener"`
	Hosts       []*v3alpha1.Host       `json:"Host"`
	Mappings    []*v3alpha1.Mapping    `json:"Mapping"`
	TCPMappings []*v3alpha1.TCPMapping `json:"TCPMapping"`
	Modules     []*v3alpha1.Module     `json:"Module"`
	TLSContexts []*v3alpha1.TLSContext `json:"TLSContext"`

	AuthServices      []*v3alpha1.AuthService      `json:"AuthService"`
	RateLimitServices []*v3alpha1.RateLimitService `json:"RateLimitService"`
	LogServices       []*v3alpha1.LogService       `json:"LogService"`
	TracingServices   []*v3alpha1.TracingService   `json:"TracingService"`
	DevPortals        []*v3alpha1.DevPortal        `json:"DevPortal"`

	ConsulResolvers             []*v3alpha1.ConsulResolver             `json:"ConsulResolver"`
	KubernetesEndpointResolvers []*v3alpha1.KubernetesEndpointResolver `json:"KubernetesEndpointResolver"`
	KubernetesServiceResolvers  []*v3alpha1.KubernetesServiceResolver  `json:"KubernetesServiceResolver"`

	// Secrets are only those the configuration can reference.
	Secrets    []*corev1.Secret    `json:"secret"`
	ConfigMaps []*corev1.ConfigMap `json:"ConfigMaps,omitempty"`

	// Annotations are the resources read from getambassador.io/config
	// annotations, keyed by their parent as "Kind/name.namespace".
	Annotations map[string]AnnotationList `json:"annotations"`
}

// AnnotationList is the resources of one parent's annotation, as v3alpha1
// objects.
type AnnotationList []client.Object

// UnmarshalJSON decodes each element into its typed object by its
// apiVersion and kind.
func (l *AnnotationList) UnmarshalJSON(data []byte) error {
	var raw []json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	out := make(AnnotationList, 0, len(raw))
	for i, r := range raw {
		obj, err := decodeObject(r)
		if err != nil {
			return fmt.Errorf("annotation resource %d: %w", i, err)
		}
		out = append(out, obj)
	}
	*l = out
	return nil
}

// Consul holds the endpoints of the Consul services that ConsulResolvers
// reference, keyed by service name.
type Consul struct {
	Endpoints map[string]ConsulEndpoints `json:",omitempty"`
}

// ConsulEndpoints are the healthy instances of one Consul service.
type ConsulEndpoints struct {
	Id        string
	Service   string
	Endpoints []ConsulEndpoint
}

// ConsulEndpoint is one instance of a Consul service.
type ConsulEndpoint struct {
	SystemID string
	ID       string
	Service  string
	Address  string
	Port     int
	Tags     []string
}

// DeltaType says what happened to an object.
type DeltaType string

// The delta types, as they appear in JSON.
const (
	DeltaAdd    DeltaType = "add"
	DeltaUpdate DeltaType = "update"
	DeltaDelete DeltaType = "delete"
)

// Delta is one change since the previous snapshot.
type Delta struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	DeltaType         DeltaType `json:"deltaType"`
}

var scheme = getambassador.NewScheme()

// decodeObject decodes a getambassador.io object of any served version
// into its v3alpha1 form.
func decodeObject(data []byte) (client.Object, error) {
	var tm metav1.TypeMeta
	if err := json.Unmarshal(data, &tm); err != nil {
		return nil, err
	}
	obj, err := scheme.New(tm.GroupVersionKind())
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", tm.APIVersion, tm.Kind, err)
	}
	if err := json.Unmarshal(data, obj); err != nil {
		return nil, fmt.Errorf("%s %s: %w", tm.APIVersion, tm.Kind, err)
	}
	hub, err := getambassador.ToHub(obj.(client.Object))
	if err != nil {
		return nil, err
	}
	return hub, nil
}

// UnmarshalJSON reads a snapshot; Invalid and Warnings entries are read
// as plain objects, since a document that could not be parsed at all has
// no kind (which unstructured objects otherwise require).
func (s *Snapshot) UnmarshalJSON(data []byte) error {
	return s.decode(data)
}

// Decode reads a snapshot from its JSON. It is json.Unmarshal into a
// Snapshot, without encoding/json checking the whole document a second
// time before handing it to UnmarshalJSON (a tenth of reading a large
// snapshot).
func Decode(data []byte) (*Snapshot, error) {
	s := &Snapshot{}
	return s, s.decode(data)
}

func (s *Snapshot) decode(data []byte) error {
	type plain Snapshot
	var raw struct {
		plain
		Invalid  []map[string]any `json:"Invalid"`
		Warnings []map[string]any `json:"Warnings,omitempty"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	*s = Snapshot(raw.plain)
	s.Invalid, s.Warnings = nil, nil
	for _, m := range raw.Invalid {
		s.Invalid = append(s.Invalid, &unstructured.Unstructured{Object: m})
	}
	for _, m := range raw.Warnings {
		s.Warnings = append(s.Warnings, &unstructured.Unstructured{Object: m})
	}
	return nil
}
