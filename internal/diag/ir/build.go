package ir

import (
	"cmp"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/emissary-go/emissary/internal/api/getambassador.io/v3alpha1"
	"github.com/emissary-go/emissary/internal/parallel"
	"github.com/emissary-go/emissary/internal/snapshot"
)

// Build translates a snapshot. It never fails: what cannot be used is
// reported in the IR's Diagnostics and left out.
func Build(snap *snapshot.Snapshot, opts Options) *IR {
	opts = opts.withDefaults()
	d := newDiagnostics()
	r := collect(snap, opts, d)

	out := &IR{
		Identity: Identity{
			AmbassadorID:        opts.AmbassadorID,
			AmbassadorNamespace: opts.Namespace,
			NodeName:            nodeName(opts),
		},
		Diagnostics: d,
		Sources:     r.sources,
	}
	out.Settings = settingsFrom(r.module, d)
	out.Settings.ErrorResponses = moduleErrorResponses(out.Settings.errorResponsesRaw, out.Settings.Source, opts.FileExists, d)
	secrets := newSecretLookup(r.secrets)

	// Listeners and Hosts read only their own resources: they are read on
	// another core while this one reads the Mappings, with problems of
	// their own merged once both are done.
	hostsDiagnostics := newDiagnostics()
	hostsRead := opts.Crew.Group()
	hostsRead.Go(func() error {
		readListenersAndHosts(out, r, opts, secrets, hostsDiagnostics)
		return nil
	})

	// Mappings: the user's in key order, then the built-in ones.
	mappings := newMappings(r.mappings, out.Settings, opts, d)
	mappings = append(mappings, internalMappings(out.Settings, opts)...)
	hostsRead.Wait()
	d.merge(hostsDiagnostics)

	// Clusters.
	cs := &clusterSet{byName: map[string]*Cluster{}, tls: map[string]*TLSContext{}, res: resolvers(r)}
	for _, tc := range r.tlsContexts {
		if sni := tc.Spec.SNI; len(sni) > 255 || strings.ContainsAny(sni, "\x00\r\n") {
			// Envoy's limits for an upstream server name: the context
			// cannot originate TLS, and its users say so.
			d.Error(Key("TLSContext", tc.Name, tc.Namespace), "sni is not a server name Envoy takes (%d bytes; at most 255, with no NUL, CR or LF): this context cannot originate TLS", len(sni))
			continue
		}
		ctx := &TLSContext{Name: tc.Name, Namespace: tc.Namespace, SNI: tc.Spec.SNI}
		if tc.Spec.Secret != "" {
			ctx.Secret = secrets.contextSecret(tc.Spec.Secret, tc.Namespace, tc.Spec.SecretNamespacing)
			if ctx.Secret == nil {
				d.Error(Key("TLSContext", tc.Name, tc.Namespace), "secret %s: no such Secret with a tls.crt", tc.Spec.Secret)
			}
		}
		applyTLSContext(ctx, &tc.Spec, secrets)
		ctx.leaveOutRefusedTLSParameters(Key("TLSContext", tc.Name, tc.Namespace), "", d)
		cs.tls[tc.Name] = ctx
	}
	// Each Mapping's cluster is worked out on the crew's other cores
	// while this one puts the Mappings in groups; then, in group order,
	// the first Mapping asking for a cluster creates it and the others
	// share it.
	candidates := make([]candidate, len(mappings))
	working := opts.Crew.Group()
	const chunk = 16
	for from := 0; from < len(mappings); from += chunk {
		working.Go(func() error {
			for i := from; i < min(from+chunk, len(mappings)); i++ {
				m := mappings[i]
				marker := m.ClusterTag
				if m.Shadow {
					marker = "shadow"
				}
				candidates[i] = cs.candidate(m, marker)
			}
			return nil
		})
	}
	for i, m := range mappings {
		m.seq = i
	}
	out.Groups = groupMappings(mappings, d)
	working.Wait()
	clusterFor := func(m *Mapping) *Cluster {
		return cs.adopt(m, candidates[m.seq], d)
	}
	// Who adopted which cluster, in group order: the cluster names are
	// final once every cluster is known (below).
	type adoption struct {
		m *Mapping
		c *Cluster
	}
	adoptions := make([]adoption, 0, len(mappings))
	var groups []*Group
	for _, g := range out.Groups {
		ok := true
		if g.Shadow != nil {
			if c := clusterFor(g.Shadow); c != nil {
				adoptions = append(adoptions, adoption{g.Shadow, c})
			} else {
				g.Shadow = nil
			}
		}
		for _, m := range g.Mappings {
			c := clusterFor(m)
			if c == nil {
				ok = false
				continue
			}
			adoptions = append(adoptions, adoption{m, c})
		}
		if ok {
			groups = append(groups, g)
		}
	}
	out.Groups = groups
	out.TCPGroups = buildTCP(r.tcpMappings, out, cs, r.tlsContexts, opts, d)
	out.Auth = buildAuth(r.auths, cs, out.Settings, d)
	if out.RateLimit = buildRateLimit(r.rateLimits, cs, out.Settings, d); out.RateLimit != nil {
		var limited []*Mapping
		for _, g := range out.Groups {
			limited = append(limited, g.Mappings...)
		}
		inParallel(opts.Crew, len(limited), d, func(i int, d *Diagnostics) {
			m := limited[i]
			m.RateLimits = rateLimits(m, out.RateLimit.Domain, out.Settings, d)
		})
	}
	out.LogService = buildLogService(r.logServices, cs, out.Settings, d)
	if out.Tracing = buildTracing(r.tracing, cs, out.Settings, d); out.Tracing != nil && out.Tracing.Driver == "datadog" {
		// Datadog's ids go in the default JSON access log.
		if a := &out.Settings.AccessLog; a.JSON != nil && a.Default {
			a.JSON["dd.trace_id"], a.JSON["dd.span_id"] = "%REQ(X-DATADOG-TRACE-ID)%", "%REQ(X-DATADOG-PARENT-ID)%"
		}
	}
	out.Clusters = cs.sorted()
	if out.Auth != nil && out.Auth.cluster != nil {
		out.Auth.Cluster = out.Auth.cluster.EnvoyName
		out.Auth.OriginateTLS = out.Auth.cluster.OriginateTLS
	}
	if out.RateLimit != nil {
		out.RateLimit.Cluster = out.RateLimit.cluster.EnvoyName
	}
	if out.LogService != nil {
		out.LogService.Cluster = out.LogService.cluster.EnvoyName
	}
	if out.Tracing != nil {
		out.Tracing.Cluster = out.Tracing.cluster.EnvoyName
	}
	nameTCPClusters(out.TCPGroups)
	checkEndpointServices(out.Clusters, snap, d)
	for _, a := range adoptions {
		a.m.Cluster = a.c.EnvoyName
	}

	out.Secrets = usedSecrets(out)

	// Listeners serve the Hosts they bind.
	for _, l := range out.Listeners {
		if l.TCPOnly {
			continue
		}
		for _, h := range out.Hosts {
			if l.binds(h) {
				l.Hosts = append(l.Hosts, h.Hostname)
			}
		}
		if len(l.Hosts) == 0 && !slices.ContainsFunc(out.TCPGroups, func(g *TCPGroup) bool { return g.Listener == l.Name }) {
			d.Notice(l.Key, "no Hosts are bound to this Listener")
		}
	}
	tcpConflicts(out, d)
	for key, errs := range d.Errors {
		if s, ok := out.Sources[key]; ok {
			s.Errors = errs
		}
	}
	return out
}

