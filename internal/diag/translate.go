package diag

import (
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/emissary-go/emissary/internal/diag/envoy"
	"github.com/emissary-go/emissary/internal/diag/ir"
	"github.com/emissary-go/emissary/internal/gcburst"
	"github.com/emissary-go/emissary/internal/parallel"
	"github.com/emissary-go/emissary/internal/snapshot"
	"github.com/emissary-go/emissary/internal/xds"
)

// Output is everything one translation produces, serialized.
type Output struct {
	IR     *ir.IR
	Config *envoy.Config

	// The files Envoy and ambex read, by name. The diagnostics files
	// (IRJSON, AConfJSON) are made on demand: a reconfiguration need not
	// wait for them.
	BootstrapJSON  []byte         // bootstrap-ads.json
	Envoy          *envoy.JSONDoc // envoy/envoy.json, in pieces
	ClusterMapJSON []byte         // clustermap.json
}

// EnvoyJSON is envoy/envoy.json in one slice (made on each call; files
// are written from Envoy directly).
func (o *Output) EnvoyJSON() []byte {
	if o.Envoy == nil {
		return nil
	}
	return o.Envoy.Bytes()
}

// IRJSON is snapshots/ir.json: the IR, compact (it is large, and read by
// tools).
func (o *Output) IRJSON() ([]byte, error) { return marshalCompact(o.IR) }

// XDSBinary is envoy.pb: the configuration split for xDS, in protobuf,
// naming the envoy.json it goes with (see package xds). ambex reads it
// instead of envoy.json when the two belong together, many times faster.
func (o *Output) XDSBinary() ([]byte, error) {
	r, err := xds.Split(o.Config.Listeners, o.Config.Clusters, o.Config.HCM)
	if err != nil {
		return nil, err
	}
	return xds.AppendBinaryFor(nil, r, o.Envoy.Len(), o.Envoy.Checksum())
}

// AConfJSON is snapshots/aconf.json: every source resource with its
// errors and notices.
func (o *Output) AConfJSON() ([]byte, error) { return marshalIndent(aconf(o.IR)) }

// TranslateOptions configure a translation.
type TranslateOptions struct {
	IR    ir.Options
	Envoy envoy.Options
}

// Translate turns a snapshot into Envoy configuration. Problems with
// individual resources are in the IR's diagnostics and do not fail it; an
// error means the generated configuration itself is invalid (and must not
// be written).
func Translate(snap *snapshot.Snapshot, opts TranslateOptions) (*Output, error) {
	defer gcburst.Begin()()
	// The crew's helpers wake while the IR's first, serial steps run.
	crew := parallel.StartCrew()
	defer crew.Stop()
	opts.IR.Crew, opts.Envoy.Crew = crew, crew
	x := ir.Build(snap, opts.IR)
	out := &Output{IR: x}
	// clustermap.json reads only the IR: it is written while the
	// configuration is built, on a core the routes leave idle.
	side := crew.Group()
	side.Go(func() error {
		out.ClusterMapJSON = clusterMapJSON(clusterMap(x))
		return nil
	})
	cfg, err := envoy.Build(x, opts.Envoy)
	if err != nil {
		side.Wait()
		return &Output{IR: x}, err
	}
	for _, p := range cfg.Dropped {
		x.Diagnostics.Error(p.Key, "%s", p.Message)
		if s, ok := x.Sources[p.Key]; ok {
			s.Errors = x.Diagnostics.Errors[p.Key]
		}
	}
	// Validation and serialization only read the configuration; on a
	// multi-core machine they run side by side.
	g := crew.Group()
	g.Go(func() error {
		if err := envoy.Validate(cfg); err != nil {
			return fmt.Errorf("generated configuration is invalid: %w", err)
		}
		return nil
	})
	g.Go(func() (err error) {
		out.Envoy, err = cfg.EnvoyJSONDoc()
		return err
	})
	g.Go(func() (err error) {
		out.BootstrapJSON, err = cfg.BootstrapJSON()
		return err
	})
	side.Wait()
	if err := g.Wait(); err != nil {
		// Nothing of an invalid configuration may be written.
		return &Output{IR: x}, err
	}
	out.Config = cfg
	return out, nil
}

// aconf is the parsed configuration as diagnostics show it: every source
// resource, and the errors and notices by resource key.
func aconf(x *ir.IR) any {
	// Errors take Emissary's shape, {"ok": false, "error": ...}, so that
	// tools reading aconf.json keep working.
	type status struct {
		OK    bool   `json:"ok"`
		Error string `json:"error"`
	}
	errs := map[string][]status{}
	for key, list := range x.Diagnostics.Errors {
		for _, e := range list {
			errs[key] = append(errs[key], status{Error: e})
		}
	}
	return map[string]any{
		"_errors":  errs,
		"_notices": x.Diagnostics.Notices,
		"_sources": x.Sources,
	}
}

