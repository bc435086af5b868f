package ir

import (
	"crypto/sha1"
	"encoding/hex"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/emissary-go/emissary/internal/api/getambassador.io/v3alpha1"
)

// Host is a hostname the gateway answers for, how (TLS or not), and what
// it does with insecure requests.
type Host struct {
	Key       string            `json:"key"`
	Name      string            `json:"name"`
	Namespace string            `json:"namespace"`
	Hostname  string            `json:"hostname"`
	Labels    map[string]string `json:"labels,omitempty"`
	// MappingSelector picks the Mappings this Host serves by label.
	MappingSelector map[string]string `json:"mapping_selector,omitempty"`
	// InsecureAction is what happens to a request that did not arrive
	// over TLS: Redirect (to https), Route, or Reject.
	InsecureAction string `json:"insecure_action"`
	// TLS terminates TLS for this Host; nil for cleartext only.
	TLS *TLSContext `json:"tls,omitempty"`
	// Implicit marks the default Host made when none are defined.
	Implicit bool `json:"implicit,omitempty"`
}

// SNI is the server name TLS clients send for this Host: its hostname
// without a port.
func (h *Host) SNI() string {
	if i := strings.LastIndex(h.Hostname, ":"); i >= 0 {
		return h.Hostname[:i]
	}
	return h.Hostname
}

// TLSContext is how TLS is terminated (or originated).
type TLSContext struct {
	Name         string     `json:"name"`
	Namespace    string     `json:"namespace"`
	Secret       *TLSSecret `json:"secret,omitempty"`
	CASecret     *TLSSecret `json:"ca_secret,omitempty"`
	CertRequired *bool      `json:"cert_required,omitempty"`
	ALPN         string     `json:"alpn_protocols,omitempty"`
	MinVersion   string     `json:"min_tls_version,omitempty"`
	MaxVersion   string     `json:"max_tls_version,omitempty"`
	CipherSuites []string   `json:"cipher_suites,omitempty"`
	ECDHCurves   []string   `json:"ecdh_curves,omitempty"`
	SNI          string     `json:"sni,omitempty"`
}

// TLSSecret is a certificate (and key) from a Kubernetes Secret. Envoy
// reads it from files that diagd writes, named by the content's hash so
// that a changed certificate is a changed path.
type TLSSecret struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
	Hash      string `json:"hash"`
	Cert      []byte `json:"-"`
	Key       []byte `json:"-"`
}

// Paths are where diagd writes the secret, under the snapshot directory.
func (s *TLSSecret) Paths(dir string) (cert, key string) {
	base := dir + "/" + s.Namespace + "/secrets-decoded/" + s.Name + "/" + s.Hash
	return base + ".crt", base + ".key"
}

// fallbackCert is the Secret the implicit default Host terminates TLS
// with, when it exists in the gateway's namespace.
const fallbackCert = "fallback-self-signed-cert"

// secretLookup finds TLS Secrets from the snapshot.
type secretLookup map[string]*corev1.Secret

func newSecretLookup(secrets []*corev1.Secret) secretLookup {
	m := secretLookup{}
	for _, s := range secrets {
		m[s.Namespace+"/"+s.Name] = s
	}
	return m
}

// tlsSecret returns the certificate Secret name in namespace, or nil.
func (l secretLookup) tlsSecret(name, namespace string) *TLSSecret {
	s, ok := l[namespace+"/"+name]
	if !ok {
		return nil
	}
	cert, key := s.Data[corev1.TLSCertKey], s.Data[corev1.TLSPrivateKeyKey]
	if len(cert) == 0 {
		return nil
	}
	h := sha1.New()
	h.Write(cert)
	h.Write(key)
	return &TLSSecret{Name: name, Namespace: namespace, Hash: strings.ToUpper(hex.EncodeToString(h.Sum(nil))), Cert: cert, Key: key}
}

// contextSecret resolves a TLSContext's secret reference: "name" in the
// context's namespace, or, with secret_namespacing (on by default),
// "name.namespace" split at the last dot.
func (l secretLookup) contextSecret(ref, namespace string, namespacing *bool) *TLSSecret {
	if namespacing == nil || *namespacing {
		if i := strings.LastIndex(ref, "."); i > 0 {
			return l.tlsSecret(ref[:i], ref[i+1:])
		}
	}
	return l.tlsSecret(ref, namespace)
}

