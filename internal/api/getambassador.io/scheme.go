package getambassador

import (
	"fmt"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/conversion"

	v1 "github.com/emissary-go/emissary/internal/api/getambassador.io/v1"
	v2 "github.com/emissary-go/emissary/internal/api/getambassador.io/v2"
	"github.com/emissary-go/emissary/internal/api/getambassador.io/v3alpha1"
)

// Group is the API group of every kind here.
const Group = "getambassador.io"

// HubVersion is the version every other one converts through, and the one
// the translator reads.
var HubVersion = v3alpha1.GroupVersion

// Versions are the served versions, oldest first.
var Versions = []schema.GroupVersion{v1.GroupVersion, v2.GroupVersion, v3alpha1.GroupVersion}

// NewScheme returns a scheme that knows every kind in every version.
func NewScheme() *runtime.Scheme {
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{v1.AddToScheme, v2.AddToScheme, v3alpha1.AddToScheme} {
		if err := add(s); err != nil {
			panic(err) // only a programming error (a kind registered twice) gets here
		}
	}
	return s
}

var scheme = NewScheme()

// ToHub returns obj, of any served version, as its v3alpha1 object.
func ToHub(obj client.Object) (client.Object, error) {
	if _, ok := obj.(conversion.Hub); ok {
		return obj, nil
	}
	spoke, ok := obj.(conversion.Convertible)
	if !ok {
		return nil, fmt.Errorf("%T is not a getambassador.io object", obj)
	}
	gvk, err := kindOf(obj)
	if err != nil {
		return nil, err
	}
	hub, err := newObject(HubVersion.WithKind(gvk.Kind))
	if err != nil {
		return nil, err
	}
	if err := spoke.ConvertTo(hub.(conversion.Hub)); err != nil {
		return nil, fmt.Errorf("converting %s %s/%s to %s: %w", gvk.Kind, obj.GetNamespace(), obj.GetName(), HubVersion, err)
	}
	hub.GetObjectKind().SetGroupVersionKind(HubVersion.WithKind(gvk.Kind))
	return hub, nil
}

// FromHub returns hub (a v3alpha1 object) converted to version gv.
func FromHub(hub client.Object, gv schema.GroupVersion) (client.Object, error) {
	gvk, err := kindOf(hub)
	if err != nil {
		return nil, err
	}
	if gv == HubVersion {
		return hub, nil
	}
	h, ok := hub.(conversion.Hub)
	if !ok {
		return nil, fmt.Errorf("%T is not a %s object", hub, HubVersion)
	}
	out, err := newObject(gv.WithKind(gvk.Kind))
	if err != nil {
		return nil, err
	}
	spoke, ok := out.(conversion.Convertible)
	if !ok {
		return nil, fmt.Errorf("%s %s is not convertible", gv, gvk.Kind)
	}
	if err := spoke.ConvertFrom(h); err != nil {
		return nil, fmt.Errorf("converting %s %s/%s to %s: %w", gvk.Kind, hub.GetNamespace(), hub.GetName(), gv, err)
	}
	out.GetObjectKind().SetGroupVersionKind(gv.WithKind(gvk.Kind))
	return out, nil
}

func kindOf(obj runtime.Object) (schema.GroupVersionKind, error) {
	gvks, _, err := scheme.ObjectKinds(obj)
	if err != nil {
		return schema.GroupVersionKind{}, err
	}
	return gvks[0], nil
}

func newObject(gvk schema.GroupVersionKind) (client.Object, error) {
	obj, err := scheme.New(gvk)
	if err != nil {
		return nil, fmt.Errorf("%s is not served: %w", gvk, err)
	}
	return obj.(client.Object), nil
}
