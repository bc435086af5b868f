package watt

import (
	"cmp"
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/dynamic/dynamicinformer"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"

	getambassador "github.com/emissary-go/emissary/internal/api/getambassador.io"
	"github.com/emissary-go/emissary/internal/snapshot"
)

// Kube is the Kubernetes source: shared informers on every kind the
// translator reads. getambassador.io kinds are watched in their storage
// version (no conversion webhook call on the way) and converted to
// v3alpha1 here. A kind whose CRD is not installed yet is watched once it
// appears.
type Kube struct {
	Config *rest.Config
	// Namespace is watched alone when SingleNamespace; it is also where
	// the fallback certificate lives.
	Namespace       string
	SingleNamespace bool
	LabelSelector   string
	FieldSelector   string
	Log             *slog.Logger
	// Recheck is how often missing CRDs are looked for (default 5 s).
	Recheck time.Duration

	mu        sync.Mutex
	informers map[schema.GroupVersionResource]cache.SharedIndexInformer
	synced    bool
}

// coreKinds are the built-in resources the translator reads.
var coreKinds = []schema.GroupVersionResource{
	{Version: "v1", Resource: "services"},
	{Version: "v1", Resource: "endpoints"},
	{Version: "v1", Resource: "secrets"},
	{Group: "discovery.k8s.io", Version: "v1", Resource: "endpointslices"},
	{Group: "networking.k8s.io", Version: "v1", Resource: "ingresses"},
	{Group: "networking.k8s.io", Version: "v1", Resource: "ingressclasses"},
}

// clusterScoped are the watched kinds that belong to no namespace.
var clusterScoped = map[schema.GroupVersionResource]bool{
	{Group: "networking.k8s.io", Version: "v1", Resource: "ingressclasses"}: true,
}

// ambassadorKinds are the getambassador.io resources in their storage
// versions, from the CRDs this build carries.
func ambassadorKinds() ([]schema.GroupVersionResource, error) {
	crds, err := getambassador.CRDs()
	if err != nil {
		return nil, err
	}
	var out []schema.GroupVersionResource
	for _, crd := range crds {
		for _, v := range crd.Spec.Versions {
			if v.Storage {
				out = append(out, schema.GroupVersionResource{Group: crd.Spec.Group, Version: v.Name, Resource: crd.Spec.Names.Plural})
			}
		}
	}
	return out, nil
}

