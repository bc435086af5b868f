package envoy

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	extauthzv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ext_authz/v3"
	matcherv3 "github.com/envoyproxy/go-control-plane/envoy/type/matcher/v3"
	typev3 "github.com/envoyproxy/go-control-plane/envoy/type/v3"

	"github.com/emissary-go/emissary/internal/diag/ir"
)

// extAuthz is the ext_authz filter of an AuthService, over HTTP or gRPC,
// as Emissary configures it.
func extAuthz(a *ir.Auth) *extauthzv3.ExtAuthz {
	out := &extauthzv3.ExtAuthz{
		ClearRouteCache:        true,
		IncludePeerCertificate: true,
		IncludeTlsSession:      true,
		FailureModeAllow:       a.FailureModeAllow,
		TransportApiVersion:    corev3.ApiVersion_V3,
	}
	timeout := millis(a.TimeoutMs)
	if a.Proto == "grpc" {
		out.Services = &extauthzv3.ExtAuthz_GrpcService{GrpcService: &corev3.GrpcService{
			TargetSpecifier: &corev3.GrpcService_EnvoyGrpc_{EnvoyGrpc: &corev3.GrpcService_EnvoyGrpc{ClusterName: a.Cluster}},
			Timeout:         timeout,
		}}
	} else {
		var headersToAdd []*corev3.HeaderValue
		for _, k := range slices.Sorted(maps.Keys(a.AddAuthHeaders)) {
			headersToAdd = append(headersToAdd, &corev3.HeaderValue{Key: k, Value: a.AddAuthHeaders[k]})
		}
		if a.LinkerdDstOverride != "" {
			headersToAdd = append(headersToAdd, &corev3.HeaderValue{Key: "l5d-dst-override", Value: a.LinkerdDstOverride})
		}
		// Envoy takes the URI's scheme and authority from the cluster;
		// Emissary writes the path prefix where the host would be.
		scheme := "http://"
		if a.OriginateTLS {
			scheme = "https://"
		}
		out.Services = &extauthzv3.ExtAuthz_HttpService{HttpService: &extauthzv3.HttpService{
			ServerUri: &corev3.HttpUri{
				Uri:              scheme + strings.TrimPrefix(a.PathPrefix, "/"),
				HttpUpstreamType: &corev3.HttpUri_Cluster{Cluster: a.Cluster},
				Timeout:          timeout,
			},
			PathPrefix:           a.PathPrefix,
			AuthorizationRequest: &extauthzv3.AuthorizationRequest{HeadersToAdd: headersToAdd},
			AuthorizationResponse: &extauthzv3.AuthorizationResponse{
				AllowedUpstreamHeaders: headerPatterns(a.AllowedAuthorizationHeaders),
				AllowedClientHeaders:   headerPatterns(a.AllowedAuthorizationHeaders),
			},
		}}
		// Which request headers the service sees (Emissary sets the
		// deprecated authorization_request.allowed_headers; this is
		// its current place).
		out.AllowedHeaders = headerPatterns(a.AllowedRequestHeaders)
	}
	if b := a.IncludeBody; b != nil {
		out.WithRequestBody = &extauthzv3.BufferSettings{MaxRequestBytes: uint32(b.MaxBytes), AllowPartialMessage: b.AllowPartial}
	}
	if a.StatusOnError > 0 {
		out.StatusOnError = &typev3.HttpStatus{Code: typev3.StatusCode(a.StatusOnError)}
	}
	return out
}

func headerPatterns(names []string) *matcherv3.ListStringMatcher {
	out := &matcherv3.ListStringMatcher{}
	for _, n := range names {
		out.Patterns = append(out.Patterns, &matcherv3.StringMatcher{MatchPattern: &matcherv3.StringMatcher_Exact{Exact: n}, IgnoreCase: true})
	}
	return out
}

// authFailClosed is the Lua script that stands in for a misconfigured
// AuthService: every request but the probes gets a 500 saying so, as in
// Emissary; nothing goes through unauthorized.
func authFailClosed(key string) string {
	return fmt.Sprintf(`function envoy_on_request(request_handle)
  local path = request_handle:headers():get(":path")
  if path == "/ambassador/v0/check_alive" or path == "/ambassador/v0/check_ready" then
    return
  end
  local id = request_handle:headers():get("x-request-id") or ""
  request_handle:respond({[":status"] = "500", ["content-type"] = "application/json"},
    '{"message": "the %s AuthService is misconfigured; see the logs for more information", "request_id": "' .. id .. '", "status_code": 500}')
end
`, key)
}