// readListenersAndHosts reads the Listeners, one per socket, and the
// Hosts, or the implicit default one.
func readListenersAndHosts(out *IR, r *resources, opts Options, secrets secretLookup, d *Diagnostics) {
	// Listeners, one per socket.
	bound := map[string]*Listener{}
	for _, l := range r.listeners {
		il := newListener(l, "0.0.0.0", d)
		if il == nil {
			continue
		}
		if other, taken := bound[il.bindKey()]; taken {
			d.Error(il.Key, "port %d is already used by %s", il.Port, other.Key)
			continue
		}
		bound[il.bindKey()] = il
		out.Listeners = append(out.Listeners, il)
	}

	// Hosts, or the implicit default one.
	contexts := map[string]*v3alpha1.TLSContext{}
	for _, tc := range r.tlsContexts {
		contexts[tc.Namespace+"/"+tc.Name] = tc
	}
	byLowerName := map[string]*Host{}
	for _, h := range r.hosts {
		ih := newHost(h, contexts, secrets, d)
		if ih == nil {
			continue
		}
		// Host names are case-insensitive, and Envoy refuses a route
		// table with two virtual hosts for one name. (The same name
		// twice is one virtual host.)
		lower := strings.ToLower(ih.Hostname)
		if other, ok := byLowerName[lower]; ok && other.Hostname != ih.Hostname {
			d.Error(ih.Key, "hostname %s differs from %s's %s only in case, and host names are case-insensitive: Host ignored", ih.Hostname, other.Key, other.Hostname)
			continue
		}
		byLowerName[lower] = ih
		out.Hosts = append(out.Hosts, ih)
	}
	out.Hosts = dropConflictingTLS(out.Hosts, d)
	if len(out.Hosts) == 0 {
		out.Hosts = []*Host{defaultHost(opts, secrets, d)}
		for _, tc := range r.tlsContexts {
			if len(tc.Spec.Hosts) > 0 {
				d.Error(Key("TLSContext", tc.Name, tc.Namespace), "No Hosts defined, but TLSContexts exist that terminate TLS. The TLSContexts are being ignored.")
			}
		}
	}
	slices.SortStableFunc(out.Hosts, func(a, b *Host) int { return strings.Compare(a.Hostname, b.Hostname) })
}

