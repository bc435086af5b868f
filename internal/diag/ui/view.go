// Package ui is diagd's diagnostics: what the gateway is doing, as JSON
// and as HTML pages. Building the view is pure (IR and status in, view
// out); rendering is html/template.
package ui

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/emissary-go/emissary/internal/diag/ir"
	"github.com/emissary-go/emissary/internal/snapshot"
)

// Input is everything the diagnostics show.
type Input struct {
	System System
	Status Status
	// IR is the configuration in force (the last good one), and Snapshot
	// the snapshot it came from; nil before the first good one.
	IR       *ir.IR
	Snapshot *snapshot.Snapshot
	// Failed is the IR of the last attempt when it failed after
	// translation got that far: its resource errors say why.
	Failed *ir.IR
}

// System is about the diagd process.
type System struct {
	Version       string    `json:"version"`
	Hostname      string    `json:"hostname"`
	AmbassadorID  string    `json:"ambassador_id"`
	Namespace     string    `json:"ambassador_namespace"`
	BootTime      time.Time `json:"boot_time"`
	UptimeSeconds int64     `json:"uptime_seconds"`
}

// Status is the reconfiguration history.
type Status struct {
	Reconfigurations int      `json:"reconfigurations"`
	Failures         int      `json:"failures"`
	LastAttempt      *Attempt `json:"last_attempt,omitempty"`
	LastGood         *Attempt `json:"last_good,omitempty"`
}

// Attempt is one reconfiguration.
type Attempt struct {
	// Source is where the snapshot came from (a URL or a directory).
	Source     string    `json:"source"`
	Started    time.Time `json:"started"`
	DurationMs float64   `json:"duration_ms"`
	OK         bool      `json:"ok"`
	// Error is why the configuration was not used.
	Error string `json:"error,omitempty"`
}

// Overview is the whole diagnostics page's data.
type Overview struct {
	System    System     `json:"system"`
	Status    Status     `json:"reconfiguration"`
	Listeners []Listener `json:"listeners"`
	Hosts     []Host     `json:"hosts"`
	Routes    []Route    `json:"routes"`
	// Services are the external services every request may involve:
	// authorization, rate limits, access logs, tracing.
	Services []Service `json:"services"`
	Clusters []Cluster `json:"clusters"`
	// Errors are the problems of the configuration in force; FailedErrors
	// those of a newer attempt that was not used.
	Errors       []Problem  `json:"errors"`
	FailedErrors []Problem  `json:"failed_errors,omitempty"`
	Notices      []Problem  `json:"notices"`
	Resources    []Resource `json:"resources"`
}

// Service is an external service the gateway calls for requests.
type Service struct {
	// Role is authorization, rate limits, access logs or tracing.
	Role string `json:"role"`
	// Keys are the resources that configure it (several AuthServices
	// share one service).
	Keys    []string `json:"keys"`
	Cluster string   `json:"cluster"`
	// Detail is how it is called, in a few words.
	Detail string `json:"detail"`
}

// services lists the external services of an IR, in filter order.
func services(x *ir.IR) []Service {
	var out []Service
	if a := x.Auth; a != nil {
		detail := a.Proto + ", timeout " + strconv.Itoa(a.TimeoutMs) + " ms"
		if a.PathPrefix != "" {
			detail += ", path prefix " + a.PathPrefix
		}
		if a.Misconfigured {
			detail = "misconfigured: every request but the probes is answered 500"
		}
		out = append(out, Service{Role: "authorization", Keys: a.Sources, Cluster: a.Cluster, Detail: detail})
	}
	if r := x.RateLimit; r != nil {
		out = append(out, Service{Role: "rate limits", Keys: []string{r.Key}, Cluster: r.Cluster, Detail: "domain " + r.Domain + ", timeout " + strconv.Itoa(r.TimeoutMs) + " ms"})
	}
	if l := x.LogService; l != nil {
		out = append(out, Service{Role: "access logs", Keys: []string{l.Key}, Cluster: l.Cluster, Detail: l.Driver + " driver, flushed every " + strconv.Itoa(l.FlushIntervalSec) + " s"})
	}
	if t := x.Tracing; t != nil {
		out = append(out, Service{Role: "tracing", Keys: []string{t.Key}, Cluster: t.Cluster, Detail: t.Driver})
	}
	return out
}

