package ir

import (
	"cmp"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/emissary-go/emissary/internal/api/getambassador.io/v3alpha1"
	"github.com/emissary-go/emissary/internal/re2size"
)

// Match is one header or query parameter condition of a route.
type Match struct {
	Name string `json:"name"`
	// Value is the exact value or the regex; empty with Present set means
	// "present, any value".
	Value   string `json:"value,omitempty"`
	Regex   bool   `json:"regex,omitempty"`
	Present bool   `json:"present,omitempty"`
}

// AddedHeader is a header a route adds to requests or responses.
type AddedHeader struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Append bool   `json:"append"`
}

// Rewrite is a regex substitution (regex_rewrite, regex_redirect).
type Rewrite struct {
	Pattern      string `json:"pattern"`
	Substitution string `json:"substitution"`
}

// Mapping is one Mapping, normalized: its match conditions in the order
// Emissary emits them, its destination, and its route settings.
type Mapping struct {
	// seq is the Mapping's place among those read, which its cluster
	// candidate is found by.
	seq int

	Key       string `json:"key"`
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
	// Internal marks the built-in routes to diagd.
	Internal bool `json:"internal,omitempty"`

	Prefix        string  `json:"prefix"`
	PrefixRegex   bool    `json:"prefix_regex,omitempty"`
	PrefixExact   bool    `json:"prefix_exact,omitempty"`
	CaseSensitive *bool   `json:"case_sensitive,omitempty"`
	Headers       []Match `json:"headers,omitempty"`
	Query         []Match `json:"query_parameters,omitempty"`
	// Hostname is the glob this Mapping's routes answer for ("*": all),
	// used to place it under Hosts.
	Hostname string `json:"hostname,omitempty"`
	// HostRegex is a host regex (v2 host_regex) matched on :authority.
	HostRegex string            `json:"host_regex,omitempty"`
	Labels    map[string]string `json:"metadata_labels,omitempty"`

	Service  string `json:"service"`
	Resolver string `json:"resolver"`
	// TLS names the TLSContext used to originate TLS, if any.
	TLS string `json:"tls,omitempty"`

	Rewrite         *string  `json:"rewrite,omitempty"`
	RegexRewrite    *Rewrite `json:"regex_rewrite,omitempty"`
	HostRewrite     string   `json:"host_rewrite,omitempty"`
	AutoHostRewrite *bool    `json:"auto_host_rewrite,omitempty"`

	TimeoutMs   int          `json:"timeout_ms"`
	RetryPolicy *RetryPolicy `json:"retry_policy,omitempty"`
	// CircuitBreakers are the limits on this Mapping's cluster.
	CircuitBreakers []CircuitBreaker `json:"circuit_breakers,omitempty"`
	// LoadBalancer is how the cluster spreads requests.
	LoadBalancer *LoadBalancer `json:"load_balancer,omitempty"`
	// CORS is the route's CORS policy.
	CORS *CORS `json:"cors,omitempty"`
	// BypassAuth skips the AuthService; AuthContextExtensions go to it.
	BypassAuth            bool              `json:"bypass_auth,omitempty"`
	AuthContextExtensions map[string]string `json:"auth_context_extensions,omitempty"`
	IdleTimeoutMs         int               `json:"idle_timeout_ms,omitempty"`
	AllowUpgrade          []string          `json:"allow_upgrade,omitempty"`
	Priority              string            `json:"priority,omitempty"`

	AddRequestHeaders     []AddedHeader `json:"add_request_headers,omitempty"`
	AddResponseHeaders    []AddedHeader `json:"add_response_headers,omitempty"`
	RemoveRequestHeaders  []string      `json:"remove_request_headers,omitempty"`
	RemoveResponseHeaders []string      `json:"remove_response_headers,omitempty"`

	HostRedirect         bool     `json:"host_redirect,omitempty"`
	PathRedirect         string   `json:"path_redirect,omitempty"`
	PrefixRedirect       string   `json:"prefix_redirect,omitempty"`
	RegexRedirect        *Rewrite `json:"regex_redirect,omitempty"`
	RedirectResponseCode int      `json:"redirect_response_code,omitempty"`

	Shadow     bool `json:"shadow,omitempty"`
	Weight     *int `json:"weight,omitempty"`
	Precedence int  `json:"precedence,omitempty"`

	// Cluster settings (they shape the cluster the Mapping creates).
	ClusterTag           string     `json:"cluster_tag,omitempty"`
	StatsName            string     `json:"stats_name,omitempty"`
	GRPC                 bool       `json:"grpc,omitempty"`
	DNSType              string     `json:"dns_type,omitempty"`
	RespectDNSTTL        bool       `json:"respect_dns_ttl,omitempty"`
	EnableIPv4           bool       `json:"enable_ipv4"`
	EnableIPv6           bool       `json:"enable_ipv6"`
	ConnectTimeoutMs     int        `json:"connect_timeout_ms"`
	ClusterIdleTimeoutMs int        `json:"cluster_idle_timeout_ms,omitempty"`
	ClusterMaxLifetimeMs int        `json:"cluster_max_connection_lifetime_ms,omitempty"`
	KeepAlive            *KeepAlive `json:"keepalive,omitempty"`
	// HealthChecks run against the endpoints of the Mapping's cluster.
	HealthChecks []HealthCheck `json:"health_checks,omitempty"`
	// ErrorResponses replace the Module's; BypassErrorResponses turns
	// both off for this Mapping.
	ErrorResponses       []ErrorResponse `json:"error_response_overrides,omitempty"`
	BypassErrorResponses bool            `json:"bypass_error_response_overrides,omitempty"`

	// Labels for rate limiting are kept for the rate-limit filter.
	RateLimitLabels v3alpha1.DomainMap `json:"labels,omitempty"`
	// RateLimits are the route's descriptors for the rate limit
	// service: its labels in the service's domain.
	RateLimits [][]RateLimitAction `json:"rate_limits,omitempty"`

	// Set while grouping.
	GroupID     string      `json:"group_id"`
	RouteWeight RouteWeight `json:"route_weight"`
	// Cumulative is the canary threshold: this route takes requests whose
	// random draw (0-99) falls below it and above the previous route's.
	Cumulative int `json:"_weight"`
	// Cluster is the name of the cluster the route sends to.
	Cluster string `json:"cluster,omitempty"`
}

