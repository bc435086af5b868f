package snapshot

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	sigsjson "sigs.k8s.io/json"

	"github.com/emissary-go/emissary/internal/api/getambassador.io/annotation"
	"github.com/emissary-go/emissary/internal/api/getambassador.io/v3alpha1"
)

// FromFiles builds a snapshot from YAML (or JSON) files and directories,
// as a user would `kubectl apply -f` them: files mode, no cluster. A
// resource without a namespace gets namespace. Directories are read
// recursively in name order, skipping hidden entries (which also skips
// the ..data links of a mounted ConfigMap, whose files are seen through
// their visible links). Resources that cannot be read are listed in
// Invalid with their errors; only failing to read a file is an error.
func FromFiles(paths []string, namespace string) (*Snapshot, error) {
	return (*FileCache)(nil).FromFiles(paths, namespace)
}

// FileCache remembers what each file's content parsed to, so that a tree
// read again after one file changed parses only that file: parsing and
// schema-checking YAML is most of reading a large tree. Not for use by
// several goroutines at once.
type FileCache struct {
	files map[string]parsedFile
}

type parsedFile struct {
	namespace string
	data      []byte
	resources []annotation.Resource
	others    []annotation.Other
	errs      []error
}

// FromFiles is FromFiles, reusing what the cache parsed before (a nil
// cache parses everything). The snapshot's objects are the snapshot's
// own: cached ones are copied.
func (c *FileCache) FromFiles(paths []string, namespace string) (*Snapshot, error) {
	files, err := yamlFiles(paths)
	if err != nil {
		return nil, err
	}
	s := newSnapshot()
	kept := map[string]parsedFile{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		p, ok := c.lookup(f, data, namespace)
		if !ok {
			p = parsedFile{namespace: namespace, data: data}
			p.resources, p.others, p.errs = annotation.ParseFile(f, data, namespace)
		}
		if c == nil {
			s.addParsed(f, namespace, p) // nobody else holds these objects
			continue
		}
		// The cache keeps its own objects: snapshots may change theirs.
		kept[f] = p
		s.addParsed(f, namespace, p.copy())
	}
	if c != nil {
		c.files = kept // files gone from the tree are forgotten
	}
	s.readAnnotations()
	return s, nil
}

func (c *FileCache) lookup(f string, data []byte, namespace string) (parsedFile, bool) {
	if c == nil {
		return parsedFile{}, false
	}
	p, ok := c.files[f]
	return p, ok && p.namespace == namespace && bytes.Equal(p.data, data)
}

// copy is p with its objects copied (Other documents are JSON, and
// decoded afresh by each snapshot).
func (p parsedFile) copy() parsedFile {
	resources := make([]annotation.Resource, len(p.resources))
	for i, r := range p.resources {
		r.Object = r.Object.DeepCopyObject().(client.Object)
		resources[i] = r
	}
	p.resources = resources
	return p
}

// FromYAML builds a snapshot from one YAML stream; source names it in
// errors.
func FromYAML(source string, data []byte, namespace string) *Snapshot {
	s := newSnapshot()
	s.addFile(source, data, namespace)
	s.readAnnotations()
	return s
}

func newSnapshot() *Snapshot {
	return &Snapshot{Kubernetes: &Kubernetes{Annotations: map[string]AnnotationList{}}, Consul: &Consul{}}
}

// addFile reads one file's documents into the snapshot.
func (s *Snapshot) addFile(f string, data []byte, namespace string) {
	var p parsedFile
	p.resources, p.others, p.errs = annotation.ParseFile(f, data, namespace)
	s.addParsed(f, namespace, p)
}

// addParsed adds one file's parsed documents to the snapshot.
func (s *Snapshot) addParsed(f, namespace string, p parsedFile) {
	for _, r := range p.resources {
		s.Kubernetes.add(r.Object)
	}
	for _, o := range p.others {
		if err := s.Kubernetes.addOther(o, namespace); err != nil {
			s.invalid(o.APIVersion, o.Kind, "", "", fmt.Errorf("%s, document %d (line %d): %w", f, o.Document, o.Line, err))
		}
	}
	for _, e := range p.errs {
		var bad *annotation.Error
		switch {
		case errors.As(e, &bad) && bad.Kept:
			s.Warnings = append(s.Warnings, problem("", bad.Kind, bad.Name, namespace, e))
		case bad != nil:
			s.invalid("", bad.Kind, bad.Name, namespace, e)
		default:
			s.invalid("", "", "", namespace, e)
		}
	}
}