// Listener is one Listener resource as translated.
type Listener struct {
	Key           string   `json:"key"`
	Name          string   `json:"name"`
	Port          int      `json:"port"`
	ProtocolStack []string `json:"protocol_stack"`
	SecurityModel string   `json:"security_model"`
	Hosts         []string `json:"hosts"`
}

// Host is one Host, declared or implicit.
type Host struct {
	Key            string `json:"key"`
	Name           string `json:"name"`
	Namespace      string `json:"namespace"`
	Hostname       string `json:"hostname"`
	TLSSecret      string `json:"tls_secret,omitempty"`
	InsecureAction string `json:"insecure_action"`
	Implicit       bool   `json:"implicit,omitempty"`
}

// Route is one route group: what it matches and where it sends traffic.
type Route struct {
	GroupID    string         `json:"group_id"`
	Match      Match          `json:"match"`
	Precedence int            `json:"precedence,omitempty"`
	Targets    []RouteTarget  `json:"targets"`
	Redirect   *RouteRedirect `json:"redirect,omitempty"`
	Shadow     string         `json:"shadow,omitempty"`
	// Source is the key of the resource that made the route (the first
	// Mapping of the group); Internal marks diagd's own routes.
	Source   string `json:"source"`
	Internal bool   `json:"internal,omitempty"`
}

// Match is a route's conditions, as readable strings.
type Match struct {
	Host    string   `json:"host,omitempty"`
	Path    string   `json:"path"`
	Kind    string   `json:"kind"` // prefix, exact or regex
	Headers []string `json:"headers,omitempty"`
	Query   []string `json:"query_parameters,omitempty"`
}

// RouteTarget is one cluster of a route, with its share of the traffic.
type RouteTarget struct {
	Cluster string `json:"cluster"`
	Service string `json:"service"`
	Weight  int    `json:"weight"`
	Rewrite string `json:"rewrite,omitempty"`
	Source  string `json:"source"`
}

// RouteRedirect is where a redirect route sends clients.
type RouteRedirect struct {
	Host string `json:"host,omitempty"`
	Path string `json:"path,omitempty"`
	Code int    `json:"code,omitempty"`
}

// Cluster is an upstream with the endpoints traffic goes to.
type Cluster struct {
	Name         string   `json:"name"`
	Type         string   `json:"type"`
	Resolver     string   `json:"resolver"`
	Service      string   `json:"service"`
	Namespace    string   `json:"namespace,omitempty"`
	Endpoints    []string `json:"endpoints"`
	TLS          bool     `json:"tls,omitempty"`
	ReferencedBy []string `json:"referenced_by"`
}

// Problem is an error or notice attached to a resource.
type Problem struct {
	Key       string `json:"key"`
	Kind      string `json:"kind"`
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
	Message   string `json:"message"`
}

// Resource is one input resource.
type Resource struct {
	Key       string `json:"key"`
	Kind      string `json:"kind"`
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
	Location  string `json:"location,omitempty"`
	Errors    int    `json:"errors"`
}

// ResourcePage is one resource's page: the resource, its problems, and
// what the configuration made of it.
type ResourcePage struct {
	System    System     `json:"system"`
	Resource  Resource   `json:"resource"`
	Errors    []string   `json:"errors"`
	Notices   []string   `json:"notices"`
	Listeners []Listener `json:"listeners,omitempty"`
	Hosts     []Host     `json:"hosts,omitempty"`
	Routes    []Route    `json:"routes,omitempty"`
	Clusters  []Cluster  `json:"clusters,omitempty"`
}

