package v2

import (
	"sigs.k8s.io/controller-runtime/pkg/conversion"

	"github.com/emissary-go/emissary/internal/api/getambassador.io/convert"
	"github.com/emissary-go/emissary/internal/api/getambassador.io/v3alpha1"
)

// Every v2 kind converts to and from its v3alpha1 hub with the rules in
// package convert.

var hubAPIVersion = v3alpha1.GroupVersion.String()

// ConvertTo converts this AuthService to the hub version.
func (src *AuthService) ConvertTo(dst conversion.Hub) error {
	return convert.ToHub(src, dst.(*v3alpha1.AuthService), hubAPIVersion, convert.AuthService)
}

// ConvertFrom converts from the hub version to this AuthService.
func (dst *AuthService) ConvertFrom(src conversion.Hub) error {
	return convert.FromHub(src.(*v3alpha1.AuthService), dst, GroupVersion.String(), convert.AuthService)
}

// ConvertTo converts this ConsulResolver to the hub version.
func (src *ConsulResolver) ConvertTo(dst conversion.Hub) error {
	return convert.ToHub(src, dst.(*v3alpha1.ConsulResolver), hubAPIVersion, convert.ConsulResolver)
}

// ConvertFrom converts from the hub version to this ConsulResolver.
func (dst *ConsulResolver) ConvertFrom(src conversion.Hub) error {
	return convert.FromHub(src.(*v3alpha1.ConsulResolver), dst, GroupVersion.String(), convert.ConsulResolver)
}

// ConvertTo converts this DevPortal to the hub version.
func (src *DevPortal) ConvertTo(dst conversion.Hub) error {
	return convert.ToHub(src, dst.(*v3alpha1.DevPortal), hubAPIVersion, convert.DevPortal)
}

// ConvertFrom converts from the hub version to this DevPortal.
func (dst *DevPortal) ConvertFrom(src conversion.Hub) error {
	return convert.FromHub(src.(*v3alpha1.DevPortal), dst, GroupVersion.String(), convert.DevPortal)
}

// ConvertTo converts this Host to the hub version.
func (src *Host) ConvertTo(dst conversion.Hub) error {
	return convert.ToHub(src, dst.(*v3alpha1.Host), hubAPIVersion, convert.Host)
}

// ConvertFrom converts from the hub version to this Host.
func (dst *Host) ConvertFrom(src conversion.Hub) error {
	return convert.FromHub(src.(*v3alpha1.Host), dst, GroupVersion.String(), convert.Host)
}

// ConvertTo converts this KubernetesEndpointResolver to the hub version.
func (src *KubernetesEndpointResolver) ConvertTo(dst conversion.Hub) error {
	return convert.ToHub(src, dst.(*v3alpha1.KubernetesEndpointResolver), hubAPIVersion, convert.KubernetesEndpointResolver)
}

// ConvertFrom converts from the hub version to this KubernetesEndpointResolver.
func (dst *KubernetesEndpointResolver) ConvertFrom(src conversion.Hub) error {
	return convert.FromHub(src.(*v3alpha1.KubernetesEndpointResolver), dst, GroupVersion.String(), convert.KubernetesEndpointResolver)
}

// ConvertTo converts this KubernetesServiceResolver to the hub version.
func (src *KubernetesServiceResolver) ConvertTo(dst conversion.Hub) error {
	return convert.ToHub(src, dst.(*v3alpha1.KubernetesServiceResolver), hubAPIVersion, convert.KubernetesServiceResolver)
}

// ConvertFrom converts from the hub version to this KubernetesServiceResolver.
func (dst *KubernetesServiceResolver) ConvertFrom(src conversion.Hub) error {
	return convert.FromHub(src.(*v3alpha1.KubernetesServiceResolver), dst, GroupVersion.String(), convert.KubernetesServiceResolver)
}

// ConvertTo converts this LogService to the hub version.
func (src *LogService) ConvertTo(dst conversion.Hub) error {
	return convert.ToHub(src, dst.(*v3alpha1.LogService), hubAPIVersion, convert.LogService)
}

// ConvertFrom converts from the hub version to this LogService.
func (dst *LogService) ConvertFrom(src conversion.Hub) error {
	return convert.FromHub(src.(*v3alpha1.LogService), dst, GroupVersion.String(), convert.LogService)
}

// ConvertTo converts this Mapping to the hub version.
func (src *Mapping) ConvertTo(dst conversion.Hub) error {
	return convert.ToHub(src, dst.(*v3alpha1.Mapping), hubAPIVersion, convert.Mapping)
}

// ConvertFrom converts from the hub version to this Mapping.
func (dst *Mapping) ConvertFrom(src conversion.Hub) error {
	return convert.FromHub(src.(*v3alpha1.Mapping), dst, GroupVersion.String(), convert.Mapping)
}

// ConvertTo converts this Module to the hub version.
func (src *Module) ConvertTo(dst conversion.Hub) error {
	return convert.ToHub(src, dst.(*v3alpha1.Module), hubAPIVersion, convert.Module)
}

// ConvertFrom converts from the hub version to this Module.
func (dst *Module) ConvertFrom(src conversion.Hub) error {
	return convert.FromHub(src.(*v3alpha1.Module), dst, GroupVersion.String(), convert.Module)
}

// ConvertTo converts this RateLimitService to the hub version.
func (src *RateLimitService) ConvertTo(dst conversion.Hub) error {
	return convert.ToHub(src, dst.(*v3alpha1.RateLimitService), hubAPIVersion, convert.RateLimitService)
}

// ConvertFrom converts from the hub version to this RateLimitService.
func (dst *RateLimitService) ConvertFrom(src conversion.Hub) error {
	return convert.FromHub(src.(*v3alpha1.RateLimitService), dst, GroupVersion.String(), convert.RateLimitService)
}

// ConvertTo converts this TCPMapping to the hub version.
func (src *TCPMapping) ConvertTo(dst conversion.Hub) error {
	return convert.ToHub(src, dst.(*v3alpha1.TCPMapping), hubAPIVersion, convert.TCPMapping)
}

// ConvertFrom converts from the hub version to this TCPMapping.
func (dst *TCPMapping) ConvertFrom(src conversion.Hub) error {
	return convert.FromHub(src.(*v3alpha1.TCPMapping), dst, GroupVersion.String(), convert.TCPMapping)
}

// ConvertTo converts this TLSContext to the hub version.
func (src *TLSContext) ConvertTo(dst conversion.Hub) error {
	return convert.ToHub(src, dst.(*v3alpha1.TLSContext), hubAPIVersion, convert.TLSContext)
}

// ConvertFrom converts from the hub version to this TLSContext.
func (dst *TLSContext) ConvertFrom(src conversion.Hub) error {
	return convert.FromHub(src.(*v3alpha1.TLSContext), dst, GroupVersion.String(), convert.TLSContext)
}

// ConvertTo converts this TracingService to the hub version.
func (src *TracingService) ConvertTo(dst conversion.Hub) error {
	return convert.ToHub(src, dst.(*v3alpha1.TracingService), hubAPIVersion, convert.TracingService)
}

// ConvertFrom converts from the hub version to this TracingService.
func (dst *TracingService) ConvertFrom(src conversion.Hub) error {
	return convert.FromHub(src.(*v3alpha1.TracingService), dst, GroupVersion.String(), convert.TracingService)
}
