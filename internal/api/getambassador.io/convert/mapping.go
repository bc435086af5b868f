package convert

import "strings"

// Mapping-specific rules. The stored v2 form of a Mapping is shared with
// Emissary (it may have written what is in etcd), so these follow
// Emissary's conversion where it defined one.

// skipEmptyHost is what Emissary stores as v2 `host` for a v3alpha1
// Mapping with neither hostname nor host, since an empty v2 host would
// mean every host.
const skipEmptyHost = "_skip_mapping_with_empty_host_"

// mappingHost converts v2's host (exact, or a regex with host_regex) to
// v3alpha1's hostname (a DNS glob). A regex stays in v3alpha1's deprecated
// host/host_regex, and a v2 Mapping without host matches every host ("*").
func mappingHost() Rule {
	return Rule{
		Up: func(spec Object) error {
			if regex, _ := spec["host_regex"].(bool); regex {
				return nil
			}
			host, _ := spec["host"].(string)
			delete(spec, "host")
			switch host {
			case "":
				spec["hostname"] = "*"
			case skipEmptyHost:
			default:
				spec["hostname"] = host
			}
			return nil
		},
		Down: func(spec Object) error {
			hostname, _ := spec["hostname"].(string)
			delete(spec, "hostname")
			regex, _ := spec["host_regex"].(bool)
			switch {
			case hostname != "":
				spec["host"] = hostname
				if _, ok := spec["host_regex"]; ok {
					spec["host_regex"] = false
				}
			case regex:
			default:
				if host, _ := spec["host"].(string); host == "" {
					spec["host"] = skipEmptyHost
				}
			}
			return nil
		},
	}
}

// boolMatches converts v2's `headers` / `query_parameters` values, where
// `true` means "present with any value", into v3alpha1, which has only
// exact values (field) and regexes (regexField): true becomes the regex
// ".*" and its name is listed in listField so v2 gets `true` back. v2's
// `false` (and null) matched nothing extra and is dropped, as Emissary does.
func boolMatches(field, regexField, listField string) Rule {
	return Rule{
		Up: func(spec Object) error {
			values, ok := spec[field].(Object)
			if !ok {
				return nil
			}
			exact := Object{}
			var asBool []string
			for name, v := range values {
				switch v := v.(type) {
				case string:
					exact[name] = v
				case bool:
					if !v {
						continue
					}
					regexes, _ := spec[regexField].(Object)
					if regexes == nil {
						regexes = Object{}
						spec[regexField] = regexes
					}
					if _, taken := regexes[name]; !taken {
						regexes[name] = ".*"
					}
					asBool = append(asBool, name)
				case nil:
				default:
					exact[name] = v // not a v2 shape: decoding reports it
				}
			}
			delete(spec, field)
			if len(exact) > 0 {
				spec[field] = exact
			}
			if len(asBool) > 0 {
				spec[listField] = sortedStrings(asBool)
			}
			return nil
		},
		Down: func(spec Object) error {
			names, _ := spec[listField].([]any)
			delete(spec, listField)
			if len(names) == 0 {
				return nil
			}
			values, _ := spec[field].(Object)
			if values == nil {
				values = Object{}
				spec[field] = values
			}
			regexes, _ := spec[regexField].(Object)
			for _, n := range names {
				name, _ := n.(string)
				values[name] = true
				if regexes[name] == ".*" {
					delete(regexes, name)
				}
			}
			if regexes != nil && len(regexes) == 0 {
				delete(spec, regexField)
			}
			return nil
		},
	}
}

// addedHeaders converts add_request_headers / add_response_headers, whose
// v2 values are a string, a {value, append} object or null; v3alpha1 has
// only the object and records the v2 spelling in v2Representation.
func addedHeaders(field string) Rule {
	return Rule{
		Up: func(spec Object) error {
			headers, ok := spec[field].(Object)
			if !ok {
				return nil
			}
			for name, v := range headers {
				switch v := v.(type) {
				case string:
					headers[name] = Object{"value": v, "v2Representation": "string"}
				case nil:
					headers[name] = Object{"v2Representation": "null"}
				}
			}
			return nil
		},
		Down: func(spec Object) error {
			headers, ok := spec[field].(Object)
			if !ok {
				return nil
			}
			for name, v := range headers {
				h, ok := v.(Object)
				if !ok {
					continue
				}
				rep, _ := h["v2Representation"].(string)
				delete(h, "v2Representation")
				_, hasAppend := h["append"]
				value, _ := h["value"].(string)
				switch {
				case rep == "string" && !hasAppend:
					headers[name] = value
				case rep == "null" && !hasAppend && value == "":
					headers[name] = nil
				}
			}
			return nil
		},
	}
}

// corsOrigins converts v2's comma-separated origins string into a list.
func corsOrigins() Rule {
	return Rule{
		Up: func(spec Object) error {
			cors, _ := spec["cors"].(Object)
			if s, ok := cors["origins"].(string); ok {
				parts := strings.Split(s, ",")
				list := make([]any, len(parts))
				for i, p := range parts {
					list[i] = p
				}
				cors["origins"] = list
				cors["v2CommaSeparatedOrigins"] = true
			}
			return nil
		},
		Down: func(spec Object) error {
			cors, _ := spec["cors"].(Object)
			comma, _ := cors["v2CommaSeparatedOrigins"].(bool)
			delete(cors, "v2CommaSeparatedOrigins")
			if list, ok := cors["origins"].([]any); ok && comma {
				parts := make([]string, len(list))
				for i, p := range list {
					parts[i], _ = p.(string)
				}
				cors["origins"] = strings.Join(parts, ",")
			}
			return nil
		},
	}
}

