package v2

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// HostSpec describes a hostname Emissary serves and how it gets its
// certificate.
//
// +kubebuilder:pruning:PreserveUnknownFields
type HostSpec struct {
	// AmbassadorID selects the Emissary instances that use this Host.
	// Not in Emissary's v2 schema (a string-or-list union); ours is a
	// preserve-unknown property.
	AmbassadorID *AmbassadorID `json:"ambassador_id,omitempty"`
	// DeprecatedAmbassadorID is the camelCase spelling that old protobuf
	// tooling produced; it adds to AmbassadorID. Not in Emissary's v2
	// schema (a union); ours is a preserve-unknown property.
	DeprecatedAmbassadorID *AmbassadorID `json:"ambassadorId,omitempty"`

	// Hostname is the name this Host answers to.
	Hostname string `json:"hostname,omitempty"`
	// Selector picks the Mappings attached to this Host.
	Selector *metav1.LabelSelector `json:"selector,omitempty"`
	// AcmeProvider configures ACME certificate management.
	AcmeProvider *ACMEProviderSpec `json:"acmeProvider,omitempty"`
	// TLSSecret is the Secret holding (or receiving) the certificate.
	TLSSecret *corev1.SecretReference `json:"tlsSecret,omitempty"`
	// RequestPolicy says how to handle requests, e.g. insecure ones.
	RequestPolicy *RequestPolicy `json:"requestPolicy,omitempty"`
	// PreviewUrl configures Service Preview URLs.
	PreviewUrl *PreviewURLSpec `json:"previewUrl,omitempty"`
	// TLSContext names a TLSContext to use (exclusive with TLS).
	TLSContext *corev1.LocalObjectReference `json:"tlsContext,omitempty"`
	// TLS is inline TLS configuration (exclusive with TLSContext).
	TLS *TLSConfig `json:"tls,omitempty"`
}

// ACMEProviderSpec configures ACME for a Host.
type ACMEProviderSpec struct {
	// Authority is the ACME directory URL; "none" disables ACME.
	Authority string `json:"authority,omitempty"`
	// Email is the ACME account's contact address.
	Email string `json:"email,omitempty"`
	// PrivateKeySecret stores the ACME account key.
	PrivateKeySecret *corev1.LocalObjectReference `json:"privateKeySecret,omitempty"`
	// Registration is the ACME registration (normally set automatically).
	Registration string `json:"registration,omitempty"`
}

// RequestPolicy says how a Host handles requests.
type RequestPolicy struct {
	// Insecure handles cleartext requests.
	Insecure *InsecureRequestPolicy `json:"insecure,omitempty"`
}

// InsecureRequestPolicy handles cleartext requests.
type InsecureRequestPolicy struct {
	// Action is what to do with them.
	// +kubebuilder:validation:Enum=Redirect;Reject;Route
	Action string `json:"action,omitempty"`
	// AdditionalPort is an extra cleartext port to listen on.
	AdditionalPort *int `json:"additionalPort,omitempty"`
}

// PreviewURLSpec configures Service Preview URLs.
type PreviewURLSpec struct {
	// Enabled turns preview URLs on.
	Enabled *bool `json:"enabled,omitempty"`
	// Type is the kind of preview URL.
	// +kubebuilder:validation:Enum=Path
	Type string `json:"type,omitempty"`
}

// TLSConfig is a Host's inline TLS configuration.
type TLSConfig struct {
	// CertChainFile is a certificate chain file on the pod.
	CertChainFile string `json:"cert_chain_file,omitempty"`
	// PrivateKeyFile is a private key file on the pod.
	PrivateKeyFile string `json:"private_key_file,omitempty"`
	// CASecret is a Secret with CA certificates for client validation.
	CASecret string `json:"ca_secret,omitempty"`
	// CAcertChainFile is a CA certificate file on the pod.
	CAcertChainFile string `json:"cacert_chain_file,omitempty"`
	// AlpnProtocols is a comma-separated ALPN list.
	AlpnProtocols string `json:"alpn_protocols,omitempty"`
	// CertRequired requires client certificates.
	CertRequired *bool `json:"cert_required,omitempty"`
	// MinTLSVersion is the lowest TLS version (not validated here).
	MinTLSVersion string `json:"min_tls_version,omitempty"`
	// MaxTLSVersion is the highest TLS version (not validated here).
	MaxTLSVersion string `json:"max_tls_version,omitempty"`
	// CipherSuites restricts the cipher suites.
	CipherSuites []string `json:"cipher_suites,omitempty"`
	// ECDHCurves restricts the ECDH curves.
	ECDHCurves []string `json:"ecdh_curves,omitempty"`
	// RedirectCleartextFrom redirects cleartext on this port to HTTPS.
	RedirectCleartextFrom *int `json:"redirect_cleartext_from,omitempty"`
	// SNI is the SNI name to match.
	SNI string `json:"sni,omitempty"`
	// V3CRLSecret is a Secret with a certificate revocation list.
	V3CRLSecret string `json:"v3CRLSecret,omitempty"`
}