// BuildOverview makes the overview from the input.
func BuildOverview(in Input) Overview {
	out := Overview{System: in.System, Status: in.Status}
	if x := in.IR; x != nil {
		for _, l := range x.Listeners {
			out.Listeners = append(out.Listeners, listener(l))
		}
		for _, h := range x.Hosts {
			out.Hosts = append(out.Hosts, host(h))
		}
		for _, g := range x.Groups {
			out.Routes = append(out.Routes, route(g))
		}
		out.Services = services(x)
		for _, c := range x.Clusters {
			out.Clusters = append(out.Clusters, cluster(c, in.Snapshot))
		}
		out.Errors = problems(x.Diagnostics.Errors)
		out.Notices = problems(x.Diagnostics.Notices)
		out.Resources = resources(x)
	}
	if in.Failed != nil && in.Failed.Diagnostics != nil {
		out.FailedErrors = problems(in.Failed.Diagnostics.Errors)
	}
	return out
}

// BuildResourcePage makes one resource's page; false if the configuration
// in force has no such resource.
func BuildResourcePage(in Input, key string) (ResourcePage, bool) {
	x := in.IR
	if x == nil {
		return ResourcePage{}, false
	}
	src, ok := x.Sources[key]
	if !ok {
		// Problems can belong to resources that were not used at all
		// (one that could not be read, the ambassador Module): they get
		// a page too.
		if len(x.Diagnostics.Errors[key]) == 0 && len(x.Diagnostics.Notices[key]) == 0 {
			return ResourcePage{}, false
		}
		kind, name, namespace := splitKey(key)
		src = &ir.Source{Key: key, Kind: kind, Name: name, Namespace: namespace}
	}
	page := ResourcePage{
		System:   in.System,
		Resource: resource(src, len(x.Diagnostics.Errors[key])),
		Errors:   x.Diagnostics.Errors[key],
		Notices:  x.Diagnostics.Notices[key],
	}
	for _, l := range x.Listeners {
		if l.Key == key {
			page.Listeners = append(page.Listeners, listener(l))
		}
	}
	for _, h := range x.Hosts {
		if h.Key == key {
			page.Hosts = append(page.Hosts, host(h))
		}
	}
	used := map[string]bool{}
	for _, g := range x.Groups {
		r := route(g)
		shadow := g.Shadow != nil && g.Shadow.Key == key
		if r.Source == key || shadow || slices.ContainsFunc(r.Targets, func(t RouteTarget) bool { return t.Source == key }) {
			page.Routes = append(page.Routes, r)
			for _, t := range r.Targets {
				used[t.Cluster] = true
			}
			if r.Shadow != "" {
				used[r.Shadow] = true
			}
		}
	}
	for _, c := range x.Clusters {
		if used[c.EnvoyName] || slices.Contains(c.Users, key) {
			page.Clusters = append(page.Clusters, cluster(c, in.Snapshot))
		}
	}
	return page, true
}

func listener(l *ir.Listener) Listener {
	return Listener{Key: l.Key, Name: l.Name, Port: l.Port, ProtocolStack: l.ProtocolStack, SecurityModel: l.SecurityModel, Hosts: l.Hosts}
}

func host(h *ir.Host) Host {
	out := Host{Key: h.Key, Name: h.Name, Namespace: h.Namespace, Hostname: h.Hostname, InsecureAction: h.InsecureAction, Implicit: h.Implicit}
	if h.TLS != nil && h.TLS.Secret != nil {
		out.TLSSecret = h.TLS.Secret.Name + "." + h.TLS.Secret.Namespace
	}
	return out
}

