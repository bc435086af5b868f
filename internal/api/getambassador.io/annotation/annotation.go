// Package annotation reads the getambassador.io/config annotation that
// Emissary users put on Services and Ingresses: a YAML stream of
// getambassador.io resources, written flat (name, namespace and the spec
// fields side by side at the top level) or structured (metadata and spec
// maps), in any served version.
//
// Every document is held to what the API server would demand of the same
// resource created on its own: its version's CRD schema, with unknown
// fields an error in v3alpha1. What passes comes back as a v3alpha1
// object; each document that does not gets an error saying where it is.
package annotation

import (
	"fmt"
	"reflect"

	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Key is the annotation holding the resources.
const Key = "getambassador.io/config"

// Resource is one resource read from an annotation.
type Resource struct {
	// Object is the resource as v3alpha1, whatever version it was
	// written in.
	Object client.Object
	// Document is the resource's document number in the annotation
	// (from 1) and Line the line, within the annotation value, where it
	// starts.
	Document int
	Line     int
}

// Parse reads parent's getambassador.io/config annotation. It returns the
// resources of the valid documents and one *Error per invalid one, both in
// document order: a bad document never hides the good ones around it.
//
// A resource's namespace defaults to parent's, and its labels to parent's
// when it has none of its own. apiVersion ambassador/vN means
// getambassador.io/vN.
func Parse(parent client.Object) ([]Resource, []error) {
	value, ok := parent.GetAnnotations()[Key]
	if !ok {
		return nil, nil
	}
	docs := splitDocuments(value)
	if len(docs) == 0 {
		return nil, nil
	}
	c, err := defaultCatalog()
	if err != nil {
		// Only a broken build (embedded CRDs that do not load) gets here.
		return nil, []error{fmt.Errorf("%s: annotation %s: %w", describe(parent), Key, err)}
	}
	var (
		resources []Resource
		errs      []error
	)
	for _, doc := range docs {
		obj, bad := c.resource(doc, parent)
		switch {
		case bad != nil:
			bad.Parent, bad.Document, bad.Line = describe(parent), doc.number, doc.line
			errs = append(errs, bad)
		case obj != nil:
			resources = append(resources, Resource{Object: obj, Document: doc.number, Line: doc.line})
		}
	}
	return resources, errs
}

// SnapshotKey is the key Emissary files an object's annotation resources
// under: Kind/name.namespace, as "Service/quote.default".
func SnapshotKey(parent client.Object) string {
	return kindOf(parent) + "/" + parent.GetName() + "." + parent.GetNamespace()
}

// describe names parent in errors: "Service quote.default".
func describe(parent client.Object) string {
	return kindOf(parent) + " " + parent.GetName() + "." + parent.GetNamespace()
}

// kindOf returns obj's kind: its GVK's when set (objects from a client
// often have none), else its Go type's name, which is the kind for every
// Kubernetes type (corev1.Service is Service).
func kindOf(obj client.Object) string {
	if kind := obj.GetObjectKind().GroupVersionKind().Kind; kind != "" {
		return kind
	}
	t := reflect.TypeOf(obj)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Name()
}