// dropConflictingTLS keeps, for each TLS server name, the Hosts that
// agree on how to terminate it: one filter chain serves one name, so a
// later Host asking for another certificate or context is reported and
// loses its TLS.
func dropConflictingTLS(hosts []*Host, d *Diagnostics) []*Host {
	first := map[string]*Host{}
	var kept []*Host
	for _, h := range hosts {
		if h.TLS == nil {
			kept = append(kept, h)
			continue
		}
		f, ok := first[h.SNI()]
		if !ok {
			first[h.SNI()] = h
			kept = append(kept, h)
			continue
		}
		if f.TLS.Name != h.TLS.Name || f.TLS.Namespace != h.TLS.Namespace || f.TLS.Secret.Hash != h.TLS.Secret.Hash {
			// As in Emissary, the Host keeps its cleartext side.
			d.Error(h.Key, "server name %s is already terminated by %s with a different TLS context or certificate (mismatching TLSContext): this Host's TLS is ignored", h.SNI(), f.Key)
			h.TLS = nil
		}
		kept = append(kept, h)
	}
	return kept
}

// checkEndpointServices reports clusters whose endpoints come from a
// Kubernetes Service that does not exist: they will have no endpoints.
func checkEndpointServices(clusters []*Cluster, snap *snapshot.Snapshot, d *Diagnostics) {
	type name struct{ namespace, name string }
	var services map[name]bool // made when a cluster first needs it
	for _, c := range clusters {
		if c.ResolverKind != "KubernetesEndpointResolver" || c.EDSName == "" {
			continue
		}
		if services == nil {
			services = map[name]bool{}
			if snap.Kubernetes != nil {
				for _, s := range snap.Kubernetes.Services {
					services[name{s.Namespace, s.Name}] = true
				}
			}
		}
		if services[name{c.Namespace, c.Service}] {
			continue
		}
		for _, user := range c.Users {
			d.Error(user, "service %s.%s does not exist: cluster %s has no endpoints until it does", c.Service, c.Namespace, c.EnvoyName)
		}
	}
}

