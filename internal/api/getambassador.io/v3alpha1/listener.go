package v3alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ProtocolType is a shorthand for a common protocol stack.
//
// +kubebuilder:validation:Enum=HTTP;HTTPS;HTTPPROXY;HTTPSPROXY;TCP;TLS;UDP
type ProtocolType string

// Listener protocol shorthands.
const (
	ProtocolHTTP       ProtocolType = "HTTP"       // HTTP
	ProtocolHTTPS      ProtocolType = "HTTPS"      // TLS, HTTP
	ProtocolHTTPProxy  ProtocolType = "HTTPPROXY"  // PROXY, HTTP
	ProtocolHTTPSProxy ProtocolType = "HTTPSPROXY" // PROXY, TLS, HTTP
	ProtocolTCP        ProtocolType = "TCP"        // TCP
	ProtocolTLS        ProtocolType = "TLS"        // TLS, TCP
	ProtocolUDP        ProtocolType = "UDP"        // UDP
)

// ProtocolStackElement is one layer of a Listener's protocol stack.
//
// +kubebuilder:validation:Enum=HTTP;PROXY;TLS;TCP;UDP
type ProtocolStackElement string

// Protocol stack layers.
const (
	StackHTTP  ProtocolStackElement = "HTTP"
	StackPROXY ProtocolStackElement = "PROXY"
	StackTLS   ProtocolStackElement = "TLS"
	StackTCP   ProtocolStackElement = "TCP"
	StackUDP   ProtocolStackElement = "UDP"
)

// SecurityModel decides whether a request on a Listener counts as secure.
//
// +kubebuilder:validation:Enum=XFP;SECURE;INSECURE
type SecurityModel string

// Security models.
const (
	// SecurityModelXFP trusts X-Forwarded-Proto.
	SecurityModelXFP SecurityModel = "XFP"
	// SecurityModelSecure treats every request as secure.
	SecurityModelSecure SecurityModel = "SECURE"
	// SecurityModelInsecure treats every request as insecure.
	SecurityModelInsecure SecurityModel = "INSECURE"
)

// NamespaceFrom says which namespaces a Listener takes Hosts from.
//
// +kubebuilder:validation:Enum=SELF;ALL;SELECTOR
type NamespaceFrom string

// Namespace binding modes.
const (
	NamespaceFromSelf     NamespaceFrom = "SELF"
	NamespaceFromAll      NamespaceFrom = "ALL"
	NamespaceFromSelector NamespaceFrom = "SELECTOR"
)

// NamespaceBinding restricts Hosts by namespace.
type NamespaceBinding struct {
	// From is the namespace rule.
	From NamespaceFrom `json:"from,omitempty"`
}

// HostBinding restricts which Hosts a Listener serves.
type HostBinding struct {
	// Namespace restricts Hosts by namespace.
	Namespace *NamespaceBinding `json:"namespace,omitempty"`
	// Selector restricts Hosts by label.
	Selector *metav1.LabelSelector `json:"selector,omitempty"`
}

// ListenerSpec is a port Emissary listens on and how it parses traffic.
type ListenerSpec struct {
	// AmbassadorID selects the Emissary instances that use this Listener.
	AmbassadorID AmbassadorID `json:"ambassador_id,omitempty"`
	// Port is the port to listen on.
	//
	// +kubebuilder:validation:Required
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=65535
	Port int32 `json:"port"`
	// Protocol is a shorthand for ProtocolStack; set one of the two.
	Protocol ProtocolType `json:"protocol,omitempty"`
	// ProtocolStack lists the layers, outermost first.
	ProtocolStack []ProtocolStackElement `json:"protocolStack,omitempty"`
	// SecurityModel decides which requests count as secure.
	//
	// +kubebuilder:validation:Required
	SecurityModel SecurityModel `json:"securityModel"`
	// StatsPrefix prefixes this Listener's Envoy stats.
	StatsPrefix string `json:"statsPrefix,omitempty"`
	// L7Depth is the number of layer 7 proxies in front of Emissary.
	L7Depth *int32 `json:"l7Depth,omitempty"`
	// HostBinding restricts which Hosts this Listener serves.
	//
	// +kubebuilder:validation:Required
	HostBinding HostBinding `json:"hostBinding"`
}

// Listener tells Emissary to listen on a port with a given protocol stack.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:categories=ambassador-crds
// +kubebuilder:storageversion
// +kubebuilder:printcolumn:name="Port",type=string,JSONPath=`.spec.port`
// +kubebuilder:printcolumn:name="Protocol",type=string,JSONPath=`.spec.protocol`
// +kubebuilder:printcolumn:name="Stack",type=string,JSONPath=`.spec.protocolStack`
// +kubebuilder:printcolumn:name="StatsPrefix",type=string,JSONPath=`.spec.statsPrefix`
// +kubebuilder:printcolumn:name="Security",type=string,JSONPath=`.spec.securityModel`
// +kubebuilder:printcolumn:name="L7Depth",type=string,JSONPath=`.spec.l7Depth`
type Listener struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec ListenerSpec `json:"spec,omitempty"`
}

// ListenerList is a list of Listeners.
//
// +kubebuilder:object:root=true
type ListenerList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Listener `json:"items"`
}

func init() { SchemeBuilder.Register(&Listener{}, &ListenerList{}) }
