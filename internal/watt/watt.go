package watt

import (
	"context"
	"encoding/json"
	"hash/fnv"
	"log/slog"
	"slices"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/emissary-go/emissary/internal/snapshot"
)

// Source is where resources come from: the Kubernetes API or a directory
// of YAML. It calls changed after each change, once it has synced.
type Source interface {
	// Run watches until ctx is done.
	Run(ctx context.Context, changed func()) error
	// Snapshot is what the source holds now, nil until its first
	// complete sync.
	Snapshot() *snapshot.Snapshot
}

// Watt coalesces a source's changes into published snapshots.
type Watt struct {
	Source    Source
	Publisher *Publisher
	Coalescer *Coalescer
	Meta      snapshot.AmbassadorMeta
	Log       *slog.Logger
	// Consul, when set, watches the Consul services the snapshot
	// references; their endpoints go in the snapshot.
	Consul *Consul
	// Istio, when set, adds the istio-certs Secret made from Istio's
	// mounted certificates.
	Istio *IstioCerts

	ctx  context.Context
	mu   sync.Mutex
	prev map[string]objectState // by Kind/namespace/name
}

// objectState is what a delta compares: the object's identity and a hash
// of its content.
type objectState struct {
	delta snapshot.Delta
	hash  uint64
}

// Run watches and publishes until ctx is done.
func (w *Watt) Run(ctx context.Context) error {
	w.ctx = ctx
	w.Coalescer.Publish = w.publish
	if w.Consul != nil {
		w.Consul.Changed = w.Coalescer.Changed
	}
	if w.Istio != nil {
		go w.Istio.Run(ctx, w.Coalescer.Changed)
	}
	defer w.Coalescer.Stop()
	go w.Publisher.RunNotifier(ctx)
	return w.Source.Run(ctx, w.Coalescer.Changed)
}

// publish makes a snapshot of what the source holds, with the deltas
// since the previous one, and publishes it.
func (w *Watt) publish() {
	start := time.Now()
	snap := w.Source.Snapshot()
	if snap == nil {
		return
	}
	meta := w.Meta
	snap.AmbassadorMeta = &meta
	if w.Istio != nil {
		if secret := w.Istio.Secret(); secret != nil {
			snap.Kubernetes.Secrets = append(slices.DeleteFunc(snap.Kubernetes.Secrets, func(s *corev1.Secret) bool {
				return s.Name == secret.Name && s.Namespace == secret.Namespace
			}), secret)
		}
	}
	if w.Consul != nil {
		w.Consul.Reconcile(w.ctx, snap)
		snap.Consul = &snapshot.Consul{Endpoints: w.Consul.Endpoints()}
	}
	snap.Deltas = w.deltas(snap)
	if err := w.Publisher.Publish(snap); err != nil {
		w.Log.Error("cannot publish a snapshot", "error", err)
		return
	}
	w.Log.Info("published a snapshot", "deltas", len(snap.Deltas), "invalid", len(snap.Invalid), "took", time.Since(start).String())
}

// deltas are the objects added, changed and deleted since the previous
// snapshot, in a stable order.
func (w *Watt) deltas(snap *snapshot.Snapshot) []snapshot.Delta {
	w.mu.Lock()
	defer w.mu.Unlock()
	next := map[string]objectState{}
	for _, ko := range snap.Kubernetes.Objects() {
		o := ko.Object
		h := fnv.New64a()
		if b, err := json.Marshal(o); err == nil {
			h.Write(b)
		}
		d := snapshot.Delta{
			TypeMeta:   metav1.TypeMeta{Kind: ko.Kind, APIVersion: o.GetObjectKind().GroupVersionKind().GroupVersion().String()},
			ObjectMeta: metav1.ObjectMeta{Name: o.GetName(), Namespace: o.GetNamespace()},
		}
		next[ko.Kind+"/"+o.GetNamespace()+"/"+o.GetName()] = objectState{delta: d, hash: h.Sum64()}
	}
	var out []snapshot.Delta
	for key, n := range next {
		p, existed := w.prev[key]
		switch {
		case !existed:
			n.delta.DeltaType = snapshot.DeltaAdd
		case p.hash != n.hash:
			n.delta.DeltaType = snapshot.DeltaUpdate
		default:
			continue
		}
		out = append(out, n.delta)
	}
	for key, p := range w.prev {
		if _, still := next[key]; !still {
			p.delta.DeltaType = snapshot.DeltaDelete
			out = append(out, p.delta)
		}
	}
	w.prev = next
	slices.SortFunc(out, func(a, b snapshot.Delta) int {
		for _, c := range [][2]string{{a.Kind, b.Kind}, {a.Namespace, b.Namespace}, {a.Name, b.Name}} {
			if c[0] != c[1] {
				if c[0] < c[1] {
					return -1
				}
				return 1
			}
		}
		return 0
	})
	return out
}