// usedSecrets are the certificates the configuration refers to, which
// diagd must write where Envoy reads them.
func usedSecrets(x *IR) []*TLSSecret {
	seen := map[string]bool{}
	var out []*TLSSecret
	add := func(s *TLSSecret) {
		if s == nil {
			return
		}
		key := s.Namespace + "/" + s.Name + "/" + s.Hash
		if !seen[key] {
			seen[key] = true
			out = append(out, s)
		}
	}
	for _, h := range x.Hosts {
		if h.TLS != nil {
			add(h.TLS.Secret)
			add(h.TLS.CASecret)
		}
	}
	for _, c := range x.Clusters {
		if c.TLS != nil {
			add(c.TLS.Secret)
			add(c.TLS.CASecret)
		}
	}
	for _, g := range x.TCPGroups {
		if g.TLS != nil {
			add(g.TLS.Secret)
			add(g.TLS.CASecret)
		}
	}
	slices.SortFunc(out, func(a, b *TLSSecret) int {
		return strings.Compare(a.Namespace+"/"+a.Name+"/"+a.Hash, b.Namespace+"/"+b.Name+"/"+b.Hash)
	})
	return out
}

// nodeName is what Envoy's bootstrap calls the node's cluster.
func nodeName(opts Options) string {
	id := opts.AmbassadorID
	if id == "default" {
		id = "ambassador"
	}
	return id + "-" + opts.Namespace
}

// defaultHost is the Host Emissary makes when none exist: every hostname,
// TLS with the fallback certificate when there is one, else cleartext.
func defaultHost(opts Options, secrets secretLookup, d *Diagnostics) *Host {
	h := &Host{
		Key: Key("Host", "default-host", opts.Namespace), Name: "default-host", Namespace: opts.Namespace,
		Hostname: "*", InsecureAction: "Redirect", Implicit: true,
	}
	if s := secrets.tlsSecret(fallbackCert, opts.Namespace); s != nil {
		h.TLS = &TLSContext{Name: "default-host-context", Namespace: opts.Namespace, Secret: s}
		return h
	}
	h.InsecureAction = "Route"
	d.Notice(h.Key, "No TLS termination and no fallback cert -- defaulting to cleartext-only.")
	return h
}

// internalMappings are the routes to diagd: readiness, liveness and the
// diagnostics UI, matching every Host.
func internalMappings(s Settings, opts Options) []*Mapping {
	var out []*Mapping
	for _, p := range []struct {
		name  string
		probe Probe
	}{
		{"internal_readiness_probe_mapping", s.ReadinessProbe},
		{"internal_liveness_probe_mapping", s.LivenessProbe},
		{"internal_diagnostics_probe_mapping", s.Diagnostics},
	} {
		if !p.probe.Enabled {
			continue
		}
		rewrite := p.probe.Rewrite
		m := &Mapping{
			Key: firstNonEmpty(s.Source, Key("Module", "ambassador", opts.Namespace)), Name: p.name, Namespace: opts.Namespace,
			Internal: true, Prefix: p.probe.Prefix, Rewrite: &rewrite, Hostname: "*",
			Headers: []Match{{Name: ":authority", Value: "*"}},
			Service: p.probe.Service, Resolver: "kubernetes-service",
			TimeoutMs: 10000, ConnectTimeoutMs: 3000, EnableIPv4: true,
			KeepAlive: s.KeepAlive,
			// The Module's defaults apply to these routes too, as in
			// Emissary (they are Mappings like any other there).
			AddRequestHeaders:     s.MappingDefaults.AddRequestHeaders,
			AddResponseHeaders:    s.MappingDefaults.AddResponseHeaders,
			RemoveRequestHeaders:  s.MappingDefaults.RemoveRequestHeaders,
			RemoveResponseHeaders: s.MappingDefaults.RemoveResponseHeaders,
			StatsName:             s.MappingDefaults.StatsName,
			RetryPolicy:           s.RetryPolicy,
			CircuitBreakers:       s.CircuitBreakers,
			LoadBalancer:          s.LoadBalancer,
			CORS:                  s.CORS,
		}
		m.RouteWeight = routeWeight(m)
		m.GroupID = groupID(m)
		out = append(out, m)
	}
	return out
}

// resources are the inputs that apply to this installation.
type resources struct {
	module      *v3alpha1.Module
	listeners   []*v3alpha1.Listener
	hosts       []*v3alpha1.Host
	mappings    []*v3alpha1.Mapping
	tcpMappings []*v3alpha1.TCPMapping
	auths       []*v3alpha1.AuthService
	rateLimits  []*v3alpha1.RateLimitService
	logServices []*v3alpha1.LogService
	tracing     []*v3alpha1.TracingService
	tlsContexts []*v3alpha1.TLSContext
	ksr         []*v3alpha1.KubernetesServiceResolver
	ker         []*v3alpha1.KubernetesEndpointResolver
	consul      []*v3alpha1.ConsulResolver
	secrets     []*corev1.Secret
	sources     map[string]*Source
}