// clusterMap says, per Envoy cluster, where its endpoints come from.
func clusterMap(x *ir.IR) map[string]clusterSource {
	out := make(map[string]clusterSource, len(x.Clusters))
	for _, c := range x.Clusters {
		entry := clusterSource{Kind: c.ResolverKind, Service: c.Service, EndpointPath: c.EDSName}
		switch c.ResolverKind {
		case "ConsulResolver":
			entry.Datacenter = &c.Datacenter
		default:
			entry.Namespace, entry.Port = &c.Namespace, &c.Port
		}
		out[c.EnvoyName] = entry
	}
	return out
}

// clusterMapJSON is clustermap.json: what json.MarshalIndent writes for
// the map (TestClusterMapJSONIsMarshalIndent holds the two equal), written
// directly because reflection made it a tenth of a large reconfiguration.
func clusterMapJSON(m map[string]clusterSource) []byte {
	if len(m) == 0 {
		return []byte("{}\n")
	}
	b := make([]byte, 0, 200*len(m))
	b = append(b, '{')
	for i, name := range slices.Sorted(maps.Keys(m)) {
		if i > 0 {
			b = append(b, ',')
		}
		c := m[name]
		b = append(b, "\n  "...)
		b = appendJSONString(b, name)
		b = append(b, ": {"...)
		field := func(key string) {
			if b[len(b)-1] != '{' {
				b = append(b, ',')
			}
			b = append(b, "\n    \""...)
			b = append(b, key...)
			b = append(b, "\": "...)
		}
		if c.Datacenter != nil {
			field("datacenter")
			b = appendJSONString(b, *c.Datacenter)
		}
		if c.EndpointPath != "" {
			field("endpoint_path")
			b = appendJSONString(b, c.EndpointPath)
		}
		field("kind")
		b = appendJSONString(b, c.Kind)
		if c.Namespace != nil {
			field("namespace")
			b = appendJSONString(b, *c.Namespace)
		}
		if c.Port != nil {
			field("port")
			b = strconv.AppendInt(b, int64(*c.Port), 10)
		}
		field("service")
		b = appendJSONString(b, c.Service)
		b = append(b, "\n  }"...)
	}
	return append(b, "\n}\n"...)
}

// appendJSONString appends s as encoding/json writes it: plain printable
// ASCII as it is, anything else (quotes, controls, <>&, non-ASCII) by
// encoding/json itself.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if jsonEscapes[s[i]] {
			q, _ := json.Marshal(s) // a string always marshals
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// jsonEscapes are the bytes encoding/json does not write as they are:
// control characters, quotes, backslashes, what HTML gives meaning to,
// and all outside ASCII (checked whole by json.Marshal).
var jsonEscapes = func() (t [256]bool) {
	for c := range t {
		t[c] = c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&'
	}
	return t
}()

// clusterSource is one clustermap.json entry; its fields are in key
// order, as a map's would be.
type clusterSource struct {
	Datacenter   *string `json:"datacenter,omitempty"`
	EndpointPath string  `json:"endpoint_path,omitempty"`
	Kind         string  `json:"kind"`
	Namespace    *string `json:"namespace,omitempty"`
	Port         *int    `json:"port,omitempty"`
	Service      string  `json:"service"`
}

func marshalCompact(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

func marshalIndent(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// WriteFiles writes the outputs under dir as Emissary lays them out:
// bootstrap-ads.json, clustermap.json, envoy/envoy.json and
// snapshots/{ir,aconf}.json, plus the TLS certificates Envoy reads under
// secretDir (where the configuration says they are).
func (o *Output) WriteFiles(dir, secretDir string) error {
	if err := o.WriteSecrets(secretDir); err != nil {
		return err
	}
	irJSON, err := o.IRJSON()
	if err != nil {
		return err
	}
	aconfJSON, err := o.AConfJSON()
	if err != nil {
		return err
	}
	files := map[string][]byte{
		"bootstrap-ads.json":   o.BootstrapJSON,
		"clustermap.json":      o.ClusterMapJSON,
		"envoy/envoy.json":     o.EnvoyJSON(),
		"snapshots/ir.json":    irJSON,
		"snapshots/aconf.json": aconfJSON,
	}
	for name, data := range files {
		if data == nil {
			continue
		}
		if err := writeFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// WriteSecrets writes the TLS certificates and keys the configuration
// names, where it names them (under secretDir). Their names hold their
// content's hash, so unchanged ones are left alone.
func (o *Output) WriteSecrets(secretDir string) error {
	for _, s := range o.IR.Secrets {
		cert, key := s.Paths(secretDir)
		if _, err := writeIfChanged(cert, s.Cert, 0o600); err != nil {
			return err
		}
		if _, err := writeIfChanged(key, s.Key, 0o600); err != nil {
			return err
		}
	}
	return nil
}
