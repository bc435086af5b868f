package v3alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// LogServiceDriver is the kind of access log sent to the log service.
//
// +kubebuilder:validation:Enum=tcp;http
type LogServiceDriver string

// Log service drivers.
const (
	LogServiceDriverTCP  LogServiceDriver = "tcp"
	LogServiceDriverHTTP LogServiceDriver = "http"
)

// AdditionalLogHeader adds a header to the logged entries.
type AdditionalLogHeader struct {
	// HeaderName is the header to log.
	HeaderName string `json:"header_name,omitempty"`
	// DuringRequest logs it from the request.
	DuringRequest *bool `json:"during_request,omitempty"`
	// DuringResponse logs it from the response.
	DuringResponse *bool `json:"during_response,omitempty"`
	// DuringTrailer logs it from the response trailers.
	DuringTrailer *bool `json:"during_trailer,omitempty"`
}

// DriverConfig is driver-specific log settings.
type DriverConfig struct {
	// AdditionalLogHeaders are extra headers to log (http driver).
	AdditionalLogHeaders []AdditionalLogHeader `json:"additional_log_headers,omitempty"`
}

// LogServiceSpec configures gRPC access logging to an external service.
type LogServiceSpec struct {
	// AmbassadorID selects the Emissary instances that use this service.
	AmbassadorID AmbassadorID `json:"ambassador_id,omitempty"`
	// Service is the log service address.
	Service string `json:"service,omitempty"`
	// ProtocolVersion is the Envoy API transport version.
	ProtocolVersion ProtocolVersion `json:"protocol_version,omitempty"`
	// Driver is the kind of access log.
	Driver LogServiceDriver `json:"driver,omitempty"`
	// DriverConfig holds driver-specific settings.
	DriverConfig *DriverConfig `json:"driver_config,omitempty"`
	// FlushIntervalTime is the longest time entries are buffered.
	FlushIntervalTime *Seconds `json:"flush_interval_time,omitempty"`
	// FlushIntervalByteSize is the buffer size that triggers a flush.
	FlushIntervalByteSize *int `json:"flush_interval_byte_size,omitempty"`
	// GRPC is accepted for compatibility; the transport is always gRPC.
	GRPC *bool `json:"grpc,omitempty"`
	// StatsName overrides the name used for stats.
	StatsName string `json:"stats_name,omitempty"`
}

// LogService sends Envoy access logs to an external service.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:categories=ambassador-crds
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