// The rate-limit labels whose v2 shorthand is their own name.
var namedLabels = []string{"source_cluster", "destination_cluster", "remote_address"}

// mappingLabels converts rate-limit labels. v2 writes a label as a string
// (one of namedLabels, or any other string for a constant), as
// {generic_key: value, v3Key: key}, or as {<key>: {header, omit_if_not_present}};
// v3alpha1 names the kind of every label explicitly.
func mappingLabels() Rule {
	return Rule{
		Up: func(spec Object) error {
			return eachLabel(spec, func(label any) any {
				switch l := label.(type) {
				case nil:
					return Object{} // an empty specifier, as null had nothing in it
				case string:
					for _, named := range namedLabels {
						if l == named {
							return Object{named: Object{"key": named}}
						}
					}
					return Object{"generic_key": Object{"value": l, "v2Shorthand": true}}
				case Object:
					if value, ok := l["generic_key"]; ok {
						g := Object{"value": value}
						if key, ok := l["v3Key"]; ok {
							g["key"] = key
						}
						return Object{"generic_key": g}
					}
					if len(l) == 1 {
						for key, v := range l {
							h, ok := v.(Object)
							if !ok {
								break
							}
							out := Object{"key": key}
							if name, ok := h["header"]; ok {
								out["header_name"] = name
							}
							if omit, ok := h["omit_if_not_present"]; ok {
								out["omit_if_not_present"] = omit
							}
							return Object{"request_headers": out}
						}
					}
				}
				return label
			})
		},
		Down: func(spec Object) error {
			return eachLabel(spec, func(label any) any {
				l, ok := label.(Object)
				if !ok {
					return label
				}
				if len(l) == 0 {
					return nil
				}
				for _, named := range namedLabels {
					if _, ok := l[named]; ok {
						return named
					}
				}
				if g, ok := l["generic_key"].(Object); ok {
					if short, _ := g["v2Shorthand"].(bool); short {
						if _, hasKey := g["key"]; !hasKey {
							return g["value"]
						}
					}
					out := Object{"generic_key": g["value"]}
					if key, ok := g["key"]; ok {
						out["v3Key"] = key
					}
					return out
				}
				if h, ok := l["request_headers"].(Object); ok {
					key, _ := h["key"].(string)
					inner := Object{"header": h["header_name"]}
					if omit, ok := h["omit_if_not_present"]; ok {
						inner["omit_if_not_present"] = omit
					}
					return Object{key: inner}
				}
				return label
			})
		},
	}
}

// eachLabel rewrites every label of labels: {domain: [{group: [label]}]}.
func eachLabel(spec Object, rewrite func(any) any) error {
	domains, _ := spec["labels"].(Object)
	for _, groups := range domains {
		groupList, _ := groups.([]any)
		for _, group := range groupList {
			g, _ := group.(Object)
			for _, labels := range g {
				list, _ := labels.([]any)
				for i, label := range list {
					list[i] = rewrite(label)
				}
			}
		}
	}
	return nil
}

// hostSelector: v2's Host `selector` picks Mappings, which v3alpha1 calls
// mappingSelector (its own `selector` is a deprecated synonym).
func hostSelector() Rule {
	return Rule{
		Up: func(spec Object) error { movePath(spec, "selector", "mappingSelector"); return nil },
		Down: func(spec Object) error {
			if sel, ok := spec["mappingSelector"]; ok {
				delete(spec, "mappingSelector")
				spec["selector"] = sel
			}
			return nil
		},
	}
}

// hostDeprecatedAmbassadorID merges Host's old `ambassadorId` spelling
// into ambassador_id, as Emissary does.
func hostDeprecatedAmbassadorID() Rule {
	return Rule{Up: func(spec Object) error {
		old, ok := spec["ambassadorId"]
		if !ok {
			return nil
		}
		delete(spec, "ambassadorId")
		var ids []any
		switch v := spec["ambassador_id"].(type) {
		case []any:
			ids = v
		case string:
			ids = []any{v}
		}
		switch v := old.(type) {
		case []any:
			ids = append(ids, v...)
		case string:
			ids = append(ids, v)
		}
		if ids != nil {
			spec["ambassador_id"] = ids
		}
		return nil
	}}
}

// tracingTagHeaders: v2's tag_headers become v3alpha1 custom_tags taken
// from request headers, unless custom tags are given too (then tag_headers
// is ignored, as Emissary does).
func tracingTagHeaders() Rule {
	toTags := func(spec Object, target string) {
		headers, ok := spec["tag_headers"].([]any)
		if !ok {
			return
		}
		delete(spec, "tag_headers")
		if _, has := spec[target]; has {
			return
		}
		tags := make([]any, 0, len(headers))
		for _, h := range headers {
			tags = append(tags, Object{"tag": h, "request_header": Object{"name": h}})
		}
		spec[target] = tags
	}
	return Rule{
		// Down runs after custom_tags was renamed back, and turns the hub's
		// deprecated tag_headers into tags the same way.
		Up:   func(spec Object) error { toTags(spec, "v3CustomTags"); return nil },
		Down: func(spec Object) error { toTags(spec, "v3CustomTags"); return nil },
	}
}
