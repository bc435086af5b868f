package envoy

import (
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	ratelimitconfv3 "github.com/envoyproxy/go-control-plane/envoy/config/ratelimit/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	ratelimitv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ratelimit/v3"

	"github.com/emissary-go/emissary/internal/diag/ir"
)

// rateLimitFilter asks the RateLimitService, in its domain, about every
// request whose route has descriptors (Emissary's settings: both
// internal and external requests).
func rateLimitFilter(r *ir.RateLimit) *ratelimitv3.RateLimit {
	return &ratelimitv3.RateLimit{
		Domain:                         r.Domain,
		RequestType:                    "both",
		Timeout:                        millis(r.TimeoutMs),
		FailureModeDeny:                r.FailureModeDeny,
		RateLimitedAsResourceExhausted: r.ResourceExhausted,
		RateLimitService: &ratelimitconfv3.RateLimitServiceConfig{
			GrpcService:         &corev3.GrpcService{TargetSpecifier: &corev3.GrpcService_EnvoyGrpc_{EnvoyGrpc: &corev3.GrpcService_EnvoyGrpc{ClusterName: r.Cluster}}},
			TransportApiVersion: corev3.ApiVersion_V3,
		},
	}
}

// routeRateLimits are a route's descriptors: one per label group, its
// entries in order.
func routeRateLimits(groups [][]ir.RateLimitAction) []*routev3.RateLimit {
	if len(groups) == 0 {
		return nil
	}
	out := make([]*routev3.RateLimit, len(groups))
	limits := make([]routev3.RateLimit, len(groups))
	for i, g := range groups {
		rl := &limits[i]
		rl.Actions = make([]*routev3.RateLimit_Action, len(g))
		actions := make([]routev3.RateLimit_Action, len(g))
		for j, a := range g {
			action := &actions[j]
			switch a.Kind {
			case "source_cluster":
				action.ActionSpecifier = &routev3.RateLimit_Action_SourceCluster_{SourceCluster: &routev3.RateLimit_Action_SourceCluster{}}
			case "destination_cluster":
				action.ActionSpecifier = &routev3.RateLimit_Action_DestinationCluster_{DestinationCluster: &routev3.RateLimit_Action_DestinationCluster{}}
			case "remote_address":
				action.ActionSpecifier = remoteAddress
			case "generic_key":
				action.ActionSpecifier = &routev3.RateLimit_Action_GenericKey_{GenericKey: &routev3.RateLimit_Action_GenericKey{DescriptorKey: a.Key, DescriptorValue: a.Value}}
			case "request_headers":
				action.ActionSpecifier = &routev3.RateLimit_Action_RequestHeaders_{RequestHeaders: &routev3.RateLimit_Action_RequestHeaders{
					DescriptorKey: a.Key, HeaderName: a.Header, SkipIfAbsent: a.SkipIfAbsent,
				}}
			}
			rl.Actions[j] = action
		}
		out[i] = rl
	}
	return out
}

// remoteAddress is the remote_address action, the same on every route
// that has one (messages are not modified once built).
var remoteAddress = &routev3.RateLimit_Action_RemoteAddress_{RemoteAddress: &routev3.RateLimit_Action_RemoteAddress{}}