// yamlFiles expands paths into the files to read, in a stable order.
func yamlFiles(paths []string) ([]string, error) {
	var files []string
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			files = append(files, p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if path != p && strings.HasPrefix(d.Name(), ".") {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.IsDir() {
				return nil
			}
			switch strings.ToLower(filepath.Ext(path)) {
			case ".yaml", ".yml", ".json":
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return files, nil
}

// add files a v3alpha1 resource under its kind.
func (k *Kubernetes) add(obj any) {
	switch o := obj.(type) {
	case *v3alpha1.Listener:
		k.Listeners = append(k.Listeners, o)
	case *v3alpha1.Host:
		k.Hosts = append(k.Hosts, o)
	case *v3alpha1.Mapping:
		k.Mappings = append(k.Mappings, o)
	case *v3alpha1.TCPMapping:
		k.TCPMappings = append(k.TCPMappings, o)
	case *v3alpha1.Module:
		k.Modules = append(k.Modules, o)
	case *v3alpha1.TLSContext:
		k.TLSContexts = append(k.TLSContexts, o)
	case *v3alpha1.AuthService:
		k.AuthServices = append(k.AuthServices, o)
	case *v3alpha1.RateLimitService:
		k.RateLimitServices = append(k.RateLimitServices, o)
	case *v3alpha1.LogService:
		k.LogServices = append(k.LogServices, o)
	case *v3alpha1.TracingService:
		k.TracingServices = append(k.TracingServices, o)
	case *v3alpha1.DevPortal:
		k.DevPortals = append(k.DevPortals, o)
	case *v3alpha1.ConsulResolver:
		k.ConsulResolvers = append(k.ConsulResolvers, o)
	case *v3alpha1.KubernetesEndpointResolver:
		k.KubernetesEndpointResolvers = append(k.KubernetesEndpointResolvers, o)
	case *v3alpha1.KubernetesServiceResolver:
		k.KubernetesServiceResolvers = append(k.KubernetesServiceResolvers, o)
	}
}

// addOther reads a Kubernetes core resource the translator uses.
func (k *Kubernetes) addOther(o annotation.Other, namespace string) error {
	key := o.APIVersion + " " + o.Kind
	switch key {
	case "v1 Service":
		return decodeInto(o.JSON, namespace, &k.Services)
	case "v1 Endpoints":
		return decodeInto(o.JSON, namespace, &k.Endpoints)
	case "discovery.k8s.io/v1 EndpointSlice":
		return decodeInto(o.JSON, namespace, &k.EndpointSlices)
	case "v1 Secret":
		return decodeInto(o.JSON, namespace, &k.Secrets)
	case "v1 ConfigMap":
		return decodeInto(o.JSON, namespace, &k.ConfigMaps)
	case "networking.k8s.io/v1 Ingress":
		return decodeInto(o.JSON, namespace, &k.Ingresses)
	case "networking.k8s.io/v1 IngressClass":
		return decodeInto(o.JSON, "", &k.IngressClasses)
	case "v1 Namespace":
		return nil // namespaces exist implicitly in files mode
	}
	return fmt.Errorf("%s is not a kind the gateway reads", key)
}

// kubeObject is a pointer to a Kubernetes struct type.
type kubeObject[T any] interface {
	*T
	GetNamespace() string
	SetNamespace(string)
}

// decodeInto strictly decodes data as a T and appends it to list.
func decodeInto[T any, P kubeObject[T]](data []byte, namespace string, list *[]P) error {
	obj := P(new(T))
	strictErrs, err := sigsjson.UnmarshalStrict(data, obj)
	if err != nil {
		return err
	}
	if len(strictErrs) > 0 {
		return errors.Join(strictErrs...)
	}
	if obj.GetNamespace() == "" && namespace != "" {
		obj.SetNamespace(namespace)
	}
	*list = append(*list, obj)
	return nil
}

// readAnnotations reads the getambassador.io/config annotations of
// Services and Ingresses, as watt does from the cluster.
func (s *Snapshot) readAnnotations() {
	for _, svc := range s.Kubernetes.Services {
		s.readAnnotation(svc)
	}
	for _, ing := range s.Kubernetes.Ingresses {
		s.readAnnotation(ing)
	}
}

func (s *Snapshot) readAnnotation(parent client.Object) {
	resources, errs := annotation.Parse(parent)
	if len(resources) > 0 {
		list := make(AnnotationList, 0, len(resources))
		for _, r := range resources {
			list = append(list, r.Object)
		}
		s.Kubernetes.Annotations[annotation.SnapshotKey(parent)] = list
	}
	for _, e := range errs {
		var bad *annotation.Error
		switch {
		case errors.As(e, &bad) && bad.Kept:
			s.Warnings = append(s.Warnings, problem("", bad.Kind, bad.Name, parent.GetNamespace(), e))
		case bad != nil:
			s.invalid("", bad.Kind, bad.Name, parent.GetNamespace(), e)
		}
	}
}

// invalid records a resource that could not be read, in Emissary's form:
// the object's identity with an "errors" field.
func (s *Snapshot) invalid(apiVersion, kind, name, namespace string, err error) {
	s.Invalid = append(s.Invalid, problem(apiVersion, kind, name, namespace, err))
}

// problem is a resource's identity with an "errors" field.
func problem(apiVersion, kind, name, namespace string, err error) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{}}
	if apiVersion != "" {
		u.SetAPIVersion(apiVersion)
	}
	if kind != "" {
		u.SetKind(kind)
	}
	if name != "" {
		u.SetName(name)
	}
	if namespace != "" {
		u.SetNamespace(namespace)
	}
	u.Object["errors"] = err.Error()
	return u
}
