package convert

// The conversion of each kind between v2 (and v1, whose schema is v2's)
// and v3alpha1. Fields not named here have the same name and meaning in
// both versions.

var common = Rules{AmbassadorID()}

func withCommon(rs ...Rule) Rules { return append(append(Rules{}, common...), rs...) }

var (
	AuthService = withCommon(
		TLSOrigination("auth_service", true),
		Rename("v3StatsName", "stats_name"),
		Rename("v3CircuitBreakers", "circuit_breakers"),
	)
	ConsulResolver             = withCommon()
	DevPortal                  = withCommon()
	KubernetesEndpointResolver = withCommon()
	KubernetesServiceResolver  = withCommon()
	Module                     = withCommon()
	Host                       = Rules{
		hostDeprecatedAmbassadorID(),
		AmbassadorID(),
		hostSelector(),
		Rename("tls.v3CRLSecret", "tls.crl_secret"),
	}
	LogService = withCommon(
		Rename("v3StatsName", "stats_name"),
		Rename("v3ProtocolVersion", "protocol_version"),
	)
	Mapping = withCommon(
		mappingHost(),
		TLSOrigination("service", true),
		boolMatches("headers", "regex_headers", "v2BoolHeaders"),
		boolMatches("query_parameters", "regex_query_parameters", "v2BoolQueryParameters"),
		addedHeaders("add_request_headers"),
		addedHeaders("add_response_headers"),
		StringToList("remove_request_headers"),
		StringToList("remove_response_headers"),
		corsOrigins(),
		StringToList("cors.methods"),
		StringToList("cors.headers"),
		StringToList("cors.exposed_headers"),
		mappingLabels(),
		Rename("v3StatsName", "stats_name"),
		Rename("v3health_checks", "health_checks"),
	)
	RateLimitService = withCommon(
		TLSOrigination("service", true),
		Rename("v3StatsName", "stats_name"),
		Rename("v3GRPC", "grpc"),
	)
	TCPMapping = withCommon(
		TLSOrigination("service", false),
		Rename("v3StatsName", "stats_name"),
	)
	TLSContext     = withCommon(Rename("v3CRLSecret", "crl_secret"))
	TracingService = withCommon(
		tracingTagHeaders(),
		Rename("v3StatsName", "stats_name"),
		Rename("v3CustomTags", "custom_tags"),
		Rename("config.v3PropagationModes", "config.propagation_modes"),
	)
)