// newMapping normalizes a Mapping resource. It returns nil, with errors
// recorded under key, when the Mapping cannot be used.
func newMapping(m *v3alpha1.Mapping, s Settings, opts Options, d *Diagnostics) *Mapping {
	key := Key("Mapping", m.Name, m.Namespace)
	spec := &m.Spec
	out := &Mapping{
		Key: key, Name: m.Name, Namespace: m.Namespace,
		Prefix:                spec.Prefix,
		PrefixRegex:           isTrue(spec.PrefixRegex),
		PrefixExact:           isTrue(spec.PrefixExact),
		CaseSensitive:         spec.CaseSensitive,
		Labels:                m.Labels,
		Resolver:              firstNonEmpty(spec.Resolver, s.Resolver),
		TLS:                   spec.TLS,
		Rewrite:               spec.Rewrite,
		HostRewrite:           spec.HostRewrite,
		AutoHostRewrite:       spec.AutoHostRewrite,
		TimeoutMs:             msOr(spec.Timeout, s.ClusterRequestTimeoutMs),
		IdleTimeoutMs:         msOr(spec.IdleTimeout, 0),
		AllowUpgrade:          slices.Clone(spec.AllowUpgrade),
		Priority:              spec.Priority,
		RemoveRequestHeaders:  slices.Clone(spec.RemoveRequestHeaders),
		RemoveResponseHeaders: slices.Clone(spec.RemoveResponseHeaders),
		HostRedirect:          isTrue(spec.HostRedirect),
		PathRedirect:          spec.PathRedirect,
		PrefixRedirect:        spec.PrefixRedirect,
		Shadow:                isTrue(spec.Shadow),
		Weight:                spec.Weight,
		ClusterTag:            spec.ClusterTag,
		StatsName:             spec.StatsName,
		GRPC:                  isTrue(spec.GRPC),
		DNSType:               spec.DNSType,
		RespectDNSTTL:         isTrue(spec.RespectDNSTTL),
		EnableIPv4:            boolOr(spec.EnableIPv4, s.EnableIPv4),
		EnableIPv6:            boolOr(spec.EnableIPv6, s.EnableIPv6),
		ConnectTimeoutMs:      msOr(spec.ConnectTimeout, 3000),
		RetryPolicy:           cmp.Or(retryPolicy(spec.RetryPolicy, key, d), s.RetryPolicy),
		CORS:                  cmp.Or(corsFrom(spec.CORS), s.CORS),
		BypassAuth:            isTrue(spec.BypassAuth),
		AuthContextExtensions: spec.AuthContextExtensions,
		ClusterIdleTimeoutMs:  msOr(spec.ClusterIdleTimeout, s.ClusterIdleTimeoutMs),
		ClusterMaxLifetimeMs:  msOr(spec.ClusterMaxConnectionLifetime, s.ClusterMaxConnectionLifetimeMs),
		RateLimitLabels:       spec.Labels,
		KeepAlive:             s.KeepAlive,
	}
	if spec.KeepAlive != nil {
		out.KeepAlive = keepAliveFrom(spec.KeepAlive, key, d)
	}
	if spec.Precedence != nil {
		out.Precedence = *spec.Precedence
	}
	if spec.RedirectResponseCode != nil {
		out.RedirectResponseCode = *spec.RedirectResponseCode
	}
	if isTrue(spec.UseWebsocket) && !slices.Contains(out.AllowUpgrade, "websocket") {
		out.AllowUpgrade = append(out.AllowUpgrade, "websocket")
	}
	if spec.RegexRewrite != nil && (spec.RegexRewrite.Pattern != "" || spec.RegexRewrite.Substitution != "") {
		out.RegexRewrite = &Rewrite{Pattern: spec.RegexRewrite.Pattern, Substitution: spec.RegexRewrite.Substitution}
		if out.Rewrite != nil && *out.Rewrite != "" && *out.Rewrite != "/" {
			d.Notice(key, "Cannot specify both rewrite and regex_rewrite: using regex_rewrite and ignoring rewrite")
		}
		empty := ""
		out.Rewrite = &empty
	}
	if spec.RegexRedirect != nil {
		out.RegexRedirect = &Rewrite{Pattern: spec.RegexRedirect.Pattern, Substitution: spec.RegexRedirect.Substitution}
	}
	out.AddRequestHeaders = addedHeaders(spec.AddRequestHeaders)
	out.AddResponseHeaders = addedHeaders(spec.AddResponseHeaders)
	// The Module's defaults fill in what the Mapping leaves out.
	def := s.MappingDefaults
	if spec.AddRequestHeaders == nil {
		out.AddRequestHeaders = def.AddRequestHeaders
	}
	if spec.AddResponseHeaders == nil {
		out.AddResponseHeaders = def.AddResponseHeaders
	}
	if spec.RemoveRequestHeaders == nil {
		out.RemoveRequestHeaders = def.RemoveRequestHeaders
	}
	if spec.RemoveResponseHeaders == nil {
		out.RemoveResponseHeaders = def.RemoveResponseHeaders
	}
	if out.StatsName == "" {
		out.StatsName = def.StatsName
	}

	ok := true
	fail := func(format string, args ...any) {
		d.Error(key, format, args...)
		ok = false
	}
	// Headers Envoy would refuse would fail the whole configuration.
	checkAdded := func(field string, list []AddedHeader) {
		for _, h := range list {
			if err := checkHeader(h.Name, h.Value); err != "" {
				fail("%s: %s", field, err)
			}
		}
	}
	checkRemoved := func(field string, list []string) {
		for _, name := range list {
			if err := checkHeader(name, ""); err != "" {
				fail("%s: %s", field, err)
			}
		}
	}
	checkAdded("add_request_headers", out.AddRequestHeaders)
	checkAdded("add_response_headers", out.AddResponseHeaders)
	checkRemoved("remove_request_headers", out.RemoveRequestHeaders)
	checkRemoved("remove_response_headers", out.RemoveResponseHeaders)

	// Envoy refuses a cluster without a connect timeout, and any duration
	// past its bound: either would sink the whole configuration.
	for _, f := range []struct {
		name string
		v    *v3alpha1.Milliseconds
		min  int
	}{
		{"timeout_ms", spec.Timeout, 0},
		{"idle_timeout_ms", spec.IdleTimeout, 0},
		{"connect_timeout_ms", spec.ConnectTimeout, 1},
		{"cluster_idle_timeout_ms", spec.ClusterIdleTimeout, 0},
		{"cluster_max_connection_lifetime_ms", spec.ClusterMaxConnectionLifetime, 0},
	} {
		if f.v != nil {
			if problem := millisProblem(f.name, int(*f.v), f.min); problem != "" {
				fail("%s", problem)
			}
		}
	}
	if p := strings.ToLower(out.Priority); p != "" && p != "default" && p != "high" {
		d.Error(key, "priority %q is not default or high: ignored", out.Priority)
		out.Priority = ""
	}
	if spec.OutlierDetection != "" {
		fail("outlier_detection is not supported")
	}
	out.HealthChecks = healthChecks(spec.HealthChecks, key, d)
	out.ErrorResponses = errorResponses(spec.ErrorResponseOverrides, key, opts.FileExists, d)
	out.BypassErrorResponses = isTrue(spec.BypassErrorResponseOverrides)
	if out.Prefix == "" {
		fail("prefix is required")
	}
	if out.Service == "" && spec.Service == "" {
		fail("service is required")
	}
	regexes := map[string]string{}
	if out.PrefixRegex {
		regexes["prefix"] = out.Prefix
	}

	// Conditions, in Emissary's order: headers, regex headers, the host
	// (:authority), the method.
	hostHeader := ""
	for _, name := range sortedKeys(spec.Headers) {
		v := spec.Headers[name]
		if strings.EqualFold(name, ":authority") {
			hostHeader = v
			continue
		}
		out.Headers = append(out.Headers, Match{Name: name, Value: v})
	}
	for _, name := range spec.V2BoolHeaders {
		// v2's `header: true` arrives as a ".*" regex; it means presence.
		if spec.RegexHeaders[name] == ".*" {
			out.Headers = append(out.Headers, Match{Name: name, Present: true})
		}
	}
	for _, name := range sortedKeys(spec.RegexHeaders) {
		if slices.Contains(spec.V2BoolHeaders, name) && spec.RegexHeaders[name] == ".*" {
			continue
		}
		out.Headers = append(out.Headers, Match{Name: name, Value: spec.RegexHeaders[name], Regex: true})
		regexes["regex_headers."+name] = spec.RegexHeaders[name]
	}
	switch {
	case spec.Hostname != "":
		out.Hostname = spec.Hostname
		if spec.Host != "" {
			d.Notice(key, "both hostname and host are set: using hostname %q", spec.Hostname)
		}
	case spec.Host != "" && isTrue(spec.HostRegex):
		out.HostRegex = spec.Host
		regexes["host"] = spec.Host
	case spec.Host != "":
		if strings.Contains(spec.Host, "*") {
			fail("host exact-match %s contains *, which cannot match anything", spec.Host)
		}
		out.Hostname = spec.Host
	case hostHeader != "":
		if strings.Contains(hostHeader, "*") {
			fail(":authority exact-match '%s' contains *, which cannot match anything", hostHeader)
		}
		out.Hostname = hostHeader
	}
	if out.Hostname != "" {
		out.Headers = append(out.Headers, Match{Name: ":authority", Value: out.Hostname})
	}
	if out.HostRegex != "" {
		out.Headers = append(out.Headers, Match{Name: ":authority", Value: out.HostRegex, Regex: true})
	}
	if spec.Method != "" {
		out.Headers = append(out.Headers, Match{Name: ":method", Value: spec.Method, Regex: isTrue(spec.MethodRegex)})
		if isTrue(spec.MethodRegex) {
			regexes["method"] = spec.Method
		}
	}
	for _, name := range sortedKeys(spec.QueryParameters) {
		out.Query = append(out.Query, Match{Name: name, Value: spec.QueryParameters[name]})
	}
	for _, name := range spec.V2BoolQueryParameters {
		if spec.RegexQueryParameters[name] == ".*" {
			out.Query = append(out.Query, Match{Name: name, Present: true})
		}
	}
	for _, name := range sortedKeys(spec.RegexQueryParameters) {
		if slices.Contains(spec.V2BoolQueryParameters, name) && spec.RegexQueryParameters[name] == ".*" {
			continue
		}
		out.Query = append(out.Query, Match{Name: name, Value: spec.RegexQueryParameters[name], Regex: true})
		regexes["regex_query_parameters."+name] = spec.RegexQueryParameters[name]
	}
	if out.RegexRewrite != nil {
		regexes["regex_rewrite.pattern"] = out.RegexRewrite.Pattern
	}
	if out.RegexRedirect != nil {
		regexes["regex_redirect.pattern"] = out.RegexRedirect.Pattern
	}
	for _, field := range sortedKeys(regexes) {
		if err := checkRegex(regexes[field], s.RegexMaxSize); err != nil {
			fail("%s: invalid regex %q: %v", field, regexes[field], err)
		}
	}

	// Redirects: path_redirect > prefix_redirect > regex_redirect.
	if out.PathRedirect != "" && out.PrefixRedirect != "" {
		d.Error(key, "Cannot specify both path_redirect and prefix_redirect. Using path_redirect and ignoring prefix_redirect.")
		out.PrefixRedirect = ""
	}
	if (out.PathRedirect != "" || out.PrefixRedirect != "") && out.RegexRedirect != nil {
		winner := "path_redirect"
		if out.PathRedirect == "" {
			winner = "prefix_redirect"
		}
		d.Error(key, "Cannot specify both %s and regex_redirect. Using %s and ignoring regex_redirect.", winner, winner)
		out.RegexRedirect = nil
	}
	if out.Shadow && out.HostRedirect {
		d.Error(key, "At most one of host_redirect and shadow may be set; ignoring host_redirect")
		out.HostRedirect, out.PathRedirect, out.PrefixRedirect, out.RegexRedirect = false, "", "", nil
	}
	if out.Weight != nil && (*out.Weight < 0 || *out.Weight > 100) {
		fail("Mapping %s has invalid weight %d", m.Name, *out.Weight)
	}
	if spec.CircuitBreakers != nil {
		cbs, valid := circuitBreakers(spec.CircuitBreakers, key, d)
		if !valid {
			ok = false
		}
		out.CircuitBreakers = cbs
	} else {
		out.CircuitBreakers = s.CircuitBreakers
	}
	if lb, valid := loadBalancer(spec.LoadBalancer, key, d); !valid {
		ok = false
	} else {
		out.LoadBalancer = cmp.Or(lb, s.LoadBalancer)
	}

	// The service: qualified with the Mapping's namespace for Kubernetes
	// resolvers, then taken apart for the cluster.
	kubernetesResolver := out.Resolver != "consul" && out.Resolver != "consul-endpoint"
	ns := m.Namespace
	if s.UseAmbassadorNamespace {
		ns = opts.Namespace
	}
	if out.HostRedirect {
		out.Service = spec.Service
	} else {
		out.Service = qualifyService(spec.Service, ns, opts.Namespace, kubernetesResolver)
		svc, err := parseService(out.Service)
		if err != nil {
			fail("%v", err)
		}
		// Linkerd routes on this header rather than the Host.
		if boolOr(spec.AddLinkerdHeaders, s.AddLinkerdHeaders) && err == nil {
			hdr := AddedHeader{Name: "l5d-dst-override", Value: fmt.Sprintf("%s:%d", svc.Host, svc.EffectivePort(svc.Scheme == "https")), Append: true}
			out.AddRequestHeaders = append(slices.DeleteFunc(slices.Clone(out.AddRequestHeaders), func(h AddedHeader) bool { return h.Name == hdr.Name }), hdr)
			slices.SortFunc(out.AddRequestHeaders, func(a, b AddedHeader) int { return strings.Compare(a.Name, b.Name) })
		}
	}
	if !ok {
		return nil
	}
	out.RouteWeight = routeWeight(out)
	out.GroupID = groupID(out)
	return out
}