// collect picks the resources for this installation (ambassador_id,
// namespace), in key order, recording each as a source and reporting
// duplicates and unreadable resources.
func collect(snap *snapshot.Snapshot, opts Options, d *Diagnostics) *resources {
	k := snap.Kubernetes
	if k == nil {
		k = &snapshot.Kubernetes{}
	}
	count := len(k.Modules) + len(k.Listeners) + len(k.Hosts) + len(k.TLSContexts) + len(k.Mappings) +
		len(k.TCPMappings) + len(k.AuthServices) + len(k.RateLimitServices) + len(k.LogServices) +
		len(k.TracingServices) + len(k.KubernetesServiceResolvers) + len(k.KubernetesEndpointResolvers) +
		len(k.ConsulResolvers) + len(k.DevPortals)
	r := &resources{sources: make(map[string]*Source, count)}
	// The sources are made in one allocation: a large snapshot has
	// thousands.
	sources := make([]Source, 0, count)
	admit := func(kind string, obj client.Object, ids v3alpha1.AmbassadorID, location string) bool {
		if obj.GetNamespace() == "" {
			obj.SetNamespace(opts.Namespace)
		}
		if opts.SingleNamespace && obj.GetNamespace() != opts.Namespace {
			return false
		}
		if !ids.Matches(opts.AmbassadorID) {
			return false
		}
		key := Key(kind, obj.GetName(), obj.GetNamespace())
		if prev, dup := r.sources[key]; dup {
			d.Error(key, "%s defines %s %s, which is already defined%s", describeLocation(location), kind, obj.GetName(), describeLocation(prev.Location))
			return false
		}
		src := Source{Key: key, Kind: kind, Name: obj.GetName(), Namespace: obj.GetNamespace(), Location: location}
		if len(sources) == cap(sources) {
			sources = make([]Source, 0, 16) // only for resources from Ingresses and annotations
		}
		sources = append(sources, src)
		r.sources[key] = &sources[len(sources)-1]
		return true
	}

	// Resources from annotations come after the parent's own kind list,
	// in parent order, as Emissary emits them.
	// Emissary orders resources by their key "name.namespace", which
	// decides which of two clashing resources wins and breaks route-order
	// ties; the same order gives the same results.
	type located struct {
		obj      client.Object
		location string
		key      string
	}
	all := make([]located, 0, count)
	add := func(objs []client.Object, location string) {
		for _, o := range objs {
			all = append(all, located{o, location, o.GetName() + "." + o.GetNamespace()})
		}
	}
	add(objects(k.Modules), "")
	add(objects(k.Listeners), "")
	add(objects(k.Hosts), "")
	add(objects(k.TLSContexts), "")
	add(objects(k.Mappings), "")
	add(objects(k.TCPMappings), "")
	add(objects(k.AuthServices), "")
	add(objects(k.RateLimitServices), "")
	add(objects(k.LogServices), "")
	add(objects(k.TracingServices), "")
	add(objects(k.KubernetesServiceResolvers), "")
	add(objects(k.KubernetesEndpointResolvers), "")
	add(objects(k.ConsulResolvers), "")
	for _, r := range ingressResources(k.Ingresses, k.IngressClasses, k.Services, opts, d) {
		add([]client.Object{r.obj}, r.ingress)
	}
	for _, parent := range sortedKeys(k.Annotations) {
		add(k.Annotations[parent], parent+" annotation getambassador.io/config")
	}
	// Sorted by position, not moved: each is a few words.
	byKey := make([]int32, len(all))
	for i := range byKey {
		byKey[i] = int32(i)
	}
	slices.SortFunc(byKey, func(a, b int32) int { return cmp.Or(strings.Compare(all[a].key, all[b].key), int(a-b)) })

	var modules []*v3alpha1.Module
	for _, i := range byKey {
		l := &all[i]
		switch o := l.obj.(type) {
		case *v3alpha1.Module:
			if admit("Module", o, o.Spec.AmbassadorID, l.location) {
				modules = append(modules, o)
			}
		case *v3alpha1.Listener:
			if admit("Listener", o, o.Spec.AmbassadorID, l.location) {
				r.listeners = append(r.listeners, o)
			}
		case *v3alpha1.Host:
			if admit("Host", o, o.Spec.AmbassadorID, l.location) {
				r.hosts = append(r.hosts, o)
			}
		case *v3alpha1.TLSContext:
			if admit("TLSContext", o, o.Spec.AmbassadorID, l.location) {
				r.tlsContexts = append(r.tlsContexts, o)
			}
		case *v3alpha1.Mapping:
			if admit("Mapping", o, o.Spec.AmbassadorID, l.location) {
				r.mappings = append(r.mappings, o)
			}
		case *v3alpha1.TCPMapping:
			if admit("TCPMapping", o, o.Spec.AmbassadorID, l.location) {
				r.tcpMappings = append(r.tcpMappings, o)
			}
		case *v3alpha1.AuthService:
			if admit("AuthService", o, o.Spec.AmbassadorID, l.location) {
				r.auths = append(r.auths, o)
			}
		case *v3alpha1.RateLimitService:
			if admit("RateLimitService", o, o.Spec.AmbassadorID, l.location) {
				r.rateLimits = append(r.rateLimits, o)
			}
		case *v3alpha1.LogService:
			if admit("LogService", o, o.Spec.AmbassadorID, l.location) {
				r.logServices = append(r.logServices, o)
			}
		case *v3alpha1.TracingService:
			if admit("TracingService", o, o.Spec.AmbassadorID, l.location) {
				r.tracing = append(r.tracing, o)
			}
		case *v3alpha1.KubernetesServiceResolver:
			if admit("KubernetesServiceResolver", o, o.Spec.AmbassadorID, l.location) {
				r.ksr = append(r.ksr, o)
			}
		case *v3alpha1.KubernetesEndpointResolver:
			if admit("KubernetesEndpointResolver", o, o.Spec.AmbassadorID, l.location) {
				r.ker = append(r.ker, o)
			}
		case *v3alpha1.ConsulResolver:
			if admit("ConsulResolver", o, o.Spec.AmbassadorID, l.location) {
				r.consul = append(r.consul, o)
			}
		}
	}
	for _, m := range modules {
		switch {
		case m.Name == "tls":
			if tc := legacyTLSModule(m, d); tc != nil {
				r.tlsContexts = append(r.tlsContexts, tc)
				r.sources[Key("TLSContext", tc.Name, tc.Namespace)] = &Source{Key: Key("TLSContext", tc.Name, tc.Namespace), Kind: "TLSContext", Name: tc.Name, Namespace: tc.Namespace, Location: Key("Module", m.Name, m.Namespace)}
			}
		case m.Name != "ambassador":
			// Other modules are read by the features they shape.
		case r.module == nil:
			r.module = m
		default:
			d.Error(Key("Module", m.Name, m.Namespace), "a second ambassador Module is ignored; using %s", Key("Module", r.module.Name, r.module.Namespace))
		}
	}
	// Kinds the translator does not handle yet are reported, never
	// dropped silently.
	unsupported := func(kind string, objs []client.Object, ids func(client.Object) v3alpha1.AmbassadorID) {
		for _, o := range objs {
			if admit(kind, o, ids(o), "") {
				key := Key(kind, o.GetName(), o.GetNamespace())
				d.Error(key, "%s is an Ambassador Edge Stack resource, not supported: ignored", kind)
			}
		}
	}
	unsupported("DevPortal", objects(k.DevPortals), func(o client.Object) v3alpha1.AmbassadorID { return o.(*v3alpha1.DevPortal).Spec.AmbassadorID })

	for _, s := range k.Secrets {
		if !opts.SingleNamespace || s.Namespace == opts.Namespace {
			r.secrets = append(r.secrets, s)
		}
	}
	for _, u := range append(slices.Clone(snap.Invalid), snap.Warnings...) {
		key := GlobalKey
		if u.GetKind() != "" && u.GetName() != "" {
			key = Key(u.GetKind(), u.GetName(), firstNonEmpty(u.GetNamespace(), opts.Namespace))
		}
		msg, _ := u.Object["errors"].(string)
		d.Error(key, "%s", firstNonEmpty(msg, "invalid resource"))
	}
	return r
}