// HostState is the overall state of a Host.
// +kubebuilder:validation:Enum=Initial;Pending;Ready;Error
type HostState string

// Host states.
const (
	HostStateInitial HostState = "Initial"
	HostStatePending HostState = "Pending"
	HostStateReady   HostState = "Ready"
	HostStateError   HostState = "Error"
)

// HostPhase is a step of ACME certificate provisioning.
// +kubebuilder:validation:Enum=NA;DefaultsFilled;ACMEUserPrivateKeyCreated;ACMEUserRegistered;ACMECertificateChallenge
type HostPhase string

// Host phases.
const (
	HostPhaseNA                        HostPhase = "NA"
	HostPhaseDefaultsFilled            HostPhase = "DefaultsFilled"
	HostPhaseACMEUserPrivateKeyCreated HostPhase = "ACMEUserPrivateKeyCreated"
	HostPhaseACMEUserRegistered        HostPhase = "ACMEUserRegistered"
	HostPhaseACMECertificateChallenge  HostPhase = "ACMECertificateChallenge"
)

// HostTLSCertificateSource says where a Host's certificate comes from.
// +kubebuilder:validation:Enum=Unknown;None;Other;ACME
type HostTLSCertificateSource string

// Certificate sources.
const (
	HostTLSCertificateSourceUnknown HostTLSCertificateSource = "Unknown"
	HostTLSCertificateSourceNone    HostTLSCertificateSource = "None"
	HostTLSCertificateSourceOther   HostTLSCertificateSource = "Other"
	HostTLSCertificateSourceACME    HostTLSCertificateSource = "ACME"
)

// HostStatus reports a Host's provisioning state.
type HostStatus struct {
	// TLSCertificateSource says where the certificate comes from.
	TLSCertificateSource HostTLSCertificateSource `json:"tlsCertificateSource,omitempty"`
	// State is the overall state.
	State HostState `json:"state,omitempty"`
	// PhaseCompleted is the last completed phase (Pending/Error states).
	PhaseCompleted HostPhase `json:"phaseCompleted,omitempty"`
	// PhasePending is the phase in progress (Pending/Error states).
	PhasePending HostPhase `json:"phasePending,omitempty"`
	// ErrorReason explains the Error state.
	ErrorReason string `json:"errorReason,omitempty"`
	// ErrorTimestamp is when the error happened.
	ErrorTimestamp *metav1.Time `json:"errorTimestamp,omitempty"`
	// ErrorBackoff is how long to wait before retrying.
	ErrorBackoff *metav1.Duration `json:"errorBackoff,omitempty"`
}

// Host is the getambassador.io/v2 Host.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:categories=ambassador-crds
// +kubebuilder:subresource:status
// +kubebuilder:storageversion
// +kubebuilder:printcolumn:name="Hostname",type=string,JSONPath=`.spec.hostname`
// +kubebuilder:printcolumn:name="State",type=string,JSONPath=`.status.state`
// +kubebuilder:printcolumn:name="Phase Completed",type=string,JSONPath=`.status.phaseCompleted`
// +kubebuilder:printcolumn:name="Phase Pending",type=string,JSONPath=`.status.phasePending`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type Host struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   HostSpec    `json:"spec,omitempty"`
	Status *HostStatus `json:"status,omitempty"`
}

// HostList is a list of Hosts.
//
// +kubebuilder:object:root=true
type HostList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Host `json:"items"`
}

func init() { SchemeBuilder.Register(&Host{}, &HostList{}) }
