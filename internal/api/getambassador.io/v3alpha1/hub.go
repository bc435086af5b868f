package v3alpha1

// v3alpha1 is the hub of conversions: every other version converts to and
// from it (sigs.k8s.io/controller-runtime/pkg/conversion).

// Hub marks AuthService as the conversion hub.
func (*AuthService) Hub() {}

// Hub marks ConsulResolver as the conversion hub.
func (*ConsulResolver) Hub() {}

// Hub marks DevPortal as the conversion hub.
func (*DevPortal) Hub() {}

// Hub marks Host as the conversion hub.
func (*Host) Hub() {}

// Hub marks KubernetesEndpointResolver as the conversion hub.
func (*KubernetesEndpointResolver) Hub() {}

// Hub marks KubernetesServiceResolver as the conversion hub.
func (*KubernetesServiceResolver) Hub() {}

// Hub marks Listener as the conversion hub.
func (*Listener) Hub() {}

// Hub marks LogService as the conversion hub.
func (*LogService) Hub() {}

// Hub marks Mapping as the conversion hub.
func (*Mapping) Hub() {}

// Hub marks Module as the conversion hub.
func (*Module) Hub() {}

// Hub marks RateLimitService as the conversion hub.
func (*RateLimitService) Hub() {}

// Hub marks TCPMapping as the conversion hub.
func (*TCPMapping) Hub() {}

// Hub marks TLSContext as the conversion hub.
func (*TLSContext) Hub() {}

// Hub marks TracingService as the conversion hub.
func (*TracingService) Hub() {}