// checkRegex holds a regex to the program size limit Envoy enforces
// (regex_max_size): Envoy would refuse the whole route table over one
// regex whose RE2 program is larger. The size is RE2's own count, not
// Go's: RE2 compiles to UTF-8 bytes, so `.` or `[^/]` cost it four times
// what they cost Go, and `\p{L}` three hundred times.
func checkRegex(expr string, maxSize int) error {
	size, err := re2size.ProgramSize(expr)
	if err != nil {
		return err
	}
	if maxSize > 0 && size > maxSize {
		return fmt.Errorf("RE2 program size %d exceeds regex_max_size %d", size, maxSize)
	}
	return nil
}

func addedHeaders(in map[string]v3alpha1.AddedHeader) []AddedHeader {
	var out []AddedHeader
	for _, name := range sortedKeys(in) {
		h := in[name]
		out = append(out, AddedHeader{Name: name, Value: h.Value, Append: h.Append == nil || *h.Append})
	}
	return out
}

// RouteWeight orders route groups: Emissary compares these lists
// element by element and puts the greatest first.
type RouteWeight []string

// routeWeight is Emissary's sort key: precedence, prefix length, the
// length of the header and query conditions, the prefix, the method, and
// the conditions themselves.
func routeWeight(m *Mapping) RouteWeight {
	conditionLength := func(ms []Match) int {
		n := 0
		for _, c := range ms {
			n += len(c.Name) + len(valueOrStar(c))
			if c.Regex {
				n++
			}
		}
		return n
	}
	w := make(RouteWeight, 0, 6+len(m.Headers)+len(m.Query))
	w = append(w,
		strconv.Itoa(m.Precedence),
		strconv.Itoa(len(m.Prefix)),
		strconv.Itoa(conditionLength(m.Headers)),
		strconv.Itoa(conditionLength(m.Query)),
		m.Prefix,
		"GET",
	)
	for _, h := range m.Headers {
		w = append(w, h.Name+"-"+valueOrStar(h))
	}
	for _, q := range m.Query {
		w = append(w, q.Name+"-"+valueOrStar(q))
	}
	return w
}

