// Package ir turns a snapshot into the intermediate representation the
// Envoy configuration is generated from: listeners, hosts, ordered route
// groups and clusters, each carrying the resource it came from, plus
// every problem found, attached to the resource at fault. It is pure: no
// I/O, and the same snapshot always gives the same IR.
package ir

import (
	"fmt"
	"maps"
	"slices"

	"github.com/emissary-go/emissary/internal/parallel"
)

// Options are the installation's settings, from Emissary's environment
// variables.
type Options struct {
	// AmbassadorID is AMBASSADOR_ID: only resources for it are used.
	AmbassadorID string
	// Namespace is AMBASSADOR_NAMESPACE, the gateway's own namespace.
	Namespace string
	// SingleNamespace is AMBASSADOR_SINGLE_NAMESPACE: resources in other
	// namespaces are ignored.
	SingleNamespace bool
	// FileExists says whether a file named in the configuration is there
	// (error_response_overrides' text_format_source); nil skips the
	// check. The translator does no I/O of its own.
	FileExists func(name string) bool
	// Crew runs the parallel parts (nil: goroutines of their own).
	Crew *parallel.Crew
}

func (o Options) withDefaults() Options {
	if o.AmbassadorID == "" {
		o.AmbassadorID = "default"
	}
	if o.Namespace == "" {
		o.Namespace = "default"
	}
	return o
}

// IR is the whole translated configuration.
type IR struct {
	Identity  Identity    `json:"identity"`
	Settings  Settings    `json:"ambassador"`
	Listeners []*Listener `json:"listeners"`
	Hosts     []*Host     `json:"hosts"`
	Groups    []*Group    `json:"groups"`
	Clusters  []*Cluster  `json:"clusters"`
	// Auth is the external authorization requests pass, if any.
	Auth *Auth `json:"auth,omitempty"`
	// RateLimit is the RateLimitService in use, nil without one.
	RateLimit *RateLimit `json:"ratelimit,omitempty"`
	// LogService is where access logs are sent, nil without one.
	LogService *LogService `json:"log_service,omitempty"`
	// Tracing is where spans are reported, nil without a TracingService.
	Tracing *Tracing `json:"tracing,omitempty"`
	// TCPGroups are the TCPMappings, by the filter chain they make.
	TCPGroups []*TCPGroup  `json:"tcp_groups,omitempty"`
	Secrets   []*TLSSecret `json:"tls_secrets,omitempty"`
	// Diagnostics are the problems found, by resource.
	Diagnostics *Diagnostics `json:"-"`
	// Sources are the resources the IR was built from, by key.
	Sources map[string]*Source `json:"-"`
}

// Identity says whose configuration this is.
type Identity struct {
	AmbassadorID        string `json:"ambassador_id"`
	AmbassadorNamespace string `json:"ambassador_namespace"`
	// NodeName is what Envoy's bootstrap reports as its cluster.
	NodeName string `json:"ambassador_nodename"`
}

// Source is one input resource, for diagnostics: what it is, where it
// came from, and whether it was used.
type Source struct {
	Key       string `json:"key"`
	Kind      string `json:"kind"`
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
	// Location says where it was found when not a resource of its own
	// (an annotation of a Service, a file).
	Location string `json:"location,omitempty"`
	// Errors are why it was (partly) not used.
	Errors []string `json:"errors,omitempty"`
}

// Key is how resources are named in diagnostics: Kind/name.namespace.
func Key(kind, name, namespace string) string {
	return kind + "/" + name + "." + namespace
}

// GlobalKey files problems that belong to no single resource.
const GlobalKey = "-global-"

// Diagnostics collect problems by resource key.
type Diagnostics struct {
	Errors  map[string][]string `json:"_errors"`
	Notices map[string][]string `json:"_notices"`
}

func newDiagnostics() *Diagnostics {
	return &Diagnostics{Errors: map[string][]string{}, Notices: map[string][]string{}}
}

// Error records a problem that made the resource (or part of it) unusable.
func (d *Diagnostics) Error(key string, format string, args ...any) {
	d.Errors[key] = append(d.Errors[key], fmt.Sprintf(format, args...))
}

// Notice records something worth knowing that changed nothing.
func (d *Diagnostics) Notice(key string, format string, args ...any) {
	d.Notices[key] = append(d.Notices[key], fmt.Sprintf(format, args...))
}

// merge appends other's problems to d's, key by key, in order.
func (d *Diagnostics) merge(other *Diagnostics) {
	for _, key := range slices.Sorted(maps.Keys(other.Errors)) {
		d.Errors[key] = append(d.Errors[key], other.Errors[key]...)
	}
	for _, key := range slices.Sorted(maps.Keys(other.Notices)) {
		d.Notices[key] = append(d.Notices[key], other.Notices[key]...)
	}
}

// Count is the number of errors recorded.
func (d *Diagnostics) Count() int {
	n := 0
	for _, errs := range d.Errors {
		n += len(errs)
	}
	return n
}

// Sorted returns "key: message" lines in a stable order, for printing.
func (d *Diagnostics) Sorted() []string {
	var out []string
	for key, errs := range d.Errors {
		for _, e := range errs {
			out = append(out, key+": "+e)
		}
	}
	slices.Sort(out)
	return out
}