// newHost reads a Host resource; nil (with errors) if unusable.
func newHost(h *v3alpha1.Host, contexts map[string]*v3alpha1.TLSContext, secrets secretLookup, d *Diagnostics) *Host {
	key := Key("Host", h.Name, h.Namespace)
	spec := &h.Spec
	if strings.ContainsAny(spec.Hostname, "\x00\r\n\t /") {
		d.Error(key, "hostname %q is not a host name: Host ignored", spec.Hostname)
		return nil
	}
	out := &Host{
		Key: key, Name: h.Name, Namespace: h.Namespace,
		Hostname:       firstNonEmpty(spec.Hostname, "*"),
		Labels:         h.Labels,
		InsecureAction: "Redirect",
	}
	out.MappingSelector = labelSelector(spec.MappingSelector)
	if out.MappingSelector == nil {
		out.MappingSelector = labelSelector(spec.Selector)
	}
	if rp := spec.RequestPolicy; rp != nil && rp.Insecure != nil && rp.Insecure.Action != "" {
		out.InsecureAction = string(rp.Insecure.Action)
	}
	if spec.TLSSecret == nil || spec.TLSSecret.Name == "" {
		return out
	}
	ns := firstNonEmpty(spec.TLSSecret.Namespace, h.Namespace)
	secret := secrets.tlsSecret(spec.TLSSecret.Name, ns)
	if secret == nil {
		d.Error(key, "tlsSecret %s.%s: no such Secret with a tls.crt", spec.TLSSecret.Name, ns)
		return nil
	}
	ctx := &TLSContext{Name: h.Name + "-context", Namespace: h.Namespace, Secret: secret}
	switch {
	case spec.TLS != nil && spec.TLSContext != nil:
		d.Error(key, "tls and tlsContext cannot both be set")
		return nil
	case spec.TLSContext != nil:
		tc, ok := contexts[h.Namespace+"/"+spec.TLSContext.Name]
		if !ok {
			d.Error(key, "tlsContext %s: no such TLSContext", spec.TLSContext.Name)
			return nil
		}
		if tc.Spec.Secret != "" {
			other := secrets.contextSecret(tc.Spec.Secret, tc.Namespace, tc.Spec.SecretNamespacing)
			if other == nil || other.Hash != secret.Hash {
				d.Error(key, "tlsContext %s uses secret %s, not the Host's tlsSecret %s", tc.Name, tc.Spec.Secret, spec.TLSSecret.Name)
				return nil
			}
		}
		if len(tc.Spec.Hosts) > 0 && !slices.Contains(tc.Spec.Hosts, out.Hostname) && !slices.Contains(tc.Spec.Hosts, h.Name) {
			d.Error(key, "tlsContext %s does not list hostname %s in its hosts (used anyway)", tc.Name, out.Hostname)
		}
		ctx.Name = tc.Name
		applyTLSContext(ctx, &tc.Spec, secrets)
	case spec.TLS != nil:
		t := spec.TLS
		ctx.ALPN = t.ALPNProtocols
		ctx.MinVersion, ctx.MaxVersion = string(t.MinTLSVersion), string(t.MaxTLSVersion)
		ctx.CipherSuites, ctx.ECDHCurves = t.CipherSuites, t.ECDHCurves
		ctx.CertRequired = t.CertRequired
		if t.CASecret != "" {
			ctx.CASecret = secrets.tlsSecret(t.CASecret, h.Namespace)
			if ctx.CASecret == nil {
				d.Error(key, "tls.ca_secret %s: no such Secret", t.CASecret)
				return nil
			}
		}
	default:
		if tc, ok := contexts[h.Namespace+"/"+h.Name+"-context"]; ok {
			applyTLSContext(ctx, &tc.Spec, secrets)
		}
	}
	from := "tlsContext " + ctx.Name + ": "
	if spec.TLS != nil {
		from = "tls: "
	}
	ctx.leaveOutRefusedTLSParameters(key, from, d)
	out.TLS = ctx
	return out
}

// applyTLSContext copies a TLSContext's settings (not its secret: the
// Host's tlsSecret is the certificate).
func applyTLSContext(ctx *TLSContext, spec *v3alpha1.TLSContextSpec, secrets secretLookup) {
	ctx.ALPN = spec.ALPNProtocols
	ctx.MinVersion, ctx.MaxVersion = string(spec.MinTLSVersion), string(spec.MaxTLSVersion)
	ctx.CipherSuites, ctx.ECDHCurves = spec.CipherSuites, spec.ECDHCurves
	ctx.CertRequired = spec.CertRequired
	ctx.SNI = spec.SNI
	if spec.CASecret != "" {
		ctx.CASecret = secrets.contextSecret(spec.CASecret, ctx.Namespace, spec.SecretNamespacing)
	}
}

// serves reports whether the Host serves the Mapping, by hostname and by
// label, as Emissary does: a Mapping with no hostname needs the Host's
// mappingSelector to pick it.
func (h *Host) ServesMapping(m *Mapping) bool {
	if m.Internal || m.HostRegex != "" {
		return true
	}
	byName := m.Hostname != "" && hostGlobsOverlap(h.Hostname, m.Hostname)
	bySelector := len(h.MappingSelector) > 0 && selectorMatches(h.MappingSelector, m.Labels)
	switch {
	case len(h.MappingSelector) > 0 && m.Hostname != "":
		return byName && bySelector
	case len(h.MappingSelector) > 0:
		return bySelector
	case m.Hostname != "":
		return byName
	default:
		return false
	}
}

// hostGlobsOverlap reports whether some name matches both DNS globs, where
// a "*" stands for at least one character.
func hostGlobsOverlap(a, b string) bool {
	if a == b || a == "*" || b == "*" {
		return true
	}
	if strings.HasPrefix(a, ".") || strings.HasPrefix(b, ".") {
		return false
	}
	aStart, aEnd := strings.HasPrefix(a, "*"), strings.HasSuffix(a, "*")
	bStart, bEnd := strings.HasPrefix(b, "*"), strings.HasSuffix(b, "*")
	switch {
	case (aStart && aEnd) || (bStart && bEnd):
		return false
	case (aStart && bEnd) || (aEnd && bStart):
		return true
	case aStart && bStart:
		return strings.HasSuffix(a[1:], b[1:]) || strings.HasSuffix(b[1:], a[1:])
	case aEnd && bEnd:
		return strings.HasPrefix(a[:len(a)-1], b[:len(b)-1]) || strings.HasPrefix(b[:len(b)-1], a[:len(a)-1])
	case aStart:
		return len(b) > len(a)-1 && strings.HasSuffix(b, a[1:])
	case bStart:
		return len(a) > len(b)-1 && strings.HasSuffix(a, b[1:])
	case aEnd:
		return len(b) > len(a)-1 && strings.HasPrefix(b, a[:len(a)-1])
	case bEnd:
		return len(a) > len(b)-1 && strings.HasPrefix(a, b[:len(b)-1])
	}
	return false
}