// legacyTLSModule reads the pre-Host `tls` Module: its server section
// becomes the TLSContext "server" (hosts ["*"], secret ambassador-certs
// by default), its client section that context's client-certificate
// checks, as Emissary reads it. Hosts may use it by name.
func legacyTLSModule(m *v3alpha1.Module, d *Diagnostics) *v3alpha1.TLSContext {
	var c struct {
		Server *struct {
			Enabled       *bool  `json:"enabled"`
			Secret        string `json:"secret"`
			ALPNProtocols string `json:"alpn_protocols"`
		} `json:"server"`
		Client *struct {
			Enabled      *bool  `json:"enabled"`
			Secret       string `json:"secret"`
			CertRequired *bool  `json:"cert_required"`
		} `json:"client"`
	}
	if err := m.Spec.Config.Decode(&c); err != nil {
		d.Error(Key("Module", m.Name, m.Namespace), "config: %v", err)
		return nil
	}
	if c.Server == nil || (c.Server.Enabled != nil && !*c.Server.Enabled) {
		return nil
	}
	tc := &v3alpha1.TLSContext{}
	tc.Name, tc.Namespace = "server", m.Namespace
	tc.Spec.Hosts = []string{"*"}
	tc.Spec.Secret = firstNonEmpty(c.Server.Secret, "ambassador-certs")
	tc.Spec.ALPNProtocols = c.Server.ALPNProtocols
	if cl := c.Client; cl != nil && (cl.Enabled == nil || *cl.Enabled) {
		tc.Spec.CASecret = cl.Secret
		tc.Spec.CertRequired = cl.CertRequired
	}
	return tc
}

