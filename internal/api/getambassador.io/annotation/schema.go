package annotation

import (
	"fmt"
	"slices"
	"sync"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	structuralpruning "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"

	getambassador "github.com/emissary-go/emissary/internal/api/getambassador.io"
)

// catalog is what the parser knows about getambassador.io kinds: their
// Go types and, for every served version, the CRD schema. It is built once
// from the embedded CRDs and only read afterwards.
type catalog struct {
	scheme  *runtime.Scheme
	schemas map[schema.GroupVersionKind]*versionSchema
	// kinds lists, by version, the kinds that version serves (sorted).
	kinds map[string][]string
}

// versionSchema is one kind's schema in one version, in the two forms the
// API server uses: structural (for pruning and defaulting) and OpenAPI (for
// validation).
type versionSchema struct {
	structural *structuralschema.Structural
	validator  validation.SchemaValidator
}

// defaultCatalog is built on first use: every Parse needs it and it never
// changes.
var defaultCatalog = sync.OnceValues(newCatalog)

func newCatalog() (*catalog, error) {
	crds, err := getambassador.CRDs()
	if err != nil {
		return nil, err
	}
	c := &catalog{
		scheme:  getambassador.NewScheme(),
		schemas: map[schema.GroupVersionKind]*versionSchema{},
		kinds:   map[string][]string{},
	}
	for _, crd := range crds {
		for _, v := range crd.Spec.Versions {
			if !v.Served {
				continue
			}
			gvk := schema.GroupVersionKind{Group: crd.Spec.Group, Version: v.Name, Kind: crd.Spec.Names.Kind}
			s, err := newVersionSchema(v.Schema)
			if err != nil {
				return nil, fmt.Errorf("CRD %s, version %s: %w", crd.Name, v.Name, err)
			}
			c.schemas[gvk] = s
			c.kinds[v.Name] = append(c.kinds[v.Name], gvk.Kind)
		}
	}
	for _, kinds := range c.kinds {
		slices.Sort(kinds)
	}
	return c, nil
}

func newVersionSchema(v *apiextv1.CustomResourceValidation) (*versionSchema, error) {
	if v == nil || v.OpenAPIV3Schema == nil {
		return nil, fmt.Errorf("no schema")
	}
	internal := &apiextensions.JSONSchemaProps{}
	if err := apiextv1.Convert_v1_JSONSchemaProps_To_apiextensions_JSONSchemaProps(v.OpenAPIV3Schema, internal, nil); err != nil {
		return nil, err
	}
	structural, err := structuralschema.NewStructural(internal)
	if err != nil {
		return nil, err
	}
	// As the API server does: defaults are applied pruned.
	if err := structuraldefaulting.PruneDefaults(structural); err != nil {
		return nil, err
	}
	validator, _, err := validation.NewSchemaValidator(internal)
	if err != nil {
		return nil, err
	}
	return &versionSchema{structural: structural, validator: validator}, nil
}

// admit does to obj what the API server does to a custom resource it is
// asked to create: prune the fields the schema does not know, drop nulls
// where the schema does not allow them, apply defaults, and validate.
// With strict, pruned fields are errors (the API server's
// fieldValidation=Strict); otherwise they are dropped silently.
func (s *versionSchema) admit(obj map[string]any, strict bool) (errs, unknown field.ErrorList) {
	pruned := structuralpruning.PruneWithOptions(obj, s.structural, true, structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: strict})
	for _, path := range pruned {
		unknown = append(unknown, unknownField(path))
	}
	structuraldefaulting.PruneNonNullableNullsWithoutDefaults(obj, s.structural)
	structuraldefaulting.Default(obj, s.structural)
	return validation.ValidateCustomResource(nil, obj, s.validator), unknown
}
