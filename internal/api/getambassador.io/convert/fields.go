package convert

import (
	"slices"
	"strings"
)

// Rules shared by several kinds. Field names are JSON names; a dotted
// path ("tls.v3CRLSecret") names a field inside an object.

// Rename moves a field that only changed its name: v2 keeps several
// v3alpha1 fields under a "v3" prefixed name (v3StatsName for stats_name).
func Rename(spoke, hub string) Rule {
	return Rule{
		Up:   func(spec Object) error { movePath(spec, spoke, hub); return nil },
		Down: func(spec Object) error { movePath(spec, hub, spoke); return nil },
	}
}

// StringToList turns v2's single-string shorthand for a list into the list
// v3alpha1 requires. The hub's list stays a list going down: both shapes
// mean the same to v2.
func StringToList(path string) Rule {
	return Rule{Up: func(spec Object) error {
		if s, ok := getPath(spec, path); ok {
			if str, ok := s.(string); ok {
				setPath(spec, path, []any{str})
			}
		}
		return nil
	}}
}

// ambassadorIDMangle is the prefix Emissary puts on every ambassador_id of
// an object it stores in v2 after receiving it as v3alpha1, so that 1.x
// instances reading v2 do not act on it. Objects stored that way are in
// our users' etcd, so going up it is removed. Going down we do not add it:
// nothing we run reads v2, and a round trip stays exact.
const ambassadorIDMangle = "--apiVersion-v3alpha1-only--"

// AmbassadorID accepts v2's string-or-list and Emissary's mangled ids.
func AmbassadorID() Rule {
	return Rule{Up: func(spec Object) error {
		ids, ok := spec["ambassador_id"]
		if !ok {
			return nil
		}
		var list []any
		switch v := ids.(type) {
		case string:
			list = []any{v}
		case []any:
			list = v
		default:
			return nil // null stays null; anything else fails decoding, with its type
		}
		out := make([]any, len(list))
		for i, id := range list {
			if s, ok := id.(string); ok {
				id = strings.TrimPrefix(s, ambassadorIDMangle)
			}
			out[i] = id
		}
		spec["ambassador_id"] = out
		return nil
	}}
}

// v2ExplicitTLS values: how v2 spelled `tls` when v3alpha1 has no tls
// field value for it (v3alpha1's tls only names a TLSContext).
const (
	explicitTLSNull      = "null"
	explicitTLSTrue      = "bool:true"
	explicitTLSFalse     = "bool:false"
	explicitTLSEmptyName = "string"
)

// TLSOrigination converts how a service asks for TLS to its upstream. In
// v2, `tls: true` (or a TLSContext name) originates TLS whatever the
// service's scheme; in v3alpha1, TLS is asked for with an https:// service
// and `tls` only names a TLSContext. v2ExplicitTLS records v2's spelling
// (and the scheme the service had) so v2 gets back what it wrote.
// serviceField names the field holding the service (service, auth_service).
// allowScheme is false for TCPMapping, whose v2 service never had one.
func TLSOrigination(serviceField string, allowScheme bool) Rule {
	return Rule{
		Up: func(spec Object) error {
			tls, hasTLS := spec["tls"]
			if !hasTLS {
				return nil
			}
			delete(spec, "tls")
			explicit := Object{}
			switch v := tls.(type) {
			case string:
				if v != "" {
					spec["tls"] = v // a TLSContext name means the same in both
					return nil
				}
				explicit["tls"] = explicitTLSEmptyName
			case bool:
				if !v {
					explicit["tls"] = explicitTLSFalse
					break
				}
				explicit["tls"] = explicitTLSTrue
				svc, _ := spec[serviceField].(string)
				scheme, bare := splitScheme(svc)
				if allowScheme && !strings.EqualFold(scheme, "https://") {
					explicit["serviceScheme"] = scheme
					spec[serviceField] = "https://" + bare
				}
			case nil:
				explicit["tls"] = explicitTLSNull
			default:
				spec["tls"] = v // not a v2 shape: let decoding report it
				return nil
			}
			spec["v2ExplicitTLS"] = explicit
			return nil
		},
		Down: func(spec Object) error {
			explicit, _ := spec["v2ExplicitTLS"].(Object)
			delete(spec, "v2ExplicitTLS")
			if name, ok := spec["tls"].(string); ok && name != "" {
				return nil
			}
			delete(spec, "tls")
			// explicitTLSNull needs nothing: v2's types read `tls: null` as
			// no tls at all, so that is what it becomes.
			switch explicit["tls"] {
			case explicitTLSFalse:
				spec["tls"] = false
			case explicitTLSEmptyName:
				spec["tls"] = ""
			case explicitTLSTrue:
				spec["tls"] = true
				if scheme, ok := explicit["serviceScheme"].(string); ok && allowScheme {
					svc, _ := spec[serviceField].(string)
					_, bare := splitScheme(svc)
					spec[serviceField] = scheme + bare
				}
			}
			return nil
		},
	}
}

// splitScheme separates an http:// or https:// prefix (any case) from a
// service.
func splitScheme(svc string) (scheme, bare string) {
	for _, s := range []string{"https://", "http://"} {
		if len(svc) >= len(s) && strings.EqualFold(svc[:len(s)], s) {
			return svc[:len(s)], svc[len(s):]
		}
	}
	return "", svc
}

// Paths name nested fields with dots: "cors.origins".

func getPath(obj Object, path string) (any, bool) {
	parts := strings.Split(path, ".")
	for _, p := range parts[:len(parts)-1] {
		next, ok := obj[p].(Object)
		if !ok {
			return nil, false
		}
		obj = next
	}
	v, ok := obj[parts[len(parts)-1]]
	return v, ok
}

func setPath(obj Object, path string, v any) {
	parts := strings.Split(path, ".")
	for _, p := range parts[:len(parts)-1] {
		next, ok := obj[p].(Object)
		if !ok {
			next = Object{}
			obj[p] = next
		}
		obj = next
	}
	obj[parts[len(parts)-1]] = v
}

func deletePath(obj Object, path string) {
	parts := strings.Split(path, ".")
	for _, p := range parts[:len(parts)-1] {
		next, ok := obj[p].(Object)
		if !ok {
			return
		}
		obj = next
	}
	delete(obj, parts[len(parts)-1])
}

// movePath renames a field, leaving the object alone when it is absent.
func movePath(obj Object, from, to string) {
	if v, ok := getPath(obj, from); ok {
		deletePath(obj, from)
		setPath(obj, to, v)
	}
}

// sortedStrings returns a JSON list of the keys, sorted, for determinism.
func sortedStrings(keys []string) []any {
	slices.Sort(keys)
	out := make([]any, len(keys))
	for i, k := range keys {
		out[i] = k
	}
	return out
}
