package v3alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// DevPortalContentSpec points at the git repository with portal content.
type DevPortalContentSpec struct {
	// URL is the repository URL.
	URL string `json:"url,omitempty"`
	// Branch is the branch to use.
	Branch string `json:"branch,omitempty"`
	// Dir is the directory within the repository.
	Dir string `json:"dir,omitempty"`
}

// DevPortalSelectorSpec picks the Mappings shown in the portal.
type DevPortalSelectorSpec struct {
	// MatchNamespaces limits Mappings to these namespaces.
	MatchNamespaces []string `json:"matchNamespaces,omitempty"`
	// MatchLabels requires Mappings to carry all these labels.
	MatchLabels map[string]string `json:"matchLabels,omitempty"`
}

// DevPortalDocsSpec is a statically listed service and its docs URL.
type DevPortalDocsSpec struct {
	// Service is the documented service.
	Service string `json:"service,omitempty"`
	// URL is where to fetch its docs.
	URL string `json:"url,omitempty"`
	// Timeout bounds fetching the docs.
	Timeout *Milliseconds `json:"timeout_ms,omitempty"`
}

// DevPortalSearchType is what the portal search covers.
//
// +kubebuilder:validation:Enum=title-only;all-content
type DevPortalSearchType string

// Search scopes.
const (
	DevPortalSearchTitleOnly  DevPortalSearchType = "title-only"
	DevPortalSearchAllContent DevPortalSearchType = "all-content"
)

// DevPortalSearchSpec configures portal search.
type DevPortalSearchSpec struct {
	// Enabled turns search on.
	Enabled *bool `json:"enabled,omitempty"`
	// Type is the search scope (default title-only).
	Type DevPortalSearchType `json:"type,omitempty"`
}

// DevPortalNamingScheme is how services are named in the portal.
//
// +kubebuilder:validation:Enum=namespace.name;name.prefix
type DevPortalNamingScheme string

// Naming schemes.
const (
	DevPortalNamingNamespaceName DevPortalNamingScheme = "namespace.name"
	DevPortalNamingNamePrefix    DevPortalNamingScheme = "name.prefix"
)

// DevPortalSpec configures what a DevPortal shows and how.
type DevPortalSpec struct {
	// AmbassadorID selects the Emissary instances that use this portal.
	AmbassadorID AmbassadorID `json:"ambassador_id,omitempty"`
	// Default marks the default DevPortal.
	Default *bool `json:"default,omitempty"`
	// Content is where the portal content comes from.
	Content *DevPortalContentSpec `json:"content,omitempty"`
	// Docs is a static list of documented services.
	Docs []DevPortalDocsSpec `json:"docs,omitempty"`
	// Selector picks the Mappings shown.
	Selector *DevPortalSelectorSpec `json:"selector,omitempty"`
	// NamingScheme is how services are named (default namespace.name).
	NamingScheme DevPortalNamingScheme `json:"naming_scheme,omitempty"`
	// Search configures search.
	Search *DevPortalSearchSpec `json:"search,omitempty"`
	// PreserveServers keeps the servers listed in OpenAPI docs instead of
	// rewriting them to the portal's URL.
	PreserveServers *bool `json:"preserve_servers,omitempty"`
}

// DevPortal configures the developer portal.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:categories=ambassador-crds
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
