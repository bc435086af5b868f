package v3alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TLSContextSpec is a named bundle of TLS settings, used for termination
// (by hosts) and for origination (by Mappings' tls field).
type TLSContextSpec struct {
	// AmbassadorID selects the Emissary instances that use this context.
	AmbassadorID AmbassadorID `json:"ambassador_id,omitempty"`
	// Hosts lists the SNI hostnames this context terminates.
	Hosts []string `json:"hosts,omitempty"`
	// Secret names the Secret with the certificate and key.
	Secret string `json:"secret,omitempty"`
	// CertChainFile is a path to the certificate chain.
	CertChainFile string `json:"cert_chain_file,omitempty"`
	// PrivateKeyFile is a path to the private key.
	PrivateKeyFile string `json:"private_key_file,omitempty"`
	// CASecret names a Secret with CA certs for peer validation.
	CASecret string `json:"ca_secret,omitempty"`
	// CACertChainFile is a path to CA certs for peer validation.
	CACertChainFile string `json:"cacert_chain_file,omitempty"`
	// CRLSecret names a Secret with a certificate revocation list.
	CRLSecret string `json:"crl_secret,omitempty"`
	// ALPNProtocols is a comma-separated ALPN list.
	ALPNProtocols string `json:"alpn_protocols,omitempty"`
	// CertRequired requires the peer to present a certificate.
	CertRequired *bool `json:"cert_required,omitempty"`
	// MinTLSVersion is the lowest TLS version accepted.
	//
	// +kubebuilder:validation:Enum="v1.0";"v1.1";"v1.2";"v1.3"
	MinTLSVersion TLSVersion `json:"min_tls_version,omitempty"`
	// MaxTLSVersion is the highest TLS version accepted.
	//
	// +kubebuilder:validation:Enum="v1.0";"v1.1";"v1.2";"v1.3"
	MaxTLSVersion TLSVersion `json:"max_tls_version,omitempty"`
	// CipherSuites restricts the cipher suites.
	CipherSuites []string `json:"cipher_suites,omitempty"`
	// ECDHCurves restricts the ECDH curves.
	ECDHCurves []string `json:"ecdh_curves,omitempty"`
	// SecretNamespacing allows "name.namespace" in secret names
	// (default true).
	SecretNamespacing *bool `json:"secret_namespacing,omitempty"`
	// RedirectCleartextFrom is a port whose cleartext traffic is
	// redirected to HTTPS.
	RedirectCleartextFrom *int `json:"redirect_cleartext_from,omitempty"`
	// SNI is the SNI name sent when originating TLS.
	SNI string `json:"sni,omitempty"`
}

// TLSContext is a named set of TLS settings.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:categories=ambassador-crds
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
