package v3alpha1

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// HostSpec describes one hostname Emissary serves and how it gets TLS.
type HostSpec struct {
	// AmbassadorID selects the Emissary instances that use this Host.
	AmbassadorID AmbassadorID `json:"ambassador_id,omitempty"`
	// Hostname is the name (possibly a DNS glob) clients use to reach
	// Emissary.
	Hostname string `json:"hostname,omitempty"`
	// Selector is deprecated; it is a synonym for MappingSelector.
	Selector *metav1.LabelSelector `json:"selector,omitempty"`
	// MappingSelector picks, by label, the Mappings associated with this
	// Host.
	MappingSelector *metav1.LabelSelector `json:"mappingSelector,omitempty"`
	// AcmeProvider configures automatic certificates via ACME.
	AcmeProvider *ACMEProviderSpec `json:"acmeProvider,omitempty"`
	// TLSSecret is the Secret holding (or receiving, with ACME) the
	// certificate. With ACME it defaults to the hostname; otherwise an
	// unset secret means no TLS for this Host.
	TLSSecret *corev1.SecretReference `json:"tlsSecret,omitempty"`
	// RequestPolicy controls how requests are treated.
	RequestPolicy *RequestPolicy `json:"requestPolicy,omitempty"`
	// PreviewURL configures Service Preview URLs.
	PreviewURL *PreviewURLSpec `json:"previewUrl,omitempty"`
	// TLSContext names a TLSContext in the Host's namespace; it must not
	// be combined with TLS.
	TLSContext *corev1.LocalObjectReference `json:"tlsContext,omitempty"`
	// TLS is inline TLS configuration; it must not be combined with
	// TLSContext.
	TLS *TLSConfig `json:"tls,omitempty"`
}

// ACMEProviderSpec configures ACME for a Host.
type ACMEProviderSpec struct {
	// Authority is the ACME directory URL (default Let's Encrypt);
	// "none" (any case) disables ACME.
	Authority string `json:"authority,omitempty"`
	// Email is the ACME account contact.
	Email string `json:"email,omitempty"`
	// PrivateKeySecret is where the ACME account key is stored; normally
	// left unset and derived from authority and email.
	PrivateKeySecret *corev1.LocalObjectReference `json:"privateKeySecret,omitempty"`
	// Registration is the ACME account registration; set automatically.
	Registration string `json:"registration,omitempty"`
}

// InsecureRequestAction is what to do with cleartext requests.
//
// +kubebuilder:validation:Enum=Redirect;Reject;Route
type InsecureRequestAction string

// Insecure request actions.
const (
	InsecureActionRedirect InsecureRequestAction = "Redirect"
	InsecureActionReject   InsecureRequestAction = "Reject"
	InsecureActionRoute    InsecureRequestAction = "Route"
)

// InsecureRequestPolicy handles requests that arrive without TLS.
type InsecureRequestPolicy struct {
	// Action is what to do with them.
	Action InsecureRequestAction `json:"action,omitempty"`
	// AdditionalPort is an extra cleartext port to listen on.
	AdditionalPort *int `json:"additionalPort,omitempty"`
}

// RequestPolicy is a Host's request handling policy.
type RequestPolicy struct {
	// Insecure handles cleartext requests.
	Insecure *InsecureRequestPolicy `json:"insecure,omitempty"`
}

// PreviewURLType is the kind of Service Preview URL allowed.
//
// +kubebuilder:validation:Enum=Path
type PreviewURLType string

// PreviewURLTypePath is a path-based preview URL.
const PreviewURLTypePath PreviewURLType = "Path"

// PreviewURLSpec configures Service Preview URLs.
type PreviewURLSpec struct {
	// Enabled turns preview URLs on.
	Enabled *bool `json:"enabled,omitempty"`
	// Type is the preview URL style.
	Type PreviewURLType `json:"type,omitempty"`
}