// Run watches until ctx is done; changed is called after the first
// complete sync of every kind, then after every change.
func (k *Kube) Run(ctx context.Context, changed func()) error {
	client, err := dynamic.NewForConfig(k.Config)
	if err != nil {
		return err
	}
	// Discovery calls must not hang on an API server that went away.
	discoConfig := rest.CopyConfig(k.Config)
	discoConfig.Timeout = 30 * time.Second
	disco, err := discovery.NewDiscoveryClientForConfig(discoConfig)
	if err != nil {
		return err
	}
	ambassador, err := ambassadorKinds()
	if err != nil {
		return err
	}
	namespace := metav1.NamespaceAll
	if k.SingleNamespace {
		namespace = k.Namespace
	}
	selectors := func(o *metav1.ListOptions) {
		o.LabelSelector, o.FieldSelector = k.LabelSelector, k.FieldSelector
	}
	factory := dynamicinformer.NewFilteredDynamicSharedInformerFactory(client, 0, namespace, selectors)
	// Cluster-scoped kinds cannot be listed in a namespace.
	clusterFactory := dynamicinformer.NewFilteredDynamicSharedInformerFactory(client, 0, metav1.NamespaceAll, selectors)
	k.mu.Lock()
	k.informers = map[schema.GroupVersionResource]cache.SharedIndexInformer{}
	k.mu.Unlock()
	handler := cache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { k.changedIfSynced(changed) },
		UpdateFunc: func(any, any) { k.changedIfSynced(changed) },
		DeleteFunc: func(any) { k.changedIfSynced(changed) },
	}
	// watch starts informers for the kinds the API server serves that
	// are not watched yet.
	watch := func() ([]cache.InformerSynced, []string) {
		var started []cache.InformerSynced
		var missing []string
		for _, gvr := range append(slices.Clone(coreKinds), ambassador...) {
			k.mu.Lock()
			_, watching := k.informers[gvr]
			k.mu.Unlock()
			if watching {
				continue
			}
			if !served(disco, gvr) {
				missing = append(missing, gvr.String())
				continue
			}
			f := factory
			if clusterScoped[gvr] {
				f = clusterFactory
			}
			inf := f.ForResource(gvr).Informer()
			// managedFields (the API server's record of who set which
			// field) are often most of an object's size and nothing the
			// gateway reads: not kept, not put in snapshots.
			if err := inf.SetTransform(stripManagedFields); err != nil {
				k.Log.Error("watching", "resource", gvr.String(), "error", err)
				continue
			}
			if _, err := inf.AddEventHandler(handler); err != nil {
				k.Log.Error("watching", "resource", gvr.String(), "error", err)
				continue
			}
			k.mu.Lock()
			k.informers[gvr] = inf
			k.mu.Unlock()
			started = append(started, inf.HasSynced)
		}
		factory.Start(ctx.Done())
		clusterFactory.Start(ctx.Done())
		return started, missing
	}
	started, missing := watch()
	if len(missing) > 0 {
		k.Log.Warn("not served by the API server (yet); watching for them", "resources", missing)
	}
	if !cache.WaitForCacheSync(ctx.Done(), started...) {
		return nil // stopped before the first sync
	}
	k.mu.Lock()
	k.synced = true
	k.mu.Unlock()
	k.Log.Info("initial sync complete", "resources", len(started))
	changed()

	recheck := k.Recheck
	if recheck == 0 {
		recheck = 5 * time.Second
	}
	tick := time.NewTicker(recheck)
	defer tick.Stop()
	for len(missing) > 0 {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		var added []cache.InformerSynced
		added, missing = watch()
		if len(added) > 0 {
			if !cache.WaitForCacheSync(ctx.Done(), added...) {
				return nil
			}
			k.Log.Info("now watching resources that appeared", "count", len(added))
			changed()
		}
	}
	<-ctx.Done()
	return nil
}

// served reports whether the API server serves gvr.
func served(disco discovery.DiscoveryInterface, gvr schema.GroupVersionResource) bool {
	list, err := disco.ServerResourcesForGroupVersion(gvr.GroupVersion().String())
	if err != nil {
		return false
	}
	return slices.ContainsFunc(list.APIResources, func(r metav1.APIResource) bool { return r.Name == gvr.Resource })
}

func (k *Kube) changedIfSynced(changed func()) {
	k.mu.Lock()
	synced := k.synced
	k.mu.Unlock()
	if synced {
		changed()
	}
}

// Snapshot is every watched object, read as the translator wants them;
// nil before the first complete sync.
func (k *Kube) Snapshot() *snapshot.Snapshot {
	k.mu.Lock()
	if !k.synced {
		k.mu.Unlock()
		return nil
	}
	informers := make([]cache.SharedIndexInformer, 0, len(k.informers))
	for _, inf := range k.informers {
		informers = append(informers, inf)
	}
	k.mu.Unlock()
	var objs []*unstructured.Unstructured
	for _, inf := range informers {
		for _, o := range inf.GetStore().List() {
			if u, ok := o.(*unstructured.Unstructured); ok {
				objs = append(objs, u)
			}
		}
	}
	// A stable order: the translator sorts, but deltas and snapshots
	// should not depend on map order either.
	slices.SortFunc(objs, func(a, b *unstructured.Unstructured) int {
		return compareKeys(a, b)
	})
	return snapshot.FromObjects(objs, k.Namespace)
}

func compareKeys(a, b *unstructured.Unstructured) int {
	return cmp.Or(cmp.Compare(a.GetAPIVersion(), b.GetAPIVersion()), cmp.Compare(a.GetKind(), b.GetKind()),
		cmp.Compare(a.GetNamespace(), b.GetNamespace()), cmp.Compare(a.GetName(), b.GetName()))
}

// stripManagedFields is the informers' transform: objects are stored
// without their managedFields.
func stripManagedFields(obj any) (any, error) {
	if o, ok := obj.(metav1.Object); ok {
		o.SetManagedFields(nil)
	}
	return obj, nil
}
