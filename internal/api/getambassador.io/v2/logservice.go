package v2

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// LogServiceSpec configures a remote access-log service.
//
// +kubebuilder:pruning:PreserveUnknownFields
type LogServiceSpec struct {
	// AmbassadorID selects the Emissary instances that use this resource.
	// Not in Emissary's v2 schema (a string-or-list union); ours is a
	// preserve-unknown property.
	AmbassadorID *AmbassadorID `json:"ambassador_id,omitempty"`

	// Service is the log service's address.
	Service string `json:"service,omitempty"`
	// V3ProtocolVersion is the Envoy ALS transport version.
	// +kubebuilder:validation:Enum=v2;v3
	V3ProtocolVersion string `json:"v3ProtocolVersion,omitempty"`
	// Driver selects the log format.
	// +kubebuilder:validation:Enum=tcp;http
	Driver string `json:"driver,omitempty"`
	// DriverConfig tunes the driver.
	DriverConfig *DriverConfig `json:"driver_config,omitempty"`
	// FlushIntervalTime is how often buffered entries are sent (seconds).
	FlushIntervalTime *Seconds `json:"flush_interval_time,omitempty"`
	// FlushIntervalByteSize sends once this many bytes are buffered.
	FlushIntervalByteSize *int `json:"flush_interval_byte_size,omitempty"`
	// GRPC marks the log service as gRPC.
	GRPC *bool `json:"grpc,omitempty"`

	// V3StatsName names the log cluster in Envoy stats.
	V3StatsName string `json:"v3StatsName,omitempty"`
}

// DriverConfig tunes a LogService driver.
type DriverConfig struct {
	// AdditionalLogHeaders are headers added to each log entry.
	AdditionalLogHeaders []AdditionalLogHeaders `json:"additional_log_headers,omitempty"`
}

// AdditionalLogHeaders names a header to log and when.
type AdditionalLogHeaders struct {
	// HeaderName is the header to log.
	HeaderName string `json:"header_name,omitempty"`
	// DuringRequest logs it from the request.
	DuringRequest *bool `json:"during_request,omitempty"`
	// DuringResponse logs it from the response.
	DuringResponse *bool `json:"during_response,omitempty"`
	// DuringTrailer logs it from the trailers.
	DuringTrailer *bool `json:"during_trailer,omitempty"`
}

// LogService is the getambassador.io/v2 LogService.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:categories=ambassador-crds
// +kubebuilder:storageversion
type LogService struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec LogServiceSpec `json:"spec,omitempty"`
}

// LogServiceList is a list of LogServices.
//
// +kubebuilder:object:root=true
type LogServiceList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []LogService `json:"items"`
}

func init() { SchemeBuilder.Register(&LogService{}, &LogServiceList{}) }
