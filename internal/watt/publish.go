package watt

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/emissary-go/emissary/internal/snapshot"
)

// Publisher holds the latest snapshot, serves it, and tells diagd.
type Publisher struct {
	// SnapshotURL is where diagd fetches the snapshot (this server's
	// /snapshot); NotifyURL is diagd's watt endpoint ("" for nobody).
	SnapshotURL, NotifyURL string
	Log                    *slog.Logger

	mu       sync.Mutex
	latest   []byte
	external []byte
	count    int
	notify   chan struct{}
}

// Publish makes snap the latest snapshot and queues diagd's notification.
func (p *Publisher) Publish(snap *snapshot.Snapshot) error {
	body, err := json.Marshal(snap)
	if err != nil {
		return err
	}
	external, err := json.Marshal(sanitized(snap))
	if err != nil {
		return err
	}
	p.mu.Lock()
	p.latest, p.external = body, external
	p.count++
	if p.notify == nil {
		p.notify = make(chan struct{}, 1)
	}
	ch := p.notify
	p.mu.Unlock()
	select {
	case ch <- struct{}{}:
	default: // a notification is pending: it will carry this one
	}
	return nil
}

// Count is how many snapshots have been published.
func (p *Publisher) Count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.count
}

// Latest is the latest snapshot's JSON (nil before the first).
func (p *Publisher) Latest() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.latest
}

// ExternalHandler serves only /snapshot-external: no Secret data leaves
// the pod.
func (p *Publisher) ExternalHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /snapshot-external", p.Handler())
	return mux
}

// Handler serves /snapshot, /snapshot-external (no Secret data) and
// /ready (after the first snapshot).
func (p *Publisher) Handler() http.Handler {
	mux := http.NewServeMux()
	serve := func(get func() []byte) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			p.mu.Lock()
			body := get()
			p.mu.Unlock()
			if body == nil {
				http.Error(w, "no snapshot yet", http.StatusServiceUnavailable)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.Write(body)
		}
	}
	mux.HandleFunc("GET /snapshot", serve(func() []byte { return p.latest }))
	mux.HandleFunc("GET /snapshot-external", serve(func() []byte { return p.external }))
	mux.HandleFunc("GET /ready", func(w http.ResponseWriter, _ *http.Request) {
		if p.Count() == 0 {
			http.Error(w, "waiting for the first complete sync", http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("ready\n"))
	})
	return mux
}

// RunNotifier tells diagd of new snapshots until ctx is done, retrying
// (with backoff up to a few seconds) while diagd is not there yet.
func (p *Publisher) RunNotifier(ctx context.Context) {
	if p.NotifyURL == "" {
		return
	}
	p.mu.Lock()
	if p.notify == nil {
		p.notify = make(chan struct{}, 1)
	}
	ch := p.notify
	p.mu.Unlock()
	target := p.NotifyURL + "?url=" + url.QueryEscape(p.SnapshotURL)
	for {
		select {
		case <-ctx.Done():
			return
		case <-ch:
		}
		for backoff := 50 * time.Millisecond; ; backoff = min(2*backoff, 5*time.Second) {
			err := post(ctx, target)
			if err == nil {
				break
			}
			p.Log.Warn("diagd not told of the new snapshot yet; retrying", "error", err, "in", backoff)
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
		}
	}
}

func post(ctx context.Context, target string) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s: %s", target, resp.Status)
	}
	return nil
}

// sanitized is snap without Secret data, for reporting outside.
func sanitized(snap *snapshot.Snapshot) *snapshot.Snapshot {
	if snap.Kubernetes == nil || len(snap.Kubernetes.Secrets) == 0 {
		return snap
	}
	out := *snap
	k := *snap.Kubernetes
	k.Secrets = nil
	for _, s := range snap.Kubernetes.Secrets {
		c := s.DeepCopy()
		for key := range c.Data {
			c.Data[key] = nil
		}
		c.StringData = nil
		k.Secrets = append(k.Secrets, c)
	}
	out.Kubernetes = &k
	return &out
}
