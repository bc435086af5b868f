package v2

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TLSContextSpec is TLS configuration for a set of hosts, or for origination
// when referenced by name from "tls".
//
// +kubebuilder:pruning:PreserveUnknownFields
type TLSContextSpec struct {
	// AmbassadorID selects the Emissary instances that use this resource.
	// Not in Emissary's v2 schema (a string-or-list union); ours is a
	// preserve-unknown property.
	AmbassadorID *AmbassadorID `json:"ambassador_id,omitempty"`

	// Hosts are the SNI names this context terminates.
	Hosts []string `json:"hosts,omitempty"`
	// Secret is the Secret holding the certificate and key.
	Secret string `json:"secret,omitempty"`
	// CertChainFile is a certificate chain file on the pod.
	CertChainFile string `json:"cert_chain_file,omitempty"`
	// PrivateKeyFile is a private key file on the pod.
	PrivateKeyFile string `json:"private_key_file,omitempty"`
	// CASecret is a Secret with CA certificates for client validation.
	CASecret string `json:"ca_secret,omitempty"`
	// CACertChainFile is a CA certificate file on the pod.
	CACertChainFile string `json:"cacert_chain_file,omitempty"`
	// ALPNProtocols is a comma-separated ALPN list.
	ALPNProtocols string `json:"alpn_protocols,omitempty"`
	// CertRequired requires client certificates.
	CertRequired *bool `json:"cert_required,omitempty"`
	// MinTLSVersion is the lowest TLS version.
	// +kubebuilder:validation:Enum="v1.0";"v1.1";"v1.2";"v1.3"
	MinTLSVersion string `json:"min_tls_version,omitempty"`
	// MaxTLSVersion is the highest TLS version.
	// +kubebuilder:validation:Enum="v1.0";"v1.1";"v1.2";"v1.3"
	MaxTLSVersion string `json:"max_tls_version,omitempty"`
	// CipherSuites restricts the cipher suites.
	CipherSuites []string `json:"cipher_suites,omitempty"`
	// ECDHCurves restricts the ECDH curves.
	ECDHCurves []string `json:"ecdh_curves,omitempty"`
	// SecretNamespacing lets Secret be "name.namespace" (default true).
	SecretNamespacing *bool `json:"secret_namespacing,omitempty"`
	// RedirectCleartextFrom redirects cleartext on this port to HTTPS.
	RedirectCleartextFrom *int `json:"redirect_cleartext_from,omitempty"`
	// SNI is the SNI name sent when originating TLS.
	SNI string `json:"sni,omitempty"`

	// V3CRLSecret is a Secret with a certificate revocation list.
	V3CRLSecret string `json:"v3CRLSecret,omitempty"`
}

// TLSContext is the getambassador.io/v2 TLSContext.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:categories=ambassador-crds
// +kubebuilder:storageversion
type TLSContext struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec TLSContextSpec `json:"spec,omitempty"`
}

// TLSContextList is a list of TLSContexts.
//
// +kubebuilder:object:root=true
type TLSContextList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []TLSContext `json:"items"`
}

func init() { SchemeBuilder.Register(&TLSContext{}, &TLSContextList{}) }