func describeLocation(location string) string {
	if location == "" {
		return ""
	}
	return " (" + location + ")"
}

// objects turns a typed list into client.Objects.
func objects[T client.Object](list []T) []client.Object {
	out := make([]client.Object, len(list))
	for i, o := range list {
		out[i] = o
	}
	return out
}

// resolvers are the built-in resolvers plus those defined as resources.
func resolvers(r *resources) map[string]resolver {
	out := map[string]resolver{}
	for name, res := range builtinResolvers {
		out[name] = res
	}
	for _, x := range r.ksr {
		out[x.Name] = resolver{Kind: "KubernetesServiceResolver"}
	}
	for _, x := range r.ker {
		out[x.Name] = resolver{Kind: "KubernetesEndpointResolver"}
	}
	for _, x := range r.consul {
		out[x.Name] = resolver{Kind: "ConsulResolver", Datacenter: firstNonEmpty(x.Spec.Datacenter, "dc1")}
	}
	return out
}

// newMappings reads the Mappings on every core; the result, errors
// included, is the same as reading them in order.
func newMappings(list []*v3alpha1.Mapping, s Settings, opts Options, d *Diagnostics) []*Mapping {
	read := make([]*Mapping, len(list))
	inParallel(opts.Crew, len(list), d, func(i int, d *Diagnostics) {
		read[i] = newMapping(list[i], s, opts, d)
	})
	out := make([]*Mapping, 0, len(read))
	for _, m := range read {
		if m != nil {
			out = append(out, m)
		}
	}
	return out
}

// inParallel calls do for 0..n-1 on the crew's cores, a chunk at a
// time. Each chunk reports to its own Diagnostics, merged into d in chunk
// order, so that every resource's problems come out in the order a loop
// would give.
func inParallel(crew *parallel.Crew, n int, d *Diagnostics, do func(i int, d *Diagnostics)) {
	const chunk = 32
	chunks := (n + chunk - 1) / chunk
	diags := make([]*Diagnostics, chunks)
	crew.Each(chunks, func(c int) error {
		dc := newDiagnostics()
		for i := c * chunk; i < min((c+1)*chunk, n); i++ {
			do(i, dc)
		}
		diags[c] = dc
		return nil
	})
	for _, dc := range diags {
		d.merge(dc)
	}
}
