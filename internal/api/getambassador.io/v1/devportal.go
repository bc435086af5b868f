package v1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v2 "github.com/emissary-go/emissary/internal/api/getambassador.io/v2"
)

// DevPortal is the getambassador.io/v1 DevPortal; its schema is v2's.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:categories=ambassador-crds
type DevPortal struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec v2.DevPortalSpec `json:"spec,omitempty"`
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
