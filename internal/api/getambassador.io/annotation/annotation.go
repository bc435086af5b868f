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
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/emissary-go/emissary/internal/parallel"
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
// document order: a bad document never hides the good ones around it. A
// document whose only problem is unknown fields is both: its resource is
// returned without them, and its *Error (Kept) reports them.
//
// A resource's namespace defaults to parent's, and its labels to parent's
// when it has none of its own. apiVersion ambassador/vN means
// getambassador.io/vN.
func Parse(parent client.Object) ([]Resource, []error) {
	value, ok := parent.GetAnnotations()[Key]
	if !ok {
		return nil, nil
	}
	source := describe(parent) + ": annotation " + Key
	resources, others, errs := parseStream(source, value, parent)
	// Inside an annotation only getambassador.io resources make sense.
	for _, o := range others {
		errs = append(errs, &Error{Source: source, Document: o.Document, Line: o.Line, Kind: o.Kind, Fields: o.unsupported})
	}
	slices.SortStableFunc(errs, func(a, b error) int {
		return a.(*Error).Document - b.(*Error).Document
	})
	return resources, errs
}

// Other is a document of a file that is not a getambassador.io resource
// (a Service, a Secret, ...), left for the caller to read.
type Other struct {
	Document, Line int
	// APIVersion and Kind are the document's own.
	APIVersion, Kind string
	// JSON is the document converted to JSON.
	JSON []byte

	unsupported field.ErrorList
}

// ParseFile reads a YAML stream as `kubectl apply -f` would take it: the
// getambassador.io resources come back as v3alpha1 objects (a missing
// namespace becomes namespace), every other document comes back as an
// Other, and each bad document gets an error naming source, its number
// and its line.
func ParseFile(source string, data []byte, namespace string) ([]Resource, []Other, []error) {
	parent := &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{Namespace: namespace}}
	return parseStream(source, string(data), parent)
}

// parseStream reads every document of value; defaults come from parent.
func parseStream(source, value string, parent client.Object) ([]Resource, []Other, []error) {
	docs := splitDocuments(value)
	if len(docs) == 0 {
		return nil, nil, nil
	}
	c, err := defaultCatalog()
	if err != nil {
		// Only a broken build (embedded CRDs that do not load) gets here.
		return nil, nil, []error{fmt.Errorf("%s: %w", source, err)}
	}
	// Documents are independent, and reading one (YAML, schema, object)
	// takes tens of microseconds: a large stream is read on every core.
	type read struct {
		obj   client.Object
		other *Other
		bad   *Error
	}
	results := make([]read, len(docs))
	readDoc := func(i int) {
		results[i].obj, results[i].other, results[i].bad = c.resource(docs[i], parent)
	}
	if len(docs) >= 32 { // a Service's annotation is a few documents
		parallel.Each(len(docs), func(i int) error { readDoc(i); return nil })
	} else {
		for i := range docs {
			readDoc(i)
		}
	}
	var (
		resources []Resource
		others    []Other
		errs      []error
	)
	for i, doc := range docs {
		obj, other, bad := results[i].obj, results[i].other, results[i].bad
		if bad != nil {
			bad.Source, bad.Document, bad.Line = source, doc.number, doc.line
			errs = append(errs, bad)
		}
		switch {
		case bad != nil && !bad.Kept:
		case other != nil:
			other.Document, other.Line = doc.number, doc.line
			others = append(others, *other)
		case obj != nil:
			resources = append(resources, Resource{Object: obj, Document: doc.number, Line: doc.line})
		}
	}
	return resources, others, errs
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