func route(g *ir.Group) Route {
	first := g.First()
	r := Route{GroupID: g.ID, Precedence: first.Precedence, Source: first.Key, Internal: first.Internal, Match: match(first)}
	previous := 0
	for _, m := range g.Mappings {
		t := RouteTarget{Cluster: m.Cluster, Service: m.Service, Weight: m.Cumulative - previous, Source: m.Key}
		previous = m.Cumulative
		switch {
		case m.RegexRewrite != nil:
			t.Rewrite = "regex " + m.RegexRewrite.Pattern + " -> " + m.RegexRewrite.Substitution
		case m.Rewrite == nil:
			t.Rewrite = "/"
		default:
			t.Rewrite = *m.Rewrite
		}
		r.Targets = append(r.Targets, t)
	}
	if m := g.Redirect; m != nil {
		r.Redirect = &RouteRedirect{Host: m.Service, Code: m.RedirectResponseCode}
		switch {
		case m.PathRedirect != "":
			r.Redirect.Path = m.PathRedirect
		case m.PrefixRedirect != "":
			r.Redirect.Path = m.PrefixRedirect + "…"
		case m.RegexRedirect != nil:
			r.Redirect.Path = "regex " + m.RegexRedirect.Pattern + " -> " + m.RegexRedirect.Substitution
		}
	}
	if g.Shadow != nil {
		r.Shadow = g.Shadow.Cluster
	}
	return r
}

func match(m *ir.Mapping) Match {
	out := Match{Path: m.Prefix, Kind: "prefix", Host: m.Hostname}
	switch {
	case m.PrefixRegex:
		out.Kind = "regex"
	case m.PrefixExact:
		out.Kind = "exact"
	}
	if m.HostRegex != "" {
		out.Host = "~ " + m.HostRegex
	}
	for _, h := range m.Headers {
		out.Headers = append(out.Headers, condition(h))
	}
	for _, q := range m.Query {
		out.Query = append(out.Query, condition(q))
	}
	return out
}

func condition(c ir.Match) string {
	switch {
	case c.Present:
		return c.Name + " present"
	case c.Regex:
		return c.Name + " ~ " + c.Value
	default:
		return c.Name + " = " + c.Value
	}
}

func cluster(c *ir.Cluster, snap *snapshot.Snapshot) Cluster {
	out := Cluster{
		Name: c.EnvoyName, Type: c.Type, Resolver: c.ResolverKind, Service: c.Service, Namespace: c.Namespace,
		TLS: c.OriginateTLS, ReferencedBy: c.Users,
	}
	if c.Type == "EDS" {
		for _, e := range ir.Endpoints(snap, c) {
			out.Endpoints = append(out.Endpoints, e.String())
		}
	} else {
		out.Endpoints = []string{c.Host + ":" + strconv.Itoa(c.Port)}
	}
	return out
}

func problems(byKey map[string][]string) []Problem {
	var out []Problem
	for key, msgs := range byKey {
		kind, name, namespace := splitKey(key)
		for _, m := range msgs {
			out = append(out, Problem{Key: key, Kind: kind, Name: name, Namespace: namespace, Message: m})
		}
	}
	slices.SortStableFunc(out, func(a, b Problem) int { return cmp.Compare(a.Key, b.Key) })
	return out
}

func resources(x *ir.IR) []Resource {
	var out []Resource
	for key, s := range x.Sources {
		out = append(out, resource(s, len(x.Diagnostics.Errors[key])))
	}
	slices.SortFunc(out, func(a, b Resource) int { return cmp.Compare(a.Key, b.Key) })
	return out
}

func resource(s *ir.Source, errors int) Resource {
	return Resource{Key: s.Key, Kind: s.Kind, Name: s.Name, Namespace: s.Namespace, Location: s.Location, Errors: errors}
}

// splitKey undoes ir.Key: Kind/name.namespace (names may hold dots; the
// namespace cannot).
func splitKey(key string) (kind, name, namespace string) {
	kind, rest, ok := strings.Cut(key, "/")
	if !ok {
		return "", key, ""
	}
	if i := strings.LastIndex(rest, "."); i >= 0 {
		return kind, rest[:i], rest[i+1:]
	}
	return kind, rest, ""
}