// TLSConfig is inline TLS configuration for a Host; the fields mean the
// same as in TLSContextSpec.
type TLSConfig struct {
	// CertChainFile is a path to the certificate chain.
	CertChainFile string `json:"cert_chain_file,omitempty"`
	// PrivateKeyFile is a path to the private key.
	PrivateKeyFile string `json:"private_key_file,omitempty"`
	// CASecret names a Secret with CA certs for client validation.
	CASecret string `json:"ca_secret,omitempty"`
	// CACertChainFile is a path to CA certs for client validation.
	CACertChainFile string `json:"cacert_chain_file,omitempty"`
	// CRLSecret names a Secret with a certificate revocation list.
	CRLSecret string `json:"crl_secret,omitempty"`
	// ALPNProtocols is a comma-separated ALPN list.
	ALPNProtocols string `json:"alpn_protocols,omitempty"`
	// CertRequired requires clients to present a certificate.
	CertRequired *bool `json:"cert_required,omitempty"`
	// MinTLSVersion is the lowest TLS version accepted (not validated
	// here, unlike TLSContext).
	MinTLSVersion TLSVersion `json:"min_tls_version,omitempty"`
	// MaxTLSVersion is the highest TLS version accepted.
	MaxTLSVersion TLSVersion `json:"max_tls_version,omitempty"`
	// CipherSuites restricts the cipher suites.
	CipherSuites []string `json:"cipher_suites,omitempty"`
	// ECDHCurves restricts the ECDH curves.
	ECDHCurves []string `json:"ecdh_curves,omitempty"`
	// RedirectCleartextFrom is a port whose cleartext traffic is
	// redirected to HTTPS.
	RedirectCleartextFrom *int `json:"redirect_cleartext_from,omitempty"`
	// SNI is the SNI name to use.
	SNI string `json:"sni,omitempty"`
}

// HostState is the overall state of a Host.
//
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
//
// +kubebuilder:validation:Enum=NA;DefaultsFilled;ACMEUserPrivateKeyCreated;ACMEUserRegistered;ACMECertificateChallenge
type HostPhase string

// ACME provisioning phases, in order.
const (
	HostPhaseNA                        HostPhase = "NA"
	HostPhaseDefaultsFilled            HostPhase = "DefaultsFilled"
	HostPhaseACMEUserPrivateKeyCreated HostPhase = "ACMEUserPrivateKeyCreated"
	HostPhaseACMEUserRegistered        HostPhase = "ACMEUserRegistered"
	HostPhaseACMECertificateChallenge  HostPhase = "ACMECertificateChallenge"
)

// HostTLSCertificateSource says where a Host's certificate comes from.
//
// +kubebuilder:validation:Enum=Unknown;None;Other;ACME
type HostTLSCertificateSource string

// Certificate sources.
const (
	HostTLSCertificateSourceUnknown HostTLSCertificateSource = "Unknown"
	HostTLSCertificateSourceNone    HostTLSCertificateSource = "None"
	HostTLSCertificateSourceOther   HostTLSCertificateSource = "Other"
	HostTLSCertificateSourceACME    HostTLSCertificateSource = "ACME"
)

// HostStatus is the observed state of a Host.
type HostStatus struct {
	// TLSCertificateSource is where the certificate comes from.
	TLSCertificateSource HostTLSCertificateSource `json:"tlsCertificateSource,omitempty"`
	// State is the overall state.
	State HostState `json:"state,omitempty"`
	// PhaseCompleted is the last finished ACME phase (Pending/Error only).
	PhaseCompleted HostPhase `json:"phaseCompleted,omitempty"`
	// PhasePending is the ACME phase in progress (Pending/Error only).
	PhasePending HostPhase `json:"phasePending,omitempty"`
	// ErrorReason describes the error (state Error only).
	ErrorReason string `json:"errorReason,omitempty"`
	// ErrorTimestamp is when the error happened (state Error only).
	ErrorTimestamp *metav1.Time `json:"errorTimestamp,omitempty"`
	// ErrorBackoff is how long to wait before retrying (state Error only).
	ErrorBackoff *metav1.Duration `json:"errorBackoff,omitempty"`
}

// Host is a hostname Emissary serves, with its TLS and ACME settings.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:categories=ambassador-crds
// +kubebuilder:subresource:status
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