// compareWeights compares route weights as Emissary does: numbers as
// numbers (the first four entries), strings as strings, and a list that
// is a prefix of another as the smaller.
func compareWeights(a, b RouteWeight) int {
	return compareRanked(a, b, weightNumbers(a), weightNumbers(b))
}

// weightNumbers are the numeric entries of a route weight (0 where absent
// or not a number), parsed once for sorting.
func weightNumbers(w RouteWeight) (n [4]int) {
	for i := 0; i < len(w) && i < 4; i++ {
		n[i], _ = strconv.Atoi(w[i])
	}
	return n
}

// compareRanked is compareWeights with the numbers already parsed.
func compareRanked(a, b RouteWeight, an, bn [4]int) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if i < 4 {
			if c := cmp.Compare(an[i], bn[i]); c != 0 {
				return c
			}
			continue
		}
		if c := strings.Compare(a[i], b[i]); c != 0 {
			return c
		}
	}
	return len(a) - len(b)
}

func valueOrStar(m Match) string {
	if m.Present || m.Value == "" {
		return "*"
	}
	return m.Value
}

// groupID identifies the Mappings that answer the same requests (and so
// split traffic between them, canary style): the same prefix, conditions
// and precedence.
func groupID(m *Mapping) string {
	// Hashed as it is written, in one buffer (on the stack when short).
	b := make([]byte, 0, 256)
	b = append(b, "HTTP-GET"...)
	b = append(b, m.Prefix...)
	for _, h := range m.Headers {
		b = append(b, h.Name...)
		if !h.Present {
			b = append(b, h.Value...)
		}
	}
	for _, q := range m.Query {
		b = append(b, q.Name...)
		if !q.Present {
			b = append(b, q.Value...)
		}
	}
	if m.Precedence != 0 {
		b = strconv.AppendInt(b, int64(m.Precedence), 10)
	}
	sum := sha1.Sum(b)
	var id [2 * sha1.Size]byte
	hex.Encode(id[:], sum[:])
	return string(id[:])
}

