package annotation

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Error is what is wrong with one document of an annotation or a file. Its
// message says where, as in
//
//	Service quote.default: annotation getambassador.io/config, document 2 (line 7): Mapping quote-backend: spec.prefix: Required value
//	examples/mappings.yaml, document 3 (line 12): Mapping quote: spec.service: Required value
type Error struct {
	// Source is where the stream came from: "Service quote.default:
	// annotation getambassador.io/config", or a file name.
	Source string
	// Document is the document's number in the annotation (from 1) and
	// Line the line, within the annotation value, where it starts.
	Document int
	Line     int
	// Kind and Name are the resource's, when the document got far enough
	// to say them.
	Kind string
	Name string
	// Fields are the problems with individual fields, as the API server
	// would report them. Err is set instead when the document as a whole
	// could not be read (malformed YAML) or converted.
	Fields field.ErrorList
	Err    error
	// Kept says the resource was still used: only unknown fields, which
	// were dropped, are wrong with it.
	Kept bool
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s, document %d (line %d): ", e.Source, e.Document, e.Line)
	if e.Kind != "" {
		b.WriteString(e.Kind)
		if e.Name != "" {
			b.WriteString(" " + e.Name)
		}
		b.WriteString(": ")
	}
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	}
	for i, f := range e.Fields {
		if i > 0 || e.Err != nil {
			b.WriteString("; ")
		}
		b.WriteString(f.Error())
	}
	return b.String()
}

// Unwrap gives errors.Is and errors.As the field errors and the cause.
func (e *Error) Unwrap() []error {
	var errs []error
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	for _, f := range e.Fields {
		errs = append(errs, f)
	}
	return errs
}
