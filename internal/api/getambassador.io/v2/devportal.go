package v2

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// DevPortalSpec configures the Dev Portal.
//
// +kubebuilder:pruning:PreserveUnknownFields
type DevPortalSpec struct {
	// AmbassadorID selects the Emissary instances that use this resource.
	// Not in Emissary's v2 schema (a string-or-list union); ours is a
	// preserve-unknown property.
	AmbassadorID *AmbassadorID `json:"ambassador_id,omitempty"`

	// Default marks the default DevPortal.
	Default *bool `json:"default,omitempty"`
	// Content says where the portal's content comes from.
	Content *DevPortalContentSpec `json:"content,omitempty"`
	// Docs lists statically configured API docs.
	Docs []DevPortalDocsSpec `json:"docs,omitempty"`
	// Selector chooses the Mappings shown in the portal.
	Selector *DevPortalSelectorSpec `json:"selector,omitempty"`
	// NamingScheme is how services are named in the portal.
	// +kubebuilder:validation:Enum="namespace.name";"name.prefix"
	NamingScheme string `json:"naming_scheme,omitempty"`
	// Search configures the portal's search.
	Search *DevPortalSearchSpec `json:"search,omitempty"`
	// PreserveServers keeps the OpenAPI servers instead of rewriting them.
	PreserveServers *bool `json:"preserve_servers,omitempty"`
}

// DevPortalContentSpec is a git location of portal content.
type DevPortalContentSpec struct {
	// URL is the repository URL.
	URL string `json:"url,omitempty"`
	// Branch is the branch to use.
	Branch string `json:"branch,omitempty"`
	// Dir is the directory inside the repository.
	Dir string `json:"dir,omitempty"`
}

// DevPortalSelectorSpec selects Mappings for the portal.
type DevPortalSelectorSpec struct {
	// MatchNamespaces lists the namespaces included.
	MatchNamespaces []string `json:"matchNamespaces,omitempty"`
	// MatchLabels are labels a Mapping must have.
	MatchLabels map[string]string `json:"matchLabels,omitempty"`
}

// DevPortalDocsSpec is one statically configured API doc.
type DevPortalDocsSpec struct {
	// Service is the documented service.
	Service string `json:"service,omitempty"`
	// URL is where the OpenAPI document is fetched.
	URL string `json:"url,omitempty"`
	// Timeout bounds fetching the document.
	Timeout *Milliseconds `json:"timeout_ms,omitempty"`
}

// DevPortalSearchSpec configures portal search.
type DevPortalSearchSpec struct {
	// Enabled turns search on.
	Enabled *bool `json:"enabled,omitempty"`
	// Type is what is searched.
	// +kubebuilder:validation:Enum=title-only;all-content
	Type string `json:"type,omitempty"`
}

// DevPortal is the getambassador.io/v2 DevPortal.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:categories=ambassador-crds
// +kubebuilder:storageversion
type DevPortal struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec DevPortalSpec `json:"spec,omitempty"`
}

// DevPortalList is a list of DevPortals.
//
// +kubebuilder:object:root=true
type DevPortalList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []DevPortal `json:"items"`
}

func init() { SchemeBuilder.Register(&DevPortal{}, &DevPortalList{}) }