// maxMillis is the longest duration Envoy takes (protobuf's Duration
// bound, 10,000 years), in milliseconds.
const maxMillis = 315_576_000_000_000

// millisProblem says what is wrong with a millisecond field's value, or
// "" when Envoy takes it.
func millisProblem(field string, v, min int) string {
	switch {
	case v < min:
		return fmt.Sprintf("%s %d is less than %d", field, v, min)
	case v > maxMillis:
		return fmt.Sprintf("%s %d is more than Envoy takes (%d)", field, v, maxMillis)
	}
	return ""
}

// outOfUint32 says whether v does not fit the unsigned 32-bit field
// Envoy keeps it in (it would wrap around: -1 would mean 4294967295).
func outOfUint32(v int) bool { return v < 0 || v > math.MaxUint32 }

func isTrue(b *bool) bool { return b != nil && *b }

func boolOr(b *bool, def bool) bool {
	if b == nil {
		return def
	}
	return *b
}

func msOr(ms *v3alpha1.Milliseconds, def int) int {
	if ms == nil {
		return def
	}
	return int(*ms)
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

func sortedKeys[V any](m map[string]V) []string {
	if len(m) == 0 {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// checkHeader says what Envoy would refuse in a header a route adds or
// removes: an empty name, NUL, CR or LF, or a pseudo-header or Host
// (which routes may not modify).
func checkHeader(name, value string) string {
	switch {
	case name == "":
		return "a header name cannot be empty"
	case strings.ContainsAny(name, "\x00\r\n"):
		return fmt.Sprintf("header name %q has NUL, CR or LF", name)
	case strings.HasPrefix(name, ":") || strings.EqualFold(name, "host"):
		return fmt.Sprintf("header %s cannot be modified by a route (use host_rewrite for the Host)", name)
	case strings.ContainsAny(value, "\x00\r\n"):
		return fmt.Sprintf("the value of header %s has NUL, CR or LF", name)
	}
	return ""
}
