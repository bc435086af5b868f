// Package getambassador holds the getambassador.io API, the resources
// Emissary users already have in their clusters, in every version Emissary
// serves: v1 and v2 (v2 is the storage version, as in Emissary) and
// v3alpha1 (the hub that conversions go through, and what the translator
// reads). build/crds.yaml is generated from these types by `make generate`.
package getambassador
